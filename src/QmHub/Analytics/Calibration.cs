using System.Text.Json.Serialization;
using QmHub.Storage.Analytics;

namespace QmHub.Analytics;

/// <summary>Agreement per scorecard over interactions evaluated two or more times on it.</summary>
public sealed record CalibrationScorecard(
    [property: JsonPropertyName("scorecard_name")] string? ScorecardName,
    [property: JsonPropertyName("interactions")] long Interactions,
    [property: JsonPropertyName("evaluations")] long Evaluations,
    [property: JsonPropertyName("pairs")] long Pairs,
    [property: JsonPropertyName("mean_abs_difference")] double? MeanAbsDifference,
    [property: JsonPropertyName("share_within_0_10")] double? ShareWithin010,
    [property: JsonPropertyName("manual_minus_automated")] double? ManualMinusAutomated,
    [property: JsonPropertyName("manual_automated_pairs")] long ManualAutomatedPairs);

/// <summary>One evaluator's scoring.</summary>
public sealed record CalibrationEvaluator(
    [property: JsonPropertyName("evaluator_user_id")] string? EvaluatorUserId,
    [property: JsonPropertyName("evaluations")] long Evaluations,
    [property: JsonPropertyName("average_ratio")] double? AverageRatio,
    [property: JsonPropertyName("calibrated_evaluations")] long CalibratedEvaluations,
    [property: JsonPropertyName("bias")] double? Bias);

/// <summary>One evaluation behind a disagreement.</summary>
public sealed record DisagreementEvaluation(
    [property: JsonPropertyName("evaluation_id")] string EvaluationId,
    [property: JsonPropertyName("evaluator_user_id")] string? EvaluatorUserId,
    [property: JsonPropertyName("evaluation_type")] string? EvaluationType,
    [property: JsonPropertyName("evaluation_score_ratio")] double Ratio);

/// <summary>An interaction whose evaluations on one scorecard disagree.</summary>
public sealed record Disagreement(
    [property: JsonPropertyName("account_id")] string AccountId,
    [property: JsonPropertyName("interaction_id")] string InteractionId,
    [property: JsonPropertyName("scorecard_name")] string? ScorecardName,
    [property: JsonPropertyName("spread")] double Spread,
    [property: JsonPropertyName("evaluations")] IReadOnlyList<DisagreementEvaluation> Evaluations);

/// <summary><c>GET /api/v1/calibration</c>.</summary>
public sealed record CalibrationReport(
    [property: JsonPropertyName("scorecards")] IReadOnlyList<CalibrationScorecard> Scorecards,
    [property: JsonPropertyName("evaluators")] IReadOnlyList<CalibrationEvaluator> Evaluators,
    [property: JsonPropertyName("worst_disagreements")] IReadOnlyList<Disagreement> WorstDisagreements,
    [property: JsonPropertyName("period")] ReportPeriod Period);

/// <summary>
/// Calibration from the evaluations of a period. A calibrated group is one interaction's scored evaluations
/// on one scorecard, two or more of them. Differences are over every pair in a group; "within ±0.10" is
/// |difference| ≤ 0.10; manual minus automated is over pairs of one MANUAL and one AUTOMATED evaluation. An
/// evaluator's bias is the mean, over their calibrated evaluations, of their ratio minus the mean of the
/// other evaluations in the group.
/// </summary>
public static class Calibration
{
    /// <summary>Computes the report from a period's evaluations; <paramref name="worst"/> disagreements at most.</summary>
    public static CalibrationReport Compute(IReadOnlyList<EvaluationFact> evaluations, int worst, ReportPeriod period) =>
        Report(CalibrationSums.Of(evaluations, worst), period);

    /// <summary>The report from its sums (computed from evaluations or read from the calibration rollups).</summary>
    public static CalibrationReport Report(CalibrationSums sums, ReportPeriod period)
    {
        ArgumentNullException.ThrowIfNull(sums);
        var scorecards = sums.Scorecards.Select(s => new CalibrationScorecard(
            s.ScorecardName, s.Groups, s.Evaluations, s.Pairs, Mean(s.AbsDifferenceSum, s.Pairs), Mean(s.PairsWithin, s.Pairs),
            Mean(s.ManualMinusAutomatedSum, s.ManualAutomatedPairs), s.ManualAutomatedPairs)).ToList();
        var evaluators = sums.Evaluators.Select(e => new CalibrationEvaluator(
            e.EvaluatorUserId, e.Evaluations, Mean(e.RatioSum, e.RatioN), e.Calibrated, Mean(e.DeviationSum, e.Calibrated))).ToList();
        var disagreements = sums.Worst.Select(g => new Disagreement(g.AccountId, g.InteractionId, g.ScorecardName, g.Spread,
            g.Evaluations.Select(e => new DisagreementEvaluation(e.EvaluationId, e.EvaluatorUserId, e.EvaluationType, e.Ratio ?? 0)).ToList())).ToList();
        return new CalibrationReport(scorecards, evaluators, disagreements, period);
    }

    private static double? Mean(double sum, long count) => count > 0 ? MetricValues.Round(sum / count) : null;
}
