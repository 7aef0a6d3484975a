namespace QmHub.Storage.Sqlite;

/// <summary>
/// The analytics statements of the SQLite engine, composed from named fragments at compile time. Values are
/// always bound as parameters. "Facts" are rollup-shaped rows straight from the projections: one per
/// interaction (with its evaluations' sums) and one per evaluation whose interaction is unknown; the rollup
/// maintenance and the plain GROUP BY read the same definition.
/// </summary>
internal static class SqliteAnalyticsSql
{
    private const string SumColumns = """
        interactions, handle_s_sum, handle_n, sentiment_sum, sentiment_n, below_target_n, engagement_sum, engagement_n,
        silence_sum, silence_n, hold_sum, hold_n, crosstalk_sum, crosstalk_n,
        evaluations, evaluations_manual, evaluations_automated, ratio_sum, ratio_n, evaluated_interactions
        """;

    private const string InteractionFacts = """
        SELECT i.account_id AS account_id, i.interaction_id AS interaction_id, coalesce(i.start_ms, i.last_event_ts) AS at_ms,
            coalesce(i.agent_name, '') AS agent_name, '' AS agent_user_id, coalesce(i.queue_id, '') AS queue_id,
            coalesce(i.channel_type, '') AS channel_type, coalesce(i.direction, '') AS direction,
            1 AS interactions, coalesce(i.duration, 0) AS handle_s_sum, i.duration IS NOT NULL AS handle_n,
            coalesce(i.sentiment_score, 0.0) AS sentiment_sum, i.sentiment_score IS NOT NULL AS sentiment_n,
            coalesce(i.sentiment_score < $sentiment_target, 0) AS below_target_n,
            coalesce(i.engagement_score, 0.0) AS engagement_sum, i.engagement_score IS NOT NULL AS engagement_n,
            coalesce(i.silence_event_count, 0) AS silence_sum, i.silence_event_count IS NOT NULL AS silence_n,
            coalesce(i.hold_event_count, 0) AS hold_sum, i.hold_event_count IS NOT NULL AS hold_n,
            coalesce(i.crosstalk_event_count, 0) AS crosstalk_sum, i.crosstalk_event_count IS NOT NULL AS crosstalk_n,
            count(e.evaluation_id) AS evaluations, count(CASE WHEN e.evaluation_type = 'MANUAL' THEN 1 END) AS evaluations_manual,
            count(CASE WHEN e.evaluation_type = 'AUTOMATED' THEN 1 END) AS evaluations_automated,
            coalesce(sum(e.evaluation_score_ratio), 0.0) AS ratio_sum, count(e.evaluation_score_ratio) AS ratio_n,
            count(e.evaluation_id) > 0 AS evaluated_interactions
        FROM interactions i LEFT JOIN evaluations e ON e.account_id = i.account_id AND e.interaction_id = i.interaction_id
        """;

    private const string InteractionFactsGroup = " GROUP BY i.account_id, i.interaction_id";

    private const string OrphanFacts = """
        SELECT e.account_id AS account_id, e.interaction_id AS interaction_id, e.last_event_ts AS at_ms,
            coalesce(e.agent_display_name, '') AS agent_name,
            CASE WHEN e.agent_display_name IS NULL THEN coalesce(e.agent_user_id, '') ELSE '' END AS agent_user_id,
            '' AS queue_id, '' AS channel_type, '' AS direction,
            0 AS interactions, 0 AS handle_s_sum, 0 AS handle_n, 0.0 AS sentiment_sum, 0 AS sentiment_n, 0 AS below_target_n,
            0.0 AS engagement_sum, 0 AS engagement_n, 0 AS silence_sum, 0 AS silence_n, 0 AS hold_sum, 0 AS hold_n, 0 AS crosstalk_sum, 0 AS crosstalk_n,
            1 AS evaluations, coalesce(e.evaluation_type = 'MANUAL', 0) AS evaluations_manual,
            coalesce(e.evaluation_type = 'AUTOMATED', 0) AS evaluations_automated,
            coalesce(e.evaluation_score_ratio, 0.0) AS ratio_sum, e.evaluation_score_ratio IS NOT NULL AS ratio_n, 0 AS evaluated_interactions
        FROM evaluations e
        WHERE NOT EXISTS (SELECT 1 FROM interactions i WHERE i.account_id = e.account_id AND i.interaction_id = e.interaction_id)
        """;

    /// <summary>Every fact: the source of the one-pass rollup build.</summary>
    private const string AllFacts = "(" + InteractionFacts + InteractionFactsGroup + " UNION ALL " + OrphanFacts + ")";

    // The period of an interaction is its start, else its event_ts, written as interactions_by_period (0004) indexes it,
    // so the period is one index range; an evaluation whose interaction is unknown, its own event_ts (evaluations_by_event_ts).
    private const string Period = "coalesce(r.start_ms, r.last_event_ts)";
    private const string InteractionInPeriod = " WHERE " + Period + " >= $from_ms AND " + Period + " < $to_ms";
    private const string OrphanInPeriod = " AND e.last_event_ts >= $from_ms AND e.last_event_ts < $to_ms";

    /// <summary>
    /// The facts of the period only: the source of the plain GROUP BY. SQLite does not push a filter on the facts into
    /// their GROUP BY, so the period's range is in each branch (a 30-day GROUP BY reads 30 days, not all time).
    /// </summary>
    private const string PeriodFacts = "(" + InteractionFacts + " WHERE coalesce(i.start_ms, i.last_event_ts) >= $from_ms AND coalesce(i.start_ms, i.last_event_ts) < $to_ms"
        + InteractionFactsGroup + " UNION ALL " + OrphanFacts + OrphanInPeriod + ")";

    /// <summary>
    /// The facts of one rollup unit: an interaction with its evaluations (attached or, while it is unknown,
    /// orphaned), or an evaluation that names no interaction.
    /// </summary>
    private const string UnitFacts = InteractionFacts
        + " WHERE i.account_id = $account_id AND i.interaction_id = $interaction_id" + InteractionFactsGroup
        + " UNION ALL " + OrphanFacts + EvaluationsOfUnitInteraction
        + " UNION ALL " + OrphanFacts + EvaluationOfUnitWithoutInteraction;

    // Two branches rather than one OR, so each finds its rows by index: (account_id, interaction_id), and the
    // partial index of evaluations without interaction.
    private const string EvaluationsOfUnitInteraction = " AND e.account_id = $account_id AND e.interaction_id = $interaction_id";

    private const string EvaluationOfUnitWithoutInteraction = """
         AND e.account_id = $account_id AND $interaction_id IS NULL AND e.interaction_id IS NULL AND e.evaluation_id = $evaluation_id
        """;

    /// <summary>
    /// The facts of one rollup unit keyed as the rollups are: UTC hour, account, agent name, agent user id, queue,
    /// channel, direction, the interaction's disposition (the mix's dimension), then the sums.
    /// </summary>
    public const string UnitRollupFacts = """
        SELECT f.at_ms / 3600000, f.account_id, f.agent_name, f.agent_user_id, f.queue_id, f.channel_type, f.direction,
            coalesce((SELECT i.disposition FROM interactions i WHERE i.account_id = f.account_id AND i.interaction_id = f.interaction_id), ''),
        """ + SumColumns + " FROM (" + UnitFacts + ") f";

    /// <summary>The sums every rollup but the mix keeps, in <see cref="Analytics.MetricTotals"/>' order.</summary>
    public static readonly string[] SumNames = SumColumns.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The rollups of <see cref="Analytics.MetricTotals"/> a delta is added to, each with its key columns; <c>day</c> is the hour / 24; mix rollups keep interactions only.</summary>
    public static readonly (string Table, string[] Keys, bool MixOnly)[] RollupTables =
    [
        ("analytics_hourly", ["account_id", "agent_name", "agent_user_id", "hour", "queue_id", "channel_type", "direction"], false),
        ("analytics_agent_daily", ["account_id", "agent_name", "agent_user_id", "day", "queue_id", "channel_type", "direction"], false),
        ("analytics_agent_total_daily", ["account_id", "agent_name", "agent_user_id", "day"], false),
        ("analytics_queue_hourly", ["hour", "account_id", "queue_id", "channel_type", "direction"], false),
        ("analytics_queue_daily", ["day", "account_id", "queue_id", "channel_type", "direction"], false),
        ("analytics_queue_total_hourly", ["hour", "account_id", "queue_id"], false),
        ("analytics_queue_total_daily", ["day", "account_id", "queue_id"], false),
        ("analytics_mix_hourly", ["hour", "account_id", "queue_id", "channel_type", "direction", "disposition"], true),
        ("analytics_mix_daily", ["day", "account_id", "queue_id", "channel_type", "direction", "disposition"], true),
        ("analytics_disposition_hourly", ["hour", "account_id", "queue_id", "disposition"], true),
        ("analytics_disposition_daily", ["day", "account_id", "queue_id", "disposition"], true),
    ];

    /// <summary>Adds the bound delta (<paramref name="sums"/>) to a rollup row, creating it when missing.</summary>
    public static string AddDelta(string table, IReadOnlyList<string> keys, IReadOnlyList<string> sums)
    {
        var columns = string.Join(", ", keys.Concat(sums));
        var values = string.Join(", ", keys.Concat(sums).Select(c => "$" + c));
        var updates = string.Join(", ", sums.Select(c => $"{c} = {c} + excluded.{c}"));
        return $"INSERT INTO {table} ({columns}) VALUES ({values}) ON CONFLICT ({string.Join(", ", keys)}) DO UPDATE SET {updates}";
    }

    /// <summary>Drops a rollup row whose <paramref name="counts"/> are all zero (after a delta that took something away).</summary>
    public static string PruneRow(string table, IReadOnlyList<string> keys, IReadOnlyList<string> counts) =>
        $"DELETE FROM {table} WHERE {string.Join(" AND ", keys.Select(k => $"{k} = ${k}").Concat(counts.Select(c => $"{c} = 0")))}";

    /// <summary>The calibration sums of a scorecard (<see cref="Analytics.ScorecardCalibration"/>' order).</summary>
    public static readonly string[] ScorecardSums =
        ["groups", "evaluations", "pairs", "abs_difference_sum", "pairs_within", "manual_minus_automated_sum", "manual_automated_pairs"];

    /// <summary>The calibration sums of an evaluator (<see cref="Analytics.EvaluatorCalibration"/>' order).</summary>
    public static readonly string[] EvaluatorSums = ["evaluations", "ratio_sum", "ratio_n", "calibrated", "deviation_sum"];

    private const string UnitEvaluationColumns = """
        SELECT e.account_id, e.interaction_id, e.evaluation_id, e.scorecard_name, e.evaluator_user_id, e.evaluation_type, e.evaluation_score_ratio,
            CASE WHEN i.interaction_id IS NULL THEN e.last_event_ts ELSE coalesce(i.start_ms, i.last_event_ts) END / 3600000,
            coalesce(i.queue_id, ''), i.interaction_id IS NOT NULL, e.last_event_ts
        FROM evaluations e LEFT JOIN interactions i ON i.account_id = e.account_id AND i.interaction_id = e.interaction_id
        """;

    /// <summary>
    /// The evaluations of one rollup unit with their hour, queue and whether their interaction is known: what the
    /// unit's calibration sums are computed from.
    /// </summary>
    public const string UnitEvaluations = UnitEvaluationColumns + " WHERE true" + EvaluationsOfUnitInteraction
        + " UNION ALL " + UnitEvaluationColumns + " WHERE true" + EvaluationOfUnitWithoutInteraction;

    /// <summary>Every evaluation as <see cref="UnitEvaluations"/> reads it, unit by unit: the calibration rollups' one-pass build.</summary>
    public const string AllUnitEvaluations = UnitEvaluationColumns + " ORDER BY e.account_id, e.interaction_id, e.evaluation_id";

    /// <summary>Drops one unit's calibrated groups before its groups as they are now are written.</summary>
    public const string DeleteUnitGroups = "DELETE FROM calibration_groups WHERE account_id = $account_id AND interaction_id = $interaction_id";

    /// <summary>Records an evaluation whose interaction is unknown (again, with its event_ts now).</summary>
    public const string RecordOrphan = """
        INSERT INTO analytics_orphan_evaluations (account_id, evaluation_id, last_event_ts) VALUES ($account_id, $evaluation_id, $last_event_ts)
        ON CONFLICT (account_id, evaluation_id) DO UPDATE SET last_event_ts = excluded.last_event_ts
        """;

    /// <summary>Forgets an evaluation whose interaction is known now (or that moved).</summary>
    public const string ForgetOrphan = "DELETE FROM analytics_orphan_evaluations WHERE account_id = $account_id AND evaluation_id = $evaluation_id";

    private const string ScoreOfInteractions = """
        INSERT INTO analytics_interaction_scores (account_id, interaction_id, at_ms, score_key)
        SELECT i.account_id, i.interaction_id, coalesce(i.start_ms, i.last_event_ts), coalesce(avg(e.evaluation_score_ratio) * 100, 1e308)
        FROM interactions i JOIN evaluations e ON e.account_id = i.account_id AND e.interaction_id = i.interaction_id
        """;

    /// <summary>Forgets one interaction's search score before <see cref="ScoreUnit"/> records it as it is now.</summary>
    public const string ForgetScore = "DELETE FROM analytics_interaction_scores WHERE account_id = $account_id AND interaction_id = $interaction_id";

    /// <summary>Records one interaction's search score key, computed as search computes it (nothing when it has no evaluation).</summary>
    public const string ScoreUnit = ScoreOfInteractions + " WHERE i.account_id = $account_id AND i.interaction_id = $interaction_id GROUP BY i.account_id, i.interaction_id";

    /// <summary>Every evaluated interaction's search score key: the one-pass build.</summary>
    public const string ScoreAll = "DELETE FROM analytics_interaction_scores; " + ScoreOfInteractions + " GROUP BY i.account_id, i.interaction_id";

    /// <summary>Records one calibrated group.</summary>
    public const string InsertGroup = """
        INSERT INTO calibration_groups (account_id, interaction_id, scorecard_name, hour, queue_id, spread)
        VALUES ($account_id, $interaction_id, $scorecard_name, $hour, $queue_id, $spread)
        """;


    /// <summary>Per scorecard (and hour for the edges) over the period's days or edge hours.</summary>
    public const string ScorecardDays = "SELECT r.scorecard_name, 0, sum(r.groups), sum(r.evaluations), sum(r.pairs), sum(r.abs_difference_sum), sum(r.pairs_within), "
        + "sum(r.manual_minus_automated_sum), sum(r.manual_automated_pairs) FROM calibration_scorecard_daily r WHERE r.day >= $from_day AND r.day < $to_day"
        + QueueFilters + " GROUP BY r.scorecard_name";

    public const string ScorecardHours = "SELECT r.scorecard_name, r.hour, sum(r.groups), sum(r.evaluations), sum(r.pairs), sum(r.abs_difference_sum), sum(r.pairs_within), "
        + "sum(r.manual_minus_automated_sum), sum(r.manual_automated_pairs) FROM json_each($hours) h JOIN calibration_scorecard_hourly r ON r.hour = h.value WHERE true"
        + QueueFilters + " GROUP BY r.scorecard_name, r.hour";

    /// <summary>Per evaluator (and hour for the edges) over the period's days or edge hours.</summary>
    public const string EvaluatorDays = "SELECT r.evaluator_user_id, 0, sum(r.evaluations), sum(r.ratio_sum), sum(r.ratio_n), sum(r.calibrated), sum(r.deviation_sum) "
        + "FROM calibration_evaluator_daily r WHERE r.day >= $from_day AND r.day < $to_day" + QueueFilters + " GROUP BY r.evaluator_user_id";

    public const string EvaluatorHours = "SELECT r.evaluator_user_id, r.hour, sum(r.evaluations), sum(r.ratio_sum), sum(r.ratio_n), sum(r.calibrated), sum(r.deviation_sum) "
        + "FROM json_each($hours) h JOIN calibration_evaluator_hourly r ON r.hour = h.value WHERE true" + QueueFilters + " GROUP BY r.evaluator_user_id, r.hour";

    /// <summary>The widest-spread calibrated groups of the period's hours, as the report orders them.</summary>
    public const string WidestGroups = """
        SELECT r.account_id, r.interaction_id, r.scorecard_name, r.spread FROM calibration_groups r
        WHERE r.hour >= $from_hour AND r.hour < $to_hour
        """ + QueueFilters + " ORDER BY r.spread DESC, r.account_id, r.interaction_id, r.scorecard_name LIMIT $limit";

    /// <summary>The scored evaluations of one calibrated group, in the order the report lists them.</summary>
    public const string GroupEvaluations = """
        SELECT evaluation_id, evaluator_user_id, evaluation_type, evaluation_score_ratio FROM evaluations
        WHERE account_id = $account_id AND interaction_id = $interaction_id AND coalesce(scorecard_name, '') = $scorecard_name
            AND evaluation_score_ratio IS NOT NULL
        ORDER BY evaluation_id
        """;

    /// <summary>After an evaluation's projection change: the names its unit reveals a user id for.</summary>
    public const string RecordUnitIdentities = """
        INSERT INTO agent_identities (account_id, agent_name, agent_user_id)
        SELECT * FROM (
        """ + RevealedIdentities + EvaluationsOfUnitInteraction + " UNION ALL " + RevealedIdentities + EvaluationOfUnitWithoutInteraction + """
        ) WHERE true
        ON CONFLICT (account_id, agent_name) DO UPDATE SET agent_user_id = excluded.agent_user_id
            WHERE excluded.agent_user_id < agent_user_id
        """;

    /// <summary>After an interaction's projection change: its queue's name.</summary>
    public const string RecordUnitQueue = """
        INSERT INTO analytics_queues (account_id, queue_id, queue_name, seen_ms)
        SELECT account_id, queue_id, queue_name, coalesce(start_ms, last_event_ts) FROM interactions
        WHERE account_id = $account_id AND interaction_id = $interaction_id AND queue_id IS NOT NULL AND queue_name IS NOT NULL
        ON CONFLICT (account_id, queue_id) DO UPDATE SET queue_name = excluded.queue_name, seen_ms = excluded.seen_ms
            WHERE excluded.seen_ms > seen_ms OR (excluded.seen_ms = seen_ms AND excluded.queue_name > queue_name)
        """;

    private const string RevealedIdentities = """
        SELECT e.account_id, e.agent_display_name, e.agent_user_id FROM evaluations e
        WHERE e.agent_display_name IS NOT NULL AND e.agent_user_id IS NOT NULL
        """;

    /// <summary>The interaction an evaluation names now, before a new version replaces it.</summary>
    public const string CurrentInteractionOfEvaluation = """
        SELECT interaction_id FROM evaluations WHERE account_id = $account_id AND evaluation_id = $evaluation_id
        """;

    /// <summary>Reproject starts from empty rollups.</summary>
    public const string ClearRollups = """
        DELETE FROM analytics_hourly; DELETE FROM analytics_agent_daily; DELETE FROM analytics_agent_total_daily;
        DELETE FROM analytics_queue_hourly; DELETE FROM analytics_queue_daily;
        DELETE FROM analytics_queue_total_hourly; DELETE FROM analytics_queue_total_daily; DELETE FROM analytics_disposition_hourly;
        DELETE FROM analytics_disposition_daily; DELETE FROM analytics_mix_hourly; DELETE FROM analytics_mix_daily; DELETE FROM analytics_agents;
        DELETE FROM calibration_scorecard_hourly; DELETE FROM calibration_scorecard_daily; DELETE FROM calibration_evaluator_hourly;
        DELETE FROM calibration_evaluator_daily; DELETE FROM calibration_groups; DELETE FROM analytics_orphan_evaluations;
        DELETE FROM analytics_interaction_scores;
        DELETE FROM agent_identities; DELETE FROM analytics_queues;
        """;

    private const string SumsOfColumns = """
        sum(interactions), sum(handle_s_sum), sum(handle_n), sum(sentiment_sum), sum(sentiment_n), sum(below_target_n),
        sum(engagement_sum), sum(engagement_n), sum(silence_sum), sum(silence_n), sum(hold_sum), sum(hold_n),
        sum(crosstalk_sum), sum(crosstalk_n), sum(evaluations), sum(evaluations_manual), sum(evaluations_automated),
        sum(ratio_sum), sum(ratio_n), sum(evaluated_interactions)
        """;

    /// <summary>
    /// The daily, queue and mix rollups from the hourly rollup and the projections: after migration 0003 (which
    /// creates them) and after <see cref="RebuildRollups"/> has rebuilt the hourly one.
    /// </summary>
    public const string DeriveRollups = """
        DELETE FROM analytics_agent_daily; DELETE FROM analytics_agent_total_daily; DELETE FROM analytics_queue_hourly; DELETE FROM analytics_queue_daily;
        DELETE FROM analytics_queue_total_hourly; DELETE FROM analytics_queue_total_daily; DELETE FROM analytics_disposition_hourly;
        DELETE FROM analytics_disposition_daily; DELETE FROM analytics_mix_hourly; DELETE FROM analytics_mix_daily; DELETE FROM analytics_agents;
        INSERT INTO analytics_agent_daily
        SELECT account_id, agent_name, agent_user_id, hour / 24, queue_id, channel_type, direction,
        """ + SumsOfColumns + """
         FROM analytics_hourly GROUP BY account_id, agent_name, agent_user_id, hour / 24, queue_id, channel_type, direction;
        INSERT INTO analytics_agent_total_daily SELECT account_id, agent_name, agent_user_id, day,
        """ + SumsOfColumns + """
         FROM analytics_agent_daily GROUP BY account_id, agent_name, agent_user_id, day;
        INSERT INTO analytics_queue_hourly SELECT hour, account_id, queue_id, channel_type, direction,
        """ + SumsOfColumns + """
         FROM analytics_hourly GROUP BY hour, account_id, queue_id, channel_type, direction;
        INSERT INTO analytics_queue_daily SELECT hour / 24, account_id, queue_id, channel_type, direction,
        """ + SumsOfColumns + """
         FROM analytics_queue_hourly GROUP BY hour / 24, account_id, queue_id, channel_type, direction;
        INSERT INTO analytics_queue_total_hourly SELECT hour, account_id, queue_id,
        """ + SumsOfColumns + """
         FROM analytics_queue_hourly GROUP BY hour, account_id, queue_id;
        INSERT INTO analytics_queue_total_daily SELECT day, account_id, queue_id,
        """ + SumsOfColumns + """
         FROM analytics_queue_daily GROUP BY day, account_id, queue_id;
        INSERT INTO analytics_mix_hourly
        SELECT coalesce(start_ms, last_event_ts) / 3600000, account_id, coalesce(queue_id, ''), coalesce(channel_type, ''),
            coalesce(direction, ''), coalesce(disposition, ''), count(*)
        FROM interactions GROUP BY 1, 2, 3, 4, 5, 6;
        INSERT INTO analytics_mix_daily
        SELECT hour / 24, account_id, queue_id, channel_type, direction, disposition, sum(interactions)
        FROM analytics_mix_hourly GROUP BY 1, 2, 3, 4, 5, 6;
        INSERT INTO analytics_disposition_hourly
        SELECT hour, account_id, queue_id, disposition, sum(interactions) FROM analytics_mix_hourly GROUP BY 1, 2, 3, 4;
        INSERT INTO analytics_disposition_daily
        SELECT day, account_id, queue_id, disposition, sum(interactions) FROM analytics_mix_daily GROUP BY 1, 2, 3, 4;
        """;

    /// <summary>
    /// Builds the rollups from the projections in one pass: when migration 0002 meets a database that already
    /// holds projections. Reproject instead maintains them event by event, as live ingest does.
    /// </summary>
    public const string RebuildRollups = ClearRollups + """

        INSERT INTO analytics_hourly (hour, account_id, agent_name, agent_user_id, queue_id, channel_type, direction,
        """ + SumColumns + """
        )
        SELECT r.at_ms / 3600000, r.account_id, r.agent_name, r.agent_user_id, r.queue_id, r.channel_type, r.direction
        """ + Sums + FactsSource + """
         WHERE true GROUP BY 1, 2, 3, 4, 5, 6, 7;
        INSERT INTO agent_identities (account_id, agent_name, agent_user_id)
        SELECT e.account_id, e.agent_display_name, min(e.agent_user_id) FROM evaluations e
        WHERE e.agent_display_name IS NOT NULL AND e.agent_user_id IS NOT NULL GROUP BY 1, 2;
        INSERT INTO analytics_queues (account_id, queue_id, queue_name, seen_ms)
        SELECT account_id, queue_id, max(queue_name), seen_ms FROM (
            SELECT account_id, queue_id, queue_name, coalesce(start_ms, last_event_ts) AS seen_ms,
                max(coalesce(start_ms, last_event_ts)) OVER (PARTITION BY account_id, queue_id) AS latest
            FROM interactions WHERE queue_id IS NOT NULL AND queue_name IS NOT NULL
        ) WHERE seen_ms = latest GROUP BY account_id, queue_id, seen_ms;
        """ + DeriveRollups;

    private const string FactsSource = " FROM " + AllFacts + " r";
    private const string PeriodFactsSource = " FROM " + PeriodFacts + " r";
    private const string IdentityJoin = " LEFT JOIN agent_identities ai ON ai.account_id = r.account_id AND ai.agent_name = r.agent_name";
    private const string QueueJoin = " LEFT JOIN analytics_queues q ON q.account_id = r.account_id AND q.queue_id = r.queue_id";
    private const string FactsRange = " WHERE r.at_ms >= $from_ms AND r.at_ms < $to_ms";

    // The resolved agent: the user id of an evaluation that named no one, the user id an evaluation revealed for the name, else the name.
    private const string AgentId = "coalesce(nullif(r.agent_user_id, ''), ai.agent_user_id, r.agent_name)";

    private const string Filters = """
         AND ($account_id IS NULL OR r.account_id = $account_id) AND ($queue_id IS NULL OR r.queue_id = $queue_id)
         AND ($channel_type IS NULL OR r.channel_type = $channel_type) AND ($direction IS NULL OR r.direction = $direction)
         AND ($agent IS NULL OR 
        """ + AgentId + " = $agent OR r.agent_name = $agent)";

    private const string Sums = """
        , sum(r.interactions), sum(r.handle_s_sum), sum(r.handle_n), sum(r.sentiment_sum), sum(r.sentiment_n), sum(r.below_target_n),
        sum(r.engagement_sum), sum(r.engagement_n), sum(r.silence_sum), sum(r.silence_n), sum(r.hold_sum), sum(r.hold_n),
        sum(r.crosstalk_sum), sum(r.crosstalk_n), sum(r.evaluations), sum(r.evaluations_manual), sum(r.evaluations_automated),
        sum(r.ratio_sum), sum(r.ratio_n), sum(r.evaluated_interactions)
        """;

    private const string AgentKey = "SELECT r.account_id AS key_account, " + AgentId + " AS key_id, min(nullif(r.agent_name, '')) AS key_name";
    private const string QueueKey = "SELECT r.account_id AS key_account, r.queue_id AS key_id, max(q.queue_name) AS key_name";
    private const string AllKey = "SELECT '' AS key_account, '' AS key_id, NULL AS key_name";

    private const string Keyset = """
         GROUP BY key_account, key_id
         HAVING ($after_account IS NULL OR key_account > $after_account OR (key_account = $after_account AND key_id > $after_id))
            AND ($through_account IS NULL OR key_account < $through_account OR (key_account = $through_account AND key_id <= $through_id))
            AND (sum(r.interactions) <> 0 OR sum(r.evaluations) <> 0)
         ORDER BY key_account, key_id LIMIT $limit
        """;

    public const string AgentTotalsFromProjections = AgentKey + Sums + PeriodFactsSource + IdentityJoin + FactsRange + Filters + Keyset;
    public const string QueueTotalsFromProjections = QueueKey + Sums + PeriodFactsSource + IdentityJoin + QueueJoin + FactsRange + Filters + Keyset;
    public const string AllTotalsFromProjections = AllKey + Sums + PeriodFactsSource + IdentityJoin + FactsRange + Filters;

    public const string SeriesFromProjections = "SELECT (r.at_ms / 900000) * 900000 AS bucket" + Sums + PeriodFactsSource + IdentityJoin + FactsRange + Filters
        + " GROUP BY bucket ORDER BY bucket";

    /// <summary>The statements above, chosen by grouping and source.</summary>
    public static readonly Analytics.ReportStatements Reports = new(
        null, AgentTotalsFromProjections, null, QueueTotalsFromProjections, null, AllTotalsFromProjections, null, SeriesFromProjections);

    // Rollup reads: SqliteRollupReader combines the daily and hourly rows as RollupPlan says. Agents are read a page
    // at a time through their (account, name, user id) keys, given as a JSON array $pairs; hours as a JSON array $hours.
    private const string RollupFilters = """
         AND ($account_id IS NULL OR r.account_id = $account_id) AND ($queue_id IS NULL OR r.queue_id = $queue_id)
         AND ($channel_type IS NULL OR r.channel_type = $channel_type) AND ($direction IS NULL OR r.direction = $direction)
        """;

    private static string PairJoin(string table) =>
        $" FROM json_each($pairs) p JOIN {table} r ON r.account_id = p.value ->> 0 AND r.agent_name = p.value ->> 1 AND r.agent_user_id = p.value ->> 2";

    /// <summary>The agents the rollups hold, with the id each resolves to.</summary>
    public const string AgentPairs = """
        SELECT p.account_id, p.agent_name, p.agent_user_id, coalesce(nullif(p.agent_user_id, ''), ai.agent_user_id, p.agent_name)
        FROM analytics_agents p LEFT JOIN agent_identities ai ON ai.account_id = p.account_id AND ai.agent_name = p.agent_name
        WHERE $account_id IS NULL OR p.account_id = $account_id
        """;

    /// <summary>
    /// Per given agent and queue (and day when <c>$by_day</c>): sums of the daily agent rollup over days [$from_day, $to_day);
    /// <paramref name="queues"/>: the one with queue, channel and direction (else the queue is '').
    /// </summary>
    public static string AgentDays(bool queues) => queues
        ? "SELECT p.key, r.queue_id, CASE WHEN $by_day THEN r.day ELSE 0 END AS t" + Sums + PairJoin("analytics_agent_daily")
            + " AND r.day >= $from_day AND r.day < $to_day WHERE true" + RollupFilters + " GROUP BY p.key, r.queue_id, t"
        : "SELECT p.key, '', CASE WHEN $by_day THEN r.day ELSE 0 END AS t" + Sums + PairJoin("analytics_agent_total_daily")
            + " AND r.day >= $from_day AND r.day < $to_day GROUP BY p.key, t";

    /// <summary>Per given agent, queue and hour in $hours: sums of the hourly rollup.</summary>
    public static readonly string AgentHours = "SELECT p.key, r.queue_id, r.hour" + Sums
        + PairJoin("analytics_hourly")
        + " AND r.hour IN (SELECT value FROM json_each($hours)) WHERE true" + RollupFilters + " GROUP BY p.key, r.queue_id, r.hour";

    private const string QueueFilters = " AND ($account_id IS NULL OR r.account_id = $account_id) AND ($queue_id IS NULL OR r.queue_id = $queue_id)";

    /// <summary>Per queue (and day when <c>$by_day</c>): sums of the daily queue rollup over days [$from_day, $to_day); <paramref name="channels"/>: the one with channel and direction.</summary>
    public static string QueueDays(bool channels) => "SELECT r.account_id, r.queue_id, CASE WHEN $by_day THEN r.day ELSE 0 END AS t" + Sums
        + $" FROM {(channels ? "analytics_queue_daily" : "analytics_queue_total_daily")} r WHERE r.day >= $from_day AND r.day < $to_day"
        + (channels ? RollupFilters : QueueFilters) + " GROUP BY r.account_id, r.queue_id, t";

    /// <summary>Per queue and hour in $hours: sums of the hourly queue rollup.</summary>
    public static string QueueHours(bool channels) => "SELECT r.account_id, r.queue_id, r.hour" + Sums
        + $" FROM json_each($hours) h JOIN {(channels ? "analytics_queue_hourly" : "analytics_queue_total_hourly")} r ON r.hour = h.value WHERE true"
        + (channels ? RollupFilters : QueueFilters) + " GROUP BY r.account_id, r.queue_id, r.hour";

    /// <summary>Interactions per queue, channel, direction and disposition over days [$from_day, $to_day).</summary>
    public const string MixDays = """
        SELECT r.account_id, r.queue_id, r.channel_type, r.direction, r.disposition, 0, sum(r.interactions)
        FROM analytics_mix_daily r WHERE r.day >= $from_day AND r.day < $to_day
        """ + RollupFilters + " GROUP BY 1, 2, 3, 4, 5";

    /// <summary>Interactions per queue, channel, direction, disposition and hour in $hours.</summary>
    public const string MixHours = """
        SELECT r.account_id, r.queue_id, r.channel_type, r.direction, r.disposition, r.hour, sum(r.interactions)
        FROM json_each($hours) h JOIN analytics_mix_hourly r ON r.hour = h.value WHERE true
        """ + RollupFilters + " GROUP BY 1, 2, 3, 4, 5, 6";

    /// <summary>Without channel and direction filters: interactions per queue, channel and direction (disposition NULL) over the days.</summary>
    public const string ChannelMixDays = """
        SELECT r.account_id, r.queue_id, r.channel_type, r.direction, NULL, 0, sum(r.interactions)
        FROM analytics_queue_daily r WHERE r.day >= $from_day AND r.day < $to_day
        """ + QueueFilters + " GROUP BY 1, 2, 3, 4";

    public const string ChannelMixHours = """
        SELECT r.account_id, r.queue_id, r.channel_type, r.direction, NULL, r.hour, sum(r.interactions)
        FROM json_each($hours) h JOIN analytics_queue_hourly r ON r.hour = h.value WHERE true
        """ + QueueFilters + " GROUP BY 1, 2, 3, 4, 6";

    /// <summary>Without channel and direction filters: interactions per queue and disposition (channel and direction NULL) over the days.</summary>
    public const string DispositionMixDays = """
        SELECT r.account_id, r.queue_id, NULL, NULL, r.disposition, 0, sum(r.interactions)
        FROM analytics_disposition_daily r WHERE r.day >= $from_day AND r.day < $to_day
        """ + QueueFilters + " GROUP BY 1, 2, 5";

    public const string DispositionMixHours = """
        SELECT r.account_id, r.queue_id, NULL, NULL, r.disposition, r.hour, sum(r.interactions)
        FROM json_each($hours) h JOIN analytics_disposition_hourly r ON r.hour = h.value WHERE true
        """ + QueueFilters + " GROUP BY 1, 2, 5, 6";

    /// <summary>The display name of every queue.</summary>
    public const string QueueNames = "SELECT account_id, queue_id, queue_name FROM analytics_queues";

    // Drill-downs read the projections directly, interactions as r so the same filters apply.
    private const string InteractionAgentId = "coalesce(ai.agent_user_id, r.agent_name)";

    private const string InteractionFilters = """
         AND ($account_id IS NULL OR r.account_id = $account_id) AND ($queue_id IS NULL OR coalesce(r.queue_id, '') = $queue_id)
         AND ($channel_type IS NULL OR coalesce(r.channel_type, '') = $channel_type) AND ($direction IS NULL OR coalesce(r.direction, '') = $direction)
         AND ($agent IS NULL OR 
        """ + InteractionAgentId + " = $agent OR r.agent_name = $agent)";

    public const string Mix = """
        SELECT r.account_id, coalesce(r.queue_id, ''), coalesce(r.channel_type, ''), coalesce(r.direction, ''), coalesce(r.disposition, ''), count(*)
        FROM interactions r
        """ + IdentityJoin + InteractionInPeriod + InteractionFilters + " GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5";

    // An agent's interactions of the period, when the account is known: by interactions_by_agent_start for the names that
    // resolve to the agent (the name itself, and those an evaluation revealed its id for), rows with a start time by range
    // and rows without one by event_ts. A superset of the agent filter, which still applies.
    private const string AgentNames = "SELECT $agent UNION SELECT agent_name FROM agent_identities WHERE account_id = $account_id AND agent_user_id = $agent";

    private const string AgentInPeriod = """
         WHERE r.rowid IN (
            SELECT rowid FROM interactions WHERE account_id = $account_id AND agent_name IN (
        """ + AgentNames + """
        ) AND start_ms >= $from_ms AND start_ms < $to_ms
            UNION ALL SELECT rowid FROM interactions WHERE account_id = $account_id AND agent_name IN (
        """ + AgentNames + """
        ) AND start_ms IS NULL AND last_event_ts >= $from_ms AND last_event_ts < $to_ms)
        """;

    private const string EvaluationColumns = """
        SELECT e.account_id AS account_id, e.interaction_id AS interaction_id, e.evaluation_id AS evaluation_id, e.scorecard_name AS scorecard_name,
            e.evaluator_user_id AS evaluator_user_id, e.evaluation_type AS evaluation_type, e.evaluation_score_ratio AS ratio,
        """;

    /// <summary>The evaluations of interactions, as r; the period's interactions follow.</summary>
    private const string EvaluationsOfInteractions = EvaluationColumns + """
            coalesce(r.start_ms, r.last_event_ts) AS at_ms, coalesce(r.agent_name, '') AS agent_name, '' AS agent_user_id,
            coalesce(r.queue_id, '') AS queue_id, coalesce(r.channel_type, '') AS channel_type, coalesce(r.direction, '') AS direction, 1 AS known
        FROM interactions r JOIN evaluations e ON e.account_id = r.account_id AND e.interaction_id = r.interaction_id
        """;

    /// <summary>
    /// The evaluations of the period whose interaction is unknown: by their own event_ts, from the list the rollups keep
    /// of them (testing every evaluation of the period for a missing interaction cost ~300 ms a month at 10 M).
    /// </summary>
    private const string EvaluationsWithoutInteraction = EvaluationColumns + """
            e.last_event_ts, coalesce(e.agent_display_name, ''), CASE WHEN e.agent_display_name IS NULL THEN coalesce(e.agent_user_id, '') ELSE '' END,
            '', '', '', 0
        FROM analytics_orphan_evaluations o JOIN evaluations e ON e.account_id = o.account_id AND e.evaluation_id = o.evaluation_id
        WHERE o.last_event_ts >= $from_ms AND o.last_event_ts < $to_ms
        """;

    private const string EvaluationsOpen = """
        SELECT r.account_id, r.interaction_id, r.evaluation_id, r.scorecard_name, r.evaluator_user_id, r.evaluation_type, r.ratio,
        """ + AgentId + ", nullif(r.agent_name, ''), r.known FROM (";

    private const string EvaluationsClose = ") r" + IdentityJoin + FactsRange + Filters + " ORDER BY r.account_id, r.interaction_id, r.evaluation_id";

    /// <summary>Every evaluation of the period under the filters: driven by the period's interactions (interactions_by_period).</summary>
    public const string Evaluations = EvaluationsOpen + EvaluationsOfInteractions + InteractionInPeriod
        + " UNION ALL " + EvaluationsWithoutInteraction + EvaluationsClose;

    /// <summary><see cref="Evaluations"/> when the filters name an agent and an account: driven by the agent's interactions.</summary>
    public const string EvaluationsOfAgent = EvaluationsOpen + EvaluationsOfInteractions + AgentInPeriod
        + " UNION ALL " + EvaluationsWithoutInteraction + EvaluationsClose;

    private const string SearchColumns = """
        SELECT r.account_id AS account_id, r.interaction_id AS interaction_id, r.start_time, coalesce(r.start_ms, r.last_event_ts) AS at_ms,
        """ + InteractionAgentId + """
         AS agent_id, r.agent_name, r.queue_id, q.queue_name, r.channel_type, r.direction, r.disposition, r.primary_language,
            r.duration, r.sentiment_score, r.engagement_score, r.silence_event_count, r.hold_event_count, r.crosstalk_event_count
        """;

    private const string SearchFrom = " FROM interactions r" + IdentityJoin + QueueJoin;

    // The evaluation count and mean ratio of interaction r, looked up by evaluations_by_interaction.
    private const string EvaluationCount = "(SELECT count(*) FROM evaluations e WHERE e.account_id = r.account_id AND e.interaction_id = r.interaction_id)";
    private const string QaScorePct = "(SELECT avg(e.evaluation_score_ratio) FROM evaluations e WHERE e.account_id = r.account_id AND e.interaction_id = r.interaction_id) * 100";

    // The drill-down criteria; those on evaluations are looked up only when given (OR short-circuits).
    private const string SearchFilters = InteractionFilters + """
         AND ($language IS NULL OR r.primary_language = $language) AND ($disposition IS NULL OR r.disposition = $disposition)
         AND ($min_sentiment IS NULL OR r.sentiment_score >= $min_sentiment) AND ($max_sentiment IS NULL OR r.sentiment_score <= $max_sentiment)
         AND ($evaluated IS NULL OR EXISTS (SELECT 1 FROM evaluations e WHERE e.account_id = r.account_id AND e.interaction_id = r.interaction_id) = $evaluated)
         AND ($min_qa IS NULL OR
        """ + QaScorePct + " >= $min_qa) AND ($max_qa IS NULL OR " + QaScorePct + " <= $max_qa)";

    // Newest first: a keyset over interactions_by_period read backwards from the cursor (the upper bound folds the
    // cursor into the range; ties on the instant are ordered by the key), so a page reads about its own rows; the
    // evaluations are counted for the page's rows only.
    private const string TimeKeyset = """
         AND coalesce(r.start_ms, r.last_event_ts) <= min($to_ms - 1, coalesce($c_at, $to_ms - 1))
         AND ($c_at IS NULL OR (coalesce(r.start_ms, r.last_event_ts), r.account_id, r.interaction_id) < ($c_at, $c_account, $c_id))
        ORDER BY coalesce(r.start_ms, r.last_event_ts) DESC, r.account_id DESC, r.interaction_id DESC LIMIT $limit
        """;

    private const string TimePageOpen = "SELECT s.*, coalesce(s.qa_score_pct, 1e308) AS score_key FROM (SELECT r.*, " + EvaluationCount + " AS evaluations, "
        + QaScorePct + " AS qa_score_pct FROM (" + SearchColumns + SearchFrom;

    private const string TimePageClose = ") r) s ORDER BY s.at_ms DESC, s.account_id DESC, s.interaction_id DESC";

    public const string SearchByTime = TimePageOpen + InteractionInPeriod + SearchFilters + TimeKeyset + TimePageClose;

    /// <summary><see cref="SearchByTime"/> when the filters name an agent and an account: the agent's interactions, sorted.</summary>
    public const string SearchByTimeOfAgent = TimePageOpen + AgentInPeriod + SearchFilters + TimeKeyset + TimePageClose;

    // Lowest score first: every interaction of the period that passes the filters is scored (the order is not in any
    // index without a score kept at ingest), then sorted; the period is one range of interactions_by_period.
    private const string ScoreOpen = "SELECT s.*, coalesce(s.qa_score_pct, 1e308) AS score_key FROM (" + SearchColumns + ", " + EvaluationCount + " AS evaluations, "
        + QaScorePct + " AS qa_score_pct" + SearchFrom;

    private const string ScoreClose = """
        ) s
        WHERE ($c_at IS NULL OR (coalesce(s.qa_score_pct, 1e308), s.at_ms, s.account_id, s.interaction_id) > ($c_score, $c_at, $c_account, $c_id))
        ORDER BY score_key, s.at_ms, s.account_id, s.interaction_id LIMIT $limit
        """;

    public const string SearchByScore = ScoreOpen + InteractionInPeriod + SearchFilters + ScoreClose;

    /// <summary>
    /// Lowest score first among evaluated interactions (evaluated=true): walks analytics_interaction_scores in the sort's
    /// order from the cursor, keeping the period's rows that pass the filters, and stops after a page.
    /// </summary>
    public const string SearchEvaluatedByScore = "SELECT s.* FROM (" + SearchColumns + ", " + EvaluationCount + " AS evaluations, " + QaScorePct + """
         AS qa_score_pct, k.score_key AS score_key
        FROM analytics_interaction_scores k JOIN interactions r ON r.account_id = k.account_id AND r.interaction_id = k.interaction_id
        """ + IdentityJoin + QueueJoin + """
         WHERE k.at_ms >= $from_ms AND k.at_ms < $to_ms
            AND ($c_at IS NULL OR (k.score_key, k.at_ms, k.account_id, k.interaction_id) > ($c_score, $c_at, $c_account, $c_id))
        """ + SearchFilters + """
         ORDER BY k.score_key, k.at_ms, k.account_id, k.interaction_id LIMIT $limit
        ) s ORDER BY s.score_key, s.at_ms, s.account_id, s.interaction_id
        """;

    /// <summary><see cref="SearchByScore"/> when the filters name an agent and an account: the agent's interactions.</summary>
    public const string SearchByScoreOfAgent = ScoreOpen + AgentInPeriod + SearchFilters + ScoreClose;
}
