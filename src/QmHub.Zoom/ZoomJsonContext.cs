using System.Text.Json.Serialization;
using QmHub.Zoom.Models;

namespace QmHub.Zoom;

/// <summary>
/// Source-generated System.Text.Json metadata for every wire model: snake_case names, compact output,
/// absent optional members stay absent, no reflection at run time.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false)]
[JsonSerializable(typeof(InteractionAnalysisCompletedEvent))]
[JsonSerializable(typeof(EvaluationCompletedEvent))]
[JsonSerializable(typeof(UrlValidationEvent))]
[JsonSerializable(typeof(UrlValidationResponse))]
public sealed partial class ZoomJsonContext : JsonSerializerContext;
