using System.Buffers;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace QmHub.Storage.Sqlite;

/// <summary>
/// One statement prepared once on the writer's connection, bound by position and stepped through SQLite's own API,
/// for the statements the writer runs for every delivery (the projection upserts, the rollup unit reads and deltas):
/// Microsoft.Data.Sqlite looks every parameter up by name, allocates a binder per value and a reader per execution.
/// It runs in the transaction the connection has open, and is finalized when its owner disposes it.
/// </summary>
internal sealed class SqliteRawStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    /// <summary>Prepares <paramref name="sql"/> (one statement) with its parameters in <paramref name="parameters"/>' order.</summary>
    /// <param name="connection">The open connection.</param>
    /// <param name="sql">One statement.</param>
    /// <param name="parameters">Its parameters, named with their prefix, in the order <see cref="Bind"/> numbers them.</param>
    /// <param name="unused">Whether a parameter the statement does not have is skipped when bound (a family of statements bound alike) instead of refused.</param>
    public SqliteRawStatement(SqliteConnection connection, string sql, IReadOnlyList<string> parameters, bool unused = false)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(parameters);
        _db = connection.Handle ?? throw new InvalidOperationException("The writer's connection is not open.");
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
        Parameters = parameters;
        Positions = [.. parameters.Select(p => raw.sqlite3_bind_parameter_index(_statement, p) is var i && (i > 0 || unused) ? i : throw new InvalidOperationException($"'{sql}' has no parameter {p}."))];
    }

    /// <summary>The parameters named at construction.</summary>
    public IReadOnlyList<string> Parameters { get; }

    /// <summary>The position of each parameter named at construction (0: the statement does not have it).</summary>
    public int[] Positions { get; }

    /// <summary>Binds <paramref name="value"/> (long, int, double, string, bytes or null) to the parameter at <paramref name="parameter"/> in the constructor's list.</summary>
    public void Bind(int parameter, object? value)
    {
        var index = Positions[parameter];
        if (index == 0)
        {
            return;
        }

        Check(value switch
        {
            null => raw.sqlite3_bind_null(_statement, index),
            long l => raw.sqlite3_bind_int64(_statement, index, l),
            int i => raw.sqlite3_bind_int64(_statement, index, i),
            double d => raw.sqlite3_bind_double(_statement, index, d),
            string s => BindText(_statement, index, s),
            byte[] { Length: 0 } => raw.sqlite3_bind_zeroblob(_statement, index, 0),
            byte[] b => raw.sqlite3_bind_blob(_statement, index, b),
            _ => throw new ArgumentException($"cannot bind a {value.GetType().Name}", nameof(value)),
        });
    }

    /// <summary>Runs the statement to its end; the rows it changed.</summary>
    public int Execute()
    {
        try
        {
            while (Read())
            {
            }

            return raw.sqlite3_changes(_db);
        }
        finally
        {
            Reset();
        }
    }

    /// <summary>Steps to the next row of the bound query: <see langword="false"/> at its end. The caller calls <see cref="Reset"/> when done with it, thrown or not.</summary>
    public bool Read()
    {
        var rc = raw.sqlite3_step(_statement);
        if (rc == raw.SQLITE_ROW)
        {
            return true;
        }

        if (rc != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }

        return false;
    }

    /// <summary>Ready for the next execution: the statement rewound and no reference to this one's values kept.</summary>
    public void Reset()
    {
        raw.sqlite3_reset(_statement);
        raw.sqlite3_clear_bindings(_statement);
    }

    /// <summary>Whether the current row's <paramref name="column"/> is NULL.</summary>
    public bool IsNull(int column) => raw.sqlite3_column_type(_statement, column) == raw.SQLITE_NULL;

    /// <summary>The current row's <paramref name="column"/> as an integer (0 for NULL).</summary>
    public long Int64(int column) => raw.sqlite3_column_int64(_statement, column);

    /// <summary>The current row's <paramref name="column"/> as a real (0 for NULL).</summary>
    public double Double(int column) => raw.sqlite3_column_double(_statement, column);

    /// <summary>The current row's <paramref name="column"/> as text, or <see langword="null"/> for NULL.</summary>
    public string? Text(int column) => IsNull(column) ? null : raw.sqlite3_column_text(_statement, column).utf8_to_string();

    /// <summary>The current row's <paramref name="column"/> as text that is never NULL.</summary>
    public string String(int column) => Text(column) ?? throw new InvalidOperationException($"Column {column} is NULL.");

    public void Dispose() => _statement.Dispose();

    /// <summary>
    /// Binds <paramref name="value"/> as UTF-8, encoded by .NET (vectorized) into a stack or pooled buffer that SQLite
    /// copies: binding UTF-16 made SQLite translate it with its own byte-at-a-time loop (1.2% of the server's CPU).
    /// </summary>
    internal static int BindText(sqlite3_stmt statement, int index, string value)
    {
        if (value.Length == 0)
        {
            // An empty span has no address, and SQLite binds a null pointer as NULL: "" must stay "".
            return raw.sqlite3_bind_text(statement, index, string.Empty);
        }

        const int StackBytes = 256;
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = null;
        var buffer = max <= StackBytes ? stackalloc byte[StackBytes] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var length = Encoding.UTF8.GetBytes(value, buffer);
            return raw.sqlite3_bind_text(statement, index, buffer[..length]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }
}
