using System.Text.Json.Serialization;
using QmHub.Zoom.Models;

namespace QmHub.Zoom;

/// <summary>
/// Source-generated System.Text.Json metadata for every wire model: snake_case names, compact output,
/// absent optional members stay absent, no reflection at run time.
/// </summary>
/// <remarks>
/// Serialize through <see cref="ZoomJson"/> (<c>ZoomJson.Default</c>, <c>ZoomJson.SerializeToUtf8Bytes</c>), not this
/// class's generated <c>Default</c>: that one escapes <c>+</c> and every non-ASCII character (System.Text.Json's default
/// encoder), so its bytes differ from what Zoom sends and a signature computed over them does not match.
/// </remarks>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false)]
[JsonSerializable(typeof(InteractionAnalysisCompletedEvent))]
[JsonSerializable(typeof(EvaluationCompletedEvent))]
[JsonSerializable(typeof(UrlValidationEvent))]
[JsonSerializable(typeof(UrlValidationResponse))]
public sealed partial class ZoomJsonContext : JsonSerializerContext;
