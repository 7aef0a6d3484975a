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

    /// <summary>Creates a key and returns it with its stored description. The key is not stored.</summary>
    public async Task<(string Key, ApiKeyInfo Info)> CreateAsync(string name, string scope, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!ApiKeyScopes.IsValid(scope))
        {
            throw new ArgumentException($"scope must be '{ApiKeyScopes.Read}' or '{ApiKeyScopes.Admin}', got '{scope}'", nameof(scope));
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
