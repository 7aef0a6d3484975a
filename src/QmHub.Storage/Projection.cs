using System.Text.Json;
using QmHub.Storage.Model;
using QmHub.Zoom.Models;

namespace QmHub.Storage;

/// <summary>The columns a projected row gets from an accepted event, computed once for every engine.</summary>
internal static class Projection
{
    public static string ObjectJson(ReadOnlyMemory<byte> body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("payload").GetProperty("object").GetRawText();
    }

    /// <summary>The <c>payload.object</c> JSON of an event that feeds a projection (a valid interaction or evaluation), else null.</summary>
    public static string? ProjectedObjectJson(Zoom.Parsing.ZoomEventParseResult parsed, ReadOnlyMemory<byte> body) =>
        !parsed.HasErrors && parsed.Event is Zoom.Models.InteractionAnalysisCompletedEvent or Zoom.Models.EvaluationCompletedEvent
            ? ObjectJson(body)
            : null;

    public static string FindingsJson(IEnumerable<StoredFinding> findings) =>
        JsonSerializer.Serialize(findings.ToList(), StorageJsonContext.Default.ListStoredFinding);

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
