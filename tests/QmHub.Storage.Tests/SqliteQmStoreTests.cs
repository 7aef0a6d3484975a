using Microsoft.Data.Sqlite;
using QmHub.Storage.Sqlite;
using QmHub.Testing;

namespace QmHub.Storage.Tests;

public sealed class SqliteQmStoreTests : StoreContractTests, IDisposable
{
    private readonly TempDirectory _dir = new();

    protected override Task<IQmStore> CreateStoreAsync() => Task.FromResult<IQmStore>(new SqliteQmStore(_dir.File("qmhub.db")));

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Database_runs_in_wal_mode_with_full_synchronous_commits()
    {
        await using var connection = new SqliteConnection($"Data Source={_dir.File("qmhub.db")}");
        await connection.OpenAsync();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Committed_events_survive_reopening_the_file()
    {
        await Store.AppendAsync([Incoming(TestEvents.Interaction("i-1"))], CancellationToken.None);
        await Store.DisposeAsync();

        await using var reopened = new SqliteQmStore(_dir.File("qmhub.db"));
        await reopened.MigrateAsync(CancellationToken.None);

        Assert.Single(await reopened.GetInteractionsAsync("i-1", null, CancellationToken.None));
    }

    [Fact]
    public async Task A_locked_database_is_reported_not_writable()
    {
        await using var blocker = new SqliteConnection($"Data Source={_dir.File("qmhub.db")};Default Timeout=1");
        await blocker.OpenAsync();
        await using var begin = blocker.CreateCommand();
        begin.CommandText = "BEGIN EXCLUSIVE;";
        await begin.ExecuteNonQueryAsync();

        var store = new SqliteQmStore(_dir.File("qmhub.db"), busyTimeout: TimeSpan.FromMilliseconds(200));
        await using (store)
        {
            Assert.False(await store.IsWritableAsync(CancellationToken.None));
        }
    }
}
