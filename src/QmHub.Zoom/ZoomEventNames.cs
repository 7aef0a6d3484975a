namespace QmHub.Zoom;

/// <summary>The <c>event</c> names Zoom sends to a Quality Management webhook endpoint.</summary>
public static class ZoomEventNames
{
    /// <summary>An interaction was analysed (sentiment, engagement, behaviour counts).</summary>
    public const string InteractionAnalysisCompleted = "quality_management.interaction_analysis_completed";

    /// <summary>An evaluation (manual or automated scorecard) was completed.</summary>
    public const string EvaluationCompleted = "quality_management.evaluation_completed";

    /// <summary>Whether <paramref name="eventName"/> is in Zoom's Quality Management namespace (<c>quality_management.</c>).</summary>
    internal static bool IsQualityManagement(string eventName) => eventName.StartsWith("quality_management.", StringComparison.Ordinal);

    /// <summary>Zoom's challenge that proves the endpoint knows the secret token.</summary>
    public const string UrlValidation = "endpoint.url_validation";
}
