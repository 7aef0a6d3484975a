using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace QmHub.Storage.Sqlite;

/// <summary>
/// Keeps the analytics rollups in step with the projections, inside the projection's transaction. The rollup
/// unit is an interaction with its evaluations (or an evaluation that names no interaction): before a
/// projection upsert the unit's facts are subtracted, after it they are added back as they now are. So a new
/// version moves its contribution (across hours, queues, agents), an evaluation follows its interaction,
/// and an older version arriving late changes nothing.
/// </summary>
internal static class SqliteRollups
{
    private static readonly ConditionalWeakTable<SqliteConnection, Statements> Prepared = [];

    /// <summary>Runs <paramref name="upsert"/> (a projection upsert enlisted in its transaction) with rollup maintenance around it.</summary>
    /// <param name="upsert">The bound interaction or evaluation upsert.</param>
    /// <param name="accountId">The account.</param>
    /// <param name="interactionId">The interaction the upserted row names.</param>
    /// <param name="evaluationId">The evaluation's id, when <paramref name="upsert"/> is an evaluation upsert.</param>
    /// <param name="ct">Cancellation.</param>
    public static async Task UpsertAsync(SqliteCommand upsert, string accountId, string? interactionId, string? evaluationId, CancellationToken ct)
    {
        var connection = upsert.Connection ?? throw new InvalidOperationException("The projection upsert has no connection.");
        var s = Prepared.GetValue(connection, c => new Statements(c));
        s.Enlist(upsert.Transaction);
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
            if (await RunAsync(s.Contribute, accountId, unit, evaluationId, -1, ct) > 0)
            {
                await RunAsync(s.Prune, accountId, unit, evaluationId, -1, ct);
            }
        }

        await upsert.ExecuteNonQueryAsync(ct);
        foreach (var unit in units)
        {
            await RunAsync(s.Contribute, accountId, unit, evaluationId, 1, ct);
            // Identities come from evaluations only; a queue's name from interactions only.
            await RunAsync(evaluationId is null ? s.Queue : s.Identities, accountId, unit, evaluationId, 1, ct);
        }
    }

    /// <summary>The migration that creates the rollups.</summary>
    public const int MigrationVersion = 2;

    /// <summary>Builds the rollups from projections that existed before the rollups did, in the migration's transaction.</summary>
    public static async Task BuildAfterMigrationAsync(IReadOnlyList<int> applied, SqliteConnection connection, SqliteTransaction tx, CancellationToken ct)
    {
        if (applied.Contains(MigrationVersion))
        {
            await using var cmd = SqliteQmStore.Command(connection, tx, SqliteAnalyticsSql.RebuildRollups);
            SqliteQmStore.Bind(cmd, "$sentiment_target", Analytics.AnalyticsDefinitions.DefaultSentimentTarget);
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Empties the rollups, in the transaction that empties the projections.</summary>
    public static async Task ClearAsync(SqliteConnection connection, SqliteTransaction tx, CancellationToken ct)
    {
        await using var cmd = SqliteQmStore.Command(connection, tx, SqliteAnalyticsSql.ClearRollups);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<int> RunAsync(SqliteCommand cmd, string accountId, string? interactionId, string? evaluationId, int sign, CancellationToken ct)
    {
        SqliteQmStore.Bind(cmd, "$account_id", accountId);
        SqliteQmStore.Bind(cmd, "$interaction_id", interactionId);
        SqliteQmStore.Bind(cmd, "$evaluation_id", evaluationId);
        SqliteQmStore.Bind(cmd, "$sign", sign);
        SqliteQmStore.Bind(cmd, "$sentiment_target", Analytics.AnalyticsDefinitions.DefaultSentimentTarget);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Prepared once per writer connection; the connection disposes them when it closes.</summary>
    private sealed class Statements(SqliteConnection connection)
    {
        public SqliteCommand Current { get; } = SqliteQmStore.Command(connection, null, SqliteAnalyticsSql.CurrentInteractionOfEvaluation);

        public SqliteCommand Contribute { get; } = SqliteQmStore.Command(connection, null, SqliteAnalyticsSql.ContributeUnit);

        public SqliteCommand Prune { get; } = SqliteQmStore.Command(connection, null, SqliteAnalyticsSql.PruneUnit);

        public SqliteCommand Identities { get; } = SqliteQmStore.Command(connection, null, SqliteAnalyticsSql.RecordUnitIdentities);

        public SqliteCommand Queue { get; } = SqliteQmStore.Command(connection, null, SqliteAnalyticsSql.RecordUnitQueue);

        public void Enlist(SqliteTransaction? tx)
        {
            Current.Transaction = tx;
            Contribute.Transaction = tx;
            Prune.Transaction = tx;
            Identities.Transaction = tx;
            Queue.Transaction = tx;
        }
    }
}
