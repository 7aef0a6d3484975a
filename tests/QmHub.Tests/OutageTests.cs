using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using QmHub.Testing;
using Xunit.Abstractions;

namespace QmHub.Tests;

/// <summary>
/// Outage without loss: the PostgreSQL server goes away (<c>pg_ctl stop -m immediate</c>) under a replica that keeps
/// answering; the spool takes what the database cannot and gives it back when the database returns.
/// </summary>
[Collection(SharedPostgres.Name)]
public sealed class OutageTests(PostgresCluster cluster, ITestOutputHelper output)
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Postgres_stopped_under_load_loses_no_acknowledged_event_and_the_replica_never_answers_5xx()
    {
        RequireThrowawayCluster();
        await using var database = await cluster.CreateDatabaseAsync();
        using var dir = new TempDirectory();
        var port = CrashTests.FreePort();
        using var process = QmHubProcess.StartServer(database.Url, port, new Dictionary<string, string> { ["QMHUB_SPOOL_DIR"] = dir.File("spool") });
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        await CrashTests.WaitForHealthAsync(client, process);

        var acknowledged = new ConcurrentBag<byte[]>();
        var sequence = 0L;
        var serverErrors = 0;
        var duringOutage = 0;
        var ackedDuringOutage = 0;
        using var stop = new CancellationTokenSource();
        var senders = CrashTests.StartSenders(client, 31, acknowledged, () => Interlocked.Increment(ref sequence), stop.Token, status =>
        {
            if ((int)status >= 500)
            {
                Interlocked.Increment(ref serverErrors);
            }
            else if (status == HttpStatusCode.OK && Volatile.Read(ref duringOutage) == 1)
            {
                Interlocked.Increment(ref ackedDuringOutage);
            }
        });

        var stopped = false;
        var degradedSeen = false;
        var maxDepth = 0L;
        TimeSpan drain;
        try
        {
            await Task.Delay(1500);
            Volatile.Write(ref duringOutage, 1);
            await cluster.StopImmediatelyAsync();
            stopped = true;
            var down = Stopwatch.StartNew();
            while (down.Elapsed < Outage)
            {
                var (status, depth) = await PostgresState.ReadinessAsync(client);
                degradedSeen |= status == "degraded" && depth > 0;
                maxDepth = Math.Max(maxDepth, depth);
                await Task.Delay(250);
            }

            await cluster.StartAgainAsync();
            stopped = false;
            Volatile.Write(ref duringOutage, 0);
            var restarted = Stopwatch.StartNew();
            await Task.Delay(1500);
            await stop.CancelAsync();
            await Task.WhenAll(senders);
            await PostgresState.WaitUntilReadyAsync(client, TimeSpan.FromSeconds(60));
            drain = restarted.Elapsed;
        }
        finally
        {
            if (stopped)
            {
                await cluster.StartAgainAsync();
            }

            process.Kill();
            await process.WaitForExitAsync();
        }

        output.WriteLine($"{acknowledged.Count} acknowledged, {ackedDuringOutage} of them during the {Outage.TotalSeconds} s outage; "
            + $"spool depth up to {maxDepth}; ready (spool drained) {drain.TotalSeconds:F1} s after PostgreSQL came back");
        Assert.Equal(0, serverErrors);
        Assert.True(ackedDuringOutage >= 50, $"only {ackedDuringOutage} deliveries were acknowledged during the outage; the test would prove little");
        Assert.True(degradedSeen, "/readyz never reported a degraded replica with a non-empty spool during the outage");
        Assert.Equal(0, await PostgresState.NotStoredExactlyOnceAsync(database, acknowledged));
    }

    [Fact]
    public async Task Replica_killed_with_a_spool_left_drains_it_when_started_again()
    {
        RequireThrowawayCluster();
        await using var database = await cluster.CreateDatabaseAsync();
        using var dir = new TempDirectory();
        var environment = new Dictionary<string, string> { ["QMHUB_SPOOL_DIR"] = dir.File("spool"), ["QMHUB_BOOTSTRAP_API_KEY"] = RunningServer.AdminKey };
        var bodies = Enumerable.Range(0, 40).Select(i => TestEvents.Bytes(TestEvents.Interaction($"restart-{i}"))).ToList();

        var port = CrashTests.FreePort();
        using (var first = QmHubProcess.StartServer(database.Url, port, environment))
        using (var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) })
        {
            await CrashTests.WaitForHealthAsync(client, first);
            await cluster.StopImmediatelyAsync();
            try
            {
                foreach (var body in bodies)
                {
                    Assert.Equal(HttpStatusCode.OK, await CrashTests.PostSignedAsync(client, body, CancellationToken.None));
                }

                Assert.Equal(("degraded", bodies.Count), await PostgresState.ReadinessAsync(client));
                using var metricsRequest = new HttpRequestMessage(HttpMethod.Get, "/metrics");
                metricsRequest.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", RunningServer.AdminKey);
                var metrics = await (await client.SendAsync(metricsRequest)).Content.ReadAsStringAsync();
                Assert.Contains($"qmhub_spool_depth {bodies.Count}", metrics, StringComparison.Ordinal);
                Assert.Contains("qmhub_store_available 0", metrics, StringComparison.Ordinal);
                Assert.Matches(@"qmhub_spool_bytes [1-9]", metrics);
                first.Kill(); // SIGKILL: the spool is all that holds these deliveries.
                await first.WaitForExitAsync();
            }
            finally
            {
                await cluster.StartAgainAsync();
            }
        }

        Assert.Equal(0L, await database.ScalarAsync("SELECT count(*) FROM events"));
        port = CrashTests.FreePort();
        using var second = QmHubProcess.StartServer(database.Url, port, environment);
        using var secondClient = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            await CrashTests.WaitForHealthAsync(secondClient, second);
            await PostgresState.WaitUntilReadyAsync(secondClient, TimeSpan.FromSeconds(60));
        }
        finally
        {
            second.Kill();
            await second.WaitForExitAsync();
        }

        Assert.Equal(0, await PostgresState.NotStoredExactlyOnceAsync(database, bodies));
        Assert.Equal((long)bodies.Count, await database.ScalarAsync("SELECT count(*) FROM events"));
    }

    [Fact]
    public async Task Hung_postgres_is_given_up_after_the_commit_timeout_and_the_delivery_spooled_then_stored_once()
    {
        RequireThrowawayCluster();
        await using var database = await cluster.CreateDatabaseAsync();
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Db"] = database.Url, ["CommitTimeoutSeconds"] = "1" });
        var before = TestEvents.Bytes(TestEvents.Interaction("before-the-hang"));
        var during = TestEvents.Bytes(TestEvents.Interaction("during-the-hang"));
        using (var warm = await server.PostWebhookAsync(before))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        await cluster.SignalAllAsync(freeze: true);
        HttpStatusCode status;
        TimeSpan answeredIn;
        (string Status, long SpoolDepth) readiness;
        try
        {
            var watch = Stopwatch.StartNew();
            using (var answer = await server.PostWebhookAsync(during))
            {
                status = answer.StatusCode;
                answeredIn = watch.Elapsed;
            }

            readiness = await PostgresState.ReadinessAsync(server.Client);
        }
        finally
        {
            await cluster.SignalAllAsync(freeze: false);
        }

        await PostgresState.WaitUntilReadyAsync(server.Client, TimeSpan.FromSeconds(60));
        output.WriteLine($"answered {status} in {answeredIn.TotalSeconds:F1} s while PostgreSQL was frozen; readiness then: {readiness}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(answeredIn < TimeSpan.FromSeconds(10), $"the answer took {answeredIn.TotalSeconds:F1} s");
        Assert.Equal(("degraded", 1L), readiness);
        Assert.Equal(0, await PostgresState.NotStoredExactlyOnceAsync(database, [before, during]));
    }

    [Fact]
    public async Task Spool_at_its_limit_while_postgres_is_down_answers_503_with_retry_after_and_readyz_503()
    {
        RequireThrowawayCluster();
        await using var database = await cluster.CreateDatabaseAsync();
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Db"] = database.Url, ["SpoolMaxBytes"] = "1" });
        var body = TestEvents.Bytes(TestEvents.Interaction("not-durable"));

        await cluster.StopImmediatelyAsync();
        HttpResponseMessage answer;
        HttpResponseMessage ready;
        try
        {
            answer = await server.PostWebhookAsync(body);
            ready = await server.Client.GetAsync("/readyz");
        }
        finally
        {
            await cluster.StartAgainAsync();
        }

        using (answer)
        using (ready)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(5), answer.Headers.RetryAfter?.Delta);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("\"status\":\"unavailable\"", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    private void RequireThrowawayCluster() =>
        Assert.True(cluster.IsThrowaway, $"these tests stop, start and freeze PostgreSQL: they need the throwaway cluster, not the server {PostgresCluster.EnvironmentVariable} names");
}
