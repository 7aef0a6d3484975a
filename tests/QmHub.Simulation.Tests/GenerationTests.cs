using System.Text;
using System.Text.Json;
using QmHub.Zoom;
using QmHub.Zoom.Models;
using QmHub.Zoom.Parsing;
using QmHub.Zoom.Signing;

namespace QmHub.Simulation.Tests;

public sealed class GenerationTests
{
    internal static readonly DateTimeOffset Start = new(2026, 3, 2, 5, 0, 0, TimeSpan.Zero); // a Monday, midnight in New York

    internal static SimulationOptions Options(int seed = 7, int count = 2_000, FaultRates? faults = null) => new()
    {
        Seed = seed,
        Start = Start,
        Count = count,
        Faults = faults ?? FaultRates.None,
    };

    [Fact]
    public void Debug_print()
    {
        foreach (var d in ContactCenterSimulator.Generate(Options(count: 30)))
        {
            Console.WriteLine($"{d.Sequence} {d.ScheduledAt:O} {d.Kind} {d.Fault} {Encoding.UTF8.GetString(d.Body.Span)}");
        }
    }
}
