using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace QmHub.Zoom.Signing;

/// <summary>
/// Zoom's webhook signature: <c>v0=</c> + lowercase hex HMAC-SHA256, keyed by the secret token, of
/// <c>v0:{x-zm-request-timestamp}:{raw body}</c>.
/// </summary>
public static class ZoomSignature
{
    /// <summary>The header that carries the signature.</summary>
    public const string SignatureHeader = "x-zm-signature";

    /// <summary>The header that carries the Unix-seconds timestamp that was signed.</summary>
    public const string TimestampHeader = "x-zm-request-timestamp";

    /// <summary>The header that carries Zoom's delivery tracking ID.</summary>
    public const string TrackingIdHeader = "x-zm-trackingid";

    /// <summary>The version prefix of the signature header's value.</summary>
    public const string Prefix = "v0=";

    internal const int HashLength = 32;

    /// <summary>Computes the header value Zoom would send for <paramref name="body"/> at <paramref name="timestamp"/>.</summary>
    public static string Compute(string secretToken, long timestamp, ReadOnlySpan<byte> body)
    {
        Span<byte> hash = stackalloc byte[HashLength];
        ComputeHash(Encoding.UTF8.GetBytes(secretToken), timestamp.ToString(CultureInfo.InvariantCulture), body, hash);
        return Prefix + Convert.ToHexStringLower(hash);
    }

    /// <summary>The <c>encryptedToken</c> of the URL-validation answer: lowercase hex HMAC-SHA256 of <paramref name="plainToken"/>.</summary>
    public static string ComputeUrlValidationToken(string secretToken, string plainToken)
    {
        ArgumentNullException.ThrowIfNull(secretToken);
        ArgumentNullException.ThrowIfNull(plainToken);
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secretToken), Encoding.UTF8.GetBytes(plainToken)));
    }

    internal static void ComputeHash(byte[] key, string timestamp, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        // "v0:" + timestamp + ":" is at most 3 + 20 + 1 bytes; the body is hashed where it lies, never copied.
        Span<byte> prefix = stackalloc byte[32];
        var n = Encoding.ASCII.GetBytes($"v0:{timestamp}:", prefix);
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(prefix[..n]);
        hmac.AppendData(body);
        hmac.GetHashAndReset(destination);
    }

    // Zoom writes lowercase hex and its own samples compare the header as a string, so "V0=" or an
    // uppercase digit is not a Zoom signature (and one-byte changes to a header must never verify).
    private static readonly SearchValues<char> LowercaseHex = SearchValues.Create("0123456789abcdef");

    internal static bool TryDecodeHeader(string value, Span<byte> destination)
    {
        var hex = value.AsSpan(Prefix.Length);
        return hex.Length == HashLength * 2
            && !hex.ContainsAnyExcept(LowercaseHex)
            && Convert.FromHexString(hex, destination, out _, out var written) == OperationStatus.Done
            && written == HashLength;
    }
}
