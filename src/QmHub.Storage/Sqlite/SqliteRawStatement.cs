using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace QmHub.Storage.Sqlite;

/// <summary>
/// One write statement prepared once on the writer's connection and bound by position through SQLite's own API, for
/// the statements the writer runs several times per delivery (the rollup deltas): Microsoft.Data.Sqlite looks every
/// parameter up by name and allocates a binder per value on every execution. It runs in the transaction the
/// connection has open, and is finalized when the connection closes.
/// </summary>
internal sealed class SqliteRawStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    /// <summary>Prepares <paramref name="sql"/> (one statement) with its parameters in <paramref name="parameters"/>' order.</summary>
    public SqliteRawStatement(SqliteConnection connection, string sql, IReadOnlyList<string> parameters)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(parameters);
        _db = connection.Handle ?? throw new InvalidOperationException("The writer's connection is not open.");
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
        Positions = [.. parameters.Select(p => raw.sqlite3_bind_parameter_index(_statement, p) is > 0 and var i ? i : throw new InvalidOperationException($"'{sql}' has no parameter {p}."))];
    }

    /// <summary>The position of each parameter named at construction.</summary>
    public int[] Positions { get; }

    /// <summary>Binds <paramref name="value"/> (long, int, double, string or null) to the parameter at <paramref name="parameter"/> in the constructor's list.</summary>
    public void Bind(int parameter, object? value)
    {
        var index = Positions[parameter];
        Check(value switch
        {
            null => raw.sqlite3_bind_null(_statement, index),
            long l => raw.sqlite3_bind_int64(_statement, index, l),
            int i => raw.sqlite3_bind_int64(_statement, index, i),
            double d => raw.sqlite3_bind_double(_statement, index, d),
            // An empty span has no address, and SQLite binds a null pointer as NULL: "" must stay "".
            string { Length: 0 } => raw.sqlite3_bind_text(_statement, index, string.Empty),
            string s => raw.sqlite3_bind_text16(_statement, index, s.AsSpan()),
            _ => throw new ArgumentException($"cannot bind a {value.GetType().Name}", nameof(value)),
        });
    }

    /// <summary>Runs the statement to its end; the rows it changed.</summary>
    public int Execute()
    {
        try
        {
            int rc;
            while ((rc = raw.sqlite3_step(_statement)) == raw.SQLITE_ROW)
            {
            }

            if (rc != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(rc, _db);
            }

            return raw.sqlite3_changes(_db);
        }
        finally
        {
            raw.sqlite3_reset(_statement);
            raw.sqlite3_clear_bindings(_statement);
        }
    }

    public void Dispose() => _statement.Dispose();

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }
}
