using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using QmHub.Storage;
using QmHub.Storage.Analytics;
using QmHub.Storage.Postgres;
using QmHub.Testing;

namespace QmHub.Bench.Analytics;

/// <summary>
/// PostgreSQL: a throwaway cluster (as the tests start it) or the server <c>--postgres</c> names, a fresh database
/// with the store's migrations, every row by binary COPY into staging tables, the newest version of each
/// projection row inserted from there (as the upserts would keep it), then the rollups built with the SQL
/// reproject and migration 0002 use.
/// </summary>
internal static class PostgresBench
{
    private static readonly string[] Tables = ["interactions", "evaluations"];

    public static async Task<(LoadReport Load, IAnalyticsStore Store, IAsyncDisposable Cleanup)> LoadAsync(string connection, DataSize size, DateTimeOffset start, CancellationToken ct)
    {
        var cleanup = new Cleanup();
        try
        {
            string database;
            if (connection.Length > 0)
            {
                database = connection;
            }
            else
            {
                cleanup.Cluster = new PostgresCluster();
                await cleanup.Cluster.InitializeAsync();
                cleanup.Database = await cleanup.Cluster.CreateDatabaseAsync();
                database = cleanup.Database.ConnectionString;
            }

            var store = new PostgresQmStore(database);
            cleanup.Store = store;
            await store.MigrateAsync(ct);
            var counts = new LoadCounts();
            await using var data = NpgsqlDataSource.Create(PostgresConnectionString.Parse(database).ConnectionString);
            await using var db = await data.OpenConnectionAsync(ct);
            // One COPY per connection: the two staging tables are filled side by side, so they are unlogged tables, not temporary ones.
            await using var second = await data.OpenConnectionAsync(ct);
            var total = Stopwatch.StartNew();
            foreach (var table in Tables)
            {
                await ExecuteAsync(db, $"CREATE UNLOGGED TABLE stage_{table} (LIKE {table})", ct);
            }

            var progress = new Progress("PostgreSQL load", counts);
            NpgsqlBinaryImporter? interactions = null;
            NpgsqlBinaryImporter? evaluations = null;
            try
            {
                await foreach (var batch in SimulatedRows.BatchesAsync(size, start, counts, objectJson: true, ct))
                {
                    foreach (var row in batch)
                    {
                        var copy = row.Table == ProjectionTable.Interactions
                            ? interactions ??= await BeginAsync(db, "interactions", row, ct)
                            : evaluations ??= await BeginAsync(second, "evaluations", row, ct);
                        await copy.StartRowAsync(ct);
                        foreach (var column in row.Columns)
                        {
                            await WriteAsync(copy, column, ct);
                        }
                    }

                    progress.Tick();
                }

                foreach (var copy in new[] { interactions, evaluations })
                {
                    if (copy is not null)
                    {
                        await copy.CompleteAsync(ct);
                    }
                }
            }
            finally
            {
                foreach (var copy in new[] { interactions, evaluations })
                {
                    if (copy is not null)
                    {
                        await copy.DisposeAsync();
                    }
                }
            }

            // The newest (event_ts, event id) of each key, as StoreSql's upserts keep it.
            foreach (var (table, key) in new[] { ("interactions", "interaction_id"), ("evaluations", "evaluation_id") })
            {
                await ExecuteAsync(db, $"INSERT INTO {table} SELECT DISTINCT ON (account_id, {key}) * FROM stage_{table} ORDER BY account_id, {key}, last_event_ts DESC, event_id DESC", ct);
                await ExecuteAsync(db, $"DROP TABLE stage_{table}", ct);
            }

            var rowsTime = total.Elapsed;
            progress.Done();
            var rollups = Stopwatch.StartNew();
            await using (var tx = await db.BeginTransactionAsync(ct))
            {
                await using (var clear = new NpgsqlCommand(PostgresAnalyticsSql.ClearRollups, db, tx))
                {
                    await clear.ExecuteNonQueryAsync(ct);
                }

                await using var build = new NpgsqlBatch(db, tx)
                {
                    BatchCommands =
                    {
                        new NpgsqlBatchCommand(PostgresAnalyticsSql.RebuildHourly) { Parameters = { PostgresRollups.SentimentTarget() } },
                        new NpgsqlBatchCommand(PostgresAnalyticsSql.RebuildIdentities),
                        new NpgsqlBatchCommand(PostgresAnalyticsSql.RebuildQueues),
                    },
                    Timeout = 0,
                };
                await build.ExecuteNonQueryAsync(ct);
                await tx.CommitAsync(ct);
            }

            var rollupTime = rollups.Elapsed;
            // What autovacuum does shortly after a bulk load: without statistics every plan is a guess.
            await ExecuteAsync(db, "ANALYZE", ct);
            await using var shape = new NpgsqlCommand(
                "SELECT min(start_ms), max(start_ms), count(*), (SELECT count(*) FROM evaluations), (SELECT count(*) FROM analytics_hourly), pg_database_size(current_database()) FROM interactions",
                db);
            await using var reader = await shape.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            var load = new LoadReport("PostgreSQL", counts, reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                rowsTime, rollupTime, reader.GetInt64(5));
            var analytics = new PostgresAnalyticsStore(store);
            cleanup.Analytics = analytics;
            return (load, analytics, cleanup);
        }
        catch
        {
            await cleanup.DisposeAsync();
            throw;
        }
    }

    private static async Task<NpgsqlBinaryImporter> BeginAsync(NpgsqlConnection db, string table, ProjectionRow first, CancellationToken ct) =>
        await db.BeginBinaryImportAsync(
            $"COPY stage_{table} ({string.Join(", ", first.Columns.Select(c => c.Name))}) FROM STDIN (FORMAT BINARY)", ct);

    private static Task WriteAsync(NpgsqlBinaryImporter copy, Column column, CancellationToken ct)
    {
        if (column.Value is null)
        {
            return copy.WriteNullAsync(ct);
        }

        return column.Type == typeof(long) ? copy.WriteAsync(Convert.ToInt64(column.Value, System.Globalization.CultureInfo.InvariantCulture), NpgsqlDbType.Bigint, ct)
            : column.Type == typeof(double) ? copy.WriteAsync(Convert.ToDouble(column.Value, System.Globalization.CultureInfo.InvariantCulture), NpgsqlDbType.Double, ct)
            : copy.WriteAsync((string)column.Value, NpgsqlDbType.Text, ct);
    }

    private static async Task ExecuteAsync(NpgsqlConnection db, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, db) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Drops the database and stops the cluster the run started.</summary>
    private sealed class Cleanup : IAsyncDisposable
    {
        public PostgresCluster? Cluster { get; set; }

        public PostgresTestDatabase? Database { get; set; }

        public PostgresQmStore? Store { get; set; }

        public PostgresAnalyticsStore? Analytics { get; set; }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (Analytics is not null)
                {
                    await Analytics.DisposeAsync();
                }

                if (Store is not null)
                {
                    await Store.DisposeAsync();
                }

                if (Database is not null)
                {
                    NpgsqlConnection.ClearAllPools();
                    await Database.DisposeAsync();
                }
            }
            finally
            {
                // A cluster this run started is stopped whatever happened before.
                if (Cluster is not null)
                {
                    await Cluster.DisposeAsync();
                }
            }
        }
    }
}
