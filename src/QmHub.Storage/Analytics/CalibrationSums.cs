namespace QmHub.Storage.Analytics;

/// <summary>Additive calibration sums of one scorecard over calibrated groups.</summary>
/// <param name="ScorecardName">The scorecard.</param>
/// <param name="Groups">Calibrated groups: one interaction's scored evaluations on the scorecard, two or more.</param>
/// <param name="Evaluations">Evaluations in those groups.</param>
/// <param name="Pairs">Pairs of evaluations within a group.</param>
/// <param name="AbsDifferenceSum">Sum over pairs of |ratio difference|.</param>
/// <param name="PairsWithin">Pairs whose difference is at most 0.10.</param>
/// <param name="ManualMinusAutomatedSum">Sum over pairs of one MANUAL and one AUTOMATED evaluation of manual minus automated.</param>
/// <param name="ManualAutomatedPairs">Those pairs.</param>
public sealed record ScorecardCalibration(
    string? ScorecardName, long Groups, long Evaluations, long Pairs, double AbsDifferenceSum, long PairsWithin, double ManualMinusAutomatedSum, long ManualAutomatedPairs)
{
    /// <summary>The sums of both (same scorecard).</summary>
    public ScorecardCalibration Add(ScorecardCalibration o, int sign = 1) => this with
    {
        Groups = Groups + (sign * o.Groups),
        Evaluations = Evaluations + (sign * o.Evaluations),
        Pairs = Pairs + (sign * o.Pairs),
        AbsDifferenceSum = AbsDifferenceSum + (sign * o.AbsDifferenceSum),
        PairsWithin = PairsWithin + (sign * o.PairsWithin),
        ManualMinusAutomatedSum = ManualMinusAutomatedSum + (sign * o.ManualMinusAutomatedSum),
        ManualAutomatedPairs = ManualAutomatedPairs + (sign * o.ManualAutomatedPairs),
    };
}

/// <summary>Additive sums of one evaluator's scoring.</summary>
/// <param name="EvaluatorUserId">The evaluator.</param>
/// <param name="Evaluations">Every evaluation they gave in the period.</param>
/// <param name="RatioSum">Sum of their score ratios.</param>
/// <param name="RatioN">Their evaluations with a score ratio.</param>
/// <param name="Calibrated">Their evaluations in calibrated groups.</param>
/// <param name="DeviationSum">Sum over those of their ratio minus the mean of the other evaluations in the group.</param>
public sealed record EvaluatorCalibration(string? EvaluatorUserId, long Evaluations, double RatioSum, long RatioN, long Calibrated, double DeviationSum)
{
    /// <summary>The sums of both (same evaluator).</summary>
    public EvaluatorCalibration Add(EvaluatorCalibration o, int sign = 1) => this with
    {
        Evaluations = Evaluations + (sign * o.Evaluations),
        RatioSum = RatioSum + (sign * o.RatioSum),
        RatioN = RatioN + (sign * o.RatioN),
        Calibrated = Calibrated + (sign * o.Calibrated),
        DeviationSum = DeviationSum + (sign * o.DeviationSum),
    };
}

/// <summary>One calibrated group with its spread (max - min ratio, rounded to 6 places) and evaluations.</summary>
public sealed record CalibrationGroup(string AccountId, string InteractionId, string? ScorecardName, double Spread, IReadOnlyList<EvaluationFact> Evaluations);

/// <summary>
/// Calibration as additive sums: per scorecard, per evaluator, and the calibrated groups with the widest spread. The
/// definition every source shares: the report computed from a period's evaluations and the rollups kept per
/// interaction at ingest are both these sums (<see cref="Of"/>).
/// </summary>
/// <param name="Scorecards">Per scorecard, ordered by name.</param>
/// <param name="Evaluators">Per evaluator, ordered by id.</param>
/// <param name="Worst">The widest-spread groups, widest first.</param>
public sealed record CalibrationSums(IReadOnlyList<ScorecardCalibration> Scorecards, IReadOnlyList<EvaluatorCalibration> Evaluators, IReadOnlyList<CalibrationGroup> Worst)
{
    /// <summary>|difference| within this counts as agreeing (0.10, with room for the binary representation).</summary>
    public const double Tolerance = 0.10 + 1e-9;

    /// <summary>
    /// The sums of <paramref name="evaluations"/>, with the <paramref name="worst"/> widest groups. A calibrated group is
    /// one known interaction's scored evaluations on one scorecard, two or more; evaluations of an interaction not
    /// analysed yet count for their evaluator but form no group until it is.
    /// </summary>
    public static CalibrationSums Of(IEnumerable<EvaluationFact> evaluations, int worst)
    {
        ArgumentNullException.ThrowIfNull(evaluations);
        var all = evaluations.ToList();
        var groups = all
            .Where(e => e.InteractionId is not null && e.Ratio is not null && e.InteractionKnown)
            .GroupBy(e => (e.AccountId, InteractionId: e.InteractionId ?? "", Scorecard: e.ScorecardName))
            .Where(g => g.Count() >= 2)
            .Select(g => (g.Key, Members: g.ToList()))
            .ToList();

        var scorecards = groups.GroupBy(g => g.Key.Scorecard).OrderBy(s => s.Key, Utf8Order.Instance).Select(s =>
        {
            var sum = new ScorecardCalibration(s.Key, 0, 0, 0, 0, 0, 0, 0);
            foreach (var (_, members) in s)
            {
                sum = sum with { Groups = sum.Groups + 1, Evaluations = sum.Evaluations + members.Count };
                for (var i = 0; i < members.Count; i++)
                {
                    for (var j = i + 1; j < members.Count; j++)
                    {
                        var (a, b) = (members[i], members[j]);
                        var difference = Math.Abs(Ratio(a) - Ratio(b));
                        sum = sum with { Pairs = sum.Pairs + 1, AbsDifferenceSum = sum.AbsDifferenceSum + difference, PairsWithin = sum.PairsWithin + (difference <= Tolerance ? 1 : 0) };
                        if (IsType(a, "MANUAL") && IsType(b, "AUTOMATED") || IsType(a, "AUTOMATED") && IsType(b, "MANUAL"))
                        {
                            var manualMinusAutomated = IsType(a, "MANUAL") ? Ratio(a) - Ratio(b) : Ratio(b) - Ratio(a);
                            sum = sum with { ManualMinusAutomatedSum = sum.ManualMinusAutomatedSum + manualMinusAutomated, ManualAutomatedPairs = sum.ManualAutomatedPairs + 1 };
                        }
                    }
                }
            }

            return sum;
        }).ToList();

        var deviations = groups.SelectMany(g => g.Members.Select(e => (e.EvaluatorUserId, Deviation: Ratio(e) - g.Members.Where(o => !ReferenceEquals(o, e)).Average(Ratio))))
            .ToLookup(d => d.EvaluatorUserId, d => d.Deviation);
        var evaluators = all.GroupBy(e => e.EvaluatorUserId).OrderBy(g => g.Key, Utf8Order.Instance).Select(g =>
        {
            var mine = deviations[g.Key].ToList();
            return new EvaluatorCalibration(g.Key, g.Count(), g.Sum(e => e.Ratio ?? 0), g.Count(e => e.Ratio is not null), mine.Count, mine.Sum());
        }).ToList();

        var widest = groups
            .Select(g => new CalibrationGroup(g.Key.AccountId, g.Key.InteractionId, g.Key.Scorecard, Spread(g.Members), g.Members))
            .OrderByDescending(d => d.Spread).ThenBy(d => d.AccountId, Utf8Order.Instance).ThenBy(d => d.InteractionId, Utf8Order.Instance)
            .ThenBy(d => d.ScorecardName, Utf8Order.Instance)
            .Take(worst)
            .ToList();
        return new CalibrationSums(scorecards, evaluators, widest);
    }

    /// <summary>A group's spread as reported and ordered: max - min ratio, rounded to 6 places.</summary>
    public static double Spread(IReadOnlyCollection<EvaluationFact> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        return Math.Round(members.Max(Ratio) - members.Min(Ratio), 6, MidpointRounding.AwayFromZero);
    }

    private static bool IsType(EvaluationFact e, string type) => string.Equals(e.EvaluationType, type, StringComparison.Ordinal);

    private static double Ratio(EvaluationFact e) => e.Ratio ?? 0;
}
