namespace QmHub.Storage.Analytics;

/// <summary>
/// An engine's statements for the sums the reports read, each from the rollups and from the projections; which one a
/// question runs follows from its grouping and source alone, the same on every engine.
/// </summary>
internal sealed record ReportStatements(
    string AgentTotalsFromRollups,
    string AgentTotalsFromProjections,
    string QueueTotalsFromRollups,
    string QueueTotalsFromProjections,
    string AllTotalsFromRollups,
    string AllTotalsFromProjections,
    string SeriesFromRollups,
    string SeriesFromProjections)
{
    /// <summary>The statement of sums per group.</summary>
    public string Totals(AnalyticsGrouping grouping, AnalyticsSource source)
    {
        var rollups = source == AnalyticsSource.Rollups;
        return grouping switch
        {
            AnalyticsGrouping.Agent => rollups ? AgentTotalsFromRollups : AgentTotalsFromProjections,
            AnalyticsGrouping.Queue => rollups ? QueueTotalsFromRollups : QueueTotalsFromProjections,
            _ => rollups ? AllTotalsFromRollups : AllTotalsFromProjections,
        };
    }

    /// <summary>The statement of sums per time bucket.</summary>
    public string Series(AnalyticsSource source) => source == AnalyticsSource.Rollups ? SeriesFromRollups : SeriesFromProjections;
}
