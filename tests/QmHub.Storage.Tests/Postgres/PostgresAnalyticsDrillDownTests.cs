using System.Data.Common;
using Npgsql;
using QmHub.Storage.Analytics;
using QmHub.Storage.Postgres;
using QmHub.Testing;

namespace QmHub.Storage.Tests.Postgres;

/// <summary>The drill-down tests on a real PostgreSQL server.</summary>
[Collection(SharedPostgres.Name)]
public sealed class PostgresAnalyticsDrillDownTests(PostgresCluster cluster) : AnalyticsDrillDownTests
{
    private PostgresTestDatabase? _database;

    private PostgresTestDatabase Database => _database ?? throw new InvalidOperationException("The database has not been created.");

    public override async Task InitializeAsync() => _database = await cluster.CreateDatabaseAsync();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    protected override IQmStore OpenStore() => new PostgresQmStore(Database.ConnectionString);

    protected override IAnalyticsStore OpenAnalytics(IQmStore store) => new PostgresAnalyticsStore((PostgresQmStore)store);

    protected override async Task<DbConnection> ConnectAsync()
    {
        var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}
