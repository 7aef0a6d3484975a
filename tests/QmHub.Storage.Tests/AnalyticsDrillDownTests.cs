using System.Data.Common;
using System.Globalization;
using QmHub.Simulation;
using QmHub.Storage.Analytics;
using QmHub.Storage.Model;
using QmHub.Testing;
using QmHub.Zoom;
using QmHub.Zoom.Models;

namespace QmHub.Storage.Tests;

/// <summary>
/// The drill-downs (evaluations of a period, interaction search) and the plain GROUP BY read only the period's
/// rows, by index; their answers are checked against the definitions computed here from every projected row:
/// an interaction belongs to the period of its start (of its event_ts without one), an evaluation to its
/// interaction's, or to its own event_ts while the interaction is unknown. Each engine supplies a database.
/// </summary>
public abstract class AnalyticsDrillDownTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);

    private readonly List<IAsyncDisposable> _opened = [];

    /// <summary>Opens a store on the test's database.</summary>
    protected abstract IQmStore OpenStore();

    /// <summary>The analytics reader of the database <paramref name="store"/> writes.</summary>
    protected abstract IAnalyticsStore OpenAnalytics(IQmStore store);

    /// <summary>A connection of the engine's own client to the test's database, to read every projected row.</summary>
    protected abstract Task<DbConnection> ConnectAsync();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var opened in Enumerable.Reverse(_opened))
        {
            await opened.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(5)]
    [InlineData(19)]
    public async Task Evaluations_of_a_period_are_its_interactions_evaluations_and_the_orphans_of_its_event_ts(int seed)
    {
        var random = new Random(seed);
        var analytics = await LoadedAsync(seed, random);
        var world = await ReadWorldAsync();

        foreach (var filter in Filters(world, random))
        {
            var expected = world.Evaluations(filter);
            var actual = await analytics.EvaluationsAsync(filter, CancellationToken.None);
            Assert.Equal(expected, actual);
        }

        var all = world.Evaluations(new AnalyticsFilter { From = Start.AddDays(-3), To = Start.AddDays(9) });
        Assert.Contains(all, e => e.InteractionId is null);
        Assert.Contains(all, e => e.InteractionId is { } id && id.StartsWith("ghost-", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(19)]
    public async Task Search_pages_newest_first_cover_the_period_once_across_rows_with_and_without_a_start_time(int seed)
    {
        var random = new Random(seed);
        var analytics = await LoadedAsync(seed, random);
        var world = await ReadWorldAsync();

        foreach (var filter in Filters(world, random))
        {
            foreach (var search in Searches(filter, InteractionSort.Time))
            {
                var expected = world.Search(search).Select(h => (h.AccountId, h.InteractionId, h.Evaluations)).ToList();
                var pages = await AllPagesAsync(analytics, search);
                Assert.Equal(expected, pages.Select(h => (h.AccountId, h.InteractionId, h.Evaluations)).ToList());
                AssertScores(world, pages);
            }
        }
    }

    [Theory]
    [InlineData(5)]
    [InlineData(19)]
    public async Task Search_pages_by_lowest_score_cover_the_period_once_in_score_order(int seed)
    {
        var random = new Random(seed);
        var analytics = await LoadedAsync(seed, random);
        var world = await ReadWorldAsync();

        foreach (var filter in Filters(world, random))
        {
            foreach (var search in Searches(filter, InteractionSort.Score))
            {
                var expected = world.Search(search).Select(h => (h.AccountId, h.InteractionId)).ToHashSet();
                var pages = await AllPagesAsync(analytics, search);
                Assert.Equal(pages.Count, pages.Select(h => (h.AccountId, h.InteractionId)).Distinct().Count());
                Assert.True(expected.SetEquals(pages.Select(h => (h.AccountId, h.InteractionId))), "the pages hold the period's matches, each once");
                // In the order of the scores the database computed (a mean summed in another order may differ in its last bit).
                foreach (var (a, b) in pages.Zip(pages.Skip(1)))
                {
                    var order = (a.QaScorePct ?? 1e308).CompareTo(b.QaScorePct ?? 1e308) is var c and not 0 ? c
                        : a.AtMs.CompareTo(b.AtMs) is var t and not 0 ? t
                        : string.CompareOrdinal(a.AccountId, b.AccountId) is var x and not 0 ? x : string.CompareOrdinal(a.InteractionId, b.InteractionId);
                    Assert.True(order < 0, $"{a.InteractionId} before {b.InteractionId}");
                }

                AssertScores(world, pages);
            }
        }
    }

    [Fact]
    public async Task Group_by_evaluations_and_search_count_nothing_from_outside_the_period()
    {
        var store = Track(OpenStore());
        await store.MigrateAsync(CancellationToken.None);
        var analytics = Analytics(store);
        var ms = (double hours) => Start.AddHours(hours).ToUnixTimeMilliseconds();
        var at = (double hours) => Start.AddHours(hours).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        await AppendAsync(store,
            // In the period by start; its evaluation's own event_ts is days later and still counts.
            TestEvents.Interaction("i-in", eventTs: ms(30), startTime: at(10), duration: 100),
            TestEvents.Evaluation("ev-in", "i-in", eventTs: ms(120), ratio: 0.5),
            // Started before the period; its evaluation's event_ts inside the period does not bring it in.
            TestEvents.Interaction("i-before", eventTs: ms(5), startTime: at(-1), duration: 200),
            TestEvents.Evaluation("ev-before", "i-before", eventTs: ms(6), ratio: 0.9),
            // Starts where the period ends (exclusive).
            TestEvents.Interaction("i-after", eventTs: ms(25), startTime: at(24), duration: 300),
            // No start time: the period of its event_ts, inside and outside.
            WithoutStart(TestEvents.Interaction("i-nostart", eventTs: ms(2), duration: 40)),
            WithoutStart(TestEvents.Interaction("i-nostart-late", eventTs: ms(30), duration: 50)),
            // Evaluations of interactions that are unknown: the period of their own event_ts.
            TestEvents.Evaluation("ev-ghost-in", "ghost-1", eventTs: ms(3), ratio: 0.7),
            TestEvents.Evaluation("ev-ghost-out", "ghost-2", eventTs: ms(-3), ratio: 0.1),
            WithoutInteraction(TestEvents.Evaluation("ev-none-in", "unused", eventTs: ms(4), ratio: 0.3)),
            WithoutInteraction(TestEvents.Evaluation("ev-none-out", "unused", eventTs: ms(26), ratio: 0.2)));
        var day = new AnalyticsFilter { From = Start, To = Start.AddDays(1) };

        foreach (var source in new[] { AnalyticsSource.Projections, AnalyticsSource.Rollups })
        {
            var all = Assert.Single(await analytics.GroupTotalsAsync(AnalyticsGrouping.All, day, source, KeyRange.All, 0, CancellationToken.None)).Totals;
            Assert.Equal((2L, 140L, 3L, 1L), (all.Interactions, all.HandleSSum, all.Evaluations, all.EvaluatedInteractions));
            Assert.Equal(1.5, all.RatioSum, 9);
            var hours = Enumerable.Range(0, 25).Select(h => Start.AddHours(h).ToUnixTimeMilliseconds()).ToList();
            var series = (await analytics.SeriesAsync(day, source, hours, CancellationToken.None)).Where(b => b.Totals.CountsAnything);
            Assert.Equal([2L, 3L, 4L, 10L], series.Select(b => (b.StartMs - Start.ToUnixTimeMilliseconds()) / 3_600_000));
        }

        Assert.Equal(["ev-ghost-in", "ev-in", "ev-none-in"],
            (await analytics.EvaluationsAsync(day, CancellationToken.None)).Select(e => e.EvaluationId).Order(StringComparer.Ordinal));
        var newest = await AllPagesAsync(analytics, new InteractionSearch { Filter = day, Limit = 1 });
        Assert.Equal(["i-in", "i-nostart"], newest.Select(h => h.InteractionId));
        Assert.Equal((1L, 50.0), (newest[0].Evaluations, newest[0].QaScorePct ?? 0));
        var agentsDay = await analytics.EvaluationsAsync(day with { Agent = "Ann Agent", AccountId = "acct-1" }, CancellationToken.None);
        Assert.Equal(["ev-ghost-in", "ev-in", "ev-none-in"], agentsDay.Select(e => e.EvaluationId).Order(StringComparer.Ordinal));
    }

    private static InteractionAnalysisCompletedEvent WithoutStart(InteractionAnalysisCompletedEvent e) =>
        e with { Payload = e.Payload with { Object = e.Payload.Object with { StartTime = null } } };

    private static EvaluationCompletedEvent WithoutInteraction(EvaluationCompletedEvent e) =>
        e with { Payload = e.Payload with { Object = e.Payload.Object with { InteractionId = null } } };

    private static void AssertScores(World world, List<InteractionHit> pages)
    {
        foreach (var hit in pages)
        {
            var (count, mean) = world.Scores(hit.AccountId, hit.InteractionId);
            Assert.Equal(count, hit.Evaluations);
            Assert.Equal(mean is null, hit.QaScorePct is null);
            Assert.Equal(mean ?? 0, hit.QaScorePct ?? 0, 9);
        }
    }

    private static async Task<List<InteractionHit>> AllPagesAsync(IAnalyticsStore analytics, InteractionSearch search)
    {
        var hits = new List<InteractionHit>();
        string? cursor = null;
        do
        {
            var page = await analytics.SearchInteractionsAsync(search with { Cursor = cursor }, CancellationToken.None);
            Assert.True(page.Items.Count <= search.Limit);
            Assert.True(page.NextCursor is null || page.Items.Count == search.Limit);
            hits.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return hits;
    }

    private static IEnumerable<InteractionSearch> Searches(AnalyticsFilter filter, InteractionSort sort)
    {
        yield return new InteractionSearch { Filter = filter, Sort = sort, Limit = 13 };
        yield return new InteractionSearch { Filter = filter, Sort = sort, Limit = 9, Evaluated = true };
        yield return new InteractionSearch { Filter = filter, Sort = sort, Limit = 11, Evaluated = false };
        yield return new InteractionSearch { Filter = filter, Sort = sort, Limit = 5, MinQaScorePct = 40, MaxQaScorePct = 85 };
    }

    /// <summary>Periods and filters: the whole data set, random windows, an agent by name and by resolved id, with and without its account, a queue.</summary>
    private static List<AnalyticsFilter> Filters(World world, Random random)
    {
        var everything = new AnalyticsFilter { From = Start.AddDays(-3), To = Start.AddDays(9) };
        var filters = new List<AnalyticsFilter> { everything };
        for (var i = 0; i < 3; i++)
        {
            var from = Start.AddHours(random.Next(-24, 96)).AddMinutes(random.Next(60));
            filters.Add(new AnalyticsFilter { From = from, To = from.AddHours(random.Next(1, 60)) });
        }

        var named = world.Interactions.Where(i => i.AgentName is not null).ToList();
        var someone = named[random.Next(named.Count)];
        var identified = named.First(i => world.Identity(i.AccountId, i.AgentName) is not null);
        var id = world.Identity(identified.AccountId, identified.AgentName)!;
        var window = filters[1];
        filters.Add(everything with { Agent = someone.AgentName, AccountId = someone.AccountId });
        filters.Add(window with { Agent = someone.AgentName });
        filters.Add(everything with { Agent = id, AccountId = identified.AccountId });
        filters.Add(window with { Agent = id, AccountId = identified.AccountId });
        filters.Add(everything with { Agent = id });
        filters.Add(everything with { QueueId = someone.QueueId, AccountId = someone.AccountId });
        return filters;
    }

    private async Task<IAnalyticsStore> LoadedAsync(int seed, Random random)
    {
        var store = Track(OpenStore());
        await store.MigrateAsync(CancellationToken.None);
        var events = ContactCenterSimulator.Generate(new SimulationOptions
        {
            Seed = seed,
            Start = Start,
            Accounts = 2,
            QueuesPerAccount = 3,
            AgentsPerAccount = 5,
            EvaluatorsPerAccount = 3,
            InteractionsPerAgentPerDay = 5,
            Duration = TimeSpan.FromDays(4),
            Faults = new FaultRates { DuplicatePercent = 5, OutOfOrderPercent = 10, EvaluationBeforeInteractionPercent = 20 },
        }).Select(d => d.Event).OfType<ZoomEvent>().ToList();
        var interactions = events.OfType<InteractionAnalysisCompletedEvent>().ToList();
        var evaluations = events.OfType<EvaluationCompletedEvent>().ToList();
        var extra = new List<ZoomEvent>();
        var span = (long)TimeSpan.FromDays(5).TotalMilliseconds;
        for (var i = 0; i < 40; i++)
        {
            // Interactions without a start time, some evaluated; evaluations of interactions never seen, and of none.
            var donor = interactions[random.Next(interactions.Count)];
            var o = donor.Payload.Object;
            var id = $"nostart-{i}";
            extra.Add(donor with
            {
                EventTs = Start.ToUnixTimeMilliseconds() + random.NextInt64(span),
                Payload = donor.Payload with { Object = o with { StartTime = null, InteractionInfo = o.InteractionInfo with { InteractionId = id } } },
            });
            var evaluation = evaluations[random.Next(evaluations.Count)];
            var target = (i % 3) switch { 0 => id, 1 => $"ghost-{i}", _ => null };
            extra.Add(evaluation with
            {
                EventTs = Start.ToUnixTimeMilliseconds() + random.NextInt64(span),
                Payload = evaluation.Payload with
                {
                    AccountId = donor.Payload.AccountId,
                    Object = evaluation.Payload.Object with { EvaluationId = $"extra-{i}", InteractionId = target },
                },
            });
        }

        foreach (var batch in events.Concat(extra).OrderBy(_ => random.Next()).Chunk(64))
        {
            await store.AppendAsync(batch.Select(e => IncomingEvent.FromBody(ZoomJson.SerializeToUtf8Bytes(e), DateTimeOffset.UtcNow)).ToList(), CancellationToken.None);
        }

        return Analytics(store);
    }

    private static Task<IReadOnlyList<AppendResult>> AppendAsync(IQmStore store, params ZoomEvent[] events) =>
        store.AppendAsync(events.Select(e => IncomingEvent.FromBody(ZoomJson.SerializeToUtf8Bytes(e), DateTimeOffset.UtcNow)).ToList(), CancellationToken.None);

    private IAnalyticsStore Analytics(IQmStore store)
    {
        var analytics = OpenAnalytics(store);
        if (analytics is IAsyncDisposable disposable)
        {
            _opened.Add(disposable);
        }

        return analytics;
    }

    private T Track<T>(T store)
        where T : IAsyncDisposable
    {
        _opened.Add(store);
        return store;
    }

    private async Task<World> ReadWorldAsync()
    {
        await using var connection = await ConnectAsync();
        var interactions = await ReadAsync(connection, """
            SELECT account_id, interaction_id, start_ms, last_event_ts, agent_name, queue_id, channel_type, direction FROM interactions
            """, r => new Interaction(r.GetString(0), r.GetString(1), Long(r, 2), Convert.ToInt64(r.GetValue(3), CultureInfo.InvariantCulture),
                Text(r, 4), Text(r, 5), Text(r, 6), Text(r, 7)));
        var evaluations = await ReadAsync(connection, """
            SELECT account_id, evaluation_id, interaction_id, last_event_ts, agent_user_id, agent_display_name, evaluator_user_id, scorecard_name,
                evaluation_type, evaluation_score_ratio FROM evaluations
            """, r => new Evaluation(r.GetString(0), r.GetString(1), Text(r, 2), Convert.ToInt64(r.GetValue(3), CultureInfo.InvariantCulture),
                Text(r, 4), Text(r, 5), Text(r, 6), Text(r, 7), Text(r, 8), r.IsDBNull(9) ? null : Convert.ToDouble(r.GetValue(9), CultureInfo.InvariantCulture)));
        var identities = await ReadAsync(connection, "SELECT account_id, agent_name, agent_user_id FROM agent_identities",
            r => (r.GetString(0), r.GetString(1), r.GetString(2)));
        return new World(interactions, evaluations, identities.ToDictionary(i => (i.Item1, i.Item2), i => i.Item3));
    }

    private static async Task<List<T>> ReadAsync<T>(DbConnection connection, string sql, Func<DbDataReader, T> read)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private static string? Text(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static long? Long(DbDataReader r, int i) => r.IsDBNull(i) ? null : Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture);

    private sealed record Interaction(string AccountId, string InteractionId, long? StartMs, long LastEventTs, string? AgentName, string? QueueId, string? ChannelType, string? Direction)
    {
        public long AtMs => StartMs ?? LastEventTs;
    }

    private sealed record Hit(string AccountId, string InteractionId, long AtMs, long Evaluations, double? QaScorePct);

    private sealed record Evaluation(string AccountId, string EvaluationId, string? InteractionId, long LastEventTs, string? AgentUserId, string? DisplayName,
        string? EvaluatorUserId, string? ScorecardName, string? EvaluationType, double? Ratio);

    /// <summary>Every projected row, and the definitions of docs/analytics.md over them.</summary>
    private sealed record World(List<Interaction> Interactions, List<Evaluation> AllEvaluations, Dictionary<(string, string), string> Identities)
    {
        private readonly Dictionary<(string, string), Interaction> _byId = Interactions.ToDictionary(i => (i.AccountId, i.InteractionId));

        public string? Identity(string account, string? name) => name is not null && Identities.TryGetValue((account, name), out var id) ? id : null;

        public List<EvaluationFact> Evaluations(AnalyticsFilter filter)
        {
            var facts = new List<EvaluationFact>();
            foreach (var e in AllEvaluations)
            {
                var i = e.InteractionId is { } iid ? _byId.GetValueOrDefault((e.AccountId, iid)) : null;
                var atMs = i?.AtMs ?? e.LastEventTs;
                var agentName = i is null ? e.DisplayName ?? "" : i.AgentName ?? "";
                var agentUserId = i is null && e.DisplayName is null ? e.AgentUserId ?? "" : "";
                var agentId = agentUserId is { Length: > 0 } ? agentUserId : Identity(e.AccountId, agentName) ?? agentName;
                if (InPeriod(filter, atMs) && Matches(filter, e.AccountId, i?.QueueId ?? "", i?.ChannelType ?? "", i?.Direction ?? "")
                    && (filter.Agent is null || agentId == filter.Agent || agentName == filter.Agent))
                {
                    facts.Add(new EvaluationFact(e.AccountId, e.InteractionId, e.EvaluationId, e.ScorecardName, e.EvaluatorUserId, e.EvaluationType, e.Ratio,
                        agentId, agentName is { Length: > 0 } ? agentName : null, InteractionKnown: i is not null));
                }
            }

            return facts.OrderBy(f => f.AccountId, StringComparer.Ordinal).ThenBy(f => f.InteractionId, StringComparer.Ordinal)
                .ThenBy(f => f.EvaluationId, StringComparer.Ordinal).ToList();
        }

        public (long Count, double? MeanPct) Scores(string account, string interactionId)
        {
            var ratios = AllEvaluations.Where(e => e.AccountId == account && e.InteractionId == interactionId).ToList();
            var scored = ratios.Where(e => e.Ratio is not null).ToList();
            return (ratios.Count, scored.Count > 0 ? scored.Average(e => e.Ratio ?? 0) * 100 : null);
        }

        public List<Hit> Search(InteractionSearch search)
        {
            var filter = search.Filter;
            var hits = new List<Hit>();
            foreach (var i in Interactions)
            {
                var agentId = Identity(i.AccountId, i.AgentName) ?? i.AgentName;
                var (count, mean) = Scores(i.AccountId, i.InteractionId);
                if (InPeriod(filter, i.AtMs) && Matches(filter, i.AccountId, i.QueueId ?? "", i.ChannelType ?? "", i.Direction ?? "")
                    && (filter.Agent is null || agentId == filter.Agent || i.AgentName == filter.Agent)
                    && (search.Evaluated is null || count > 0 == search.Evaluated)
                    && (search.MinQaScorePct is null || mean >= search.MinQaScorePct) && (search.MaxQaScorePct is null || mean <= search.MaxQaScorePct))
                {
                    hits.Add(new Hit(i.AccountId, i.InteractionId, i.AtMs, count, mean));
                }
            }

            return search.Sort == InteractionSort.Time
                ? hits.OrderByDescending(h => h.AtMs).ThenByDescending(h => h.AccountId, StringComparer.Ordinal)
                    .ThenByDescending(h => h.InteractionId, StringComparer.Ordinal).ToList()
                : hits.OrderBy(h => h.QaScorePct ?? 1e308).ThenBy(h => h.AtMs).ThenBy(h => h.AccountId, StringComparer.Ordinal)
                    .ThenBy(h => h.InteractionId, StringComparer.Ordinal).ToList();
        }

        private static bool InPeriod(AnalyticsFilter filter, long atMs) => atMs >= filter.From.ToUnixTimeMilliseconds() && atMs < filter.To.ToUnixTimeMilliseconds();

        private static bool Matches(AnalyticsFilter filter, string account, string queue, string channel, string direction) =>
            (filter.AccountId is null || account == filter.AccountId) && (filter.QueueId is null || queue == filter.QueueId)
            && (filter.ChannelType is null || channel == filter.ChannelType) && (filter.Direction is null || direction == filter.Direction);
    }
}
