namespace QmHub.Storage.Sqlite;

/// <summary>The statements only the SQLite engine runs; the rest are in <see cref="StoreSql"/>. Values are always bound as parameters.</summary>
internal static class SqliteSql
{
    public const string InsertEvent = """
        INSERT INTO events (dedup_key, received_at, tracking_id, secret_name, event_name, kind, routing_note, account_id, event_ts, status, findings, body)
        VALUES (@dedup_key, @received_at, @tracking_id, @secret_name, @event_name, @kind, @routing_note, @account_id, @event_ts, @status, @findings, @body)
        ON CONFLICT (dedup_key) DO NOTHING
        RETURNING id
        """;
}
