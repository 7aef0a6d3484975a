using System.Data.Common;
using System.Globalization;
using System.Reflection;

namespace QmHub.Storage;

/// <summary>A versioned schema change, loaded from an embedded <c>NNNN_name.sql</c> file.</summary>
internal sealed record Migration(int Version, string Name, string Sql)
{
    public static IReadOnlyList<Migration> Load(string resourcePrefix)
    {
        var assembly = typeof(Migration).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(resourcePrefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => FromResource(assembly, n, n[resourcePrefix.Length..^4]))
            .OrderBy(m => m.Version)
            .ToArray();
    }

    /// <summary>The migrations under <paramref name="resourcePrefix"/> that the versions read from <paramref name="applied"/> do not list, in version order.</summary>
    public static async Task<IReadOnlyList<Migration>> PendingAsync(DbDataReader applied, string resourcePrefix, CancellationToken ct)
    {
        var done = new HashSet<int>();
        while (await applied.ReadAsync(ct))
        {
            done.Add(applied.GetInt32(0));
        }

        return Load(resourcePrefix).Where(m => !done.Contains(m.Version)).ToList();
    }

    private static Migration FromResource(Assembly assembly, string resource, string fileName)
    {
        var separator = fileName.IndexOf('_', StringComparison.Ordinal);
        var version = int.Parse(fileName.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture);
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Migration resource {resource} is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return new Migration(version, fileName[(separator + 1)..], reader.ReadToEnd());
    }
}
