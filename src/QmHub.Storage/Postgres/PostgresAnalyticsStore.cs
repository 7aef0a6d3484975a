using System.Data.Common;
using Npgsql;
using NpgsqlTypes;
using QmHub.Storage.Analytics;

namespace QmHub.Storage.Postgres;

/// <summary>
/// The analytics queries over the PostgreSQL database that <see cref="PostgresQmStore"/> replicas write: the same
/// answers as the SQLite engine's, from the rollups those replicas keep or from the projections.
/// </summary>
public sealed class PostgresAnalyticsStore : IAnalyticsStore, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Reads the database that <paramref name="store"/> writes, on connections of its own.</summary>
    public PostgresAnalyticsStore(PostgresQmStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        // Not auto-prepared: a report's plan should follow its parameters (a filter given or not), which a generic plan would not.
        _dataSource = NpgsqlDataSource.Create(store.ConnectionString);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<GroupTotals>> GroupTotalsAsync(
        AnalyticsGrouping grouping, AnalyticsFilter filter, AnalyticsSource source, KeyRange keys, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(keys);
        var sql = PostgresAnalyticsSql.Reports.Totals(grouping, source);
        await using var cmd = Command(sql, filter,
            Text("after_account", keys.After?.AccountId), Text("after_id", keys.After?.Id),
            Text("through_account", keys.Through?.AccountId), Text("through_id", keys.Through?.Id),
            Long("limit", limit > 0 ? limit : null));
        return await ReadAsync(cmd, AnalyticsReaders.Group, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<BucketTotals>> SeriesAsync(AnalyticsFilter filter, AnalyticsSource source, IReadOnlyList<long> boundaries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var cmd = Command(PostgresAnalyticsSql.Reports.Series(source), filter);
        return AnalyticsDefinitions.Assign(await ReadAsync(cmd, AnalyticsReaders.Bucket, cancellationToken), boundaries);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<MixCount>> MixAsync(AnalyticsFilter filter, AnalyticsSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var cmd = Command(PostgresAnalyticsSql.Mix, filter);
        return MixCount.Marginals(await ReadAsync(cmd, AnalyticsReaders.Mix, cancellationToken));
    }

    /// <inheritdoc />
    /// <remarks>PostgreSQL keeps no calibration rollups: the report is computed from the period's evaluations.</remarks>
    public Task<CalibrationSums?> CalibrationAsync(AnalyticsFilter filter, int worst, CancellationToken cancellationToken) => Task.FromResult<CalibrationSums?>(null);

    /// <inheritdoc />
    public async Task<IReadOnlyList<EvaluationFact>> EvaluationsAsync(AnalyticsFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var cmd = Command(AnalyticsReaders.OfOneAgent(filter) ? PostgresAnalyticsSql.EvaluationsOfAgent : PostgresAnalyticsSql.Evaluations, filter);
        return await ReadAsync(cmd, AnalyticsReaders.Evaluation, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<InteractionPage> SearchInteractionsAsync(InteractionSearch search, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(search);
        ArgumentOutOfRangeException.ThrowIfLessThan(search.Limit, 1);
        var byScore = search.Sort == InteractionSort.Score;
        var cursor = search.Cursor is { Length: > 0 } c ? AnalyticsDefinitions.DecodeCursor(c, 4) : null;
        var sql = (byScore, AnalyticsReaders.OfOneAgent(search.Filter)) switch
        {
            (true, true) => PostgresAnalyticsSql.SearchByScoreOfAgent,
            (true, false) => PostgresAnalyticsSql.SearchByScore,
            (false, true) => PostgresAnalyticsSql.SearchByTimeOfAgent,
            (false, false) => PostgresAnalyticsSql.SearchByTime,
        };
        await using var cmd = Command(sql, search.Filter,
            Text("language", search.Language), Text("disposition", search.Disposition),
            Double("min_sentiment", search.MinSentiment), Double("max_sentiment", search.MaxSentiment),
            new NpgsqlParameter("evaluated", NpgsqlDbType.Boolean) { Value = search.Evaluated is { } evaluated ? evaluated : DBNull.Value },
            Double("min_qa", search.MinQaScorePct), Double("max_qa", search.MaxQaScorePct),
            Double("c_score", cursor is null ? null : AnalyticsDefinitions.ParseDouble(cursor[0])),
            Long("c_at", cursor is null ? null : AnalyticsDefinitions.ParseLong(cursor[1])),
            Text("c_account", cursor?[2]), Text("c_id", cursor?[3]), Long("limit", search.Limit + 1));
        return AnalyticsReaders.Page(await ReadAsync(cmd, AnalyticsReaders.Hit, cancellationToken), search.Limit);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private static NpgsqlParameter Text(string name, string? value) => new(name, NpgsqlDbType.Text) { Value = value ?? (object)DBNull.Value };

    private static NpgsqlParameter Long(string name, long? value) => new(name, NpgsqlDbType.Bigint) { Value = value ?? (object)DBNull.Value };

    private static NpgsqlParameter Double(string name, double? value) => new(name, NpgsqlDbType.Double) { Value = value ?? (object)DBNull.Value };

    /// <summary>A command with the period, the filters and the sentiment target bound, plus <paramref name="more"/>.</summary>
    private NpgsqlCommand Command(string sql, AnalyticsFilter filter, params IEnumerable<NpgsqlParameter> more)
    {
        var cmd = _dataSource.CreateCommand(sql);
        cmd.Parameters.Add(Long("from_ms", filter.From.ToUnixTimeMilliseconds()));
        cmd.Parameters.Add(Long("to_ms", filter.To.ToUnixTimeMilliseconds()));
        cmd.Parameters.Add(Text("account_id", filter.AccountId));
        cmd.Parameters.Add(Text("queue_id", filter.QueueId));
        cmd.Parameters.Add(Text("agent", filter.Agent));
        cmd.Parameters.Add(Text("channel_type", filter.ChannelType));
        cmd.Parameters.Add(Text("direction", filter.Direction));
        cmd.Parameters.Add(Double("sentiment_target", filter.SentimentTarget));
        foreach (var parameter in more)
        {
            cmd.Parameters.Add(parameter);
        }

        return cmd;
    }

    private static async Task<List<T>> ReadAsync<T>(NpgsqlCommand cmd, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await AnalyticsReaders.AllAsync(reader, read, cancellationToken);
    }
}
