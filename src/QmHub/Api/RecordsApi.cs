using System.Text.Json;
using System.Text.Json.Serialization;
using QmHub.Keys;
using QmHub.Storage;
using QmHub.Storage.Model;

namespace QmHub.Api;

/// <summary>/api/v1: projected interactions and evaluations, the event log, API keys.</summary>
public static class RecordsApi
{
    private const int DefaultLimit = 50;
    private const int MaxLimit = 500;

    // Stored objects are written back as Zoom wrote them: '+' of phone numbers and non-ASCII text unescaped.
    private static readonly JsonWriterOptions RelaxedJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Maps the routes; every one needs an API key, key management an admin key.</summary>
    public static RouteGroupBuilder MapRecordsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").RequireAuthorization(Policies.Read)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        api.MapGet("/interactions/{interactionId}", GetInteractionAsync).WithTags("Records")
            .WithSummary("The newest version of an interaction, every field as Zoom sent it, with account_id, last_event_ts and its evaluations")
            .Produces(StatusCodes.Status200OK, contentType: "application/json").ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/evaluations/{evaluationId}", GetEvaluationAsync).WithTags("Records")
            .WithSummary("The newest version of an evaluation")
            .Produces(StatusCodes.Status200OK, contentType: "application/json").ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/events", ListEventsAsync).WithTags("Event log")
            .WithSummary("The event log, newest first, with validation findings; keyset pagination by next_cursor; CSV/NDJSON/Parquet export of every page from the cursor on")
            .Produces<Page<StoredEvent>>().Produces(StatusCodes.Status200OK, contentType: "text/csv").ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/events/counts", CountEventsAsync).WithTags("Event log")
            .WithSummary("How many deliveries the event log holds, by status: {\"accepted\": N, \"quarantined\": N}")
            .Produces<EventCounts>();
        api.MapGet("/events/{id:long}/body", GetEventBodyAsync).RequireAuthorization(Policies.Admin).WithTags("Event log")
            .WithSummary("The raw body of a delivery, exactly as received (admin)")
            .Produces(StatusCodes.Status200OK, contentType: "application/json").ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/keys", ListKeysAsync).RequireAuthorization(Policies.Admin).WithTags("Keys")
            .WithSummary("Every API key (never the key itself)").Produces<Page<ApiKeyInfo>>().ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapPost("/keys", CreateKeyAsync).RequireAuthorization(Policies.Admin).WithTags("Keys")
            .WithSummary("Create an API key; the key is in this answer only").Produces<CreatedKey>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapDelete("/keys/{key}", RevokeKeyAsync).RequireAuthorization(Policies.Admin).WithTags("Keys")
            .WithSummary("Revoke a key by id, name or prefix (409 when several active keys match)").Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    private static async Task<IResult> GetInteractionAsync(string interactionId, string? account_id, IQmStore store, CancellationToken ct)
    {
        var found = await store.GetInteractionsAsync(interactionId, account_id, ct);
        if (Single(found, "interaction", interactionId, account_id) is { } problem)
        {
            return problem;
        }

        var record = found[0];
        var evaluations = await store.GetEvaluationsOfInteractionAsync(record.AccountId, interactionId, ct);
        return Results.Bytes(ToJson(record, evaluations), "application/json");
    }

    private static async Task<IResult> GetEvaluationAsync(string evaluationId, string? account_id, IQmStore store, CancellationToken ct)
    {
        var found = await store.GetEvaluationsAsync(evaluationId, account_id, ct);
        return Single(found, "evaluation", evaluationId, account_id) ?? Results.Bytes(ToJson(found[0], null), "application/json");
    }

    private static async Task<IResult> ListEventsAsync(HttpRequest http, string? status, int? limit, string? cursor, string? format, IQmStore store, CancellationToken ct)
    {
        if (!TryParseStatus(status, out var filter))
        {
            return BadRequest($"status must be 'accepted' or 'quarantined', got '{status}'.");
        }

        var take = limit ?? DefaultLimit;
        if (take is < 1 or > MaxLimit)
        {
            return BadRequest($"limit must be between 1 and {MaxLimit}, got {take}.");
        }

        if (Analytics.AnalyticsExport.Resolve(format, http) is not { } export)
        {
            return BadRequest($"format must be json, csv, ndjson or parquet, got '{format}'.");
        }

        try
        {
            var page = await store.ListEventsAsync(filter, cursor, export == Analytics.ExportFormat.Json ? take : MaxLimit, ct);
            if (export != Analytics.ExportFormat.Json)
            {
                return Analytics.AnalyticsExport.Stream(export, AllEventsAsync(store, filter, page, ct), EventTable);
            }

            return Results.Json(new Page<StoredEvent>(page.Items, page.NextCursor), ApiJsonContext.Default.PageStoredEvent);
        }
        catch (FormatException ex)
        {
            return BadRequest(ex.Message);
        }
    }

    private static readonly Analytics.ExportColumn[] EventColumns =
    [
        Analytics.ExportColumn.Whole("id"), Analytics.ExportColumn.Text("received_at"), Analytics.ExportColumn.Text("event"), Analytics.ExportColumn.Text("kind"),
        Analytics.ExportColumn.Text("status"), Analytics.ExportColumn.Text("account_id"), Analytics.ExportColumn.Whole("event_ts"), Analytics.ExportColumn.Text("tracking_id"),
        Analytics.ExportColumn.Text("secret_name"), Analytics.ExportColumn.Whole("body_bytes"), Analytics.ExportColumn.Text("findings"),
    ];

    private static readonly Analytics.ExportTable<StoredEvent> EventTable = new(EventColumns, EventValues, ApiJsonContext.Default.StoredEvent);

    /// <summary>An event as an export row; its findings as "severity code path: message", separated by " | ".</summary>
    private static IEnumerable<object?> EventValues(StoredEvent e) =>
    [
        e.Id, e.ReceivedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture), e.EventName, e.Kind, e.Status, e.AccountId, e.EventTs,
        e.TrackingId, e.SecretName, e.BodyBytes, string.Join(" | ", e.Findings.Select(f => $"{f.Severity} {f.Code} {f.Path}: {f.Message}")),
    ];

    private static async IAsyncEnumerable<StoredEvent> AllEventsAsync(
        IQmStore store, EventStatus? filter, EventPage page, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        while (true)
        {
            foreach (var e in page.Items)
            {
                yield return e;
            }

            if (page.NextCursor is null)
            {
                yield break;
            }

            page = await store.ListEventsAsync(filter, page.NextCursor, MaxLimit, ct);
        }
    }

    private static async Task<IResult> CountEventsAsync(IQmStore store, CancellationToken ct)
    {
        var counts = await store.CountEventsAsync(ct);
        return Results.Json(new EventCounts(counts.GetValueOrDefault(EventStatus.Accepted), counts.GetValueOrDefault(EventStatus.Quarantined)), ApiJsonContext.Default.EventCounts);
    }

    private static async Task<IResult> GetEventBodyAsync(long id, IQmStore store, CancellationToken ct) =>
        await store.GetEventBodyAsync(id, ct) is { } body
            ? Results.Bytes(body, "application/json")
            : Results.Problem(statusCode: 404, title: "Event not found", detail: $"No event with id {id} is in the event log.");

    private static async Task<IResult> ListKeysAsync(IQmStore store, CancellationToken ct) =>
        Results.Json(new Page<ApiKeyInfo>(await store.ListApiKeysAsync(ct), null), ApiJsonContext.Default.PageApiKeyInfo);

    private static async Task<IResult> CreateKeyAsync(CreateKeyRequest request, ApiKeyService keys, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            return BadRequest("name is required.");
        }

        if (!ApiKeyScopes.IsValid(request.Scope ?? ""))
        {
            return BadRequest($"scope must be '{ApiKeyScopes.Read}' or '{ApiKeyScopes.Admin}', got '{request.Scope}'.");
        }

        string key;
        ApiKeyInfo info;
        try
        {
            (key, info) = await keys.CreateAsync(request.Name, request.Scope ?? ApiKeyScopes.Read, ct);
        }
        catch (ArgumentException ex)
        {
            return BadRequest(ex.Message);
        }

        return Results.Json(new CreatedKey(key, info), ApiJsonContext.Default.CreatedKey, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> RevokeKeyAsync(string key, ApiKeyService keys, CancellationToken ct)
    {
        var (revoked, matches) = await keys.RevokeAsync(key, ct);
        return revoked is not null ? Results.NoContent()
            : matches.Count > 1 ? Results.Problem(statusCode: 409, title: "Several keys match",
                detail: $"'{key}' is the id, name or prefix of {matches.Count} active keys ({ApiKeyService.Describe(matches)}); nothing was revoked. Revoke one by its id (GET /api/v1/keys lists them).")
            : Results.Problem(statusCode: 404, title: "Key not found", detail: $"No active API key has the id, name or prefix '{key}'.");
    }

    private static IResult? Single(IReadOnlyList<ProjectedRecord> found, string what, string id, string? accountId)
    {
        if (found.Count == 0)
        {
            var scope = accountId is null ? "" : $" in account '{accountId}'";
            return Results.Problem(statusCode: 404, title: $"Unknown {what}",
                detail: $"No {what} '{id}'{scope} has been received. If Zoom sent it, it may be quarantined: see GET /api/v1/events?status=quarantined.");
        }

        if (found.Count > 1)
        {
            return Results.Problem(statusCode: 409, title: $"Ambiguous {what} id",
                detail: $"The {what} id '{id}' exists in {found.Count} accounts ({string.Join(", ", found.Select(f => f.AccountId))}); add ?account_id=.");
        }

        return null;
    }

    /// <summary>The stored object, member by member as Zoom sent it (duplicates too), plus its key, version and evaluations.</summary>
    private static byte[] ToJson(ProjectedRecord record, IReadOnlyList<ProjectedRecord>? evaluations)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, RelaxedJson))
        {
            Write(writer, record, evaluations);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void Write(Utf8JsonWriter writer, ProjectedRecord record, IReadOnlyList<ProjectedRecord>? evaluations)
    {
        using var stored = JsonDocument.Parse(record.ObjectJson);
        writer.WriteStartObject();
        foreach (var member in stored.RootElement.EnumerateObject())
        {
            member.WriteTo(writer);
        }

        writer.WriteString("account_id", record.AccountId);
        writer.WriteNumber("last_event_ts", record.LastEventTs);
        writer.WriteNumber("event_id", record.EventId);
        if (evaluations is not null)
        {
            writer.WriteStartArray("evaluations");
            foreach (var evaluation in evaluations)
            {
                Write(writer, evaluation, null);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static bool TryParseStatus(string? status, out EventStatus? filter)
    {
        filter = EventStatusNames.TryParse(status, out var parsed) ? parsed : null;
        return filter is not null || string.IsNullOrEmpty(status);
    }

    private static IResult BadRequest(string detail) => Results.Problem(statusCode: 400, title: "Bad request", detail: detail);
}

/// <summary>A list answer: <c>{"items": [...], "next_cursor": ...}</c>.</summary>
public sealed record Page<T>(
    [property: JsonPropertyName("items")] IReadOnlyList<T> Items,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

/// <summary>GET /api/v1/events/counts: deliveries in the event log by status.</summary>
public sealed record EventCounts(
    [property: JsonPropertyName("accepted")] long Accepted,
    [property: JsonPropertyName("quarantined")] long Quarantined);

/// <summary>POST /api/v1/keys body.</summary>
public sealed record CreateKeyRequest(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("scope")] string? Scope);

/// <summary>A new key, shown once.</summary>
public sealed record CreatedKey(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("info")] ApiKeyInfo Info);

/// <summary>Authorization policies.</summary>
public static class Policies
{
    /// <summary>Any valid key.</summary>
    public const string Read = "read";

    /// <summary>An admin key.</summary>
    public const string Admin = "admin";
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(Page<StoredEvent>))]
[JsonSerializable(typeof(Page<ApiKeyInfo>))]
[JsonSerializable(typeof(CreateKeyRequest))]
[JsonSerializable(typeof(CreatedKey))]
[JsonSerializable(typeof(EventCounts))]
[JsonSerializable(typeof(StoredEvent))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
