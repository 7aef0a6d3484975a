using System.Runtime.CompilerServices;
using System.Threading.Channels;
using QmHub.Simulation;
using QmHub.Storage;

namespace QmHub.Bench.Analytics;

/// <summary>What to generate: the simulator's contact center, sized for a number of interactions and evaluations over a number of days.</summary>
internal sealed record DataSize(long Interactions, long Evaluations, int Days, int Seed)
{
    // Measured on the simulator's defaults (24 interactions per agent per average weekday, business-hours curve,
    // quieter Fridays and weekends, transfers and follow-ups): about 19.5 distinct interactions per agent per
    // calendar day, and 1.29 evaluations per evaluated interaction (automated, plus manual ones, some by a panel
    // or a calibration session of several evaluators).
    private const double InteractionsPerAgentDay = 19.5;
    private const double EvaluationsPerEvaluatedInteraction = 1.29;
    /// <summary>Zoom accounts: one simulator each, run in parallel.</summary>
    public const int Accounts = 4;

    /// <summary>
    /// The simulator's options for one account: agents for its share of the volume, the evaluation share for the
    /// evaluation count; no delivery faults (rows go straight into the projections).
    /// </summary>
    public SimulationOptions Options(DateTimeOffset start, int account)
    {
        var agentsPerAccount = (int)Math.Max(8, Math.Ceiling(Interactions / (double)Days / InteractionsPerAgentDay / Accounts));
        var evaluationPercent = Math.Clamp(100.0 * Evaluations / Interactions / EvaluationsPerEvaluatedInteraction, 0.01, 100);
        return new SimulationOptions
        {
            Seed = Seed + (7919 * account),
            Start = start,
            Accounts = 1,
            QueuesPerAccount = 8,
            AgentsPerAccount = agentsPerAccount,
            EvaluatorsPerAccount = 6,
            EvaluationPercent = evaluationPercent,
            // Headroom: the run stops at the requested number of interactions, about Days in.
            Duration = TimeSpan.FromDays(Days * 1.25),
        };
    }
}

/// <summary>
/// The simulator's deliveries as projection rows, exactly the columns the store writes for them
/// (<see cref="StoredRows.Projected"/>), in batches, produced on a thread of their own.
/// </summary>
internal static class SimulatedRows
{
    /// <summary>Rows of one batch.</summary>
    public const int BatchSize = 5_000;

    /// <summary>
    /// Generates until <see cref="DataSize.Interactions"/> distinct interactions have been produced: one simulator per
    /// account, each on a thread of its own, their batches interleaved as they come.
    /// </summary>
    public static async IAsyncEnumerable<IReadOnlyList<ProjectionRow>> BatchesAsync(DataSize size, DateTimeOffset start, LoadCounts counts, bool objectJson, [EnumeratorCancellation] CancellationToken ct)
    {
        var channel = Channel.CreateBounded<IReadOnlyList<ProjectionRow>>(new BoundedChannelOptions(16) { SingleReader = true });
        var perAccount = Enumerable.Range(0, DataSize.Accounts)
            .Select(a => new LoadCounts()).ToArray();
        var producers = perAccount.Select((c, a) => Task.Run(
            () => Produce(size.Options(start, a), objectJson, (size.Interactions / DataSize.Accounts) + (a < size.Interactions % DataSize.Accounts ? 1 : 0), c, channel.Writer, ct), ct)).ToArray();
        _ = Task.WhenAll(producers).ContinueWith(t => channel.Writer.Complete(t.Exception), ct, TaskContinuationOptions.None, TaskScheduler.Default);
        await foreach (var batch in channel.Reader.ReadAllAsync(ct))
        {
            counts.Interactions = perAccount.Sum(c => c.Interactions);
            counts.InteractionVersions = perAccount.Sum(c => c.InteractionVersions);
            counts.Evaluations = perAccount.Sum(c => c.Evaluations);
            yield return batch;
        }

        await Task.WhenAll(producers);
        counts.Interactions = perAccount.Sum(c => c.Interactions);
        counts.InteractionVersions = perAccount.Sum(c => c.InteractionVersions);
        counts.Evaluations = perAccount.Sum(c => c.Evaluations);
    }

    private static async Task Produce(SimulationOptions options, bool objectJson, long interactions, LoadCounts counts, ChannelWriter<IReadOnlyList<ProjectionRow>> writer, CancellationToken ct)
    {
        // 64-bit hashes of the interaction ids: versions of a known interaction do not count again.
        var seen = new HashSet<ulong>();
        var batch = new List<ProjectionRow>(BatchSize);
        foreach (var delivery in ContactCenterSimulator.Generate(options))
        {
            if (delivery.Event is null)
            {
                continue;
            }

            if (delivery.Kind == DeliveryKind.InteractionAnalysisCompleted)
            {
                if (seen.Add(Fnv1a(delivery.AccountId, delivery.InteractionId)))
                {
                    if (counts.Interactions == interactions)
                    {
                        break;
                    }

                    counts.Interactions++;
                }

                counts.InteractionVersions++;
            }
            else
            {
                counts.Evaluations++;
            }

            var row = StoredRows.Projected(delivery.Event, delivery.Sequence, objectJson ? Projection.ObjectJson(delivery.Body) : null)
                ?? throw new InvalidOperationException("A simulated event without projection.");
            batch.Add(row);
            if (batch.Count == BatchSize)
            {
                await writer.WriteAsync(batch, ct);
                batch = new List<ProjectionRow>(BatchSize);
            }
        }

        if (batch.Count > 0)
        {
            await writer.WriteAsync(batch, ct);
        }
    }

    private static ulong Fnv1a(string account, string id)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in account)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        hash = (hash ^ 0x1f) * 1099511628211UL;
        foreach (var c in id)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }
}

/// <summary>What the generator produced.</summary>
internal sealed class LoadCounts
{
    /// <summary>Distinct interactions.</summary>
    public long Interactions { get; set; }

    /// <summary>Interaction deliveries, versions included.</summary>
    public long InteractionVersions { get; set; }

    /// <summary>Evaluations.</summary>
    public long Evaluations { get; set; }
}
