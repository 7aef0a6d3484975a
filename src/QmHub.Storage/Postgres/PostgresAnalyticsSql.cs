namespace QmHub.Storage.Postgres;

/// <summary>
/// The analytics statements of the PostgreSQL engine: the same facts, sums and filters as the SQLite engine's
/// (<c>SqliteAnalyticsSql</c>), in PostgreSQL's dialect. Differences: booleans become 0/1 with CASE or <c>::int</c>,
/// sums of bigint are cast back to bigint (PostgreSQL widens them to numeric), HAVING cannot name output columns
/// (the keyset filter wraps the GROUP BY), NULLs sort first as in SQLite, and every ordered or compared text
/// uses the "C" collation, so order is byte order as on SQLite whatever the database's locale. Rollup
/// maintenance reads the facts of a batch's units at once and applies one ordered delta (see <see cref="PostgresRollups"/>).
/// </summary>
internal static class PostgresAnalyticsSql
{
    private const string KeyColumns = "hour, account_id, agent_name, agent_user_id, queue_id, channel_type, direction";

    private const string SumColumns = """
        interactions, handle_s_sum, handle_n, sentiment_sum, sentiment_n, below_target_n, engagement_sum, engagement_n,
        silence_sum, silence_n, hold_sum, hold_n, crosstalk_sum, crosstalk_n,
        evaluations, evaluations_manual, evaluations_automated, ratio_sum, ratio_n, evaluated_interactions
        """;

    private const string InteractionFacts = """
        SELECT i.account_id AS account_id, i.interaction_id AS interaction_id, coalesce(i.start_ms, i.last_event_ts) AS at_ms,
            coalesce(i.agent_name, '') AS agent_name, ''::text AS agent_user_id, coalesce(i.queue_id, '') AS queue_id,
            coalesce(i.channel_type, '') AS channel_type, coalesce(i.direction, '') AS direction,
            1 AS interactions, coalesce(i.duration, 0) AS handle_s_sum, (i.duration IS NOT NULL)::int AS handle_n,
            coalesce(i.sentiment_score, 0) AS sentiment_sum, (i.sentiment_score IS NOT NULL)::int AS sentiment_n,
            CASE WHEN i.sentiment_score < @sentiment_target THEN 1 ELSE 0 END AS below_target_n,
            coalesce(i.engagement_score, 0) AS engagement_sum, (i.engagement_score IS NOT NULL)::int AS engagement_n,
            coalesce(i.silence_event_count, 0) AS silence_sum, (i.silence_event_count IS NOT NULL)::int AS silence_n,
            coalesce(i.hold_event_count, 0) AS hold_sum, (i.hold_event_count IS NOT NULL)::int AS hold_n,
            coalesce(i.crosstalk_event_count, 0) AS crosstalk_sum, (i.crosstalk_event_count IS NOT NULL)::int AS crosstalk_n,
            count(e.evaluation_id) AS evaluations, count(CASE WHEN e.evaluation_type = 'MANUAL' THEN 1 END) AS evaluations_manual,
            count(CASE WHEN e.evaluation_type = 'AUTOMATED' THEN 1 END) AS evaluations_automated,
            coalesce(sum(e.evaluation_score_ratio), 0) AS ratio_sum, count(e.evaluation_score_ratio) AS ratio_n,
            (count(e.evaluation_id) > 0)::int AS evaluated_interactions
        FROM interactions i LEFT JOIN evaluations e ON e.account_id = i.account_id AND e.interaction_id = i.interaction_id
        """;

    private const string InteractionFactsGroup = " GROUP BY i.account_id, i.interaction_id";

    private const string OrphanFacts = OrphanColumns + """
         FROM evaluations e
        WHERE NOT EXISTS (SELECT 1 FROM interactions i WHERE i.account_id = e.account_id AND i.interaction_id = e.interaction_id)
        """;

    private const string OrphanColumns = """
        SELECT e.account_id AS account_id, e.interaction_id AS interaction_id, e.last_event_ts AS at_ms,
            coalesce(e.agent_display_name, '') AS agent_name,
            CASE WHEN e.agent_display_name IS NULL THEN coalesce(e.agent_user_id, '') ELSE '' END AS agent_user_id,
            '' AS queue_id, '' AS channel_type, '' AS direction,
            0 AS interactions, 0 AS handle_s_sum, 0 AS handle_n, 0::float8 AS sentiment_sum, 0 AS sentiment_n, 0 AS below_target_n,
            0::float8 AS engagement_sum, 0 AS engagement_n, 0 AS silence_sum, 0 AS silence_n, 0 AS hold_sum, 0 AS hold_n, 0 AS crosstalk_sum, 0 AS crosstalk_n,
            1 AS evaluations, CASE WHEN e.evaluation_type = 'MANUAL' THEN 1 ELSE 0 END AS evaluations_manual,
            CASE WHEN e.evaluation_type = 'AUTOMATED' THEN 1 ELSE 0 END AS evaluations_automated,
            coalesce(e.evaluation_score_ratio, 0) AS ratio_sum, (e.evaluation_score_ratio IS NOT NULL)::int AS ratio_n, 0 AS evaluated_interactions
        """;

    /// <summary>Every fact: the source of the one-pass rollup build.</summary>
    private const string AllFacts = "(" + InteractionFacts + InteractionFactsGroup + " UNION ALL " + OrphanFacts + ")";

    // The period of an interaction is its start, else its event_ts, written as interactions_by_period (0004) indexes it,
    // so the period is one index range; an evaluation whose interaction is unknown, its own event_ts (evaluations_by_event_ts).
    private const string Period = "coalesce(r.start_ms, r.last_event_ts)";
    private const string InteractionInPeriod = " WHERE " + Period + " >= @from_ms AND " + Period + " < @to_ms";
    private const string OrphanInPeriod = " AND e.last_event_ts >= @from_ms AND e.last_event_ts < @to_ms";

    /// <summary>
    /// The facts of the period only: the source of the plain GROUP BY. A filter on the facts' at_ms is not pushed
    /// into their GROUP BY (at_ms is not a grouping column), so the period's range is in each branch.
    /// </summary>
    private const string PeriodFacts = "(" + InteractionFacts + " WHERE coalesce(i.start_ms, i.last_event_ts) >= @from_ms AND coalesce(i.start_ms, i.last_event_ts) < @to_ms"
        + InteractionFactsGroup + " UNION ALL " + OrphanFacts + OrphanInPeriod + ")";

    private const string Sums = """
        , sum(r.interactions)::bigint AS interactions, sum(r.handle_s_sum)::bigint, sum(r.handle_n)::bigint, sum(r.sentiment_sum)::float8,
        sum(r.sentiment_n)::bigint, sum(r.below_target_n)::bigint, sum(r.engagement_sum)::float8, sum(r.engagement_n)::bigint,
        sum(r.silence_sum)::bigint, sum(r.silence_n)::bigint, sum(r.hold_sum)::bigint, sum(r.hold_n)::bigint,
        sum(r.crosstalk_sum)::bigint, sum(r.crosstalk_n)::bigint, sum(r.evaluations)::bigint AS evaluations, sum(r.evaluations_manual)::bigint,
        sum(r.evaluations_automated)::bigint, sum(r.ratio_sum)::float8, sum(r.ratio_n)::bigint, sum(r.evaluated_interactions)::bigint
        """;

    /// <summary>
    /// The facts of a set of rollup units, summed by rollup key: the interactions (<c>@unit_accounts</c>,
    /// <c>@unit_interactions</c>) with their evaluations (attached or, while the interaction is unknown, orphaned), and
    /// the evaluations (<c>@orphan_accounts</c>, <c>@orphan_evaluations</c>) while they name no interaction.
    /// </summary>
    public const string UnitFacts = "SELECT r.at_ms / 3600000 AS hour, r.account_id, r.agent_name, r.agent_user_id, r.queue_id, r.channel_type, r.direction"
        + Sums + " FROM (" + InteractionFacts + " WHERE (i.account_id, i.interaction_id) IN " + Units + InteractionFactsGroup
        + " UNION ALL " + OrphanFacts + " AND (e.account_id, e.interaction_id) IN " + Units
        + " UNION ALL " + OrphanColumns + OrphanUnits
        + ") r GROUP BY 1, 2, 3, 4, 5, 6, 7";

    private const string Units = "(SELECT * FROM unnest(@unit_accounts::text[], @unit_interactions::text[]))";

    // Driven by the evaluations' keys, so each is found by primary key (an evaluation without interaction has no interaction to miss).
    private const string OrphanUnits = """
         FROM unnest(@orphan_accounts::text[], @orphan_evaluations::text[]) AS o(account_id, evaluation_id)
        JOIN evaluations e ON e.account_id = o.account_id AND e.evaluation_id = o.evaluation_id WHERE e.interaction_id IS NULL
        """;

    /// <summary>
    /// Takes the transaction's advisory locks on the rollup units, evaluations and so on that <c>@locks</c> names, in
    /// ascending key order: every writer takes its locks in that one order, so writers wait but do not deadlock.
    /// </summary>
    public const string LockUnits = """
        SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtextextended(u, 0) AS k FROM unnest(@locks::text[]) u ORDER BY k) s
        """;

    /// <summary>Ingest waits while a reproject rebuilds projections and rollups; replicas ingest side by side.</summary>
    public const string LockSharedAgainstReproject = "SELECT pg_advisory_xact_lock_shared(@reproject_key)";

    /// <summary>Reproject waits for the ingest transactions in flight and keeps new ones waiting until it commits.</summary>
    public const string LockExclusiveForReproject = "SELECT pg_advisory_xact_lock(@reproject_key)";

    /// <summary>The advisory lock key of reproject: "qmhubrp" in ASCII.</summary>
    public const long ReprojectLockKey = 0x716d6875627270;

    /// <summary>The interaction each evaluation names now, before a new version replaces it.</summary>
    public const string CurrentInteractionsOfEvaluations = """
        SELECT e.account_id, e.evaluation_id, e.interaction_id FROM evaluations e
        WHERE (e.account_id, e.evaluation_id) IN (SELECT * FROM unnest(@evaluation_accounts::text[], @evaluation_ids::text[]))
        """;

    /// <summary>The interaction upsert, answering the queue it names when this version became the projection.</summary>
    public static readonly string UpsertInteraction = StoreSql.UpsertInteractionSql(objectJson: true) + " RETURNING account_id, queue_name, queue_id, coalesce(start_ms, last_event_ts)";

    /// <summary>The evaluation upsert, answering the agent it names when this version became the projection.</summary>
    public static readonly string UpsertEvaluation = StoreSql.UpsertEvaluationSql(objectJson: true) + " RETURNING account_id, agent_display_name, agent_user_id, NULL::bigint";

    /// <summary>
    /// Adds the deltas to the rollup, rows in key order (the order every writer locks them in). Additive: replicas
    /// adding to the same row wait for each other's row lock and both deltas count.
    /// </summary>
    public const string AddDeltas = "INSERT INTO analytics_hourly (" + KeyColumns + ", " + SumColumns + """
        )
        SELECT * FROM unnest(@hour::bigint[], @account_id::text[], @agent_name::text[], @agent_user_id::text[], @queue_id::text[],
            @channel_type::text[], @direction::text[], @interactions::bigint[], @handle_s_sum::bigint[], @handle_n::bigint[],
            @sentiment_sum::float8[], @sentiment_n::bigint[], @below_target_n::bigint[], @engagement_sum::float8[], @engagement_n::bigint[],
            @silence_sum::bigint[], @silence_n::bigint[], @hold_sum::bigint[], @hold_n::bigint[], @crosstalk_sum::bigint[], @crosstalk_n::bigint[],
            @evaluations::bigint[], @evaluations_manual::bigint[], @evaluations_automated::bigint[], @ratio_sum::float8[], @ratio_n::bigint[],
            @evaluated_interactions::bigint[]) AS d(
        """ + KeyColumns + ", " + SumColumns + """
        )
        ORDER BY d.hour, d.account_id COLLATE "C", d.agent_name COLLATE "C", d.agent_user_id COLLATE "C", d.queue_id COLLATE "C",
            d.channel_type COLLATE "C", d.direction COLLATE "C"
        ON CONFLICT (hour, account_id, agent_name, agent_user_id, queue_id, channel_type, direction) DO UPDATE SET
            interactions = analytics_hourly.interactions + excluded.interactions, handle_s_sum = analytics_hourly.handle_s_sum + excluded.handle_s_sum,
            handle_n = analytics_hourly.handle_n + excluded.handle_n, sentiment_sum = analytics_hourly.sentiment_sum + excluded.sentiment_sum,
            sentiment_n = analytics_hourly.sentiment_n + excluded.sentiment_n, below_target_n = analytics_hourly.below_target_n + excluded.below_target_n,
            engagement_sum = analytics_hourly.engagement_sum + excluded.engagement_sum, engagement_n = analytics_hourly.engagement_n + excluded.engagement_n,
            silence_sum = analytics_hourly.silence_sum + excluded.silence_sum, silence_n = analytics_hourly.silence_n + excluded.silence_n,
            hold_sum = analytics_hourly.hold_sum + excluded.hold_sum, hold_n = analytics_hourly.hold_n + excluded.hold_n,
            crosstalk_sum = analytics_hourly.crosstalk_sum + excluded.crosstalk_sum, crosstalk_n = analytics_hourly.crosstalk_n + excluded.crosstalk_n,
            evaluations = analytics_hourly.evaluations + excluded.evaluations,
            evaluations_manual = analytics_hourly.evaluations_manual + excluded.evaluations_manual,
            evaluations_automated = analytics_hourly.evaluations_automated + excluded.evaluations_automated,
            ratio_sum = analytics_hourly.ratio_sum + excluded.ratio_sum, ratio_n = analytics_hourly.ratio_n + excluded.ratio_n,
            evaluated_interactions = analytics_hourly.evaluated_interactions + excluded.evaluated_interactions
        """;

    /// <summary>After the deltas: drops the rows they touched that no longer count anything (rows this transaction already holds).</summary>
    public const string PruneTouched = """
        DELETE FROM analytics_hourly h
        USING unnest(@hour::bigint[], @account_id::text[], @agent_name::text[], @agent_user_id::text[], @queue_id::text[],
            @channel_type::text[], @direction::text[]) AS d(hour, account_id, agent_name, agent_user_id, queue_id, channel_type, direction)
        WHERE h.hour = d.hour AND h.account_id = d.account_id AND h.agent_name = d.agent_name AND h.agent_user_id = d.agent_user_id
          AND h.queue_id = d.queue_id AND h.channel_type = d.channel_type AND h.direction = d.direction
          AND h.interactions = 0 AND h.evaluations = 0
        """;

    /// <summary>The names that evaluations which became the projection reveal a user id for; the least id wins.</summary>
    public const string RecordIdentities = """
        INSERT INTO agent_identities (account_id, agent_name, agent_user_id)
        SELECT d.account_id, d.agent_name, min(d.agent_user_id COLLATE "C")
        FROM unnest(@account_id::text[], @agent_name::text[], @agent_user_id::text[]) AS d(account_id, agent_name, agent_user_id)
        WHERE d.agent_name IS NOT NULL AND d.agent_user_id IS NOT NULL
        GROUP BY 1, 2 ORDER BY d.account_id COLLATE "C", d.agent_name COLLATE "C"
        ON CONFLICT (account_id, agent_name) DO UPDATE SET agent_user_id = excluded.agent_user_id
            WHERE excluded.agent_user_id < agent_identities.agent_user_id
        """;

    /// <summary>The queue names of interactions that became the projection; the latest start wins.</summary>
    public const string RecordQueues = """
        INSERT INTO analytics_queues (account_id, queue_id, queue_name, seen_ms)
        SELECT DISTINCT ON (d.account_id COLLATE "C", d.queue_id COLLATE "C") d.account_id, d.queue_id, d.queue_name, d.seen_ms
        FROM unnest(@account_id::text[], @queue_id::text[], @queue_name::text[], @seen_ms::bigint[]) AS d(account_id, queue_id, queue_name, seen_ms)
        WHERE d.queue_id IS NOT NULL AND d.queue_name IS NOT NULL
        ORDER BY d.account_id COLLATE "C", d.queue_id COLLATE "C", d.seen_ms DESC, d.queue_name COLLATE "C" DESC
        ON CONFLICT (account_id, queue_id) DO UPDATE SET queue_name = excluded.queue_name, seen_ms = excluded.seen_ms
            WHERE excluded.seen_ms > analytics_queues.seen_ms
               OR (excluded.seen_ms = analytics_queues.seen_ms AND excluded.queue_name > analytics_queues.queue_name)
        """;

    /// <summary>Reproject starts from empty rollups.</summary>
    public const string ClearRollups = "DELETE FROM analytics_hourly; DELETE FROM agent_identities; DELETE FROM analytics_queues;";

    /// <summary>The hourly rollup from the projections in one pass: after reproject, and when migration 0002 meets existing projections.</summary>
    public const string RebuildHourly = "INSERT INTO analytics_hourly (" + KeyColumns + ", " + SumColumns + ") "
        + "SELECT r.at_ms / 3600000, r.account_id, r.agent_name, r.agent_user_id, r.queue_id, r.channel_type, r.direction"
        + Sums + FactsSource + " GROUP BY 1, 2, 3, 4, 5, 6, 7";

    /// <summary>Identities from the projections in one pass, when migration 0002 meets existing projections.</summary>
    public const string RebuildIdentities = """
        INSERT INTO agent_identities (account_id, agent_name, agent_user_id)
        SELECT e.account_id, e.agent_display_name, min(e.agent_user_id COLLATE "C") FROM evaluations e
        WHERE e.agent_display_name IS NOT NULL AND e.agent_user_id IS NOT NULL GROUP BY 1, 2
        """;

    /// <summary>Queue names from the projections in one pass, when migration 0002 meets existing projections.</summary>
    public const string RebuildQueues = """
        INSERT INTO analytics_queues (account_id, queue_id, queue_name, seen_ms)
        SELECT account_id, queue_id, max(queue_name COLLATE "C"), seen_ms FROM (
            SELECT account_id, queue_id, queue_name, coalesce(start_ms, last_event_ts) AS seen_ms,
                max(coalesce(start_ms, last_event_ts)) OVER (PARTITION BY account_id, queue_id) AS latest
            FROM interactions WHERE queue_id IS NOT NULL AND queue_name IS NOT NULL
        ) q WHERE seen_ms = latest GROUP BY account_id, queue_id, seen_ms
        """;

    private const string RollupSource = " FROM analytics_hourly r";
    private const string FactsSource = " FROM " + AllFacts + " r";
    private const string PeriodFactsSource = " FROM " + PeriodFacts + " r";
    private const string IdentityJoin = " LEFT JOIN agent_identities ai ON ai.account_id = r.account_id AND ai.agent_name = r.agent_name";
    private const string QueueJoin = " LEFT JOIN analytics_queues q ON q.account_id = r.account_id AND q.queue_id = r.queue_id";
    private const string RollupRange = " WHERE r.hour >= @from_ms / 3600000 AND r.hour < @to_ms / 3600000";
    private const string FactsRange = " WHERE r.at_ms >= @from_ms AND r.at_ms < @to_ms";

    // The resolved agent: the user id of an evaluation that named no one, the user id an evaluation revealed for the name, else the name.
    private const string AgentId = "coalesce(nullif(r.agent_user_id, ''), ai.agent_user_id, r.agent_name)";

    private const string Filters = """
         AND (@account_id IS NULL OR r.account_id = @account_id) AND (@queue_id IS NULL OR r.queue_id = @queue_id)
         AND (@channel_type IS NULL OR r.channel_type = @channel_type) AND (@direction IS NULL OR r.direction = @direction)
         AND (@agent IS NULL OR 
        """ + AgentId + " = @agent OR r.agent_name = @agent)";

    private const string AgentKey = "SELECT r.account_id COLLATE \"C\" AS key_account, (" + AgentId + ") COLLATE \"C\" AS key_id, min(nullif(r.agent_name, '') COLLATE \"C\") AS key_name";
    private const string QueueKey = "SELECT r.account_id COLLATE \"C\" AS key_account, r.queue_id COLLATE \"C\" AS key_id, max(q.queue_name COLLATE \"C\") AS key_name";
    private const string AllKey = "SELECT ''::text AS key_account, ''::text AS key_id, NULL::text AS key_name";

    private const string KeysetOpen = "SELECT * FROM (";

    private const string Keyset = """
         GROUP BY 1, 2) g
        WHERE (@after_account IS NULL OR g.key_account > @after_account OR (g.key_account = @after_account AND g.key_id > @after_id))
          AND (@through_account IS NULL OR g.key_account < @through_account OR (g.key_account = @through_account AND g.key_id <= @through_id))
          AND (g.interactions <> 0 OR g.evaluations <> 0)
        ORDER BY g.key_account, g.key_id LIMIT @limit
        """;

    public const string AgentTotalsFromRollups = KeysetOpen + AgentKey + Sums + RollupSource + IdentityJoin + RollupRange + Filters + Keyset;
    public const string AgentTotalsFromProjections = KeysetOpen + AgentKey + Sums + PeriodFactsSource + IdentityJoin + FactsRange + Filters + Keyset;
    public const string QueueTotalsFromRollups = KeysetOpen + QueueKey + Sums + RollupSource + IdentityJoin + QueueJoin + RollupRange + Filters + Keyset;
    public const string QueueTotalsFromProjections = KeysetOpen + QueueKey + Sums + PeriodFactsSource + IdentityJoin + QueueJoin + FactsRange + Filters + Keyset;
    public const string AllTotalsFromRollups = AllKey + Sums + RollupSource + IdentityJoin + RollupRange + Filters;
    public const string AllTotalsFromProjections = AllKey + Sums + PeriodFactsSource + IdentityJoin + FactsRange + Filters;

    public const string SeriesFromRollups = "SELECT r.hour * 3600000 AS bucket" + Sums + RollupSource + IdentityJoin + RollupRange + Filters
        + " GROUP BY 1 ORDER BY 1";

    public const string SeriesFromProjections = "SELECT (r.at_ms / 900000) * 900000 AS bucket" + Sums + PeriodFactsSource + IdentityJoin + FactsRange + Filters
        + " GROUP BY 1 ORDER BY 1";

    /// <summary>The statements above, chosen by grouping and source.</summary>
    public static readonly Analytics.ReportStatements Reports = new(
        AgentTotalsFromRollups, AgentTotalsFromProjections, QueueTotalsFromRollups, QueueTotalsFromProjections,
        AllTotalsFromRollups, AllTotalsFromProjections, SeriesFromRollups, SeriesFromProjections);

    // Drill-downs read the projections directly, interactions as r so the same filters apply.
    private const string InteractionInRange = """
         WHERE ((r.start_ms >= @from_ms AND r.start_ms < @to_ms)
            OR (r.start_ms IS NULL AND r.last_event_ts >= @from_ms AND r.last_event_ts < @to_ms))
        """;

    private const string InteractionAgentId = "coalesce(ai.agent_user_id, r.agent_name)";

    private const string InteractionFilters = """
         AND (@account_id IS NULL OR r.account_id = @account_id) AND (@queue_id IS NULL OR coalesce(r.queue_id, '') = @queue_id)
         AND (@channel_type IS NULL OR coalesce(r.channel_type, '') = @channel_type) AND (@direction IS NULL OR coalesce(r.direction, '') = @direction)
         AND (@agent IS NULL OR 
        """ + InteractionAgentId + " = @agent OR r.agent_name = @agent)";

    public const string Mix = """
        SELECT r.account_id COLLATE "C", coalesce(r.queue_id, '') COLLATE "C", coalesce(r.channel_type, '') COLLATE "C",
            coalesce(r.direction, '') COLLATE "C", coalesce(r.disposition, '') COLLATE "C", count(*)
        FROM interactions r
        """ + IdentityJoin + InteractionInRange + InteractionFilters + " GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5";

    // An agent's interactions of the period, when the account is known: by interactions_by_agent_start for the names that
    // resolve to the agent (the name itself, and those an evaluation revealed its id for), rows with a start time by range
    // and rows without one by event_ts. A superset of the agent filter, which still applies.
    private const string AgentInPeriod = """
         WHERE r.account_id = @account_id AND r.agent_name IN (
            SELECT @agent UNION SELECT agent_name FROM agent_identities WHERE account_id = @account_id AND agent_user_id = @agent)
          AND ((r.start_ms >= @from_ms AND r.start_ms < @to_ms) OR (r.start_ms IS NULL AND r.last_event_ts >= @from_ms AND r.last_event_ts < @to_ms))
        """;

    private const string EvaluationColumns = """
        SELECT e.account_id AS account_id, e.interaction_id AS interaction_id, e.evaluation_id AS evaluation_id, e.scorecard_name AS scorecard_name,
            e.evaluator_user_id AS evaluator_user_id, e.evaluation_type AS evaluation_type, e.evaluation_score_ratio AS ratio,
        """;

    /// <summary>The evaluations of interactions, as r; the period's interactions follow.</summary>
    private const string EvaluationsOfInteractions = EvaluationColumns + """
            coalesce(r.start_ms, r.last_event_ts) AS at_ms, coalesce(r.agent_name, '') AS agent_name, ''::text AS agent_user_id,
            coalesce(r.queue_id, '') AS queue_id, coalesce(r.channel_type, '') AS channel_type, coalesce(r.direction, '') AS direction, 1::bigint AS known
        FROM interactions r JOIN evaluations e ON e.account_id = r.account_id AND e.interaction_id = r.interaction_id
        """;

    /// <summary>The evaluations of the period whose interaction is unknown: by their own event_ts.</summary>
    private const string EvaluationsWithoutInteraction = EvaluationColumns + """
            e.last_event_ts, coalesce(e.agent_display_name, ''), CASE WHEN e.agent_display_name IS NULL THEN coalesce(e.agent_user_id, '') ELSE '' END,
            '', '', '', 0::bigint
        FROM evaluations e WHERE e.last_event_ts >= @from_ms AND e.last_event_ts < @to_ms
            AND NOT EXISTS (SELECT 1 FROM interactions i WHERE i.account_id = e.account_id AND i.interaction_id = e.interaction_id)
        """;

    private const string EvaluationsOpen = """
        SELECT r.account_id, r.interaction_id, r.evaluation_id, r.scorecard_name, r.evaluator_user_id, r.evaluation_type, r.ratio,
        """ + AgentId + ", nullif(r.agent_name, ''), r.known FROM (";

    private const string EvaluationsClose = ") r" + IdentityJoin + FactsRange + Filters
        + " ORDER BY r.account_id COLLATE \"C\", r.interaction_id COLLATE \"C\" NULLS FIRST, r.evaluation_id COLLATE \"C\"";

    /// <summary>Every evaluation of the period under the filters: driven by the period's interactions (interactions_by_period).</summary>
    public const string Evaluations = EvaluationsOpen + EvaluationsOfInteractions + InteractionInPeriod
        + " UNION ALL " + EvaluationsWithoutInteraction + EvaluationsClose;

    /// <summary><see cref="Evaluations"/> when the filters name an agent and an account: driven by the agent's interactions.</summary>
    public const string EvaluationsOfAgent = EvaluationsOpen + EvaluationsOfInteractions + AgentInPeriod
        + " UNION ALL " + EvaluationsWithoutInteraction + EvaluationsClose;

    // The ids keep their own collation, so the evaluations' lookups by them can use evaluations_by_interaction; their order is "C" wherever they are ordered.
    private const string SearchColumns = """
        SELECT r.account_id, r.interaction_id, r.start_time,
            coalesce(r.start_ms, r.last_event_ts) AS at_ms,
        """ + InteractionAgentId + """
         AS agent_id, r.agent_name, r.queue_id, q.queue_name, r.channel_type, r.direction, r.disposition, r.primary_language,
            r.duration, r.sentiment_score, r.engagement_score, r.silence_event_count, r.hold_event_count, r.crosstalk_event_count
        """;

    private const string SearchFrom = " FROM interactions r" + IdentityJoin + QueueJoin;

    // The evaluation count and mean ratio of interaction r, looked up by evaluations_by_interaction.
    private const string EvaluationCount = "(SELECT count(*) FROM evaluations e WHERE e.account_id = r.account_id AND e.interaction_id = r.interaction_id)";
    private const string QaScorePct = "(SELECT avg(e.evaluation_score_ratio) FROM evaluations e WHERE e.account_id = r.account_id AND e.interaction_id = r.interaction_id) * 100";

    // The drill-down criteria; those on evaluations only matter when given (custom plans fold the others away).
    private const string SearchFilters = InteractionFilters + """
         AND (@language IS NULL OR r.primary_language = @language) AND (@disposition IS NULL OR r.disposition = @disposition)
         AND (@min_sentiment IS NULL OR r.sentiment_score >= @min_sentiment) AND (@max_sentiment IS NULL OR r.sentiment_score <= @max_sentiment)
         AND (@evaluated IS NULL OR EXISTS (SELECT 1 FROM evaluations e WHERE e.account_id = r.account_id AND e.interaction_id = r.interaction_id) = @evaluated)
         AND (@min_qa IS NULL OR
        """ + QaScorePct + " >= @min_qa) AND (@max_qa IS NULL OR " + QaScorePct + " <= @max_qa)";

    // Newest first: a keyset over interactions_by_period read backwards from the cursor (the upper bound folds the
    // cursor into the range; ties on the instant are ordered by the key), so a page reads about its own rows; the
    // evaluations are counted for the page's rows only.
    private const string TimeKeyset = """
         AND coalesce(r.start_ms, r.last_event_ts) <= least(@to_ms - 1, coalesce(@c_at, @to_ms - 1))
         AND (@c_at IS NULL OR (coalesce(r.start_ms, r.last_event_ts), r.account_id COLLATE "C", r.interaction_id COLLATE "C") < (@c_at, @c_account, @c_id))
        ORDER BY coalesce(r.start_ms, r.last_event_ts) DESC, r.account_id COLLATE "C" DESC, r.interaction_id COLLATE "C" DESC LIMIT @limit
        """;

    private const string TimePageOpen = "SELECT s.*, coalesce(s.qa_score_pct, 1e308::float8) AS score_key FROM (SELECT r.*, " + EvaluationCount + " AS evaluations, "
        + QaScorePct + " AS qa_score_pct FROM (" + SearchColumns + SearchFrom;

    private const string TimePageClose = ") r) s ORDER BY s.at_ms DESC, s.account_id COLLATE \"C\" DESC, s.interaction_id COLLATE \"C\" DESC";

    public const string SearchByTime = TimePageOpen + InteractionInPeriod + SearchFilters + TimeKeyset + TimePageClose;

    /// <summary><see cref="SearchByTime"/> when the filters name an agent and an account: the agent's interactions, sorted.</summary>
    public const string SearchByTimeOfAgent = TimePageOpen + AgentInPeriod + SearchFilters + TimeKeyset + TimePageClose;

    // Lowest score first: every interaction of the period that passes the filters is scored (the order is not in any
    // index without a score kept at ingest), then sorted; the period is one range of interactions_by_period.
    private const string ScoreOpen = "SELECT s.*, coalesce(s.qa_score_pct, 1e308::float8) AS score_key FROM (" + SearchColumns + ", "
        + EvaluationCount + " AS evaluations, " + QaScorePct + " AS qa_score_pct" + SearchFrom;

    private const string ScoreClose = """
        ) s
        WHERE (@c_at IS NULL OR (coalesce(s.qa_score_pct, 1e308::float8), s.at_ms, s.account_id COLLATE "C", s.interaction_id COLLATE "C")
            > (@c_score, @c_at, @c_account, @c_id))
        ORDER BY score_key, s.at_ms, s.account_id COLLATE "C", s.interaction_id COLLATE "C" LIMIT @limit
        """;

    public const string SearchByScore = ScoreOpen + InteractionInPeriod + SearchFilters + ScoreClose;

    /// <summary><see cref="SearchByScore"/> when the filters name an agent and an account: the agent's interactions.</summary>
    public const string SearchByScoreOfAgent = ScoreOpen + AgentInPeriod + SearchFilters + ScoreClose;
}
