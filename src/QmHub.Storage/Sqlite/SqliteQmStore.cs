using System.Data;
using System.Globalization;
using Microsoft.Data.Sqlite;
using QmHub.Storage.Model;
using QmHub.Zoom.Models;
using QmHub.Zoom.Parsing;

namespace QmHub.Storage.Sqlite;

/// <summary>
/// The embedded engine: one SQLite file in WAL mode with <c>synchronous=FULL</c>, so every committed
/// transaction is fsync'd. Writes go through one connection, one transaction per batch (group commit);
/// reads use pooled connections and never block the writer.
/// </summary>
public sealed class SqliteQmStore : DbQmStore
{
    private const int ReprojectChunk = 1000;

    private readonly string _connectionString;
    private readonly string _writerConnectionString;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly string _pragmas;
    private SqliteConnection? _writer;
    private BatchWriter? _statements;
    private bool _disposed;
    private readonly CancellationTokenSource _stopCheckpoints = new();
    private Task? _checkpointer;
    private volatile bool _walRestartDue;

    static SqliteQmStore() => SqliteRuntime.Configure();

    /// <summary>Opens (creating if needed) the database file at <paramref name="path"/>.</summary>
    /// <param name="path">The database file.</param>
    /// <param name="busyTimeout">How long a statement waits for another process's lock; 30 s by default.</param>
    public SqliteQmStore(string path, TimeSpan? busyTimeout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var wait = busyTimeout ?? TimeSpan.FromSeconds(30);
        _pragmas = $"PRAGMA synchronous=FULL; PRAGMA busy_timeout={(long)wait.TotalMilliseconds};";
        FilePath = Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            // Microsoft.Data.Sqlite retries SQLITE_BUSY for the command timeout: the same wait as busy_timeout.
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)),
        }.ToString();

        // The writer's connection is its own (never pooled): a failed one is really closed, and its large page
        // cache is never handed to a reader.
        _writerConnectionString = new SqliteConnectionStringBuilder(_connectionString) { Pooling = false }.ToString();
    }

    /// <summary>The database file.</summary>
    public string FilePath { get; }

    /// <inheritdoc />
    public override string Description => $"SQLite {FilePath}";

    /// <summary>The projections keep no copy of <c>payload.object</c> (migration 0008): it is read from the event log.</summary>
    private protected override RecordSql Records => StoreSql.ObjectsFromEventLog;

    /// <inheritdoc />
    public override async Task<IReadOnlyList<int>> MigrateAsync(Action<IReadOnlyList<int>>? applying, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(FilePath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var applied = new List<int>();
        await WriteAsync(async (connection, ct) =>
        {
            await using (var wal = connection.CreateCommand())
            {
                wal.CommandText = "PRAGMA journal_mode=WAL;";
                await wal.ExecuteNonQueryAsync(ct);
            }

            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(IsolationLevel.Serializable, ct);
            await ExecuteAsync(connection, tx, StoreSql.CreateMigrationsTable, ct);
            IReadOnlyList<Migration> pending;
            await using (var cmd = Command(connection, tx, StoreSql.AppliedMigrations))
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
            {
                pending = await Migration.PendingAsync(reader, "QmHub.Storage.Sqlite.Migrations.", applying, ct);
            }

            foreach (var migration in pending)
            {
                await ExecuteAsync(connection, tx, migration.Sql, ct);
                await using var record = Command(connection, tx, StoreSql.RecordMigration);
                Bind(record, "@version", migration.Version);
                Bind(record, "@name", migration.Name);
                Bind(record, "@applied_at", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                await record.ExecuteNonQueryAsync(ct);
                applied.Add(migration.Version);
            }

            await SqliteRollups.BuildAfterMigrationAsync(applied, connection, tx, ct);
            await tx.CommitAsync(ct);
        }, cancellationToken);
        return applied;
    }

    /// <inheritdoc />
    public override Task<IReadOnlyList<AppendResult>> AppendAsync(IReadOnlyList<IncomingEvent> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return WriteAsync<IReadOnlyList<AppendResult>>(async (connection, ct) =>
        {
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(IsolationLevel.Serializable, ct);
            var writer = Statements(connection, tx);
            var results = new AppendResult[batch.Count];
            for (var i = 0; i < batch.Count; i++)
            {
                results[i] = await writer.AppendAsync(batch[i], ct);
            }

            await SqliteRollups.FlushAsync(connection, tx, ct);
            await tx.CommitAsync(ct);
            return results;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public override async Task<ReprojectResult> ReprojectAsync(IProgress<ReprojectProgress>? progress, CancellationToken cancellationToken)
    {
        long total;
        await using (var connection = await OpenAsync(cancellationToken))
        await using (var count = Command(connection, null, StoreSql.CountAllEvents))
        {
            total = (long)(await count.ExecuteScalarAsync(cancellationToken) ?? 0L);
        }

        // One transaction: readers keep seeing the old projections until the new ones are complete, and a
        // reproject that is interrupted leaves them as they were. Ingest waits meanwhile (and answers 503 once
        // its ack deadline passes; Zoom retries).
        long done = 0, accepted = 0, quarantined = 0;
        progress?.Report(new ReprojectProgress(0, total));
        await WriteAsync(async (connection, ct) =>
        {
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(IsolationLevel.Serializable, ct);
            await ExecuteAsync(connection, tx, StoreSql.ClearProjections, ct);
            await SqliteRollups.ClearAsync(connection, tx, ct);
            var writer = Statements(connection, tx);
            long after = 0;
            while (await ReadChunkAsync(connection, tx, after, ct) is { Count: > 0 } rows)
            {
                foreach (var row in rows)
                {
                    if (await writer.ReprojectAsync(row, ct) == EventStatus.Accepted)
                    {
                        accepted++;
                    }
                    else
                    {
                        quarantined++;
                    }
                }

                // The chunk's rollup deltas, summed per rollup row, keep memory bounded over the whole event log.
                await SqliteRollups.FlushAsync(connection, tx, ct);
                after = rows[^1].Id;
                done += rows.Count;
                progress?.Report(new ReprojectProgress(done, Math.Max(total, done)));
            }

            await tx.CommitAsync(ct);
        }, cancellationToken);

        await using var conn = await OpenAsync(cancellationToken);
        await using var counts = Command(conn, null, StoreSql.CountProjections);
        await using var r = await counts.ExecuteReaderAsync(cancellationToken);
        await r.ReadAsync(cancellationToken);
        return new ReprojectResult(done, accepted, quarantined, r.GetInt64(0), r.GetInt64(1));
    }

    /// <inheritdoc />
    public override async Task<bool> IsWritableAsync(CancellationToken cancellationToken)
    {
        try
        {
            // A committed write (WAL append and fsync): taking the write lock alone succeeds on a read-only file or a full disk.
            await using var connection = await OpenAsync(cancellationToken);
            await using var cmd = Command(connection, null,
                "BEGIN IMMEDIATE; INSERT INTO store_probe (id, probed_at) VALUES (1, @now) ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at; COMMIT;");
            Bind(cmd, "@now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            await cmd.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public override Task<ApiKeyInfo> CreateApiKeyAsync(string name, string prefix, byte[] keyHash, string scope, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, ct) =>
        {
            await using var cmd = Command(connection, null, StoreSql.InsertApiKey);
            Bind(cmd, "@name", name);
            Bind(cmd, "@prefix", prefix);
            Bind(cmd, "@key_hash", keyHash);
            Bind(cmd, "@scope", scope);
            Bind(cmd, "@created_at", now.ToUnixTimeMilliseconds());
            var id = (long)(await cmd.ExecuteScalarAsync(ct))!;
            return new ApiKeyInfo { Id = id, Name = name, Prefix = prefix, Scope = scope, CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds()) };
        }, cancellationToken);

    /// <inheritdoc />
    public override Task<int> RevokeApiKeyAsync(string idOrName, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, ct) =>
        {
            await using var cmd = Command(connection, null, StoreSql.RevokeApiKey);
            Bind(cmd, "@key", idOrName);
            Bind(cmd, "@now", now.ToUnixTimeMilliseconds());
            return await cmd.ExecuteNonQueryAsync(ct);
        }, cancellationToken);

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stopCheckpoints.CancelAsync();
        if (_checkpointer is not null)
        {
            await _checkpointer;
        }

        _stopCheckpoints.Dispose();
        await _writeLock.WaitAsync();
        try
        {
            await ResetWriterAsync();
        }
        finally
        {
            _writeLock.Release();
            _writeLock.Dispose();
        }

        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
    }

    /// <summary>WAL frames (4 KiB pages) past which the checkpointer makes the next writer start the WAL over: 64 MiB by default.</summary>
    internal long WalRestartFrames { get; init; } = 16_384;

    /// <summary>How often the checkpointer copies the WAL into the database file.</summary>
    internal TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Copies committed WAL frames into the database file every <see cref="CheckpointInterval"/> (PASSIVE: never
    /// blocks the writer or readers), has the writer start the WAL over once it passes <see cref="WalRestartFrames"/>,
    /// and truncates it when the store closes.
    /// </summary>
    private async Task CheckpointLoopAsync(CancellationToken stop)
    {
        SqliteConnection? connection = null;
        using var timer = new PeriodicTimer(CheckpointInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    connection ??= await OpenAsync(stop);
                    if (await CheckpointAsync(connection, stop) >= WalRestartFrames)
                    {
                        // Under sustained ingest the writer commits again before a checkpoint on another connection
                        // has caught up with it, so SQLite never starts the WAL over and it grows without end (3.5 GB
                        // half a minute into a benchmark run). The writer itself copies the frames left, between
                        // two batches (see WriteAsync), and its next transaction writes the WAL from its start.
                        _walRestartDue = true;
                    }
                }
                catch (SqliteException)
                {
                    // Busy, or the file cannot be opened right now: the frames stay in the WAL, committed, and a
                    // later tick (with a fresh connection) copies them.
                    if (connection is not null)
                    {
                        await connection.DisposeAsync();
                        connection = null;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Closing: one last full checkpoint below.
        }

        try
        {
            connection ??= await OpenAsync(CancellationToken.None);
            await ExecuteAsync(connection, null, "PRAGMA wal_checkpoint(TRUNCATE);", CancellationToken.None);
        }
        catch (SqliteException)
        {
            // The WAL is checkpointed at the next open instead.
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>Runs a PASSIVE checkpoint (it never waits for the writer or readers); the frames the WAL holds.</summary>
    private static async Task<long> CheckpointAsync(SqliteConnection connection, CancellationToken ct)
    {
        await using var cmd = Command(connection, null, "PRAGMA wal_checkpoint(PASSIVE);");
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        // One row: busy, frames in the WAL, frames copied.
        return await reader.ReadAsync(ct) && !reader.IsDBNull(1) ? reader.GetInt64(1) : 0;
    }

    /// <summary>The writer connection's prepared statements, enlisted in <paramref name="tx"/>: prepared once per connection, not per batch.</summary>
    private BatchWriter Statements(SqliteConnection connection, SqliteTransaction tx)
    {
        if (_statements is null || !ReferenceEquals(_statements.Connection, connection))
        {
            _statements = new BatchWriter(connection);
        }

        _statements.Enlist(tx);
        return _statements;
    }

    private async Task<T> WriteAsync<T>(Func<SqliteConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            // A write queued behind DisposeAsync must not reopen the store.
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_writer is null)
            {
                _writer = await OpenAsync(cancellationToken, writer: true);
                await using var pragma = _writer.CreateCommand();
                // Checkpoints do not run in the commit path (SQLite's automatic one would copy pages and fsync the
                // main file inside a writer's commit); a background checkpointer does them on its own connection,
                // concurrently with the writer. The page cache stays at SQLite's default (2 MiB): every commit
                // walks the cache to drop pages past the end of the file (pcache1TruncateUnsafe), and with a 64 MiB
                // cache that walk was 5-6% of the server's CPU, inside the single writer's commit (perf, 2 cores).
                // A WAL the checkpointer started over is cut back to 64 MiB when the writer reuses it.
                pragma.CommandText = "PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=67108864;";
                await pragma.ExecuteNonQueryAsync(cancellationToken);
                _checkpointer ??= Task.Run(() => CheckpointLoopAsync(_stopCheckpoints.Token), CancellationToken.None);
            }

            if (_walRestartDue)
            {
                await CopyWalTailAsync(_writer, cancellationToken);
            }

            return await work(_writer, cancellationToken);
        }
        catch (SqliteException)
        {
            // A failed connection is not reused: the next write starts from a fresh one.
            await ResetWriterAsync();
            throw;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// The writer, between two transactions, copies the WAL frames the checkpointer has not copied yet (a few ms: the
    /// checkpointer copies the rest every second): with every frame in the database file and no reader on an older
    /// snapshot, its next transaction writes the WAL from its start, and journal_size_limit cuts the file back. A read
    /// that holds an older snapshot (a long report) keeps the WAL from starting over until it ends; the next flag after
    /// it does.
    /// </summary>
    private async Task CopyWalTailAsync(SqliteConnection writer, CancellationToken ct)
    {
        _walRestartDue = false;
        try
        {
            await CheckpointAsync(writer, ct);
        }
        catch (SqliteException)
        {
            // The checkpointer's own checkpoint was running (SQLITE_BUSY): it copies the frames, and the WAL is started
            // over after its next tick. Never a reason to fail the batch.
        }
    }

    private async Task ResetWriterAsync()
    {
        if (_statements is not null)
        {
            await _statements.DisposeAsync();
            _statements = null;
        }

        if (_writer is not null)
        {
            await _writer.DisposeAsync();
            _writer = null;
        }
    }

    private Task<bool> WriteAsync(Func<SqliteConnection, CancellationToken, Task> work, CancellationToken cancellationToken) =>
        WriteAsync<bool>(async (c, ct) =>
        {
            await work(c, ct);
            return true;
        }, cancellationToken);

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken, bool writer = false)
    {
        var connection = new SqliteConnection(writer ? _writerConnectionString : _connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = _pragmas;
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    private protected override async Task<T> QueryAsync<T>(string sql, IReadOnlyList<Column> parameters, Func<System.Data.Common.DbDataReader, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var cmd = Command(connection, null, sql);
        BindAll(cmd, parameters);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await read(reader, cancellationToken);
    }

    private static async Task<List<LoggedEvent>> ReadChunkAsync(SqliteConnection connection, SqliteTransaction tx, long after, CancellationToken ct)
    {
        await using var cmd = Command(connection, tx, StoreSql.ReadEventChunk);
        Bind(cmd, "@after", after);
        Bind(cmd, "@limit", ReprojectChunk);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await StoreReaders.LoggedEventsAsync(reader, ct);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? tx, string sql, CancellationToken ct)
    {
        await using var cmd = Command(connection, tx, sql);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    internal static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? tx, string sql)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        return cmd;
    }

    private static void BindAll(SqliteCommand cmd, IReadOnlyList<Column> columns)
    {
        var parameters = cmd.Parameters;
        // A prepared statement bound again with the same columns (the writer's upserts, once per delivery): its
        // parameters are already there in column order, so each value is set by position, not found by name.
        if (InColumnOrder(parameters, columns))
        {
            for (var i = 0; i < columns.Count; i++)
            {
                parameters[i].Value = columns[i].Value ?? DBNull.Value;
            }

            return;
        }

        foreach (var column in columns)
        {
            Bind(cmd, "@" + column.Name, column.Value);
        }
    }

    private static bool InColumnOrder(SqliteParameterCollection parameters, IReadOnlyList<Column> columns)
    {
        if (parameters.Count != columns.Count)
        {
            return false;
        }

        for (var i = 0; i < columns.Count; i++)
        {
            var name = parameters[i].ParameterName;
            if (name.Length != columns[i].Name.Length + 1 || name[0] != '@' || !name.AsSpan(1).SequenceEqual(columns[i].Name))
            {
                return false;
            }
        }

        return true;
    }

    internal static void Bind(SqliteCommand cmd, string name, object? value)
    {
        var index = cmd.Parameters.IndexOf(name);
        if (index >= 0)
        {
            cmd.Parameters[index].Value = value ?? DBNull.Value;
        }
        else
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
    }

    /// <summary>Prepared statements of one write transaction.</summary>
    private sealed class BatchWriter(SqliteConnection connection) : IAsyncDisposable
    {
        private readonly SqliteEventInsert _insert = new(connection);
        private readonly SqliteCommand _find = Command(connection, null, SqliteSql.FindEventByKey);
        private readonly SqliteCommand _update = Command(connection, null, StoreSql.UpdateEventValidation);
        private SqliteRawStatement? _interaction;
        private SqliteRawStatement? _evaluation;
        private SqliteTransaction? _tx;

        public SqliteConnection Connection => connection;

        public void Enlist(SqliteTransaction tx)
        {
            _tx = tx;
            foreach (var command in (ReadOnlySpan<SqliteCommand>)[_find, _update])
            {
                command.Transaction = tx;
            }
        }

        public async Task<AppendResult> AppendAsync(IncomingEvent e, CancellationToken ct)
        {
            if (_insert.Insert(e) is { } id)
            {
                if (e.Status == EventStatus.Accepted)
                {
                    Project(e.Parsed.Event, id);
                }

                return new AppendResult(id, e.Status, Duplicate: false, e.Parsed.Findings);
            }

            Bind(_find, "@event_ts", e.Parsed.EventTs);
            Bind(_find, "@dedup_key", e.DedupKey);
            await using var reader = await _find.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            return StoreReaders.Duplicate(reader);
        }

        public async Task<EventStatus> ReprojectAsync(LoggedEvent row, CancellationToken ct)
        {
            var revalidation = StoredRows.Revalidate(row);
            if (revalidation.Changed)
            {
                BindAll(_update, revalidation.Columns);
                await _update.ExecuteNonQueryAsync(ct);
            }

            if (revalidation.Status == EventStatus.Accepted)
            {
                Project(revalidation.Parsed.Event, row.Id);
            }

            return revalidation.Status;
        }

        private void Project(ZoomEvent? zoomEvent, long eventId)
        {
            // No object_json: the object is read from this event's body when asked for (StoreSql.ObjectsFromEventLog).
            if (StoredRows.Projected(zoomEvent, eventId, objectJson: null) is { } row)
            {
                var upsert = row.Table == ProjectionTable.Interactions
                    ? _interaction ??= Upsert(StoreSql.UpsertInteractionSql(objectJson: false), row.Columns)
                    : _evaluation ??= Upsert(StoreSql.UpsertEvaluationSql(objectJson: false), row.Columns);
                for (var i = 0; i < row.Columns.Count; i++)
                {
                    // The columns come in one order per table (StoredRows), the order the statement was prepared with.
                    var column = row.Columns[i];
                    if (!upsert.Parameters[i].AsSpan(1).SequenceEqual(column.Name))
                    {
                        throw new InvalidOperationException($"The {row.Table} upsert expected {upsert.Parameters[i]} at position {i}, not {column.Name}.");
                    }

                    upsert.Bind(i, column.Value);
                }

                var tx = _tx ?? throw new InvalidOperationException("The writer has no transaction.");
                // The analytics rollups move with the projection, in the same transaction.
                if (zoomEvent is EvaluationCompletedEvent evaluation)
                {
                    SqliteRollups.Upsert(tx, upsert, row.AccountId, evaluation.Payload.Object.InteractionId, row.Id);
                }
                else
                {
                    SqliteRollups.Upsert(tx, upsert, row.AccountId, row.Id, null);
                }
            }
        }

        private SqliteRawStatement Upsert(string sql, IReadOnlyList<Column> columns) => new(connection, sql, [.. columns.Select(c => "@" + c.Name)]);

        public async ValueTask DisposeAsync()
        {
            _insert.Dispose();
            await _find.DisposeAsync();
            _interaction?.Dispose();
            _evaluation?.Dispose();
            await _update.DisposeAsync();
        }
    }
}
