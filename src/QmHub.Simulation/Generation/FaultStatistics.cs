namespace QmHub.Simulation;

/// <summary>How often one fault occurs in a stream, measured against the population its rate is defined on (see <see cref="FaultRates"/>).</summary>
/// <param name="Fault">The fault.</param>
/// <param name="Count">Deliveries tagged with it.</param>
/// <param name="Population">The size of the population the rate is defined on.</param>
/// <param name="PopulationName">What the population counts, for a summary line.</param>
public sealed record FaultRate(DeliveryFault Fault, long Count, long Population, string PopulationName)
{
    /// <summary><see cref="Count"/> as a percentage of <see cref="Population"/> (0 when the population is empty).</summary>
    public double Percent => Population == 0 ? 0 : 100.0 * Count / Population;
}

/// <summary>Counts the faults in a stream of deliveries, each against its own population.</summary>
public static class FaultStatistics
{
    /// <summary>The single faults, in the order summaries list them.</summary>
    public static IReadOnlyList<DeliveryFault> Faults { get; } =
    [
        DeliveryFault.Duplicate, DeliveryFault.OutOfOrder, DeliveryFault.EvaluationBeforeInteraction,
        DeliveryFault.InvalidPayload, DeliveryFault.BadSignature, DeliveryFault.StaleTimestamp,
    ];

    /// <summary>Measures every fault over <paramref name="deliveries"/> (enumerated once).</summary>
    public static IReadOnlyList<FaultRate> Measure(IEnumerable<SimulatedDelivery> deliveries)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        var tally = new FaultTally();
        foreach (var delivery in deliveries)
        {
            tally.Add(delivery);
        }

        return tally.Rates();
    }
}

/// <summary>
/// A running count of faults, for callers that see deliveries one at a time (a sender, a file writer).
/// Not thread-safe: add from one thread.
/// </summary>
public sealed class FaultTally
{
    private readonly long[] _counts = new long[FaultStatistics.Faults.Count];
    private readonly HashSet<(string, string)> _interactions = [];
    private readonly HashSet<(string, string)> _evaluatedInteractions = [];
    private long _originals;

    /// <summary>Every delivery added.</summary>
    public long Deliveries { get; private set; }

    /// <summary>Counts one delivery. A duplicate copy counts only as <see cref="DeliveryFault.Duplicate"/>: its other tags belong to its original.</summary>
    public void Add(SimulatedDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        Deliveries++;
        if (delivery.Fault.HasFlag(DeliveryFault.Duplicate))
        {
            _counts[0]++;
            return;
        }

        for (var i = 1; i < _counts.Length; i++)
        {
            if (delivery.Fault.HasFlag(FaultStatistics.Faults[i]))
            {
                _counts[i]++;
            }
        }

        _originals++;
        var key = (delivery.AccountId, delivery.InteractionId);
        _ = delivery.Kind == DeliveryKind.InteractionAnalysisCompleted ? _interactions.Add(key) : _evaluatedInteractions.Add(key);
    }

    /// <summary>The rates so far.</summary>
    public IReadOnlyList<FaultRate> Rates() =>
        FaultStatistics.Faults.Select((fault, i) => fault switch
        {
            DeliveryFault.OutOfOrder => new FaultRate(fault, _counts[i], _interactions.Count, "interactions"),
            DeliveryFault.EvaluationBeforeInteraction => new FaultRate(fault, _counts[i], _evaluatedInteractions.Count, "evaluated interactions"),
            _ => new FaultRate(fault, _counts[i], _originals, "original deliveries"),
        }).ToArray();
}
