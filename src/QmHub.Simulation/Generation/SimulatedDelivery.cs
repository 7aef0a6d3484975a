using QmHub.Zoom.Models;

namespace QmHub.Simulation;

/// <summary>What a delivery carries.</summary>
public enum DeliveryKind
{
    /// <summary><c>quality_management.interaction_analysis_completed</c>.</summary>
    InteractionAnalysisCompleted,

    /// <summary><c>quality_management.evaluation_completed</c>.</summary>
    EvaluationCompleted,
}

/// <summary>
/// Faults injected into a delivery. A delivery may carry several (an out-of-order version can also be
/// stale); <see cref="None"/> means it is exactly what Zoom would send.
/// </summary>
[Flags]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "A fault tag, not a .NET exception type.")]
public enum DeliveryFault
{
    /// <summary>A faithful delivery.</summary>
    None = 0,

    /// <summary>A second delivery of bytes already delivered.</summary>
    Duplicate = 1,

    /// <summary>An older version of an interaction, delivered after a newer one.</summary>
    OutOfOrder = 2,

    /// <summary>An evaluation delivered before the interaction it evaluates.</summary>
    EvaluationBeforeInteraction = 4,

    /// <summary>A body that breaks the specification (the receiver should answer 422).</summary>
    InvalidPayload = 8,

    /// <summary>Signed with the wrong secret (the receiver should answer 401).</summary>
    BadSignature = 16,

    /// <summary>Signed with a timestamp older than the receiver's tolerance (the receiver should answer 401).</summary>
    StaleTimestamp = 32,
}

/// <summary>One webhook delivery of the simulated Zoom: the exact body and what it means.</summary>
public sealed record SimulatedDelivery
{
    /// <summary>Position in the stream, from 1.</summary>
    public required long Sequence { get; init; }

    /// <summary>Which event the body is (or, for an invalid payload, was before it was broken).</summary>
    public required DeliveryKind Kind { get; init; }

    /// <summary>The typed event; <see langword="null"/> when the body is an invalid payload.</summary>
    public ZoomEvent? Event { get; init; }

    /// <summary>The exact body bytes: compact UTF-8 JSON in the specification's member order.</summary>
    public required ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>When Zoom would send it, on the simulated clock, to the millisecond (a delayed delivery is later than its <c>event_ts</c>).</summary>
    public required DateTimeOffset ScheduledAt { get; init; }

    /// <summary>The <c>x-zm-trackingid</c> header value.</summary>
    public required string TrackingId { get; init; }

    /// <summary>The injected faults, or <see cref="DeliveryFault.None"/>.</summary>
    public required DeliveryFault Fault { get; init; }

    /// <summary>The Zoom account the event belongs to.</summary>
    public required string AccountId { get; init; }

    /// <summary>The interaction the event is about (an evaluation's evaluated interaction).</summary>
    public required string InteractionId { get; init; }

    /// <summary>For an invalid payload, what was broken (for example <c>payload.account_id removed</c>).</summary>
    public string? InvalidReason { get; init; }

    /// <summary>Whether a receiver that verifies and validates as QmHub does should acknowledge it (2xx).</summary>
    public bool ExpectAcknowledged =>
        (Fault & (DeliveryFault.BadSignature | DeliveryFault.StaleTimestamp | DeliveryFault.InvalidPayload)) == DeliveryFault.None;
}
