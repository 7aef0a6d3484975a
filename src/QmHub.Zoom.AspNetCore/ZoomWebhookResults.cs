using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using QmHub.Zoom.Parsing;

namespace QmHub.Zoom.AspNetCore;

/// <summary>The answers the endpoint gives, for handlers that build their own.</summary>
public static class ZoomWebhookResults
{
    /// <summary>200 with the event itself as body, which is the specification's response schema.</summary>
    public static IResult Acknowledge(ReadOnlyMemory<byte> body) => Results.Bytes(body, "application/json");

    /// <summary>400 when the body is not JSON, 422 when it fails validation; problem details list every error as <c>path: message</c>.</summary>
    public static IResult Invalid(ZoomEventParseResult parsed)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        var errors = parsed.Errors.Select(f => f.ToString()).ToArray();
        return parsed.IsJson
            ? Problem(StatusCodes.Status422UnprocessableEntity, "The event does not match the Zoom QM specification",
                $"{errors.Length} error(s): {string.Join("; ", errors)}", errors)
            : Problem(StatusCodes.Status400BadRequest, "The body is not JSON", string.Join("; ", errors), errors);
    }

    internal static IResult Problem(int status, string title, string detail, IEnumerable<string>? errors = null) =>
        Results.Problem(
            statusCode: status,
            title: title,
            detail: detail,
            extensions: errors is null ? null : new Dictionary<string, object?> { ["errors"] = errors.ToArray() });
}

/// <summary>Metadata for the problem details the endpoint writes (its <c>errors</c> extension is a string array).</summary>
[JsonSerializable(typeof(ProblemDetails))]
[JsonSerializable(typeof(HttpValidationProblemDetails))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class ZoomProblemJsonContext : JsonSerializerContext;
