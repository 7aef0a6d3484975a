using System.Text.Json;
using QmHub.Zoom.Models;

namespace QmHub.Zoom.Parsing;

/// <summary>
/// Reads a delivery body: routes it (by <c>event</c>, or by payload shape when the name is empty, an unknown
/// <c>quality_management.</c> event, or contradicts the shape), validates it against the specification, and, when no error was found,
/// deserializes it into its typed model. Never throws on any input.
/// </summary>
public static class ZoomEventParser
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    /// <summary>Parses, routes and validates a raw delivery body.</summary>
    public static ZoomEventParseResult Parse(ReadOnlyMemory<byte> body)
    {
        // JsonDocument checks UTF-8 only when a string is read, which would throw mid-validation.
        if (!System.Text.Unicode.Utf8.IsValid(body.Span))
        {
            return NotJson("the body is not valid JSON: it is not valid UTF-8");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException ex)
        {
            return NotJson($"the body is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            return Parse(document.RootElement, body);
        }
    }

    /// <summary>Parses, routes and validates an already parsed body.</summary>
    public static ZoomEventParseResult Parse(JsonElement root) => Parse(root, source: null);

    /// <param name="root">The parsed body.</param>
    /// <param name="source">The bytes <paramref name="root"/> was parsed from, when known: <c>payload.object</c> is then a slice of them, not a copy.</param>
    private static ZoomEventParseResult Parse(JsonElement root, ReadOnlyMemory<byte>? source)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return new ZoomEventParseResult
            {
                Kind = ZoomEventKind.Unknown,
                RoutedBy = RoutingBasis.None,
                IsJson = true,
                Findings = [new ValidationFinding("$", FindingSeverity.Error, "type", $"expected a JSON object, got {Describe(root.ValueKind)}")],
            };
        }

        var eventName = root.TryGetProperty("event", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        var (kind, basis, note) = Route(eventName, ZoomEventShape.Detect(root));
        var validator = new ZoomEventValidator();
        validator.Validate(root, kind, basis, note);

        ZoomEvent? typed = null;
        if (!validator.HasErrors)
        {
            typed = Deserialize(root, kind, validator);
        }

        return new ZoomEventParseResult
        {
            Kind = kind,
            RoutedBy = basis,
            RoutingNote = note,
            EventName = eventName,
            EventTs = root.TryGetProperty("event_ts", out var ts) && ts.ValueKind == JsonValueKind.Number && ts.TryGetInt64(out var tsValue) ? tsValue : null,
            AccountId = root.TryGetProperty("payload", out var p) && p.ValueKind == JsonValueKind.Object
                && p.TryGetProperty("account_id", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null,
            PayloadObjectJson = p.ValueKind == JsonValueKind.Object && p.TryGetProperty("object", out var o) && o.ValueKind == JsonValueKind.Object
                ? RawJson(o, source)
                : ReadOnlyMemory<byte>.Empty,
            IsJson = true,
            Findings = validator.Findings,
            Event = typed,
        };
    }

    /// <summary>The element's JSON exactly as received: a slice of <paramref name="source"/> when the element lies in it, else a copy.</summary>
    private static ReadOnlyMemory<byte> RawJson(JsonElement element, ReadOnlyMemory<byte>? source)
    {
        var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(element);
        return source is { } bytes && bytes.Span.Overlaps(raw, out var offset) && offset >= 0 && offset + raw.Length <= bytes.Length
            ? bytes.Slice(offset, raw.Length)
            : raw.ToArray();
    }

    private static (ZoomEventKind Kind, RoutingBasis Basis, string? Note) Route(string? eventName, ZoomEventKind shape)
    {
        var named = ZoomEventKinds.FromEventName(eventName);
        if (named != ZoomEventKind.Unknown && (shape == ZoomEventKind.Unknown || shape == named))
        {
            return (named, RoutingBasis.EventName, null);
        }

        // Another Zoom product's event (meeting.ended, contact_center.*) is not a QM event, whatever members its object shares.
        if (shape == ZoomEventKind.Unknown
            || (named == ZoomEventKind.Unknown && !string.IsNullOrEmpty(eventName) && !ZoomEventNames.IsQualityManagement(eventName)))
        {
            return (ZoomEventKind.Unknown, RoutingBasis.None, null);
        }

        var shapeName = shape.ToEventName();
        var note = string.IsNullOrEmpty(eventName)
            ? $"event is empty; routed by payload shape to {shapeName}"
            : named == ZoomEventKind.Unknown
                ? $"event '{eventName}' is not a known event; routed by payload shape to {shapeName}"
                : $"event '{eventName}' contradicts the payload, which has the shape of {shapeName}; routed by payload shape";
        return (shape, RoutingBasis.PayloadShape, note);
    }

    private static ZoomEvent? Deserialize(JsonElement root, ZoomEventKind kind, ZoomEventValidator validator)
    {
        try
        {
            return kind switch
            {
                ZoomEventKind.InteractionAnalysisCompleted => root.Deserialize(ZoomJson.Default.InteractionAnalysisCompletedEvent),
                ZoomEventKind.EvaluationCompleted => root.Deserialize(ZoomJson.Default.EvaluationCompletedEvent),
                ZoomEventKind.UrlValidation => root.Deserialize(ZoomJson.Default.UrlValidationEvent),
                _ => null,
            };
        }
        catch (JsonException ex)
        {
            // The validator checks every member the models bind, so this is a defence, not a path we expect.
            validator.AddError(ex.Path ?? "$", "type", ex.Message);
            return null;
        }
    }

    private static ZoomEventParseResult NotJson(string message) => new()
    {
        Kind = ZoomEventKind.Unknown,
        RoutedBy = RoutingBasis.None,
        IsJson = false,
        Findings = [new ValidationFinding("$", FindingSeverity.Error, "json", message)],
    };

    internal static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
