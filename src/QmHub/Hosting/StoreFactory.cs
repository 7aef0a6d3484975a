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
        if (!PostgresConnectionString.IsPostgres(db))
        {
            return new SqliteQmStore(db);
        }

        try
        {
            return new PostgresQmStore(db);
        }
        catch (FormatException ex)
        {
            throw new InvalidSettingsException([$"Db (--db, QMHUB_DB): {ex.Message}."]);
        }
    }
}
