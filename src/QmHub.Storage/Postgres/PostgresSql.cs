namespace QmHub.Storage.Postgres;

/// <summary>The statements only the PostgreSQL engine runs; the rest are in <see cref="StoreSql"/>. Values are always bound as parameters.</summary>
internal static class PostgresSql
{
    /// <summary>The advisory lock that serialises migrations across replicas: "qmhub" in ASCII.</summary>
    public const long MigrationLockKey = 0x716d687562;

    public const string LockMigrations = "SELECT pg_advisory_xact_lock(@key)";

    // One statement per delivery: the insert, or the earlier copy when the body is already logged. When the
    // earlier copy was committed by another connection while this statement waited on it, neither half sees it
    // (the statement's snapshot predates it) and no row comes back: the engine then looks it up by key again.
    public const string InsertEvent = """
        WITH inserted AS (
            INSERT INTO events (dedup_key, received_at, tracking_id, secret_name, event_name, kind, routing_note, account_id, event_ts, status, findings, body)
            VALUES (@dedup_key, @received_at, @tracking_id, @secret_name, @event_name, @kind, @routing_note, @account_id, @event_ts, @status, @findings, @body)
            ON CONFLICT (dedup_key) DO NOTHING
            RETURNING id
        )
        SELECT id, NULL::text AS status, NULL::text AS findings, false AS duplicate FROM inserted
        UNION ALL
        SELECT id, status, findings, true FROM events WHERE dedup_key = @dedup_key AND NOT EXISTS (SELECT FROM inserted)
        """;

    public const string FindEventByKey = "SELECT id, status, findings FROM events WHERE dedup_key = @dedup_key";

    public const string IsWritable = "SELECT NOT pg_is_in_recovery() AND current_setting('transaction_read_only') = 'off'";
}
