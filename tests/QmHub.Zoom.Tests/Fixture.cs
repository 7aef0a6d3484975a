using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using QmHub.Zoom.Parsing;

namespace QmHub.Zoom.Tests;

/// <summary>Reads the files under Fixtures/ and derives variants of them for one rule at a time.</summary>
internal static class Fixture
{
    public const string Interaction = "events/interaction_analysis_completed.json";
    public const string Evaluation = "events/evaluation_completed.json";
    public const string EvaluationWithWrongName = "events/evaluation_completed.doc-wrong-name.json";
    public const string UrlValidation = "events/url_validation.json";
    public const string SpecInteraction = "spec/interaction_analysis_completed.example.json";
    public const string SpecEvaluation = "spec/evaluation_completed.example.json";

    public static byte[] Bytes(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    public static string Text(string name) => Encoding.UTF8.GetString(Bytes(name));

    public static JsonNode Node(string name) =>
        JsonNode.Parse(Bytes(name)) ?? throw new InvalidOperationException($"{name} is JSON null");

    /// <summary>The fixture written compactly, as Zoom sends it.</summary>
    public static byte[] Compact(string name) => Encoding.UTF8.GetBytes(Node(name).ToJsonString(Relaxed));

    /// <summary>The fixture with the member at a dotted <paramref name="path"/> set to <paramref name="value"/> (JSON text).</summary>
    public static byte[] With(string name, string path, string value)
    {
        var root = Node(name);
        var (parent, member) = Locate(root, path);
        parent[member] = JsonNode.Parse(value);
        return Encoding.UTF8.GetBytes(root.ToJsonString(Relaxed));
    }

    /// <summary>The fixture without the member at a dotted <paramref name="path"/>.</summary>
    public static byte[] Without(string name, string path)
    {
        var root = Node(name);
        var (parent, member) = Locate(root, path);
        if (!parent.Remove(member))
        {
            throw new InvalidOperationException($"{name} has no member {path}");
        }

        return Encoding.UTF8.GetBytes(root.ToJsonString(Relaxed));
    }

    public static ZoomEventParseResult Parse(byte[] body) => ZoomEventParser.Parse(body);

    public static ZoomEventParseResult Parse(string name) => ZoomEventParser.Parse(Bytes(name));

    /// <summary>Structural JSON equality: member order ignored, numbers compared by value.</summary>
    public static void AssertJsonEqual(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual)
    {
        using var e = JsonDocument.Parse(expected.ToArray());
        using var a = JsonDocument.Parse(actual.ToArray());
        Assert.True(JsonElement.DeepEquals(e.RootElement, a.RootElement),
            $"JSON differs.\nexpected: {Encoding.UTF8.GetString(expected)}\nactual:   {Encoding.UTF8.GetString(actual)}");
    }

    public static string Seconds(long timestamp) => timestamp.ToString(CultureInfo.InvariantCulture);

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static (JsonObject Parent, string Member) Locate(JsonNode root, string path)
    {
        var parts = path.Split('.');
        var node = root;
        foreach (var part in parts[..^1])
        {
            node = node.AsObject()[part] ?? throw new InvalidOperationException($"no member {part} on the way to {path}");
        }

        return (node.AsObject(), parts[^1]);
    }
}

/// <summary>A clock that stands still, so that tolerance edges are exact.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_764_000_000);

    public FixedClock()
        : this(Now)
    {
    }

    public override DateTimeOffset GetUtcNow() => now;
}
