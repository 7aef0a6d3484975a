using System.Globalization;
using QmHub.Analytics;
using QmHub.Bench.Analytics;
using QmHub.Storage.Analytics;

// Usage: dotnet run -c Release --project bench/QmHub.Bench.Analytics -- [--interactions 10000000] [--evaluations 3000000] [--days 400]
//   [--engines sqlite,postgres] [--postgres CONNECTION] [--runs 30] [--warmups 2] [--cell-budget-seconds 30] [--seed 7]
//   [--dir DIR] [--keep] [--reuse] [--reports agents,trends] [--windows 30,365] [--groupby-windows 30,365] [--explain] [--markdown FILE]
var options = new Args(args);
var size = new DataSize(options.Long("--interactions", 10_000_000), options.Long("--evaluations", 3_000_000), (int)options.Long("--days", 400), (int)options.Long("--seed", 7));
var engines = options.Text("--engines", "sqlite,postgres").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
var unknown = engines.Except(["sqlite", "postgres"]).ToList();
if (unknown.Count > 0 || size.Interactions < 1 || size.Evaluations < 0 || size.Days < 31)
{
    await Console.Error.WriteLineAsync($"--engines takes sqlite and/or postgres (got {string.Join(',', unknown)}); --interactions must be positive and --days at least 31.");
    return 2;
}

var timings = new ReportTimings((int)options.Long("--runs", 30), (int)options.Long("--warmups", 2), TimeSpan.FromSeconds(options.Long("--cell-budget-seconds", 30)));
// The simulated clock starts at a UTC midnight `days` ago, so the windows end at a whole day.
var start = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-size.Days), TimeSpan.Zero);
var keep = options.Flag("--keep") || options.Flag("--reuse");
// --groupby-windows 30: the windows that also get the plain GROUP BY (a run of it reads every fact of the window).
var groupByWindows = options.Text("--groupby-windows", "30,365").Split(',').Select(w => int.Parse(w, CultureInfo.InvariantCulture)).ToArray();
// --windows 30: the windows measured (days before the last day of data).
var windows = options.Text("--windows", "30,365").Split(',').Select(w => int.Parse(w, CultureInfo.InvariantCulture)).ToArray();
// --reports "agents,trends": only the reports whose names start so.
var only = options.Text("--reports", "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
var directory = options.Text("--dir", Path.Combine(Path.GetTempPath(), "qmhub-bench-analytics-" + Guid.NewGuid().ToString("N")[..8]));
Directory.CreateDirectory(directory);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"# {size.Interactions:N0} interactions, {size.Evaluations:N0} evaluations over {size.Days} days (seed {size.Seed}); {Environment.ProcessorCount} cores; data in {directory}"));

var results = new List<Timing>();
var loads = new List<LoadReport>();
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
try
{
    if (engines.Contains("sqlite"))
    {
        var path = Path.Combine(directory, "analytics.db");
        // --reuse: measure again on a database a previous run kept (--keep --dir DIR), without loading.
        var load = options.Flag("--reuse") && File.Exists(path)
            ? await SqliteBench.DescribeAsync(path, cancel.Token)
            : await SqliteBench.LoadAsync(path, size, start, cancel.Token);
        loads.Add(load);
        Console.WriteLine(load.Describe());
        if (options.Flag("--explain"))
        {
            foreach (var (name, sql) in SqliteBench.Statements)
            {
                Console.Error.WriteLine($"-- {name}{Environment.NewLine}{await SqliteBench.ExplainAsync(path, sql, cancel.Token)}");
            }
        }

        results.AddRange(await MeasureAsync("SQLite", SqliteBench.Store(path), load, cancel.Token));
    }

    if (engines.Contains("postgres"))
    {
        var (load, store, cleanup) = await PostgresBench.LoadAsync(options.Text("--postgres", ""), size, start, cancel.Token);
        await using (cleanup)
        {
            loads.Add(load);
            Console.WriteLine(load.Describe());
            results.AddRange(await MeasureAsync("PostgreSQL", store, load, cancel.Token));
        }
    }
}
finally
{
    if (!keep)
    {
        Directory.Delete(directory, recursive: true);
    }
}

var table = ReportTimings.Table(results);
Console.WriteLine();
Console.WriteLine(table);
var misses = results.Where(t => t is { Engine: "SQLite", Source: "rollups", WindowDays: 30 } && t.P99Ms >= 100).ToList();
Console.WriteLine(!results.Any(t => t.Engine == "SQLite") ? "SQLite not measured: no verdict on the 100 ms target."
    : misses.Count == 0
    ? "Target met: every report under 100 ms at p99 for 30 days on SQLite."
    : $"Target missed on SQLite, 30 days, p99 >= 100 ms: {string.Join(", ", misses.Select(m => m.Report))}.");
if (options.Text("--markdown", "") is { Length: > 0 } markdown)
{
    await File.WriteAllTextAsync(markdown, string.Join(Environment.NewLine, loads.Select(l => "- " + l.Describe())) + Environment.NewLine + Environment.NewLine + table);
}

return 0;

async Task<List<Timing>> MeasureAsync(string engine, IAnalyticsStore store, LoadReport load, CancellationToken ct)
{
    var measured = new List<Timing>();
    var end = new DateTimeOffset(load.LastStart.UtcDateTime.Date, TimeSpan.Zero);
    var auto = new AnalyticsReports(store);
    var groupBy = new AnalyticsReports(store, AnalyticsSource.Projections);
    foreach (var days in windows)
    {
        var parameters = new ReportParameters { From = end.AddDays(-days).ToString("O", CultureInfo.InvariantCulture), To = end.ToString("O", CultureInfo.InvariantCulture), Tz = "America/New_York" };
        if (!ReportRequest.TryParse(parameters, DateTimeOffset.UtcNow, AnalyticsDefinitions.DefaultSentimentTarget, out var request, out var error))
        {
            throw new InvalidOperationException(error);
        }

        if (auto.SourceFor(request.Filter, request.Zone) != AnalyticsSource.Rollups)
        {
            throw new InvalidOperationException("The benchmark's windows must be answerable from rollups.");
        }

        // The busiest agent and queue of the window: the detail pages with the most behind them.
        var agents = await auto.GroupPageAsync(QmHub.Storage.Analytics.AnalyticsGrouping.Agent, request, null, ReportRequest.MaxLimit, ct);
        var queues = await auto.GroupPageAsync(QmHub.Storage.Analytics.AnalyticsGrouping.Queue, request, null, ReportRequest.MaxLimit, ct);
        var agentId = agents.Rows.MaxBy(r => r.Interactions)?.Agent?.Id ?? throw new InvalidOperationException("No agent in the window.");
        var queueId = queues.Rows.Where(r => r.Queue?.Id is not null).MaxBy(r => r.Interactions)?.Queue?.Id ?? throw new InvalidOperationException("No queue in the window.");
        foreach (var report in ReportTimings.Cases(agentId, queueId).Where(c => only.Length == 0 || only.Any(o => c.Name.StartsWith(o, StringComparison.Ordinal))))
        {
            measured.Add(await timings.MeasureAsync(engine, "rollups", days, report, auto, request, ct));
            if (report.SourceMatters && groupByWindows.Contains(days))
            {
                measured.Add(await timings.MeasureAsync(engine, "GROUP BY", days, report, groupBy, request, ct));
            }
        }
    }

    return measured;
}

/// <summary>Command-line flags: <c>--name value</c> and bare <c>--flag</c>.</summary>
internal sealed class Args(string[] args)
{
    public long Long(string name, long fallback) =>
        Value(name) is { } text ? long.Parse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture) : fallback;

    public string Text(string name, string fallback) => Value(name) ?? fallback;

    public bool Flag(string name) => args.Contains(name);

    private string? Value(string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
