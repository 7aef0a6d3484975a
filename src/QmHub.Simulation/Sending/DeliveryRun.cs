namespace QmHub.Simulation;

/// <summary>How <see cref="ZoomDeliverySender"/> sends.</summary>
public sealed record DeliverySenderOptions
{
    /// <summary>Zoom's request timeout: an answer that takes longer counts as not acknowledged.</summary>
    public static readonly TimeSpan ZoomRequestTimeout = TimeSpan.FromSeconds(3);

    /// <summary>The endpoint to POST to.</summary>
    public required Uri Url { get; init; }

    /// <summary>The webhook secret token the deliveries are signed with.</summary>
    public required string SecretToken { get; init; }

    /// <summary>First attempts per second; 0 (default) sends as fast as <see cref="MaxConcurrency"/> allows.</summary>
    public double RatePerSecond { get; init; }

    /// <summary>Requests in flight at most. Default 8.</summary>
    public int MaxConcurrency { get; init; } = 8;

    /// <summary>The waits before retries of what was not acknowledged. Default <see cref="RetrySchedule.Zoom"/>.</summary>
    public RetrySchedule Retry { get; init; } = RetrySchedule.Zoom;

    /// <summary>How long one attempt may take before it counts as failed. Default 3 s, as Zoom.</summary>
    public TimeSpan RequestTimeout { get; init; } = ZoomRequestTimeout;

    /// <summary>Whether deliveries tagged <see cref="DeliveryFault.BadSignature"/> or <see cref="DeliveryFault.StaleTimestamp"/> are signed wrongly (default) or correctly.</summary>
    public bool ApplySigningFaults { get; init; } = true;

    /// <summary>How far in the past a stale delivery is signed. Default 15 minutes.</summary>
    public TimeSpan StaleBy { get; init; } = DeliverySigner.DefaultStaleBy;

    /// <summary>The least time between two progress reports. Default 200 ms.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Whether the receiver acknowledges authentic deliveries that fail validation, as QmHub does (it keeps them
    /// in quarantine and answers 200). Off: they are expected to be refused, as the receiver library's default (422).
    /// </summary>
    public bool ReceiverKeepsInvalidPayloads { get; init; }

    /// <summary>Whether <see cref="DeliveryRunSummary.Outcomes"/> lists every delivery (memory grows with the run). Default off.</summary>
    public bool KeepOutcomes { get; init; }

    /// <summary>Every setting that is out of range, each message naming the setting.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Url.IsAbsoluteUri || Url.Scheme is not ("http" or "https"))
        {
            errors.Add($"{nameof(Url)} must be an absolute http or https URL (got '{Url}').");
        }

        if (string.IsNullOrEmpty(SecretToken))
        {
            errors.Add($"{nameof(SecretToken)} is required: the deliveries are signed with it.");
        }

        if (!(RatePerSecond >= 0))
        {
            errors.Add($"{nameof(RatePerSecond)} must be 0 (unlimited) or positive (got {RatePerSecond}).");
        }

        if (MaxConcurrency < 1)
        {
            errors.Add($"{nameof(MaxConcurrency)} must be at least 1 (got {MaxConcurrency}).");
        }

        if (RequestTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(RequestTimeout)} must be positive (got {RequestTimeout}).");
        }

        return errors;
    }
}

/// <summary>Where a run stands, reported while it goes.</summary>
/// <param name="Started">Deliveries whose first attempt has started.</param>
/// <param name="Completed">Deliveries finished: acknowledged, or rejected after the last retry.</param>
/// <param name="Acknowledged">Deliveries answered 2xx.</param>
/// <param name="Failed">Deliveries given up on.</param>
/// <param name="Retries">Retry attempts made so far.</param>
/// <param name="WaitingForRetry">Deliveries waiting for their next retry.</param>
/// <param name="Total">How many deliveries the run has, when the caller knows.</param>
/// <param name="Elapsed">Time since the run started.</param>
public sealed record SimulationProgress(long Started, long Completed, long Acknowledged, long Failed, long Retries, long WaitingForRetry, long? Total, TimeSpan Elapsed)
{
    /// <summary>Completed deliveries per second so far.</summary>
    public double CompletedPerSecond => Elapsed > TimeSpan.Zero ? Completed / Elapsed.TotalSeconds : 0;
}

/// <summary>What happened to one delivery.</summary>
/// <param name="Sequence">The delivery's <see cref="SimulatedDelivery.Sequence"/>.</param>
/// <param name="TrackingId">Its <c>x-zm-trackingid</c>.</param>
/// <param name="Fault">Its injected faults.</param>
/// <param name="ExpectedAcknowledged">Whether a receiver that verifies and validates should have acknowledged it.</param>
/// <param name="StatusCode">The last answer's status code; <see langword="null"/> when the last attempt got no answer.</param>
/// <param name="Attempts">Attempts made (1 + retries).</param>
/// <param name="Error">Why the last attempt got no answer (connection refused, timeout), when it did not.</param>
public sealed record DeliveryOutcome(long Sequence, string TrackingId, DeliveryFault Fault, bool ExpectedAcknowledged, int? StatusCode, int Attempts, string? Error)
{
    /// <summary>Whether the endpoint acknowledged it (2xx).</summary>
    public bool Acknowledged => StatusCode is >= 200 and < 300;
}

/// <summary>The end of a run: what was sent, how the endpoint answered, how fast.</summary>
public sealed record DeliveryRunSummary
{
    /// <summary>Deliveries sent (each counted once, however many attempts it took).</summary>
    public required long Sent { get; init; }

    /// <summary>Deliveries acknowledged (2xx), at the first attempt or a retry.</summary>
    public required long Acknowledged { get; init; }

    /// <summary>Deliveries given up on, by the status code of their last answer.</summary>
    public required IReadOnlyDictionary<int, long> RejectedByStatus { get; init; }

    /// <summary>Deliveries given up on whose last attempt got no answer (network error or timeout).</summary>
    public required long NetworkFailures { get; init; }

    /// <summary>Those deliveries by why their last attempt got no answer ("no answer within 3 s", "ConnectionError: ...").</summary>
    public IReadOnlyDictionary<string, long> NetworkFailureReasons { get; init; } = new Dictionary<string, long>();

    /// <summary>Every answer of every attempt, by status code.</summary>
    public required IReadOnlyDictionary<int, long> AnswersByStatus { get; init; }

    /// <summary>Attempts in all (first attempts and retries).</summary>
    public required long Attempts { get; init; }

    /// <summary>Retry attempts.</summary>
    public required long Retries { get; init; }

    /// <summary>Deliveries whose fate differs from what a verifying, validating receiver should do (acknowledged though faulty, or rejected though faithful).</summary>
    public required long Unexpected { get; init; }

    /// <summary>The median time to an answer, over every attempt that got one or timed out (counted at the time it waited).</summary>
    public required TimeSpan LatencyP50 { get; init; }

    /// <summary>The 99th-percentile time to an answer.</summary>
    public required TimeSpan LatencyP99 { get; init; }

    /// <summary>Wall-clock time of the run.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>The faults the sent deliveries carried, each against its population.</summary>
    public required IReadOnlyList<FaultRate> Faults { get; init; }

    /// <summary>Every delivery's outcome in completion order, when <see cref="DeliverySenderOptions.KeepOutcomes"/> is on; otherwise empty.</summary>
    public required IReadOnlyList<DeliveryOutcome> Outcomes { get; init; }

    /// <summary>Whether the run was stopped by its cancellation token before every delivery finished.</summary>
    public bool Canceled { get; init; }

    /// <summary>Deliveries given up on (or unfinished when <see cref="Canceled"/>), whatever the reason.</summary>
    public long Failed => Sent - Acknowledged;
}
