using Microsoft.AspNetCore.Http;
using QmHub.Zoom.Parsing;
using QmHub.Zoom.Signing;

namespace QmHub.Zoom.AspNetCore;

/// <summary>One authentic delivery, as received and as understood.</summary>
public sealed record ZoomWebhookDelivery
{
    /// <summary>The raw body bytes exactly as received (and verified).</summary>
    public required ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>The routing, findings and typed event.</summary>
    public required ZoomEventParseResult Parsed { get; init; }

    /// <summary>The signature check that admitted the delivery, with the matching secret.</summary>
    public required ZoomVerificationResult Verification { get; init; }

    /// <summary>The <c>x-zm-trackingid</c> header, when Zoom sent one.</summary>
    public string? TrackingId { get; init; }

    /// <summary>When the request was received.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The HTTP request context.</summary>
    public required HttpContext HttpContext { get; init; }
}
