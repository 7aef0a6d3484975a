using System.Diagnostics.CodeAnalysis;

namespace QmHub.Zoom.Signing;

/// <summary>Why a delivery was not accepted as authentic.</summary>
public enum ZoomVerificationFailure
{
    /// <summary>Verified.</summary>
    None,
    /// <summary>No <c>x-zm-signature</c> header.</summary>
    MissingSignature,
    /// <summary>The signature header is not <c>v0=</c> followed by 64 lowercase hex digits.</summary>
    MalformedSignature,
    /// <summary>No <c>x-zm-request-timestamp</c> header.</summary>
    MissingTimestamp,
    /// <summary>The timestamp header is not a whole number of Unix seconds.</summary>
    MalformedTimestamp,
    /// <summary>The timestamp is further from now than the tolerance allows.</summary>
    StaleTimestamp,
    /// <summary>No configured secret produces the signature.</summary>
    SignatureMismatch,
    /// <summary>The verifier has no secret to check with.</summary>
    NoSecretsConfigured,
}

/// <summary>The outcome of checking one delivery's signature, with everything a person needs to debug a failure.</summary>
public sealed record ZoomVerificationResult
{
    /// <summary>Whether the delivery is authentic and fresh (then <see cref="MatchedSecret"/> names the secret that signed it).</summary>
    [MemberNotNullWhen(true, nameof(MatchedSecret))]
    public bool Succeeded => Failure == ZoomVerificationFailure.None;

    /// <summary>What went wrong, or <see cref="ZoomVerificationFailure.None"/>.</summary>
    public required ZoomVerificationFailure Failure { get; init; }

    /// <summary>A message that says what failed and how to fix it; never contains a secret.</summary>
    public required string Message { get; init; }

    /// <summary>The secret that verified the delivery.</summary>
    public ZoomSecret? MatchedSecret { get; init; }

    /// <summary>The names of the secrets that were tried.</summary>
    public IReadOnlyList<string> TriedSecrets { get; init; } = [];

    /// <summary>The signed timestamp, when the header parsed.</summary>
    public long? Timestamp { get; init; }

    /// <summary>Seconds between the signed timestamp and now (positive: the timestamp is in the past).</summary>
    public long? SkewSeconds { get; init; }

    /// <summary>The number of body bytes that were verified.</summary>
    public int BodyLength { get; init; }
}
