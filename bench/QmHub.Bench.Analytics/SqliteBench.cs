using System.Diagnostics;
using Microsoft.Data.Sqlite;
using QmHub.Storage;
using QmHub.Storage.Analytics;
using QmHub.Storage.Sqlite;

namespace QmHub.Bench.Analytics;

/// <summary>
/// SQLite: the schema from the store's migrations (tables, indexes, rollup tables), then one writer connection
/// loading every row with the store's own upserts (the newest version wins) in big transactions, then the
/// rollups built with the migration's one-pass SQL.
/// </summary>
internal static class SqliteBench
{
    private const int RowsPerTransaction = 200_000;

    public static async Task<LoadReport> LoadAsync(string path, DataSize size, DateTimeOffset start, CancellationToken ct)
    {
        await using (var store = new SqliteQmStore(path))
        {
            await store.MigrateAsync(ct);
        }

        var counts = new LoadCounts();
        var total = Stopwatch.StartNew();
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await connection.OpenAsync(ct);
        // A bulk load may lose everything if the machine dies (it is re-run); readers later see an ordinary WAL database.
        await ExecuteAsync(connection, null, "PRAGMA synchronous=OFF; PRAGMA cache_size=-1048576; PRAGMA temp_store=MEMORY;", ct);
        await using var interaction = Prepared(connection, StoreSql.UpsertInteractionSql(objectJson: false));
        await using var evaluation = Prepared(connection, StoreSql.UpsertEvaluationSql(objectJson: false));
        var progress = new Progress("SQLite load", counts);
        var tx = connection.BeginTransaction();
        var inTransaction = 0;
        try
        {
            await foreach (var batch in SimulatedRows.BatchesAsync(size, start, counts, objectJson: false, ct))
            {
                foreach (var row in batch)
                {
                    var cmd = row.Table == ProjectionTable.Interactions ? interaction : evaluation;
                    cmd.Transaction = tx;
                    foreach (var column in row.Columns)
                    {
                        cmd.Parameters["@" + column.Name].Value = column.Value ?? DBNull.Value;
                    }

                    cmd.ExecuteNonQuery();
                }

                inTransaction += batch.Count;
                if (inTransaction >= RowsPerTransaction)
                {
                    tx.Commit();
                    tx.Dispose();
                    tx = connection.BeginTransaction();
                    inTransaction = 0;
                }

                progress.Tick();
            }

            tx.Commit();
        }
        finally
        {
            tx.Dispose();
        }

        var rowsTime = total.Elapsed;
        progress.Done();
        var rollups = Stopwatch.StartNew();
        await using (var rebuildTx = connection.BeginTransaction())
        {
            await SqliteRollups.RebuildAsync(connection, rebuildTx, ct);
            await rebuildTx.CommitAsync(ct);
        }

        var rollupTime = rollups.Elapsed;
        await ExecuteAsync(connection, null, "PRAGMA wal_checkpoint(TRUNCATE);", ct);
        var (first, last, interactions, evaluations, hourlyRows) = await ShapeAsync(connection, ct);
        return new LoadReport("SQLite", counts, interactions, evaluations, hourlyRows, first, last, rowsTime, rollupTime, FileSize(path));
    }

    /// <summary>A database loaded by an earlier run, migrated to this build: its shape and size, no load times.</summary>
    public static async Task<LoadReport> DescribeAsync(string path, CancellationToken ct)
    {
        // A database kept by an older build gets this build's migrations (0003 builds the daily rollups from the hourly one).
        var migration = Stopwatch.StartNew();
        await using (var store = new SqliteQmStore(path))
        {
            var applied = await store.MigrateAsync(ct);
            Console.Error.WriteLine($"SQLite: migrations [{string.Join(", ", applied)}] applied in {migration.Elapsed.TotalSeconds:F0} s");
        }

        var migrationTime = migration.Elapsed;
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await connection.OpenAsync(ct);
        var (first, last, interactions, evaluations, hourlyRows) = await ShapeAsync(connection, ct);
        return new LoadReport("SQLite (reused)", new LoadCounts { Interactions = interactions, Evaluations = evaluations }, interactions, evaluations, hourlyRows,
            first, last, TimeSpan.Zero, migrationTime, FileSize(path));
    }

    public static IAnalyticsStore Store(string path) => new SqliteAnalyticsStore(path);

    /// <summary>The statements whose plans <c>--explain</c> prints.</summary>
    public static IReadOnlyList<(string Name, string Sql)> Statements { get; } =
    [
        (nameof(SqliteAnalyticsSql.AgentDays), SqliteAnalyticsSql.AgentDays(queues: false)),
        (nameof(SqliteAnalyticsSql.AgentHours), SqliteAnalyticsSql.AgentHours),
        (nameof(SqliteAnalyticsSql.QueueDays), SqliteAnalyticsSql.QueueDays(channels: false)),
        (nameof(SqliteAnalyticsSql.QueueHours), SqliteAnalyticsSql.QueueHours(channels: false)),
        (nameof(SqliteAnalyticsSql.ChannelMixDays), SqliteAnalyticsSql.ChannelMixDays),
        (nameof(SqliteAnalyticsSql.DispositionMixDays), SqliteAnalyticsSql.DispositionMixDays),
        (nameof(SqliteAnalyticsSql.AgentTotalsFromProjections), SqliteAnalyticsSql.AgentTotalsFromProjections),
        (nameof(SqliteAnalyticsSql.Evaluations), SqliteAnalyticsSql.Evaluations),
        (nameof(SqliteAnalyticsSql.EvaluationsOfAgent), SqliteAnalyticsSql.EvaluationsOfAgent),
        (nameof(SqliteAnalyticsSql.Mix), SqliteAnalyticsSql.Mix),
        (nameof(SqliteAnalyticsSql.SearchByTime), SqliteAnalyticsSql.SearchByTime),
        (nameof(SqliteAnalyticsSql.SearchByScore), SqliteAnalyticsSql.SearchByScore),
        (nameof(SqliteAnalyticsSql.SearchByTimeOfAgent), SqliteAnalyticsSql.SearchByTimeOfAgent),
        (nameof(SqliteAnalyticsSql.SearchByScoreOfAgent), SqliteAnalyticsSql.SearchByScoreOfAgent),
    ];

    /// <summary>The query plan SQLite picks for a statement, for the notes.</summary>
    public static async Task<string> ExplainAsync(string path, string sql, CancellationToken ct)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly }.ToString());
        await connection.OpenAsync(ct);
        await using var cmd = SqliteQmStore.Command(connection, null, "EXPLAIN QUERY PLAN " + sql);
        foreach (var name in System.Text.RegularExpressions.Regex.Matches(sql, "\\$[a-z_]+").Select(m => m.Value).Distinct())
        {
            SqliteQmStore.Bind(cmd, name, null);
        }

        var lines = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            lines.Add(reader.GetString(3));
        }

        return string.Join(Environment.NewLine, lines);
    }

    private static async Task<(DateTimeOffset First, DateTimeOffset Last, long Interactions, long Evaluations, long HourlyRows)> ShapeAsync(SqliteConnection connection, CancellationToken ct)
    {
        await using var cmd = SqliteQmStore.Command(connection, null,
            "SELECT min(start_ms), max(start_ms), count(*), (SELECT count(*) FROM evaluations), (SELECT count(*) FROM analytics_hourly) FROM interactions");
        // The daily rollups' sizes, for the notes (stderr: the load report's columns are shared with PostgreSQL).
        await using (var daily = SqliteQmStore.Command(connection, null,
            "SELECT (SELECT count(*) FROM analytics_agent_daily), (SELECT count(*) FROM analytics_queue_daily), (SELECT count(*) FROM analytics_queue_hourly), (SELECT count(*) FROM analytics_mix_daily), (SELECT count(*) FROM analytics_agents)"))
        await using (var sizes = await daily.ExecuteReaderAsync(ct))
        {
            await sizes.ReadAsync(ct);
            Console.Error.WriteLine($"SQLite rollups: agent daily {sizes.GetInt64(0):N0}, queue daily {sizes.GetInt64(1):N0}, queue hourly {sizes.GetInt64(2):N0}, mix daily {sizes.GetInt64(3):N0} rows; {sizes.GetInt64(4):N0} agent keys");
        }

        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
            reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
    }

    private static long FileSize(string path) =>
        new[] { path, path + "-wal", path + "-shm" }.Where(File.Exists).Sum(p => new FileInfo(p).Length);

    private static SqliteCommand Prepared(SqliteConnection connection, string sql)
    {
        var cmd = SqliteQmStore.Command(connection, null, sql);
        foreach (var name in System.Text.RegularExpressions.Regex.Matches(sql, "@[a-z_]+").Select(m => m.Value).Distinct())
        {
            cmd.Parameters.Add(new SqliteParameter(name, DBNull.Value));
        }

        cmd.Prepare();
        return cmd;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? tx, string sql, CancellationToken ct)
    {
        await using var cmd = SqliteQmStore.Command(connection, tx, sql);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
