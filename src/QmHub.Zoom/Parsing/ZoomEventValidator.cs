using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using QmHub.Zoom.Models;

namespace QmHub.Zoom.Parsing;

/// <summary>
/// Checks a body against the specification. Errors: a required member missing or empty, any member of the
/// wrong JSON type. Warnings: drift that leaves the event usable (unknown enum values, numbers outside
/// their documented range, phone numbers not in E.164, dates that do not parse).
/// </summary>
internal sealed partial class ZoomEventValidator
{
    private const long MillisecondsThreshold = 100_000_000_000; // 1973 in ms, 5138 in seconds.
    private const string ExpectedEvents =
        $"{ZoomEventNames.InteractionAnalysisCompleted}, {ZoomEventNames.EvaluationCompleted} or {ZoomEventNames.UrlValidation}";
    private const long MinUnixMilliseconds = -62_135_596_800_000; // 0001-01-01, DateTimeOffset.MinValue
    private const long MaxUnixMilliseconds = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z, DateTimeOffset.MaxValue

    private readonly List<ValidationFinding> _findings = [];

    public IReadOnlyList<ValidationFinding> Findings => _findings;

    public bool HasErrors => _findings.Exists(f => f.Severity == FindingSeverity.Error);

    public void AddError(string path, string code, string message) =>
        _findings.Add(new ValidationFinding(path, FindingSeverity.Error, code, message));

    private void AddWarning(string path, string code, string message) =>
        _findings.Add(new ValidationFinding(path, FindingSeverity.Warning, code, message));

    public void Validate(JsonElement root, ZoomEventKind kind, RoutingBasis basis, string? routingNote)
    {
        var eventName = String(root, "event", "", required: true);
        if (basis == RoutingBasis.PayloadShape)
        {
            AddWarning("event", "event", routingNote ?? "routed by payload shape");
        }
        else if (kind == ZoomEventKind.Unknown && eventName is not null)
        {
            AddError("event", "event", eventName.Length == 0
                ? "event is empty and the payload has the shape of no known event"
                : ZoomEventNames.IsQualityManagement(eventName)
                    ? $"'{eventName}' is not a known event and the payload has the shape of no known event; expected {ExpectedEvents}"
                    : $"'{eventName}' is not a Zoom Quality Management event; expected {ExpectedEvents}");
        }

        var eventTs = Integer(root, "event_ts", "", required: true);
        if (eventTs is { } ts)
        {
            if (ts < MinUnixMilliseconds || ts > MaxUnixMilliseconds)
            {
                AddError("event_ts", "range", $"{ts} is outside the dates a timestamp can name (years 1 to 9999); expected Unix milliseconds");
            }
            else if (ts <= 0)
            {
                AddWarning("event_ts", "range", $"{ts} is not a point in time; expected Unix milliseconds");
            }
            else if (ts < MillisecondsThreshold)
            {
                AddWarning("event_ts", "range", $"{ts} looks like Unix seconds; the specification says milliseconds");
            }
        }

        var payload = Object(root, "payload", "", required: true);
        if (payload is not { } p)
        {
            return;
        }

        switch (kind)
        {
            case ZoomEventKind.UrlValidation:
                String(p, "plainToken", "payload", required: true, nonEmpty: true);
                break;
            case ZoomEventKind.InteractionAnalysisCompleted:
                String(p, "account_id", "payload", required: true, nonEmpty: true);
                if (Object(p, "object", "payload", required: true) is { } interaction)
                {
                    ValidateInteraction(interaction, "payload.object");
                }

                break;
            case ZoomEventKind.EvaluationCompleted:
                String(p, "account_id", "payload", required: true, nonEmpty: true);
                if (Object(p, "object", "payload", required: true) is { } evaluation)
                {
                    ValidateEvaluation(evaluation, "payload.object");
                }

                break;
            default:
                OptionalString(p, "account_id", "payload");
                break;
        }
    }

    private void ValidateInteraction(JsonElement o, string path)
    {
        if (String(o, "start_time", path) is { Length: > 0 } start
            && !DateTimeOffset.TryParse(start, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
        {
            AddWarning(Join(path, "start_time"), "format", $"'{start}' is not an ISO 8601 date and time");
        }

        NonNegative(o, "duration", path);
        OptionalString(o, "queue_id", path);
        OptionalString(o, "queue_name", path);
        OptionalString(o, "engagement_id", path);
        OptionalString(o, "direction", path);
        OptionalString(o, "disposition", path);
        NonNegative(o, "silence_event_count", path);
        NonNegative(o, "crosstalk_event_count", path);
        NonNegative(o, "hold_event_count", path);
        OptionalString(o, "primary_language", path);

        if (Object(o, "interaction_info", path, required: true) is { } info)
        {
            var infoPath = Join(path, "interaction_info");
            Phone(info, "from", infoPath);
            Phone(info, "to", infoPath);
            String(info, "interaction_id", infoPath, required: true, nonEmpty: true);
            OptionalString(info, "agent_name", infoPath);
            OptionalString(info, "consumer_name", infoPath);
            Enum(info, "channel_type", infoPath, ChannelType.KnownValues);
            StringArray(info, "associated_ids", infoPath);
        }

        if (Object(o, "summary", path) is { } summary)
        {
            var summaryPath = Join(path, "summary");
            foreach (var name in (ReadOnlySpan<string>)["evaluation_score", "sentiment_score", "engagement_score"])
            {
                InRange(summary, name, summaryPath, 0, 100);
            }
        }
    }

    private void ValidateEvaluation(JsonElement o, string path)
    {
        OptionalString(o, "interaction_id", path);
        var agentUserId = String(o, "agent_user_id", path);
        OptionalString(o, "evaluator_user_id", path);
        String(o, "evaluation_id", path, required: true, nonEmpty: true);

        if (Object(o, "agent_info", path) is { } agent)
        {
            var agentPath = Join(path, "agent_info");
            var infoUserId = String(agent, "agent_user_id", agentPath);
            OptionalString(agent, "display_name", agentPath);
            if (agentUserId is { Length: > 0 } && infoUserId is { Length: > 0 } && agentUserId != infoUserId)
            {
                AddWarning(Join(agentPath, "agent_user_id"), "consistency",
                    $"'{infoUserId}' differs from {Join(path, "agent_user_id")} '{agentUserId}'");
            }
        }

        if (Array(o, "evaluators_info", path) is { } evaluators)
        {
            var i = 0;
            foreach (var item in evaluators.EnumerateArray())
            {
                var itemPath = $"{Join(path, "evaluators_info")}[{i++}]";
                if (item.ValueKind != JsonValueKind.Object)
                {
                    AddError(itemPath, "type", $"expected an object, got {ZoomEventParser.Describe(item.ValueKind)}");
                    continue;
                }

                OptionalString(item, "evaluator_user_id", itemPath);
                OptionalString(item, "display_name", itemPath);
            }
        }

        OptionalString(o, "scorecard_name", path);
        OptionalString(o, "scoring_format", path);
        var total = Number(o, "total_possible_score", path);
        if (total < 0)
        {
            AddWarning(Join(path, "total_possible_score"), "range", $"{Format(total.Value)} is negative");
        }

        var score = Number(o, "evaluation_score", path);
        if (score < 0)
        {
            AddWarning(Join(path, "evaluation_score"), "range", $"{Format(score.Value)} is negative");
        }
        else if (score is { } s && total is { } t && s > t)
        {
            AddWarning(Join(path, "evaluation_score"), "range", $"{Format(s)} exceeds total_possible_score {Format(t)}");
        }

        InRange(o, "evaluation_score_ratio", path, 0, 1);
        Enum(o, "evaluation_type", path, EvaluationType.KnownValues);
    }

    private JsonElement? Member(JsonElement parent, string name, string path, bool required)
    {
        if (parent.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
        {
            return value;
        }

        if (required)
        {
            AddError(Join(path, name), "required", value.ValueKind == JsonValueKind.Null ? "required, but null" : "required");
        }

        return null;
    }

    private JsonElement? Typed(JsonElement parent, string name, string path, bool required, JsonValueKind kind, string expected)
    {
        if (Member(parent, name, path, required) is not { } value)
        {
            return null;
        }

        if (value.ValueKind != kind)
        {
            AddError(Join(path, name), "type", $"expected {expected}, got {ZoomEventParser.Describe(value.ValueKind)}");
            return null;
        }

        return value;
    }

    private JsonElement? Object(JsonElement parent, string name, string path, bool required = false) =>
        Typed(parent, name, path, required, JsonValueKind.Object, "an object");

    private JsonElement? Array(JsonElement parent, string name, string path) =>
        Typed(parent, name, path, required: false, JsonValueKind.Array, "an array");

    private string? String(JsonElement parent, string name, string path, bool required = false, bool nonEmpty = false)
    {
        if (Typed(parent, name, path, required, JsonValueKind.String, "a string") is not { } value)
        {
            return null;
        }

        var text = value.GetString()!;
        if (nonEmpty && string.IsNullOrWhiteSpace(text))
        {
            AddError(Join(path, name), "empty", "required, but empty");
        }

        return text;
    }

    /// <summary>A string member no rule reads: its type is checked without materialising the value.</summary>
    private void OptionalString(JsonElement parent, string name, string path) =>
        _ = Typed(parent, name, path, required: false, JsonValueKind.String, "a string");

    private long? Integer(JsonElement parent, string name, string path, bool required = false)
    {
        if (Typed(parent, name, path, required, JsonValueKind.Number, "an integer") is not { } value)
        {
            return null;
        }

        if (!value.TryGetInt64(out var n))
        {
            AddError(Join(path, name), "type", $"expected an integer, got {value.GetRawText()}");
            return null;
        }

        return n;
    }

    private double? Number(JsonElement parent, string name, string path)
    {
        if (Typed(parent, name, path, required: false, JsonValueKind.Number, "a number") is not { } value)
        {
            return null;
        }

        // 1e400 is valid JSON but reads as infinity, which no score can be and no JSON writer can write back.
        var n = value.GetDouble();
        if (!double.IsFinite(n))
        {
            AddError(Join(path, name), "type", $"expected a finite number, got {value.GetRawText()}");
            return null;
        }

        return n;
    }

    private void NonNegative(JsonElement parent, string name, string path)
    {
        if (Integer(parent, name, path) is < 0 and var n)
        {
            AddWarning(Join(path, name), "range", $"{n} is negative");
        }
    }

    private void InRange(JsonElement parent, string name, string path, double min, double max)
    {
        if (Number(parent, name, path) is { } n && (n < min || n > max))
        {
            AddWarning(Join(path, name), "range", $"{Format(n)} is outside {Format(min)}..{Format(max)}");
        }
    }

    private void Enum(JsonElement parent, string name, string path, IReadOnlyList<string> known)
    {
        if (String(parent, name, path) is { } value && !known.Contains(value, StringComparer.Ordinal))
        {
            AddWarning(Join(path, name), "enum", $"'{value}' is not one of {string.Join(", ", known)}; kept as sent");
        }
    }

    private void Phone(JsonElement parent, string name, string path)
    {
        // The number itself is personal data: the finding says what is wrong, never what was sent.
        if (String(parent, name, path) is { Length: > 0 } value && !E164().IsMatch(value))
        {
            AddWarning(Join(path, name), "e164", $"not an E.164 phone number (+ and 2 to 15 digits, {value.Length} characters sent)");
        }
    }

    private void StringArray(JsonElement parent, string name, string path)
    {
        if (Array(parent, name, path) is not { } array)
        {
            return;
        }

        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                AddError($"{Join(path, name)}[{i}]", "type", $"expected a string, got {ZoomEventParser.Describe(item.ValueKind)}");
            }

            i++;
        }
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\+[1-9][0-9]{1,14}$", RegexOptions.CultureInvariant)]
    private static partial Regex E164();
}
