using Npgsql;
using NpgsqlTypes;
using QmHub.Storage.Model;

namespace QmHub.Storage.Postgres;

/// <summary>
/// The scale-out engine: one PostgreSQL database shared by any number of QmHub replicas. Every write is
/// idempotent and safe under concurrency: the event log deduplicates by body hash with
/// <c>ON CONFLICT DO NOTHING</c>, projections keep the greatest (event_ts, event id) with a conditional upsert
/// that PostgreSQL re-checks against the newest committed row, and migrations run under an advisory lock.
/// The analytics rollups move with the projections in the same transaction (<see cref="PostgresRollups"/>).
/// </summary>
public sealed class PostgresQmStore : DbQmStore
{
    private const int ReprojectChunk = 1000;
    private const int MaxAttempts = 8;
    private const int AnalyticsMigrationVersion = 2;

    private static readonly Comparer<byte[]> KeyOrder = Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b));

    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Connects to the database that <paramref name="connectionString"/> names: a <c>postgres://</c> URL or an Npgsql keyword string.</summary>
    public PostgresQmStore(string connectionString)
    {
        var builder = PostgresConnectionString.Parse(connectionString);
        if (builder.MaxAutoPrepare == 0)
        {
            // The same few statements run all day: prepared once per physical connection, they skip parse and plan.
            builder.MaxAutoPrepare = 32;
        }

        // Prepared statements keep their parse, but every execution is planned for its own parameters: a generic plan of
        // the rollup statements (keys passed as arrays) read the whole interactions table once per batch, so ingest
        // slowed as the table grew (measured: one sequential scan of ~56,000 rows per batch at 52,000 interactions).
        const string customPlans = "-c plan_cache_mode=force_custom_plan";
        builder.Options = string.IsNullOrWhiteSpace(builder.Options) ? customPlans : builder.Options + " " + customPlans;

        Description = PostgresConnectionString.Describe(builder);
        ConnectionString = builder.ConnectionString;
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    /// <inheritdoc />
    public override string Description { get; }

    /// <summary>The Npgsql connection string of the database: for the analytics reader of the same database.</summary>
    internal string ConnectionString { get; }

    /// <inheritdoc />
    public override async Task<IReadOnlyList<int>> MigrateAsync(Action<IReadOnlyList<int>>? applying, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        // Replicas starting together queue here; each then sees what the one before it applied.
        await ExecuteAsync(connection, tx, PostgresSql.LockMigrations, cancellationToken, Column.Of("key", PostgresSql.MigrationLockKey));
        await ExecuteAsync(connection, tx, StoreSql.CreateMigrationsTable, cancellationToken);
        IReadOnlyList<Migration> pending;
        await using (var cmd = Command(connection, tx, StoreSql.AppliedMigrations))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            pending = await Migration.PendingAsync(reader, "QmHub.Storage.Postgres.Migrations.", applying, cancellationToken);
        }

        var applied = new List<int>();
        foreach (var migration in pending)
        {
            await ExecuteAsync(connection, tx, migration.Sql, cancellationToken);
            await ExecuteAsync(connection, tx, StoreSql.RecordMigration, cancellationToken,
                Column.Of("version", migration.Version), Column.Of("name", migration.Name), Column.Of("applied_at", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            applied.Add(migration.Version);
        }

        if (applied.Contains(AnalyticsMigrationVersion))
        {
            // Rollups of the projections that existed before them.
            await using var build = new NpgsqlBatch(connection, tx);
            build.BatchCommands.Add(new NpgsqlBatchCommand(PostgresAnalyticsSql.RebuildHourly) { Parameters = { PostgresRollups.SentimentTarget() } });
            build.BatchCommands.Add(new NpgsqlBatchCommand(PostgresAnalyticsSql.RebuildIdentities));
            build.BatchCommands.Add(new NpgsqlBatchCommand(PostgresAnalyticsSql.RebuildQueues));
            await build.ExecuteNonQueryAsync(cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return applied;
    }

    /// <inheritdoc />
    public override Task<IReadOnlyList<AppendResult>> AppendAsync(IReadOnlyList<IncomingEvent> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<AppendResult>>([]);
        }

        return RetryAsync<IReadOnlyList<AppendResult>>(async ct =>
        {
            await using var connection = await _dataSource.OpenConnectionAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            // Every transaction takes its locks in one order (event keys, then projection keys), so concurrent
            // batches from several replicas wait for each other but never deadlock.
            var order = Enumerable.Range(0, batch.Count).OrderBy(i => batch[i].DedupKey, KeyOrder).ToArray();
            var results = await InsertEventsAsync(connection, tx, batch, order, ct);

            var missing = order.Where(i => results[i] is null).ToList();
            if (missing.Count > 0)
            {
                await using var lookup = new NpgsqlBatch(connection, tx);
                foreach (var i in missing)
                {
                    lookup.BatchCommands.Add(BatchCommand(PostgresSql.FindEventByKey, Column.Of("dedup_key", batch[i].DedupKey)));
                }

                await using var reader = await lookup.ExecuteReaderAsync(ct);
                foreach (var i in missing)
                {
                    if (await reader.ReadAsync(ct))
                    {
                        results[i] = StoreReaders.Duplicate(reader);
                    }

                    await reader.NextResultAsync(ct);
                }
            }

            var projections = new List<ProjectionRow>();
            foreach (var i in order)
            {
                if (results[i] is { Duplicate: false, Status: EventStatus.Accepted } inserted && batch[i].ObjectJson is { } objectJson
                    && StoredRows.Projected(batch[i].Parsed.Event, inserted.EventId, objectJson) is { } row)
                {
                    projections.Add(row);
                }
            }

            if (projections.Count > 0)
            {
                await PostgresRollups.ProjectAsync(connection, tx, projections, ct);
            }

            await tx.CommitAsync(ct);
            return Array.ConvertAll(results, r => r ?? throw new InvalidOperationException("A delivery was neither inserted nor found by its key."));
        }, cancellationToken);
    }

    /// <inheritdoc />
    public override async Task<ReprojectResult> ReprojectAsync(IProgress<ReprojectProgress>? progress, CancellationToken cancellationToken)
    {
        long total;
        await using (var count = Query(StoreSql.CountAllEvents))
        {
            total = (long)(await count.ExecuteScalarAsync(cancellationToken) ?? 0L);
        }

        // One transaction: readers (on every replica) keep seeing the old projections until the new ones are
        // complete, and an interrupted reproject leaves them as they were. Concurrent upserts wait for it.
        var (done, accepted) = await RetryAsync(async ct =>
        {
            await using var connection = await _dataSource.OpenConnectionAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            await ExecuteAsync(connection, tx, PostgresAnalyticsSql.LockExclusiveForReproject, ct, Column.Of("reproject_key", PostgresAnalyticsSql.ReprojectLockKey));
            await ExecuteAsync(connection, tx, StoreSql.ClearProjections, ct);
            await ExecuteAsync(connection, tx, PostgresAnalyticsSql.ClearRollups, ct);

            long after = 0, rowsDone = 0, rowsAccepted = 0;
            progress?.Report(new ReprojectProgress(0, total));
            while (await ReprojectChunkAsync(connection, tx, after, ct) is { Rows: > 0 } chunk)
            {
                after = chunk.LastId;
                rowsDone += chunk.Rows;
                rowsAccepted += chunk.Accepted;
                progress?.Report(new ReprojectProgress(rowsDone, Math.Max(total, rowsDone)));
            }

            await using (var rollups = Command(connection, tx, PostgresAnalyticsSql.RebuildHourly))
            {
                rollups.Parameters.Add(PostgresRollups.SentimentTarget());
                await rollups.ExecuteNonQueryAsync(ct);
            }

            await tx.CommitAsync(ct);
            return (rowsDone, rowsAccepted);
        }, cancellationToken);
        var quarantined = done - accepted;

        await using var counts = Query(StoreSql.CountProjections);
        await using var reader = await counts.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new ReprojectResult(done, accepted, quarantined, reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <inheritdoc />
    public override async Task<bool> IsWritableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var cmd = Query(PostgresSql.IsWritable);
            return await cmd.ExecuteScalarAsync(cancellationToken) is true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public override async Task<ApiKeyInfo> CreateApiKeyAsync(string name, string prefix, byte[] keyHash, string scope, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var cmd = Query(StoreSql.InsertApiKey, Column.Of("name", name), Column.Of("prefix", prefix), Column.Of("key_hash", keyHash),
            Column.Of("scope", scope), Column.Of("created_at", now.ToUnixTimeMilliseconds()));
        var id = await cmd.ExecuteScalarAsync(cancellationToken) as long? ?? throw new InvalidOperationException("Inserting an API key returned no id.");
        return new ApiKeyInfo { Id = id, Name = name, Prefix = prefix, Scope = scope, CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds()) };
    }

    /// <inheritdoc />
    public override async Task<int> RevokeApiKeyAsync(string idOrName, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var cmd = Query(StoreSql.RevokeApiKey, Column.Of("key", idOrName), Column.Of("now", now.ToUnixTimeMilliseconds()));
        return await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <summary>Inserts every delivery in one round trip; a slot stays null where the earlier copy was not yet visible.</summary>
    private static async Task<AppendResult?[]> InsertEventsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<IncomingEvent> batch, int[] order, CancellationToken ct)
    {
        var results = new AppendResult?[batch.Count];
        await using var insert = new NpgsqlBatch(connection, tx);
        insert.BatchCommands.Add(BatchCommand(PostgresAnalyticsSql.LockSharedAgainstReproject, Column.Of("reproject_key", PostgresAnalyticsSql.ReprojectLockKey)));
        foreach (var i in order)
        {
            insert.BatchCommands.Add(BatchCommand(PostgresSql.InsertEvent, StoredRows.Event(batch[i])));
        }

        await using var reader = await insert.ExecuteReaderAsync(ct);
        await reader.NextResultAsync(ct);
        foreach (var i in order)
        {
            if (await reader.ReadAsync(ct))
            {
                results[i] = reader.GetBoolean(3) ? StoreReaders.Duplicate(reader)
                    : new AppendResult(reader.GetInt64(0), batch[i].Status, Duplicate: false, batch[i].Parsed.Findings);
            }

            await reader.NextResultAsync(ct);
        }

        return results;
    }

    private static async Task<ChunkOutcome> ReprojectChunkAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long after, CancellationToken ct)
    {
        List<LoggedEvent> rows;
        await using (var read = Command(connection, tx, StoreSql.ReadEventChunk, Column.Of("after", after), Column.Of("limit", (long)ReprojectChunk)))
        await using (var reader = await read.ExecuteReaderAsync(ct))
        {
            rows = await StoreReaders.LoggedEventsAsync(reader, ct);
        }

        var revalidated = rows.Select(row => (Row: row, Revalidation: StoredRows.Revalidate(row))).ToList();
        var named = new List<PostgresRollups.NamedRow>();
        await using (var write = new NpgsqlBatch(connection, tx))
        {
            // The upserts first, so their result sets (the names their versions show) come first.
            var upserts = PostgresRollups.AddUpserts(write, revalidated
                .Select(r => Projection.ProjectedObjectJson(r.Revalidation.Parsed, r.Row.Body) is { } objectJson
                    ? StoredRows.Projected(r.Revalidation.Parsed.Event, r.Row.Id, objectJson)
                    : null)
                .OfType<ProjectionRow>());
            foreach (var (_, revalidation) in revalidated.Where(r => r.Revalidation.Changed))
            {
                write.BatchCommands.Add(BatchCommand(StoreSql.UpdateEventValidation, revalidation.Columns));
            }

            if (write.BatchCommands.Count > 0)
            {
                await using var reader = await write.ExecuteReaderAsync(ct);
                await PostgresRollups.ReadUpsertedAsync(reader, upserts.Count, named, ct);
            }
        }

        // Identities and queue names as live ingest records them: from every version that became the projection.
        await using (var names = new NpgsqlBatch(connection, tx))
        {
            PostgresRollups.AddNames(names, named);
            if (names.BatchCommands.Count > 0)
            {
                await names.ExecuteNonQueryAsync(ct);
            }
        }

        return new ChunkOutcome(rows.Count, rows.Count == 0 ? after : rows[^1].Id, revalidated.Count(r => r.Revalidation.Status == EventStatus.Accepted));
    }

    /// <summary>
    /// Runs a write transaction again when PostgreSQL chose it as a deadlock victim or could not serialise it:
    /// nothing of it was kept, and every write is idempotent, so running it again is safe.
    /// </summary>
    private static async Task<T> RetryAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await work(cancellationToken);
            }
            catch (PostgresException ex) when (attempt < MaxAttempts && ex.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * attempt)), cancellationToken);
            }
        }
    }

    private protected override async Task<T> QueryAsync<T>(string sql, IReadOnlyList<Column> parameters, Func<System.Data.Common.DbDataReader, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        await using var cmd = Query(sql, parameters);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await read(reader, cancellationToken);
    }

    /// <summary>A command on a pooled connection of its own, for a single statement.</summary>
    private NpgsqlCommand Query(string sql, params IEnumerable<Column> parameters)
    {
        var cmd = _dataSource.CreateCommand(sql);
        Bind(cmd.Parameters, parameters);
        return cmd;
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, params IEnumerable<Column> parameters)
    {
        var cmd = new NpgsqlCommand(sql, connection, tx);
        Bind(cmd.Parameters, parameters);
        return cmd;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct, params IEnumerable<Column> parameters)
    {
        await using var cmd = Command(connection, tx, sql, parameters);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static NpgsqlBatchCommand BatchCommand(string sql, params IEnumerable<Column> parameters)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        Bind(cmd.Parameters, parameters);
        return cmd;
    }

    /// <summary>Adds typed parameters: PostgreSQL then never has to guess the type of a null.</summary>
    internal static void Bind(NpgsqlParameterCollection target, IEnumerable<Column> columns)
    {
        foreach (var column in columns)
        {
            target.Add(new NpgsqlParameter(column.Name, TypeOf(column.Type)) { Value = column.Value ?? DBNull.Value });
        }
    }

    private static NpgsqlDbType TypeOf(Type type) =>
        type == typeof(string) ? NpgsqlDbType.Text
        : type == typeof(long) ? NpgsqlDbType.Bigint
        : type == typeof(double) ? NpgsqlDbType.Double
        : type == typeof(byte[]) ? NpgsqlDbType.Bytea
        : throw new ArgumentOutOfRangeException(nameof(type), type, "no PostgreSQL type is mapped for this column type");

    private readonly record struct ChunkOutcome(int Rows, long LastId, long Accepted);
}
