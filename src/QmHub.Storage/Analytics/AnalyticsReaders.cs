using System.Data.Common;

namespace QmHub.Storage.Analytics;

/// <summary>
/// Reads the rows of the analytics queries, which every engine shapes alike: the column order is part of each
/// engine's SQL, the reading is one.
/// </summary>
internal static class AnalyticsReaders
{
    /// <summary>The 20 sums of <see cref="MetricTotals"/> from column <paramref name="o"/> on; a sum over no rows (NULL) is 0.</summary>
    public static MetricTotals Totals(DbDataReader r, int o) => Totals(i => L(r, i), i => D(r, i), o);

    /// <summary>The 20 sums of <see cref="MetricTotals"/> from column <paramref name="o"/> on, read as integers by <paramref name="l"/> and reals by <paramref name="d"/> (NULL read as 0).</summary>
    public static MetricTotals Totals(Func<int, long> l, Func<int, double> d, int o) => new(
        l(o), l(o + 1), l(o + 2), d(o + 3), l(o + 4), l(o + 5), d(o + 6), l(o + 7), l(o + 8), l(o + 9),
        l(o + 10), l(o + 11), l(o + 12), l(o + 13), l(o + 14), l(o + 15), l(o + 16), d(o + 17), l(o + 18), l(o + 19));

    /// <summary>A row of grouped totals: account, id, name, then the sums.</summary>
    public static GroupTotals Group(DbDataReader r) => new(new GroupKey(r.GetString(0), r.GetString(1), NullableString(r, 2)), Totals(r, 3));

    /// <summary>A time bucket: its start (Unix ms), then the sums.</summary>
    public static BucketTotals Bucket(DbDataReader r) => new(r.GetInt64(0), Totals(r, 1));

    /// <summary>An account, queue, channel, direction and disposition (null: not counted by) with its interactions.</summary>
    public static (string AccountId, string QueueId, string? ChannelType, string? Direction, string? Disposition, long Interactions) Mix(DbDataReader r) =>
        (r.GetString(0), r.GetString(1), NullableString(r, 2), NullableString(r, 3), NullableString(r, 4), r.GetInt64(5));

    /// <summary>An evaluation with the agent it is reported under, and whether its interaction is known.</summary>
    public static EvaluationFact Evaluation(DbDataReader r) => new(
        r.GetString(0), NullableString(r, 1), r.GetString(2), NullableString(r, 3), NullableString(r, 4),
        NullableString(r, 5), NullableDouble(r, 6), r.GetString(7), NullableString(r, 8), InteractionKnown: r.GetInt64(9) != 0);

    /// <summary>An interaction found by a search, with the score its keyset cursor orders by.</summary>
    public static (InteractionHit Hit, double ScoreKey) Hit(DbDataReader r) => (new InteractionHit
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
    }, r.GetDouble(20));

    /// <summary>A page of search hits read one beyond <paramref name="limit"/>: the page, and the cursor of the next when there is one.</summary>
    public static InteractionPage Page(List<(InteractionHit Hit, double ScoreKey)> rows, int limit)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var items = rows.Take(limit).Select(r => r.Hit).ToList();
        string? next = null;
        if (rows.Count > limit)
        {
            var (last, score) = rows[limit - 1];
            next = AnalyticsDefinitions.EncodeCursor(AnalyticsDefinitions.Part(score), AnalyticsDefinitions.Part(last.AtMs), last.AccountId, last.InteractionId);
        }

        return new InteractionPage(items, next);
    }

    /// <summary>
    /// Whether the drill-downs read the interactions of one agent (<c>interactions_by_agent_start</c>) rather than of the
    /// whole period: when the filter names an agent and an account, as an agent's detail page does.
    /// </summary>
    public static bool OfOneAgent(AnalyticsFilter filter) => filter is { Agent: not null, AccountId: not null };

    /// <summary>Reads every row of <paramref name="reader"/> with <paramref name="read"/>.</summary>
    public static async Task<List<T>> AllAsync<T>(DbDataReader reader, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    public static string? NullableString(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static long L(DbDataReader r, int i) => r.IsDBNull(i) ? 0 : r.GetInt64(i);

    private static double D(DbDataReader r, int i) => r.IsDBNull(i) ? 0 : r.GetDouble(i);

    private static long? NullableLong(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);

    private static double? NullableDouble(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDouble(i);
}
