using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using QmHub.Storage.Analytics;

namespace QmHub.Storage.Sqlite;

/// <summary>
/// Keeps the analytics rollups in step with the projections, inside the projection's transaction. The rollup
/// unit is an interaction with its evaluations (or an evaluation that names no interaction): around a projection
/// upsert the unit's facts are read before and after, and the difference is the unit's delta. So a new version
/// moves its contribution (across hours, days, queues, agents), an evaluation follows its interaction, and an older
/// version arriving late changes nothing. A transaction's deltas are summed per rollup row in memory and added once,
/// before it commits (<see cref="FlushAsync"/>): a batch of deliveries for one queue touches its queue rows once,
/// not once per delivery.
/// </summary>
internal static class SqliteRollups
{
    private static readonly ConditionalWeakTable<SqliteConnection, Statements> Prepared = [];

    /// <summary>Runs <paramref name="upsert"/> (a bound projection upsert) in <paramref name="tx"/> and records the rollup delta it causes.</summary>
    /// <param name="tx">The writer's open transaction.</param>
    /// <param name="upsert">The bound interaction or evaluation upsert.</param>
    /// <param name="accountId">The account.</param>
    /// <param name="interactionId">The interaction the upserted row names.</param>
    /// <param name="evaluationId">The evaluation's id, when <paramref name="upsert"/> is an evaluation upsert.</param>
    public static void Upsert(SqliteTransaction tx, SqliteRawStatement upsert, string accountId, string? interactionId, string? evaluationId)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(upsert);
        var connection = tx.Connection ?? throw new InvalidOperationException("The transaction has completed.");
        var s = Prepared.GetValue(connection, c => new Statements(c));
        s.Enlist(tx);
        var units = new List<string?>(2) { interactionId };
        if (evaluationId is not null)
        {
            // An evaluation may move to another interaction: both units change.
            var current = s.Current;
            current.Bind(0, accountId);
            current.Bind(1, evaluationId);
            try
            {
                if (current.Read() && current.Text(0) is var before && before != interactionId)
                {
                    units.Add(before);
                }
            }
            finally
            {
                current.Reset();
            }
        }

        foreach (var unit in units)
        {
            s.AddFacts(accountId, unit, evaluationId, subtract: true);
        }

        upsert.Execute();
        foreach (var unit in units)
        {
            s.AddFacts(accountId, unit, evaluationId, subtract: false);
            // Identities come from evaluations only; a queue's name from interactions only.
            Statements.BindUnit(evaluationId is null ? s.Queue : s.Identities, accountId, unit, evaluationId).Execute();
        }
    }

    /// <summary>Adds the deltas <paramref name="tx"/> has recorded to the rollups; call before it commits.</summary>
    public static Task FlushAsync(SqliteConnection connection, SqliteTransaction tx, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (Prepared.TryGetValue(connection, out var s))
        {
            s.Enlist(tx);
            s.Flush();
        }

        return Task.CompletedTask;
    }

    /// <summary>The migration that creates the hourly rollup.</summary>
    public const int HourlyMigration = 2;

    /// <summary>The migration that creates the daily, queue and mix rollups.</summary>
    public const int DailyMigration = 3;

    /// <summary>The migration that creates the calibration rollups.</summary>
    public const int CalibrationMigration = 5;

    /// <summary>Builds the rollups that migrations just created from what the database already holds, in the migration's transaction.</summary>
    public static async Task BuildAfterMigrationAsync(IReadOnlyList<int> applied, SqliteConnection connection, SqliteTransaction tx, CancellationToken ct)
    {
        if (applied.Contains(HourlyMigration))
        {
            await RebuildAsync(connection, tx, ct);
            return;
        }

        if (applied.Contains(DailyMigration))
        {
            await using var cmd = SqliteQmStore.Command(connection, tx, SqliteAnalyticsSql.DeriveRollups);
            cmd.CommandTimeout = 0;
            await cmd.ExecuteNonQueryAsync(ct);
        }

        if (applied.Contains(CalibrationMigration))
        {
            await BuildCalibrationAsync(connection, tx, ct);
        }
    }

    /// <summary>Rebuilds every rollup from the projections in one pass (SQL for the sums, the calibration sums unit by unit).</summary>
    public static async Task RebuildAsync(SqliteConnection connection, SqliteTransaction tx, CancellationToken ct)
    {
        await using (var cmd = SqliteQmStore.Command(connection, tx, SqliteAnalyticsSql.RebuildRollups))
        {
            SqliteQmStore.Bind(cmd, "$sentiment_target", AnalyticsDefinitions.DefaultSentimentTarget);
            cmd.CommandTimeout = 0;
            await cmd.ExecuteNonQueryAsync(ct);
        }

        await BuildCalibrationAsync(connection, tx, ct);
    }

    /// <summary>The calibration rollups from every evaluation, unit by unit, as ingest keeps them; added every 20,000 units.</summary>
    private static async Task BuildCalibrationAsync(SqliteConnection connection, SqliteTransaction tx, CancellationToken ct)
    {
        const int UnitsPerFlush = 20_000;
        await using (var scores = SqliteQmStore.Command(connection, tx, SqliteAnalyticsSql.ScoreAll))
        {
            scores.CommandTimeout = 0;
            await scores.ExecuteNonQueryAsync(ct);
        }

        var s = Prepared.GetValue(connection, c => new Statements(c));
        s.Enlist(tx);
        using var all = new SqliteRawStatement(connection, SqliteAnalyticsSql.AllUnitEvaluations, []);
        var unit = new List<(long Hour, string Queue, EvaluationFact Fact, long LastEventTs)>();
        var units = 0;
        void EndUnit()
        {
            if (unit.Count > 0)
            {
                s.AddCalibration(unit[0].Fact.AccountId, unit[0].Fact.InteractionId, unit, subtract: false);
                unit = [];
                if (++units % UnitsPerFlush == 0)
                {
                    s.Flush();
                }
            }
        }

        try
        {
            while (all.Read())
            {
                ct.ThrowIfCancellationRequested();
                var row = ReadUnitEvaluation(all);
                // Evaluations that name no interaction are units of their own.
                if (unit.Count > 0 && (row.Fact.InteractionId is null || row.Fact.AccountId != unit[0].Fact.AccountId || row.Fact.InteractionId != unit[0].Fact.InteractionId))
                {
                    EndUnit();
                }

                unit.Add(row);
            }
        }
        finally
        {
            all.Reset();
        }

        EndUnit();
        s.Flush();
    }

    /// <summary>Empties the rollups, in the transaction that empties the projections.</summary>
    public static async Task ClearAsync(SqliteConnection connection, SqliteTransaction tx, CancellationToken ct)
    {
        if (Prepared.TryGetValue(connection, out var s))
        {
            s.Enlist(tx);
        }

        await using var cmd = SqliteQmStore.Command(connection, tx, SqliteAnalyticsSql.ClearRollups);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>A fact row's key: the finest grain, from which every rollup's key is taken.</summary>
    private readonly record struct FactKey(long Hour, string AccountId, string AgentName, string AgentUserId, string QueueId, string ChannelType, string Direction, string Disposition)
    {
        public object Value(string column) => column switch
        {
            "hour" => Hour,
            "day" => Day(Hour),
            "account_id" => AccountId,
            "agent_name" => AgentName,
            "agent_user_id" => AgentUserId,
            "queue_id" => QueueId,
            "channel_type" => ChannelType,
            "direction" => Direction,
            "disposition" => Disposition,
            _ => throw new ArgumentOutOfRangeException(nameof(column), column, "not a rollup key column"),
        };

        /// <summary>This key with every column a rollup of <paramref name="shape"/> does not keep emptied, so equal rollup rows get equal keys.</summary>
        public FactKey For(KeyShape shape) => new(
            // A daily rollup's rows are keyed by the first hour of their day (Value("day") divides it again).
            shape.Day ? Day(Hour) * RollupPlan.HoursPerDay : shape.Hour ? Hour : 0,
            AccountId,
            shape.AgentName ? AgentName : "",
            shape.AgentUserId ? AgentUserId : "",
            QueueId,
            shape.ChannelType ? ChannelType : "",
            shape.Direction ? Direction : "",
            shape.Disposition ? Disposition : "");
    }

    /// <summary>Which of the fact key's optional columns a rollup keeps (account and queue it always keeps), worked out once per rollup.</summary>
    private readonly record struct KeyShape(bool Day, bool Hour, bool AgentName, bool AgentUserId, bool ChannelType, bool Direction, bool Disposition)
    {
        public static KeyShape Of(string[] keys) => new(keys.Contains("day"), keys.Contains("hour"), keys.Contains("agent_name"), keys.Contains("agent_user_id"),
            keys.Contains("channel_type"), keys.Contains("direction"), keys.Contains("disposition"));
    }

    /// <summary>One rollup table with its prepared statements: its key columns, its sums, and the counts that all zero mean an empty row.</summary>
    private sealed class Rollup(SqliteConnection connection, string table, string[] keys, string[] sums, string[] counts) : IDisposable
    {
        private readonly SqliteRawStatement _add = new(connection, SqliteAnalyticsSql.AddDelta(table, keys, sums), [.. keys.Concat(sums).Select(c => "$" + c)]);
        private readonly SqliteRawStatement _prune = new(connection, SqliteAnalyticsSql.PruneRow(table, keys, counts), [.. keys.Select(c => "$" + c)]);

        public string[] Keys { get; } = keys;

        public KeyShape Shape { get; } = KeyShape.Of(keys);

        /// <summary>Adds the sums <paramref name="values"/> to the row of <paramref name="key"/>; drops the row when <paramref name="shrinks"/> and it is left counting nothing.</summary>
        public void Apply(Func<string, object> key, object[] values, bool shrinks)
        {
            for (var i = 0; i < Keys.Length; i++)
            {
                var value = key(Keys[i]);
                _add.Bind(i, value);
                _prune.Bind(i, value);
            }

            for (var i = 0; i < values.Length; i++)
            {
                _add.Bind(Keys.Length + i, values[i]);
            }

            _add.Execute();
            if (shrinks)
            {
                _prune.Execute();
            }
        }

        public void Dispose()
        {
            _add.Dispose();
            _prune.Dispose();
        }
    }

    /// <summary>The sums of <see cref="MetricTotals"/> in column order.</summary>
    private static object[] Values(MetricTotals t) =>
    [
        t.Interactions, t.HandleSSum, t.HandleN, t.SentimentSum, t.SentimentN, t.BelowTargetN, t.EngagementSum, t.EngagementN,
        t.SilenceSum, t.SilenceN, t.HoldSum, t.HoldN, t.CrosstalkSum, t.CrosstalkN, t.Evaluations, t.EvaluationsManual,
        t.EvaluationsAutomated, t.RatioSum, t.RatioN, t.EvaluatedInteractions,
    ];

    /// <summary>A calibration rollup row's key: hour (or first hour of the day), account, queue, scorecard or evaluator.</summary>
    private readonly record struct CalibrationKey(long Hour, string AccountId, string QueueId, string Name)
    {
        public CalibrationKey Daily => this with { Hour = Day(Hour) * RollupPlan.HoursPerDay };

        public object Value(string column) => column switch
        {
            "hour" => Hour,
            "day" => Day(Hour),
            "account_id" => AccountId,
            "queue_id" => QueueId,
            "scorecard_name" or "evaluator_user_id" => Name,
            _ => throw new ArgumentOutOfRangeException(nameof(column), column, "not a calibration key column"),
        };
    }

    /// <summary>One calibrated group of a unit as calibration_groups keeps it.</summary>
    private sealed record GroupRow(string ScorecardName, long Hour, string QueueId, double Spread);

    private static long Day(long hour) => Math.DivRem(hour, RollupPlan.HoursPerDay, out var into) - (into < 0 ? 1 : 0);

    /// <summary>Prepared once per writer connection, with the deltas of its current transaction; the connection disposes the commands when it closes.</summary>
    private sealed class Statements
    {
        private static readonly string[] MetricCounts = ["interactions", "evaluations"];
        private static readonly string[] MixSums = ["interactions"];

        private readonly Dictionary<FactKey, MetricTotals> _pending = [];
        private readonly Dictionary<CalibrationKey, ScorecardCalibration> _scorecards = [];
        private readonly Dictionary<CalibrationKey, EvaluatorCalibration> _evaluators = [];
        private readonly Dictionary<(string Account, string Interaction), List<GroupRow>> _groups = [];
        private readonly Dictionary<(string Account, string Evaluation), long?> _orphans = [];
        private readonly HashSet<(string Account, string Interaction)> _scored = [];
        private SqliteTransaction? _pendingTx;

        public Statements(SqliteConnection connection)
        {
            Current = new(connection, SqliteAnalyticsSql.CurrentInteractionOfEvaluation, ["$account_id", "$evaluation_id"]);
            Facts = Unit(connection, SqliteAnalyticsSql.UnitRollupFacts);
            Evaluations = Unit(connection, SqliteAnalyticsSql.UnitEvaluations);
            Identities = Unit(connection, SqliteAnalyticsSql.RecordUnitIdentities);
            Queue = Unit(connection, SqliteAnalyticsSql.RecordUnitQueue);
            DeleteGroups = new(connection, SqliteAnalyticsSql.DeleteUnitGroups, ["$account_id", "$interaction_id"]);
            InsertGroup = new(connection, SqliteAnalyticsSql.InsertGroup, ["$account_id", "$interaction_id", "$scorecard_name", "$hour", "$queue_id", "$spread"]);
            RecordOrphan = new(connection, SqliteAnalyticsSql.RecordOrphan, ["$account_id", "$evaluation_id", "$last_event_ts"]);
            ForgetScore = new(connection, SqliteAnalyticsSql.ForgetScore, ["$account_id", "$interaction_id"]);
            ScoreUnit = new(connection, SqliteAnalyticsSql.ScoreUnit, ["$account_id", "$interaction_id"]);
            ForgetOrphan = new(connection, SqliteAnalyticsSql.ForgetOrphan, ["$account_id", "$evaluation_id"]);
            Rollups =
            [
                .. SqliteAnalyticsSql.RollupTables.Select(t => (
                    new Rollup(connection, t.Table, t.Keys, t.MixOnly ? MixSums : SqliteAnalyticsSql.SumNames, t.MixOnly ? MixSums : MetricCounts), t.MixOnly)),
            ];
            ScorecardHourly = new(connection, "calibration_scorecard_hourly", ["hour", "account_id", "queue_id", "scorecard_name"], SqliteAnalyticsSql.ScorecardSums, ["groups", "evaluations"]);
            ScorecardDaily = new(connection, "calibration_scorecard_daily", ["day", "account_id", "queue_id", "scorecard_name"], SqliteAnalyticsSql.ScorecardSums, ["groups", "evaluations"]);
            EvaluatorHourly = new(connection, "calibration_evaluator_hourly", ["hour", "account_id", "queue_id", "evaluator_user_id"], SqliteAnalyticsSql.EvaluatorSums, ["evaluations"]);
            EvaluatorDaily = new(connection, "calibration_evaluator_daily", ["day", "account_id", "queue_id", "evaluator_user_id"], SqliteAnalyticsSql.EvaluatorSums, ["evaluations"]);
            // The statements SQLite's API prepared are finalized with the connection (the commands are disposed by it).
            connection.StateChange += (_, e) =>
            {
                if (e.CurrentState == System.Data.ConnectionState.Closed)
                {
                    Current.Dispose();
                    Facts.Dispose();
                    Evaluations.Dispose();
                    Identities.Dispose();
                    Queue.Dispose();
                    DeleteGroups.Dispose();
                    InsertGroup.Dispose();
                    RecordOrphan.Dispose();
                    ForgetScore.Dispose();
                    ScoreUnit.Dispose();
                    ForgetOrphan.Dispose();
                    foreach (var rollup in (Rollup[])[.. Rollups.Select(r => r.Rollup), ScorecardHourly, ScorecardDaily, EvaluatorHourly, EvaluatorDaily])
                    {
                        rollup.Dispose();
                    }
                }
            };
        }

        public SqliteRawStatement Current { get; }

        public SqliteRawStatement Facts { get; }

        public SqliteRawStatement Evaluations { get; }

        public SqliteRawStatement Identities { get; }

        public SqliteRawStatement Queue { get; }

        public SqliteRawStatement DeleteGroups { get; }

        public SqliteRawStatement InsertGroup { get; }

        public SqliteRawStatement RecordOrphan { get; }

        public SqliteRawStatement ForgetScore { get; }

        public SqliteRawStatement ScoreUnit { get; }

        public SqliteRawStatement ForgetOrphan { get; }

        /// <summary>The rollups of <see cref="MetricTotals"/>, with whether each keeps interactions only.</summary>
        public (Rollup Rollup, bool MixOnly)[] Rollups { get; }

        public Rollup ScorecardHourly { get; }

        public Rollup ScorecardDaily { get; }

        public Rollup EvaluatorHourly { get; }

        public Rollup EvaluatorDaily { get; }

        /// <summary>Enlists every statement in <paramref name="tx"/>; deltas left from another transaction (one that failed) are dropped.</summary>
        public void Enlist(SqliteTransaction tx)
        {
            if (!ReferenceEquals(tx, _pendingTx))
            {
                _pending.Clear();
                _scorecards.Clear();
                _evaluators.Clear();
                _groups.Clear();
                _orphans.Clear();
                _scored.Clear();
                _pendingTx = tx;
            }
        }

        /// <summary>Adds the unit's facts and calibration sums as they are now (or subtracts them) to the transaction's deltas.</summary>
        public void AddFacts(string accountId, string? interactionId, string? evaluationId, bool subtract)
        {
            var facts = BindUnit(Facts, accountId, interactionId, evaluationId);
            long evaluationCount = 0;
            try
            {
                while (facts.Read())
                {
                    var key = new FactKey(facts.Int64(0), facts.String(1), facts.String(2), facts.String(3), facts.String(4),
                        facts.String(5), facts.String(6), facts.String(7));
                    var totals = AnalyticsReaders.Totals(facts.Int64, facts.Double, 8);
                    evaluationCount += totals.Evaluations;
                    var delta = subtract ? totals.Negate() : totals;
                    _pending[key] = _pending.TryGetValue(key, out var sum) ? sum.Add(delta) : delta;
                }
            }
            finally
            {
                facts.Reset();
            }

            // An interaction with evaluations (before or after the change) gets its search score recomputed at the flush.
            if (evaluationCount > 0 && interactionId is not null)
            {
                _scored.Add((accountId, interactionId));
            }

            // Most units are an interaction without evaluations yet: their facts say so, and calibration has nothing to read.
            var evaluations = new List<(long Hour, string Queue, EvaluationFact Fact, long LastEventTs)>();
            if (evaluationCount > 0)
            {
                var unit = BindUnit(Evaluations, accountId, interactionId, evaluationId);
                try
                {
                    while (unit.Read())
                    {
                        evaluations.Add(ReadUnitEvaluation(unit));
                    }
                }
                finally
                {
                    unit.Reset();
                }
            }

            AddCalibration(accountId, interactionId, evaluations, subtract);
        }

        /// <summary>Adds (or subtracts) one unit's calibration sums, from its evaluations, to the transaction's deltas; records its groups as they now are.</summary>
        public void AddCalibration(string accountId, string? interactionId, List<(long Hour, string Queue, EvaluationFact Fact, long LastEventTs)> evaluations, bool subtract)
        {
            var sign = subtract ? -1 : 1;
            // Evaluations without a known interaction: recorded as they are after the change, forgotten otherwise.
            foreach (var (_, _, fact, lastEventTs) in evaluations)
            {
                _orphans[(accountId, fact.EvaluationId)] = !subtract && !fact.InteractionKnown ? lastEventTs : null;
            }

            var groups = new List<GroupRow>();
            // An analysed interaction's evaluations share its hour and queue; the others each have their own.
            foreach (var part in evaluations.GroupBy(e => (e.Hour, e.Queue)))
            {
                var sums = CalibrationSums.Of(part.Select(e => e.Fact), int.MaxValue);
                foreach (var scorecard in sums.Scorecards)
                {
                    var key = new CalibrationKey(part.Key.Hour, accountId, part.Key.Queue, scorecard.ScorecardName ?? "");
                    _scorecards[key] = _scorecards.TryGetValue(key, out var sum) ? sum.Add(scorecard, sign) : new ScorecardCalibration(scorecard.ScorecardName, 0, 0, 0, 0, 0, 0, 0).Add(scorecard, sign);
                }

                foreach (var evaluator in sums.Evaluators)
                {
                    var key = new CalibrationKey(part.Key.Hour, accountId, part.Key.Queue, evaluator.EvaluatorUserId ?? "");
                    _evaluators[key] = _evaluators.TryGetValue(key, out var sum) ? sum.Add(evaluator, sign) : new EvaluatorCalibration(evaluator.EvaluatorUserId, 0, 0, 0, 0, 0).Add(evaluator, sign);
                }

                groups.AddRange(sums.Worst.Select(g => new GroupRow(g.ScorecardName ?? "", part.Key.Hour, part.Key.Queue, g.Spread)));
            }

            // The groups a unit had are replaced at the flush by the ones it has after its last change in the transaction;
            // a unit that neither had nor has groups writes nothing.
            if (interactionId is not null)
            {
                var unit = (accountId, interactionId);
                if (subtract && groups.Count > 0)
                {
                    _groups[unit] = [];
                }
                else if (!subtract && (groups.Count > 0 || _groups.ContainsKey(unit)))
                {
                    _groups[unit] = groups;
                }
            }
        }

        /// <summary>Sums the pending deltas per row of each rollup and adds them; rewrites the groups of the units that changed.</summary>
        public void Flush()
        {
            foreach (var (rollup, mixOnly) in Rollups)
            {
                var shape = rollup.Shape;
                ApplyPerRow(_pending, k => k.For(shape), (a, b) => a.Add(b), d => mixOnly ? d.Interactions == 0 : d == MetricTotals.Zero,
                    (key, d) => rollup.Apply(key.Value, mixOnly ? [d.Interactions] : Values(d), d.Interactions < 0 || (!mixOnly && d.Evaluations < 0)));
            }

            FlushCalibration();
            _pending.Clear();
        }

        /// <summary>
        /// Sums <paramref name="deltas"/> per rollup row (<paramref name="row"/> gives a delta's row) and hands every row
        /// whose sum is not <paramref name="empty"/> to <paramref name="apply"/>: a row is written once per transaction.
        /// </summary>
        private static void ApplyPerRow<TKey, TSum>(Dictionary<TKey, TSum> deltas, Func<TKey, TKey> row, Func<TSum, TSum, TSum> add, Func<TSum, bool> empty, Action<TKey, TSum> apply)
            where TKey : notnull
        {
            var rows = new Dictionary<TKey, TSum>();
            foreach (var (key, delta) in deltas)
            {
                var r = row(key);
                rows[r] = rows.TryGetValue(r, out var sum) ? add(sum, delta) : delta;
            }

            foreach (var (key, sum) in rows)
            {
                if (!empty(sum))
                {
                    apply(key, sum);
                }
            }
        }

        private void FlushCalibration()
        {
            foreach (var daily in (ReadOnlySpan<bool>)[false, true])
            {
                var scorecards = daily ? ScorecardDaily : ScorecardHourly;
                ApplyPerRow(_scorecards, k => daily ? k.Daily : k, (a, b) => a.Add(b),
                    d => d.Groups == 0 && d.Evaluations == 0 && d.Pairs == 0 && d.AbsDifferenceSum == 0 && d.ManualMinusAutomatedSum == 0,
                    (key, d) => scorecards.Apply(key.Value, [d.Groups, d.Evaluations, d.Pairs, d.AbsDifferenceSum, d.PairsWithin, d.ManualMinusAutomatedSum, d.ManualAutomatedPairs],
                        d.Groups < 0 || d.Evaluations < 0));
                var evaluators = daily ? EvaluatorDaily : EvaluatorHourly;
                ApplyPerRow(_evaluators, k => daily ? k.Daily : k, (a, b) => a.Add(b),
                    d => d.Evaluations == 0 && d.RatioSum == 0 && d.RatioN == 0 && d.Calibrated == 0 && d.DeviationSum == 0,
                    (key, d) => evaluators.Apply(key.Value, [d.Evaluations, d.RatioSum, d.RatioN, d.Calibrated, d.DeviationSum], d.Evaluations < 0));
            }

            foreach (var ((account, interaction), groups) in _groups)
            {
                DeleteGroups.Bind(0, account);
                DeleteGroups.Bind(1, interaction);
                DeleteGroups.Execute();
                foreach (var group in groups)
                {
                    object[] values = [account, interaction, group.ScorecardName, group.Hour, group.QueueId, group.Spread];
                    for (var i = 0; i < values.Length; i++)
                    {
                        InsertGroup.Bind(i, values[i]);
                    }

                    InsertGroup.Execute();
                }
            }

            foreach (var ((account, evaluation), lastEventTs) in _orphans)
            {
                var statement = lastEventTs is null ? ForgetOrphan : RecordOrphan;
                statement.Bind(0, account);
                statement.Bind(1, evaluation);
                if (lastEventTs is { } ts)
                {
                    statement.Bind(2, ts);
                }

                statement.Execute();
            }

            foreach (var (account, interaction) in _scored)
            {
                foreach (var statement in (ReadOnlySpan<SqliteRawStatement>)[ForgetScore, ScoreUnit])
                {
                    statement.Bind(0, account);
                    statement.Bind(1, interaction);
                    statement.Execute();
                }
            }

            _scorecards.Clear();
            _evaluators.Clear();
            _groups.Clear();
            _orphans.Clear();
            _scored.Clear();
        }

        /// <summary>Binds a unit statement's parameters (those it has) and returns it.</summary>
        public static SqliteRawStatement BindUnit(SqliteRawStatement statement, string accountId, string? interactionId, string? evaluationId)
        {
            statement.Bind(0, accountId);
            statement.Bind(1, interactionId);
            statement.Bind(2, evaluationId);
            statement.Bind(3, AnalyticsDefinitions.DefaultSentimentTarget);
            return statement;
        }

        /// <summary>A statement about one rollup unit, bound by <see cref="BindUnit"/>.</summary>
        private static SqliteRawStatement Unit(SqliteConnection connection, string sql) =>
            new(connection, sql, ["$account_id", "$interaction_id", "$evaluation_id", "$sentiment_target"], unused: true);
    }

    /// <summary>A row of <see cref="SqliteAnalyticsSql.UnitEvaluations"/>: hour, queue, and the evaluation as calibration reads it.</summary>
    private static (long Hour, string Queue, EvaluationFact Fact, long LastEventTs) ReadUnitEvaluation(SqliteRawStatement r) => (r.Int64(7), r.String(8), new EvaluationFact(
        r.String(0), r.Text(1), r.String(2), r.Text(3), r.Text(4), r.Text(5), r.IsNull(6) ? null : r.Double(6), "", null, InteractionKnown: r.Int64(9) != 0), r.Int64(10));
}
