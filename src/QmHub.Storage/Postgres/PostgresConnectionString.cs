using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace QmHub.Storage.Postgres;

/// <summary>
/// Reads the two ways an operator names a PostgreSQL database: a URL
/// (<c>postgres://user:pass@host:port/db?sslmode=require</c>, as libpq and most hosting providers print it)
/// or an Npgsql keyword string (<c>Host=...;Username=...;</c>).
/// </summary>
public static partial class PostgresConnectionString
{
    private const int DefaultPort = 5432;

    // libpq's URL query parameters that have an Npgsql keyword of another name.
    private static readonly Dictionary<string, string> LibpqKeywords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sslmode"] = "SSL Mode",
        ["connect_timeout"] = "Timeout",
        ["application_name"] = "Application Name",
        ["target_session_attrs"] = "Target Session Attributes",
        ["sslrootcert"] = "Root Certificate",
        ["sslcert"] = "SSL Certificate",
        ["sslkey"] = "SSL Key",
        ["user"] = "Username",
        ["dbname"] = "Database",
    };

    /// <summary>Whether <paramref name="db"/> names a PostgreSQL database rather than a SQLite file.</summary>
    public static bool IsPostgres(string db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return IsUrl(db) || KeywordHost().IsMatch(db);
    }

    /// <summary>
    /// Converts either form to Npgsql's settings. Throws <see cref="FormatException"/> with a message that says what is
    /// wrong and never repeats the password.
    /// </summary>
    public static NpgsqlConnectionStringBuilder Parse(string db)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(db);
        var builder = IsUrl(db) ? FromUrl(db) : FromKeywords(db);
        if (string.IsNullOrEmpty(builder.Host))
        {
            throw new FormatException("the PostgreSQL connection string names no host (Host=... or postgres://user@host/db)");
        }

        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = "qmhub";
        }

        return builder;
    }

    /// <summary>A description for logs and errors: user, host, port and database, never the password.</summary>
    public static string Describe(NpgsqlConnectionStringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var user = string.IsNullOrEmpty(builder.Username) ? "" : builder.Username + "@";
        return string.Create(CultureInfo.InvariantCulture, $"PostgreSQL {user}{builder.Host}:{builder.Port}/{builder.Database}");
    }

    private static bool IsUrl(string db) =>
        db.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || db.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase);

    private static NpgsqlConnectionStringBuilder FromKeywords(string db)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(db);
        }
        catch (ArgumentException ex)
        {
            // Npgsql's message names the keyword, not the value; the value may be the password.
            throw new FormatException($"the PostgreSQL connection string is not a valid Npgsql keyword string: {ex.Message}", ex);
        }
    }

    private static NpgsqlConnectionStringBuilder FromUrl(string db)
    {
        if (!Uri.TryCreate(db, UriKind.Absolute, out var uri))
        {
            throw new FormatException("the PostgreSQL URL is not valid; the form is postgres://user:password@host:port/database (percent-encode special characters)");
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.IdnHost.Trim('[', ']'),
            Port = uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port,
        };
        if (uri.UserInfo.Length > 0)
        {
            var separator = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(separator < 0 ? uri.UserInfo : uri.UserInfo[..separator]);
            if (separator >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(separator + 1)..]);
            }
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));
            var keyword = LibpqKeywords.GetValueOrDefault(name, name);
            try
            {
                builder[keyword] = value;
            }
            catch (ArgumentException ex)
            {
                throw new FormatException($"the PostgreSQL URL's parameter '{name}' is not one QmHub understands ({ex.Message})", ex);
            }
        }

        return builder;
    }

    [GeneratedRegex(@"(^|;)\s*(host|server)\s*=", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex KeywordHost();
}
