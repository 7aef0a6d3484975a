using System.Data.Common;
using Npgsql;
using NpgsqlTypes;
using QmHub.Storage.Analytics;

namespace QmHub.Storage.Postgres;

/// <summary>
/// Keeps the analytics rollups in step with the projections inside the ingest transaction, with the unit
/// semantics of the SQLite engine: the unit is an interaction with its evaluations (or an evaluation that names no
/// interaction); the rollup gains (the unit's facts after the upserts) minus (its facts before them). So a newer
/// version moves its contribution, an evaluation re-pointed to another interaction changes both units, and an
/// older version arriving late changes nothing (its delta is zero).
/// </summary>
/// <remarks>
/// Several replicas write one database at once, so: (1) before reading a unit's facts the transaction holds an
/// advisory lock on the unit (and on each evaluation it upserts, so the interaction an evaluation named before is
/// read once it can no longer change), held until commit: two replicas never both subtract the same state; (2) a
/// batch's deltas are summed per rollup row and added with one <c>INSERT ... ON CONFLICT DO UPDATE SET x = x +
/// delta</c>, rows in key order, so updates to a shared row add up instead of overwriting each other and
/// writers lock rows in one order; (3) reproject holds an exclusive lock that every ingest transaction takes shared.
/// </remarks>
internal sealed class PostgresRollups
{
    private const string UnitSeparator = "\u001f";

    private readonly List<ProjectionRow> _rows;
    private readonly HashSet<(string Account, string Interaction)> _units = [];
    private readonly HashSet<(string Account, string Evaluation)> _evaluations = [];
    private readonly HashSet<string> _locks = new(StringComparer.Ordinal);

    private PostgresRollups(List<ProjectionRow> rows)
    {
        _rows = rows;
        foreach (var row in rows)
        {
            if (row.Table == ProjectionTable.Interactions)
            {
                AddUnit(row.AccountId, row.Id);
            }
            else
            {
                _evaluations.Add((row.AccountId, row.Id));
                _locks.Add(string.Join(UnitSeparator, "evaluation", row.AccountId, row.Id));
                if (InteractionOf(row) is { } interactionId)
                {
                    AddUnit(row.AccountId, interactionId);
                }
            }
        }
    }

    /// <summary>Upserts <paramref name="rows"/> (an accepted batch's projection rows) with rollup maintenance around them.</summary>
    public static async Task ProjectAsync(NpgsqlConnection connection, NpgsqlTransaction tx, List<ProjectionRow> rows, CancellationToken ct)
    {
        var plan = new PostgresRollups(rows);

        // Lock the units and evaluations the batch names, then read where its evaluations point now and the units' facts.
        var held = plan._locks.ToList();
        var known = plan._units.ToList();
        Dictionary<RollupKey, MetricTotals> before;
        await using (var batch = new NpgsqlBatch(connection, tx))
        {
            batch.BatchCommands.Add(Command(PostgresAnalyticsSql.LockUnits, Texts("locks", held)));
            batch.BatchCommands.Add(Command(PostgresAnalyticsSql.CurrentInteractionsOfEvaluations,
                Texts("evaluation_accounts", plan._evaluations.Select(e => e.Account)), Texts("evaluation_ids", plan._evaluations.Select(e => e.Evaluation))));
            batch.BatchCommands.Add(FactsCommand(known, plan._evaluations));
            await using var reader = await batch.ExecuteReaderAsync(ct);
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                if (!reader.IsDBNull(2))
                {
                    plan.AddUnit(reader.GetString(0), reader.GetString(2));
                }
            }

            await reader.NextResultAsync(ct);
            before = await ReadFactsAsync(reader, ct);
        }

        // An evaluation moving away from an interaction changes that unit too: locked after the others (a rare
        // re-pointing; should it deadlock, PostgreSQL says so and the batch runs again), then its facts are added.
        var moved = plan._units.Except(known).ToList();
        if (moved.Count > 0)
        {
            await using var batch = new NpgsqlBatch(connection, tx);
            batch.BatchCommands.Add(Command(PostgresAnalyticsSql.LockUnits, Texts("locks", plan._locks.Except(held, StringComparer.Ordinal))));
            batch.BatchCommands.Add(FactsCommand(moved, []));
            await using var reader = await batch.ExecuteReaderAsync(ct);
            await reader.NextResultAsync(ct);
            foreach (var (key, totals) in await ReadFactsAsync(reader, ct))
            {
                before[key] = before.TryGetValue(key, out var sum) ? sum.Add(totals) : totals;
            }
        }

        Dictionary<RollupKey, MetricTotals> after;
        var named = new List<NamedRow>();
        await using (var batch = new NpgsqlBatch(connection, tx))
        {
            AddUpserts(batch, rows);
            batch.BatchCommands.Add(FactsCommand(plan._units, plan._evaluations));
            await using var reader = await batch.ExecuteReaderAsync(ct);
            await ReadUpsertedAsync(reader, rows.Count, named, ct);
            after = await ReadFactsAsync(reader, ct);
        }

        await using (var batch = new NpgsqlBatch(connection, tx))
        {
            AddDeltas(batch, Deltas(before, after));
            AddNames(batch, named);
            if (batch.BatchCommands.Count > 0)
            {
                await batch.ExecuteNonQueryAsync(ct);
            }
        }
    }

    /// <summary>Adds the upserts of <paramref name="rows"/> in key order, the lock order every writer follows; each answers a result set.</summary>
    public static List<ProjectionRow> AddUpserts(NpgsqlBatch batch, IEnumerable<ProjectionRow> rows)
    {
        var ordered = rows.OrderBy(r => r.Table).ThenBy(r => r.AccountId, StringComparer.Ordinal).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();
        foreach (var row in ordered)
        {
            var cmd = new NpgsqlBatchCommand(row.Table == ProjectionTable.Interactions ? PostgresAnalyticsSql.UpsertInteraction : PostgresAnalyticsSql.UpsertEvaluation);
            PostgresQmStore.Bind(cmd.Parameters, row.Columns);
            batch.BatchCommands.Add(cmd);
        }

        return ordered;
    }

    /// <summary>Reads the result sets of <paramref name="count"/> upserts: the queue or agent of each version that became the projection.</summary>
    public static async Task ReadUpsertedAsync(DbDataReader reader, int count, List<NamedRow> named, CancellationToken ct)
    {
        for (var i = 0; i < count; i++)
        {
            while (await reader.ReadAsync(ct))
            {
                named.Add(new NamedRow(reader.GetString(0), AnalyticsReaders.NullableString(reader, 1), AnalyticsReaders.NullableString(reader, 2), reader.IsDBNull(3) ? null : reader.GetInt64(3)));
            }

            await reader.NextResultAsync(ct);
        }
    }

    /// <summary>Records the agent identities and queue names that the upserted versions show.</summary>
    public static void AddNames(NpgsqlBatch batch, List<NamedRow> named)
    {
        var agents = named.Where(n => n.SeenMs is null).ToList();
        if (agents.Count > 0)
        {
            batch.BatchCommands.Add(Command(PostgresAnalyticsSql.RecordIdentities, Texts("account_id", agents.Select(a => a.AccountId)),
                Texts("agent_name", agents.Select(a => a.Name)), Texts("agent_user_id", agents.Select(a => a.Id))));
        }

        var queues = named.Where(n => n.SeenMs is not null).ToList();
        if (queues.Count > 0)
        {
            batch.BatchCommands.Add(Command(PostgresAnalyticsSql.RecordQueues, Texts("account_id", queues.Select(q => q.AccountId)),
                Texts("queue_id", queues.Select(q => q.Id)), Texts("queue_name", queues.Select(q => q.Name)), Longs("seen_ms", queues.Select(q => q.SeenMs ?? 0))));
        }
    }

    /// <summary>Binds the rollups' sentiment target: the rollups count interactions below the default target.</summary>
    public static NpgsqlParameter SentimentTarget() => new("sentiment_target", NpgsqlDbType.Double) { Value = AnalyticsDefinitions.DefaultSentimentTarget };

    private void AddUnit(string accountId, string interactionId)
    {
        if (_units.Add((accountId, interactionId)))
        {
            _locks.Add(string.Join(UnitSeparator, "interaction", accountId, interactionId));
        }
    }

    /// <summary>
    /// The facts of <paramref name="units"/> (interactions) and <paramref name="evaluations"/> (each a unit of its
    /// own while it names no interaction), summed by rollup key. Disjoint sets of units give sums that add up.
    /// </summary>
    private static NpgsqlBatchCommand FactsCommand(IEnumerable<(string Account, string Interaction)> units, IEnumerable<(string Account, string Evaluation)> evaluations) =>
        Command(PostgresAnalyticsSql.UnitFacts,
            Texts("unit_accounts", units.Select(u => u.Account)), Texts("unit_interactions", units.Select(u => u.Interaction)),
            Texts("orphan_accounts", evaluations.Select(e => e.Account)), Texts("orphan_evaluations", evaluations.Select(e => e.Evaluation)),
            SentimentTarget());

    private static string? InteractionOf(ProjectionRow row) => row.Columns.First(c => c.Name == "interaction_id").Value as string;

    private static async Task<Dictionary<RollupKey, MetricTotals>> ReadFactsAsync(DbDataReader reader, CancellationToken ct)
    {
        var facts = new Dictionary<RollupKey, MetricTotals>();
        while (await reader.ReadAsync(ct))
        {
            facts[new RollupKey(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6))] =
                AnalyticsReaders.Totals(reader, 7);
        }

        return facts;
    }

    /// <summary>After minus before, per rollup row; rows whose sums do not change are left out.</summary>
    private static List<(RollupKey Key, MetricTotals Delta)> Deltas(Dictionary<RollupKey, MetricTotals> before, Dictionary<RollupKey, MetricTotals> after)
    {
        var deltas = new List<(RollupKey, MetricTotals)>();
        foreach (var key in before.Keys.Union(after.Keys))
        {
            var delta = after.GetValueOrDefault(key, MetricTotals.Zero).Add(before.GetValueOrDefault(key, MetricTotals.Zero).Negate());
            if (delta != MetricTotals.Zero)
            {
                deltas.Add((key, delta));
            }
        }

        return deltas;
    }

    private static void AddDeltas(NpgsqlBatch batch, List<(RollupKey Key, MetricTotals Delta)> deltas)
    {
        if (deltas.Count == 0)
        {
            return;
        }

        NpgsqlParameter[] keys =
        [
            Longs("hour", deltas.Select(d => d.Key.Hour)), Texts("account_id", deltas.Select(d => d.Key.AccountId)),
            Texts("agent_name", deltas.Select(d => d.Key.AgentName)), Texts("agent_user_id", deltas.Select(d => d.Key.AgentUserId)),
            Texts("queue_id", deltas.Select(d => d.Key.QueueId)), Texts("channel_type", deltas.Select(d => d.Key.ChannelType)),
            Texts("direction", deltas.Select(d => d.Key.Direction)),
        ];
        var sums = deltas.Select(d => d.Delta).ToList();
        batch.BatchCommands.Add(Command(PostgresAnalyticsSql.AddDeltas, [.. keys.Select(k => k.Clone()),
            Longs("interactions", sums.Select(s => s.Interactions)), Longs("handle_s_sum", sums.Select(s => s.HandleSSum)),
            Longs("handle_n", sums.Select(s => s.HandleN)), Doubles("sentiment_sum", sums.Select(s => s.SentimentSum)),
            Longs("sentiment_n", sums.Select(s => s.SentimentN)), Longs("below_target_n", sums.Select(s => s.BelowTargetN)),
            Doubles("engagement_sum", sums.Select(s => s.EngagementSum)), Longs("engagement_n", sums.Select(s => s.EngagementN)),
            Longs("silence_sum", sums.Select(s => s.SilenceSum)), Longs("silence_n", sums.Select(s => s.SilenceN)),
            Longs("hold_sum", sums.Select(s => s.HoldSum)), Longs("hold_n", sums.Select(s => s.HoldN)),
            Longs("crosstalk_sum", sums.Select(s => s.CrosstalkSum)), Longs("crosstalk_n", sums.Select(s => s.CrosstalkN)),
            Longs("evaluations", sums.Select(s => s.Evaluations)), Longs("evaluations_manual", sums.Select(s => s.EvaluationsManual)),
            Longs("evaluations_automated", sums.Select(s => s.EvaluationsAutomated)), Doubles("ratio_sum", sums.Select(s => s.RatioSum)),
            Longs("ratio_n", sums.Select(s => s.RatioN)), Longs("evaluated_interactions", sums.Select(s => s.EvaluatedInteractions))]));
        batch.BatchCommands.Add(Command(PostgresAnalyticsSql.PruneTouched, keys));
    }

    private static NpgsqlBatchCommand Command(string sql, params IEnumerable<NpgsqlParameter> parameters)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        foreach (var parameter in parameters)
        {
            cmd.Parameters.Add(parameter);
        }

        return cmd;
    }

    private static NpgsqlParameter Texts(string name, IEnumerable<string?> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values.ToArray() };

    private static NpgsqlParameter Longs(string name, IEnumerable<long> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = values.ToArray() };

    private static NpgsqlParameter Doubles(string name, IEnumerable<double> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Double) { Value = values.ToArray() };

    /// <summary>The key of a rollup row.</summary>
    private readonly record struct RollupKey(long Hour, string AccountId, string AgentName, string AgentUserId, string QueueId, string ChannelType, string Direction);

    /// <summary>
    /// What an upsert answered when its version became the projection: a queue (<see cref="SeenMs"/> set: id, name,
    /// start) or an agent (name, user id).
    /// </summary>
    internal sealed record NamedRow(string AccountId, string? Name, string? Id, long? SeenMs);
}
