using SQLitePCL;

namespace QmHub.Storage.Sqlite;

/// <summary>
/// SQLite's process-wide settings, made before the process opens its first connection (SQLite accepts them only
/// then; later they are refused and SQLite's defaults stay, which are correct, only slower).
/// </summary>
internal static class SqliteRuntime
{
    private const int ConfigMultiThread = 2;
    private const int ConfigMemStatus = 9;

    /// <summary>
    /// Multi-thread mode: a connection is never used by two threads at once here (the writer's is behind the write
    /// lock, a reader's belongs to one request), so SQLite's per-connection mutex is not needed. Memory statistics
    /// off: they take a global mutex on every allocation. Together these locks were 4.7% of the server's CPU under
    /// ingest load (perf, 2 cores).
    /// </summary>
    public static void Configure()
    {
        Batteries_V2.Init();
        _ = raw.sqlite3_config(ConfigMultiThread);
        _ = raw.sqlite3_config(ConfigMemStatus, 0);
    }
}
