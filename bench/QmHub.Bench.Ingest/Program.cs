using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using QmHub.Testing;
using QmHub.Zoom.Models;
using QmHub.Zoom.Signing;

// Two roles: the load generator (default), and the bare Kestrel ceiling server it spawns as a child.
const string CeilingChildVariable = "QMHUB_BENCH_CEILING_CHILD";
if (Environment.GetEnvironmentVariable(CeilingChildVariable) == "1" && args is not ["ceiling", _])
{
    // A child started as the ceiling must never become a load generator: that would spawn children without end.
    await Console.Error.WriteLineAsync($"started as the ceiling server but given '{string.Join(' ', args)}'");
    return 2;
}

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

var requests = IntArg(args, "--requests", 60_000);
var concurrency = IntArg(args, "--concurrency", 64);
// Steady state: each target (and the load generator) gets this many deliveries before the measured ones, so the
// JIT's tiered compilation has finished. With 40,000 the bare Kestrel ceiling was still being compiled under load and
// measured 25,000-38,000/s; with 150,000 it gives 47,000-51,000/s (2 cores, 2026-11-25).
var warmup = IntArg(args, "--warmup", 150_000);
// Which targets to measure (comma-separated): ceiling, sqlite, pg1, pg2, spooled. Default: all of them.
// How many agent names the deliveries spread over. One (the default, as in every earlier run) is the easy case for the
// agent index, whose new entries then all land at one end; a contact center's spread puts each at its agent's own end.
var agents = IntArg(args, "--agents", 1);
var targets = (StringArg(args, "--targets") ?? "ceiling,sqlite,pg1,pg2,spooled").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet();
const string secret = "bench-secret";
const string metricsKey = "bench-metrics-key-0123456789";

var bodies = Enumerable.Range(0, requests + warmup).Select(i => TestEvents.Bytes(Typical(i, agents))).ToArray();
Console.WriteLine($"# {requests} signed deliveries of {bodies[0].Length} bytes, {concurrency} concurrent, {warmup} warm-up, {agents} agent name(s), {Environment.ProcessorCount} cores");

using var work = new TempDirectory();
var postgres = new PostgresCluster();
if (targets.Overlaps(["pg1", "pg2", "spooled"]))
{
    await postgres.InitializeAsync();
}
var results = new List<Result>();
try
{
    var qmhubEnvironment = new Dictionary<string, string> { ["ZOOM_WEBHOOK_SECRET_TOKEN"] = secret, ["QMHUB_BOOTSTRAP_API_KEY"] = metricsKey, ["Logging__LogLevel__Default"] = "Warning" };
    Process Qmhub(string db, string spool, int port) => Child("dotnet",
        [Path.Combine(AppContext.BaseDirectory, "qmhub.dll"), "serve", "--db", db, "--spool-dir", work.File(spool), "--urls", $"http://127.0.0.1:{port}"],
        qmhubEnvironment);

    if (targets.Contains("ceiling"))
    {
        results.Add(await MeasureAsync("bare Kestrel (reads body, answers 200)", 1,
            (_, port) => Child(Environment.ProcessPath!, [.. SelfArguments(), "ceiling", port.ToString(CultureInfo.InvariantCulture)], new() { [CeilingChildVariable] = "1" })));
    }

    if (targets.Contains("sqlite"))
    {
        results.Add(await MeasureAsync("qmhub serve, SQLite (WAL, fsync per batch)", 1, (_, port) => Qmhub(work.File("bench.db"), "spool-sqlite", port)));
    }

    if (targets.Contains("pg1"))
    {
        await using var one = await postgres.CreateDatabaseAsync();
        results.Add(await MeasureAsync("qmhub serve, PostgreSQL, 1 replica", 1, (_, port) => Qmhub(one.Url, "spool-pg1", port)));
    }

    if (targets.Contains("pg2"))
    {
        await using var two = await postgres.CreateDatabaseAsync();
        results.Add(await MeasureAsync("qmhub serve, PostgreSQL, 2 replicas (deliveries alternate)", 2, (replica, port) => Qmhub(two.Url, $"spool-pg2-{replica}", port)));
    }

    if (targets.Contains("spooled"))
    {
        await using var down = await postgres.CreateDatabaseAsync();
        results.Add(await MeasureAsync("qmhub serve, PostgreSQL stopped: every delivery spooled (fsync per batch)", 1, (_, port) => Qmhub(down.Url, "spool-down", port),
            postgres.StopImmediatelyAsync, postgres.StartAgainAsync));
    }
}
finally
{
    await postgres.DisposeAsync();
}

Console.WriteLine();
Console.WriteLine("| target | deliveries/s | p50 ms | p99 ms | non-200 | server CPU µs/delivery | server peak RSS MiB | load avg (1 min) before → after |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
foreach (var r in results)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {r.Name} | {r.PerSecond:F0} | {r.P50:F2} | {r.P99:F2} | {r.Failures} | {r.ServerCpuMicroseconds:F0} | {r.PeakRssMiB:F0} | {r.LoadBefore:F1} → {r.LoadAfter:F1} |"));
}

if (targets.Contains("ceiling") && targets.Contains("sqlite"))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"\nqmhub SQLite / ceiling throughput: {results[1].PerSecond / results[0].PerSecond:P0}"));
}
return 0;

async Task<Result> MeasureAsync(string name, int replicas, Func<int, int, Process> start, Func<Task>? beforeLoad = null, Func<Task>? afterLoad = null)
{
    var servers = new List<(Process Process, HttpClient Client, SocketsHttpHandler Handler)>();
    try
    {
        for (var r = 0; r < replicas; r++)
        {
            var port = FreePort();
            var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
            var client = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            servers.Add((start(r, port), client, handler));
            await WaitHealthyAsync(client, servers[r].Process);
        }

        var clients = servers.Select(s => s.Client).ToArray();
        if (beforeLoad is not null)
        {
            await beforeLoad();
        }

        Result result;
        try
        {
            await RunAsync(clients, bodies.AsMemory(0, warmup), new double[warmup]);
            var latencies = new double[requests];
            var loadBefore = LoadAverage();
            var cpuBefore = servers.Sum(s => CpuSeconds(s.Process.Id));
            var watch = Stopwatch.StartNew();
            var failures = await RunAsync(clients, bodies.AsMemory(warmup, requests), latencies);
            var elapsed = watch.Elapsed;
            var cpuPerDelivery = (servers.Sum(s => CpuSeconds(s.Process.Id)) - cpuBefore) / requests * 1e6;
            var peak = servers.Max(s => PeakRssMiB(s.Process.Id));
            foreach (var (_, client, _) in servers)
            {
                await PrintCommitStatsAsync(name, client);
            }

            Array.Sort(latencies);
            result = new Result(name, requests / elapsed.TotalSeconds, latencies[requests / 2], latencies[(int)(requests * 0.99)], failures, peak, cpuPerDelivery, loadBefore, LoadAverage());
        }
        finally
        {
            if (afterLoad is not null)
            {
                await afterLoad();
            }
        }

        return result;
    }
    finally
    {
        foreach (var (process, client, handler) in servers)
        {
            process.Kill();
            await process.WaitForExitAsync();
            process.Dispose();
            client.Dispose();
            handler.Dispose();
        }
    }
}

async Task PrintCommitStatsAsync(string name, HttpClient client)
{
    using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
    request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", metricsKey);
    var metrics = await client.SendAsync(request);
    if (!metrics.IsSuccessStatusCode)
    {
        return;
    }

    var text = await metrics.Content.ReadAsStringAsync();
    double Metric(string metricName) => double.Parse(text.Split('\n').First(l => l.StartsWith(metricName + " ", StringComparison.Ordinal)).Split(' ')[1], CultureInfo.InvariantCulture);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name}: {Metric("qmhub_ingest_batch_size_count"):F0} commits, mean batch {Metric("qmhub_ingest_batch_size_sum") / Math.Max(1, Metric("qmhub_ingest_batch_size_count")):F1}, mean commit {1000 * Metric("qmhub_ingest_commit_seconds_sum") / Math.Max(1, Metric("qmhub_ingest_commit_seconds_count")):F2} ms, spooled now {Metric("qmhub_spool_depth"):F0}"));
}

async Task<int> RunAsync(HttpClient[] clients, ReadOnlyMemory<byte[]> work, double[] latencies)
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
            // Replicas take deliveries in turn, as a round-robin load balancer would hand them out.
            using var response = await clients[i % clients.Length].PostAsync("/webhooks/zoom", content);
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

static InteractionAnalysisCompletedEvent Typical(int i, int agents)
{
    // About 1.5 KB, like a real delivery: every documented member, realistic lengths, a few linked interactions.
    var e = TestEvents.Interaction($"itx-{i:D8}-7f3c2a9e-4b1d-4e8a-9c6f-2d5b8a1e3f7c", eventTs: 1_764_000_000_000 + i,
        queueName: "Billing & Payments — Tier 2 (North America)",
        agentName: agents <= 1 ? "Alexandra Montgomery-Fitzgerald" : $"Alexandra Montgomery-Fitzgerald {i % agents:D3}", duration: 180 + (i % 900));
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

// Under `dotnet run` this process is the apphost, which takes the role's arguments directly; under `dotnet X.dll`, it is dotnet, which needs the assembly first.
static string[] SelfArguments() =>
    Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? [typeof(Result).Assembly.Location] : [];

static double LoadAverage() =>
    double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

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

static string? StringArg(string[] args, string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static int IntArg(string[] args, string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

internal sealed record Result(string Name, double PerSecond, double P50, double P99, int Failures, double PeakRssMiB, double ServerCpuMicroseconds, double LoadBefore, double LoadAfter);
