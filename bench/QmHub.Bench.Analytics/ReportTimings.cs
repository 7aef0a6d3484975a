using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using QmHub.Analytics;
using QmHub.Storage.Analytics;

namespace QmHub.Bench.Analytics;

/// <summary>One report as the API computes it: the same composition the HTTP handler runs, then its JSON written to nowhere.</summary>
internal sealed record ReportCase(string Name, bool SourceMatters, Func<AnalyticsReports, ReportRequest, CancellationToken, Task> RunAsync);

/// <summary>p50/p99 of one report over one window from one source.</summary>
internal sealed record Timing(string Engine, string Source, int WindowDays, string Report, double P50Ms, double P99Ms, int Runs);

/// <summary>
/// Times every report: warm-up runs, then <see cref="Runs"/> timed runs, unless a cell would take more than its
/// budget: then as many as fit (at least one), and a report slower than a quarter of the budget gets one warm-up.
/// </summary>
internal sealed class ReportTimings(int runs, int warmups, TimeSpan cellBudget)
{
    public int Runs => runs;

    /// <summary>Every report of the API, trends for each metric at day and week interval.</summary>
    public static IReadOnlyList<ReportCase> Cases(string agentId, string queueId)
    {
        var cases = new List<ReportCase>
        {
            new("agents", true, async (r, q, ct) => await WriteAsync(ListOf(await r.GroupPageAsync(AnalyticsGrouping.Agent, q, null, q.Limit, ct), r, q), AnalyticsJsonContext.Default.ReportListReportRow, ct)),
            new("agent detail", true, async (r, q, ct) => await WriteAsync(Found(await r.DetailAsync(AnalyticsGrouping.Agent, q, agentId, ct)), AnalyticsJsonContext.Default.ReportRow, ct)),
            new("queues", true, async (r, q, ct) => await WriteAsync(ListOf(await r.GroupPageAsync(AnalyticsGrouping.Queue, q, null, q.Limit, ct), r, q), AnalyticsJsonContext.Default.ReportListReportRow, ct)),
            new("queue detail", true, async (r, q, ct) => await WriteAsync(Found(await r.DetailAsync(AnalyticsGrouping.Queue, q, queueId, ct)), AnalyticsJsonContext.Default.ReportRow, ct)),
        };
        foreach (var weekly in new[] { false, true })
        {
            foreach (var (metric, select) in AnalyticsReports.TrendMetrics)
            {
                // The metric is picked from the same sums after the query: a plain GROUP BY costs the same for each,
                // so it is timed once per interval (a run of it can take minutes at ten million interactions).
                cases.Add(new($"trends {metric} {(weekly ? "week" : "day")}", metric == "qa_score", async (r, q, ct) =>
                {
                    var request = q with { Weekly = weekly };
                    var points = await r.TrendPointsAsync(request, select, ct);
                    await WriteAsync(new ReportList<TrendPoint>(points, null, request.Period(r.SourceFor(request.Filter, request.Zone))), AnalyticsJsonContext.Default.ReportListTrendPoint, ct);
                }));
            }
        }

        cases.Add(new("calibration", false, async (r, q, ct) => await WriteAsync(await r.CalibrationAsync(q, ct), AnalyticsJsonContext.Default.CalibrationReport, ct)));
        cases.Add(new("interaction search (newest first)", false, async (r, q, ct) => await SearchAsync(r, q, new SearchParameters(), ct)));
        cases.Add(new("interaction search (lowest score, evaluated)", false, async (r, q, ct) => await SearchAsync(r, q, new SearchParameters { Sort = "score", Evaluated = true }, ct)));
        return cases;
    }

    public async Task<Timing> MeasureAsync(string engine, string source, int windowDays, ReportCase report, AnalyticsReports reports, ReportRequest request, CancellationToken ct)
    {
        // A plain GROUP BY of ten million interactions takes minutes: its first run is timed, not a warm-up.
        for (var i = 0; i < (source == "GROUP BY" ? 0 : warmups); i++)
        {
            var warm = Stopwatch.StartNew();
            await report.RunAsync(reports, request, ct);
            if (warm.Elapsed > cellBudget / 4)
            {
                break;
            }
        }

        var samples = new List<double>(runs);
        var cell = Stopwatch.StartNew();
        while (samples.Count < runs && !(samples.Count >= 1 && cell.Elapsed > cellBudget))
        {
            var one = Stopwatch.StartNew();
            await report.RunAsync(reports, request, ct);
            samples.Add(one.Elapsed.TotalMilliseconds);
        }

        samples.Sort();
        var timing = new Timing(engine, source, windowDays, report.Name, Percentile(samples, 0.50), Percentile(samples, 0.99), samples.Count);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{engine} {source,-11} {windowDays,3} d  {report.Name,-46} p50 {timing.P50Ms,9:F1} ms  p99 {timing.P99Ms,9:F1} ms  ({timing.Runs} runs)"));
        return timing;
    }

    /// <summary>The Markdown table: one line per report and window, a column per engine and source.</summary>
    public static string Table(IReadOnlyList<Timing> timings)
    {
        var columns = timings.Select(t => (t.Engine, t.Source)).Distinct().ToList();
        var text = new StringBuilder();
        text.Append("| report | window |");
        foreach (var (engine, source) in columns)
        {
            text.Append(CultureInfo.InvariantCulture, $" {engine} {source} p50 / p99 ms (runs) |");
        }

        text.AppendLine().Append("| --- | --- |").AppendLine(string.Concat(columns.Select(_ => " ---: |")));
        foreach (var row in timings.GroupBy(t => (t.Report, t.WindowDays)).OrderBy(g => g.Key.WindowDays))
        {
            text.Append(CultureInfo.InvariantCulture, $"| {row.Key.Report} | {row.Key.WindowDays} d |");
            foreach (var (engine, source) in columns)
            {
                var t = row.FirstOrDefault(x => x.Engine == engine && x.Source == source);
                text.Append(t is null ? (row.Key.Report.StartsWith("trends", StringComparison.Ordinal) ? " as trends qa_score (same query) |" : " as rollups (reads the projections either way) |") : string.Create(CultureInfo.InvariantCulture, $" {t.P50Ms:F1} / {t.P99Ms:F1} ({t.Runs}) |"));
            }

            text.AppendLine();
        }

        return text.ToString();
    }

    /// <summary>Nearest rank.</summary>
    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static async Task SearchAsync(AnalyticsReports reports, ReportRequest request, SearchParameters parameters, CancellationToken ct)
    {
        var page = await reports.SearchAsync(parameters.ToSearch(request, request.Limit), ct);
        await WriteAsync(new ReportList<InteractionRow>(page.Items.Select(InteractionRow.From).ToList(), page.NextCursor, request.Period(AnalyticsSource.Projections)),
            AnalyticsJsonContext.Default.ReportListInteractionRow, ct);
    }

    private static ReportList<ReportRow> ListOf((List<ReportRow> Rows, string? Next) page, AnalyticsReports reports, ReportRequest request) =>
        new(page.Rows, page.Next, request.Period(reports.SourceFor(request.Filter, null)));

    private static ReportRow Found(DetailAnswer answer) =>
        answer.Row ?? throw new InvalidOperationException($"The benchmark's agent or queue was not found: {answer.Detail}");

    private static Task WriteAsync<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> json, CancellationToken ct) =>
        JsonSerializer.SerializeAsync(Stream.Null, value, json, ct);
}
