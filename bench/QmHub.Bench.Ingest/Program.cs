using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using QmHub.Testing;
using QmHub.Zoom.Models;
using QmHub.Zoom.Signing;

// Two roles: the load generator (default), and the bare Kestrel ceiling server it spawns as a child.
if (args is ["ceiling", var port])
{
    var builder = WebApplication.CreateSlimBuilder();
    builder.Logging.ClearProviders();
    builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
    var app = builder.Build();
    app.MapGet("/healthz", () => "ok");
    app.MapPost("/webhooks/zoom", async (HttpContext ctx) =>
    {
        // Reads the whole body and answers 200: what any receiver must do at the least.
        var buffer = new byte[16 * 1024];
        while (await ctx.Request.Body.ReadAsync(buffer) > 0)
        {
        }

        ctx.Response.StatusCode = 200;
    });
    await app.RunAsync();
    return 0;
}

if (args.Contains("ceiling"))
{
    // A malformed child invocation must never turn into another load generator (and another child).
    Console.Error.WriteLine("usage: QmHub.Bench.Ingest ceiling PORT");
    return 2;
}

var requests = IntArg(args, "--requests", 20_000);
var concurrency = IntArg(args, "--concurrency", 32);
var warmup = IntArg(args, "--warmup", 2_000);
const string secret = "bench-secret";
const string metricsKey = "bench-metrics-key-0123456789";

var bodies = Enumerable.Range(0, requests + warmup).Select(i => TestEvents.Bytes(Typical(i))).ToArray();
Console.WriteLine($"# {requests} signed deliveries of {bodies[0].Length} bytes, {concurrency} concurrent, {warmup} warm-up, {Environment.ProcessorCount} cores");

using var work = new TempDirectory();
var results = new List<Result>
{
    // Always "dotnet <this dll> ceiling PORT": started through the apphost, the process path is the apphost itself,
    // and passing the dll to it again would make the child a load generator that starts children of its own.
    await MeasureAsync("bare Kestrel (reads body, answers 200)", port => Child("dotnet", [typeof(Result).Assembly.Location, "ceiling", port.ToString(CultureInfo.InvariantCulture)], null)),
    await MeasureAsync("qmhub serve, SQLite (WAL, fsync per batch)", port => Child("dotnet",
        [Path.Combine(AppContext.BaseDirectory, "qmhub.dll"), "serve", "--db", work.File("bench.db"), "--urls", $"http://127.0.0.1:{port}"],
        new() { ["ZOOM_WEBHOOK_SECRET_TOKEN"] = secret, ["QMHUB_BOOTSTRAP_API_KEY"] = metricsKey, ["Logging__LogLevel__Default"] = "Warning" })),
};

Console.WriteLine();
Console.WriteLine("| target | deliveries/s | p50 ms | p99 ms | non-200 | server CPU µs/delivery | server peak RSS MiB |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
foreach (var r in results)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {r.Name} | {r.PerSecond:F0} | {r.P50:F2} | {r.P99:F2} | {r.Failures} | {r.ServerCpuMicroseconds:F0} | {r.PeakRssMiB:F0} |"));
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"\nqmhub / ceiling throughput: {results[1].PerSecond / results[0].PerSecond:P0}"));
return 0;

async Task<Result> MeasureAsync(string name, Func<int, Process> start)
{
    var port = FreePort();
    using var server = start(port);
    try
    {
        return await MeasureServerAsync(name, server, port);
    }
    finally
    {
        // Whatever happened, no server outlives its measurement.
        if (!server.HasExited)
        {
            server.Kill(entireProcessTree: true);
        }
    }
}

async Task<Result> MeasureServerAsync(string name, Process server, int port)
{
    using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
    using var client = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
    await WaitHealthyAsync(client, server);

    await RunAsync(client, bodies.AsMemory(0, warmup), new double[warmup]);
    var latencies = new double[requests];
    var cpuBefore = CpuSeconds(server.Id);
    var watch = Stopwatch.StartNew();
    var failures = await RunAsync(client, bodies.AsMemory(warmup, requests), latencies);
    var elapsed = watch.Elapsed;
    var cpuPerDelivery = (CpuSeconds(server.Id) - cpuBefore) / requests * 1e6;
    var peak = PeakRssMiB(server.Id);
    using var metricsRequest = new HttpRequestMessage(HttpMethod.Get, "/metrics");
    metricsRequest.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", metricsKey);
    var metrics = await client.SendAsync(metricsRequest);
    if (metrics.IsSuccessStatusCode)
    {
        var text = await metrics.Content.ReadAsStringAsync();
        double Metric(string metricName) => double.Parse(text.Split('\n').First(l => l.StartsWith(metricName + " ", StringComparison.Ordinal)).Split(' ')[1], CultureInfo.InvariantCulture);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: {Metric("qmhub_ingest_batch_size_count"):F0} commits, mean batch {Metric("qmhub_ingest_batch_size_sum") / Metric("qmhub_ingest_batch_size_count"):F1}, mean commit {1000 * Metric("qmhub_ingest_commit_seconds_sum") / Metric("qmhub_ingest_commit_seconds_count"):F2} ms"));
    }

    server.Kill();
    await server.WaitForExitAsync();
    Array.Sort(latencies);
    return new Result(name, requests / elapsed.TotalSeconds, latencies[requests / 2], latencies[(int)(requests * 0.99)], failures, peak, cpuPerDelivery);
}

async Task<int> RunAsync(HttpClient client, ReadOnlyMemory<byte[]> work, double[] latencies)
{
    var next = -1;
    var failures = 0;
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < work.Length)
        {
            var body = work.Span[i];
            var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            content.Headers.Add(ZoomSignature.TimestampHeader, ts.ToString(CultureInfo.InvariantCulture));
            content.Headers.Add(ZoomSignature.SignatureHeader, ZoomSignature.Compute(secret, ts, body));
            var started = Stopwatch.GetTimestamp();
            using var response = await client.PostAsync("/webhooks/zoom", content);
            await response.Content.LoadIntoBufferAsync();
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Interlocked.Increment(ref failures);
            }
        }
    })));
    return failures;
}

static InteractionAnalysisCompletedEvent Typical(int i)
{
    // About 1.5 KB, like a real delivery: every documented member, realistic lengths, a few linked interactions.
    var e = TestEvents.Interaction($"itx-{i:D8}-7f3c2a9e-4b1d-4e8a-9c6f-2d5b8a1e3f7c", eventTs: 1_764_000_000_000 + i,
        queueName: "Billing & Payments — Tier 2 (North America)", agentName: "Alexandra Montgomery-Fitzgerald", duration: 180 + (i % 900));
    var info = e.Payload.Object.InteractionInfo with
    {
        AssociatedIds = Enumerable.Range(1, 15).Select(k => $"itx-{i:D8}-assoc-{k:D2}-7f3c2a9e-4b1d-4e8a").ToArray(),
        ConsumerName = "Bartholomew Christopher Richardson",
    };
    return e with { Payload = e.Payload with { Object = e.Payload.Object with { InteractionInfo = info, EngagementId = $"eng-{i:D8}-0a1b2c3d-4e5f-6789-abcd-ef0123456789" } } };
}

static Process Child(string file, string[] arguments, Dictionary<string, string>? env)
{
    var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    foreach (var a in arguments)
    {
        info.ArgumentList.Add(a);
    }

    foreach (var (k, v) in env ?? [])
    {
        info.Environment[k] = v;
    }

    var p = Process.Start(info)!;
    p.OutputDataReceived += (_, _) => { };
    p.ErrorDataReceived += (_, _) => { };
    p.BeginOutputReadLine();
    p.BeginErrorReadLine();
    return p;
}

static async Task WaitHealthyAsync(HttpClient client, Process server)
{
    for (var i = 0; i < 600; i++)
    {
        if (server.HasExited)
        {
            throw new InvalidOperationException($"server exited with {server.ExitCode}");
        }

        try
        {
            if ((await client.GetAsync("/healthz")).IsSuccessStatusCode)
            {
                return;
            }
        }
        catch (HttpRequestException)
        {
        }

        await Task.Delay(50);
    }

    throw new TimeoutException("server did not become healthy");
}

static double CpuSeconds(int pid)
{
    // utime and stime, fields 14 and 15 of /proc/PID/stat, in clock ticks (100 per second on Linux).
    var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
    return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
}

static double PeakRssMiB(int pid)
{
    var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
    return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

static int IntArg(string[] args, string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

internal sealed record Result(string Name, double PerSecond, double P50, double P99, int Failures, double PeakRssMiB, double ServerCpuMicroseconds);
