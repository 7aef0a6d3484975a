using QmHub.Simulation;
using QmHub.Storage.Analytics;
using QmHub.Storage.Model;
using QmHub.Storage.Sqlite;
using QmHub.Testing;
using QmHub.Zoom;
using QmHub.Zoom.Models;

namespace QmHub.Storage.Tests;

/// <summary>The rollups kept in the ingest transaction answer what a plain GROUP BY over the projections answers.</summary>
public sealed class AnalyticsRollupTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(7)]
    [InlineData(42)]
    public async Task Rollup_answers_equal_group_by_over_projections_on_a_random_generated_data_set(int seed)
    {
        var random = new Random(seed);
        await using var store = new SqliteQmStore(_dir.File($"rollup-{seed}.db"));
        await store.MigrateAsync(CancellationToken.None);
        await LoadAsync(store, Generated(seed, random), random);
        var analytics = new SqliteAnalyticsStore(_dir.File($"rollup-{seed}.db"));

        await AssertSameAnswersAsync(analytics, random);

        await store.ReprojectAsync(null, CancellationToken.None);
        await AssertSameAnswersAsync(analytics, random);
    }

    [Fact]
    public async Task Analytics_migration_builds_rollups_from_projections_that_existed_before_it()
    {
        var random = new Random(3);
        var path = _dir.File("upgrade.db");
        await using (var before = new SqliteQmStore(path))
        {
            await before.MigrateAsync(CancellationToken.None);
            await LoadAsync(before, Generated(3, random), random);
        }

        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var downgrade = connection.CreateCommand();
            downgrade.CommandText = """
                DROP TABLE analytics_hourly; DROP TABLE agent_identities; DROP TABLE analytics_queues;
                DROP INDEX interactions_by_queue_start; DROP INDEX interactions_by_agent_start;
                DELETE FROM schema_migrations WHERE version = 2;
                """;
            await downgrade.ExecuteNonQueryAsync();
        }

        await using var store = new SqliteQmStore(path);
        Assert.Equal([2], await store.MigrateAsync(CancellationToken.None));

        await AssertSameAnswersAsync(new SqliteAnalyticsStore(path), random);
    }

    /// <summary>
    /// The simulator's deliveries (versions, transfers, duplicates, evaluations before interactions, out of
    /// order) plus newer versions that move interactions to another hour, queue or agent and evaluations
    /// that move to another interaction, so every maintenance path runs.
    /// </summary>
    private static List<ZoomEvent> Generated(int seed, Random random)
    {
        var options = new SimulationOptions
        {
            Seed = seed,
            Start = Start,
            Accounts = 2,
            QueuesPerAccount = 3,
            AgentsPerAccount = 6,
            EvaluatorsPerAccount = 3,
            InteractionsPerAgentPerDay = 6,
            Duration = TimeSpan.FromDays(4),
            Faults = new FaultRates { DuplicatePercent = 5, OutOfOrderPercent = 10, EvaluationBeforeInteractionPercent = 20 },
        };
        var events = ContactCenterSimulator.Generate(options).Select(d => d.Event).OfType<ZoomEvent>().ToList();
        var interactions = events.OfType<InteractionAnalysisCompletedEvent>().ToList();
        var moves = new List<ZoomEvent>();
        foreach (var e in interactions.Where(_ => random.NextDouble() < 0.15))
        {
            var o = e.Payload.Object;
            var other = interactions[random.Next(interactions.Count)].Payload.Object;
            var moved = o with
            {
                StartTime = (o.StartedAt ?? Start).AddHours(random.Next(-30, 30)).AddMinutes(random.Next(60)).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
                QueueId = other.QueueId,
                QueueName = other.QueueName,
                InteractionInfo = o.InteractionInfo with { AgentName = other.InteractionInfo.AgentName },
                Duration = (o.Duration ?? 0) + random.Next(0, 100),
            };
            moves.Add(e with { EventTs = e.EventTs + random.Next(-5_000, 50_000), Payload = e.Payload with { Object = moved } });
        }

        foreach (var e in events.OfType<EvaluationCompletedEvent>().Where(_ => random.NextDouble() < 0.05))
        {
            var target = interactions[random.Next(interactions.Count)];
            moves.Add(e with
            {
                EventTs = e.EventTs + 1_000,
                Payload = e.Payload with { Object = e.Payload.Object with { InteractionId = random.NextDouble() < 0.2 ? null : target.Payload.Object.InteractionInfo.InteractionId } },
            });
        }

        events.AddRange(moves);
        return events;
    }

    private static async Task LoadAsync(SqliteQmStore store, List<ZoomEvent> events, Random random)
    {
        var shuffled = events.OrderBy(_ => random.Next()).ToList();
        var at = DateTimeOffset.UtcNow;
        foreach (var batch in shuffled.Chunk(64))
        {
            var incoming = batch.Select(e => IncomingEvent.FromBody(ZoomJson.SerializeToUtf8Bytes(e), at)).ToList();
            await store.AppendAsync(incoming, CancellationToken.None);
        }
    }

    private static async Task AssertSameAnswersAsync(SqliteAnalyticsStore analytics, Random random)
    {
        var filters = new List<AnalyticsFilter> { new() { From = Start.AddDays(-3), To = Start.AddDays(8) } };
        var accounts = (await analytics.GroupTotalsAsync(AnalyticsGrouping.Agent, filters[0], AnalyticsSource.Projections, KeyRange.All, 0, CancellationToken.None))
            .Select(g => g.Key.AccountId).Distinct().ToList();
        Assert.Equal(2, accounts.Count);
        for (var i = 0; i < 6; i++)
        {
            var from = Start.AddHours(random.Next(-24, 96));
            filters.Add(new AnalyticsFilter { From = from, To = from.AddHours(random.Next(1, 72)), AccountId = random.NextDouble() < 0.5 ? accounts[random.Next(2)] : null });
        }

        foreach (var filter in filters)
        {
            foreach (var grouping in new[] { AnalyticsGrouping.Agent, AnalyticsGrouping.Queue, AnalyticsGrouping.All })
            {
                var rolled = await analytics.GroupTotalsAsync(grouping, filter, AnalyticsSource.Rollups, KeyRange.All, 0, CancellationToken.None);
                var grouped = await analytics.GroupTotalsAsync(grouping, filter, AnalyticsSource.Projections, KeyRange.All, 0, CancellationToken.None);
                Assert.Equal(grouped.Select(g => g.Key), rolled.Select(r => r.Key));
                foreach (var (r, g) in rolled.Zip(grouped))
                {
                    AssertSame(g.Totals, r.Totals);
                }
            }

            var hourly = await analytics.SeriesAsync(filter, AnalyticsSource.Rollups, CancellationToken.None);
            var fine = await analytics.SeriesAsync(filter, AnalyticsSource.Projections, CancellationToken.None);
            var regrouped = fine.GroupBy(b => b.StartMs / AnalyticsDefinitions.RollupBucketMs * AnalyticsDefinitions.RollupBucketMs)
                .Select(g => new BucketTotals(g.Key, g.Aggregate(MetricTotals.Zero, (a, b) => a.Add(b.Totals))))
                .ToList();
            Assert.Equal(regrouped.Select(b => b.StartMs), hourly.Select(b => b.StartMs));
            foreach (var (r, g) in hourly.Zip(regrouped))
            {
                AssertSame(g.Totals, r.Totals);
            }
        }

        var everything = await analytics.GroupTotalsAsync(AnalyticsGrouping.All, filters[0], AnalyticsSource.Rollups, KeyRange.All, 0, CancellationToken.None);
        Assert.True(everything[0].Totals.Interactions > 100 && everything[0].Totals.Evaluations > 50, "the data set is not trivial");
    }

    private static void AssertSame(MetricTotals expected, MetricTotals actual)
    {
        Assert.Equal(expected with { SentimentSum = 0, EngagementSum = 0, RatioSum = 0 }, actual with { SentimentSum = 0, EngagementSum = 0, RatioSum = 0 });
        Assert.Equal(expected.SentimentSum, actual.SentimentSum, 6);
        Assert.Equal(expected.EngagementSum, actual.EngagementSum, 6);
        Assert.Equal(expected.RatioSum, actual.RatioSum, 6);
    }
}
