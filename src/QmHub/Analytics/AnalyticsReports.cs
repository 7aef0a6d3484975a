using System.Runtime.CompilerServices;
using QmHub.Storage.Analytics;

namespace QmHub.Analytics;

/// <summary>
/// Composes every report from <see cref="IAnalyticsStore"/> queries: what the HTTP handlers answer, what
/// <c>qmhub export</c> writes and what the analytics benchmark times. One place, so all three compute the same.
/// </summary>
/// <param name="store">The engine's analytics store.</param>
/// <param name="forcedSource">Null: rollups where they answer exactly (<see cref="AnalyticsDefinitions.ChooseSource"/>); else always this source (the benchmark's plain GROUP BY).</param>
public sealed class AnalyticsReports(IAnalyticsStore store, AnalyticsSource? forcedSource = null)
{
    /// <summary>Lowest-scored interactions on an agent's page.</summary>
    public const int LowestScored = 5;

    /// <summary>Worst disagreements in the calibration report.</summary>
    public const int WorstDisagreements = 10;

    /// <summary>The trend metrics by their <c>metric=</c> name.</summary>
    public static IReadOnlyDictionary<string, Func<MetricValues, double?>> TrendMetrics { get; } = new Dictionary<string, Func<MetricValues, double?>>(StringComparer.Ordinal)
    {
        ["qa_score"] = m => m.QaScorePct,
        ["sentiment"] = m => m.SentimentAvg,
        ["engagement"] = m => m.EngagementAvg,
        ["coverage"] = m => m.Coverage,
        ["interactions"] = m => m.Interactions,
        ["silence_rate"] = m => m.SilencePerInteraction,
        ["hold_rate"] = m => m.HoldPerInteraction,
        ["crosstalk_rate"] = m => m.CrosstalkPerInteraction,
    };

    /// <summary>Where the sums of a report over <paramref name="filter"/> come from; <paramref name="bucketZone"/> when it has day or week buckets.</summary>
    public AnalyticsSource SourceFor(AnalyticsFilter filter, TimeZoneInfo? bucketZone) => forcedSource ?? AnalyticsDefinitions.ChooseSource(filter, bucketZone);

    /// <summary>The keyset position after which a list continues, from a cursor this API returned.</summary>
    /// <exception cref="FormatException">The cursor is not one this API returned.</exception>
    public static GroupKey? GroupCursor(string? cursor) =>
        cursor is null ? null : AnalyticsDefinitions.DecodeCursor(cursor, 2) is var parts ? new GroupKey(parts[0], parts[1], null) : null;

    /// <summary>One page of agent or queue rows after <paramref name="after"/>, and the cursor of the next page.</summary>
    public async Task<(List<ReportRow> Rows, string? Next)> GroupPageAsync(
        AnalyticsGrouping grouping, ReportRequest request, GroupKey? after, int limit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var source = SourceFor(request.Filter, null);
        var current = (await store.GroupTotalsAsync(grouping, request.Filter, source, new KeyRange(after, null), limit + 1, ct)).ToList();
        var more = current.Count > limit;
        if (more)
        {
            current.RemoveAt(current.Count - 1);
        }

        var previous = current.Count == 0 ? []
            : (await store.GroupTotalsAsync(grouping, request.Filter.Previous(), source, new KeyRange(after, current[^1].Key), 0, ct))
                .ToDictionary(g => (g.Key.AccountId, g.Key.Id), g => g.Totals);
        // One mix query for the page, not one per queue.
        var mixes = grouping == AnalyticsGrouping.Queue && current.Count > 0
            ? (await store.MixAsync(request.Filter, source, ct)).ToLookup(m => (m.AccountId, m.QueueId))
            : null;
        var rows = new List<ReportRow>(current.Count);
        foreach (var group in current)
        {
            var mix = mixes is null ? null : Mix(mixes[(group.Key.AccountId, group.Key.Id)]);
            rows.Add(Row(grouping, group, previous.GetValueOrDefault((group.Key.AccountId, group.Key.Id), MetricTotals.Zero)) with { Mix = mix });
        }

        var next = more ? AnalyticsDefinitions.EncodeCursor(current[^1].Key.AccountId, current[^1].Key.Id) : null;
        return (rows, next);
    }

    /// <summary>Every agent or queue row after <paramref name="after"/>, page by page as they are read: the export of a list.</summary>
    public async IAsyncEnumerable<ReportRow> AllGroupsAsync(
        AnalyticsGrouping grouping, ReportRequest request, GroupKey? after, [EnumeratorCancellation] CancellationToken ct)
    {
        while (true)
        {
            var (rows, next) = await GroupPageAsync(grouping, request, after, ReportRequest.MaxLimit, ct);
            foreach (var row in rows)
            {
                yield return row;
            }

            if (next is null)
            {
                yield break;
            }

            after = new GroupKey(rows[^1].AccountId, (rows[^1].Agent ?? rows[^1].Queue)?.Id ?? "", null);
        }
    }

    /// <summary>One agent (by resolved id or name) or one queue with its trend, and, for an agent, its lowest-scored interactions and scorecards.</summary>
    public async Task<DetailAnswer> DetailAsync(AnalyticsGrouping grouping, ReportRequest request, string id, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var agent = grouping == AnalyticsGrouping.Agent;
        var what = agent ? "agent" : "queue";
        var filter = agent ? request.Filter with { Agent = id } : request.Filter with { QueueId = id };
        var source = SourceFor(filter, request.Zone);
        var current = await store.GroupTotalsAsync(grouping, filter, source, KeyRange.All, 0, ct);
        var previous = await store.GroupTotalsAsync(grouping, filter.Previous(), source, KeyRange.All, 0, ct);
        var keys = current.Concat(previous).Select(g => g.Key).DistinctBy(k => (k.AccountId, k.Id)).ToList();
        // A name may also match rows of the agent's user id: prefer the exact id.
        var exact = keys.Where(k => k.Id == id).ToList();
        keys = exact.Count > 0 ? exact : keys;
        if (keys.Count == 0)
        {
            return new DetailAnswer(null, 404, $"Unknown {what}",
                $"No {what} '{id}' has interactions or evaluations from {request.DescribePeriod()}, nor in the previous period, under these filters.");
        }

        if (keys.Count > 1)
        {
            return new DetailAnswer(null, 409, $"Ambiguous {what}",
                $"'{id}' names {keys.Count} {what}s ({string.Join(", ", keys.Select(k => $"{k.AccountId}/{k.Id}"))}); add ?account_id= or use the id.");
        }

        var key = keys[0];
        var totals = current.FirstOrDefault(g => g.Key.AccountId == key.AccountId && g.Key.Id == key.Id) ?? new GroupTotals(key, MetricTotals.Zero);
        var before = previous.FirstOrDefault(g => g.Key.AccountId == key.AccountId && g.Key.Id == key.Id)?.Totals ?? MetricTotals.Zero;
        var found = Row(grouping, totals, before);
        var one = agent ? filter with { AccountId = found.AccountId, Agent = found.Agent?.Id ?? id } : filter with { AccountId = found.AccountId };
        var detail = found with { Trend = await TrendAsync(request, one, ct), Period = request.Period(source) };
        detail = agent ? await WithAgentPartsAsync(detail, one, ct) : detail with { Mix = Mix(await store.MixAsync(one, source, ct)) };
        return new DetailAnswer(detail, 200, "", "");
    }

    /// <summary>One metric per local day or week; <paramref name="select"/> is one of <see cref="TrendMetrics"/>.</summary>
    public async Task<List<TrendPoint>> TrendPointsAsync(ReportRequest request, Func<MetricValues, double?> select, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(select);
        return (await TrendAsync(request, request.Filter, ct)).Select(b => new TrendPoint(b.Start, select(b), b.Interactions, b.Evaluations, b.CoveredFrom, b.CoveredTo, b.Partial)).ToList();
    }

    /// <summary>Scorer agreement, evaluator bias and the worst disagreements.</summary>
    public async Task<CalibrationReport> CalibrationAsync(ReportRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (SourceFor(request.Filter, null) == AnalyticsSource.Rollups && await store.CalibrationAsync(request.Filter, WorstDisagreements, ct) is { } sums)
        {
            return Calibration.Report(sums, request.Period(AnalyticsSource.Rollups));
        }

        var evaluations = await store.EvaluationsAsync(request.Filter, ct);
        return Calibration.Compute(evaluations, WorstDisagreements, request.Period(AnalyticsSource.Projections));
    }

    /// <summary>One page of interaction search.</summary>
    /// <exception cref="FormatException">The cursor is not one this API returned.</exception>
    public Task<InteractionPage> SearchAsync(InteractionSearch search, CancellationToken ct) => store.SearchInteractionsAsync(search, ct);

    /// <summary>Every interaction from <paramref name="first"/> on, page by page as they are read: the export of a search.</summary>
    public async IAsyncEnumerable<InteractionRow> AllInteractionsAsync(InteractionSearch search, InteractionPage first, [EnumeratorCancellation] CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(search);
        var page = first;
        while (true)
        {
            foreach (var hit in page.Items)
            {
                yield return InteractionRow.From(hit);
            }

            if (page.NextCursor is null)
            {
                yield break;
            }

            page = await store.SearchInteractionsAsync(search with { Cursor = page.NextCursor }, ct);
        }
    }

    private async Task<ReportRow> WithAgentPartsAsync(ReportRow row, AnalyticsFilter one, CancellationToken ct)
    {
        var lowest = await store.SearchInteractionsAsync(new InteractionSearch { Filter = one, Evaluated = true, Sort = InteractionSort.Score, Limit = LowestScored }, ct);
        var scorecards = (await store.EvaluationsAsync(one, ct))
            .GroupBy(e => e.ScorecardName).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ScorecardRow(g.Key, g.Count(), g.Count(e => e.EvaluationType == "MANUAL"), g.Count(e => e.EvaluationType == "AUTOMATED"),
                g.Any(e => e.Ratio is not null) ? MetricValues.Round(g.Where(e => e.Ratio is not null).Average(e => e.Ratio ?? 0) * 100) : null))
            .ToList();
        return row with { LowestScored = lowest.Items.Select(InteractionRow.From).ToList(), Scorecards = scorecards };
    }

    private async Task<IReadOnlyList<TrendBucket>> TrendAsync(ReportRequest request, AnalyticsFilter filter, CancellationToken ct)
    {
        var boundaries = AnalyticsDefinitions.Boundaries(request.Zone, request.Weekly, filter.From, filter.To);
        var buckets = await store.SeriesAsync(filter, SourceFor(filter, request.Zone), boundaries, ct);
        return buckets
            .Select((b, i) =>
            {
                // The store answers one bucket per pair of boundaries, in order: this one covers [boundaries[i], boundaries[i + 1]).
                var start = AnalyticsDefinitions.LocalBucket(b.StartMs, request.Zone, request.Weekly);
                var end = AnalyticsDefinitions.LocalMidnight(start.DateTime.AddDays(request.Weekly ? 7 : 1), request.Zone);
                var from = TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(boundaries[i]), request.Zone);
                var to = TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(boundaries[i + 1]), request.Zone);
                return new TrendBucket(MetricValues.From(b.Totals)) { Start = start, CoveredFrom = from, CoveredTo = to, Partial = from != start || to != end };
            })
            .ToList();
    }

    private static QueueMix Mix(IEnumerable<MixCount> mix)
    {
        var rows = mix.ToList();
        IReadOnlyDictionary<string, long> By(MixDimension dimension) =>
            rows.Where(r => r.Dimension == dimension).GroupBy(r => r.Value is { Length: > 0 } k ? k : "unknown").OrderBy(g => g.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Sum(r => r.Interactions), StringComparer.Ordinal);
        return new QueueMix(By(MixDimension.ChannelType), By(MixDimension.Direction), By(MixDimension.Disposition));
    }

    private static ReportRow Row(AnalyticsGrouping grouping, GroupTotals group, MetricTotals previous)
    {
        var now = MetricValues.From(group.Totals);
        var before = MetricValues.From(previous);
        return new(now)
        {
            AccountId = group.Key.AccountId,
            Agent = grouping == AnalyticsGrouping.Agent ? Named.From(group.Key) : null,
            Queue = grouping == AnalyticsGrouping.Queue ? Named.From(group.Key) : null,
            Previous = before,
            Change = MetricValues.Difference(now, before),
        };
    }
}

/// <summary>The answer for one agent or queue: the row, or the status and problem that say why there is none.</summary>
public sealed record DetailAnswer(ReportRow? Row, int Status, string Title, string Detail);
