using System.Text.Json.Serialization;

namespace QmHub.Analytics;

/// <summary>The export form of each list: the same for the HTTP exports and <c>qmhub export</c>.</summary>
public static class ExportTables
{
    /// <summary>Agent and queue rows: <c>account_id,id,name,&lt;metrics&gt;,previous_&lt;metrics&gt;,change_&lt;metrics&gt;</c>.</summary>
    public static ExportTable<ReportRow> ReportRows { get; } = new(ReportRow.RowColumns, r => r.RowValues(), AnalyticsJsonContext.Default.ReportRow);

    /// <summary>Interaction search hits.</summary>
    public static ExportTable<InteractionRow> Interactions { get; } = new(InteractionRow.Columns, r => r.Values(), AnalyticsJsonContext.Default.InteractionRow);

    /// <summary>Trend points: the day or week, its value, and the part of it inside the period (<c>from</c>, <c>to</c>, <c>partial</c>).</summary>
    public static ExportTable<TrendPoint> TrendPoints { get; } = new(
        [
            ExportColumn.Text("start"), ExportColumn.Real("value"), ExportColumn.Whole("interactions"), ExportColumn.Whole("evaluations"),
            ExportColumn.Text("from"), ExportColumn.Text("to"), ExportColumn.Flag("partial"),
        ],
        t => [t.Start, t.Value, t.Interactions, t.Evaluations, t.From, t.To, t.Partial], AnalyticsJsonContext.Default.TrendPoint);

    /// <summary>The calibration report, one table: scorecard rows, evaluator rows, then one row per evaluation behind each worst disagreement.</summary>
    public static ExportTable<CalibrationRow> CalibrationRows { get; } = new(CalibrationRow.Columns, r => r.Values(), AnalyticsJsonContext.Default.CalibrationRow);
}

/// <summary>
/// One row of the calibration export. <see cref="Section"/> says which part of the report it is:
/// <c>scorecard</c>, <c>evaluator</c> or <c>disagreement</c> (one row per evaluation behind a disagreement);
/// the columns a section does not use are null.
/// </summary>
public sealed record CalibrationRow
{
    /// <summary>The columns, in the order of <see cref="Values"/>.</summary>
    public static IReadOnlyList<ExportColumn> Columns { get; } =
    [
        ExportColumn.Text("section"), ExportColumn.Text("scorecard_name"), ExportColumn.Text("evaluator_user_id"), ExportColumn.Text("account_id"),
        ExportColumn.Text("interaction_id"), ExportColumn.Text("evaluation_id"), ExportColumn.Text("evaluation_type"),
        ExportColumn.Whole("interactions"), ExportColumn.Whole("evaluations"), ExportColumn.Whole("pairs"), ExportColumn.Real("mean_abs_difference"),
        ExportColumn.Real("share_within_0_10"), ExportColumn.Real("manual_minus_automated"), ExportColumn.Whole("manual_automated_pairs"),
        ExportColumn.Real("average_ratio"), ExportColumn.Whole("calibrated_evaluations"), ExportColumn.Real("bias"), ExportColumn.Real("spread"),
        ExportColumn.Real("evaluation_score_ratio"),
    ];

    [JsonPropertyName("section")] public required string Section { get; init; }

    [JsonPropertyName("scorecard_name")] public string? ScorecardName { get; init; }

    [JsonPropertyName("evaluator_user_id")] public string? EvaluatorUserId { get; init; }

    [JsonPropertyName("account_id")] public string? AccountId { get; init; }

    [JsonPropertyName("interaction_id")] public string? InteractionId { get; init; }

    [JsonPropertyName("evaluation_id")] public string? EvaluationId { get; init; }

    [JsonPropertyName("evaluation_type")] public string? EvaluationType { get; init; }

    [JsonPropertyName("interactions")] public long? Interactions { get; init; }

    [JsonPropertyName("evaluations")] public long? Evaluations { get; init; }

    [JsonPropertyName("pairs")] public long? Pairs { get; init; }

    [JsonPropertyName("mean_abs_difference")] public double? MeanAbsDifference { get; init; }

    [JsonPropertyName("share_within_0_10")] public double? ShareWithin010 { get; init; }

    [JsonPropertyName("manual_minus_automated")] public double? ManualMinusAutomated { get; init; }

    [JsonPropertyName("manual_automated_pairs")] public long? ManualAutomatedPairs { get; init; }

    [JsonPropertyName("average_ratio")] public double? AverageRatio { get; init; }

    [JsonPropertyName("calibrated_evaluations")] public long? CalibratedEvaluations { get; init; }

    [JsonPropertyName("bias")] public double? Bias { get; init; }

    [JsonPropertyName("spread")] public double? Spread { get; init; }

    [JsonPropertyName("evaluation_score_ratio")] public double? EvaluationScoreRatio { get; init; }

    /// <summary>The rows of a report, in its order.</summary>
    public static IEnumerable<CalibrationRow> Of(CalibrationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        foreach (var s in report.Scorecards)
        {
            yield return new CalibrationRow
            {
                Section = "scorecard",
                ScorecardName = s.ScorecardName,
                Interactions = s.Interactions,
                Evaluations = s.Evaluations,
                Pairs = s.Pairs,
                MeanAbsDifference = s.MeanAbsDifference,
                ShareWithin010 = s.ShareWithin010,
                ManualMinusAutomated = s.ManualMinusAutomated,
                ManualAutomatedPairs = s.ManualAutomatedPairs,
            };
        }

        foreach (var e in report.Evaluators)
        {
            yield return new CalibrationRow
            {
                Section = "evaluator",
                EvaluatorUserId = e.EvaluatorUserId,
                Evaluations = e.Evaluations,
                AverageRatio = e.AverageRatio,
                CalibratedEvaluations = e.CalibratedEvaluations,
                Bias = e.Bias,
            };
        }

        foreach (var d in report.WorstDisagreements)
        {
            foreach (var e in d.Evaluations)
            {
                yield return new CalibrationRow
                {
                    Section = "disagreement",
                    ScorecardName = d.ScorecardName,
                    AccountId = d.AccountId,
                    InteractionId = d.InteractionId,
                    Spread = d.Spread,
                    EvaluationId = e.EvaluationId,
                    EvaluatorUserId = e.EvaluatorUserId,
                    EvaluationType = e.EvaluationType,
                    EvaluationScoreRatio = e.Ratio,
                };
            }
        }
    }

    /// <summary>The values in the order of <see cref="Columns"/>.</summary>
    public IEnumerable<object?> Values() =>
    [
        Section, ScorecardName, EvaluatorUserId, AccountId, InteractionId, EvaluationId, EvaluationType, Interactions, Evaluations, Pairs,
        MeanAbsDifference, ShareWithin010, ManualMinusAutomated, ManualAutomatedPairs, AverageRatio, CalibratedEvaluations, Bias, Spread,
        EvaluationScoreRatio,
    ];
}
