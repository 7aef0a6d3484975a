using QmHub.Zoom.Models;

namespace QmHub.Zoom.Signing;

/// <summary>A delivery as Zoom sends it: the exact body bytes and the headers that sign them.</summary>
/// <param name="Body">Compact UTF-8 JSON.</param>
/// <param name="Timestamp">The <c>x-zm-request-timestamp</c> value (Unix seconds).</param>
/// <param name="Signature">The <c>x-zm-signature</c> value.</param>
public sealed record SignedDelivery(ReadOnlyMemory<byte> Body, long Timestamp, string Signature)
{
    /// <summary>The signing headers, named as Zoom names them.</summary>
    public IReadOnlyDictionary<string, string> Headers => new Dictionary<string, string>
    {
        [ZoomSignature.SignatureHeader] = Signature,
        [ZoomSignature.TimestampHeader] = Timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// Produces deliveries byte for byte as Zoom sends them, for tests, simulators and integrators' own
/// test suites.
/// </summary>
/// <param name="secretToken">The secret token to sign with.</param>
/// <param name="timeProvider">The clock for the timestamp; <see cref="TimeProvider.System"/> by default.</param>
public sealed class ZoomWebhookSigner(string secretToken, TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly string _token = !string.IsNullOrEmpty(secretToken)
        ? secretToken
        : throw new ArgumentException("The secret token is empty: take it from the Zoom app's Features > Event Subscriptions page.", nameof(secretToken));

    /// <summary>Signs raw body bytes at the current time.</summary>
    public SignedDelivery Sign(ReadOnlyMemory<byte> body) => Sign(body, _time.GetUtcNow().ToUnixTimeSeconds());

    /// <summary>Signs raw body bytes at a given Unix-seconds timestamp.</summary>
    public SignedDelivery Sign(ReadOnlyMemory<byte> body, long timestamp) =>
        new(body, timestamp, ZoomSignature.Compute(_token, timestamp, body.Span));

    /// <summary>Serializes an event compactly, as Zoom does, and signs it at the current time.</summary>
    public SignedDelivery Sign(ZoomEvent zoomEvent) => Sign(ZoomJson.SerializeToUtf8Bytes(zoomEvent));

    /// <summary>Answers a URL-validation challenge with this signer's secret.</summary>
    public UrlValidationResponse AnswerChallenge(string plainToken) => new()
    {
        PlainToken = plainToken,
        EncryptedToken = ZoomSignature.ComputeUrlValidationToken(_token, plainToken),
    };
}
