using QmHub.Storage;
using QmHub.Storage.Postgres;
using QmHub.Storage.Sqlite;

namespace QmHub.Hosting;

/// <summary>Opens the engine that <c>--db</c> names.</summary>
public static class StoreFactory
{
    /// <summary>
    /// Opens the store: a <c>postgres://</c> URL or an Npgsql keyword string (<c>Host=...;</c>) is PostgreSQL,
    /// anything else a SQLite file path.
    /// </summary>
    public static IQmStore Open(string db)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(db);
        return PostgresConnectionString.IsPostgres(db) ? new PostgresQmStore(db) : new SqliteQmStore(db);
    }
}
