namespace QmHub.Storage.Analytics;

/// <summary>
/// An engine's statements for the sums the reports read, from the projections and, where the engine reads its rollups
/// with a single statement, from the rollups; which one a question runs follows from its grouping and source alone,
/// the same on every engine. An engine that plans its rollup reads itself (SQLite: daily and hourly rollups combined
/// by <see cref="RollupPlan"/>) leaves the rollup statements out.
/// </summary>
internal sealed record ReportStatements(
    string? AgentTotalsFromRollups,
    string AgentTotalsFromProjections,
    string? QueueTotalsFromRollups,
    string QueueTotalsFromProjections,
    string? AllTotalsFromRollups,
    string AllTotalsFromProjections,
    string? SeriesFromRollups,
    string SeriesFromProjections)
{
    /// <summary>The statement of sums per group.</summary>
    public string Totals(AnalyticsGrouping grouping, AnalyticsSource source)
    {
        var rollups = source == AnalyticsSource.Rollups;
        return grouping switch
        {
            AnalyticsGrouping.Agent => rollups ? Required(AgentTotalsFromRollups) : AgentTotalsFromProjections,
            AnalyticsGrouping.Queue => rollups ? Required(QueueTotalsFromRollups) : QueueTotalsFromProjections,
            _ => rollups ? Required(AllTotalsFromRollups) : AllTotalsFromProjections,
        };
    }

    /// <summary>The statement of sums per time bucket.</summary>
    public string Series(AnalyticsSource source) => source == AnalyticsSource.Rollups ? Required(SeriesFromRollups) : SeriesFromProjections;

    private static string Required(string? sql) =>
        sql ?? throw new InvalidOperationException("This engine reads its rollups through a plan, not one statement.");
}
