namespace QmHub.Storage;

/// <summary>
/// The statements both engines run as they are: SQL that SQLite and PostgreSQL read alike, with @-named
/// parameters, values always bound. One text for both keeps their semantics one, above all "the newest version wins".
/// </summary>
internal static class StoreSql
{
    // The newest (event_ts, event id) wins: an older version arriving late changes nothing, and the
    // outcome does not depend on the order in which versions are applied (live ingest = reproject).
    // objectJson: whether the engine keeps payload.object in the projection (PostgreSQL) or reads it from the
    // version's event log row when asked (SQLite, where the second copy was 40% of the file per delivery).
    public static string UpsertInteractionSql(bool objectJson) => $"""
        INSERT INTO interactions (account_id, interaction_id, last_event_ts, event_id, start_time, start_ms, duration, queue_id, queue_name,
            engagement_id, direction, disposition, silence_event_count, crosstalk_event_count, hold_event_count, primary_language,
            agent_name, channel_type, evaluation_score, sentiment_score, engagement_score{If(objectJson, ", object_json")})
        VALUES (@account_id, @interaction_id, @last_event_ts, @event_id, @start_time, @start_ms, @duration, @queue_id, @queue_name,
            @engagement_id, @direction, @disposition, @silence_event_count, @crosstalk_event_count, @hold_event_count, @primary_language,
            @agent_name, @channel_type, @evaluation_score, @sentiment_score, @engagement_score{If(objectJson, ", @object_json")})
        ON CONFLICT (account_id, interaction_id) DO UPDATE SET
            last_event_ts = excluded.last_event_ts, event_id = excluded.event_id, start_time = excluded.start_time,
            start_ms = excluded.start_ms, duration = excluded.duration, queue_id = excluded.queue_id, queue_name = excluded.queue_name,
            engagement_id = excluded.engagement_id, direction = excluded.direction, disposition = excluded.disposition,
            silence_event_count = excluded.silence_event_count, crosstalk_event_count = excluded.crosstalk_event_count,
            hold_event_count = excluded.hold_event_count, primary_language = excluded.primary_language, agent_name = excluded.agent_name,
            channel_type = excluded.channel_type, evaluation_score = excluded.evaluation_score, sentiment_score = excluded.sentiment_score,
            engagement_score = excluded.engagement_score{If(objectJson, ", object_json = excluded.object_json")}
        WHERE excluded.last_event_ts > interactions.last_event_ts
           OR (excluded.last_event_ts = interactions.last_event_ts AND excluded.event_id > interactions.event_id)
        """;

    public static string UpsertEvaluationSql(bool objectJson) => $"""
        INSERT INTO evaluations (account_id, evaluation_id, last_event_ts, event_id, interaction_id, agent_user_id, agent_display_name,
            evaluator_user_id, scorecard_name, scoring_format, total_possible_score, evaluation_score, evaluation_score_ratio, evaluation_type{If(objectJson, ", object_json")})
        VALUES (@account_id, @evaluation_id, @last_event_ts, @event_id, @interaction_id, @agent_user_id, @agent_display_name,
            @evaluator_user_id, @scorecard_name, @scoring_format, @total_possible_score, @evaluation_score, @evaluation_score_ratio, @evaluation_type{If(objectJson, ", @object_json")})
        ON CONFLICT (account_id, evaluation_id) DO UPDATE SET
            last_event_ts = excluded.last_event_ts, event_id = excluded.event_id, interaction_id = excluded.interaction_id,
            agent_user_id = excluded.agent_user_id, agent_display_name = excluded.agent_display_name,
            evaluator_user_id = excluded.evaluator_user_id, scorecard_name = excluded.scorecard_name, scoring_format = excluded.scoring_format,
            total_possible_score = excluded.total_possible_score, evaluation_score = excluded.evaluation_score,
            evaluation_score_ratio = excluded.evaluation_score_ratio, evaluation_type = excluded.evaluation_type{If(objectJson, ", object_json = excluded.object_json")}
        WHERE excluded.last_event_ts > evaluations.last_event_ts
           OR (excluded.last_event_ts = evaluations.last_event_ts AND excluded.event_id > evaluations.event_id)
        """;

    private static string If(bool condition, string text) => condition ? text : "";

    /// <summary>The record queries of an engine that keeps <c>payload.object</c> in its projections.</summary>
    public static readonly RecordSql StoredObjects = RecordQueries(objectFromBody: false);

    /// <summary>
    /// The record queries of an engine that reads <c>payload.object</c> from the body of the version's event log row
    /// (the projection's event_id): the same bytes the parser kept when the version was projected. A LEFT JOIN, so that a
    /// projected row whose event is missing (never in QmHub's own writes: the log is append-only) is an error, not a gap.
    /// </summary>
    public static readonly RecordSql ObjectsFromEventLog = RecordQueries(objectFromBody: true);

    // One text per query for both kinds of engine: they differ only in where the fifth column comes from.
    private static RecordSql RecordQueries(bool objectFromBody)
    {
        var (objectColumn, join) = objectFromBody ? ("e.body", " LEFT JOIN events e ON e.id = p.event_id") : ("p.object_json", "");
        string Select(string table, string id, string where, string order) =>
            $"SELECT p.account_id, p.{id}, p.last_event_ts, p.event_id, {objectColumn} FROM {table} p{join}\nWHERE {where} ORDER BY {order}";
        return new RecordSql(
            Interactions: Select("interactions", "interaction_id", "p.interaction_id = @id AND (@account_id IS NULL OR p.account_id = @account_id)", "p.account_id"),
            Evaluations: Select("evaluations", "evaluation_id", "p.evaluation_id = @id AND (@account_id IS NULL OR p.account_id = @account_id)", "p.account_id"),
            EvaluationsOfInteraction: Select("evaluations", "evaluation_id", "p.account_id = @account_id AND p.interaction_id = @id", "p.last_event_ts, p.evaluation_id"),
            ObjectFromBody: objectFromBody);
    }

    private const string EventColumns = """
        SELECT id, received_at, tracking_id, secret_name, event_name, kind, routing_note, account_id, event_ts, status, findings,
               dedup_key, length(body)
        FROM events
        """;

    public const string ListEvents = EventColumns + """

        WHERE id < @before ORDER BY id DESC LIMIT @limit
        """;

    public const string ListEventsByStatus = EventColumns + """

        WHERE status = @status AND id < @before ORDER BY id DESC LIMIT @limit
        """;

    public const string SelectEventBody = "SELECT body FROM events WHERE id = @id";

    public const string CountEvents = "SELECT status, count(*) FROM events GROUP BY status";

    public const string CountAllEvents = "SELECT count(*) FROM events";

    public const string ClearProjections = "DELETE FROM interactions; DELETE FROM evaluations;";

    public const string ReadEventChunk = """
        SELECT id, body, status, findings FROM events
        WHERE id > @after ORDER BY id LIMIT @limit
        """;

    public const string UpdateEventValidation = """
        UPDATE events SET status = @status, findings = @findings, kind = @kind, routing_note = @routing_note,
            event_name = @event_name, account_id = @account_id, event_ts = @event_ts
        WHERE id = @id
        """;

    public const string CountProjections = "SELECT (SELECT count(*) FROM interactions), (SELECT count(*) FROM evaluations)";

    public const string InsertApiKey = """
        INSERT INTO api_keys (name, prefix, key_hash, scope, created_at) VALUES (@name, @prefix, @key_hash, @scope, @created_at)
        RETURNING id
        """;

    public const string FindApiKey = "SELECT id, name, prefix, scope, created_at, revoked_at FROM api_keys WHERE key_hash = @key_hash";

    public const string FindActiveApiKey = "SELECT id, name, prefix, scope, created_at, revoked_at FROM api_keys WHERE key_hash = @key_hash AND revoked_at IS NULL";

    public const string ListApiKeys = "SELECT id, name, prefix, scope, created_at, revoked_at FROM api_keys ORDER BY id";

    public const string RevokeApiKey = """
        UPDATE api_keys SET revoked_at = @now
        WHERE revoked_at IS NULL AND (name = @key OR CAST(id AS TEXT) = @key OR prefix = @key)
            AND (SELECT count(*) FROM api_keys
                 WHERE revoked_at IS NULL AND (name = @key OR CAST(id AS TEXT) = @key OR prefix = @key)) = 1
        """;

    public const string CreateMigrationsTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)
        """;

    public const string AppliedMigrations = "SELECT version FROM schema_migrations";

    public const string RecordMigration = "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @applied_at)";
}

/// <summary>The three record queries of an engine; their fifth column is <c>object_json</c>, or the event body when <paramref name="ObjectFromBody"/>.</summary>
internal sealed record RecordSql(string Interactions, string Evaluations, string EvaluationsOfInteraction, bool ObjectFromBody);
