using System.Text.Json;
using System.Text.Json.Serialization;

namespace QmHub.Zoom.Models;

/// <summary>
/// Fields every Zoom webhook body carries. Members Zoom adds that this library does not yet know are
/// kept in <see cref="AdditionalProperties"/> so that a parse-then-write round trip loses nothing.
/// </summary>
public abstract record ZoomEvent
{
    /// <summary>The name of the event (<c>event</c>).</summary>
    public required string Event { get; init; }

    /// <summary>When the event occurred, Unix time in milliseconds (<c>event_ts</c>).</summary>
    public required long EventTs { get; init; }

    /// <summary>Members of the body that the specification does not name.</summary>
    /// <remarks>
    /// Settable rather than init-only on every model: the source generator treats init-only members as
    /// constructor parameters, and extension data cannot bind to one (every deserialization threw).
    /// </remarks>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }

    /// <summary><see cref="EventTs"/> as a point in time.</summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <see cref="EventTs"/> names no date from year 1 to 9999; <see cref="Parsing.ZoomEventParser"/> never returns such an event (it is an error there).
    /// </exception>
    [JsonIgnore]
    public DateTimeOffset OccurredAt => DateTimeOffset.FromUnixTimeMilliseconds(EventTs);
}

/// <summary><c>quality_management.interaction_analysis_completed</c>.</summary>
public sealed record InteractionAnalysisCompletedEvent : ZoomEvent
{
    /// <summary>The event payload.</summary>
    [JsonPropertyOrder(1)] // after the base record's event and event_ts, as Zoom writes it
    public required InteractionAnalysisPayload Payload { get; init; }
}

/// <summary>The payload of <see cref="InteractionAnalysisCompletedEvent"/>.</summary>
public sealed record InteractionAnalysisPayload
{
    /// <summary>The account ID of the user who recorded the interaction.</summary>
    public required string AccountId { get; init; }

    /// <summary>Information about the interaction.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "The specification names this member 'object'.")]
    public required InteractionAnalysis Object { get; init; }

    /// <summary>Members the specification does not name.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

/// <summary>An analysed interaction. Member order follows Zoom's published example, which is the order Zoom writes.</summary>
public sealed record InteractionAnalysis
{
    /// <summary>The start time of the interaction (ISO 8601 as sent).</summary>
    public string? StartTime { get; init; }

    /// <summary>The interaction duration in seconds.</summary>
    public long? Duration { get; init; }

    /// <summary>The ID of the queue.</summary>
    public string? QueueId { get; init; }

    /// <summary>The name of the queue.</summary>
    public string? QueueName { get; init; }

    /// <summary>The engagement ID.</summary>
    public string? EngagementId { get; init; }

    /// <summary>The direction (for example inbound or outbound).</summary>
    public string? Direction { get; init; }

    /// <summary>The disposition.</summary>
    public string? Disposition { get; init; }

    /// <summary>The count of silence events.</summary>
    public long? SilenceEventCount { get; init; }

    /// <summary>The count of crosstalk events.</summary>
    public long? CrosstalkEventCount { get; init; }

    /// <summary>The count of hold events.</summary>
    public long? HoldEventCount { get; init; }

    /// <summary>The primary language.</summary>
    public string? PrimaryLanguage { get; init; }

    /// <summary>The interaction information.</summary>
    public required InteractionInfo InteractionInfo { get; init; }

    /// <summary>The summary scores.</summary>
    public InteractionSummary? Summary { get; init; }

    /// <summary>Members the specification does not name.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }

    /// <summary><see cref="StartTime"/> parsed, or <see langword="null"/> when absent or not a valid date.</summary>
    [JsonIgnore]
    public DateTimeOffset? StartedAt =>
        DateTimeOffset.TryParse(StartTime, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var value) ? value : null;
}

/// <summary>Who took part in an interaction and over which channel.</summary>
public sealed record InteractionInfo
{
    /// <summary>The caller's phone number in E.164 format. Personal data.</summary>
    public string? From { get; init; }

    /// <summary>The recipient's phone number in E.164 format. Personal data.</summary>
    public string? To { get; init; }

    /// <summary>The interaction ID.</summary>
    public required string InteractionId { get; init; }

    /// <summary>The agent name.</summary>
    public string? AgentName { get; init; }

    /// <summary>The consumer name. Personal data.</summary>
    public string? ConsumerName { get; init; }

    /// <summary>The channel type.</summary>
    public ChannelType? ChannelType { get; init; }

    /// <summary>The associated interaction IDs (transfers, follow-ups).</summary>
    public IReadOnlyList<string>? AssociatedIds { get; init; }

    /// <summary>Members the specification does not name.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

/// <summary>Summary scores of an interaction, each 0-100.</summary>
public sealed record InteractionSummary
{
    /// <summary>The evaluation score.</summary>
    public double? EvaluationScore { get; init; }

    /// <summary>The sentiment score (about 50 is neutral).</summary>
    public double? SentimentScore { get; init; }

    /// <summary>The engagement score.</summary>
    public double? EngagementScore { get; init; }

    /// <summary>Members the specification does not name.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

/// <summary><c>quality_management.evaluation_completed</c>.</summary>
public sealed record EvaluationCompletedEvent : ZoomEvent
{
    /// <summary>The event payload.</summary>
    [JsonPropertyOrder(1)] // after the base record's event and event_ts, as Zoom writes it
    public required EvaluationPayload Payload { get; init; }
}

/// <summary>The payload of <see cref="EvaluationCompletedEvent"/>.</summary>
public sealed record EvaluationPayload
{
    /// <summary>The account ID of the user who recorded the interaction.</summary>
    public required string AccountId { get; init; }

    /// <summary>The evaluation.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "The specification names this member 'object'.")]
    public required Evaluation Object { get; init; }

    /// <summary>Members the specification does not name.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

/// <summary>A completed evaluation. Member order follows Zoom's published example.</summary>
public sealed record Evaluation
{
    /// <summary>The evaluated interaction's ID.</summary>
    public string? InteractionId { get; init; }

    /// <summary>The agent's user ID.</summary>
    public string? AgentUserId { get; init; }

    /// <summary>The evaluator's user ID.</summary>
    public string? EvaluatorUserId { get; init; }

    /// <summary>The evaluation's ID.</summary>
    public required string EvaluationId { get; init; }

    /// <summary>The agent information.</summary>
    public AgentInfo? AgentInfo { get; init; }

    /// <summary>The evaluators' information.</summary>
    public IReadOnlyList<EvaluatorInfo>? EvaluatorsInfo { get; init; }

    /// <summary>The scorecard's name.</summary>
    public string? ScorecardName { get; init; }

    /// <summary>The scoring format of the scorecard.</summary>
    public string? ScoringFormat { get; init; }

    /// <summary>The maximum possible score for this evaluation.</summary>
    public double? TotalPossibleScore { get; init; }

    /// <summary>The overall score, calculated from the scorecard and answers.</summary>
    public double? EvaluationScore { get; init; }

    /// <summary>The score as a ratio 0.00-1.00.</summary>
    public double? EvaluationScoreRatio { get; init; }

    /// <summary>Manual or automated scoring.</summary>
    public EvaluationType? EvaluationType { get; init; }

    /// <summary>Members the specification does not name.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

/// <summary>The evaluated agent.</summary>
public sealed record AgentInfo
{
    /// <summary>The agent's user ID.</summary>
    public string? AgentUserId { get; init; }

    /// <summary>The agent's name.</summary>
    public string? DisplayName { get; init; }

    /// <summary>Members the specification does not name.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

/// <summary>One evaluator of an evaluation.</summary>
public sealed record EvaluatorInfo
{
    /// <summary>The evaluator's user ID.</summary>
    public string? EvaluatorUserId { get; init; }

    /// <summary>The evaluator's name.</summary>
    public string? DisplayName { get; init; }

    /// <summary>Members the specification does not name.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

/// <summary><c>endpoint.url_validation</c>: Zoom asks the endpoint to prove it holds the secret token.</summary>
public sealed record UrlValidationEvent : ZoomEvent
{
    /// <summary>The challenge.</summary>
    [JsonPropertyOrder(1)] // after the base record's event and event_ts, as Zoom writes it
    public required UrlValidationPayload Payload { get; init; }
}

/// <summary>The challenge's payload. Zoom spells this member in camelCase.</summary>
public sealed record UrlValidationPayload
{
    /// <summary>The random token to be hashed with the secret token.</summary>
    [JsonPropertyName("plainToken")]
    public required string PlainToken { get; init; }

    /// <summary>Members the specification does not name.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

/// <summary>The answer to <see cref="UrlValidationEvent"/>: <c>{"plainToken": ..., "encryptedToken": ...}</c>.</summary>
public sealed record UrlValidationResponse
{
    /// <summary>The challenge's token, echoed.</summary>
    [JsonPropertyName("plainToken")]
    public required string PlainToken { get; init; }

    /// <summary>Lowercase hex HMAC-SHA256 of <see cref="PlainToken"/> under the secret token.</summary>
    [JsonPropertyName("encryptedToken")]
    public required string EncryptedToken { get; init; }
}
