using System.Security.Cryptography;
using System.Text;
using QmHub.Storage;
using QmHub.Storage.Model;

namespace QmHub.Keys;

/// <summary>API key scopes.</summary>
public static class ApiKeyScopes
{
    /// <summary>Reads reports and records.</summary>
    public const string Read = "read";

    /// <summary>Everything, key management included.</summary>
    public const string Admin = "admin";

    /// <summary>Whether <paramref name="scope"/> is a scope.</summary>
    public static bool IsValid(string scope) => scope is Read or Admin;
}

/// <summary>
/// API keys: 32 random bytes behind a recognisable <c>qmh_</c> prefix, shown once; only SHA-256 of the key
/// is stored (keys are high-entropy, so a slow hash would add cost and no safety).
/// </summary>
public sealed class ApiKeyService(IQmStore store, TimeProvider timeProvider)
{
    private const string KeyPrefix = "qmh_";

    /// <summary>
    /// Creates a key and returns it with its stored description. The key is not stored. The name must not be
    /// an active key's name, nor look like an id or a prefix, so that revoking by it can only mean this key.
    /// </summary>
    public async Task<(string Key, ApiKeyInfo Info)> CreateAsync(string name, string scope, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!ApiKeyScopes.IsValid(scope))
        {
            throw new ArgumentException($"scope must be '{ApiKeyScopes.Read}' or '{ApiKeyScopes.Admin}', got '{scope}'", nameof(scope));
        }

        if (name.All(char.IsAsciiDigit))
        {
            throw new ArgumentException($"name '{name}' is a number, which 'keys revoke' would read as a key's id; give a name with a letter in it (who or what uses the key).");
        }

        if (name.StartsWith(KeyPrefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"name '{name}' starts with '{KeyPrefix}', which 'keys revoke' would read as a key's prefix; name who or what uses the key.");
        }

        if ((await store.ListApiKeysAsync(cancellationToken)).FirstOrDefault(k => k.RevokedAt is null && k.Name == name) is { } taken)
        {
            throw new ArgumentException($"an active key is already named '{name}' (#{taken.Id}, {taken.Prefix}); names tell keys apart, so choose another or revoke that one first.");
        }

        var key = KeyPrefix + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var info = await store.CreateApiKeyAsync(name, DisplayPrefix(key), Hash(key), scope, timeProvider.GetUtcNow(), cancellationToken);
        return (key, info);
    }

    /// <summary>
    /// Installs an operator-chosen admin key (QMHUB_BOOTSTRAP_API_KEY) unless that exact key is already known,
    /// active or revoked: a revoked bootstrap key stays revoked, and a changed one is installed.
    /// </summary>
    public async Task<bool> InstallBootstrapKeyAsync(string key, CancellationToken cancellationToken)
    {
        var hash = Hash(key);
        if (await store.FindApiKeyAsync(hash, cancellationToken) is not null)
        {
            return false;
        }

        try
        {
            await store.CreateApiKeyAsync("bootstrap", DisplayPrefix(key), hash, ApiKeyScopes.Admin, timeProvider.GetUtcNow(), cancellationToken);
            return true;
        }
        catch (System.Data.Common.DbException)
        {
            // Another replica starting at the same moment may have installed the same key first: then it is installed.
            if (await store.FindApiKeyAsync(hash, cancellationToken) is null)
            {
                throw;
            }

            return false;
        }
    }

    /// <summary>
    /// Revokes the one active key whose id, name or prefix is <paramref name="which"/>. Returns it; or, when none or
    /// several match, nothing is revoked and <c>Matches</c> lists the active keys that matched (several: ambiguous).
    /// </summary>
    public async Task<(ApiKeyInfo? Revoked, IReadOnlyList<ApiKeyInfo> Matches)> RevokeAsync(string which, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(which);
        var matches = (await store.ListApiKeysAsync(cancellationToken))
            .Where(k => k.RevokedAt is null && (k.Name == which || k.Prefix == which || k.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) == which))
            .ToList();
        // The store revokes only when exactly one key matches at that moment, so a key created meanwhile cannot widen it.
        return matches.Count == 1 && await store.RevokeApiKeyAsync(which, timeProvider.GetUtcNow(), cancellationToken) == 1
            ? (matches[0], matches)
            : (null, matches);
    }

    /// <summary>One line per key, for a message that lists several.</summary>
    public static string Describe(IEnumerable<ApiKeyInfo> keys) =>
        string.Join("; ", keys.Select(k => $"#{k.Id} '{k.Name}' {k.Prefix} ({k.Scope})"));

    /// <summary>The active key's description, or <see langword="null"/> for an unknown or revoked key.</summary>
    public Task<ApiKeyInfo?> AuthenticateAsync(string key, CancellationToken cancellationToken) =>
        store.FindActiveApiKeyAsync(Hash(key), cancellationToken);

    internal static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    // Generated keys show "qmh_" and 8 of their 43 random characters; an operator-chosen key shows only 4
    // characters, so that what is listed never narrows the search for the rest.
    private static string DisplayPrefix(string key) =>
        key.StartsWith(KeyPrefix, StringComparison.Ordinal) && key.Length >= 40 ? key[..12] : key[..Math.Min(4, key.Length)] + "…";

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
