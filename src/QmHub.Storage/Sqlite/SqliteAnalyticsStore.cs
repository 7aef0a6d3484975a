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
        var rollups = source == AnalyticsSource.Rollups;
        var sql = grouping switch
        {
            AnalyticsGrouping.Agent => rollups ? SqliteAnalyticsSql.AgentTotalsFromRollups : SqliteAnalyticsSql.AgentTotalsFromProjections,
            AnalyticsGrouping.Queue => rollups ? SqliteAnalyticsSql.QueueTotalsFromRollups : SqliteAnalyticsSql.QueueTotalsFromProjections,
            _ => rollups ? SqliteAnalyticsSql.AllTotalsFromRollups : SqliteAnalyticsSql.AllTotalsFromProjections,
        };
        await using var connection = await OpenAsync(cancellationToken);
        await using var cmd = Command(connection, sql, filter);
        SqliteQmStore.Bind(cmd, "$after_account", keys.After?.AccountId);
        SqliteQmStore.Bind(cmd, "$after_id", keys.After?.Id);
        SqliteQmStore.Bind(cmd, "$through_account", keys.Through?.AccountId);
        SqliteQmStore.Bind(cmd, "$through_id", keys.Through?.Id);
        SqliteQmStore.Bind(cmd, "$limit", limit > 0 ? limit : -1);
        var rows = new List<GroupTotals>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new GroupTotals(new GroupKey(reader.GetString(0), reader.GetString(1), NullableString(reader, 2)), ReadTotals(reader, 3)));
        }

        return rows;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<BucketTotals>> SeriesAsync(AnalyticsFilter filter, AnalyticsSource source, CancellationToken cancellationToken) =>
        ReadAllAsync(source == AnalyticsSource.Rollups ? SqliteAnalyticsSql.SeriesFromRollups : SqliteAnalyticsSql.SeriesFromProjections, filter,
            r => new BucketTotals(r.GetInt64(0), ReadTotals(r, 1)), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<MixCount>> MixAsync(AnalyticsFilter filter, CancellationToken cancellationToken) =>
        ReadAllAsync(SqliteAnalyticsSql.Mix, filter, r => new MixCount(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3)), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<EvaluationFact>> EvaluationsAsync(AnalyticsFilter filter, CancellationToken cancellationToken) =>
        ReadAllAsync(SqliteAnalyticsSql.Evaluations, filter, r => new EvaluationFact(
            r.GetString(0), NullableString(r, 1), r.GetString(2), NullableString(r, 3), NullableString(r, 4),
            NullableString(r, 5), NullableDouble(r, 6), r.GetString(7), NullableString(r, 8)), cancellationToken);

    /// <inheritdoc />
    public async Task<InteractionPage> SearchInteractionsAsync(InteractionSearch search, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(search);
        ArgumentOutOfRangeException.ThrowIfLessThan(search.Limit, 1);
        var byScore = search.Sort == InteractionSort.Score;
        var cursor = search.Cursor is { Length: > 0 } c ? AnalyticsDefinitions.DecodeCursor(c, 4) : null;
        await using var connection = await OpenAsync(cancellationToken);
        await using var cmd = Command(connection, byScore ? SqliteAnalyticsSql.SearchByScore : SqliteAnalyticsSql.SearchByTime, search.Filter);
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
        var items = new List<InteractionHit>();
        var scores = new List<double>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new InteractionHit
            {
                AccountId = reader.GetString(0),
                InteractionId = reader.GetString(1),
                StartTime = NullableString(reader, 2),
                AtMs = reader.GetInt64(3),
                Agent = new GroupKey(reader.GetString(0), NullableString(reader, 4) ?? "", NullableString(reader, 5)),
                Queue = new GroupKey(reader.GetString(0), NullableString(reader, 6) ?? "", NullableString(reader, 7)),
                ChannelType = NullableString(reader, 8),
                Direction = NullableString(reader, 9),
                Disposition = NullableString(reader, 10),
                PrimaryLanguage = NullableString(reader, 11),
                DurationS = NullableLong(reader, 12),
                SentimentScore = NullableDouble(reader, 13),
                EngagementScore = NullableDouble(reader, 14),
                SilenceEventCount = NullableLong(reader, 15),
                HoldEventCount = NullableLong(reader, 16),
                CrosstalkEventCount = NullableLong(reader, 17),
                Evaluations = reader.GetInt64(18),
                QaScorePct = NullableDouble(reader, 19),
            });
            scores.Add(reader.GetDouble(20));
        }

        string? next = null;
        if (items.Count > search.Limit)
        {
            items.RemoveAt(items.Count - 1);
            var last = items[^1];
            next = AnalyticsDefinitions.EncodeCursor(
                AnalyticsDefinitions.Part(scores[items.Count - 1]), AnalyticsDefinitions.Part(last.AtMs), last.AccountId, last.InteractionId);
        }

        return new InteractionPage(items, next);
    }

    private static MetricTotals ReadTotals(SqliteDataReader r, int o) => new(
        L(r, o), L(r, o + 1), L(r, o + 2), D(r, o + 3), L(r, o + 4), L(r, o + 5), D(r, o + 6), L(r, o + 7), L(r, o + 8), L(r, o + 9),
        L(r, o + 10), L(r, o + 11), L(r, o + 12), L(r, o + 13), L(r, o + 14), L(r, o + 15), L(r, o + 16), D(r, o + 17), L(r, o + 18), L(r, o + 19));

    // A sum over no rows is NULL: nothing to add.
    private static long L(SqliteDataReader r, int i) => r.IsDBNull(i) ? 0 : r.GetInt64(i);

    private static double D(SqliteDataReader r, int i) => r.IsDBNull(i) ? 0 : r.GetDouble(i);

    private static string? NullableString(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static long? NullableLong(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);

    private static double? NullableDouble(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDouble(i);

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

    private async Task<IReadOnlyList<T>> ReadAllAsync<T>(string sql, AnalyticsFilter filter, Func<SqliteDataReader, T> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var connection = await OpenAsync(cancellationToken);
        await using var cmd = Command(connection, sql, filter);
        var rows = new List<T>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }
}
