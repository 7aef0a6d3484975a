using System.Text.Json.Serialization;
using QmHub.Storage.Analytics;

namespace QmHub.Analytics;

/// <summary>
/// Every metric of a report row, computed from its sums. A metric with no data (an average of nothing, a
/// rate over no handle time) is null, never 0; counts and totals are sums, 0 when nothing was counted.
/// </summary>
public record MetricValues
{
    /// <summary>The metric names, in the order of <see cref="Values"/>: the CSV columns.</summary>
    public static IReadOnlyList<ExportColumn> Columns { get; } =
    [
        ExportColumn.Whole("interactions"), ExportColumn.Whole("handle_time_s_total"), ExportColumn.Real("handle_time_s_avg"),
        ExportColumn.Real("sentiment_avg"), ExportColumn.Real("engagement_avg"), ExportColumn.Real("below_sentiment_target_share"),
        ExportColumn.Whole("evaluations"), ExportColumn.Whole("evaluations_manual"), ExportColumn.Whole("evaluations_automated"),
        ExportColumn.Real("qa_score_pct"), ExportColumn.Real("coverage"), ExportColumn.Real("silence_per_interaction"),
        ExportColumn.Real("hold_per_interaction"), ExportColumn.Real("crosstalk_per_interaction"), ExportColumn.Real("silence_per_10min"),
        ExportColumn.Real("hold_per_10min"), ExportColumn.Real("crosstalk_per_10min"),
    ];

    /// <summary>Interactions that started in the period.</summary>
    [JsonPropertyName("interactions")] public long Interactions { get; init; }

    /// <summary>Sum of duration, seconds: 0 when nothing was counted, as for the counts.</summary>
    [JsonPropertyName("handle_time_s_total")] public long HandleTimeSTotal { get; init; }

    /// <summary>Mean duration, seconds.</summary>
    [JsonPropertyName("handle_time_s_avg")] public double? HandleTimeSAvg { get; init; }

    /// <summary>Mean sentiment score (0-100).</summary>
    [JsonPropertyName("sentiment_avg")] public double? SentimentAvg { get; init; }

    /// <summary>Mean engagement score (0-100).</summary>
    [JsonPropertyName("engagement_avg")] public double? EngagementAvg { get; init; }

    /// <summary>Share (0-1) of interactions with a sentiment score below the target.</summary>
    [JsonPropertyName("below_sentiment_target_share")] public double? BelowSentimentTargetShare { get; init; }

    /// <summary>Evaluations of every type.</summary>
    [JsonPropertyName("evaluations")] public long Evaluations { get; init; }

    /// <summary>MANUAL evaluations.</summary>
    [JsonPropertyName("evaluations_manual")] public long EvaluationsManual { get; init; }

    /// <summary>AUTOMATED evaluations.</summary>
    [JsonPropertyName("evaluations_automated")] public long EvaluationsAutomated { get; init; }

    /// <summary>Mean evaluation_score_ratio × 100.</summary>
    [JsonPropertyName("qa_score_pct")] public double? QaScorePct { get; init; }

    /// <summary>Evaluated interactions / interactions (0-1).</summary>
    [JsonPropertyName("coverage")] public double? Coverage { get; init; }

    /// <summary>Silence events per interaction (of those with a count).</summary>
    [JsonPropertyName("silence_per_interaction")] public double? SilencePerInteraction { get; init; }

    /// <summary>Hold events per interaction.</summary>
    [JsonPropertyName("hold_per_interaction")] public double? HoldPerInteraction { get; init; }

    /// <summary>Crosstalk events per interaction.</summary>
    [JsonPropertyName("crosstalk_per_interaction")] public double? CrosstalkPerInteraction { get; init; }

    /// <summary>Silence events per 10 minutes of handle time.</summary>
    [JsonPropertyName("silence_per_10min")] public double? SilencePer10min { get; init; }

    /// <summary>Hold events per 10 minutes of handle time.</summary>
    [JsonPropertyName("hold_per_10min")] public double? HoldPer10min { get; init; }

    /// <summary>Crosstalk events per 10 minutes of handle time.</summary>
    [JsonPropertyName("crosstalk_per_10min")] public double? CrosstalkPer10min { get; init; }

    /// <summary>The metrics of <paramref name="t"/>.</summary>
    public static MetricValues From(MetricTotals t)
    {
        ArgumentNullException.ThrowIfNull(t);
        return new MetricValues
        {
            Interactions = t.Interactions,
            HandleTimeSTotal = t.HandleSSum,
            HandleTimeSAvg = Ratio(t.HandleSSum, t.HandleN),
            SentimentAvg = Ratio(t.SentimentSum, t.SentimentN),
            EngagementAvg = Ratio(t.EngagementSum, t.EngagementN),
            BelowSentimentTargetShare = Ratio(t.BelowTargetN, t.SentimentN),
            Evaluations = t.Evaluations,
            EvaluationsManual = t.EvaluationsManual,
            EvaluationsAutomated = t.EvaluationsAutomated,
            QaScorePct = Ratio(100 * t.RatioSum, t.RatioN),
            Coverage = Ratio(t.EvaluatedInteractions, t.Interactions),
            SilencePerInteraction = Ratio(t.SilenceSum, t.SilenceN),
            HoldPerInteraction = Ratio(t.HoldSum, t.HoldN),
            CrosstalkPerInteraction = Ratio(t.CrosstalkSum, t.CrosstalkN),
            SilencePer10min = t.SilenceN > 0 ? Ratio(600.0 * t.SilenceSum, t.HandleSSum) : null,
            HoldPer10min = t.HoldN > 0 ? Ratio(600.0 * t.HoldSum, t.HandleSSum) : null,
            CrosstalkPer10min = t.CrosstalkN > 0 ? Ratio(600.0 * t.CrosstalkSum, t.HandleSSum) : null,
        };
    }

    /// <summary>Each metric now minus before; null where either is null.</summary>
    public static MetricValues Difference(MetricValues now, MetricValues before)
    {
        ArgumentNullException.ThrowIfNull(now);
        ArgumentNullException.ThrowIfNull(before);
        static double? D(double? a, double? b) => a - b is { } d ? Round(d) : null;
        return new MetricValues
        {
            Interactions = now.Interactions - before.Interactions,
            HandleTimeSTotal = now.HandleTimeSTotal - before.HandleTimeSTotal,
            HandleTimeSAvg = D(now.HandleTimeSAvg, before.HandleTimeSAvg),
            SentimentAvg = D(now.SentimentAvg, before.SentimentAvg),
            EngagementAvg = D(now.EngagementAvg, before.EngagementAvg),
            BelowSentimentTargetShare = D(now.BelowSentimentTargetShare, before.BelowSentimentTargetShare),
            Evaluations = now.Evaluations - before.Evaluations,
            EvaluationsManual = now.EvaluationsManual - before.EvaluationsManual,
            EvaluationsAutomated = now.EvaluationsAutomated - before.EvaluationsAutomated,
            QaScorePct = D(now.QaScorePct, before.QaScorePct),
            Coverage = D(now.Coverage, before.Coverage),
            SilencePerInteraction = D(now.SilencePerInteraction, before.SilencePerInteraction),
            HoldPerInteraction = D(now.HoldPerInteraction, before.HoldPerInteraction),
            CrosstalkPerInteraction = D(now.CrosstalkPerInteraction, before.CrosstalkPerInteraction),
            SilencePer10min = D(now.SilencePer10min, before.SilencePer10min),
            HoldPer10min = D(now.HoldPer10min, before.HoldPer10min),
            CrosstalkPer10min = D(now.CrosstalkPer10min, before.CrosstalkPer10min),
        };
    }

    /// <summary>The values in the order of <see cref="Columns"/>.</summary>
    public IEnumerable<object?> Values() =>
    [
        Interactions, HandleTimeSTotal, HandleTimeSAvg, SentimentAvg, EngagementAvg, BelowSentimentTargetShare,
        Evaluations, EvaluationsManual, EvaluationsAutomated, QaScorePct, Coverage,
        SilencePerInteraction, HoldPerInteraction, CrosstalkPerInteraction, SilencePer10min, HoldPer10min, CrosstalkPer10min,
    ];

    /// <summary>Answers carry six decimals: enough for any score or share, and free of binary noise such as 72.49999999999999.</summary>
    public static double Round(double value) => Math.Round(value, 6, MidpointRounding.AwayFromZero);

    private static double? Ratio(double sum, double count) => count > 0 ? Round(sum / count) : null;
}

/// <summary>An agent or a queue: id and name.</summary>
/// <param name="Id">The agent's user id when any evaluation revealed it, else its name; the queue id. Null when the data names none.</param>
/// <param name="Name">The name, when known.</param>
public sealed record Named([property: JsonPropertyName("id")] string? Id, [property: JsonPropertyName("name")] string? Name)
{
    /// <summary>From a group key ("" is none).</summary>
    public static Named From(GroupKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new(key.Id.Length == 0 ? null : key.Id, key.Name);
    }
}

/// <summary>A report row: an agent's or a queue's metrics, and the same for the previous period.</summary>
public sealed record ReportRow : MetricValues
{
    /// <summary>A row from its metrics.</summary>
    public ReportRow(MetricValues values)
        : base(values)
    {
    }

    /// <summary>The account.</summary>
    [JsonPropertyName("account_id"), JsonPropertyOrder(-3)] public required string AccountId { get; init; }

    /// <summary>The agent (agent reports).</summary>
    [JsonPropertyName("agent"), JsonPropertyOrder(-2), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Named? Agent { get; init; }

    /// <summary>The queue (queue reports).</summary>
    [JsonPropertyName("queue"), JsonPropertyOrder(-1), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Named? Queue { get; init; }

    /// <summary>The same metrics for the previous period of the same length.</summary>
    [JsonPropertyName("previous")] public required MetricValues Previous { get; init; }

    /// <summary>This period minus the previous one, metric by metric (null where either is null).</summary>
    [JsonPropertyName("change")] public required MetricValues Change { get; init; }

    /// <summary>Queue reports: interactions by channel, direction and disposition.</summary>
    [JsonPropertyName("mix"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public QueueMix? Mix { get; init; }

    /// <summary>One agent or queue: its daily or weekly trend.</summary>
    [JsonPropertyName("trend"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<TrendBucket>? Trend { get; init; }

    /// <summary>One agent: its lowest-scored interactions.</summary>
    [JsonPropertyName("lowest_scored"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<InteractionRow>? LowestScored { get; init; }

    /// <summary>One agent: its scorecards.</summary>
    [JsonPropertyName("scorecards"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<ScorecardRow>? Scorecards { get; init; }

    /// <summary>One agent or queue: the period the answer covers.</summary>
    [JsonPropertyName("period"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public ReportPeriod? Period { get; init; }

    /// <summary>The CSV columns of an agent or queue row.</summary>
    public static IReadOnlyList<ExportColumn> RowColumns { get; } =
    [
        ExportColumn.Text("account_id"), ExportColumn.Text("id"), ExportColumn.Text("name"),
        .. Columns, .. Columns.Select(c => c with { Name = "previous_" + c.Name }), .. Columns.Select(c => c with { Name = "change_" + c.Name }),
    ];

    /// <summary>The values in the order of <see cref="RowColumns"/>.</summary>
    public IEnumerable<object?> RowValues()
    {
        var key = Agent ?? Queue;
        return [AccountId, key?.Id, key?.Name, .. Values(), .. Previous.Values(), .. Change.Values()];
    }
}

/// <summary>One bucket of a trend: its local start and its metrics.</summary>
public sealed record TrendBucket : MetricValues
{
    /// <summary>A bucket from its metrics.</summary>
    public TrendBucket(MetricValues values)
        : base(values)
    {
    }

    /// <summary>Local midnight starting the day or week, with the zone's offset.</summary>
    [JsonPropertyName("start"), JsonPropertyOrder(-4)] public required DateTimeOffset Start { get; init; }

    /// <summary>Where the part of the bucket inside the period starts: <see cref="Start"/>, or the period's start in the first bucket.</summary>
    [JsonPropertyName("from"), JsonPropertyOrder(-3)] public required DateTimeOffset CoveredFrom { get; init; }

    /// <summary>Where the part of the bucket inside the period ends (exclusive): the next day or week, or the period's end in the last bucket.</summary>
    [JsonPropertyName("to"), JsonPropertyOrder(-2)] public required DateTimeOffset CoveredTo { get; init; }

    /// <summary>Whether the period cuts the bucket: it covers less than its whole day or week.</summary>
    [JsonPropertyName("partial"), JsonPropertyOrder(-1)] public required bool Partial { get; init; }
}

/// <summary>
/// One point of <c>GET /api/v1/trends</c>: the day or week starting at <see cref="Start"/>, of which the part
/// [<see cref="From"/>, <see cref="To"/>) lies in the period; <see cref="Partial"/> when that is not all of it.
/// </summary>
public sealed record TrendPoint(
    [property: JsonPropertyName("start")] DateTimeOffset Start,
    [property: JsonPropertyName("value")] double? Value,
    [property: JsonPropertyName("interactions")] long Interactions,
    [property: JsonPropertyName("evaluations")] long Evaluations,
    [property: JsonPropertyName("from")] DateTimeOffset From,
    [property: JsonPropertyName("to")] DateTimeOffset To,
    [property: JsonPropertyName("partial")] bool Partial);

/// <summary>An agent's evaluations on one scorecard.</summary>
public sealed record ScorecardRow(
    [property: JsonPropertyName("scorecard_name")] string? ScorecardName,
    [property: JsonPropertyName("evaluations")] long Evaluations,
    [property: JsonPropertyName("evaluations_manual")] long EvaluationsManual,
    [property: JsonPropertyName("evaluations_automated")] long EvaluationsAutomated,
    [property: JsonPropertyName("qa_score_pct")] double? QaScorePct);

/// <summary>An interaction found by search.</summary>
public sealed record InteractionRow
{
    /// <summary>The CSV columns.</summary>
    public static IReadOnlyList<ExportColumn> Columns { get; } =
    [
        .. new[] { "account_id", "interaction_id", "start_time", "agent_id", "agent_name", "queue_id", "queue_name", "channel_type", "direction", "disposition", "primary_language" }
            .Select(ExportColumn.Text),
        ExportColumn.Whole("duration"), ExportColumn.Real("sentiment_score"), ExportColumn.Real("engagement_score"), ExportColumn.Whole("silence_event_count"),
        ExportColumn.Whole("hold_event_count"), ExportColumn.Whole("crosstalk_event_count"), ExportColumn.Whole("evaluations"), ExportColumn.Real("qa_score_pct"),
    ];

    [JsonPropertyName("account_id")] public required string AccountId { get; init; }

    [JsonPropertyName("interaction_id")] public required string InteractionId { get; init; }

    [JsonPropertyName("start_time")] public string? StartTime { get; init; }

    [JsonPropertyName("agent")] public required Named Agent { get; init; }

    [JsonPropertyName("queue")] public required Named Queue { get; init; }

    [JsonPropertyName("channel_type")] public string? ChannelType { get; init; }

    [JsonPropertyName("direction")] public string? Direction { get; init; }

    [JsonPropertyName("disposition")] public string? Disposition { get; init; }

    [JsonPropertyName("primary_language")] public string? PrimaryLanguage { get; init; }

    [JsonPropertyName("duration")] public long? Duration { get; init; }

    [JsonPropertyName("sentiment_score")] public double? SentimentScore { get; init; }

    [JsonPropertyName("engagement_score")] public double? EngagementScore { get; init; }

    [JsonPropertyName("silence_event_count")] public long? SilenceEventCount { get; init; }

    [JsonPropertyName("hold_event_count")] public long? HoldEventCount { get; init; }

    [JsonPropertyName("crosstalk_event_count")] public long? CrosstalkEventCount { get; init; }

    [JsonPropertyName("evaluations")] public long Evaluations { get; init; }

    [JsonPropertyName("qa_score_pct")] public double? QaScorePct { get; init; }

    /// <summary>A row from a search hit.</summary>
    public static InteractionRow From(InteractionHit h)
    {
        ArgumentNullException.ThrowIfNull(h);
        return new()
        {
            AccountId = h.AccountId,
            InteractionId = h.InteractionId,
            StartTime = h.StartTime,
            Agent = Named.From(h.Agent),
            Queue = Named.From(h.Queue),
            ChannelType = h.ChannelType,
            Direction = h.Direction,
            Disposition = h.Disposition,
            PrimaryLanguage = h.PrimaryLanguage,
            Duration = h.DurationS,
            SentimentScore = h.SentimentScore,
            EngagementScore = h.EngagementScore,
            SilenceEventCount = h.SilenceEventCount,
            HoldEventCount = h.HoldEventCount,
            CrosstalkEventCount = h.CrosstalkEventCount,
            Evaluations = h.Evaluations,
            QaScorePct = h.QaScorePct is { } score ? MetricValues.Round(score) : null,
        };
    }

    /// <summary>The values in the order of <see cref="Columns"/>.</summary>
    public IEnumerable<object?> Values() =>
    [
        AccountId, InteractionId, StartTime, Agent.Id, Agent.Name, Queue.Id, Queue.Name, ChannelType, Direction, Disposition, PrimaryLanguage,
        Duration, SentimentScore, EngagementScore, SilenceEventCount, HoldEventCount, CrosstalkEventCount, Evaluations, QaScorePct,
    ];
}

/// <summary>An answer's period, zone and source.</summary>
public sealed record ReportPeriod(
    [property: JsonPropertyName("from")] DateTimeOffset From,
    [property: JsonPropertyName("to")] DateTimeOffset To,
    [property: JsonPropertyName("previous_from")] DateTimeOffset PreviousFrom,
    [property: JsonPropertyName("tz")] string Tz,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("sentiment_target")] double SentimentTarget);

/// <summary>A list answer: <c>{"items": [...], "next_cursor": ...}</c> with the period it covers.</summary>
public sealed record ReportList<T>(
    [property: JsonPropertyName("items")] IReadOnlyList<T> Items,
    [property: JsonPropertyName("next_cursor")] string? NextCursor,
    [property: JsonPropertyName("period")] ReportPeriod Period);

/// <summary>Interactions by channel, direction and disposition.</summary>
public sealed record QueueMix(
    [property: JsonPropertyName("channel_type")] IReadOnlyDictionary<string, long> ChannelType,
    [property: JsonPropertyName("direction")] IReadOnlyDictionary<string, long> Direction,
    [property: JsonPropertyName("disposition")] IReadOnlyDictionary<string, long> Disposition);
