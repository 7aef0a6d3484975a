using QmHub.Storage;
using QmHub.Storage.Sqlite;

namespace QmHub.Hosting;

/// <summary>Opens the engine that <c>--db</c> names.</summary>
public static class StoreFactory
{
    /// <summary>Opens the store; a plain path is a SQLite file.</summary>
    public static IQmStore Open(string db)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(db);
        if (db.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || db.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
            || db.Contains("Host=", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidSettingsException(["Db (--db): PostgreSQL is not available in this build yet; give a SQLite file path such as ./qmhub.db."]);
        }

        return new SqliteQmStore(db);
    }
}
