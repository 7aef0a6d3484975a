namespace QmHub.Storage.Analytics;

/// <summary>Where a report's sums come from.</summary>
public enum AnalyticsSource
{
    /// <summary>The hourly rollups kept in the ingest transaction: cost grows with hours × groups, not with events.</summary>
    Rollups,

    /// <summary>A plain GROUP BY over the projection tables: any time boundary and any sentiment target.</summary>
    Projections,
}

/// <summary>How report rows are grouped.</summary>
public enum AnalyticsGrouping
{
    /// <summary>One row per resolved agent identity (account, agent id).</summary>
    Agent,

    /// <summary>One row per (account, queue id).</summary>
    Queue,

    /// <summary>One row for everything that matches.</summary>
    All,
}

/// <summary>
/// What a report covers: the half-open period [<see cref="From"/>, <see cref="To"/>) and the filters. An
/// interaction belongs to the period of its start time; an evaluation to its interaction's, or to its own
/// event_ts while the interaction is unknown.
/// </summary>
public sealed record AnalyticsFilter
{
    /// <summary>Start of the period, inclusive.</summary>
    public required DateTimeOffset From { get; init; }

    /// <summary>End of the period, exclusive.</summary>
    public required DateTimeOffset To { get; init; }

    /// <summary>Only this account.</summary>
    public string? AccountId { get; init; }

    /// <summary>Only this queue id.</summary>
    public string? QueueId { get; init; }

    /// <summary>Only this agent: a resolved agent id, or an agent name.</summary>
    public string? Agent { get; init; }

    /// <summary>Only this channel type (AUDIO, VIDEO, ...).</summary>
    public string? ChannelType { get; init; }

    /// <summary>Only this direction.</summary>
    public string? Direction { get; init; }

    /// <summary>An interaction is below target when its sentiment score is less than this.</summary>
    public double SentimentTarget { get; init; } = AnalyticsDefinitions.DefaultSentimentTarget;

    /// <summary>
    /// Where the previous period starts (it ends at <see cref="From"/>): set from <see cref="AnalyticsDefinitions.PreviousStart"/>,
    /// which counts whole local days as days; null: the same duration as this period.
    /// </summary>
    public DateTimeOffset? PreviousFrom { get; init; }

    /// <summary>The same filter over another period (whose previous period is then as long as it).</summary>
    public AnalyticsFilter For(DateTimeOffset from, DateTimeOffset to) => this with { From = from, To = to, PreviousFrom = null };

    /// <summary>The previous period: from <see cref="PreviousFrom"/>, or as long as this one, up to where this one starts.</summary>
    public AnalyticsFilter Previous() => For(PreviousFrom ?? From - (To - From), From);
}

/// <summary>
/// The additive sums behind every metric: what a rollup row stores and what a GROUP BY over the projections
/// computes. Counts named <c>*N</c> count the values present, so an average of no values is null, not 0.
/// </summary>
public sealed record MetricTotals(
    long Interactions,
    long HandleSSum,
    long HandleN,
    double SentimentSum,
    long SentimentN,
    long BelowTargetN,
    double EngagementSum,
    long EngagementN,
    long SilenceSum,
    long SilenceN,
    long HoldSum,
    long HoldN,
    long CrosstalkSum,
    long CrosstalkN,
    long Evaluations,
    long EvaluationsManual,
    long EvaluationsAutomated,
    double RatioSum,
    long RatioN,
    long EvaluatedInteractions)
{
    /// <summary>Nothing.</summary>
    public static MetricTotals Zero { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>The sums of both.</summary>
    public MetricTotals Add(MetricTotals other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(
            Interactions + other.Interactions, HandleSSum + other.HandleSSum, HandleN + other.HandleN,
            SentimentSum + other.SentimentSum, SentimentN + other.SentimentN, BelowTargetN + other.BelowTargetN,
            EngagementSum + other.EngagementSum, EngagementN + other.EngagementN,
            SilenceSum + other.SilenceSum, SilenceN + other.SilenceN, HoldSum + other.HoldSum, HoldN + other.HoldN,
            CrosstalkSum + other.CrosstalkSum, CrosstalkN + other.CrosstalkN,
            Evaluations + other.Evaluations, EvaluationsManual + other.EvaluationsManual, EvaluationsAutomated + other.EvaluationsAutomated,
            RatioSum + other.RatioSum, RatioN + other.RatioN, EvaluatedInteractions + other.EvaluatedInteractions);
    }

    /// <summary>Every sum with its sign turned: what removing these sums adds.</summary>
    public MetricTotals Negate() => new(
        -Interactions, -HandleSSum, -HandleN, -SentimentSum, -SentimentN, -BelowTargetN, -EngagementSum, -EngagementN,
        -SilenceSum, -SilenceN, -HoldSum, -HoldN, -CrosstalkSum, -CrosstalkN, -Evaluations, -EvaluationsManual,
        -EvaluationsAutomated, -RatioSum, -RatioN, -EvaluatedInteractions);

    /// <summary>Whether these sums count anything: a group or rollup row with neither interactions nor evaluations is left out.</summary>
    public bool CountsAnything => Interactions != 0 || Evaluations != 0;
}

/// <summary>The key of a report row: account plus agent id or queue id, and a display name.</summary>
/// <param name="AccountId">The account.</param>
/// <param name="Id">The resolved agent id (user id when known, else name) or the queue id; "" when the data names none.</param>
/// <param name="Name">The agent or queue name, when known.</param>
public sealed record GroupKey(string AccountId, string Id, string? Name);

/// <summary>One report row's sums.</summary>
public sealed record GroupTotals(GroupKey Key, MetricTotals Totals);

/// <summary>The sums of one time bucket starting at <paramref name="StartMs"/> (Unix ms, UTC).</summary>
public sealed record BucketTotals(long StartMs, MetricTotals Totals);

/// <summary>Keyset bounds of a grouped report: rows after <see cref="After"/> up to and including <see cref="Through"/>.</summary>
public sealed record KeyRange(GroupKey? After, GroupKey? Through)
{
    /// <summary>Every row.</summary>
    public static KeyRange All { get; } = new(null, null);
}

/// <summary>A dimension of a queue's mix.</summary>
public enum MixDimension
{
    /// <summary>The interaction's channel type.</summary>
    ChannelType,

    /// <summary>Its direction.</summary>
    Direction,

    /// <summary>Its disposition.</summary>
    Disposition,
}

/// <summary>Interactions of a queue with one value ("" when missing) of one mix dimension.</summary>
public sealed record MixCount(string AccountId, string QueueId, MixDimension Dimension, string Value, long Interactions)
{
    /// <summary>
    /// The counts per dimension of rows counting interactions by channel, direction and disposition, where a null
    /// dimension is one the row does not count by; ordered by account, queue, dimension and value, zeros left out.
    /// </summary>
    public static IReadOnlyList<MixCount> Marginals(IEnumerable<(string AccountId, string QueueId, string? ChannelType, string? Direction, string? Disposition, long Interactions)> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var sums = new Dictionary<(string, string, MixDimension, string), long>();
        foreach (var (account, queue, channel, direction, disposition, count) in rows)
        {
            foreach (var (dimension, value) in new[] { (MixDimension.ChannelType, channel), (MixDimension.Direction, direction), (MixDimension.Disposition, disposition) })
            {
                if (value is not null)
                {
                    var key = (account, queue, dimension, value);
                    sums[key] = sums.GetValueOrDefault(key) + count;
                }
            }
        }

        return sums.Where(kv => kv.Value != 0)
            .Select(kv => new MixCount(kv.Key.Item1, kv.Key.Item2, kv.Key.Item3, kv.Key.Item4, kv.Value))
            .OrderBy(m => m.AccountId, Utf8Order.Instance).ThenBy(m => m.QueueId, Utf8Order.Instance).ThenBy(m => m.Dimension).ThenBy(m => m.Value, Utf8Order.Instance)
            .ToList();
    }
}

/// <summary>One evaluation with the identity and period it is reported under.</summary>
public sealed record EvaluationFact(
    string AccountId,
    string? InteractionId,
    string EvaluationId,
    string? ScorecardName,
    string? EvaluatorUserId,
    string? EvaluationType,
    double? Ratio,
    string AgentId,
    string? AgentName,
    bool InteractionKnown = true);

/// <summary>How interaction search results are ordered.</summary>
public enum InteractionSort
{
    /// <summary>Newest start first.</summary>
    Time,

    /// <summary>Lowest QA score first; interactions without a score last.</summary>
    Score,
}

/// <summary>An interaction search: the report filter plus drill-down criteria.</summary>
public sealed record InteractionSearch
{
    /// <summary>Period and filters.</summary>
    public required AnalyticsFilter Filter { get; init; }

    /// <summary>Least QA score, percent.</summary>
    public double? MinQaScorePct { get; init; }

    /// <summary>Greatest QA score, percent.</summary>
    public double? MaxQaScorePct { get; init; }

    /// <summary>Least sentiment score.</summary>
    public double? MinSentiment { get; init; }

    /// <summary>Greatest sentiment score.</summary>
    public double? MaxSentiment { get; init; }

    /// <summary>Only interactions with (true) or without (false) evaluations.</summary>
    public bool? Evaluated { get; init; }

    /// <summary>Only this primary language.</summary>
    public string? Language { get; init; }

    /// <summary>Only this disposition.</summary>
    public string? Disposition { get; init; }

    /// <summary>The order.</summary>
    public InteractionSort Sort { get; init; } = InteractionSort.Time;

    /// <summary>The cursor of the previous page.</summary>
    public string? Cursor { get; init; }

    /// <summary>Rows per page.</summary>
    public int Limit { get; init; } = 50;
}

/// <summary>One interaction found by a search.</summary>
public sealed record InteractionHit
{
    /// <summary>The account.</summary>
    public required string AccountId { get; init; }

    /// <summary>The interaction id.</summary>
    public required string InteractionId { get; init; }

    /// <summary>start_time as Zoom sent it.</summary>
    public string? StartTime { get; init; }

    /// <summary>The instant the interaction is reported under (Unix ms).</summary>
    public required long AtMs { get; init; }

    /// <summary>The resolved agent.</summary>
    public required GroupKey Agent { get; init; }

    /// <summary>The queue.</summary>
    public required GroupKey Queue { get; init; }

    /// <summary>Channel type.</summary>
    public string? ChannelType { get; init; }

    /// <summary>Direction.</summary>
    public string? Direction { get; init; }

    /// <summary>Disposition.</summary>
    public string? Disposition { get; init; }

    /// <summary>Primary language.</summary>
    public string? PrimaryLanguage { get; init; }

    /// <summary>Handle time, seconds.</summary>
    public long? DurationS { get; init; }

    /// <summary>Sentiment score.</summary>
    public double? SentimentScore { get; init; }

    /// <summary>Engagement score.</summary>
    public double? EngagementScore { get; init; }

    /// <summary>Silence events.</summary>
    public long? SilenceEventCount { get; init; }

    /// <summary>Hold events.</summary>
    public long? HoldEventCount { get; init; }

    /// <summary>Crosstalk events.</summary>
    public long? CrosstalkEventCount { get; init; }

    /// <summary>How many evaluations it has.</summary>
    public required long Evaluations { get; init; }

    /// <summary>Mean evaluation_score_ratio of its evaluations × 100.</summary>
    public double? QaScorePct { get; init; }
}

/// <summary>A page of search results.</summary>
public sealed record InteractionPage(IReadOnlyList<InteractionHit> Items, string? NextCursor);
