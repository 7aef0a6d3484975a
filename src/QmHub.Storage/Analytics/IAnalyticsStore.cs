namespace QmHub.Storage.Analytics;

/// <summary>
/// The analytics queries, kept apart from <see cref="IQmStore"/>: each engine answers them from its own
/// rollups (maintained in its ingest transaction) or, for what rollups cannot answer exactly, from its
/// projections. Both sources give the same sums; <see cref="AnalyticsDefinitions.ChooseSource"/> picks.
/// </summary>
public interface IAnalyticsStore
{
    /// <summary>
    /// Sums per group, ordered by key, within <paramref name="keys"/>, at most <paramref name="limit"/> rows (0: no limit). Groups with
    /// neither interactions nor evaluations are left out; <see cref="AnalyticsGrouping.All"/> answers one row, zeros included.
    /// </summary>
    Task<IReadOnlyList<GroupTotals>> GroupTotalsAsync(AnalyticsGrouping grouping, AnalyticsFilter filter, AnalyticsSource source, KeyRange keys, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Sums per bucket [boundaries[k], boundaries[k + 1]) (Unix ms; the first is the filter's from, the last its to), one
    /// per bucket in order, empty ones included. From rollups every boundary is a whole UTC hour.
    /// </summary>
    Task<IReadOnlyList<BucketTotals>> SeriesAsync(AnalyticsFilter filter, AnalyticsSource source, IReadOnlyList<long> boundaries, CancellationToken cancellationToken);

    /// <summary>Interactions by account, queue, channel, direction and disposition, in that order.</summary>
    Task<IReadOnlyList<MixCount>> MixAsync(AnalyticsFilter filter, AnalyticsSource source, CancellationToken cancellationToken);

    /// <summary>
    /// Calibration sums of the period from rollups, the <paramref name="worst"/> widest groups included; null when this
    /// engine keeps no calibration rollups for these filters (then the report is computed from <see cref="EvaluationsAsync"/>).
    /// The period's ends are whole UTC hours.
    /// </summary>
    Task<CalibrationSums?> CalibrationAsync(AnalyticsFilter filter, int worst, CancellationToken cancellationToken);

    /// <summary>Every evaluation reported in the period under the filter.</summary>
    Task<IReadOnlyList<EvaluationFact>> EvaluationsAsync(AnalyticsFilter filter, CancellationToken cancellationToken);

    /// <summary>One page of interactions.</summary>
    /// <exception cref="FormatException">The cursor is not one this API returned.</exception>
    Task<InteractionPage> SearchInteractionsAsync(InteractionSearch search, CancellationToken cancellationToken);
}
