using System.CommandLine;
using System.Globalization;
using QmHub.Simulation;
using QmHub.Zoom.Signing;
using Spectre.Console;

namespace QmHub.Cli;

/// <summary>Zoom's side of the wire: simulate, replay, sign.</summary>
internal static class SimulationCommands
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static Command Simulate()
    {
        var url = UrlOption("--url", "The receiver to send to (QmHub, your app, any endpoint).");
        var secret = SecretOption();
        var rate = new Option<double>("--rate") { Description = "First attempts per second (0 = as fast as the receiver answers).", DefaultValueFactory = _ => 0 };
        var count = new Option<int?>("--count") { Description = "How many deliveries to generate." };
        var duration = new Option<string?>("--duration") { Description = "How much simulated time to generate (90s, 15m, 8h, 3d); one day by default." };
        var seed = new Option<int>("--seed") { Description = "With --start, reproduces the same bodies byte for byte.", DefaultValueFactory = _ => 1 };
        var start = new Option<DateTimeOffset?>("--start") { Description = "The simulated clock's start (ISO 8601); default now." };
        var tz = new Option<string>("--tz") { Description = "Time zone of the contact center's business hours (IANA).", DefaultValueFactory = _ => "America/New_York" };
        var accounts = new Option<int>("--accounts") { Description = "Zoom accounts.", DefaultValueFactory = _ => 1 };
        var queues = new Option<int>("--queues") { Description = "Queues per account.", DefaultValueFactory = _ => 4 };
        var agents = new Option<int>("--agents") { Description = "Agents per account.", DefaultValueFactory = _ => 24 };
        var faults = new Option<string?>("--faults") { Description = $"Faults in percent, e.g. duplicate=2,out-of-order=1,stale=1 ({string.Join(", ", FaultRates.Names)})." };
        var retry = RetryOption();
        var concurrency = ConcurrencyOption();
        var output = new Option<FileInfo?>("--out") { Description = "Write the deliveries (headers and body) to this NDJSON file, instead of or as well as sending them." };
        var receiver = ReceiverOption();
        var validate = new Option<bool>("--validate") { Description = "Only perform Zoom's endpoint.url_validation handshake against --url and say whether it was answered correctly." };
        var command = new Command("simulate", "Send deliveries exactly as Zoom does, from a realistic simulated contact center.")
        {
            url, secret, rate, count, duration, seed, start, tz, accounts, queues, agents, faults, retry, concurrency, output, receiver, validate,
        };
        command.SetAction(async (result, ct) =>
        {
            var target = result.GetValue(url);
            var outFile = result.GetValue(output);
            var token = Secret(result, secret);
            if (result.GetValue(validate))
            {
                // The handshake alone: a flag about deliveries would silently do nothing.
                var ignored = new Option[] { rate, count, duration, seed, start, accounts, queues, agents, faults, retry, concurrency, output, receiver }
                    .Where(o => result.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
                return target is null ? Fail("--validate needs --url.")
                    : ignored.Count > 0 ? Fail($"--validate only performs the URL validation handshake; drop {string.Join(", ", ignored)} (they are about sending deliveries).")
                    : await ValidateAsync(target, token, ct);
            }

            var options = new SimulationOptions
            {
                Seed = result.GetValue(seed),
                Start = result.GetValue(start) ?? DateTimeOffset.UtcNow,
                TimeZone = result.GetRequiredValue(tz),
                Accounts = result.GetValue(accounts),
                QueuesPerAccount = result.GetValue(queues),
                AgentsPerAccount = result.GetValue(agents),
                Count = result.GetValue(count),
                Duration = result.GetValue(duration) is { } d ? ParseDuration(d) : null,
                Faults = result.GetValue(faults) is { } f ? ParseFaults(f) : FaultRates.None,
            };
            if (options.Validate() is { Count: > 0 } problems)
            {
                return Fail(string.Join(Environment.NewLine, problems.Select(InFlags)));
            }

            var deliveries = ContactCenterSimulator.Generate(options);
            var total = deliveries.LongCount();
            if (target is null)
            {
                if (outFile is null)
                {
                    return Fail("Give --url to send, --out to record, or both.");
                }

                await using var writer = NdjsonDeliveryWriter.Create(outFile.FullName, new DeliverySigner(token));
                await writer.WriteAllAsync(deliveries, ct);
                AnsiConsole.MarkupLineInterpolated(Invariant, $"Wrote [bold]{writer.Written}[/] deliveries to {outFile.FullName}.");
                return 0;
            }

            var sendOptions = SenderOptions(target, token, result.GetValue(rate), result.GetValue(concurrency), result.GetRequiredValue(retry), applySigningFaults: true)
                with
            { ReceiverKeepsInvalidPayloads = result.GetValue(receiver) == "qmhub" };
            using (var interrupt = new Interrupt(ct))
            {
                if (outFile is { } file)
                {
                    await using var writer = NdjsonDeliveryWriter.Create(file.FullName, new DeliverySigner(token));
                    return Report(await SendWithProgressAsync(sendOptions, writer.WriteThroughAsync(deliveries, interrupt.Token), total, interrupt.Token));
                }

                return Report(await SendWithProgressAsync(sendOptions, deliveries, total, interrupt.Token));
            }
        });
        return command;
    }

    public static Command Replay()
    {
        var file = new Argument<FileInfo>("file") { Description = "An NDJSON recording made by 'qmhub simulate --out'." };
        var url = UrlOption("--url", "The receiver to send to.");
        url.Required = true;
        var secret = SecretOption();
        var rate = new Option<double>("--rate") { Description = "First attempts per second (0 = as fast as the receiver answers).", DefaultValueFactory = _ => 0 };
        var retry = RetryOption();
        var concurrency = ConcurrencyOption();
        var receiver = ReceiverOption();
        var command = new Command("replay", "Re-sign recorded deliveries with a fresh timestamp and send them.") { file, url, secret, rate, retry, concurrency, receiver };
        command.SetAction(async (result, ct) =>
        {
            var path = result.GetRequiredValue(file);
            if (!path.Exists)
            {
                return Fail(Directory.Exists(path.FullName)
                    ? $"{path.FullName} is a folder; give the recording file 'qmhub simulate --out' wrote."
                    : $"{path.FullName} does not exist.");
            }

            var total = 0L;
            await foreach (var _ in NdjsonDeliveryReader.ReadDeliveriesAsync(path.FullName, ct))
            {
                total++;
            }

            if (result.GetValue(url) is not { } target)
            {
                return Fail("--url is required.");
            }

            var options = SenderOptions(target, Secret(result, secret), result.GetValue(rate), result.GetValue(concurrency),
                result.GetRequiredValue(retry), applySigningFaults: false) with
            { ReceiverKeepsInvalidPayloads = result.GetValue(receiver) == "qmhub" };
            using (var interrupt = new Interrupt(ct))
            {
                return Report(await SendWithProgressAsync(options, NdjsonDeliveryReader.ReadDeliveriesAsync(path.FullName, interrupt.Token), total, interrupt.Token));
            }
        });
        return command;
    }

    public static Command Sign()
    {
        var secret = SecretOption();
        var url = UrlOption("--url", "The URL to put in the curl line (default http://127.0.0.1:5080/webhooks/zoom).");
        var command = new Command("sign", "Read a body on standard input; print the two signing headers and a ready curl command.") { secret, url };
        command.SetAction(async (result, ct) =>
        {
            using var stdin = Console.OpenStandardInput();
            using var buffer = new MemoryStream();
            await stdin.CopyToAsync(buffer, ct);
            var signed = ZoomSignHelper.Sign(buffer.ToArray(), Secret(result, secret), result.GetValue(url) ?? new Uri("http://127.0.0.1:5080/webhooks/zoom"));
            Console.WriteLine(signed.TimestampLine);
            Console.WriteLine(signed.SignatureLine);
            Console.WriteLine();
            Console.WriteLine(signed.CurlCommand);
            return 0;
        });
        return command;
    }

    internal static DeliverySenderOptions SenderOptions(Uri url, string secret, double rate, int concurrency, string retry, bool applySigningFaults)
    {
        RetrySchedule schedule;
        try
        {
            schedule = string.IsNullOrWhiteSpace(retry)
                ? throw new FormatException("give zoom, compressed[:factor], none, or a list like 500ms,2s")
                : RetrySchedule.Parse(retry);
        }
        catch (FormatException ex)
        {
            throw new Hosting.InvalidSettingsException([$"--retry: {ex.Message}"]);
        }

        var options = new DeliverySenderOptions
        {
            Url = url,
            SecretToken = secret,
            RatePerSecond = rate,
            MaxConcurrency = concurrency,
            Retry = schedule,
            ApplySigningFaults = applySigningFaults,
        };
        return options.Validate() is { Count: > 0 } problems ? throw new Hosting.InvalidSettingsException([.. problems.Select(InFlags)]) : options;
    }

    private static FaultRates ParseFaults(string text)
    {
        try
        {
            return FaultRates.Parse(text);
        }
        catch (FormatException ex)
        {
            throw new Hosting.InvalidSettingsException([$"--faults: {ex.Message}"]);
        }
    }

    /// <summary>The simulator's setting names in a message, as the flags that set them.</summary>
    private static string InFlags(string message) =>
        new (string Setting, string Flag)[]
        {
            ("AgentsPerAccount", "--agents"), ("QueuesPerAccount", "--queues"), ("Accounts", "--accounts"), ("Count", "--count"),
            ("Duration", "--duration"), ("RatePerSecond", "--rate"), ("MaxConcurrency", "--concurrency"), ("SecretToken", "--secret"),
        }.Aggregate(message, (text, name) => text.Replace(name.Setting, name.Flag, StringComparison.Ordinal));

    internal static async Task<DeliveryRunSummary> SendWithProgressAsync(DeliverySenderOptions options, object deliveries, long total, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = options.RequestTimeout + TimeSpan.FromSeconds(5) };
        var sender = new ZoomDeliverySender(http, options);
        DeliveryRunSummary? summary = null;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask($"Sending to {options.Url}", maxValue: Math.Max(1, total));
                var progress = new InlineProgress(p =>
                {
                    task.Value = p.Completed;
                    task.Description = string.Create(Invariant, $"Done {p.Completed}/{total} ({p.Started} sent), {p.Acknowledged} acknowledged, {p.Retries} retries, {p.WaitingForRetry} waiting");
                });
                summary = deliveries switch
                {
                    IAsyncEnumerable<SimulatedDelivery> stream => await sender.SendAsync(stream, progress, total, ct),
                    IEnumerable<SimulatedDelivery> list => await sender.SendAsync(list, progress, total, ct),
                    _ => throw new ArgumentException("unsupported delivery source", nameof(deliveries)),
                };
                task.Value = task.MaxValue;
            });
        return summary!;
    }

    internal static int Report(DeliveryRunSummary summary)
    {
        var table = new Table().Title("Summary").AddColumns("measure", "value");
        table.AddRow("sent", summary.Sent.ToString(Invariant));
        table.AddRow("acknowledged (2xx)", summary.Acknowledged.ToString(Invariant));
        foreach (var (status, n) in summary.RejectedByStatus.OrderBy(kv => kv.Key))
        {
            table.AddRow($"rejected {status}", n.ToString(Invariant));
        }

        table.AddRow("network failures", summary.NetworkFailures.ToString(Invariant));
        foreach (var (reason, n) in summary.NetworkFailureReasons)
        {
            table.AddRow(Markup.Escape($"  {reason}"), n.ToString(Invariant));
        }

        table.AddRow("retries", summary.Retries.ToString(Invariant));
        table.AddRow("answers other than expected", summary.Unexpected.ToString(Invariant));
        table.AddRow("latency p50", $"{summary.LatencyP50.TotalMilliseconds.ToString("F1", Invariant)} ms");
        table.AddRow("latency p99", $"{summary.LatencyP99.TotalMilliseconds.ToString("F1", Invariant)} ms");
        table.AddRow("elapsed", $"{summary.Elapsed.TotalSeconds.ToString("F1", Invariant)} s");
        foreach (var fault in summary.Faults.Where(f => f.Count > 0))
        {
            table.AddRow($"fault {fault.Fault}", string.Create(Invariant, $"{fault.Count} ({fault.Percent:F1}% of {fault.PopulationName})"));
        }

        AnsiConsole.Write(table);
        if (summary.Canceled)
        {
            Console.Error.WriteLine($"Interrupted: {summary.Sent.ToString(Invariant)} deliveries were sent before the stop.");
            return 130;
        }

        if (summary.Unexpected > 0 || summary.NetworkFailures > 0)
        {
            // Non-zero, so that a script or CI job can gate on the receiver answering as Zoom expects.
            Console.Error.WriteLine(string.Create(Invariant,
                $"{summary.Unexpected} answers other than expected and {summary.NetworkFailures} deliveries never answered (see the summary): exit 1."));
            return 1;
        }

        return 0;
    }

    private static async Task<int> ValidateAsync(Uri url, string secret, CancellationToken ct)
    {
        using var http = new HttpClient();
        var check = await new UrlValidationChecker(http).CheckAsync(url, secret, cancellationToken: ct);
        if (check.Succeeded)
        {
            AnsiConsole.MarkupLineInterpolated(Invariant, $"[green]OK[/]: {url} answered the endpoint.url_validation challenge correctly ({check.Latency?.TotalMilliseconds:F0} ms).");
            return 0;
        }

        AnsiConsole.MarkupLineInterpolated(Invariant, $"[red]FAILED[/] ({check.Failure}): {check.Message}");
        return 1;
    }

    private static Option<Uri?> UrlOption(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = argument =>
        {
            var text = argument.Tokens.Count > 0 ? argument.Tokens[0].Value : "";
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            {
                return uri;
            }

            argument.AddError($"{name}: '{text}' is not an http:// or https:// URL such as http://127.0.0.1:5080/webhooks/zoom.");
            return null;
        },
    };

    private static Option<string> ReceiverOption()
    {
        var option = new Option<string>("--receiver")
        {
            Description = "What the receiver does with authentic but invalid deliveries, for the summary's expectations: qmhub (keeps them, 200) or library (422).",
            DefaultValueFactory = _ => "qmhub",
        };
        option.AcceptOnlyFromAmong("qmhub", "library");
        return option;
    }

    /// <summary>
    /// A token cancelled by Ctrl+C or SIGTERM (the process is not killed): the run stops sending, the recording is
    /// closed on a whole line, and the summary is printed (exit 130). <c>serve</c> handles signals in its host; the
    /// command line's own handling is off for it, so the sending commands install theirs.
    /// </summary>
    private sealed class Interrupt : IDisposable
    {
        private readonly CancellationTokenSource _source;
        private readonly System.Runtime.InteropServices.PosixSignalRegistration _interrupt;
        private readonly System.Runtime.InteropServices.PosixSignalRegistration _terminate;

        public Interrupt(CancellationToken ct)
        {
            _source = CancellationTokenSource.CreateLinkedTokenSource(ct);
            _interrupt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Stop);
            _terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Stop);
        }

        public CancellationToken Token => _source.Token;

        public void Dispose()
        {
            _interrupt.Dispose();
            _terminate.Dispose();
            _source.Dispose();
        }

        private void Stop(System.Runtime.InteropServices.PosixSignalContext context)
        {
            context.Cancel = true;
            _source.Cancel();
        }
    }

    private static Option<string?> SecretOption() => new("--secret")
    {
        Description = "The webhook secret token to sign with; default: the first token of ZOOM_WEBHOOK_SECRET_TOKEN.",
    };

    private static Option<string> RetryOption() => new("--retry")
    {
        Description = "Retry schedule for deliveries not acknowledged: zoom (5, 20, 60 min), compressed[:factor], none, or a list like 500ms,2s.",
        DefaultValueFactory = _ => "compressed",
    };

    private static Option<int> ConcurrencyOption() => new("--concurrency")
    {
        Description = "Requests in flight at most.",
        DefaultValueFactory = _ => 8,
    };

    private static string Secret(ParseResult result, Option<string?> option) =>
        result.GetValue(option)
        ?? (ZoomSecret.FromCommaSeparated(Environment.GetEnvironmentVariable("ZOOM_WEBHOOK_SECRET_TOKEN")) is { Count: > 0 } secrets ? secrets[0].Token : null)
        ?? throw new Hosting.InvalidSettingsException(["No secret token: pass --secret or set ZOOM_WEBHOOK_SECRET_TOKEN."]);

    internal static TimeSpan ParseDuration(string text)
    {
        if (string.IsNullOrWhiteSpace(text) || double.TryParse(text, NumberStyles.Float, Invariant, out _))
        {
            // A bare number was read as days by TimeSpan (90 became 90 days): a unit is required.
            throw new Hosting.InvalidSettingsException([$"--duration: '{text}' has no unit; use s, m, h or d, e.g. 90s, 15m, 8h, 3d."]);
        }

        var unit = text[^1];
        if (char.IsLetter(unit) && double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.Float, Invariant, out var n))
        {
            return unit switch
            {
                's' => TimeSpan.FromSeconds(n),
                'm' => TimeSpan.FromMinutes(n),
                'h' => TimeSpan.FromHours(n),
                'd' => TimeSpan.FromDays(n),
                _ => throw new Hosting.InvalidSettingsException([$"--duration: unknown unit '{unit}' in '{text}'; use s, m, h or d (e.g. 3d)."]),
            };
        }

        return TimeSpan.TryParse(text, Invariant, out var span)
            ? span
            : throw new Hosting.InvalidSettingsException([$"--duration: '{text}' is not a duration; use e.g. 90s, 15m, 8h, 3d."]);
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }

    private sealed class InlineProgress(Action<SimulationProgress> report) : IProgress<SimulationProgress>
    {
        public void Report(SimulationProgress value) => report(value);
    }
}
