using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using QmHub.Api;
using QmHub.Storage.Analytics;

namespace QmHub.Analytics;

/// <summary>The QA analytics reports under /api/v1: agents, queues, trends, calibration, interaction search.</summary>
public static class AnalyticsApi
{

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
            .WithSummary("One agent: the same metrics, its daily or weekly trend, lowest-scored interactions and scorecards; JSON only (format=csv is a 400)")
            .Produces<ReportRow>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status406NotAcceptable);
        api.MapGet("/queues", (HttpRequest http, [AsParameters] ReportParameters p, IAnalyticsStore store, TimeProvider time, IOptions<AnalyticsOptions> o, CancellationToken ct) =>
                ListGroupsAsync(AnalyticsGrouping.Queue, http, p, store, time, o.Value, ct))
            .WithSummary("Per queue: the agent metrics plus channel, direction and disposition mix; keyset pagination; CSV/NDJSON export")
            .Produces<ReportList<ReportRow>>().Produces(StatusCodes.Status200OK, contentType: "text/csv");
        api.MapGet("/queues/{queue_id}", QueueAsync)
            .WithSummary("One queue: its metrics, mix and daily or weekly trend; JSON only (format=csv is a 400)")
            .Produces<ReportRow>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status406NotAcceptable);
        api.MapGet("/trends", TrendsAsync)
            .WithSummary("One metric (qa_score, sentiment, engagement, coverage, interactions, silence_rate, hold_rate, crosstalk_rate) per local day or week")
            .Produces<ReportList<TrendPoint>>().Produces(StatusCodes.Status200OK, contentType: "text/csv");
        api.MapGet("/calibration", CalibrationAsync)
            .WithSummary("Scorer agreement per scorecard on interactions evaluated twice or more, evaluator bias, and the worst disagreements; CSV/NDJSON/Parquet export as one table with a section column")
            .Produces<CalibrationReport>().Produces(StatusCodes.Status200OK, contentType: "text/csv");
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
            after = AnalyticsReports.GroupCursor(request.Cursor);
        }
        catch (FormatException ex)
        {
            return BadRequest(ex.Message);
        }

        var reports = new AnalyticsReports(store);
        if (format != ExportFormat.Json)
        {
            return AnalyticsExport.Stream(format, reports.AllGroupsAsync(grouping, request, after, ct), ExportTables.ReportRows);
        }

        var (rows, next) = await reports.GroupPageAsync(grouping, request, after, request.Limit, ct);
        return Results.Json(new ReportList<ReportRow>(rows, next, request.Period(reports.SourceFor(request.Filter, null))), AnalyticsJsonContext.Default.ReportListReportRow);
    }

    private static Task<IResult> AgentAsync(HttpRequest http, string agent, [AsParameters] ReportParameters p, IAnalyticsStore store, TimeProvider time, IOptions<AnalyticsOptions> o, CancellationToken ct) =>
        DetailAsync(http, AnalyticsGrouping.Agent, agent, p, store, time, o.Value, ct);

    private static Task<IResult> QueueAsync(HttpRequest http, string queue_id, [AsParameters] ReportParameters p, IAnalyticsStore store, TimeProvider time, IOptions<AnalyticsOptions> o, CancellationToken ct) =>
        DetailAsync(http, AnalyticsGrouping.Queue, queue_id, p, store, time, o.Value, ct);

    private static async Task<IResult> DetailAsync(
        HttpRequest http, AnalyticsGrouping grouping, string id, ReportParameters p, IAnalyticsStore store, TimeProvider time, AnalyticsOptions options, CancellationToken ct)
    {
        var agent = grouping == AnalyticsGrouping.Agent;
        if (JsonOnly(p.Format, http, agent ? "agent" : "queue", agent
            ? $"/api/v1/agents?agent={Uri.EscapeDataString(id)}&format=csv (its row) or /api/v1/interactions?agent={Uri.EscapeDataString(id)}&format=csv (its interactions)"
            : $"/api/v1/queues?queue_id={Uri.EscapeDataString(id)}&format=csv (its row) or /api/v1/interactions?queue_id={Uri.EscapeDataString(id)}&format=csv (its interactions)") is { } notExported)
        {
            return notExported;
        }

        if (Parse(p, time, options, out var request) is { } problem)
        {
            return problem;
        }

        var answer = await new AnalyticsReports(store).DetailAsync(grouping, request, id, ct);
        return answer.Row is { } row
            ? Results.Json(row, AnalyticsJsonContext.Default.ReportRow)
            : Results.Problem(statusCode: answer.Status, title: answer.Title, detail: answer.Detail);
    }

    private static async Task<IResult> TrendsAsync(HttpRequest http, string? metric, [AsParameters] ReportParameters p, IAnalyticsStore store, TimeProvider time, IOptions<AnalyticsOptions> o, CancellationToken ct)
    {
        if (Parse(p, time, o.Value, out var request) is { } problem)
        {
            return problem;
        }

        if (metric is null || !AnalyticsReports.TrendMetrics.TryGetValue(metric, out var select))
        {
            return BadRequest(MetricProblem(metric));
        }

        if (AnalyticsExport.Resolve(p.Format, http) is not { } format)
        {
            return FormatProblem(p.Format);
        }

        var reports = new AnalyticsReports(store);
        var points = await reports.TrendPointsAsync(request, select, ct);
        return format == ExportFormat.Json
            ? Results.Json(new ReportList<TrendPoint>(points, null, request.Period(reports.SourceFor(request.Filter, request.Zone))), AnalyticsJsonContext.Default.ReportListTrendPoint)
            : AnalyticsExport.Stream(format, points.ToAsyncEnumerable(), ExportTables.TrendPoints);
    }

    private static async Task<IResult> CalibrationAsync(HttpRequest http, [AsParameters] ReportParameters p, IAnalyticsStore store, TimeProvider time, IOptions<AnalyticsOptions> o, CancellationToken ct)
    {
        if (Parse(p, time, o.Value, out var request) is { } problem)
        {
            return problem;
        }

        if (AnalyticsExport.Resolve(p.Format, http) is not { } format)
        {
            return FormatProblem(p.Format);
        }

        var report = await new AnalyticsReports(store).CalibrationAsync(request, ct);
        return format == ExportFormat.Json
            ? Results.Json(report, AnalyticsJsonContext.Default.CalibrationReport)
            : AnalyticsExport.Stream(format, CalibrationRow.Of(report).ToAsyncEnumerable(), ExportTables.CalibrationRows);
    }

    private static async Task<IResult> SearchAsync(
        HttpRequest http, [AsParameters] ReportParameters p, [AsParameters] SearchParameters s, IAnalyticsStore store, TimeProvider time, IOptions<AnalyticsOptions> o, CancellationToken ct)
    {
        if (Parse(p, time, o.Value, out var request) is { } problem)
        {
            return problem;
        }

        if (s.Problem() is { } invalid)
        {
            return BadRequest(invalid);
        }

        if (AnalyticsExport.Resolve(p.Format, http) is not { } format)
        {
            return FormatProblem(p.Format);
        }

        var search = s.ToSearch(request, format == ExportFormat.Json ? request.Limit : ReportRequest.MaxLimit);
        var reports = new AnalyticsReports(store);
        try
        {
            var page = await reports.SearchAsync(search, ct);
            if (format != ExportFormat.Json)
            {
                return AnalyticsExport.Stream(format, reports.AllInteractionsAsync(search, page, ct), ExportTables.Interactions);
            }

            return Results.Json(new ReportList<InteractionRow>(page.Items.Select(InteractionRow.From).ToList(), page.NextCursor, request.Period(AnalyticsSource.Projections)),
                AnalyticsJsonContext.Default.ReportListInteractionRow);
        }
        catch (FormatException ex)
        {
            return BadRequest(ex.Message);
        }
    }

    /// <summary>The routes that export (<c>?format=csv|ndjson|parquet</c> or an <c>Accept</c> header), for messages about the ones that do not.</summary>
    public const string ExportingRoutes = "/api/v1/summary, /agents, /queues, /trends, /calibration, /interactions and /events";

    /// <summary>
    /// Null when the request asks for JSON (by <c>?format=json</c>, no format, or an Accept header that names no export format);
    /// otherwise the answer for a report that is JSON only: 400 for a <c>format</c> parameter, 406 for an Accept header,
    /// naming the routes that export and <paramref name="instead"/>.
    /// </summary>
    public static IResult? JsonOnly(string? format, HttpRequest http, string report, string instead)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (string.IsNullOrEmpty(format) ? AnalyticsExport.Resolve(null, http) == ExportFormat.Json : format.Equals("json", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var asked = string.IsNullOrEmpty(format) ? $"Accept: {http.Headers.Accept}" : $"format={format}";
        var detail = $"The {report} report is JSON only ({asked} asked for another format): exports are offered by {ExportingRoutes}. Use {instead}, or leave format out.";
        return string.IsNullOrEmpty(format)
            ? Results.Problem(statusCode: StatusCodes.Status406NotAcceptable, title: "Not acceptable", detail: detail)
            : BadRequest(detail);
    }

    /// <summary>The message for a metric that is missing or unknown.</summary>
    internal static string MetricProblem(string? metric) => $"metric must be one of {string.Join(", ", AnalyticsReports.TrendMetrics.Keys)}, got '{metric}'.";

    private static IResult? Parse(ReportParameters p, TimeProvider time, AnalyticsOptions options, out ReportRequest request) =>
        ReportRequest.TryParse(p, time.GetUtcNow(), options.SentimentTarget, out request, out var error) ? null : BadRequest(error);

    private static IResult FormatProblem(string? format) => BadRequest(AnalyticsExport.FormatProblem(format));

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

    /// <summary>A BCP 47 tag such as en-US, in any case.</summary>
    [FromQuery(Name = "language")] public string? Language { get; init; }

    /// <summary>The disposition exactly as Zoom sent it (free text: "Resolved").</summary>
    [FromQuery(Name = "disposition")] public string? Disposition { get; init; }

    /// <summary>time (newest first, default) or score (lowest QA score first).</summary>
    [FromQuery(Name = "sort")] public string? Sort { get; init; }

    /// <summary>What is wrong with these parameters, or null.</summary>
    public string? Problem() =>
        Sort is not (null or "time" or "score") ? $"sort must be 'time' or 'score', got '{Sort}'."
        : new (string Name, double? Value)[] { ("min_qa_score", MinQaScore), ("max_qa_score", MaxQaScore), ("min_sentiment", MinSentiment), ("max_sentiment", MaxSentiment) }
            .FirstOrDefault(b => b.Value is { } v && !double.IsFinite(v)) is { Name: { } bad } named
            ? $"{bad} must be a number, got {named.Value?.ToString(CultureInfo.InvariantCulture)}."
            : null;

    /// <summary>
    /// A BCP 47 language tag in its conventional case (RFC 5646 section 2.1.1: tags are case-insensitive), as Zoom sends
    /// them: language lower case, script title case, region upper case (en-us → en-US, zh-hant-tw → zh-Hant-TW); after
    /// a singleton (extensions, private use) lower case.
    /// </summary>
    public static string LanguageTag(string tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        var parts = tag.Split('-');
        var singleton = false;
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            singleton |= i > 0 && part.Length == 1;
            parts[i] = i == 0 || singleton ? part.ToLowerInvariant()
                : part.Length == 2 ? part.ToUpperInvariant()
                : part.Length == 4 && part.All(char.IsAsciiLetter) ? char.ToUpperInvariant(part[0]) + part[1..].ToLowerInvariant()
                : part.ToLowerInvariant();
        }

        return string.Join('-', parts);
    }

    /// <summary>The search these parameters ask for over <paramref name="request"/>, <paramref name="limit"/> rows a page.</summary>
    public InteractionSearch ToSearch(ReportRequest request, int limit)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new InteractionSearch
        {
            Filter = request.Filter,
            MinQaScorePct = MinQaScore,
            MaxQaScorePct = MaxQaScore,
            MinSentiment = MinSentiment,
            MaxSentiment = MaxSentiment,
            Evaluated = Evaluated,
            Language = string.IsNullOrEmpty(Language) ? null : LanguageTag(Language),
            Disposition = string.IsNullOrEmpty(Disposition) ? null : Disposition,
            Sort = Sort == "score" ? InteractionSort.Score : InteractionSort.Time,
            Cursor = request.Cursor,
            Limit = limit,
        };
    }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ReportList<ReportRow>))]
[JsonSerializable(typeof(ReportList<InteractionRow>))]
[JsonSerializable(typeof(ReportList<TrendPoint>))]
[JsonSerializable(typeof(ReportRow))]
[JsonSerializable(typeof(InteractionRow))]
[JsonSerializable(typeof(TrendPoint))]
[JsonSerializable(typeof(CalibrationReport))]
[JsonSerializable(typeof(CalibrationRow))]
internal sealed partial class AnalyticsJsonContext : JsonSerializerContext;
