using QmHub.Simulation;
using QmHub.Storage.Analytics;
using QmHub.Storage.Model;
using QmHub.Testing;
using QmHub.Zoom;
using QmHub.Zoom.Models;

namespace QmHub.Storage.Tests;

/// <summary>
/// The rollups kept in the ingest transaction answer what a plain GROUP BY over the projections answers. Each
/// engine's test class supplies a fresh database.
/// </summary>
public abstract class AnalyticsRollupTests : IAsyncLifetime
{
    protected static readonly DateTimeOffset Start = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);

    private readonly List<IAsyncDisposable> _opened = [];

    /// <summary>Opens (another) store on the test's database.</summary>
    protected abstract IQmStore OpenStore();

    /// <summary>The analytics reader of the database <paramref name="store"/> writes.</summary>
    protected abstract IAnalyticsStore OpenAnalytics(IQmStore store);

    /// <summary>Takes the database back to before the analytics migrations: no rollup tables, <see cref="AnalyticsMigrations"/> not applied.</summary>
    protected abstract Task UndoAnalyticsMigrationAsync();

    /// <summary>The engine's migrations that create rollups.</summary>
    protected virtual int[] AnalyticsMigrations => [2];

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var opened in Enumerable.Reverse(_opened))
        {
            await opened.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(7)]
    [InlineData(42)]
    public async Task Rollup_answers_equal_group_by_over_projections_on_a_random_generated_data_set(int seed)
    {
        var random = new Random(seed);
        var store = await OpenMigratedAsync();
        await LoadAsync(store, Generated(seed, random), random);
        var analytics = Analytics(store);

        await AssertSameAnswersAsync(analytics, random);

        await store.ReprojectAsync(null, CancellationToken.None);
        await AssertSameAnswersAsync(analytics, random);
    }

    [Fact]
    public async Task Analytics_migration_builds_rollups_from_projections_that_existed_before_it()
    {
        var random = new Random(3);
        await using (var before = OpenStore())
        {
            await before.MigrateAsync(CancellationToken.None);
            await LoadAsync(before, Generated(3, random), random);
        }

        await UndoAnalyticsMigrationAsync();

        var store = Track(OpenStore());
        Assert.Equal(AnalyticsMigrations, await store.MigrateAsync(CancellationToken.None));

        await AssertSameAnswersAsync(Analytics(store), random);
    }

    [Fact]
    public async Task Older_version_changes_nothing_and_a_newer_one_moves_the_whole_unit()
    {
        var store = await OpenMigratedAsync();
        var analytics = Analytics(store);
        var day = new AnalyticsFilter { From = Start, To = Start.AddDays(1) };
        await AppendAsync(store, TestEvents.Interaction("i-1", eventTs: 2_000, queueId: "q-a", startTime: "2026-11-02T10:00:00Z", duration: 100));
        await AppendAsync(store, TestEvents.Evaluation("ev-1", "i-1", eventTs: 2_000, ratio: 0.5));
        var first = await analytics.GroupTotalsAsync(AnalyticsGrouping.Queue, day, AnalyticsSource.Rollups, KeyRange.All, 0, CancellationToken.None);

        await AppendAsync(store, TestEvents.Interaction("i-1", eventTs: 1_000, queueId: "q-old", startTime: "2026-11-02T20:00:00Z", duration: 999));
        Assert.Equal(first, await analytics.GroupTotalsAsync(AnalyticsGrouping.Queue, day, AnalyticsSource.Rollups, KeyRange.All, 0, CancellationToken.None));

        await AppendAsync(store, TestEvents.Interaction("i-1", eventTs: 3_000, queueId: "q-b", startTime: "2026-11-02T11:00:00Z", duration: 200));
        var moved = Assert.Single(await analytics.GroupTotalsAsync(AnalyticsGrouping.Queue, day, AnalyticsSource.Rollups, KeyRange.All, 0, CancellationToken.None));
        Assert.Equal("q-b", moved.Key.Id);
        Assert.Equal((1L, 200L, 1L, 1L), (moved.Totals.Interactions, moved.Totals.HandleSSum, moved.Totals.Evaluations, moved.Totals.EvaluatedInteractions));
        Assert.Equal(
            [Start.AddHours(11).ToUnixTimeMilliseconds()],
            (await analytics.SeriesAsync(day, AnalyticsSource.Rollups, Hours(day), CancellationToken.None)).Where(b => b.Totals.CountsAnything).Select(b => b.StartMs));
    }

    [Fact]
    public async Task Evaluation_re_pointed_to_another_interaction_changes_both_units()
    {
        var store = await OpenMigratedAsync();
        var analytics = Analytics(store);
        var day = new AnalyticsFilter { From = Start, To = Start.AddDays(1) };
        await AppendAsync(store, TestEvents.Interaction("i-1", queueId: "q-a", startTime: "2026-11-02T10:00:00Z"));
        await AppendAsync(store, TestEvents.Interaction("i-2", queueId: "q-b", startTime: "2026-11-02T12:00:00Z"));
        await AppendAsync(store, TestEvents.Evaluation("ev-1", "i-1", eventTs: 1_000, ratio: 0.5));

        await AppendAsync(store, TestEvents.Evaluation("ev-1", "i-2", eventTs: 2_000, ratio: 0.9));

        var queues = await analytics.GroupTotalsAsync(AnalyticsGrouping.Queue, day, AnalyticsSource.Rollups, KeyRange.All, 0, CancellationToken.None);
        Assert.Equal(["q-a", "q-b"], queues.Select(q => q.Key.Id));
        Assert.Equal((0L, 0L), (queues[0].Totals.Evaluations, queues[0].Totals.EvaluatedInteractions));
        Assert.Equal((1L, 1L), (queues[1].Totals.Evaluations, queues[1].Totals.EvaluatedInteractions));
        Assert.Equal(0.9, queues[1].Totals.RatioSum, 9);
    }

    protected async Task<IQmStore> OpenMigratedAsync()
    {
        var store = Track(OpenStore());
        await store.MigrateAsync(CancellationToken.None);
        return store;
    }

    protected IAnalyticsStore Analytics(IQmStore store)
    {
        var analytics = OpenAnalytics(store);
        if (analytics is IAsyncDisposable disposable)
        {
            _opened.Add(disposable);
        }

        return analytics;
    }

    protected T Track<T>(T store)
        where T : IAsyncDisposable
    {
        _opened.Add(store);
        return store;
    }

    private static Task<IReadOnlyList<AppendResult>> AppendAsync(IQmStore store, ZoomEvent e) =>
        store.AppendAsync([IncomingEvent.FromBody(ZoomJson.SerializeToUtf8Bytes(e), DateTimeOffset.UtcNow)], CancellationToken.None);

    /// <summary>
    /// The simulator's deliveries (versions, transfers, duplicates, evaluations before interactions, out of
    /// order) plus newer versions that move interactions to another hour, queue or agent and evaluations
    /// that move to another interaction, so every maintenance path runs.
    /// </summary>
    protected static List<ZoomEvent> Generated(int seed, Random random)
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

    protected static async Task LoadAsync(IQmStore store, List<ZoomEvent> events, Random random)
    {
        var shuffled = events.OrderBy(_ => random.Next()).ToList();
        var at = DateTimeOffset.UtcNow;
        foreach (var batch in shuffled.Chunk(64))
        {
            var incoming = batch.Select(e => IncomingEvent.FromBody(ZoomJson.SerializeToUtf8Bytes(e), at)).ToList();
            await store.AppendAsync(incoming, CancellationToken.None);
        }
    }

    protected static async Task AssertSameAnswersAsync(IAnalyticsStore analytics, Random random)
    {
        var wide = new AnalyticsFilter { From = Start.AddDays(-3), To = Start.AddDays(8) };
        var filters = new List<AnalyticsFilter> { wide };
        var agents = await analytics.GroupTotalsAsync(AnalyticsGrouping.Agent, wide, AnalyticsSource.Projections, KeyRange.All, 0, CancellationToken.None);
        var accounts = agents.Select(g => g.Key.AccountId).Distinct().ToList();
        Assert.Equal(2, accounts.Count);
        var queues = await analytics.GroupTotalsAsync(AnalyticsGrouping.Queue, wide, AnalyticsSource.Projections, KeyRange.All, 0, CancellationToken.None);
        var mix = await analytics.MixAsync(wide, AnalyticsSource.Projections, CancellationToken.None);
        for (var i = 0; i < 6; i++)
        {
            var from = Start.AddHours(random.Next(-24, 96));
            filters.Add(new AnalyticsFilter { From = from, To = from.AddHours(random.Next(1, 72)), AccountId = random.NextDouble() < 0.5 ? accounts[random.Next(2)] : null });
        }

        // Each filter dimension, over a window whose ends are not UTC midnights (daily rows and edge hours both count).
        var window = new AnalyticsFilter { From = Start.AddHours(-7), To = Start.AddDays(3).AddHours(15) };
        filters.Add(window with { QueueId = queues[random.Next(queues.Count)].Key.Id });
        filters.Add(window with { Agent = agents[random.Next(agents.Count)].Key.Id });
        filters.Add(window with { Agent = agents.First(a => a.Key.Name is not null).Key.Name, AccountId = agents.First(a => a.Key.Name is not null).Key.AccountId });
        var channels = mix.Where(m => m.Dimension == MixDimension.ChannelType).ToList();
        var directions = mix.Where(m => m.Dimension == MixDimension.Direction).ToList();
        filters.Add(window with { ChannelType = channels[random.Next(channels.Count)].Value, Direction = directions[random.Next(directions.Count)].Value });
        filters.Add(window with { Direction = directions[random.Next(directions.Count)].Value, AccountId = accounts[0] });

        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var calibrated = false;
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

                // Page by page (a few rows each) the same rows in the same order.
                var paged = new List<GroupTotals>();
                GroupKey? after = null;
                while (await analytics.GroupTotalsAsync(grouping, filter, AnalyticsSource.Rollups, new KeyRange(after, null), 3, CancellationToken.None) is { Count: > 0 } page)
                {
                    paged.AddRange(page);
                    after = page[^1].Key;
                    if (grouping == AnalyticsGrouping.All)
                    {
                        break;
                    }
                }

                Assert.Equal(rolled.Select(r => r.Key), paged.Select(r => r.Key));
            }

            foreach (var boundaries in new[]
            {
                Hours(filter),
                AnalyticsDefinitions.Boundaries(newYork, weekly: false, filter.From, filter.To),
                AnalyticsDefinitions.Boundaries(TimeZoneInfo.Utc, weekly: true, filter.From, filter.To),
            })
            {
                var rolled = await analytics.SeriesAsync(filter, AnalyticsSource.Rollups, boundaries, CancellationToken.None);
                var fine = await analytics.SeriesAsync(filter, AnalyticsSource.Projections, boundaries, CancellationToken.None);
                Assert.Equal(boundaries.SkipLast(1), rolled.Select(b => b.StartMs));
                Assert.Equal(boundaries.SkipLast(1), fine.Select(b => b.StartMs));
                foreach (var (r, g) in rolled.Zip(fine))
                {
                    AssertSame(g.Totals, r.Totals);
                }
            }

            Assert.Equal(
                await analytics.MixAsync(filter, AnalyticsSource.Projections, CancellationToken.None),
                await analytics.MixAsync(filter, AnalyticsSource.Rollups, CancellationToken.None));

            // An engine that keeps calibration rollups answers what the period's evaluations give.
            if (await analytics.CalibrationAsync(filter, 10, CancellationToken.None) is { } rolledCalibration)
            {
                AssertSame(CalibrationSums.Of(await analytics.EvaluationsAsync(filter, CancellationToken.None), 10), rolledCalibration);
                calibrated |= rolledCalibration.Worst.Count > 0 && filter == wide;
            }
        }

        Assert.True(calibrated || await analytics.CalibrationAsync(wide, 10, CancellationToken.None) is null, "the data set has calibrated groups");

        var everything = await analytics.GroupTotalsAsync(AnalyticsGrouping.All, filters[0], AnalyticsSource.Rollups, KeyRange.All, 0, CancellationToken.None);
        Assert.True(everything[0].Totals.Interactions > 100 && everything[0].Totals.Evaluations > 50, "the data set is not trivial");
    }

    /// <summary>Every whole UTC hour of the filter's period as bucket boundaries.</summary>
    protected static IReadOnlyList<long> Hours(AnalyticsFilter filter)
    {
        var boundaries = new List<long>();
        for (var at = filter.From.ToUnixTimeMilliseconds(); at < filter.To.ToUnixTimeMilliseconds(); at += AnalyticsDefinitions.RollupBucketMs)
        {
            boundaries.Add(at);
        }

        boundaries.Add(filter.To.ToUnixTimeMilliseconds());
        return boundaries;
    }

    private static void AssertSame(CalibrationSums expected, CalibrationSums actual)
    {
        Assert.Equal(expected.Scorecards.Select(s => s with { AbsDifferenceSum = 0, ManualMinusAutomatedSum = 0 }), actual.Scorecards.Select(s => s with { AbsDifferenceSum = 0, ManualMinusAutomatedSum = 0 }));
        foreach (var (e, a) in expected.Scorecards.Zip(actual.Scorecards))
        {
            Assert.Equal(e.AbsDifferenceSum, a.AbsDifferenceSum, 6);
            Assert.Equal(e.ManualMinusAutomatedSum, a.ManualMinusAutomatedSum, 6);
        }

        Assert.Equal(expected.Evaluators.Select(s => s with { RatioSum = 0, DeviationSum = 0 }), actual.Evaluators.Select(s => s with { RatioSum = 0, DeviationSum = 0 }));
        foreach (var (e, a) in expected.Evaluators.Zip(actual.Evaluators))
        {
            Assert.Equal(e.RatioSum, a.RatioSum, 6);
            Assert.Equal(e.DeviationSum, a.DeviationSum, 6);
        }

        Assert.Equal(
            expected.Worst.Select(g => (g.AccountId, g.InteractionId, g.ScorecardName, g.Spread, string.Join(",", g.Evaluations.Select(e => $"{e.EvaluationId}:{e.EvaluatorUserId}:{e.EvaluationType}:{e.Ratio}")))),
            actual.Worst.Select(g => (g.AccountId, g.InteractionId, g.ScorecardName, g.Spread, string.Join(",", g.Evaluations.Select(e => $"{e.EvaluationId}:{e.EvaluatorUserId}:{e.EvaluationType}:{e.Ratio}")))));
    }

    private static void AssertSame(MetricTotals expected, MetricTotals actual)
    {
        Assert.Equal(expected with { SentimentSum = 0, EngagementSum = 0, RatioSum = 0 }, actual with { SentimentSum = 0, EngagementSum = 0, RatioSum = 0 });
        Assert.Equal(expected.SentimentSum, actual.SentimentSum, 6);
        Assert.Equal(expected.EngagementSum, actual.EngagementSum, 6);
        Assert.Equal(expected.RatioSum, actual.RatioSum, 6);
    }
}
