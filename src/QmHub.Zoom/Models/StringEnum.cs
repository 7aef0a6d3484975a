using System.Text.Json;
using System.Text.Json.Serialization;

namespace QmHub.Zoom.Models;

/// <summary>
/// The channel over which an interaction took place. Zoom documents a closed set of values, but new
/// channels appear in real traffic before documentation catches up, so any string is kept as it came.
/// </summary>
[JsonConverter(typeof(ChannelTypeJsonConverter))]
public readonly record struct ChannelType(string Value)
{
    /// <summary>The value as sent; empty for <c>default(ChannelType)</c>.</summary>
    public string Value { get => field ?? string.Empty; init => field = value; } = Value;

    /// <summary>Video call.</summary>
    public static readonly ChannelType Video = new("VIDEO");
    /// <summary>Manually created interaction.</summary>
    public static readonly ChannelType Manual = new("MANUAL");
    /// <summary>SMS conversation.</summary>
    public static readonly ChannelType Sms = new("SMS");
    /// <summary>Voice call.</summary>
    public static readonly ChannelType Audio = new("AUDIO");
    /// <summary>Web chat conversation.</summary>
    public static readonly ChannelType WebChat = new("WEB_CHAT");

    /// <summary>The values the specification lists.</summary>
    public static IReadOnlyList<string> KnownValues { get; } = ["VIDEO", "MANUAL", "SMS", "AUDIO", "WEB_CHAT"];

    /// <summary>Whether the value is one the specification lists.</summary>
    public bool IsKnown => KnownValues.Contains(Value, StringComparer.Ordinal);

    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>Whether an evaluation was scored by a person or automatically. Unknown values are kept.</summary>
[JsonConverter(typeof(EvaluationTypeJsonConverter))]
public readonly record struct EvaluationType(string Value)
{
    /// <summary>The value as sent; empty for <c>default(EvaluationType)</c>.</summary>
    public string Value { get => field ?? string.Empty; init => field = value; } = Value;

    /// <summary>Scored by a person.</summary>
    public static readonly EvaluationType Manual = new("MANUAL");
    /// <summary>Scored automatically.</summary>
    public static readonly EvaluationType Automated = new("AUTOMATED");

    /// <summary>The values the specification lists.</summary>
    public static IReadOnlyList<string> KnownValues { get; } = ["MANUAL", "AUTOMATED"];

    /// <summary>Whether the value is one the specification lists.</summary>
    public bool IsKnown => KnownValues.Contains(Value, StringComparer.Ordinal);

    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>Reads and writes <see cref="ChannelType"/> as its plain string.</summary>
public sealed class ChannelTypeJsonConverter : JsonConverter<ChannelType>
{
    /// <inheritdoc />
    public override ChannelType Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new(reader.GetString() ?? string.Empty);

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, ChannelType value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.Value);
    }
}

/// <summary>Reads and writes <see cref="EvaluationType"/> as its plain string.</summary>
public sealed class EvaluationTypeJsonConverter : JsonConverter<EvaluationType>
{
    /// <inheritdoc />
    public override EvaluationType Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new(reader.GetString() ?? string.Empty);

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, EvaluationType value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.Value);
    }
}
