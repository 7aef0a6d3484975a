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
        var rollups = source == AnalyticsSource.Rollups;
        var sql = grouping switch
        {
            AnalyticsGrouping.Agent => rollups ? PostgresAnalyticsSql.AgentTotalsFromRollups : PostgresAnalyticsSql.AgentTotalsFromProjections,
            AnalyticsGrouping.Queue => rollups ? PostgresAnalyticsSql.QueueTotalsFromRollups : PostgresAnalyticsSql.QueueTotalsFromProjections,
            _ => rollups ? PostgresAnalyticsSql.AllTotalsFromRollups : PostgresAnalyticsSql.AllTotalsFromProjections,
        };
        await using var cmd = Command(sql, filter,
            Text("after_account", keys.After?.AccountId), Text("after_id", keys.After?.Id),
            Text("through_account", keys.Through?.AccountId), Text("through_id", keys.Through?.Id),
            Long("limit", limit > 0 ? limit : null));
        return await ReadAsync(cmd, r => new GroupTotals(new GroupKey(r.GetString(0), r.GetString(1), NullableString(r, 2)), ReadTotals(r, 3)), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<BucketTotals>> SeriesAsync(AnalyticsFilter filter, AnalyticsSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var cmd = Command(source == AnalyticsSource.Rollups ? PostgresAnalyticsSql.SeriesFromRollups : PostgresAnalyticsSql.SeriesFromProjections, filter);
        return await ReadAsync(cmd, r => new BucketTotals(r.GetInt64(0), ReadTotals(r, 1)), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<MixCount>> MixAsync(AnalyticsFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var cmd = Command(PostgresAnalyticsSql.Mix, filter);
        return await ReadAsync(cmd, r => new MixCount(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3)), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<EvaluationFact>> EvaluationsAsync(AnalyticsFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var cmd = Command(PostgresAnalyticsSql.Evaluations, filter);
        return await ReadAsync(cmd, r => new EvaluationFact(
            r.GetString(0), NullableString(r, 1), r.GetString(2), NullableString(r, 3), NullableString(r, 4),
            NullableString(r, 5), NullableDouble(r, 6), r.GetString(7), NullableString(r, 8)), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<InteractionPage> SearchInteractionsAsync(InteractionSearch search, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(search);
        ArgumentOutOfRangeException.ThrowIfLessThan(search.Limit, 1);
        var byScore = search.Sort == InteractionSort.Score;
        var cursor = search.Cursor is { Length: > 0 } c ? AnalyticsDefinitions.DecodeCursor(c, 4) : null;
        await using var cmd = Command(byScore ? PostgresAnalyticsSql.SearchByScore : PostgresAnalyticsSql.SearchByTime, search.Filter,
            Text("language", search.Language), Text("disposition", search.Disposition),
            Double("min_sentiment", search.MinSentiment), Double("max_sentiment", search.MaxSentiment),
            new NpgsqlParameter("evaluated", NpgsqlDbType.Boolean) { Value = search.Evaluated is { } evaluated ? evaluated : DBNull.Value },
            Double("min_qa", search.MinQaScorePct), Double("max_qa", search.MaxQaScorePct),
            Double("c_score", cursor is null ? null : AnalyticsDefinitions.ParseDouble(cursor[0])),
            Long("c_at", cursor is null ? null : AnalyticsDefinitions.ParseLong(cursor[1])),
            Text("c_account", cursor?[2]), Text("c_id", cursor?[3]), Long("limit", search.Limit + 1));
        var rows = await ReadAsync(cmd, r => (Hit: new InteractionHit
        {
            AccountId = r.GetString(0),
            InteractionId = r.GetString(1),
            StartTime = NullableString(r, 2),
            AtMs = r.GetInt64(3),
            Agent = new GroupKey(r.GetString(0), NullableString(r, 4) ?? "", NullableString(r, 5)),
            Queue = new GroupKey(r.GetString(0), NullableString(r, 6) ?? "", NullableString(r, 7)),
            ChannelType = NullableString(r, 8),
            Direction = NullableString(r, 9),
            Disposition = NullableString(r, 10),
            PrimaryLanguage = NullableString(r, 11),
            DurationS = NullableLong(r, 12),
            SentimentScore = NullableDouble(r, 13),
            EngagementScore = NullableDouble(r, 14),
            SilenceEventCount = NullableLong(r, 15),
            HoldEventCount = NullableLong(r, 16),
            CrosstalkEventCount = NullableLong(r, 17),
            Evaluations = r.GetInt64(18),
            QaScorePct = NullableDouble(r, 19),
        }, Score: r.GetDouble(20)), cancellationToken);

        var items = rows.Select(r => r.Hit).ToList();
        string? next = null;
        if (items.Count > search.Limit)
        {
            items.RemoveAt(items.Count - 1);
            var last = items[^1];
            next = AnalyticsDefinitions.EncodeCursor(
                AnalyticsDefinitions.Part(rows[items.Count - 1].Score), AnalyticsDefinitions.Part(last.AtMs), last.AccountId, last.InteractionId);
        }

        return new InteractionPage(items, next);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <summary>The 20 sums of <see cref="MetricTotals"/> from column <paramref name="o"/> on; a sum over no rows (NULL) is 0.</summary>
    internal static MetricTotals ReadTotals(DbDataReader r, int o) => new(
        L(r, o), L(r, o + 1), L(r, o + 2), D(r, o + 3), L(r, o + 4), L(r, o + 5), D(r, o + 6), L(r, o + 7), L(r, o + 8), L(r, o + 9),
        L(r, o + 10), L(r, o + 11), L(r, o + 12), L(r, o + 13), L(r, o + 14), L(r, o + 15), L(r, o + 16), D(r, o + 17), L(r, o + 18), L(r, o + 19));

    private static long L(DbDataReader r, int i) => r.IsDBNull(i) ? 0 : r.GetInt64(i);

    private static double D(DbDataReader r, int i) => r.IsDBNull(i) ? 0 : r.GetDouble(i);

    private static string? NullableString(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static long? NullableLong(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);

    private static double? NullableDouble(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDouble(i);

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
        var rows = new List<T>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}
