using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using QmHub.Simulation.Model;

namespace QmHub.Simulation.Generation;

/// <summary>
/// Breaks a valid body the ways real senders break them: a required member missing or empty, or a member
/// of the wrong JSON type. Every mutation is one the specification forbids, so a validating receiver
/// must reject each (QmHub and the library's default handler answer 422).
/// </summary>
internal static class InvalidPayloads
{
    private static readonly JsonSerializerOptions WriteOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private delegate string Mutation(JsonObject root);

    private static readonly Mutation[] Common =
    [
        root => Remove(root, "event_ts"),
        root => Replace(root, "event_ts", root["event_ts"]?.ToJsonString() ?? "0"),
        root => Remove(Obj(root, "payload"), "account_id", "payload."),
        root => Replace(Obj(root, "payload"), "account_id", string.Empty, "payload."),
        root => Replace(Obj(root, "payload"), "account_id", 4_102_557, "payload."),
    ];

    private static readonly Mutation[] Interaction =
    [
        root => Remove(Info(root), "interaction_id", "payload.object.interaction_info."),
        root => Replace(Obj(root, "payload", "object"), "duration", "00:05:12", "payload.object."),
        root => Replace(Obj(root, "payload", "object"), "silence_event_count", "3", "payload.object."),
        root => Replace(Obj(root, "payload", "object"), "summary", new JsonArray(55, 60), "payload.object."),
        root => Replace(Info(root), "associated_ids", "none", "payload.object.interaction_info."),
        root => Replace(Obj(root, "payload", "object"), "interaction_info", "unavailable", "payload.object."),
    ];

    private static readonly Mutation[] Evaluation =
    [
        root => Remove(Obj(root, "payload", "object"), "evaluation_id", "payload.object."),
        root => Replace(Obj(root, "payload", "object"), "evaluation_score_ratio", "0.85", "payload.object."),
        root => Replace(Obj(root, "payload", "object"), "total_possible_score", "100", "payload.object."),
        root => Replace(Obj(root, "payload", "object"), "evaluators_info", new JsonObject { ["evaluator_user_id"] = "x" }, "payload.object."),
        root => Replace(Obj(root, "payload", "object"), "agent_info", new JsonArray("agent"), "payload.object."),
    ];

    public static (byte[] Body, string Reason) Break(ReadOnlyMemory<byte> validBody, DeliveryKind kind, SimRandom random)
    {
        var root = JsonNode.Parse(validBody.Span) as JsonObject
            ?? throw new ArgumentException("A simulated body is always a JSON object.", nameof(validBody));
        var specific = kind == DeliveryKind.InteractionAnalysisCompleted ? Interaction : Evaluation;
        var index = random.Next(0, Common.Length + specific.Length);
        var reason = index < Common.Length ? Common[index](root) : specific[index - Common.Length](root);
        return (JsonSerializer.SerializeToUtf8Bytes(root, WriteOptions), reason);
    }

    private static JsonObject Obj(JsonObject root, params string[] path)
    {
        var node = root;
        foreach (var name in path)
        {
            node = node[name] as JsonObject ?? throw new InvalidOperationException($"A simulated body always has the object '{name}'.");
        }

        return node;
    }

    private static JsonObject Info(JsonObject root) => Obj(root, "payload", "object", "interaction_info");

    private static string Remove(JsonObject parent, string name, string prefix = "")
    {
        parent.Remove(name);
        return $"{prefix}{name} removed";
    }

    /// <summary>Replaces the member in place, so that the member order stays Zoom's and only the value is wrong.</summary>
    private static string Replace(JsonObject parent, string name, JsonNode? value, string prefix = "")
    {
        var index = parent.IndexOf(name);
        if (index < 0)
        {
            parent[name] = value;
        }
        else
        {
            parent.RemoveAt(index);
            parent.Insert(index, name, value);
        }

        var what = value switch
        {
            JsonArray => "an array",
            JsonObject => "an object",
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>().Length == 0 ? "an empty string" : "a string",
            _ => "a number",
        };
        return $"{prefix}{name} is {what}";
    }
}
