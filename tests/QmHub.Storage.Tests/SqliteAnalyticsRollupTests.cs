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
        await using var downgrade = connection.CreateCommand();
        downgrade.CommandText = """
            DROP TABLE analytics_hourly; DROP TABLE agent_identities; DROP TABLE analytics_queues;
            DROP TABLE analytics_agent_daily; DROP TABLE analytics_queue_hourly; DROP TABLE analytics_queue_daily;
            DROP TABLE analytics_mix_hourly; DROP TABLE analytics_mix_daily; DROP TABLE analytics_agents;
            DROP TABLE calibration_scorecard_hourly; DROP TABLE calibration_scorecard_daily; DROP TABLE calibration_evaluator_hourly;
            DROP TABLE calibration_evaluator_daily; DROP TABLE calibration_groups;
            DROP INDEX interactions_by_queue_start; DROP INDEX interactions_by_agent_start;
            DELETE FROM schema_migrations WHERE version IN (2, 3, 5);
            """;
        await downgrade.ExecuteNonQueryAsync();
    }
}
