using Microsoft.Data.Sqlite;
using QmHub.Storage.Analytics;
using QmHub.Storage.Sqlite;
using QmHub.Testing;

namespace QmHub.Storage.Tests;

/// <summary>The rollup tests on a SQLite file.</summary>
public sealed class SqliteAnalyticsRollupTests : AnalyticsRollupTests, IDisposable
{
    private readonly TempDirectory _dir = new();

    private string Path => _dir.File("analytics.db");

    public void Dispose() => _dir.Dispose();

    protected override IQmStore OpenStore() => new SqliteQmStore(Path);

    protected override IAnalyticsStore OpenAnalytics(IQmStore store) => new SqliteAnalyticsStore(Path);

    protected override int[] AnalyticsMigrations => [2, 3, 5];

    protected override async Task UndoAnalyticsMigrationAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={Path};Pooling=false");
        await connection.OpenAsync();
        // Every rollup table the analytics migrations create (their names say so), then the indexes of 0002.
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND (name LIKE 'analytics%' OR name LIKE 'calibration%' OR name = 'agent_identities')";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Contains("analytics_hourly", tables);
        await using var downgrade = connection.CreateCommand();
        downgrade.CommandText = string.Concat(tables.Select(t => $"DROP TABLE {t};")) + """
            DROP INDEX IF EXISTS interactions_by_queue_start; DROP INDEX interactions_by_agent_start;
            DELETE FROM schema_migrations WHERE version IN (2, 3, 5);
            """;
        await downgrade.ExecuteNonQueryAsync();
    }
}
