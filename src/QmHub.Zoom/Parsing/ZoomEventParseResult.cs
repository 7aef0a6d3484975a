using System.Diagnostics.CodeAnalysis;
using QmHub.Zoom.Models;

namespace QmHub.Zoom.Parsing;

/// <summary>The outcome of reading one delivery body: never an exception, always a list of findings.</summary>
public sealed record ZoomEventParseResult
{
    /// <summary>Which event this is after routing.</summary>
    public required ZoomEventKind Kind { get; init; }

    /// <summary>What decided <see cref="Kind"/>.</summary>
    public required RoutingBasis RoutedBy { get; init; }

    /// <summary>Why routing did not simply follow the <c>event</c> member, when it did not.</summary>
    public string? RoutingNote { get; init; }

    /// <summary>The <c>event</c> member exactly as sent, when it was a string.</summary>
    public string? EventName { get; init; }

    /// <summary>The <c>event_ts</c> member (Unix milliseconds), when it was an integer.</summary>
    public long? EventTs { get; init; }

    /// <summary>The <c>payload.account_id</c> member, when it was a string.</summary>
    public string? AccountId { get; init; }

    /// <summary>
    /// The <c>payload.object</c> member's JSON exactly as received (UTF-8), when it is an object; empty otherwise.
    /// When the body was parsed from bytes, this is a slice of those bytes, not a copy.
    /// </summary>
    public ReadOnlyMemory<byte> PayloadObjectJson { get; init; }

    /// <summary>Whether the body was syntactically valid JSON.</summary>
    public required bool IsJson { get; init; }

    /// <summary>Every error and warning, in document order.</summary>
    public required IReadOnlyList<ValidationFinding> Findings { get; init; }

    /// <summary>The typed event; <see langword="null"/> exactly when <see cref="HasErrors"/> is true.</summary>
    public ZoomEvent? Event { get; init; }

    /// <summary>Whether any finding is an error (the event is not usable); when there is none, <see cref="Event"/> is set.</summary>
    [MemberNotNullWhen(false, nameof(Event))]
    public bool HasErrors
    {
        get
        {
            // Read on every delivery's hot path: a plain loop, no enumerator or delegate.
            for (var i = 0; i < Findings.Count; i++)
            {
                if (Findings[i].Severity == FindingSeverity.Error)
                {
                    return true;
                }
            }

            // The parser sets Event whenever there is no error; a result built by hand without one is not usable either.
            return Event is null;
        }
    }

    /// <summary>The errors alone.</summary>
    public IEnumerable<ValidationFinding> Errors => Findings.Where(f => f.Severity == FindingSeverity.Error);

    /// <summary>The warnings alone.</summary>
    public IEnumerable<ValidationFinding> Warnings => Findings.Where(f => f.Severity == FindingSeverity.Warning);
}
