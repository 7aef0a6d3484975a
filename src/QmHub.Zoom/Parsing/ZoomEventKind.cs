namespace QmHub.Zoom.Parsing;

/// <summary>Which event a delivery is, after routing.</summary>
public enum ZoomEventKind
{
    /// <summary>Neither the name nor the shape identifies a known event.</summary>
    Unknown,

    /// <summary><c>quality_management.interaction_analysis_completed</c>.</summary>
    InteractionAnalysisCompleted,

    /// <summary><c>quality_management.evaluation_completed</c>.</summary>
    EvaluationCompleted,

    /// <summary><c>endpoint.url_validation</c>.</summary>
    UrlValidation,
}

/// <summary>What the routing decision was based on.</summary>
public enum RoutingBasis
{
    /// <summary>The <c>event</c> member named a known event that agrees with the payload.</summary>
    EventName,

    /// <summary>The <c>event</c> member was empty, unknown or contradicted the payload, so the payload's shape decided.</summary>
    PayloadShape,

    /// <summary>Nothing identified the event.</summary>
    None,
}

/// <summary>Maps between <see cref="ZoomEventKind"/> and wire names.</summary>
public static class ZoomEventKinds
{
    /// <summary>The wire name of a kind, or <see langword="null"/> for <see cref="ZoomEventKind.Unknown"/>.</summary>
    public static string? ToEventName(this ZoomEventKind kind) => kind switch
    {
        ZoomEventKind.InteractionAnalysisCompleted => ZoomEventNames.InteractionAnalysisCompleted,
        ZoomEventKind.EvaluationCompleted => ZoomEventNames.EvaluationCompleted,
        ZoomEventKind.UrlValidation => ZoomEventNames.UrlValidation,
        _ => null,
    };

    /// <summary>The kind a wire name denotes, or <see cref="ZoomEventKind.Unknown"/>.</summary>
    public static ZoomEventKind FromEventName(string? name) => name switch
    {
        ZoomEventNames.InteractionAnalysisCompleted => ZoomEventKind.InteractionAnalysisCompleted,
        ZoomEventNames.EvaluationCompleted => ZoomEventKind.EvaluationCompleted,
        ZoomEventNames.UrlValidation => ZoomEventKind.UrlValidation,
        _ => ZoomEventKind.Unknown,
    };
}
