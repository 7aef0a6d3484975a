using System.CommandLine;

namespace QmHub.Cli;

/// <summary>Flags shared by several commands, and their configuration keys.</summary>
internal static class CommonOptions
{
    public static Option<string?> Db() => new("--db")
    {
        Description = "The database: a SQLite file path (default ./qmhub.db), or PostgreSQL as postgres://user:password@host:port/db or Host=...;Database=... (QMHUB_DB).",
    };

    /// <summary>The flags given on the command line, as configuration keys; absent flags are left out so that lower layers apply.</summary>
    public static Dictionary<string, string?> Flags(ParseResult result, params (string Key, Option<string?> Option)[] options)
    {
        var flags = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, option) in options)
        {
            if (result.GetValue(option) is { } value)
            {
                flags[key] = value;
            }
        }

        return flags;
    }
}
