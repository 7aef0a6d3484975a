using Microsoft.Data.Sqlite;
using QmHub.Storage.Analytics;

namespace QmHub.Storage.Sqlite;

/// <summary>The analytics queries over a SQLite file that <see cref="SqliteQmStore"/> writes: read-only, pooled connections.</summary>
public sealed class SqliteAnalyticsStore : IAnalyticsStore
{
    private readonly string _connectionString;

    /// <summary>Reads the database file at <paramref name="path"/>.</summary>
    public SqliteAnalyticsStore(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.GetFullPath(path),
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<GroupTotals>> GroupTotalsAsync(
        AnalyticsGrouping grouping, AnalyticsFilter filter, AnalyticsSource source, KeyRange keys, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(keys);
        await using var connection = await OpenAsync(cancellationToken);
        if (source == AnalyticsSource.Rollups)
        {
            return await SqliteRollupReader.GroupTotalsAsync(connection, grouping, filter, keys, limit, cancellationToken);
        }

        await using var cmd = Command(connection, SqliteAnalyticsSql.Reports.Totals(grouping, source), filter);
        SqliteQmStore.Bind(cmd, "$after_account", keys.After?.AccountId);
        SqliteQmStore.Bind(cmd, "$after_id", keys.After?.Id);
        SqliteQmStore.Bind(cmd, "$through_account", keys.Through?.AccountId);
        SqliteQmStore.Bind(cmd, "$through_id", keys.Through?.Id);
        SqliteQmStore.Bind(cmd, "$limit", limit > 0 ? limit : -1);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await AnalyticsReaders.AllAsync(reader, AnalyticsReaders.Group, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<BucketTotals>> SeriesAsync(AnalyticsFilter filter, AnalyticsSource source, IReadOnlyList<long> boundaries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(boundaries);
        if (source == AnalyticsSource.Rollups)
        {
            await using var connection = await OpenAsync(cancellationToken);
            return await SqliteRollupReader.SeriesAsync(connection, filter, boundaries, cancellationToken);
        }

        return AnalyticsDefinitions.Assign(
            await ReadAllAsync(SqliteAnalyticsSql.Reports.Series(source), filter, AnalyticsReaders.Bucket, cancellationToken), boundaries);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<MixCount>> MixAsync(AnalyticsFilter filter, AnalyticsSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        // The mix rollups have no agent dimension: an agent's mix comes from its interactions.
        if (source == AnalyticsSource.Rollups && filter.Agent is null)
        {
            await using var connection = await OpenAsync(cancellationToken);
            return await SqliteRollupReader.MixAsync(connection, filter, cancellationToken);
        }

        return MixCount.Marginals(await ReadAllAsync(SqliteAnalyticsSql.Mix, filter, AnalyticsReaders.Mix, cancellationToken));
    }

    /// <inheritdoc />
    /// <remarks>The calibration rollups are kept by account and queue: with an agent, channel or direction filter the report is computed from the evaluations.</remarks>
    public async Task<CalibrationSums?> CalibrationAsync(AnalyticsFilter filter, int worst, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.Agent is not null || filter.ChannelType is not null || filter.Direction is not null)
        {
            return null;
        }

        await using var connection = await OpenAsync(cancellationToken);
        return await SqliteRollupReader.CalibrationAsync(connection, filter, worst, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<EvaluationFact>> EvaluationsAsync(AnalyticsFilter filter, CancellationToken cancellationToken) =>
        ReadAllAsync(AnalyticsReaders.OfOneAgent(filter) ? SqliteAnalyticsSql.EvaluationsOfAgent : SqliteAnalyticsSql.Evaluations,
            filter, AnalyticsReaders.Evaluation, cancellationToken);

    /// <inheritdoc />
    public async Task<InteractionPage> SearchInteractionsAsync(InteractionSearch search, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(search);
        ArgumentOutOfRangeException.ThrowIfLessThan(search.Limit, 1);
        var byScore = search.Sort == InteractionSort.Score;
        var cursor = search.Cursor is { Length: > 0 } c ? AnalyticsDefinitions.DecodeCursor(c, 4) : null;
        await using var connection = await OpenAsync(cancellationToken);
        var sql = (byScore, AnalyticsReaders.OfOneAgent(search.Filter)) switch
        {
            (true, true) => SqliteAnalyticsSql.SearchByScoreOfAgent,
            // Only evaluated interactions have a kept score: the index answers from the cursor on.
            (true, false) when search.Evaluated == true => SqliteAnalyticsSql.SearchEvaluatedByScore,
            (true, false) => SqliteAnalyticsSql.SearchByScore,
            (false, true) => SqliteAnalyticsSql.SearchByTimeOfAgent,
            (false, false) => SqliteAnalyticsSql.SearchByTime,
        };
        await using var cmd = Command(connection, sql, search.Filter);
        SqliteQmStore.Bind(cmd, "$language", search.Language);
        SqliteQmStore.Bind(cmd, "$disposition", search.Disposition);
        SqliteQmStore.Bind(cmd, "$min_sentiment", search.MinSentiment);
        SqliteQmStore.Bind(cmd, "$max_sentiment", search.MaxSentiment);
        SqliteQmStore.Bind(cmd, "$evaluated", search.Evaluated);
        SqliteQmStore.Bind(cmd, "$min_qa", search.MinQaScorePct);
        SqliteQmStore.Bind(cmd, "$max_qa", search.MaxQaScorePct);
        SqliteQmStore.Bind(cmd, "$c_score", cursor is null ? null : AnalyticsDefinitions.ParseDouble(cursor[0]));
        SqliteQmStore.Bind(cmd, "$c_at", cursor is null ? null : AnalyticsDefinitions.ParseLong(cursor[1]));
        SqliteQmStore.Bind(cmd, "$c_account", cursor?[2]);
        SqliteQmStore.Bind(cmd, "$c_id", cursor?[3]);
        SqliteQmStore.Bind(cmd, "$limit", search.Limit + 1);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return AnalyticsReaders.Page(await AnalyticsReaders.AllAsync(reader, AnalyticsReaders.Hit, cancellationToken), search.Limit);
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, AnalyticsFilter filter)
    {
        var cmd = SqliteQmStore.Command(connection, null, sql);
        SqliteQmStore.Bind(cmd, "$from_ms", filter.From.ToUnixTimeMilliseconds());
        SqliteQmStore.Bind(cmd, "$to_ms", filter.To.ToUnixTimeMilliseconds());
        SqliteQmStore.Bind(cmd, "$account_id", filter.AccountId);
        SqliteQmStore.Bind(cmd, "$queue_id", filter.QueueId);
        SqliteQmStore.Bind(cmd, "$agent", filter.Agent);
        SqliteQmStore.Bind(cmd, "$channel_type", filter.ChannelType);
        SqliteQmStore.Bind(cmd, "$direction", filter.Direction);
        SqliteQmStore.Bind(cmd, "$sentiment_target", filter.SentimentTarget);
        return cmd;
    }

    private async Task<IReadOnlyList<T>> ReadAllAsync<T>(string sql, AnalyticsFilter filter, Func<System.Data.Common.DbDataReader, T> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var connection = await OpenAsync(cancellationToken);
        await using var cmd = Command(connection, sql, filter);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await AnalyticsReaders.AllAsync(reader, read, cancellationToken);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }
}
