using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using QmHub.Storage.Model;
using QmHub.Storage.Sqlite;
using QmHub.Testing;
using QmHub.Zoom.Models;
using Xunit.Abstractions;

namespace QmHub.Tests;

/// <summary>
/// The one promise: an event answered 200 is durable. A real <c>qmhub serve</c> process takes concurrent
/// load and is killed with SIGKILL at random moments; after every round, everything acknowledged must be
/// in the database, and the projections must equal a rebuild from the event log.
/// </summary>
public sealed class CrashTests(ITestOutputHelper output)
{
    private const int Rounds = 10;
    private const int Senders = 8;

    [Fact]
    public async Task Acknowledged_events_survive_sigkill_at_random_moments()
    {
        using var dir = new TempDirectory();
        var db = dir.File("qmhub.db");
        var seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var acknowledged = new ConcurrentBag<byte[]>();
        var sequence = 0L;

        for (var round = 0; round < Rounds; round++)
        {
            var port = FreePort();
            using var process = QmHubProcess.StartServer(db, port);
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            await WaitForHealthAsync(client, process);

            using var stop = new CancellationTokenSource();
            var senders = StartSenders(client, seed + (round * 100), acknowledged, () => Interlocked.Increment(ref sequence), stop.Token);

            await Task.Delay(random.Next(200, 1200));
            process.Kill(); // SIGKILL: no shutdown hook, no drain, no flush.
            await process.WaitForExitAsync();
            await stop.CancelAsync();
            await Task.WhenAll(senders);
            output.WriteLine($"round {round}: {acknowledged.Count} acknowledged so far");
        }

        Assert.True(acknowledged.Count >= 200, $"only {acknowledged.Count} events were acknowledged; the test would prove little");

        await using (var store = new SqliteQmStore(db))
        {
            await store.MigrateAsync(CancellationToken.None);
            var missing = await MissingAsync(db, acknowledged);
            Assert.True(missing == 0, $"{missing} of {acknowledged.Count} acknowledged events are not in the database");

            var live = await ServeTests.ProjectionDumpAsync(db);
            await store.ReprojectAsync(null, CancellationToken.None);
            var rebuilt = await ServeTests.ProjectionDumpAsync(db);
            Assert.Equal(live, rebuilt);
        }
    }

    [Fact]
    public async Task Sigterm_under_load_drains_the_queue_and_exits_cleanly()
    {
        using var dir = new TempDirectory();
        var db = dir.File("qmhub.db");
        var port = FreePort();
        using var process = QmHubProcess.StartServer(db, port);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        await WaitForHealthAsync(client, process);
        var acknowledged = new ConcurrentBag<byte[]>();
        var sequence = 0L;
        using var stop = new CancellationTokenSource();
        var senders = StartSenders(client, 11, acknowledged, () => Interlocked.Increment(ref sequence), stop.Token);

        await Task.Delay(700);
        using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }

        using var exitWait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(exitWait.Token);
        await stop.CancelAsync();
        await Task.WhenAll(senders);

        Assert.Equal(0, process.ExitCode);
        Assert.True(acknowledged.Count >= 20, $"only {acknowledged.Count} acknowledged before SIGTERM");
        Assert.Equal(0, await MissingAsync(db, acknowledged));
    }

    /// <summary>Senders that post fresh signed events until stopped, recording every body answered 200 (and every answer, when asked).</summary>
    internal static Task[] StartSenders(HttpClient client, int seed, ConcurrentBag<byte[]> acknowledged, Func<long> next, CancellationToken stop, Action<HttpStatusCode>? answered = null) =>
        Enumerable.Range(0, Senders).Select(s => Task.Run(async () =>
        {
            var local = new Random(seed + s);
            while (!stop.IsCancellationRequested)
            {
                var body = TestEvents.Bytes(NextEvent(local, next()));
                try
                {
                    var status = await PostSignedAsync(client, body, stop);
                    answered?.Invoke(status);
                    if (status == HttpStatusCode.OK)
                    {
                        acknowledged.Add(body);
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
                {
                    // The server went away mid-request: not acknowledged, so Zoom would retry it.
                    if (!stop.IsCancellationRequested)
                    {
                        await Task.Delay(20, CancellationToken.None);
                    }
                }
            }
        })).ToArray();

    /// <summary>Posts a body signed with <see cref="RunningServer.Secret"/> and the current time; returns the status.</summary>
    internal static async Task<HttpStatusCode> PostSignedAsync(HttpClient client, byte[] body, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        content.Headers.Add("x-zm-request-timestamp", ts.ToString(System.Globalization.CultureInfo.InvariantCulture));
        content.Headers.Add("x-zm-signature", Zoom.Signing.ZoomSignature.Compute(RunningServer.Secret, ts, body));
        using var response = await client.PostAsync("/webhooks/zoom", content, cancellationToken);
        return response.StatusCode;
    }

    private static ZoomEvent NextEvent(Random random, long n)
    {
        // A small pool of ids, so that versions of the same interaction race each other in and out of order.
        var interaction = $"i-{random.Next(60)}";
        return random.Next(3) == 0
            ? TestEvents.Evaluation($"ev-{random.Next(60)}", interaction, eventTs: 1_764_000_000_000 + random.Next(1000), ratio: random.Next(101) / 100.0)
            : TestEvents.Interaction(interaction, eventTs: 1_764_000_000_000 + random.Next(1000), duration: n);
    }

    private static async Task<int> MissingAsync(string db, IEnumerable<byte[]> bodies)
    {
        await using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM events WHERE dedup_key = $k";
        var parameter = cmd.Parameters.Add("$k", SqliteType.Blob);
        var missing = 0;
        foreach (var body in bodies)
        {
            parameter.Value = IncomingEvent.ComputeDedupKey(body);
            if ((long)(await cmd.ExecuteScalarAsync())! != 1)
            {
                missing++;
            }
        }

        return missing;
    }

    internal static async Task WaitForHealthAsync(HttpClient client, Process process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(process.HasExited, $"qmhub exited with code {(process.HasExited ? process.ExitCode : 0)} before it was healthy");
            try
            {
                if ((await client.GetAsync("/healthz")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(50);
        }

        Assert.Fail("qmhub did not become healthy within 30 s");
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
