using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace QmHub.Zoom.Signing;

/// <summary>
/// Verifies Zoom webhook deliveries against one or more secret tokens (rotation, several Zoom apps):
/// raw bytes only, constant-time comparison, timestamp within a tolerance in both directions.
/// </summary>
public sealed class ZoomSignatureVerifier
{
    /// <summary>The default tolerance between the signed timestamp and now.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    private readonly (ZoomSecret Secret, byte[] Key)[] _secrets;
    private readonly string[] _names;
    private readonly TimeProvider _time;

    /// <summary>Creates a verifier.</summary>
    /// <param name="secrets">Every secret that may have signed a delivery.</param>
    /// <param name="tolerance">How far the signed timestamp may be from now, either way; default 300 s.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> by default.</param>
    public ZoomSignatureVerifier(IEnumerable<ZoomSecret> secrets, TimeSpan? tolerance = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        _secrets = secrets.Select(s => (s, Encoding.UTF8.GetBytes(s.Token))).ToArray();
        foreach (var (secret, _) in _secrets)
        {
            if (string.IsNullOrEmpty(secret.Token))
            {
                throw new ArgumentException($"The secret named '{secret.Name}' has an empty token.", nameof(secrets));
            }
        }

        if (_secrets.GroupBy(s => s.Secret.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw new ArgumentException($"The name '{duplicate.Key}' is used by {duplicate.Count()} secrets; names must be unique (they tell which secret signed a delivery).", nameof(secrets));
        }

        _names = _secrets.Select(s => s.Secret.Name).ToArray();
        Tolerance = tolerance ?? DefaultTolerance;
        ArgumentOutOfRangeException.ThrowIfLessThan(Tolerance, TimeSpan.Zero, nameof(tolerance));
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>How far the signed timestamp may be from now, either way.</summary>
    public TimeSpan Tolerance { get; }

    /// <summary>The configured secrets.</summary>
    public IEnumerable<ZoomSecret> Secrets => _secrets.Select(s => s.Secret);

    /// <summary>Verifies a delivery exactly as received.</summary>
    /// <param name="signatureHeader">The <c>x-zm-signature</c> header value.</param>
    /// <param name="timestampHeader">The <c>x-zm-request-timestamp</c> header value.</param>
    /// <param name="body">The raw body bytes, as received.</param>
    public ZoomVerificationResult Verify(string? signatureHeader, string? timestampHeader, ReadOnlySpan<byte> body)
    {
        if (_secrets.Length == 0)
        {
            return Fail(ZoomVerificationFailure.NoSecretsConfigured, "no webhook secret token is configured, so no delivery can be verified", body.Length);
        }

        if (string.IsNullOrWhiteSpace(timestampHeader))
        {
            return Fail(ZoomVerificationFailure.MissingTimestamp, $"the {ZoomSignature.TimestampHeader} header is missing", body.Length);
        }

        if (!long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp))
        {
            return Fail(ZoomVerificationFailure.MalformedTimestamp,
                $"the {ZoomSignature.TimestampHeader} header must be whole Unix seconds, got '{Truncate(timestampHeader)}'", body.Length);
        }

        if (string.IsNullOrWhiteSpace(signatureHeader))
        {
            return Fail(ZoomVerificationFailure.MissingSignature, $"the {ZoomSignature.SignatureHeader} header is missing", body.Length, timestamp);
        }

        Span<byte> presented = stackalloc byte[ZoomSignature.HashLength];
        if (!signatureHeader.StartsWith(ZoomSignature.Prefix, StringComparison.Ordinal) || !ZoomSignature.TryDecodeHeader(signatureHeader, presented))
        {
            return Fail(ZoomVerificationFailure.MalformedSignature,
                $"the {ZoomSignature.SignatureHeader} header must be 'v0=' followed by 64 lowercase hex digits ({signatureHeader.Length} characters received)",
                body.Length, timestamp);
        }

        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var skew = now - timestamp;
        if (Math.Abs(skew) > (long)Tolerance.TotalSeconds)
        {
            var direction = skew > 0 ? "in the past" : "in the future";
            var hint = timestamp > 100_000_000_000 ? " It looks like milliseconds; Zoom signs Unix seconds." : " Check this server's clock, or whether the delivery is a replay.";
            return new ZoomVerificationResult
            {
                Failure = ZoomVerificationFailure.StaleTimestamp,
                Message = $"the {ZoomSignature.TimestampHeader} {timestamp} is {Math.Abs(skew)} s {direction}; the tolerance is {(long)Tolerance.TotalSeconds} s.{hint}",
                Timestamp = timestamp,
                SkewSeconds = skew,
                BodyLength = body.Length,
            };
        }

        // Every secret is checked, so the time taken does not depend on which one (if any) matches.
        using var message = new ZoomSignature.SignedMessage(timestamp, body);
        Span<byte> expected = stackalloc byte[ZoomSignature.HashLength];
        ZoomSecret? matched = null;
        foreach (var (secret, key) in _secrets)
        {
            HMACSHA256.HashData(key, message.Bytes, expected);
            if (CryptographicOperations.FixedTimeEquals(expected, presented) && matched is null)
            {
                matched = secret;
            }
        }

        if (matched is null)
        {
            return new ZoomVerificationResult
            {
                Failure = ZoomVerificationFailure.SignatureMismatch,
                Message = $"the {ZoomSignature.SignatureHeader} does not match the {body.Length}-byte body signed at {timestamp} under any configured secret. "
                    + "Check the secret token, and verify the body exactly as received: re-serialized JSON does not match.",
                TriedSecrets = _names,
                Timestamp = timestamp,
                SkewSeconds = skew,
                BodyLength = body.Length,
            };
        }

        return new ZoomVerificationResult
        {
            Failure = ZoomVerificationFailure.None,
            Message = $"verified with secret '{matched.Name}'",
            MatchedSecret = matched,
            TriedSecrets = _names,
            Timestamp = timestamp,
            SkewSeconds = skew,
            BodyLength = body.Length,
        };
    }

    private ZoomVerificationResult Fail(ZoomVerificationFailure failure, string message, int bodyLength, long? timestamp = null) => new()
    {
        Failure = failure,
        Message = message,
        TriedSecrets = failure == ZoomVerificationFailure.NoSecretsConfigured ? [] : _names,
        Timestamp = timestamp,
        BodyLength = bodyLength,
    };

    private static string Truncate(string value) => value.Length <= 32 ? value : string.Concat(value.AsSpan(0, 32), "…");
}
