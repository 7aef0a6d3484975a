namespace QmHub.Storage.Sqlite;

/// <summary>The statements only the SQLite engine runs; the rest are in <see cref="StoreSql"/>. Values are always bound as parameters.</summary>
internal static class SqliteSql
{
    // dedup_ts is the body's event_ts (0 when it has none): deliveries are unique on (dedup_ts, dedup_key), an index
    // in time order (see migration 0006). The same body always has the same event_ts, so a retry still conflicts.
    public const string InsertEvent = """
        INSERT INTO events (dedup_ts, dedup_key, received_at, tracking_id, secret_name, event_name, kind, routing_note, account_id, event_ts, status, findings, body)
        VALUES (coalesce(@event_ts, 0), @dedup_key, @received_at, @tracking_id, @secret_name, @event_name, @kind, @routing_note, @account_id, @event_ts, @status, @findings, @body)
        ON CONFLICT (dedup_ts, dedup_key) DO NOTHING
        RETURNING id
        """;

    /// <summary>The earlier copy of a duplicate, found through the (dedup_ts, dedup_key) index.</summary>
    public const string FindEventByKey = "SELECT id, status, findings FROM events WHERE dedup_ts = coalesce(@event_ts, 0) AND dedup_key = @dedup_key";
}
