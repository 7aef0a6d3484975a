using System.Text.Json;

namespace QmHub.Zoom.Parsing;

/// <summary>Recognises an event by the members its payload carries, independently of its <c>event</c> name.</summary>
internal static class ZoomEventShape
{
    private static readonly string[] EvaluationMarkers =
        ["evaluation_id", "evaluation_type", "evaluation_score_ratio", "evaluators_info", "evaluator_user_id", "scorecard_name", "total_possible_score", "agent_info"];

    private static readonly string[] InteractionMarkers =
        ["interaction_info", "summary", "silence_event_count", "crosstalk_event_count", "hold_event_count", "engagement_id"];

    // Members many Zoom objects have (a meeting has a start_time and a duration): they weigh in only beside a marker above.
    private static readonly string[] InteractionSupport = ["queue_id", "duration", "start_time"];

    public static ZoomEventKind Detect(JsonElement root)
    {
        if (!root.TryGetProperty("payload", out var payload) || payload.ValueKind != JsonValueKind.Object)
        {
            return ZoomEventKind.Unknown;
        }

        if (payload.TryGetProperty("plainToken", out _))
        {
            return ZoomEventKind.UrlValidation;
        }

        if (!payload.TryGetProperty("object", out var obj) || obj.ValueKind != JsonValueKind.Object)
        {
            return ZoomEventKind.Unknown;
        }

        var evaluation = Count(obj, EvaluationMarkers);
        var interaction = Count(obj, InteractionMarkers);
        if (interaction > 0)
        {
            interaction += Count(obj, InteractionSupport);
        }

        return evaluation == interaction
            ? ZoomEventKind.Unknown
            : evaluation > interaction ? ZoomEventKind.EvaluationCompleted : ZoomEventKind.InteractionAnalysisCompleted;
    }

    private static int Count(JsonElement obj, string[] markers)
    {
        var n = 0;
        foreach (var marker in markers)
        {
            if (obj.TryGetProperty(marker, out _))
            {
                n++;
            }
        }

        return n;
    }
}
