using System.Text.Json.Serialization;
using QmHub.Zoom.Parsing;

namespace QmHub.Storage.Model;

/// <summary>Whether a logged delivery feeds the projections.</summary>
public enum EventStatus
{
    /// <summary>Valid (warnings allowed) and projected.</summary>
    Accepted,

    /// <summary>Authentic but unusable: kept with its errors, never projected.</summary>
    Quarantined,
}

/// <summary>The names event statuses have in the database and in the API, in one place.</summary>
public static class EventStatusNames
{
    /// <summary><see cref="EventStatus.Accepted"/>.</summary>
    public const string Accepted = "accepted";

    /// <summary><see cref="EventStatus.Quarantined"/>.</summary>
    public const string Quarantined = "quarantined";

    /// <summary>The status's name.</summary>
    public static string Name(this EventStatus status) => status == EventStatus.Accepted ? Accepted : Quarantined;

    /// <summary>Reads a status name; false for anything else.</summary>
    public static bool TryParse(string? name, out EventStatus status)
    {
        status = name == Accepted ? EventStatus.Accepted : EventStatus.Quarantined;
        return name is Accepted or Quarantined;
    }
}

/// <summary>One verified delivery on its way into the event log.</summary>
public sealed record IncomingEvent
{
    /// <summary>The raw body exactly as received.</summary>
    public required ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>SHA-256 of <see cref="Body"/>: a retry of the same delivery has the same key.</summary>
    public required byte[] DedupKey { get; init; }

    /// <summary>When QmHub received it.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>Zoom's <c>x-zm-trackingid</c>.</summary>
    public string? TrackingId { get; init; }

    /// <summary>The name of the secret that verified it.</summary>
    public string? SecretName { get; init; }

    /// <summary>The parse result of <see cref="Body"/>.</summary>
    public required ZoomEventParseResult Parsed { get; init; }

    /// <summary>Accepted when the body has no validation errors.</summary>
    public EventStatus Status => Parsed.HasErrors ? EventStatus.Quarantined : EventStatus.Accepted;

    // The findings are computed on the receiving request's thread (see FromBody), so the single writer only binds
    // values. The object's JSON is computed when an engine asks for it: SQLite reads it from the event log instead.
    private string? _findingsJson;
    private string? _objectJson;

    /// <summary>The findings as stored: a JSON array.</summary>
    public string FindingsJson => _findingsJson ??= Projection.FindingsJson(Parsed.Findings);

    /// <summary>The <c>payload.object</c> member's raw JSON, for an accepted event; computed on first use.</summary>
    public string? ObjectJson => _objectJson ??= Projection.ProjectedObjectJson(Parsed, Body);

    /// <summary>The body as an array, without a copy when it already is one.</summary>
    internal byte[] BodyArray =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(Body, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : Body.ToArray();

    /// <summary>Computes the deduplication key of a body.</summary>
    public static byte[] ComputeDedupKey(ReadOnlySpan<byte> body) => System.Security.Cryptography.SHA256.HashData(body);

    /// <summary>Builds an incoming event by parsing <paramref name="body"/>.</summary>
    public static IncomingEvent FromBody(ReadOnlyMemory<byte> body, DateTimeOffset receivedAt, string? trackingId = null, string? secretName = null, ZoomEventParseResult? parsed = null)
    {
        var incoming = new IncomingEvent
        {
            Body = body,
            DedupKey = ComputeDedupKey(body.Span),
            ReceivedAt = receivedAt,
            TrackingId = trackingId,
            SecretName = secretName,
            Parsed = parsed ?? ZoomEventParser.Parse(body),
        };
        _ = incoming.FindingsJson;
        return incoming;
    }
}

/// <summary>What the store did with one <see cref="IncomingEvent"/>.</summary>
/// <param name="EventId">The event log id (of the earlier copy, for a duplicate).</param>
/// <param name="Status">The stored status.</param>
/// <param name="Duplicate">Whether the same body was already in the log.</param>
/// <param name="Findings">The stored findings (of the earlier copy, for a duplicate).</param>
public sealed record AppendResult(long EventId, EventStatus Status, bool Duplicate, IReadOnlyList<ValidationFinding> Findings);

/// <summary>A row of the event log, without the body.</summary>
public sealed record StoredEvent
{
    [JsonPropertyName("id")] public required long Id { get; init; }
    [JsonPropertyName("received_at")] public required DateTimeOffset ReceivedAt { get; init; }
    [JsonPropertyName("tracking_id")] public string? TrackingId { get; init; }
    [JsonPropertyName("secret_name")] public string? SecretName { get; init; }
    [JsonPropertyName("event")] public string? EventName { get; init; }
    [JsonPropertyName("kind")] public required string Kind { get; init; }
    [JsonPropertyName("routing_note")] public string? RoutingNote { get; init; }
    [JsonPropertyName("account_id")] public string? AccountId { get; init; }
    [JsonPropertyName("event_ts")] public long? EventTs { get; init; }
    [JsonPropertyName("status")] public required string Status { get; init; }
    [JsonPropertyName("dedup_key")] public required string DedupKey { get; init; }
    [JsonPropertyName("body_bytes")] public required long BodyBytes { get; init; }
    [JsonPropertyName("findings")] public required IReadOnlyList<StoredFinding> Findings { get; init; }
}

/// <summary>A validation finding as stored and served.</summary>
public sealed record StoredFinding(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("severity")] string Severity,
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message)
{
    public static StoredFinding From(ValidationFinding f) =>
        new(f.Path, f.Severity == FindingSeverity.Error ? "error" : "warning", f.Code, f.Message);

    public ValidationFinding ToFinding() =>
        new(Path, Severity == "error" ? FindingSeverity.Error : FindingSeverity.Warning, Code, Message);

    /// <inheritdoc />
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>A page of the event log, newest first.</summary>
public sealed record EventPage(IReadOnlyList<StoredEvent> Items, string? NextCursor);

/// <summary>A projected record: the stored event object plus its key and version.</summary>
/// <param name="AccountId">The account.</param>
/// <param name="Id">The interaction or evaluation id.</param>
/// <param name="LastEventTs">The <c>event_ts</c> of the version kept.</param>
/// <param name="EventId">The event log id of that version.</param>
/// <param name="ObjectJson">The event's <c>payload.object</c> exactly as received.</param>
public sealed record ProjectedRecord(string AccountId, string Id, long LastEventTs, long EventId, string ObjectJson);

/// <summary>An API key's stored description (never the key itself).</summary>
public sealed record ApiKeyInfo
{
    [JsonPropertyName("id")] public required long Id { get; init; }
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("prefix")] public required string Prefix { get; init; }
    [JsonPropertyName("scope")] public required string Scope { get; init; }
    [JsonPropertyName("created_at")] public required DateTimeOffset CreatedAt { get; init; }
    [JsonPropertyName("revoked_at")] public DateTimeOffset? RevokedAt { get; init; }
}

/// <summary>Progress of a rebuild of the projections.</summary>
/// <param name="Done">Events processed so far.</param>
/// <param name="Total">Events in the log.</param>
public readonly record struct ReprojectProgress(long Done, long Total);

/// <summary>The outcome of a rebuild.</summary>
public sealed record ReprojectResult(long Events, long Accepted, long Quarantined, long Interactions, long Evaluations);
