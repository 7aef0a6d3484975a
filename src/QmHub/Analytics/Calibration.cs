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
    private const double Tolerance = 0.10 + 1e-9;

    /// <summary>Computes the report; <paramref name="worst"/> disagreements at most.</summary>
    public static CalibrationReport Compute(IReadOnlyList<EvaluationFact> evaluations, int worst, ReportPeriod period)
    {
        ArgumentNullException.ThrowIfNull(evaluations);
        var groups = evaluations
            .Where(e => e.InteractionId is not null && e.Ratio is not null)
            .GroupBy(e => (e.AccountId, InteractionId: e.InteractionId ?? "", Scorecard: e.ScorecardName))
            .Where(g => g.Count() >= 2)
            .ToList();

        var scorecards = groups.GroupBy(g => g.Key.Scorecard).OrderBy(s => s.Key, StringComparer.Ordinal).Select(s =>
        {
            var pairs = s.SelectMany(Pairs).ToList();
            var mixed = pairs.Where(p => IsType(p.A, "MANUAL") && IsType(p.B, "AUTOMATED") || IsType(p.A, "AUTOMATED") && IsType(p.B, "MANUAL"))
                .Select(p => IsType(p.A, "MANUAL") ? Ratio(p.A) - Ratio(p.B) : Ratio(p.B) - Ratio(p.A)).ToList();
            return new CalibrationScorecard(
                s.Key, s.Count(), s.Sum(g => g.Count()), pairs.Count,
                Mean(pairs.Select(p => Math.Abs(Ratio(p.A) - Ratio(p.B)))),
                Mean(pairs.Select(p => Math.Abs(Ratio(p.A) - Ratio(p.B)) <= Tolerance ? 1.0 : 0.0)),
                Mean(mixed), mixed.Count);
        }).ToList();

        var deviations = groups.SelectMany(g => g.Select(e =>
            (e.EvaluatorUserId, Deviation: Ratio(e) - g.Where(o => !ReferenceEquals(o, e)).Average(Ratio)))).ToList();
        var evaluators = evaluations.GroupBy(e => e.EvaluatorUserId).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var mine = deviations.Where(d => d.EvaluatorUserId == g.Key).Select(d => d.Deviation).ToList();
            return new CalibrationEvaluator(g.Key, g.Count(), Mean(g.Where(e => e.Ratio is not null).Select(Ratio)), mine.Count, Mean(mine));
        }).ToList();

        var disagreements = groups
            .Select(g => new Disagreement(g.Key.AccountId, g.Key.InteractionId, g.Key.Scorecard, MetricValues.Round(g.Max(Ratio) - g.Min(Ratio)),
                g.Select(e => new DisagreementEvaluation(e.EvaluationId, e.EvaluatorUserId, e.EvaluationType, Ratio(e))).ToList()))
            .OrderByDescending(d => d.Spread).ThenBy(d => d.AccountId, StringComparer.Ordinal).ThenBy(d => d.InteractionId, StringComparer.Ordinal)
            .Take(worst)
            .ToList();
        return new CalibrationReport(scorecards, evaluators, disagreements, period);
    }

    private static IEnumerable<(EvaluationFact A, EvaluationFact B)> Pairs(IEnumerable<EvaluationFact> group)
    {
        var list = group.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            for (var j = i + 1; j < list.Count; j++)
            {
                yield return (list[i], list[j]);
            }
        }
    }

    private static bool IsType(EvaluationFact e, string type) => string.Equals(e.EvaluationType, type, StringComparison.Ordinal);

    private static double Ratio(EvaluationFact e) => e.Ratio ?? 0;

    private static double? Mean(IEnumerable<double> values)
    {
        var list = values.ToList();
        return list.Count > 0 ? MetricValues.Round(list.Average()) : null;
    }
}
