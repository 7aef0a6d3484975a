using QmHub.Storage.Model;
using QmHub.Zoom.Models;
using QmHub.Zoom.Parsing;

namespace QmHub.Storage;

/// <summary>
/// One value bound to a statement parameter named like its column. <see cref="Type"/> is the value's CLR
/// type even when <see cref="Value"/> is null, so a typed engine (PostgreSQL) can bind a typed null.
/// </summary>
internal readonly record struct Column(string Name, object? Value, Type Type)
{
    public static Column Of(string name, string? value) => new(name, value, typeof(string));

    public static Column Of(string name, long? value) => new(name, value, typeof(long));

    public static Column Of(string name, double? value) => new(name, value, typeof(double));

    public static Column Of(string name, byte[] value) => new(name, value, typeof(byte[]));
}

/// <summary>Which projection a row belongs to.</summary>
internal enum ProjectionTable
{
    Interactions,
    Evaluations,
}

/// <summary>A row of a projection: its key, its version and every column, ready for an engine's upsert.</summary>
internal sealed record ProjectionRow(ProjectionTable Table, string AccountId, string Id, IReadOnlyList<Column> Columns);

/// <summary>A logged event as read back for a rebuild of the projections.</summary>
internal sealed record LoggedEvent(long Id, byte[] Body, string Status, string FindingsJson);

/// <summary>A logged event's body parsed again by the current parser.</summary>
/// <param name="Parsed">The new parse result.</param>
/// <param name="Status">The status it gives.</param>
/// <param name="Changed">Whether the stored status or findings differ, so the event row needs <see cref="Columns"/> written.</param>
/// <param name="Columns">The event row's re-derived columns, <c>id</c> included.</param>
internal sealed record Revalidation(ZoomEventParseResult Parsed, EventStatus Status, bool Changed, IReadOnlyList<Column> Columns);

/// <summary>
/// What every engine writes, derived in one place: the columns of an event row, of a projection row, and of a
/// re-validated event. Engines differ only in how they bind and run them.
/// </summary>
internal static class StoredRows
{
    /// <summary>The columns of a new event log row.</summary>
    public static Column[] Event(IncomingEvent e)
    {
        var parsed = e.Parsed;
        return
        [
            Column.Of("dedup_key", e.DedupKey),
            Column.Of("received_at", e.ReceivedAt.ToUnixTimeMilliseconds()),
            Column.Of("tracking_id", e.TrackingId),
            Column.Of("secret_name", e.SecretName),
            Column.Of("event_name", parsed.EventName),
            Column.Of("kind", Projection.KindName(parsed.Kind)),
            Column.Of("routing_note", parsed.RoutingNote),
            Column.Of("account_id", parsed.AccountId),
            Column.Of("event_ts", parsed.EventTs),
            Column.Of("status", e.Status.Name()),
            Column.Of("findings", e.FindingsJson),
            Column.Of("body", e.BodyArray),
        ];
    }

    /// <summary>
    /// The projection row an accepted event gives, or <see langword="null"/> for an event that projects nothing.
    /// <paramref name="objectJson"/> is the <c>object_json</c> column, left out when null (an engine that reads the object
    /// from the event log).
    /// </summary>
    public static ProjectionRow? Projected(ZoomEvent? zoomEvent, long eventId, string? objectJson) => zoomEvent switch
    {
        InteractionAnalysisCompletedEvent e => Interaction(e, eventId, objectJson),
        EvaluationCompletedEvent e => Evaluation(e, eventId, objectJson),
        _ => null,
    };

    // The object_json column last, when the engine keeps one; without it, the array as built (no copy).
    /// <summary>The largest count or duration (seconds) a projection keeps: sums over ten million rows still fit a 64-bit integer.</summary>
    public const long MaxCount = 1_000_000_000;

    /// <summary>
    /// A documented score range's value, or null outside it (a warning at ingest). The event log and the record API keep
    /// the value as sent; analytics leave it out, so one 1e308 cannot make every sum infinite (and every report a 500).
    /// </summary>
    private static double? Within(double? value, double min, double max) => value is { } v && double.IsFinite(v) && v >= min && v <= max ? v : null;

    /// <summary>A count or duration, or null when negative or past <see cref="MaxCount"/> (an integer sum would overflow).</summary>
    private static long? Count(long? value) => value is >= 0 and <= MaxCount ? value : null;

    private static Column[] WithObject(Column[] columns, string? objectJson) => objectJson is null ? columns : [.. columns, Column.Of("object_json", objectJson)];

    /// <summary>Parses a logged body again and tells whether its stored validation is out of date.</summary>
    public static Revalidation Revalidate(LoggedEvent row)
    {
        var parsed = ZoomEventParser.Parse(row.Body);
        var status = parsed.HasErrors ? EventStatus.Quarantined : EventStatus.Accepted;
        var findingsJson = Projection.FindingsJson(parsed.Findings);
        var changed = status.Name() != row.Status || findingsJson != row.FindingsJson;
        return new Revalidation(parsed, status, changed,
        [
            Column.Of("id", row.Id),
            Column.Of("status", status.Name()),
            Column.Of("findings", findingsJson),
            Column.Of("kind", Projection.KindName(parsed.Kind)),
            Column.Of("routing_note", parsed.RoutingNote),
            Column.Of("event_name", parsed.EventName),
            Column.Of("account_id", parsed.AccountId),
            Column.Of("event_ts", parsed.EventTs),
        ]);
    }

    private static ProjectionRow Interaction(InteractionAnalysisCompletedEvent e, long eventId, string? objectJson)
    {
        var o = e.Payload.Object;
        return new ProjectionRow(ProjectionTable.Interactions, e.Payload.AccountId, o.InteractionInfo.InteractionId, WithObject(
        [
            Column.Of("account_id", e.Payload.AccountId),
            Column.Of("interaction_id", o.InteractionInfo.InteractionId),
            Column.Of("last_event_ts", e.EventTs),
            Column.Of("event_id", eventId),
            Column.Of("start_time", o.StartTime),
            Column.Of("start_ms", Projection.StartMs(o)),
            Column.Of("duration", Count(o.Duration)),
            Column.Of("queue_id", o.QueueId),
            Column.Of("queue_name", o.QueueName),
            Column.Of("engagement_id", o.EngagementId),
            Column.Of("direction", o.Direction),
            Column.Of("disposition", o.Disposition),
            Column.Of("silence_event_count", Count(o.SilenceEventCount)),
            Column.Of("crosstalk_event_count", Count(o.CrosstalkEventCount)),
            Column.Of("hold_event_count", Count(o.HoldEventCount)),
            Column.Of("primary_language", o.PrimaryLanguage),
            Column.Of("agent_name", o.InteractionInfo.AgentName),
            Column.Of("channel_type", o.InteractionInfo.ChannelType?.Value),
            Column.Of("evaluation_score", Within(o.Summary?.EvaluationScore, 0, 100)),
            Column.Of("sentiment_score", Within(o.Summary?.SentimentScore, 0, 100)),
            Column.Of("engagement_score", Within(o.Summary?.EngagementScore, 0, 100)),
        ], objectJson));
    }

    private static ProjectionRow Evaluation(EvaluationCompletedEvent e, long eventId, string? objectJson)
    {
        var v = e.Payload.Object;
        return new ProjectionRow(ProjectionTable.Evaluations, e.Payload.AccountId, v.EvaluationId, WithObject(
        [
            Column.Of("account_id", e.Payload.AccountId),
            Column.Of("evaluation_id", v.EvaluationId),
            Column.Of("last_event_ts", e.EventTs),
            Column.Of("event_id", eventId),
            Column.Of("interaction_id", v.InteractionId),
            Column.Of("agent_user_id", v.AgentUserId ?? v.AgentInfo?.AgentUserId),
            Column.Of("agent_display_name", v.AgentInfo?.DisplayName),
            Column.Of("evaluator_user_id", v.EvaluatorUserId ?? (v.EvaluatorsInfo is { Count: > 0 } evaluators ? evaluators[0].EvaluatorUserId : null)),
            Column.Of("scorecard_name", v.ScorecardName),
            Column.Of("scoring_format", v.ScoringFormat),
            Column.Of("total_possible_score", v.TotalPossibleScore),
            Column.Of("evaluation_score", v.EvaluationScore),
            Column.Of("evaluation_score_ratio", Within(v.EvaluationScoreRatio, 0, 1)),
            Column.Of("evaluation_type", v.EvaluationType?.Value),
        ], objectJson));
    }
}
