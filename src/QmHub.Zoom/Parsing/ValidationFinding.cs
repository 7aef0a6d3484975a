namespace QmHub.Zoom.Parsing;

/// <summary>How much a finding matters.</summary>
public enum FindingSeverity
{
    /// <summary>Recorded, never blocks: real traffic drifts from the specification.</summary>
    Warning,

    /// <summary>The event cannot be used (a required member is missing, a member has the wrong JSON type).</summary>
    Error,
}

/// <summary>One precise statement about a delivery, located by a JSON path such as <c>payload.object.interaction_info.interaction_id</c>.</summary>
/// <param name="Path">Dotted path from the body's root; array items as <c>[i]</c>; <c>$</c> for the body itself.</param>
/// <param name="Severity">Error or warning.</param>
/// <param name="Code">A stable machine-readable code: <c>required</c>, <c>type</c>, <c>empty</c>, <c>enum</c>, <c>e164</c>, <c>range</c>, <c>format</c>, <c>json</c>, <c>event</c>.</param>
/// <param name="Message">What is wrong, for a person.</param>
public sealed record ValidationFinding(string Path, FindingSeverity Severity, string Code, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path}: {Message}";
}
