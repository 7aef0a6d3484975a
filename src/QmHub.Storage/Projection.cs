using System.Text.Json;
using QmHub.Storage.Model;
using QmHub.Zoom.Models;

namespace QmHub.Storage;

/// <summary>The columns a projected row gets from an accepted event, computed once for every engine.</summary>
internal static class Projection
{
    /// <summary>
    /// The <c>payload.object</c> JSON of an event that feeds a projection (a valid interaction or evaluation), else null:
    /// the bytes the parser kept, not a second parse of the body.
    /// </summary>
    public static string? ProjectedObjectJson(Zoom.Parsing.ZoomEventParseResult parsed, ReadOnlyMemory<byte> body) =>
        !parsed.HasErrors && parsed.Event is Zoom.Models.InteractionAnalysisCompletedEvent or Zoom.Models.EvaluationCompletedEvent
            ? parsed.PayloadObjectJson.IsEmpty ? ObjectJson(body) : System.Text.Encoding.UTF8.GetString(parsed.PayloadObjectJson.Span)
            : null;

    /// <summary>
    /// Parses <paramref name="body"/> for its <c>payload.object</c>, exactly as received: for a parse result built without the
    /// parser, and for SQLite's record reads, which cut the object out of the event body (no projection keeps a copy there).
    /// </summary>
    public static string ObjectJson(ReadOnlyMemory<byte> body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("payload").GetProperty("object").GetRawText();
    }

    /// <summary>The stored form of no findings, which is what almost every delivery has.</summary>
    public const string NoFindingsJson = "[]";

    public static string FindingsJson(IReadOnlyList<Zoom.Parsing.ValidationFinding> findings) =>
        findings.Count == 0 ? NoFindingsJson : JsonSerializer.Serialize(findings.Select(StoredFinding.From).ToList(), StorageJsonContext.Default.ListStoredFinding);

    public static List<StoredFinding> ParseFindings(string json) =>
        JsonSerializer.Deserialize(json, StorageJsonContext.Default.ListStoredFinding) ?? [];

    public static long? StartMs(InteractionAnalysis o) => o.StartedAt?.ToUnixTimeMilliseconds();

    public static string KindName(Zoom.Parsing.ZoomEventKind kind) => kind switch
    {
        Zoom.Parsing.ZoomEventKind.InteractionAnalysisCompleted => "interaction_analysis_completed",
        Zoom.Parsing.ZoomEventKind.EvaluationCompleted => "evaluation_completed",
        Zoom.Parsing.ZoomEventKind.UrlValidation => "url_validation",
        _ => "unknown",
    };


    public static EventStatus ParseStatus(string status) =>
        EventStatusNames.TryParse(status, out var parsed) ? parsed : throw new InvalidDataException($"The database holds an unknown event status '{status}'.");

    public static string? EncodeCursor(long? id) => id?.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static long? DecodeCursor(string? cursor) =>
        string.IsNullOrEmpty(cursor) ? null
        : long.TryParse(cursor, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id
        : throw new FormatException($"cursor '{cursor}' is not one this API returned; pass next_cursor from the previous page unchanged");
}
