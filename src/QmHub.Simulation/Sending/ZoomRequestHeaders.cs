using System.Globalization;
using QmHub.Zoom.Signing;

namespace QmHub.Simulation;

/// <summary>The headers of one Zoom webhook request, in the order Zoom sends them.</summary>
/// <param name="Timestamp">The <c>x-zm-request-timestamp</c> (Unix seconds) that was signed.</param>
/// <param name="Signature">The <c>x-zm-signature</c> (<c>v0=</c> + 64 hex digits).</param>
/// <param name="TrackingId">The <c>x-zm-trackingid</c>, or <see langword="null"/> to send none.</param>
public sealed record ZoomRequestHeaders(long Timestamp, string Signature, string? TrackingId)
{
    /// <summary>The <c>content-type</c> Zoom sends.</summary>
    public const string ContentType = "application/json; charset=utf-8";

    /// <summary>The <c>User-Agent</c> Zoom sends.</summary>
    public const string UserAgent = "Zoom Marketplace/1.0a";

    /// <summary>Every header as name and value, content headers included.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> All
    {
        get
        {
            var headers = new List<KeyValuePair<string, string>>
            {
                new("content-type", ContentType),
                new("user-agent", UserAgent),
                new(ZoomSignature.TimestampHeader, Timestamp.ToString(CultureInfo.InvariantCulture)),
                new(ZoomSignature.SignatureHeader, Signature),
            };
            if (TrackingId is not null)
            {
                headers.Add(new(ZoomSignature.TrackingIdHeader, TrackingId));
            }

            return headers;
        }
    }

    /// <summary>A request that carries <paramref name="body"/> with these headers, ready for <see cref="HttpClient.SendAsync(HttpRequestMessage, CancellationToken)"/>.</summary>
    public HttpRequestMessage ToRequest(Uri url, ReadOnlyMemory<byte> body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ReadOnlyMemoryContent(body) };
        foreach (var (name, value) in All)
        {
            // Added without validation so that the values go out exactly as Zoom writes them.
            _ = name == "content-type"
                ? request.Content.Headers.TryAddWithoutValidation(name, value)
                : request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }
}

/// <summary>
/// Signs deliveries as Zoom does, at the current time, and applies the signing faults a delivery is
/// tagged with: <see cref="DeliveryFault.BadSignature"/> signs with a different secret,
/// <see cref="DeliveryFault.StaleTimestamp"/> signs a timestamp <see cref="StaleBy"/> in the past.
/// </summary>
/// <param name="secretToken">The webhook secret token.</param>
/// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> by default.</param>
public sealed class DeliverySigner(string secretToken, TimeProvider? timeProvider = null)
{
    /// <summary>How far in the past a stale timestamp is: 15 minutes, three times the usual tolerance.</summary>
    public static readonly TimeSpan DefaultStaleBy = TimeSpan.FromMinutes(15);

    private readonly string _secret = !string.IsNullOrEmpty(secretToken) ? secretToken : throw new ArgumentException("A secret token is required to sign deliveries.", nameof(secretToken));
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>How far in the past a <see cref="DeliveryFault.StaleTimestamp"/> delivery is signed.</summary>
    public TimeSpan StaleBy { get; init; } = DefaultStaleBy;

    /// <summary>Whether the signing faults a delivery is tagged with are applied (default). Off, every delivery is signed correctly.</summary>
    public bool ApplyFaults { get; init; } = true;

    /// <summary>Signs <paramref name="body"/> at the current time.</summary>
    public ZoomRequestHeaders Sign(ReadOnlyMemory<byte> body, string? trackingId) => Sign(body, trackingId, DeliveryFault.None);

    /// <summary>Signs a delivery at the current time, with its faults when <see cref="ApplyFaults"/> is on.</summary>
    public ZoomRequestHeaders Sign(SimulatedDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return Sign(delivery.Body, delivery.TrackingId, ApplyFaults ? delivery.Fault : DeliveryFault.None);
    }

    private ZoomRequestHeaders Sign(ReadOnlyMemory<byte> body, string? trackingId, DeliveryFault fault)
    {
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        if (fault.HasFlag(DeliveryFault.StaleTimestamp))
        {
            timestamp -= (long)StaleBy.TotalSeconds;
        }

        var secret = fault.HasFlag(DeliveryFault.BadSignature) ? _secret + "-not-the-configured-secret" : _secret;
        return new ZoomRequestHeaders(timestamp, ZoomSignature.Compute(secret, timestamp, body.Span), trackingId);
    }
}
