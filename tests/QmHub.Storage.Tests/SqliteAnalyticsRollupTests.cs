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

    protected override async Task UndoAnalyticsMigrationAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={Path};Pooling=false");
        await connection.OpenAsync();
        await using var downgrade = connection.CreateCommand();
        downgrade.CommandText = """
            DROP TABLE analytics_hourly; DROP TABLE agent_identities; DROP TABLE analytics_queues;
            DROP INDEX interactions_by_queue_start; DROP INDEX interactions_by_agent_start;
            DELETE FROM schema_migrations WHERE version = 2;
            """;
        await downgrade.ExecuteNonQueryAsync();
    }
}
