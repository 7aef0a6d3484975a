using System.Text.Json;
using Microsoft.Data.Sqlite;
using QmHub.Storage.Analytics;

namespace QmHub.Storage.Sqlite;

/// <summary>
/// Answers reports from the SQLite rollups: whole UTC days from the daily rollups, the hours between a period's ends
/// and their nearest midnights from the hourly ones (<see cref="RollupPlan"/>). Without an agent filter the queue
/// rollups answer (no agent dimension: a month of them is a few thousand rows); agents are read through their keys,
/// a page of them at a time, from the agent rollups.
/// </summary>
internal static class SqliteRollupReader
{
    /// <summary>The fewest agent groups read per statement when a list is paged.</summary>
    private const int MinimumChunk = 16;

    public static async Task<IReadOnlyList<GroupTotals>> GroupTotalsAsync(
        SqliteConnection connection, AnalyticsGrouping grouping, AnalyticsFilter filter, KeyRange keys, int limit, CancellationToken ct)
    {
        var plan = PlanOf(filter.From.ToUnixTimeMilliseconds(), filter.To.ToUnixTimeMilliseconds());
        if (grouping == AnalyticsGrouping.Agent)
        {
            return await AgentTotalsAsync(connection, filter, plan, keys, limit, ct);
        }

        var sums = new Dictionary<(string Account, string Queue), Sums>();
        if (filter.Agent is not null)
        {
            var pairs = await PairsAsync(connection, filter, ct);
            foreach (var (pair, queue, t, hourly, totals) in await ReadAgentRowsAsync(connection, pairs, filter, [plan], byDay: false, ct, byQueue: grouping == AnalyticsGrouping.Queue))
            {
                Of(sums, (pairs[pair].AccountId, queue)).Add(t, hourly, totals, byDay: false);
            }
        }
        else
        {
            foreach (var (account, queue, t, hourly, totals) in await ReadQueueRowsAsync(connection, filter, [plan], byDay: false, ct))
            {
                Of(sums, (account, queue)).Add(t, hourly, totals, byDay: false);
            }
        }

        if (grouping == AnalyticsGrouping.All)
        {
            var all = sums.Values.Aggregate(MetricTotals.Zero, (sum, s) => sum.Add(s.Total(plan)));
            return [new GroupTotals(new GroupKey("", "", null), all)];
        }

        var names = await QueueNamesAsync(connection, ct);
        return sums.Select(kv => new GroupTotals(new GroupKey(kv.Key.Account, kv.Key.Queue, names.GetValueOrDefault(kv.Key)), kv.Value.Total(plan)))
            .Where(g => g.Totals.CountsAnything && InRange(g.Key, keys))
            .OrderBy(g => g.Key.AccountId, Utf8Order.Instance).ThenBy(g => g.Key.Id, Utf8Order.Instance)
            .Take(limit > 0 ? limit : int.MaxValue)
            .ToList();
    }

    public static async Task<IReadOnlyList<BucketTotals>> SeriesAsync(SqliteConnection connection, AnalyticsFilter filter, IReadOnlyList<long> boundaries, CancellationToken ct)
    {
        var plans = Enumerable.Range(0, Math.Max(0, boundaries.Count - 1)).Select(k => PlanOf(boundaries[k], boundaries[k + 1])).ToList();
        var sums = new Sums();
        if (filter.Agent is not null)
        {
            var pairs = await PairsAsync(connection, filter, ct);
            foreach (var (_, _, t, hourly, totals) in await ReadAgentRowsAsync(connection, pairs, filter, plans, byDay: true, ct))
            {
                sums.Add(t, hourly, totals, byDay: true);
            }
        }
        else
        {
            foreach (var (_, _, t, hourly, totals) in await ReadQueueRowsAsync(connection, filter, plans, byDay: true, ct))
            {
                sums.Add(t, hourly, totals, byDay: true);
            }
        }

        return plans.Select((plan, k) => new BucketTotals(boundaries[k], sums.Total(plan))).ToList();
    }

    /// <summary>
    /// The queue mix: only without an agent filter (the mix rollups have no agent). Without channel and direction filters
    /// the channel and direction counts come from the queue rollups and the dispositions from their own rollup; with
    /// them, from the rollup of all three.
    /// </summary>
    public static async Task<IReadOnlyList<MixCount>> MixAsync(SqliteConnection connection, AnalyticsFilter filter, CancellationToken ct)
    {
        var plan = PlanOf(filter.From.ToUnixTimeMilliseconds(), filter.To.ToUnixTimeMilliseconds());
        var sums = new Dictionary<(string, string, string?, string?, string?), Sums>();
        var hours = HoursOf([plan]);
        async Task ReadAsync(string sql, bool hourly)
        {
            await using var cmd = Command(connection, sql, filter, plan.FromDay, plan.ToDay, hours, byDay: false);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var key = (reader.GetString(0), reader.GetString(1), AnalyticsReaders.NullableString(reader, 2), AnalyticsReaders.NullableString(reader, 3),
                    AnalyticsReaders.NullableString(reader, 4));
                Of(sums, key).Add(reader.GetInt64(5), hourly, MetricTotals.Zero with { Interactions = reader.GetInt64(6) }, byDay: false);
            }
        }

        var channels = filter.ChannelType is not null || filter.Direction is not null;
        (string Days, string Hours)[] statements = channels
            ? [(SqliteAnalyticsSql.MixDays, SqliteAnalyticsSql.MixHours)]
            : [(SqliteAnalyticsSql.ChannelMixDays, SqliteAnalyticsSql.ChannelMixHours), (SqliteAnalyticsSql.DispositionMixDays, SqliteAnalyticsSql.DispositionMixHours)];
        foreach (var (days, hourly) in statements)
        {
            if (plan.HasDays)
            {
                await ReadAsync(days, hourly: false);
            }

            if (plan.Edges.Count > 0)
            {
                await ReadAsync(hourly, hourly: true);
            }
        }

        return MixCount.Marginals(sums.Select(kv => (kv.Key.Item1, kv.Key.Item2, kv.Key.Item3, kv.Key.Item4, kv.Key.Item5, kv.Value.Total(plan).Interactions)));
    }

    /// <summary>Calibration sums of the period from the calibration rollups (account and queue filters only).</summary>
    public static async Task<CalibrationSums> CalibrationAsync(SqliteConnection connection, AnalyticsFilter filter, int worst, CancellationToken ct)
    {
        var fromMs = filter.From.ToUnixTimeMilliseconds();
        var toMs = filter.To.ToUnixTimeMilliseconds();
        var plan = PlanOf(fromMs, toMs);
        var hours = HoursOf([plan]);
        var scorecards = new Dictionary<string, (ScorecardCalibration Days, Dictionary<long, ScorecardCalibration> Hours)>(StringComparer.Ordinal);
        var evaluators = new Dictionary<string, (EvaluatorCalibration Days, Dictionary<long, EvaluatorCalibration> Hours)>(StringComparer.Ordinal);
        async Task ReadAsync(string sql, Action<SqliteDataReader> read)
        {
            await using var cmd = Command(connection, sql, filter, plan.FromDay, plan.ToDay, hours, byDay: false);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                read(reader);
            }
        }

        static ScorecardCalibration Scorecard(SqliteDataReader r) => new(NullIfEmpty(r.GetString(0)), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetDouble(5), r.GetInt64(6), r.GetDouble(7), r.GetInt64(8));
        static EvaluatorCalibration Evaluator(SqliteDataReader r) => new(NullIfEmpty(r.GetString(0)), r.GetInt64(2), r.GetDouble(3), r.GetInt64(4), r.GetInt64(5), r.GetDouble(6));
        if (plan.HasDays)
        {
            await ReadAsync(SqliteAnalyticsSql.ScorecardDays, r => scorecards[r.GetString(0)] = (Scorecard(r), []));
            await ReadAsync(SqliteAnalyticsSql.EvaluatorDays, r => evaluators[r.GetString(0)] = (Evaluator(r), []));
        }

        if (plan.Edges.Count > 0)
        {
            await ReadAsync(SqliteAnalyticsSql.ScorecardHours, r => Of(scorecards, r.GetString(0), () => new ScorecardCalibration(NullIfEmpty(r.GetString(0)), 0, 0, 0, 0, 0, 0, 0)).Hours[r.GetInt64(1)] = Scorecard(r));
            await ReadAsync(SqliteAnalyticsSql.EvaluatorHours, r => Of(evaluators, r.GetString(0), () => new EvaluatorCalibration(NullIfEmpty(r.GetString(0)), 0, 0, 0, 0, 0)).Hours[r.GetInt64(1)] = Evaluator(r));
        }

        var scorecardSums = scorecards.Values.Select(v => plan.Combine(v.Days, h => v.Hours.GetValueOrDefault(h), (a, b, sign) => a.Add(b, sign)))
            .Where(s => s.Groups > 0).OrderBy(s => s.ScorecardName, Utf8Order.Instance).ToList();
        var evaluatorSums = evaluators.Values.Select(v => plan.Combine(v.Days, h => v.Hours.GetValueOrDefault(h), (a, b, sign) => a.Add(b, sign)))
            .Where(e => e.Evaluations > 0).OrderBy(e => e.EvaluatorUserId, Utf8Order.Instance).ToList();

        var widest = new List<CalibrationGroup>();
        await using (var groups = SqliteQmStore.Command(connection, null, SqliteAnalyticsSql.WidestGroups))
        {
            SqliteQmStore.Bind(groups, "$from_hour", fromMs / AnalyticsDefinitions.RollupBucketMs);
            SqliteQmStore.Bind(groups, "$to_hour", toMs / AnalyticsDefinitions.RollupBucketMs);
            SqliteQmStore.Bind(groups, "$account_id", filter.AccountId);
            SqliteQmStore.Bind(groups, "$queue_id", filter.QueueId);
            SqliteQmStore.Bind(groups, "$limit", worst);
            await using var reader = await groups.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                widest.Add(new CalibrationGroup(reader.GetString(0), reader.GetString(1), NullIfEmpty(reader.GetString(2)), reader.GetDouble(3), []));
            }
        }

        await using var members = SqliteQmStore.Command(connection, null, SqliteAnalyticsSql.GroupEvaluations);
        for (var i = 0; i < widest.Count; i++)
        {
            var group = widest[i];
            SqliteQmStore.Bind(members, "$account_id", group.AccountId);
            SqliteQmStore.Bind(members, "$interaction_id", group.InteractionId);
            SqliteQmStore.Bind(members, "$scorecard_name", group.ScorecardName ?? "");
            await using var reader = await members.ExecuteReaderAsync(ct);
            var evaluations = new List<EvaluationFact>();
            while (await reader.ReadAsync(ct))
            {
                evaluations.Add(new EvaluationFact(group.AccountId, group.InteractionId, reader.GetString(0), group.ScorecardName, AnalyticsReaders.NullableString(reader, 1),
                    AnalyticsReaders.NullableString(reader, 2), reader.GetDouble(3), "", null));
            }

            widest[i] = group with { Evaluations = evaluations };
        }

        return new CalibrationSums(scorecardSums, evaluatorSums, widest);
    }

    /// <summary>
    /// The agent list: agents in key order after the cursor, read a chunk at a time (the chunk's agents only, by their
    /// keys) until the page is full; agents with nothing in the period under the filters are skipped.
    /// </summary>
    private static async Task<IReadOnlyList<GroupTotals>> AgentTotalsAsync(
        SqliteConnection connection, AnalyticsFilter filter, RollupPlan plan, KeyRange keys, int limit, CancellationToken ct)
    {
        var pairs = await PairsAsync(connection, filter, ct);
        var groups = pairs.Select((p, i) => (Pair: p, Index: i))
            .GroupBy(p => (p.Pair.AccountId, p.Pair.Key))
            .Where(g => InRange(new GroupKey(g.Key.AccountId, g.Key.Key, null), keys))
            .OrderBy(g => g.Key.AccountId, Utf8Order.Instance).ThenBy(g => g.Key.Key, Utf8Order.Instance)
            .ToList();
        var results = new List<GroupTotals>();
        var next = 0;
        while (next < groups.Count && (limit <= 0 || results.Count < limit))
        {
            var needed = limit - results.Count + 1;
            var take = limit <= 0 ? groups.Count - next : Math.Min(groups.Count - next, Math.Max(MinimumChunk, needed + (needed / 4)));
            var chunk = groups.GetRange(next, take);
            next += take;
            var chunkPairs = chunk.SelectMany(g => g).ToList();
            var sums = new Sums[chunkPairs.Count];
            for (var i = 0; i < sums.Length; i++)
            {
                sums[i] = new Sums();
            }

            foreach (var (pair, _, t, hourly, totals) in await ReadAgentRowsAsync(connection, [.. chunkPairs.Select(p => p.Pair)], filter, [plan], byDay: false, ct))
            {
                sums[pair].Add(t, hourly, totals, byDay: false);
            }

            var totalsByPair = chunkPairs.Select((p, i) => (p.Index, Totals: sums[i].Total(plan))).ToDictionary(p => p.Index, p => p.Totals);
            foreach (var group in chunk)
            {
                var total = group.Aggregate(MetricTotals.Zero, (sum, p) => sum.Add(totalsByPair[p.Index]));
                if (total.CountsAnything)
                {
                    var name = group.Where(p => p.Pair.Name.Length > 0 && totalsByPair[p.Index].CountsAnything).Select(p => p.Pair.Name)
                        .Order(Utf8Order.Instance).FirstOrDefault();
                    results.Add(new GroupTotals(new GroupKey(group.Key.AccountId, group.Key.Key, name), total));
                }
            }
        }

        return limit > 0 && results.Count > limit ? results.GetRange(0, limit) : results;
    }

    /// <summary>The agents (name, user id) the rollups hold under the account and agent filters, with the id each resolves to.</summary>
    private static async Task<List<AgentPair>> PairsAsync(SqliteConnection connection, AnalyticsFilter filter, CancellationToken ct)
    {
        await using var cmd = SqliteQmStore.Command(connection, null, SqliteAnalyticsSql.AgentPairs);
        SqliteQmStore.Bind(cmd, "$account_id", filter.AccountId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var pairs = new List<AgentPair>();
        while (await reader.ReadAsync(ct))
        {
            var pair = new AgentPair(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3));
            // As the GROUP BY matches: the resolved id, or the name.
            if (filter.Agent is null || pair.Key == filter.Agent || pair.Name == filter.Agent)
            {
                pairs.Add(pair);
            }
        }

        return pairs;
    }

    /// <summary>
    /// The given agents' rows; by queue when <paramref name="byQueue"/> (else the queue is '' unless a queue, channel or
    /// direction filter needs the rollup that keeps them).
    /// </summary>
    private static async Task<List<(int Pair, string Queue, long T, bool Hourly, MetricTotals Totals)>> ReadAgentRowsAsync(
        SqliteConnection connection, IReadOnlyList<AgentPair> pairs, AnalyticsFilter filter, IReadOnlyList<RollupPlan> plans, bool byDay, CancellationToken ct, bool byQueue = false)
    {
        var queues = byQueue || filter.QueueId is not null || filter.ChannelType is not null || filter.Direction is not null;
        var rows = new List<(int, string, long, bool, MetricTotals)>();
        if (pairs.Count == 0)
        {
            return rows;
        }

        var json = JsonSerializer.Serialize(pairs.Select(p => new[] { p.AccountId, p.Name, p.UserId }).ToArray(), SqliteJson.Default.StringArrayArray);
        await ReadRowsAsync(connection, SqliteAnalyticsSql.AgentDays(queues), SqliteAnalyticsSql.AgentHours, filter, plans, byDay, cmd => SqliteQmStore.Bind(cmd, "$pairs", json),
            r => rows.Add(((int)r.GetInt64(0), r.GetString(1), r.GetInt64(2), false, AnalyticsReaders.Totals(r, 3))),
            r => rows.Add(((int)r.GetInt64(0), r.GetString(1), r.GetInt64(2), true, AnalyticsReaders.Totals(r, 3))), ct);
        return rows;
    }

    private static async Task<List<(string Account, string Queue, long T, bool Hourly, MetricTotals Totals)>> ReadQueueRowsAsync(
        SqliteConnection connection, AnalyticsFilter filter, IReadOnlyList<RollupPlan> plans, bool byDay, CancellationToken ct)
    {
        var rows = new List<(string, string, long, bool, MetricTotals)>();
        // Without channel and direction filters the rollups without those dimensions answer: a row per queue and day.
        var channels = filter.ChannelType is not null || filter.Direction is not null;
        await ReadRowsAsync(connection, SqliteAnalyticsSql.QueueDays(channels), SqliteAnalyticsSql.QueueHours(channels), filter, plans, byDay, _ => { },
            r => rows.Add((r.GetString(0), r.GetString(1), r.GetInt64(2), false, AnalyticsReaders.Totals(r, 3))),
            r => rows.Add((r.GetString(0), r.GetString(1), r.GetInt64(2), true, AnalyticsReaders.Totals(r, 3))), ct);
        return rows;
    }

    /// <summary>Runs the daily statement over the plans' days and the hourly one over their edge hours, each only when the plans need it.</summary>
    private static async Task ReadRowsAsync(
        SqliteConnection connection, string daysSql, string hoursSql, AnalyticsFilter filter, IReadOnlyList<RollupPlan> plans, bool byDay,
        Action<SqliteCommand> bind, Action<SqliteDataReader> day, Action<SqliteDataReader> hour, CancellationToken ct)
    {
        var withDays = plans.Where(p => p.HasDays).ToList();
        var fromDay = withDays.Count > 0 ? withDays.Min(p => p.FromDay) : 0;
        var toDay = withDays.Count > 0 ? withDays.Max(p => p.ToDay) : 0;
        var hours = HoursOf(plans);
        var withHours = plans.Any(p => p.Edges.Any(e => e.ToHour > e.FromHour));
        foreach (var (sql, read, needed) in new[] { (daysSql, day, withDays.Count > 0), (hoursSql, hour, withHours) })
        {
            if (!needed)
            {
                continue;
            }

            await using var cmd = Command(connection, sql, filter, fromDay, toDay, hours, byDay);
            bind(cmd);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                read(reader);
            }
        }
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, AnalyticsFilter filter, long fromDay, long toDay, string hours, bool byDay)
    {
        var cmd = SqliteQmStore.Command(connection, null, sql);
        SqliteQmStore.Bind(cmd, "$from_day", fromDay);
        SqliteQmStore.Bind(cmd, "$to_day", toDay);
        SqliteQmStore.Bind(cmd, "$hours", hours);
        SqliteQmStore.Bind(cmd, "$by_day", byDay);
        SqliteQmStore.Bind(cmd, "$account_id", filter.AccountId);
        SqliteQmStore.Bind(cmd, "$queue_id", filter.QueueId);
        SqliteQmStore.Bind(cmd, "$channel_type", filter.ChannelType);
        SqliteQmStore.Bind(cmd, "$direction", filter.Direction);
        return cmd;
    }

    /// <summary>Every hour an edge of the plans covers, as a JSON array.</summary>
    private static string HoursOf(IEnumerable<RollupPlan> plans) =>
        "[" + string.Join(",", plans.SelectMany(p => p.Edges).SelectMany(e => Range(e.FromHour, e.ToHour)).Distinct().Order()) + "]";

    private static IEnumerable<long> Range(long from, long to)
    {
        for (var h = from; h < to; h++)
        {
            yield return h;
        }
    }

    private static RollupPlan PlanOf(long fromMs, long toMs) =>
        RollupPlan.For(fromMs / AnalyticsDefinitions.RollupBucketMs, toMs / AnalyticsDefinitions.RollupBucketMs);

    private static async Task<Dictionary<(string Account, string Queue), string>> QueueNamesAsync(SqliteConnection connection, CancellationToken ct)
    {
        await using var cmd = SqliteQmStore.Command(connection, null, SqliteAnalyticsSql.QueueNames);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var names = new Dictionary<(string, string), string>();
        while (await reader.ReadAsync(ct))
        {
            names[(reader.GetString(0), reader.GetString(1))] = reader.GetString(2);
        }

        return names;
    }

    private static bool InRange(GroupKey key, KeyRange keys)
    {
        static int Compare(GroupKey a, GroupKey b)
        {
            var account = Utf8Order.Instance.Compare(a.AccountId, b.AccountId);
            return account != 0 ? account : Utf8Order.Instance.Compare(a.Id, b.Id);
        }

        return (keys.After is null || Compare(key, keys.After) > 0) && (keys.Through is null || Compare(key, keys.Through) <= 0);
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private static (T Days, Dictionary<long, T> Hours) Of<T>(Dictionary<string, (T Days, Dictionary<long, T> Hours)> map, string key, Func<T> zero)
    {
        if (!map.TryGetValue(key, out var value))
        {
            value = (zero(), []);
            map[key] = value;
        }

        return value;
    }

    private static TValue Of<TKey, TValue>(Dictionary<TKey, TValue> map, TKey key)
        where TKey : notnull
        where TValue : new()
    {
        if (!map.TryGetValue(key, out var value))
        {
            value = new TValue();
            map[key] = value;
        }

        return value;
    }

    /// <summary>An agent key of the rollups and the id it resolves to.</summary>
    private sealed record AgentPair(string AccountId, string Name, string UserId, string Key);

    /// <summary>What the statements read for one group: its days (summed, or by day) and its edge hours.</summary>
    private sealed class Sums
    {
        private readonly Dictionary<long, MetricTotals> _days = [];
        private readonly Dictionary<long, MetricTotals> _hours = [];
        private bool _daysSummed;

        public void Add(long t, bool hourly, MetricTotals totals, bool byDay)
        {
            var map = hourly ? _hours : _days;
            var key = hourly || byDay ? t : 0;
            _daysSummed |= !hourly && !byDay;
            map[key] = map.TryGetValue(key, out var sum) ? sum.Add(totals) : totals;
        }

        /// <summary>The group's sum over <paramref name="plan"/>: its days read as one sum (one plan) or day by day (a series' plans).</summary>
        public MetricTotals Total(RollupPlan plan)
        {
            var days = MetricTotals.Zero;
            if (plan.HasDays)
            {
                if (_daysSummed)
                {
                    days = _days.GetValueOrDefault(0, MetricTotals.Zero);
                }
                else
                {
                    foreach (var (day, totals) in _days)
                    {
                        if (day >= plan.FromDay && day < plan.ToDay)
                        {
                            days = days.Add(totals);
                        }
                    }
                }
            }

            return plan.Combine(days, h => _hours.GetValueOrDefault(h, MetricTotals.Zero));
        }
    }
}
