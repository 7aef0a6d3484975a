using System.Text.Encodings.Web;
using System.Text.Json;
using QmHub.Zoom.Models;

namespace QmHub.Zoom;

/// <summary>Serialization of the wire models exactly as Zoom writes them: compact UTF-8 JSON, member order of the spec.</summary>
public static class ZoomJson
{
    // The default encoder escapes '+' (every E.164 number) and all non-ASCII text; Zoom sends both as is.
    private static readonly ZoomJsonContext Context = new(new JsonSerializerOptions(ZoomJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>The source-generated context with Zoom's escaping rules.</summary>
    public static ZoomJsonContext Default => Context;

    /// <summary>Writes an interaction event as compact UTF-8 JSON.</summary>
    public static byte[] SerializeToUtf8Bytes(InteractionAnalysisCompletedEvent value) =>
        JsonSerializer.SerializeToUtf8Bytes(value, Context.InteractionAnalysisCompletedEvent);

    /// <summary>Writes an evaluation event as compact UTF-8 JSON.</summary>
    public static byte[] SerializeToUtf8Bytes(EvaluationCompletedEvent value) =>
        JsonSerializer.SerializeToUtf8Bytes(value, Context.EvaluationCompletedEvent);

    /// <summary>Writes a URL-validation challenge as compact UTF-8 JSON.</summary>
    public static byte[] SerializeToUtf8Bytes(UrlValidationEvent value) =>
        JsonSerializer.SerializeToUtf8Bytes(value, Context.UrlValidationEvent);

    /// <summary>Writes any of the event types as compact UTF-8 JSON.</summary>
    public static byte[] SerializeToUtf8Bytes(ZoomEvent value) => value switch
    {
        InteractionAnalysisCompletedEvent e => SerializeToUtf8Bytes(e),
        EvaluationCompletedEvent e => SerializeToUtf8Bytes(e),
        UrlValidationEvent e => SerializeToUtf8Bytes(e),
        null => throw new ArgumentNullException(nameof(value)),
        _ => throw new ArgumentException($"Unsupported event type {value.GetType().Name}.", nameof(value)),
    };
}
