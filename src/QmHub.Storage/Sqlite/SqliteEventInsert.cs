using Microsoft.Data.Sqlite;
using QmHub.Storage.Model;
using SQLitePCL;

namespace QmHub.Storage.Sqlite;

/// <summary>
/// The event log insert, the one statement every delivery runs, prepared once on the writer's connection and
/// bound through SQLite's own API: values go straight from the delivery (the body and key as bytes, text as
/// UTF-8 through a reused buffer) instead of through Microsoft.Data.Sqlite's per-execution parameter
/// objects, which looked up every parameter by name and allocated a binder and a UTF-8 copy of every value
/// (6% of the server's CPU under ingest load). It runs inside the transaction the connection has open.
/// </summary>
internal sealed class SqliteEventInsert : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly int _dedupKey;
    private readonly int _receivedAt;
    private readonly int _trackingId;
    private readonly int _secretName;
    private readonly int _eventName;
    private readonly int _kind;
    private readonly int _routingNote;
    private readonly int _accountId;
    private readonly int _eventTs;
    private readonly int _status;
    private readonly int _findings;
    private readonly int _body;

    public SqliteEventInsert(SqliteConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _db = connection.Handle ?? throw new InvalidOperationException("The writer's connection is not open.");
        Check(raw.sqlite3_prepare_v2(_db, SqliteSql.InsertEvent, out _statement));
        _dedupKey = Index("@dedup_key");
        _receivedAt = Index("@received_at");
        _trackingId = Index("@tracking_id");
        _secretName = Index("@secret_name");
        _eventName = Index("@event_name");
        _kind = Index("@kind");
        _routingNote = Index("@routing_note");
        _accountId = Index("@account_id");
        _eventTs = Index("@event_ts");
        _status = Index("@status");
        _findings = Index("@findings");
        _body = Index("@body");
    }

    /// <summary>Inserts <paramref name="e"/>; returns its new id, or <see langword="null"/> when the same body is already logged.</summary>
    public long? Insert(IncomingEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var parsed = e.Parsed;
        try
        {
            Blob(_dedupKey, e.DedupKey);
            Check(raw.sqlite3_bind_int64(_statement, _receivedAt, e.ReceivedAt.ToUnixTimeMilliseconds()));
            Text(_trackingId, e.TrackingId);
            Text(_secretName, e.SecretName);
            Text(_eventName, parsed.EventName);
            Text(_kind, Projection.KindName(parsed.Kind));
            Text(_routingNote, parsed.RoutingNote);
            Text(_accountId, parsed.AccountId);
            Check(parsed.EventTs is { } ts ? raw.sqlite3_bind_int64(_statement, _eventTs, ts) : raw.sqlite3_bind_null(_statement, _eventTs));
            Text(_status, e.Status.Name());
            Text(_findings, e.FindingsJson);
            Blob(_body, e.Body.Span);

            var rc = raw.sqlite3_step(_statement);
            if (rc == raw.SQLITE_DONE)
            {
                // ON CONFLICT DO NOTHING returned no row: a duplicate.
                return null;
            }

            if (rc != raw.SQLITE_ROW)
            {
                SqliteException.ThrowExceptionForRC(rc, _db);
            }

            var id = raw.sqlite3_column_int64(_statement, 0);
            rc = raw.sqlite3_step(_statement);
            if (rc != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(rc, _db);
            }

            return id;
        }
        finally
        {
            // Ready for the next delivery, and no reference to this one's buffers is kept.
            raw.sqlite3_reset(_statement);
            raw.sqlite3_clear_bindings(_statement);
        }
    }

    public void Dispose() => _statement.Dispose();

    private int Index(string name)
    {
        var index = raw.sqlite3_bind_parameter_index(_statement, name);
        return index > 0 ? index : throw new InvalidOperationException($"The event insert has no parameter {name}.");
    }

    private void Text(int index, string? value) =>
        Check(value switch
        {
            null => raw.sqlite3_bind_null(_statement, index),
            _ => SqliteRawStatement.BindText(_statement, index, value),
        });

    private void Blob(int index, ReadOnlySpan<byte> value) =>
        Check(value.IsEmpty ? raw.sqlite3_bind_zeroblob(_statement, index, 0) : raw.sqlite3_bind_blob(_statement, index, value));

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }
}
