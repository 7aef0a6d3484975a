using System.Diagnostics;
using System.Net;
using QmHub.Simulation;
using QmHub.Storage.Postgres;
using QmHub.Testing;
using Xunit.Abstractions;

namespace QmHub.Tests;

/// <summary>Two real <c>qmhub serve</c> replicas behind a random "load balancer", one PostgreSQL database.</summary>
[Collection(SharedPostgres.Name)]
public sealed class ReplicaTests(PostgresCluster cluster, ITestOutputHelper output)
{
    private const int Workers = 8;
    private const int MaxAttempts = 5;

    [Fact]
    public async Task Two_replicas_fed_a_faulty_stream_at_random_end_where_a_single_replica_reproject_ends()
    {
        var faults = new FaultRates { DuplicatePercent = 10, OutOfOrderPercent = 10, EvaluationBeforeInteractionPercent = 5 };
        var deliveries = ContactCenterSimulator.Generate(new SimulationOptions
        {
            Seed = 2026,
            Start = new DateTimeOffset(2026, 3, 2, 5, 0, 0, TimeSpan.Zero),
            Count = 800,
            Faults = faults,
        }).Select(d => d.Body.ToArray()).ToList();
        await using var shared = await cluster.CreateDatabaseAsync();
        await using var single = await cluster.CreateDatabaseAsync();
        using var dir = new TempDirectory();

        var replicas = new List<(Process Process, HttpClient Client)>();
        try
        {
            for (var r = 0; r < 2; r++)
            {
                var port = CrashTests.FreePort();
                var process = QmHubProcess.StartServer(shared.Url, port, new Dictionary<string, string> { ["QMHUB_SPOOL_DIR"] = dir.File($"spool-{r}") });
                var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
                replicas.Add((process, client));
                await CrashTests.WaitForHealthAsync(client, process);
            }

            var next = -1;
            var random = new Random(2026);
            var choices = deliveries.Select(_ => random.Next(2)).ToArray();
            var perReplica = new int[2];
            await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < deliveries.Count)
                {
                    var status = HttpStatusCode.ServiceUnavailable;
                    for (var attempt = 0; attempt < MaxAttempts && status != HttpStatusCode.OK; attempt++)
                    {
                        // A retry goes to the other replica, as Zoom's would through a load balancer.
                        var replica = (choices[i] + attempt) % 2;
                        status = await CrashTests.PostSignedAsync(replicas[replica].Client, deliveries[i], CancellationToken.None);
                        Interlocked.Increment(ref perReplica[replica]);
                    }

                    Assert.Equal(HttpStatusCode.OK, status);
                }
            })));
            output.WriteLine($"{deliveries.Count} deliveries ({deliveries.Select(Convert.ToHexString).Distinct().Count()} distinct bodies): {perReplica[0]} to replica 0, {perReplica[1]} to replica 1");
            foreach (var (_, client) in replicas)
            {
                await PostgresState.WaitUntilReadyAsync(client, TimeSpan.FromSeconds(60));
            }
        }
        finally
        {
            foreach (var (process, client) in replicas)
            {
                process.Kill();
                await process.WaitForExitAsync();
                process.Dispose();
                client.Dispose();
            }
        }

        var live = await PostgresState.ProjectionDumpAsync(shared.ConnectionString);
        await using (var store = new PostgresQmStore(shared.ConnectionString))
        {
            await store.ReprojectAsync(null, CancellationToken.None);
        }

        var rebuilt = await PostgresState.ProjectionDumpAsync(shared.ConnectionString);
        await using (var store = new PostgresQmStore(single.ConnectionString))
        {
            await store.MigrateAsync(CancellationToken.None);
            foreach (var batch in deliveries.Chunk(100))
            {
                await store.AppendAsync(batch.Select(b => Storage.Model.IncomingEvent.FromBody(b, DateTimeOffset.UtcNow)).ToList(), CancellationToken.None);
            }

            await store.ReprojectAsync(null, CancellationToken.None);
        }

        Assert.NotEmpty(live);
        Assert.Equal(rebuilt, live);
        Assert.Equal(await PostgresState.ProjectionDumpAsync(single.ConnectionString, withEventIds: false), await PostgresState.ProjectionDumpAsync(shared.ConnectionString, withEventIds: false));
        Assert.Equal((long)deliveries.Select(Convert.ToHexString).Distinct().Count(), await shared.ScalarAsync("SELECT count(*) FROM events"));
    }
}
