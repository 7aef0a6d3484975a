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
        using var message = new SignedMessage(timestamp, body);
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secretToken), message.Bytes, hash);
        return Prefix + Convert.ToHexStringLower(hash);
    }

    /// <summary>The <c>encryptedToken</c> of the URL-validation answer: lowercase hex HMAC-SHA256 of <paramref name="plainToken"/>.</summary>
    public static string ComputeUrlValidationToken(string secretToken, string plainToken)
    {
        ArgumentNullException.ThrowIfNull(secretToken);
        ArgumentNullException.ThrowIfNull(plainToken);
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secretToken), Encoding.UTF8.GetBytes(plainToken)));
    }

    /// <summary>
    /// <c>v0:{timestamp}:{body}</c> in one pooled buffer, built once however many secrets are tried. A one-shot
    /// HMAC over it costs less than an <see cref="IncrementalHash"/> per secret per delivery (which allocated
    /// and set up a native context each time); copying the body is cheap next to hashing it.
    /// </summary>
    internal readonly ref struct SignedMessage
    {
        // "v0:" + at most 20 digits (with sign) + ":".
        private const int MaxPrefixLength = 24;

        private readonly byte[] _buffer;
        private readonly int _length;

        public SignedMessage(long timestamp, ReadOnlySpan<byte> body)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(MaxPrefixLength + body.Length);
            var span = _buffer.AsSpan();
            "v0:"u8.CopyTo(span);
            timestamp.TryFormat(span[3..], out var digits, default, CultureInfo.InvariantCulture);
            span[3 + digits] = (byte)':';
            var prefix = 4 + digits;
            body.CopyTo(span[prefix..]);
            _length = prefix + body.Length;
        }

        public ReadOnlySpan<byte> Bytes => _buffer.AsSpan(0, _length);

        public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);
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
