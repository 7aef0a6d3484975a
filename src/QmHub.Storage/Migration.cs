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

    /// <summary>
    /// The migrations under <paramref name="resourcePrefix"/> that the versions read from <paramref name="applied"/> do not list, in
    /// version order; <paramref name="applying"/> is told their versions when there are any. Throws
    /// <see cref="SchemaTooNewException"/> when the database lists a version this build does not have.
    /// </summary>
    public static async Task<IReadOnlyList<Migration>> PendingAsync(DbDataReader applied, string resourcePrefix, Action<IReadOnlyList<int>>? applying, CancellationToken ct)
    {
        var done = new HashSet<int>();
        while (await applied.ReadAsync(ct))
        {
            done.Add(applied.GetInt32(0));
        }

        var known = Load(resourcePrefix);
        var unknown = done.Where(v => known.All(m => m.Version != v)).Order().ToList();
        if (unknown.Count > 0)
        {
            throw new SchemaTooNewException(unknown, known.Count == 0 ? 0 : known[^1].Version);
        }

        var pending = known.Where(m => !done.Contains(m.Version)).ToList();
        if (pending.Count > 0)
        {
            applying?.Invoke([.. pending.Select(m => m.Version)]);
        }

        return pending;
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

/// <summary>
/// The database was migrated by a newer QmHub: an older build would write rows the newer schema does not expect (a
/// column it dropped, say), so it refuses to use the database at all.
/// </summary>
public sealed class SchemaTooNewException : InvalidOperationException
{
    /// <summary>Creates the exception for the versions this build does not know.</summary>
    public SchemaTooNewException(IReadOnlyList<int> unknownVersions, int newestKnown)
        : base($"The database has schema migration(s) {string.Join(", ", unknownVersions ?? [])} that this build of QmHub does not have "
            + $"(it knows up to {newestKnown}): a newer QmHub has migrated it. Run that version or a newer one; this one would write rows "
            + "the newer schema does not expect.")
    {
        UnknownVersions = unknownVersions ?? [];
    }

    /// <summary>The applied versions this build does not know.</summary>
    public IReadOnlyList<int> UnknownVersions { get; }
}
