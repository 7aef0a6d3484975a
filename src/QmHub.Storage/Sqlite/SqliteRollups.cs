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

    /// <summary>Runs <paramref name="upsert"/> (a projection upsert enlisted in its transaction) and records the rollup delta it causes.</summary>
    /// <param name="upsert">The bound interaction or evaluation upsert.</param>
    /// <param name="accountId">The account.</param>
    /// <param name="interactionId">The interaction the upserted row names.</param>
    /// <param name="evaluationId">The evaluation's id, when <paramref name="upsert"/> is an evaluation upsert.</param>
    /// <param name="ct">Cancellation.</param>
    public static async Task UpsertAsync(SqliteCommand upsert, string accountId, string? interactionId, string? evaluationId, CancellationToken ct)
    {
        var connection = upsert.Connection ?? throw new InvalidOperationException("The projection upsert has no connection.");
        var tx = upsert.Transaction ?? throw new InvalidOperationException("Rollups are kept inside the projection's transaction.");
        var s = Prepared.GetValue(connection, c => new Statements(c));
        s.Enlist(tx);
        var units = new List<string?> { interactionId };
        if (evaluationId is not null)
        {
            // An evaluation may move to another interaction: both units change.
            SqliteQmStore.Bind(s.Current, "$account_id", accountId);
            SqliteQmStore.Bind(s.Current, "$evaluation_id", evaluationId);
            await using var reader = await s.Current.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                var before = reader.IsDBNull(0) ? null : reader.GetString(0);
                if (before != interactionId)
                {
                    units.Add(before);
                }
            }
        }

        foreach (var unit in units)
        {
            await s.AddFactsAsync(accountId, unit, evaluationId, subtract: true, ct);
        }

        await upsert.ExecuteNonQueryAsync(ct);
        foreach (var unit in units)
        {
            await s.AddFactsAsync(accountId, unit, evaluationId, subtract: false, ct);
            // Identities come from evaluations only; a queue's name from interactions only.
            await Statements.RecordNamesAsync(evaluationId is null ? s.Queue : s.Identities, accountId, unit, evaluationId, ct);
        }
    }

    /// <summary>Adds the deltas <paramref name="tx"/> has recorded to the rollups; call before it commits.</summary>
    public static async Task FlushAsync(SqliteConnection connection, SqliteTransaction tx, CancellationToken ct)
    {
        if (Prepared.TryGetValue(connection, out var s))
        {
            s.Enlist(tx);
            await s.FlushAsync(ct);
        }
    }

    /// <summary>The migration that creates the hourly rollup.</summary>
    public const int HourlyMigration = 2;

    /// <summary>The migration that creates the daily, queue and mix rollups.</summary>
    public const int DailyMigration = 3;

    /// <summary>Builds the rollups that migrations just created from what the database already holds, in the migration's transaction.</summary>
    public static async Task BuildAfterMigrationAsync(IReadOnlyList<int> applied, SqliteConnection connection, SqliteTransaction tx, CancellationToken ct)
    {
        var sql = applied.Contains(HourlyMigration) ? SqliteAnalyticsSql.RebuildRollups
            : applied.Contains(DailyMigration) ? SqliteAnalyticsSql.DeriveRollups
            : null;
        if (sql is not null)
        {
            await using var cmd = SqliteQmStore.Command(connection, tx, sql);
            SqliteQmStore.Bind(cmd, "$sentiment_target", AnalyticsDefinitions.DefaultSentimentTarget);
            cmd.CommandTimeout = 0;
            await cmd.ExecuteNonQueryAsync(ct);
        }
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
            "day" => Math.DivRem(Hour, RollupPlan.HoursPerDay, out var into) - (into < 0 ? 1 : 0),
            "account_id" => AccountId,
            "agent_name" => AgentName,
            "agent_user_id" => AgentUserId,
            "queue_id" => QueueId,
            "channel_type" => ChannelType,
            "direction" => Direction,
            "disposition" => Disposition,
            _ => throw new ArgumentOutOfRangeException(nameof(column), column, "not a rollup key column"),
        };

        /// <summary>This key with every column the rollup does not keep emptied, so equal rollup rows get equal keys.</summary>
        public FactKey For(Rollup rollup) => new(
            // A daily rollup's rows are keyed by the first hour of their day (Value("day") divides it again).
            rollup.Keys.Contains("day") ? (long)Value("day") * RollupPlan.HoursPerDay : rollup.Keys.Contains("hour") ? Hour : 0,
            AccountId,
            rollup.Keys.Contains("agent_name") ? AgentName : "",
            rollup.Keys.Contains("agent_user_id") ? AgentUserId : "",
            QueueId,
            ChannelType,
            Direction,
            rollup.Keys.Contains("disposition") ? Disposition : "");
    }

    /// <summary>One rollup table with its prepared statements.</summary>
    private sealed class Rollup(SqliteConnection connection, string table, string[] keys, bool mixOnly)
    {
        public string[] Keys { get; } = keys;

        public bool MixOnly { get; } = mixOnly;

        public SqliteCommand Add { get; } = SqliteQmStore.Command(connection, null, SqliteAnalyticsSql.AddDelta(table, keys, mixOnly));

        public SqliteCommand Prune { get; } = SqliteQmStore.Command(connection, null, SqliteAnalyticsSql.PruneRow(table, keys, mixOnly));

        /// <summary>Adds <paramref name="delta"/> to the row of <paramref name="key"/>; drops the row when it is left counting nothing.</summary>
        public async Task ApplyAsync(FactKey key, MetricTotals delta, CancellationToken ct)
        {
            foreach (var column in Keys)
            {
                var value = key.Value(column);
                SqliteQmStore.Bind(Add, "$" + column, value);
                SqliteQmStore.Bind(Prune, "$" + column, value);
            }

            if (MixOnly)
            {
                SqliteQmStore.Bind(Add, "$interactions", delta.Interactions);
            }
            else
            {
                BindSums(Add, delta);
            }

            await Add.ExecuteNonQueryAsync(ct);
            if (delta.Interactions < 0 || (!MixOnly && delta.Evaluations < 0))
            {
                await Prune.ExecuteNonQueryAsync(ct);
            }
        }

        private static void BindSums(SqliteCommand cmd, MetricTotals t)
        {
            object[] sums =
            [
                t.Interactions, t.HandleSSum, t.HandleN, t.SentimentSum, t.SentimentN, t.BelowTargetN, t.EngagementSum, t.EngagementN,
                t.SilenceSum, t.SilenceN, t.HoldSum, t.HoldN, t.CrosstalkSum, t.CrosstalkN, t.Evaluations, t.EvaluationsManual,
                t.EvaluationsAutomated, t.RatioSum, t.RatioN, t.EvaluatedInteractions,
            ];
            for (var i = 0; i < sums.Length; i++)
            {
                SqliteQmStore.Bind(cmd, "$" + SqliteAnalyticsSql.SumNames[i], sums[i]);
            }
        }
    }

    /// <summary>Prepared once per writer connection, with the deltas of its current transaction; the connection disposes the commands when it closes.</summary>
    private sealed class Statements(SqliteConnection connection)
    {
        private readonly Dictionary<FactKey, MetricTotals> _pending = [];
        private SqliteTransaction? _pendingTx;

        public SqliteCommand Current { get; } = SqliteQmStore.Command(connection, null, SqliteAnalyticsSql.CurrentInteractionOfEvaluation);

        public SqliteCommand Facts { get; } = SqliteQmStore.Command(connection, null, SqliteAnalyticsSql.UnitRollupFacts);

        public SqliteCommand Identities { get; } = SqliteQmStore.Command(connection, null, SqliteAnalyticsSql.RecordUnitIdentities);

        public SqliteCommand Queue { get; } = SqliteQmStore.Command(connection, null, SqliteAnalyticsSql.RecordUnitQueue);

        public Rollup[] Rollups { get; } = [.. SqliteAnalyticsSql.RollupTables.Select(t => new Rollup(connection, t.Table, t.Keys, t.MixOnly))];

        /// <summary>Enlists every statement in <paramref name="tx"/>; deltas left from another transaction (one that failed) are dropped.</summary>
        public void Enlist(SqliteTransaction tx)
        {
            if (!ReferenceEquals(tx, _pendingTx))
            {
                _pending.Clear();
                _pendingTx = tx;
            }

            Current.Transaction = tx;
            Facts.Transaction = tx;
            Identities.Transaction = tx;
            Queue.Transaction = tx;
            foreach (var rollup in Rollups)
            {
                rollup.Add.Transaction = tx;
                rollup.Prune.Transaction = tx;
            }
        }

        /// <summary>Adds the unit's facts as they are now (or subtracts them) to the transaction's deltas.</summary>
        public async Task AddFactsAsync(string accountId, string? interactionId, string? evaluationId, bool subtract, CancellationToken ct)
        {
            BindUnit(Facts, accountId, interactionId, evaluationId);
            await using var reader = await Facts.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var key = new FactKey(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                    reader.GetString(5), reader.GetString(6), reader.GetString(7));
                var facts = AnalyticsReaders.Totals(reader, 8);
                var delta = subtract ? facts.Negate() : facts;
                _pending[key] = _pending.TryGetValue(key, out var sum) ? sum.Add(delta) : delta;
            }
        }

        public static async Task RecordNamesAsync(SqliteCommand cmd, string accountId, string? interactionId, string? evaluationId, CancellationToken ct)
        {
            BindUnit(cmd, accountId, interactionId, evaluationId);
            await cmd.ExecuteNonQueryAsync(ct);
        }

        /// <summary>Sums the pending deltas per row of each rollup and adds them.</summary>
        public async Task FlushAsync(CancellationToken ct)
        {
            if (_pending.Count == 0)
            {
                return;
            }

            foreach (var rollup in Rollups)
            {
                var rows = new Dictionary<FactKey, MetricTotals>();
                foreach (var (key, delta) in _pending)
                {
                    var row = key.For(rollup);
                    rows[row] = rows.TryGetValue(row, out var sum) ? sum.Add(delta) : delta;
                }

                foreach (var (key, delta) in rows)
                {
                    var changes = rollup.MixOnly ? delta.Interactions != 0 : delta != MetricTotals.Zero;
                    if (changes)
                    {
                        await rollup.ApplyAsync(key, delta, ct);
                    }
                }
            }

            _pending.Clear();
        }

        private static void BindUnit(SqliteCommand cmd, string accountId, string? interactionId, string? evaluationId)
        {
            SqliteQmStore.Bind(cmd, "$account_id", accountId);
            SqliteQmStore.Bind(cmd, "$interaction_id", interactionId);
            SqliteQmStore.Bind(cmd, "$evaluation_id", evaluationId);
            SqliteQmStore.Bind(cmd, "$sentiment_target", AnalyticsDefinitions.DefaultSentimentTarget);
        }
    }
}
