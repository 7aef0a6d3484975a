using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using QmHub.Api;
using QmHub.Storage.Analytics;

namespace QmHub.Analytics;

/// <summary>The QA analytics reports under /api/v1: agents, queues, trends, calibration, interaction search.</summary>
public static class AnalyticsApi
{
    private const int LowestScored = 5;
    private const int WorstDisagreements = 10;

    private static readonly Dictionary<string, Func<MetricValues, double?>> TrendMetrics = new(StringComparer.Ordinal)
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

    /// <summary>Maps the reports; each needs an API key.</summary>
    public static RouteGroupBuilder MapAnalyticsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").RequireAuthorization(Policies.Read).WithTags("Analytics")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/summary", (HttpRequest http, [AsParameters] ReportParameters p, IAnalyticsStore store, TimeProvider time, IOptions<AnalyticsOptions> o, CancellationToken ct) =>
                ListGroupsAsync(AnalyticsGrouping.All, http, p, store, time, o.Value, ct))
            .WithSummary("Everything under the filters as one row: the agent metrics for the period and the previous one; CSV/NDJSON export")
            .Produces<ReportList<ReportRow>>().Produces(StatusCodes.Status200OK, contentType: "text/csv");
        api.MapGet("/agents", (HttpRequest http, [AsParameters] ReportParameters p, IAnalyticsStore store, TimeProvider time, IOptions<AnalyticsOptions> o, CancellationToken ct) =>
                ListGroupsAsync(AnalyticsGrouping.Agent, http, p, store, time, o.Value, ct))
            .WithSummary("Per agent (user id when an evaluation revealed it, else name): volume, handle time, sentiment, engagement, QA score, coverage, behaviour rates, and the previous period; keyset pagination; CSV/NDJSON export")
            .Produces<ReportList<ReportRow>>().Produces(StatusCodes.Status200OK, contentType: "text/csv");
        api.MapGet("/agents/{agent}", AgentAsync)
            .WithSummary("One agent: the same metrics, its daily or weekly trend, lowest-scored interactions and scorecards")
            .Produces<ReportRow>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/queues", (HttpRequest http, [AsParameters] ReportParameters p, IAnalyticsStore store, TimeProvider time, IOptions<AnalyticsOptions> o, CancellationToken ct) =>
                ListGroupsAsync(AnalyticsGrouping.Queue, http, p, store, time, o.Value, ct))
            .WithSummary("Per queue: the agent metrics plus channel, direction and disposition mix; keyset pagination; CSV/NDJSON export")
            .Produces<ReportList<ReportRow>>().Produces(StatusCodes.Status200OK, contentType: "text/csv");
        api.MapGet("/queues/{queue_id}", QueueAsync)
            .WithSummary("One queue: its metrics, mix and daily or weekly trend")
            .Produces<ReportRow>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/trends", TrendsAsync)
            .WithSummary("One metric (qa_score, sentiment, engagement, coverage, interactions, silence_rate, hold_rate, crosstalk_rate) per local day or week")
            .Produces<ReportList<TrendPoint>>().Produces(StatusCodes.Status200OK, contentType: "text/csv");
        api.MapGet("/calibration", CalibrationAsync)
            .WithSummary("Scorer agreement per scorecard on interactions evaluated twice or more, evaluator bias, and the worst disagreements")
            .Produces<CalibrationReport>();
        api.MapGet("/interactions", SearchAsync)
            .WithSummary("Interaction search: every report filter plus score ranges, evaluated, language, disposition; sort=time|score; CSV/NDJSON export")
            .Produces<ReportList<InteractionRow>>().Produces(StatusCodes.Status200OK, contentType: "text/csv");
        return api;
    }

    private static async Task<IResult> ListGroupsAsync(
        AnalyticsGrouping grouping, HttpRequest http, ReportParameters p, IAnalyticsStore store, TimeProvider time, AnalyticsOptions options, CancellationToken ct)
    {
        if (Parse(p, time, options, out var request) is { } problem)
        {
            return problem;
        }

        if (AnalyticsExport.Resolve(p.Format, http) is not { } format)
        {
            return FormatProblem(p.Format);
        }

        GroupKey? after;
        try
        {
            after = request.Cursor is { } cursor ? KeyOf(AnalyticsDefinitions.DecodeCursor(cursor, 2)) : null;
        }
        catch (FormatException ex)
        {
            return BadRequest(ex.Message);
        }

        var source = AnalyticsDefinitions.ChooseSource(request.Filter, null);
        if (format != ExportFormat.Json)
        {
            return AnalyticsExport.Stream(format, AllGroupsAsync(store, grouping, request, source, after, ct), ReportRow.RowColumns, r => r.RowValues(), AnalyticsJsonContext.Default.ReportRow);
        }

        var (rows, next) = await GroupPageAsync(store, grouping, request, source, after, request.Limit, ct);
        return Results.Json(new ReportList<ReportRow>(rows, next, request.Period(source)), AnalyticsJsonContext.Default.ReportListReportRow);
    }

    private static async IAsyncEnumerable<ReportRow> AllGroupsAsync(
        IAnalyticsStore store, AnalyticsGrouping grouping, ReportRequest request, AnalyticsSource source, GroupKey? after,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        while (true)
        {
            var (rows, next) = await GroupPageAsync(store, grouping, request, source, after, ReportRequest.MaxLimit, ct);
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

    private static async Task<(List<ReportRow> Rows, string? Next)> GroupPageAsync(
        IAnalyticsStore store, AnalyticsGrouping grouping, ReportRequest request, AnalyticsSource source, GroupKey? after, int limit, CancellationToken ct)
    {
        var current = (await store.GroupTotalsAsync(grouping, request.Filter, source, new KeyRange(after, null), limit + 1, ct)).ToList();
        var more = current.Count > limit;
        if (more)
        {
            current.RemoveAt(current.Count - 1);
        }

        var previous = current.Count == 0 ? []
            : (await store.GroupTotalsAsync(grouping, request.Filter.Previous(), source, new KeyRange(after, current[^1].Key), 0, ct))
                .ToDictionary(g => (g.Key.AccountId, g.Key.Id), g => g.Totals);
        var rows = new List<ReportRow>(current.Count);
        foreach (var group in current)
        {
            var mix = grouping == AnalyticsGrouping.Queue ? await MixAsync(store, request.Filter with { AccountId = group.Key.AccountId, QueueId = group.Key.Id }, ct) : null;
            rows.Add(Row(grouping, group, previous.GetValueOrDefault((group.Key.AccountId, group.Key.Id), MetricTotals.Zero)) with { Mix = mix });
        }

        var next = more ? AnalyticsDefinitions.EncodeCursor(current[^1].Key.AccountId, current[^1].Key.Id) : null;
        return (rows, next);
    }

    private static Task<IResult> AgentAsync(string agent, [AsParameters] ReportParameters p, IAnalyticsStore store, TimeProvider time, IOptions<AnalyticsOptions> o, CancellationToken ct) =>
        DetailAsync(AnalyticsGrouping.Agent, agent, p, store, time, o.Value, ct);

    private static Task<IResult> QueueAsync(string queue_id, [AsParameters] ReportParameters p, IAnalyticsStore store, TimeProvider time, IOptions<AnalyticsOptions> o, CancellationToken ct) =>
        DetailAsync(AnalyticsGrouping.Queue, queue_id, p, store, time, o.Value, ct);

    private static async Task<IResult> DetailAsync(
        AnalyticsGrouping grouping, string id, ReportParameters p, IAnalyticsStore store, TimeProvider time, AnalyticsOptions options, CancellationToken ct)
    {
        if (Parse(p, time, options, out var request) is { } problem)
        {
            return problem;
        }

        var agent = grouping == AnalyticsGrouping.Agent;
        var filter = agent ? request.Filter with { Agent = id } : request.Filter with { QueueId = id };
        var (found, source, error) = await FindOneAsync(store, grouping, request, filter, id, agent ? "agent" : "queue", ct);
        if (found is null)
        {
            return error;
        }

        var one = agent ? filter with { AccountId = found.AccountId, Agent = found.Agent?.Id ?? id } : filter with { AccountId = found.AccountId };
        var detail = found with { Trend = await TrendAsync(store, request, one, ct), Period = request.Period(source) };
        detail = agent ? await WithAgentPartsAsync(detail, store, one, ct) : detail with { Mix = await MixAsync(store, one, ct) };
        return Results.Json(detail, AnalyticsJsonContext.Default.ReportRow);
    }

    private static async Task<ReportRow> WithAgentPartsAsync(ReportRow row, IAnalyticsStore store, AnalyticsFilter one, CancellationToken ct)
    {
        var lowest = await store.SearchInteractionsAsync(new InteractionSearch { Filter = one, Evaluated = true, Sort = InteractionSort.Score, Limit = LowestScored }, ct);
        var scorecards = (await store.EvaluationsAsync(one, ct))
            .GroupBy(e => e.ScorecardName).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ScorecardRow(g.Key, g.Count(), g.Count(e => e.EvaluationType == "MANUAL"), g.Count(e => e.EvaluationType == "AUTOMATED"),
                g.Any(e => e.Ratio is not null) ? MetricValues.Round(g.Where(e => e.Ratio is not null).Average(e => e.Ratio ?? 0) * 100) : null))
            .ToList();
        return row with { LowestScored = lowest.Items.Select(InteractionRow.From).ToList(), Scorecards = scorecards };
    }

    private static async Task<(ReportRow? Found, AnalyticsSource Source, IResult Error)> FindOneAsync(
        IAnalyticsStore store, AnalyticsGrouping grouping, ReportRequest request, AnalyticsFilter filter, string id, string what, CancellationToken ct)
    {
        var source = AnalyticsDefinitions.ChooseSource(filter, request.Zone);
        var current = await store.GroupTotalsAsync(grouping, filter, source, KeyRange.All, 0, ct);
        var previous = await store.GroupTotalsAsync(grouping, filter.Previous(), source, KeyRange.All, 0, ct);
        var keys = current.Concat(previous).Select(g => g.Key).DistinctBy(k => (k.AccountId, k.Id)).ToList();
        // A name may also match rows of the agent's user id: prefer the exact id.
        var exact = keys.Where(k => k.Id == id).ToList();
        keys = exact.Count > 0 ? exact : keys;
        if (keys.Count == 0)
        {
            return (null, source, Results.Problem(statusCode: 404, title: $"Unknown {what}",
                detail: $"No {what} '{id}' has interactions or evaluations from {request.Filter.Previous().From:O} to {request.Filter.To:O} under these filters."));
        }

        if (keys.Count > 1)
        {
            return (null, source, Results.Problem(statusCode: 409, title: $"Ambiguous {what}",
                detail: $"'{id}' names {keys.Count} {what}s ({string.Join(", ", keys.Select(k => $"{k.AccountId}/{k.Id}"))}); add ?account_id= or use the id."));
        }

        var key = keys[0];
        var totals = current.FirstOrDefault(g => g.Key.AccountId == key.AccountId && g.Key.Id == key.Id) ?? new GroupTotals(key, MetricTotals.Zero);
        var before = previous.FirstOrDefault(g => g.Key.AccountId == key.AccountId && g.Key.Id == key.Id)?.Totals ?? MetricTotals.Zero;
        return (Row(grouping, totals, before), source, Results.Empty);
    }

    private static async Task<IResult> TrendsAsync(HttpRequest http, string? metric, [AsParameters] ReportParameters p, IAnalyticsStore store, TimeProvider time, IOptions<AnalyticsOptions> o, CancellationToken ct)
    {
        if (Parse(p, time, o.Value, out var request) is { } problem)
        {
            return problem;
        }

        if (metric is null || !TrendMetrics.TryGetValue(metric, out var select))
        {
            return BadRequest($"metric must be one of {string.Join(", ", TrendMetrics.Keys)}, got '{metric}'.");
        }

        if (AnalyticsExport.Resolve(p.Format, http) is not { } format)
        {
            return FormatProblem(p.Format);
        }

        var points = (await TrendAsync(store, request, request.Filter, ct))
            .Select(b => new TrendPoint(b.Start, select(b), b.Interactions, b.Evaluations)).ToList();
        return format == ExportFormat.Json
            ? Results.Json(new ReportList<TrendPoint>(points, null, request.Period(AnalyticsDefinitions.ChooseSource(request.Filter, request.Zone))), AnalyticsJsonContext.Default.ReportListTrendPoint)
            : AnalyticsExport.Stream(format, points.ToAsyncEnumerable(), [ExportColumn.Text("start"), ExportColumn.Real("value"), ExportColumn.Whole("interactions"), ExportColumn.Whole("evaluations")],
                t => [t.Start, t.Value, t.Interactions, t.Evaluations], AnalyticsJsonContext.Default.TrendPoint);
    }

    private static async Task<IResult> CalibrationAsync([AsParameters] ReportParameters p, IAnalyticsStore store, TimeProvider time, IOptions<AnalyticsOptions> o, CancellationToken ct)
    {
        if (Parse(p, time, o.Value, out var request) is { } problem)
        {
            return problem;
        }

        var evaluations = await store.EvaluationsAsync(request.Filter, ct);
        var report = Calibration.Compute(evaluations, WorstDisagreements, request.Period(AnalyticsSource.Projections));
        return Results.Json(report, AnalyticsJsonContext.Default.CalibrationReport);
    }

    private static async Task<IResult> SearchAsync(
        HttpRequest http, [AsParameters] ReportParameters p, [AsParameters] SearchParameters s, IAnalyticsStore store, TimeProvider time, IOptions<AnalyticsOptions> o, CancellationToken ct)
    {
        if (Parse(p, time, o.Value, out var request) is { } problem)
        {
            return problem;
        }

        if (s.Sort is not (null or "time" or "score"))
        {
            return BadRequest($"sort must be 'time' or 'score', got '{s.Sort}'.");
        }

        if (AnalyticsExport.Resolve(p.Format, http) is not { } format)
        {
            return FormatProblem(p.Format);
        }

        var search = new InteractionSearch
        {
            Filter = request.Filter,
            MinQaScorePct = s.MinQaScore,
            MaxQaScorePct = s.MaxQaScore,
            MinSentiment = s.MinSentiment,
            MaxSentiment = s.MaxSentiment,
            Evaluated = s.Evaluated,
            Language = string.IsNullOrEmpty(s.Language) ? null : s.Language,
            Disposition = string.IsNullOrEmpty(s.Disposition) ? null : s.Disposition,
            Sort = s.Sort == "score" ? InteractionSort.Score : InteractionSort.Time,
            Cursor = request.Cursor,
            Limit = format == ExportFormat.Json ? request.Limit : ReportRequest.MaxLimit,
        };
        try
        {
            var page = await store.SearchInteractionsAsync(search, ct);
            if (format != ExportFormat.Json)
            {
                return AnalyticsExport.Stream(format, AllInteractionsAsync(store, search, page, ct), InteractionRow.Columns, r => r.Values(), AnalyticsJsonContext.Default.InteractionRow);
            }

            return Results.Json(new ReportList<InteractionRow>(page.Items.Select(InteractionRow.From).ToList(), page.NextCursor, request.Period(AnalyticsSource.Projections)),
                AnalyticsJsonContext.Default.ReportListInteractionRow);
        }
        catch (FormatException ex)
        {
            return BadRequest(ex.Message);
        }
    }

    private static async IAsyncEnumerable<InteractionRow> AllInteractionsAsync(
        IAnalyticsStore store, InteractionSearch search, InteractionPage page, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
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

    private static async Task<IReadOnlyList<TrendBucket>> TrendAsync(IAnalyticsStore store, ReportRequest request, AnalyticsFilter filter, CancellationToken ct)
    {
        var buckets = await store.SeriesAsync(filter, AnalyticsDefinitions.ChooseSource(filter, request.Zone), ct);
        return AnalyticsDefinitions.Fold(buckets, request.Zone, request.Weekly, filter.From, filter.To)
            .Select(b => new TrendBucket(MetricValues.From(b.Totals)) { Start = b.Start })
            .ToList();
    }

    private static async Task<QueueMix> MixAsync(IAnalyticsStore store, AnalyticsFilter filter, CancellationToken ct)
    {
        var mix = await store.MixAsync(filter, ct);
        static IReadOnlyDictionary<string, long> By(IEnumerable<MixCount> rows, Func<MixCount, string> key) =>
            rows.GroupBy(r => key(r) is { Length: > 0 } k ? k : "unknown").OrderBy(g => g.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Sum(r => r.Interactions), StringComparer.Ordinal);
        return new QueueMix(By(mix, m => m.ChannelType), By(mix, m => m.Direction), By(mix, m => m.Disposition));
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

    private static GroupKey KeyOf(string[] parts) => new(parts[0], parts[1], null);

    private static IResult? Parse(ReportParameters p, TimeProvider time, AnalyticsOptions options, out ReportRequest request) =>
        ReportRequest.TryParse(p, time.GetUtcNow(), options.SentimentTarget, out request, out var error) ? null : BadRequest(error);

    private static IResult FormatProblem(string? format) => BadRequest($"format must be json, csv or ndjson, got '{format}'.");

    private static IResult BadRequest(string detail) => Results.Problem(statusCode: 400, title: "Bad request", detail: detail);
}

/// <summary>The interaction search's own query parameters.</summary>
public sealed class SearchParameters
{
    [FromQuery(Name = "min_qa_score")] public double? MinQaScore { get; init; }

    [FromQuery(Name = "max_qa_score")] public double? MaxQaScore { get; init; }

    [FromQuery(Name = "min_sentiment")] public double? MinSentiment { get; init; }

    [FromQuery(Name = "max_sentiment")] public double? MaxSentiment { get; init; }

    [FromQuery(Name = "evaluated")] public bool? Evaluated { get; init; }

    [FromQuery(Name = "language")] public string? Language { get; init; }

    [FromQuery(Name = "disposition")] public string? Disposition { get; init; }

    /// <summary>time (newest first, default) or score (lowest QA score first).</summary>
    [FromQuery(Name = "sort")] public string? Sort { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ReportList<ReportRow>))]
[JsonSerializable(typeof(ReportList<InteractionRow>))]
[JsonSerializable(typeof(ReportList<TrendPoint>))]
[JsonSerializable(typeof(ReportRow))]
[JsonSerializable(typeof(InteractionRow))]
[JsonSerializable(typeof(TrendPoint))]
[JsonSerializable(typeof(CalibrationReport))]
internal sealed partial class AnalyticsJsonContext : JsonSerializerContext;
