using QmHub.Testing;

namespace QmHub.Storage.Tests.Postgres;

/// <summary>The throwaway cluster is what the tests claim to run on: durable commits, reachable from this machine only.</summary>
[Collection(SharedPostgres.Name)]
public sealed class PostgresClusterTests(PostgresCluster cluster)
{
    [Fact]
    public async Task Throwaway_cluster_fsyncs_and_listens_on_loopback_only()
    {
        if (!cluster.IsThrowaway)
        {
            // QMHUB_TEST_POSTGRES names a server this run did not start: its settings are its operator's.
            return;
        }

        await using var database = await cluster.CreateDatabaseAsync();

        Assert.Equal("on", await database.ScalarAsync("SHOW fsync"));
        Assert.Equal("on", await database.ScalarAsync("SHOW synchronous_commit"));
        Assert.Equal("127.0.0.1", await database.ScalarAsync("SHOW listen_addresses"));
        Assert.StartsWith(Path.GetTempPath(), (string?)await database.ScalarAsync("SHOW unix_socket_directories"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_database_is_fresh_and_dropped_after_use()
    {
        var first = await cluster.CreateDatabaseAsync();
        await using (var second = await cluster.CreateDatabaseAsync())
        {
            Assert.NotEqual(first.Name, second.Name);
            Assert.Equal(0L, await second.ScalarAsync("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"));
        }

        await first.DisposeAsync();
        await using var probe = await cluster.CreateDatabaseAsync();
        Assert.Equal(0L, await probe.ScalarAsync($"SELECT count(*) FROM pg_database WHERE datname = '{first.Name}'"));
    }
}
