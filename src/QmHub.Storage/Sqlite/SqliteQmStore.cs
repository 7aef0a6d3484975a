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
public sealed class SqliteQmStore : IQmStore
{
    private const int ReprojectChunk = 1000;

    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly string _pragmas;
    private SqliteConnection? _writer;
    private BatchWriter? _statements;
    private bool _disposed;

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
    }

    /// <summary>The database file.</summary>
    public string FilePath { get; }

    /// <inheritdoc />
    public string Description => $"SQLite {FilePath}";

    /// <inheritdoc />
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken)
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
            await ExecuteAsync(connection, tx, SqliteSql.CreateMigrationsTable, ct);
            var done = new HashSet<int>();
            await using (var cmd = Command(connection, tx, SqliteSql.AppliedMigrations))
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    done.Add(reader.GetInt32(0));
                }
            }

            foreach (var migration in Migration.Load("QmHub.Storage.Sqlite.Migrations.").Where(m => !done.Contains(m.Version)))
            {
                await ExecuteAsync(connection, tx, migration.Sql, ct);
                await using var record = Command(connection, tx, SqliteSql.RecordMigration);
                Bind(record, "$version", migration.Version);
                Bind(record, "$name", migration.Name);
                Bind(record, "$applied_at", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                await record.ExecuteNonQueryAsync(ct);
                applied.Add(migration.Version);
            }

            await SqliteRollups.BuildAfterMigrationAsync(applied, connection, tx, ct);
            await tx.CommitAsync(ct);
        }, cancellationToken);
        return applied;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<AppendResult>> AppendAsync(IReadOnlyList<IncomingEvent> batch, CancellationToken cancellationToken)
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

            await tx.CommitAsync(ct);
            return results;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ProjectedRecord>> GetInteractionsAsync(string interactionId, string? accountId, CancellationToken cancellationToken) =>
        ReadRecordsAsync(SqliteSql.SelectInteractions, interactionId, accountId, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<ProjectedRecord>> GetEvaluationsAsync(string evaluationId, string? accountId, CancellationToken cancellationToken) =>
        ReadRecordsAsync(SqliteSql.SelectEvaluations, evaluationId, accountId, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<ProjectedRecord>> GetEvaluationsOfInteractionAsync(string accountId, string interactionId, CancellationToken cancellationToken) =>
        ReadRecordsAsync(SqliteSql.SelectEvaluationsOfInteraction, interactionId, accountId, cancellationToken);

    /// <inheritdoc />
    public async Task<EventPage> ListEventsAsync(EventStatus? status, string? cursor, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var before = Projection.DecodeCursor(cursor);
        await using var connection = await OpenAsync(cancellationToken);
        await using var cmd = Command(connection, null, SqliteSql.ListEvents);
        Bind(cmd, "$status", status is { } s ? Projection.StatusName(s) : null);
        Bind(cmd, "$before", before);
        Bind(cmd, "$limit", limit + 1);
        var items = new List<StoredEvent>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new StoredEvent
            {
                Id = reader.GetInt64(0),
                ReceivedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                TrackingId = NullableString(reader, 2),
                SecretName = NullableString(reader, 3),
                EventName = NullableString(reader, 4),
                Kind = reader.GetString(5),
                RoutingNote = NullableString(reader, 6),
                AccountId = NullableString(reader, 7),
                EventTs = reader.IsDBNull(8) ? null : reader.GetInt64(8),
                Status = reader.GetString(9),
                Findings = Projection.ParseFindings(reader.GetString(10)),
                DedupKey = reader.GetString(11).ToLowerInvariant(),
                BodyBytes = reader.GetInt64(12),
            });
        }

        var more = items.Count > limit;
        if (more)
        {
            items.RemoveAt(items.Count - 1);
        }

        return new EventPage(items, more ? Projection.EncodeCursor(items[^1].Id) : null);
    }

    /// <inheritdoc />
    public async Task<byte[]?> GetEventBodyAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var cmd = Command(connection, null, SqliteSql.SelectEventBody);
        Bind(cmd, "$id", id);
        return await cmd.ExecuteScalarAsync(cancellationToken) as byte[];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<EventStatus, long>> CountEventsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var cmd = Command(connection, null, SqliteSql.CountEvents);
        var counts = new Dictionary<EventStatus, long> { [EventStatus.Accepted] = 0, [EventStatus.Quarantined] = 0 };
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts[Projection.ParseStatus(reader.GetString(0))] = reader.GetInt64(1);
        }

        return counts;
    }

    /// <inheritdoc />
    public async Task<ReprojectResult> ReprojectAsync(IProgress<ReprojectProgress>? progress, CancellationToken cancellationToken)
    {
        long total;
        await using (var connection = await OpenAsync(cancellationToken))
        await using (var count = Command(connection, null, SqliteSql.CountAllEvents))
        {
            total = (long)(await count.ExecuteScalarAsync(cancellationToken) ?? 0L);
        }

        await WriteAsync(async (connection, ct) =>
        {
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(IsolationLevel.Serializable, ct);
            await ExecuteAsync(connection, tx, SqliteSql.ClearProjections, ct);
            await SqliteRollups.ClearAsync(connection, tx, ct);
            await tx.CommitAsync(ct);
        }, cancellationToken);

        // Chunks of their own transactions: live ingest may go on meanwhile, and since a projection keeps
        // the greatest (event_ts, event id) whatever the order of application, both converge.
        long after = 0, done = 0, accepted = 0, quarantined = 0;
        progress?.Report(new ReprojectProgress(0, total));
        while (true)
        {
            var chunk = await WriteAsync(async (connection, ct) =>
            {
                await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(IsolationLevel.Serializable, ct);
                var writer = Statements(connection, tx);
                var rows = await ReadChunkAsync(connection, tx, after, ct);
                foreach (var row in rows)
                {
                    var status = await writer.ReprojectAsync(row, ct);
                    if (status == EventStatus.Accepted)
                    {
                        accepted++;
                    }
                    else
                    {
                        quarantined++;
                    }
                }

                await tx.CommitAsync(ct);
                return rows;
            }, cancellationToken);

            if (chunk.Count == 0)
            {
                break;
            }

            after = chunk[^1].Id;
            done += chunk.Count;
            progress?.Report(new ReprojectProgress(done, Math.Max(total, done)));
        }

        await using var conn = await OpenAsync(cancellationToken);
        await using var counts = Command(conn, null, SqliteSql.CountProjections);
        await using var r = await counts.ExecuteReaderAsync(cancellationToken);
        await r.ReadAsync(cancellationToken);
        return new ReprojectResult(done, accepted, quarantined, r.GetInt64(0), r.GetInt64(1));
    }

    /// <inheritdoc />
    public async Task<bool> IsWritableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var cmd = Command(connection, null, "BEGIN IMMEDIATE; ROLLBACK;");
            await cmd.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public Task<ApiKeyInfo> CreateApiKeyAsync(string name, string prefix, byte[] keyHash, string scope, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, ct) =>
        {
            await using var cmd = Command(connection, null, SqliteSql.InsertApiKey);
            Bind(cmd, "$name", name);
            Bind(cmd, "$prefix", prefix);
            Bind(cmd, "$key_hash", keyHash);
            Bind(cmd, "$scope", scope);
            Bind(cmd, "$created_at", now.ToUnixTimeMilliseconds());
            var id = (long)(await cmd.ExecuteScalarAsync(ct))!;
            return new ApiKeyInfo { Id = id, Name = name, Prefix = prefix, Scope = scope, CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds()) };
        }, cancellationToken);

    /// <inheritdoc />
    public async Task<ApiKeyInfo?> FindActiveApiKeyAsync(byte[] keyHash, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var cmd = Command(connection, null, SqliteSql.FindActiveApiKey);
        Bind(cmd, "$key_hash", keyHash);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadKey(reader) : null;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ApiKeyInfo>> ListApiKeysAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var cmd = Command(connection, null, SqliteSql.ListApiKeys);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var keys = new List<ApiKeyInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(ReadKey(reader));
        }

        return keys;
    }

    /// <inheritdoc />
    public Task<int> RevokeApiKeyAsync(string idOrName, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, ct) =>
        {
            await using var cmd = Command(connection, null, SqliteSql.RevokeApiKey);
            Bind(cmd, "$key", idOrName);
            Bind(cmd, "$now", now.ToUnixTimeMilliseconds());
            return await cmd.ExecuteNonQueryAsync(ct);
        }, cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
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
            if (_writer is null)
            {
                _writer = await OpenAsync(cancellationToken);
                await using var pragma = _writer.CreateCommand();
                // A larger page cache keeps the indexes' hot pages in memory; fewer, larger checkpoints mean fewer fsyncs of the main file.
                pragma.CommandText = "PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=4000;";
                await pragma.ExecuteNonQueryAsync(cancellationToken);
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

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = _pragmas;
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    private async Task<IReadOnlyList<ProjectedRecord>> ReadRecordsAsync(string sql, string id, string? accountId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var cmd = Command(connection, null, sql);
        Bind(cmd, "$id", id);
        Bind(cmd, "$account_id", accountId);
        var records = new List<ProjectedRecord>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add(new ProjectedRecord(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetString(4)));
        }

        return records;
    }

    private static async Task<List<LoggedEvent>> ReadChunkAsync(SqliteConnection connection, SqliteTransaction tx, long after, CancellationToken ct)
    {
        await using var cmd = Command(connection, tx, SqliteSql.ReadEventChunk);
        Bind(cmd, "$after", after);
        Bind(cmd, "$limit", ReprojectChunk);
        var rows = new List<LoggedEvent>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new LoggedEvent(reader.GetInt64(0), (byte[])reader.GetValue(5), reader.GetString(6), reader.GetString(7)));
        }

        return rows;
    }

    private static ApiKeyInfo ReadKey(SqliteDataReader reader) => new()
    {
        Id = reader.GetInt64(0),
        Name = reader.GetString(1),
        Prefix = reader.GetString(2),
        Scope = reader.GetString(3),
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
        RevokedAt = reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
    };

    private static string? NullableString(SqliteDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

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

    internal static void Bind(SqliteCommand cmd, string name, object? value)
    {
        if (cmd.Parameters.Contains(name))
        {
            cmd.Parameters[name].Value = value ?? DBNull.Value;
        }
        else
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
    }

    internal sealed record LoggedEvent(long Id, byte[] Body, string Status, string FindingsJson);

    /// <summary>Prepared statements of one write transaction.</summary>
    private sealed class BatchWriter(SqliteConnection connection) : IAsyncDisposable
    {
        private readonly SqliteCommand _insert = Command(connection, null, SqliteSql.InsertEvent);
        private readonly SqliteCommand _find = Command(connection, null, SqliteSql.FindEventByKey);
        private readonly SqliteCommand _interaction = Command(connection, null, SqliteSql.UpsertInteraction);
        private readonly SqliteCommand _evaluation = Command(connection, null, SqliteSql.UpsertEvaluation);
        private readonly SqliteCommand _update = Command(connection, null, SqliteSql.UpdateEventValidation);

        public SqliteConnection Connection => connection;

        public void Enlist(SqliteTransaction tx)
        {
            foreach (var command in (ReadOnlySpan<SqliteCommand>)[_insert, _find, _interaction, _evaluation, _update])
            {
                command.Transaction = tx;
            }
        }

        public async Task<AppendResult> AppendAsync(IncomingEvent e, CancellationToken ct)
        {
            var parsed = e.Parsed;
            var status = e.Status;
            Bind(_insert, "$dedup_key", e.DedupKey);
            Bind(_insert, "$received_at", e.ReceivedAt.ToUnixTimeMilliseconds());
            Bind(_insert, "$tracking_id", e.TrackingId);
            Bind(_insert, "$secret_name", e.SecretName);
            Bind(_insert, "$event_name", parsed.EventName);
            Bind(_insert, "$kind", Projection.KindName(parsed.Kind));
            Bind(_insert, "$routing_note", parsed.RoutingNote);
            Bind(_insert, "$account_id", parsed.AccountId);
            Bind(_insert, "$event_ts", parsed.EventTs);
            Bind(_insert, "$status", Projection.StatusName(status));
            Bind(_insert, "$findings", e.FindingsJson);
            Bind(_insert, "$body", e.BodyArray);
            if (await _insert.ExecuteScalarAsync(ct) is long id)
            {
                if (status == EventStatus.Accepted && e.ObjectJson is { } objectJson)
                {
                    await ProjectAsync(parsed.Event, objectJson, id, ct);
                }

                return new AppendResult(id, status, Duplicate: false, parsed.Findings);
            }

            Bind(_find, "$dedup_key", e.DedupKey);
            await using var reader = await _find.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            return new AppendResult(reader.GetInt64(0), Projection.ParseStatus(reader.GetString(1)), Duplicate: true,
                Projection.ParseFindings(reader.GetString(2)).Select(f => f.ToFinding()).ToList());
        }

        public async Task<EventStatus> ReprojectAsync(LoggedEvent row, CancellationToken ct)
        {
            var parsed = ZoomEventParser.Parse(row.Body);
            var status = parsed.HasErrors ? EventStatus.Quarantined : EventStatus.Accepted;
            var findingsJson = Projection.FindingsJson(parsed.Findings.Select(StoredFinding.From));
            if (Projection.StatusName(status) != row.Status || findingsJson != row.FindingsJson)
            {
                Bind(_update, "$id", row.Id);
                Bind(_update, "$status", Projection.StatusName(status));
                Bind(_update, "$findings", findingsJson);
                Bind(_update, "$kind", Projection.KindName(parsed.Kind));
                Bind(_update, "$routing_note", parsed.RoutingNote);
                Bind(_update, "$event_name", parsed.EventName);
                Bind(_update, "$account_id", parsed.AccountId);
                Bind(_update, "$event_ts", parsed.EventTs);
                await _update.ExecuteNonQueryAsync(ct);
            }

            if (status == EventStatus.Accepted)
            {
                await ProjectAsync(parsed.Event, Projection.ObjectJson(row.Body), row.Id, ct);
            }

            return status;
        }

        private async Task ProjectAsync(ZoomEvent? zoomEvent, string objectJson, long eventId, CancellationToken ct)
        {
            switch (zoomEvent)
            {
                case InteractionAnalysisCompletedEvent e:
                    var o = e.Payload.Object;
                    var c = _interaction;
                    Bind(c, "$account_id", e.Payload.AccountId);
                    Bind(c, "$interaction_id", o.InteractionInfo.InteractionId);
                    Bind(c, "$last_event_ts", e.EventTs);
                    Bind(c, "$event_id", eventId);
                    Bind(c, "$start_time", o.StartTime);
                    Bind(c, "$start_ms", Projection.StartMs(o));
                    Bind(c, "$duration", o.Duration);
                    Bind(c, "$queue_id", o.QueueId);
                    Bind(c, "$queue_name", o.QueueName);
                    Bind(c, "$engagement_id", o.EngagementId);
                    Bind(c, "$direction", o.Direction);
                    Bind(c, "$disposition", o.Disposition);
                    Bind(c, "$silence_event_count", o.SilenceEventCount);
                    Bind(c, "$crosstalk_event_count", o.CrosstalkEventCount);
                    Bind(c, "$hold_event_count", o.HoldEventCount);
                    Bind(c, "$primary_language", o.PrimaryLanguage);
                    Bind(c, "$agent_name", o.InteractionInfo.AgentName);
                    Bind(c, "$channel_type", o.InteractionInfo.ChannelType?.Value);
                    Bind(c, "$evaluation_score", o.Summary?.EvaluationScore);
                    Bind(c, "$sentiment_score", o.Summary?.SentimentScore);
                    Bind(c, "$engagement_score", o.Summary?.EngagementScore);
                    Bind(c, "$object_json", objectJson);
                    await SqliteRollups.UpsertAsync(c, e.Payload.AccountId, o.InteractionInfo.InteractionId, null, ct);
                    break;
                case EvaluationCompletedEvent e:
                    var v = e.Payload.Object;
                    var d = _evaluation;
                    Bind(d, "$account_id", e.Payload.AccountId);
                    Bind(d, "$evaluation_id", v.EvaluationId);
                    Bind(d, "$last_event_ts", e.EventTs);
                    Bind(d, "$event_id", eventId);
                    Bind(d, "$interaction_id", v.InteractionId);
                    Bind(d, "$agent_user_id", v.AgentUserId ?? v.AgentInfo?.AgentUserId);
                    Bind(d, "$agent_display_name", v.AgentInfo?.DisplayName);
                    Bind(d, "$evaluator_user_id", v.EvaluatorUserId ?? (v.EvaluatorsInfo is { Count: > 0 } evaluators ? evaluators[0].EvaluatorUserId : null));
                    Bind(d, "$scorecard_name", v.ScorecardName);
                    Bind(d, "$scoring_format", v.ScoringFormat);
                    Bind(d, "$total_possible_score", v.TotalPossibleScore);
                    Bind(d, "$evaluation_score", v.EvaluationScore);
                    Bind(d, "$evaluation_score_ratio", v.EvaluationScoreRatio);
                    Bind(d, "$evaluation_type", v.EvaluationType?.Value);
                    Bind(d, "$object_json", objectJson);
                    await SqliteRollups.UpsertAsync(d, e.Payload.AccountId, v.InteractionId, v.EvaluationId, ct);
                    break;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _insert.DisposeAsync();
            await _find.DisposeAsync();
            await _interaction.DisposeAsync();
            await _evaluation.DisposeAsync();
            await _update.DisposeAsync();
        }
    }
}
