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

    /// <summary>Adds $sign × the unit's facts to the rollup.</summary>
    public const string ContributeUnit = """
        INSERT INTO analytics_hourly (hour, account_id, agent_name, agent_user_id, queue_id, channel_type, direction,
        """ + SumColumns + """
        )
        SELECT f.at_ms / 3600000, f.account_id, f.agent_name, f.agent_user_id, f.queue_id, f.channel_type, f.direction,
            $sign * f.interactions, $sign * f.handle_s_sum, $sign * f.handle_n, $sign * f.sentiment_sum, $sign * f.sentiment_n,
            $sign * f.below_target_n, $sign * f.engagement_sum, $sign * f.engagement_n, $sign * f.silence_sum, $sign * f.silence_n,
            $sign * f.hold_sum, $sign * f.hold_n, $sign * f.crosstalk_sum, $sign * f.crosstalk_n, $sign * f.evaluations,
            $sign * f.evaluations_manual, $sign * f.evaluations_automated, $sign * f.ratio_sum, $sign * f.ratio_n, $sign * f.evaluated_interactions
        FROM (
        """ + UnitFacts + """
        ) f WHERE true
        ON CONFLICT (hour, account_id, agent_name, agent_user_id, queue_id, channel_type, direction) DO UPDATE SET
            interactions = interactions + excluded.interactions, handle_s_sum = handle_s_sum + excluded.handle_s_sum,
            handle_n = handle_n + excluded.handle_n, sentiment_sum = sentiment_sum + excluded.sentiment_sum,
            sentiment_n = sentiment_n + excluded.sentiment_n, below_target_n = below_target_n + excluded.below_target_n,
            engagement_sum = engagement_sum + excluded.engagement_sum, engagement_n = engagement_n + excluded.engagement_n,
            silence_sum = silence_sum + excluded.silence_sum, silence_n = silence_n + excluded.silence_n,
            hold_sum = hold_sum + excluded.hold_sum, hold_n = hold_n + excluded.hold_n,
            crosstalk_sum = crosstalk_sum + excluded.crosstalk_sum, crosstalk_n = crosstalk_n + excluded.crosstalk_n,
            evaluations = evaluations + excluded.evaluations, evaluations_manual = evaluations_manual + excluded.evaluations_manual,
            evaluations_automated = evaluations_automated + excluded.evaluations_automated, ratio_sum = ratio_sum + excluded.ratio_sum,
            ratio_n = ratio_n + excluded.ratio_n, evaluated_interactions = evaluated_interactions + excluded.evaluated_interactions
        """;

    /// <summary>After a subtraction: drops the unit's rollup rows that no longer count anything.</summary>
    public const string PruneUnit = """
        DELETE FROM analytics_hourly WHERE interactions = 0 AND evaluations = 0
            AND account_id = $account_id AND hour IN (SELECT f.at_ms / 3600000 FROM (
        """ + UnitFacts + """
        ) f)
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
    public const string ClearRollups = "DELETE FROM analytics_hourly; DELETE FROM agent_identities; DELETE FROM analytics_queues;";

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
        """;

    private const string RollupSource = " FROM analytics_hourly r";
    private const string FactsSource = " FROM " + AllFacts + " r";
    private const string PeriodFactsSource = " FROM " + PeriodFacts + " r";
    private const string IdentityJoin = " LEFT JOIN agent_identities ai ON ai.account_id = r.account_id AND ai.agent_name = r.agent_name";
    private const string QueueJoin = " LEFT JOIN analytics_queues q ON q.account_id = r.account_id AND q.queue_id = r.queue_id";
    private const string RollupRange = " WHERE r.hour >= $from_ms / 3600000 AND r.hour < $to_ms / 3600000";
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

    public const string AgentTotalsFromRollups = AgentKey + Sums + RollupSource + IdentityJoin + RollupRange + Filters + Keyset;
    public const string AgentTotalsFromProjections = AgentKey + Sums + PeriodFactsSource + IdentityJoin + FactsRange + Filters + Keyset;
    public const string QueueTotalsFromRollups = QueueKey + Sums + RollupSource + IdentityJoin + QueueJoin + RollupRange + Filters + Keyset;
    public const string QueueTotalsFromProjections = QueueKey + Sums + PeriodFactsSource + IdentityJoin + QueueJoin + FactsRange + Filters + Keyset;
    public const string AllTotalsFromRollups = AllKey + Sums + RollupSource + IdentityJoin + RollupRange + Filters;
    public const string AllTotalsFromProjections = AllKey + Sums + PeriodFactsSource + IdentityJoin + FactsRange + Filters;

    public const string SeriesFromRollups = "SELECT r.hour * 3600000 AS bucket" + Sums + RollupSource + IdentityJoin + RollupRange + Filters
        + " GROUP BY bucket ORDER BY bucket";

    public const string SeriesFromProjections = "SELECT (r.at_ms / 900000) * 900000 AS bucket" + Sums + PeriodFactsSource + IdentityJoin + FactsRange + Filters
        + " GROUP BY bucket ORDER BY bucket";

    /// <summary>The statements above, chosen by grouping and source.</summary>
    public static readonly Analytics.ReportStatements Reports = new(
        AgentTotalsFromRollups, AgentTotalsFromProjections, QueueTotalsFromRollups, QueueTotalsFromProjections,
        AllTotalsFromRollups, AllTotalsFromProjections, SeriesFromRollups, SeriesFromProjections);

    // Drill-downs read the projections directly, interactions as r so the same filters apply.
    private const string InteractionInRange = """
         WHERE ((r.start_ms >= $from_ms AND r.start_ms < $to_ms)
            OR (r.start_ms IS NULL AND r.last_event_ts >= $from_ms AND r.last_event_ts < $to_ms))
        """;

    private const string InteractionAgentId = "coalesce(ai.agent_user_id, r.agent_name)";

    private const string InteractionFilters = """
         AND ($account_id IS NULL OR r.account_id = $account_id) AND ($queue_id IS NULL OR coalesce(r.queue_id, '') = $queue_id)
         AND ($channel_type IS NULL OR coalesce(r.channel_type, '') = $channel_type) AND ($direction IS NULL OR coalesce(r.direction, '') = $direction)
         AND ($agent IS NULL OR 
        """ + InteractionAgentId + " = $agent OR r.agent_name = $agent)";

    public const string Mix = """
        SELECT coalesce(r.channel_type, ''), coalesce(r.direction, ''), coalesce(r.disposition, ''), count(*)
        FROM interactions r
        """ + IdentityJoin + InteractionInRange + InteractionFilters + " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3";

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
            coalesce(r.queue_id, '') AS queue_id, coalesce(r.channel_type, '') AS channel_type, coalesce(r.direction, '') AS direction
        FROM interactions r JOIN evaluations e ON e.account_id = r.account_id AND e.interaction_id = r.interaction_id
        """;

    /// <summary>The evaluations of the period whose interaction is unknown: by their own event_ts.</summary>
    private const string EvaluationsWithoutInteraction = EvaluationColumns + """
            e.last_event_ts, coalesce(e.agent_display_name, ''), CASE WHEN e.agent_display_name IS NULL THEN coalesce(e.agent_user_id, '') ELSE '' END,
            '', '', ''
        FROM evaluations e WHERE e.last_event_ts >= $from_ms AND e.last_event_ts < $to_ms
            AND NOT EXISTS (SELECT 1 FROM interactions i WHERE i.account_id = e.account_id AND i.interaction_id = e.interaction_id)
        """;

    private const string EvaluationsOpen = """
        SELECT r.account_id, r.interaction_id, r.evaluation_id, r.scorecard_name, r.evaluator_user_id, r.evaluation_type, r.ratio,
        """ + AgentId + ", nullif(r.agent_name, '') FROM (";

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

    /// <summary><see cref="SearchByScore"/> when the filters name an agent and an account: the agent's interactions.</summary>
    public const string SearchByScoreOfAgent = ScoreOpen + AgentInPeriod + SearchFilters + ScoreClose;
}
