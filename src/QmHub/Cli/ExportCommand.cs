using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using QmHub.Analytics;
using QmHub.Hosting;
using QmHub.Storage.Analytics;

namespace QmHub.Cli;

/// <summary>
/// <c>qmhub export</c>: a report or list straight from the database to a file, through the writer the HTTP exports
/// use, streamed into a temporary file that is renamed only when complete.
/// </summary>
internal static class ExportCommand
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private static readonly string[] Reports = ["agents", "queues", "interactions", "trends", "calibration"];

    public static Command Create()
    {
        var report = new Argument<string>("report") { Description = "What to export: agents, queues, interactions, trends or calibration." };
        report.AcceptOnlyFromAmong(Reports);
        var output = new Option<FileInfo>("--output", "-o") { Description = "The file to write; replaced only once the export is complete.", Required = true };
        var format = new Option<string?>("--format") { Description = "csv, ndjson or parquet; default from the file's extension (.csv, .ndjson or .jsonl, .parquet)." };
        var db = CommonOptions.Db();
        Option<string?> Text(string name, string description) => new(name) { Description = description };
        var from = Text("--from", "Start (ISO 8601; a date alone is local midnight in --tz). Default: 30 days before --to.");
        var to = Text("--to", "End, exclusive (ISO 8601). Default: the end of today in --tz.");
        var tz = Text("--tz", "IANA time zone of day and week buckets and of dates; default UTC.");
        var account = Text("--account-id", "Only this account.");
        var queue = Text("--queue-id", "Only this queue.");
        var agent = Text("--agent", "Only this agent (resolved id or name).");
        var channel = Text("--channel-type", "Only this channel type (AUDIO, VIDEO, SMS, WEB_CHAT, ...).");
        var direction = Text("--direction", "Only this direction (inbound, outbound).");
        var target = new Option<double?>("--sentiment-target") { Description = "Overrides Analytics:SentimentTarget (default 61)." };
        var metric = Text("--metric", $"trends: {string.Join(", ", AnalyticsReports.TrendMetrics.Keys)}.");
        var interval = Text("--interval", "trends: day (default) or week.");
        var minQa = new Option<double?>("--min-qa-score") { Description = "interactions: least QA score, percent." };
        var maxQa = new Option<double?>("--max-qa-score") { Description = "interactions: greatest QA score, percent." };
        var minSentiment = new Option<double?>("--min-sentiment") { Description = "interactions: least sentiment score." };
        var maxSentiment = new Option<double?>("--max-sentiment") { Description = "interactions: greatest sentiment score." };
        var evaluated = new Option<bool?>("--evaluated") { Description = "interactions: true (only evaluated) or false (only not evaluated)." };
        var language = Text("--language", "interactions: only this primary language.");
        var disposition = Text("--disposition", "interactions: only this disposition.");
        var sort = Text("--sort", "interactions: time (newest first, default) or score (lowest QA score first).");
        var command = new Command("export", "Write a report or list to a CSV, NDJSON or Parquet file, straight from the database, with progress on stderr.")
        {
            report, output, format, db, from, to, tz, account, queue, agent, channel, direction, target, metric, interval,
            minQa, maxQa, minSentiment, maxSentiment, evaluated, language, disposition, sort,
        };
        command.SetAction(async (result, ct) =>
        {
            var file = result.GetRequiredValue(output);
            if (FormatOf(result.GetValue(format), file) is not { } chosen)
            {
                return Fail(result.GetValue(format) is { } f
                    ? AnalyticsExport.FormatProblem(f).Replace("json, ", "", StringComparison.Ordinal)
                    : $"--format: cannot tell the format from '{file.Name}'; give --format csv, ndjson or parquet, or a file ending in .csv, .ndjson or .parquet.");
            }

            var parameters = new ReportParameters
            {
                From = result.GetValue(from),
                To = result.GetValue(to),
                Tz = result.GetValue(tz),
                AccountId = result.GetValue(account),
                QueueId = result.GetValue(queue),
                Agent = result.GetValue(agent),
                ChannelType = result.GetValue(channel),
                Direction = result.GetValue(direction),
                SentimentTarget = result.GetValue(target),
                Interval = result.GetValue(interval),
            };
            var search = new SearchParameters
            {
                MinQaScore = result.GetValue(minQa),
                MaxQaScore = result.GetValue(maxQa),
                MinSentiment = result.GetValue(minSentiment),
                MaxSentiment = result.GetValue(maxSentiment),
                Evaluated = result.GetValue(evaluated),
                Language = result.GetValue(language),
                Disposition = result.GetValue(disposition),
                Sort = result.GetValue(sort),
            };
            var configuration = QmHubConfiguration.Build(CommonOptions.Flags(result, ("Db", db)));
            var analytics = new AnalyticsOptions();
            configuration.GetSection("Analytics").Bind(analytics);
            if (!ReportRequest.TryParse(parameters, TimeProvider.System.GetUtcNow(), analytics.SentimentTarget, out var request, out var error))
            {
                return Fail(Flagged(error));
            }

            var name = result.GetRequiredValue(report);
            Func<MetricValues, double?>? select = null;
            if (name == "trends" && (result.GetValue(metric) is not { } m || !AnalyticsReports.TrendMetrics.TryGetValue(m, out select)))
            {
                return Fail(Flagged(AnalyticsApi.MetricProblem(result.GetValue(metric))));
            }

            if (search.Problem() is { } invalid)
            {
                return Fail(Flagged(invalid));
            }

            await using var store = await StoreCommands.OpenAsync(result, db, ct, mustExist: true);
            var reports = new AnalyticsReports(AnalyticsServices.StoreFor(store));
            return name switch
            {
                "agents" => await WriteAsync(file, chosen, reports.AllGroupsAsync(AnalyticsGrouping.Agent, request, null, ct), ExportTables.ReportRows, ct),
                "queues" => await WriteAsync(file, chosen, reports.AllGroupsAsync(AnalyticsGrouping.Queue, request, null, ct), ExportTables.ReportRows, ct),
                "interactions" => await WriteAsync(file, chosen, InteractionsAsync(reports, search.ToSearch(request, ReportRequest.MaxLimit), ct), ExportTables.Interactions, ct),
                "trends" => await WriteAsync(file, chosen, TrendAsync(reports, request, select!, ct), ExportTables.TrendPoints, ct),
                _ => await WriteAsync(file, chosen, CalibrationAsync(reports, request, ct), ExportTables.CalibrationRows, ct),
            };
        });
        return command;
    }

    /// <summary>The format <c>--format</c> names, else the one the file's extension names; null when neither names one we write.</summary>
    internal static ExportFormat? FormatOf(string? format, FileInfo file) =>
        (format ?? file.Extension.TrimStart('.')).ToLowerInvariant() switch
        {
            "csv" => ExportFormat.Csv,
            "ndjson" or "jsonl" when format is null || format == "ndjson" => ExportFormat.Ndjson,
            "parquet" => ExportFormat.Parquet,
            _ => null,
        };

    /// <summary>
    /// Streams <paramref name="rows"/> into a temporary file beside <paramref name="file"/>, then renames it: a failed
    /// or interrupted export leaves no half file, and an existing file stays as it was until the new one is complete
    /// (and keeps its permissions). A symbolic link is followed (the file it names is replaced, not the link); a
    /// device, pipe or terminal (<c>/dev/stdout</c>) is written into directly, never replaced.
    /// </summary>
    private static async Task<int> WriteAsync<T>(FileInfo output, ExportFormat format, IAsyncEnumerable<T> rows, ExportTable<T> table, CancellationToken ct)
    {
        // /dev/stdout is a link to /proc/self/fd/1, itself a link to "pipe:[N]" or a terminal: opened as given, never resolved.
        var special = output.FullName.StartsWith("/dev/", StringComparison.Ordinal) || output.FullName.StartsWith("/proc/", StringComparison.Ordinal);
        var file = !special && output.LinkTarget is not null && output.ResolveLinkTarget(returnFinalTarget: true) is FileInfo linked ? linked : output;
        if ((special || file.Exists) && OpenStreamTarget(file, special) is { } target)
        {
            var streamed = new ExportProgress(file.Name);
            await using (target)
            {
                await AnalyticsExport.WriteAsync(target, format, streamed.Count(rows, ct), table, ct);
                await target.FlushAsync(ct);
            }

            streamed.Stop();
            await Console.Error.WriteLineAsync(string.Create(Invariant, $"Wrote {streamed.Rows:N0} rows to {output.FullName} in {streamed.Elapsed.TotalSeconds:F1} s."));
            return 0;
        }

        var directory = file.Directory ?? throw new ArgumentException($"--output: '{file.FullName}' has no folder.");
        if (!directory.Exists)
        {
            return Fail($"--output: the folder {directory.FullName} does not exist.");
        }

        var temporary = Path.Combine(directory.FullName, $".{file.Name}.{Guid.NewGuid():N}.tmp");
        var progress = new ExportProgress(file.Name);
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await AnalyticsExport.WriteAsync(stream, format, progress.Count(rows, ct), table, ct);
                await stream.FlushAsync(ct);
                stream.Flush(flushToDisk: true);
            }

            if (file.Exists && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, File.GetUnixFileMode(file.FullName));
            }

            File.Move(temporary, file.FullName, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            progress.Stop();
            throw;
        }

        progress.Stop();
        Console.WriteLine(string.Create(Invariant, $"Wrote {progress.Rows:N0} rows to {file.FullName} in {progress.Elapsed.TotalSeconds:F1} s."));
        return 0;
    }

    /// <summary>
    /// <paramref name="file"/> opened for writing when it is a device, pipe or terminal (<paramref name="special"/>: under
    /// /dev or /proc), which a rename must not replace; null for a regular file. Opened once: closing a pipe after a look
    /// would tell its reader the export had ended.
    /// </summary>
    private static FileStream? OpenStreamTarget(FileInfo file, bool special)
    {
        var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1 << 16, FileOptions.None);
        if (special || !stream.CanSeek)
        {
            return stream;
        }

        stream.Dispose();
        return null;
    }

    private static async IAsyncEnumerable<InteractionRow> InteractionsAsync(AnalyticsReports reports, InteractionSearch search, [EnumeratorCancellation] CancellationToken ct)
    {
        var first = await reports.SearchAsync(search, ct);
        await foreach (var row in reports.AllInteractionsAsync(search, first, ct))
        {
            yield return row;
        }
    }

    private static async IAsyncEnumerable<TrendPoint> TrendAsync(AnalyticsReports reports, ReportRequest request, Func<MetricValues, double?> select, [EnumeratorCancellation] CancellationToken ct)
    {
        foreach (var point in await reports.TrendPointsAsync(request, select, ct))
        {
            yield return point;
        }
    }

    private static async IAsyncEnumerable<CalibrationRow> CalibrationAsync(AnalyticsReports reports, ReportRequest request, [EnumeratorCancellation] CancellationToken ct)
    {
        foreach (var row in CalibrationRow.Of(await reports.CalibrationAsync(request, ct)))
        {
            yield return row;
        }
    }

    /// <summary>The API's parameter names in a message become the command's flags.</summary>
    private static string Flagged(string message)
    {
        foreach (var name in new[] { "sentiment_target", "from", "to", "tz", "interval", "metric", "sort" })
        {
            message = message.Replace(name + " ", $"--{name.Replace('_', '-')} ", StringComparison.Ordinal)
                .Replace(name + " (", $"--{name.Replace('_', '-')} (", StringComparison.Ordinal);
        }

        return message.StartsWith("--", StringComparison.Ordinal) ? message : "qmhub export: " + message;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }

    /// <summary>
    /// Rows written and the rate, on stderr: one line rewritten in place on a terminal, a plain line every few
    /// seconds when stderr is redirected (a log file, a CI job).
    /// </summary>
    private sealed class ExportProgress(string name)
    {
        private static readonly TimeSpan TerminalEvery = TimeSpan.FromMilliseconds(250);
        private static readonly TimeSpan RedirectedEvery = TimeSpan.FromSeconds(5);
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly bool _terminal = !Console.IsErrorRedirected;
        private TimeSpan _shown;
        private bool _live;

        public long Rows { get; private set; }

        public TimeSpan Elapsed => _clock.Elapsed;

        public async IAsyncEnumerable<T> Count<T>(IAsyncEnumerable<T> rows, [EnumeratorCancellation] CancellationToken ct)
        {
            await foreach (var row in rows.WithCancellation(ct))
            {
                yield return row;
                Rows++;
                if (_clock.Elapsed - _shown >= (_terminal ? TerminalEvery : RedirectedEvery))
                {
                    Show();
                }
            }
        }

        public void Stop()
        {
            if (_live)
            {
                Console.Error.WriteLine();
            }
        }

        private void Show()
        {
            _shown = _clock.Elapsed;
            var line = string.Create(Invariant, $"Exporting {name}: {Rows:N0} rows, {Rows / Math.Max(0.001, _clock.Elapsed.TotalSeconds):N0} rows/s");
            if (_terminal)
            {
                Console.Error.Write("\r" + line + "\u001b[K");
                _live = true;
            }
            else
            {
                Console.Error.WriteLine(line);
            }
        }
    }
}
