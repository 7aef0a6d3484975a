using System.Data.Common;
using Microsoft.Data.Sqlite;
using QmHub.Storage.Analytics;
using QmHub.Storage.Sqlite;
using QmHub.Testing;

namespace QmHub.Storage.Tests;

/// <summary>The drill-down tests on a SQLite file.</summary>
public sealed class SqliteAnalyticsDrillDownTests : AnalyticsDrillDownTests, IDisposable
{
    private readonly TempDirectory _dir = new();

    private string Path => _dir.File("analytics.db");

    public void Dispose() => _dir.Dispose();

    protected override IQmStore OpenStore() => new SqliteQmStore(Path);

    protected override IAnalyticsStore OpenAnalytics(IQmStore store) => new SqliteAnalyticsStore(Path);

    protected override async Task<DbConnection> ConnectAsync()
    {
        var connection = new SqliteConnection($"Data Source={Path};Pooling=false");
        await connection.OpenAsync();
        return connection;
    }
}
