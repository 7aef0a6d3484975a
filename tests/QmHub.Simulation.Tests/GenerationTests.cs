using System.Globalization;
using System.Text.Json;
using QmHub.Zoom;
using QmHub.Zoom.Models;
using QmHub.Zoom.Parsing;
using QmHub.Zoom.Signing;

namespace QmHub.Simulation.Tests;

public sealed class GenerationTests
{
    internal static readonly DateTimeOffset Start = new(2026, 3, 2, 5, 0, 0, TimeSpan.Zero); // Monday 00:00 in New York

    /// <summary>Every member the specification names, by path, in the order of Zoom's published examples.</summary>
    private static readonly Dictionary<string, string[]> SpecMembers = new()
    {
        [""] = ["event", "event_ts", "payload"],
        ["payload"] = ["account_id", "object"],
        ["payload.object#interaction"] = ["start_time", "duration", "queue_id", "queue_name", "engagement_id", "direction", "disposition", "silence_event_count", "crosstalk_event_count", "hold_event_count", "primary_language", "interaction_info", "summary"],
        ["payload.object.interaction_info"] = ["from", "to", "interaction_id", "agent_name", "consumer_name", "channel_type", "associated_ids"],
        ["payload.object.summary"] = ["evaluation_score", "sentiment_score", "engagement_score"],
        ["payload.object#evaluation"] = ["interaction_id", "agent_user_id", "evaluator_user_id", "evaluation_id", "agent_info", "evaluators_info", "scorecard_name", "scoring_format", "total_possible_score", "evaluation_score", "evaluation_score_ratio", "evaluation_type"],
        ["payload.object.agent_info"] = ["agent_user_id", "display_name"],
        ["payload.object.evaluators_info[]"] = ["evaluator_user_id", "display_name"],
    };

    internal static SimulationOptions Options(int seed = 7, int count = 2_000, FaultRates? faults = null) => new()
    {
        Seed = seed,
        Start = Start,
        Count = count,
        Faults = faults ?? FaultRates.None,
    };

    [Fact]
    public void Faithful_deliveries_verify_with_the_signature_verifier_and_parse_without_any_finding()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_772_000_000);
        var signer = new DeliverySigner("s3cret", new FixedClock(now));
        var verifier = new ZoomSignatureVerifier([new ZoomSecret("primary", "s3cret")], timeProvider: new FixedClock(now));
        var deliveries = ContactCenterSimulator.Generate(Options(count: 3_000)).ToList();

        Assert.Equal(3_000, deliveries.Count);
        foreach (var delivery in deliveries)
        {
            Assert.Equal(DeliveryFault.None, delivery.Fault);
            var headers = signer.Sign(delivery);
            var verification = verifier.Verify(headers.Signature, headers.Timestamp.ToString(CultureInfo.InvariantCulture), delivery.Body.Span);
            Assert.True(verification.Succeeded, verification.Message);

            var parsed = ZoomEventParser.Parse(delivery.Body);
            Assert.Empty(parsed.Findings);
            Assert.Equal(RoutingBasis.EventName, parsed.RoutedBy);
            Assert.Equal(delivery.Kind == DeliveryKind.InteractionAnalysisCompleted ? ZoomEventKind.InteractionAnalysisCompleted : ZoomEventKind.EvaluationCompleted, parsed.Kind);
            Assert.Equal(delivery.Body.ToArray(), ZoomJson.SerializeToUtf8Bytes(Assert.IsAssignableFrom<ZoomEvent>(parsed.Event)));
            Assert.Equal(delivery.Body.ToArray(), ZoomJson.SerializeToUtf8Bytes(Assert.IsAssignableFrom<ZoomEvent>(delivery.Event)));
        }
    }

    [Fact]
    public void Bodies_use_exactly_the_spec_member_names_in_the_spec_order()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var delivery in ContactCenterSimulator.Generate(Options(count: 3_000)))
        {
            using var document = JsonDocument.Parse(delivery.Body);
            var kind = delivery.Kind == DeliveryKind.InteractionAnalysisCompleted ? "interaction" : "evaluation";
            CheckObject(document.RootElement, "", kind, seen);
        }

        // Every member of the specification occurs somewhere in a realistic stream.
        var expected = SpecMembers.SelectMany(p => p.Value.Select(m => $"{p.Key}.{m}")).ToHashSet();
        Assert.Equal(expected.Order(), seen.Order());
    }

    private static void CheckObject(JsonElement element, string path, string kind, HashSet<string> seen)
    {
        var key = path == "payload.object" ? $"{path}#{kind}" : path;
        Assert.True(SpecMembers.TryGetValue(key, out var allowed), $"unexpected object at '{path}'");
        var names = element.EnumerateObject().Select(p => p.Name).ToArray();
        var positions = names.Select(n => Array.IndexOf(allowed, n)).ToArray();
        Assert.True(positions.All(p => p >= 0), $"'{path}' has members outside the spec: {string.Join(", ", names.Where(n => !allowed.Contains(n)))}");
        Assert.True(positions.SequenceEqual(positions.Order()), $"'{path}' members are not in the spec's order: {string.Join(", ", names)}");
        foreach (var property in element.EnumerateObject())
        {
            seen.Add($"{key}.{property.Name}");
            var child = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
            if (property.Value.ValueKind == JsonValueKind.Object)
            {
                CheckObject(property.Value, child, kind, seen);
            }
            else if (property.Value.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in property.Value.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.Object))
                {
                    CheckObject(item, child + "[]", kind, seen);
                }
            }
        }
    }

    [Fact]
    public void Same_seed_and_start_reproduce_the_stream_byte_for_byte()
    {
        var faults = new FaultRates { DuplicatePercent = 3, OutOfOrderPercent = 3, EvaluationBeforeInteractionPercent = 3, InvalidPayloadPercent = 3, BadSignaturePercent = 3, StaleTimestampPercent = 3 };
        var first = ContactCenterSimulator.Generate(Options(seed: 42, count: 5_000, faults: faults)).ToList();
        var second = new ContactCenterSimulator(Options(seed: 42, count: 5_000, faults: faults));
        var again = second.Generate().ToList();
        var third = second.Generate().ToList();
        var sequence = second.Generate();
        var enumeratedOnce = sequence.Select(d => Convert.ToHexString(d.Body.Span)).ToList();
        var enumeratedTwice = sequence.Select(d => Convert.ToHexString(d.Body.Span)).ToList();

        Assert.Equal(enumeratedOnce, enumeratedTwice);
        Assert.Equal(first.Count, again.Count);
        for (var i = 0; i < first.Count; i++)
        {
            Assert.True(first[i].Body.Span.SequenceEqual(again[i].Body.Span), $"delivery {i + 1} differs");
            Assert.True(first[i].Body.Span.SequenceEqual(third[i].Body.Span), $"delivery {i + 1} differs on a second enumeration");
            Assert.Equal((first[i].TrackingId, first[i].ScheduledAt, first[i].Fault), (again[i].TrackingId, again[i].ScheduledAt, again[i].Fault));
        }
    }

    [Fact]
    public void Another_seed_or_start_gives_another_stream()
    {
        var baseline = ContactCenterSimulator.Generate(Options(seed: 1, count: 50)).Select(d => d.Body.ToArray()).ToList();
        var otherSeed = ContactCenterSimulator.Generate(Options(seed: 2, count: 50)).Select(d => d.Body.ToArray()).ToList();
        var otherStart = ContactCenterSimulator.Generate(Options(seed: 1, count: 50) with { Start = Start.AddDays(1) }).Select(d => d.Body.ToArray()).ToList();

        Assert.NotEqual(baseline, otherSeed);
        Assert.NotEqual(baseline, otherStart);
    }

    [Theory]
    [InlineData(DeliveryFault.Duplicate)]
    [InlineData(DeliveryFault.OutOfOrder)]
    [InlineData(DeliveryFault.EvaluationBeforeInteraction)]
    [InlineData(DeliveryFault.InvalidPayload)]
    [InlineData(DeliveryFault.BadSignature)]
    [InlineData(DeliveryFault.StaleTimestamp)]
    public void Each_fault_appears_at_the_requested_rate_within_four_standard_errors(DeliveryFault fault)
    {
        // Every fault at once, at different rates, so that one fault's rate is not disturbed by another's.
        var faults = new FaultRates { DuplicatePercent = 4, OutOfOrderPercent = 6, EvaluationBeforeInteractionPercent = 8, InvalidPayloadPercent = 3, BadSignaturePercent = 2, StaleTimestampPercent = 5 };
        var deliveries = ContactCenterSimulator.Generate(Options(seed: 11, count: 40_000, faults: faults)).ToList();

        var rate = FaultStatistics.Measure(deliveries).Single(r => r.Fault == fault);
        var p = faults.PercentOf(fault) / 100;
        var standardError = Math.Sqrt(p * (1 - p) / rate.Population);

        Assert.True(rate.Population > 5_000, $"population {rate.Population} too small for a rate test");
        Assert.InRange(rate.Count / (double)rate.Population, p - (4 * standardError), p + (4 * standardError));
    }

    [Fact]
    public void Ordering_faults_mean_what_their_names_say()
    {
        var faults = new FaultRates { DuplicatePercent = 5, OutOfOrderPercent = 10, EvaluationBeforeInteractionPercent = 10 };
        var deliveries = ContactCenterSimulator.Generate(Options(seed: 5, count: 10_000, faults: faults)).ToList();
        var bodiesSoFar = new HashSet<string>();
        var interactionsSoFar = new Dictionary<string, long>(); // interaction id -> newest event_ts delivered

        foreach (var d in deliveries)
        {
            var body = Convert.ToBase64String(d.Body.Span);
            if (d.Fault.HasFlag(DeliveryFault.Duplicate))
            {
                Assert.Contains(body, bodiesSoFar);
            }

            if (d.Fault.HasFlag(DeliveryFault.EvaluationBeforeInteraction))
            {
                Assert.Equal(DeliveryKind.EvaluationCompleted, d.Kind);
                Assert.DoesNotContain(d.InteractionId, interactionsSoFar.Keys);
            }

            if (d.Event is InteractionAnalysisCompletedEvent interaction)
            {
                var id = interaction.Payload.Object.InteractionInfo.InteractionId;
                if (d.Fault.HasFlag(DeliveryFault.OutOfOrder))
                {
                    Assert.True(interactionsSoFar.TryGetValue(id, out var newest) && newest > interaction.EventTs, "an out-of-order version must follow a newer one");
                }

                interactionsSoFar[id] = Math.Max(interactionsSoFar.GetValueOrDefault(id), interaction.EventTs);
            }

            bodiesSoFar.Add(body);
        }

        Assert.True(deliveries.Count(d => d.Fault.HasFlag(DeliveryFault.OutOfOrder)) > 50);
        Assert.True(deliveries.Count(d => d.Fault.HasFlag(DeliveryFault.EvaluationBeforeInteraction)) > 50);
    }

    [Fact]
    public void Invalid_payloads_fail_validation_with_errors_but_stay_json()
    {
        var deliveries = ContactCenterSimulator.Generate(Options(seed: 3, count: 3_000, faults: new FaultRates { InvalidPayloadPercent = 20 }))
            .Where(d => d.Fault.HasFlag(DeliveryFault.InvalidPayload)).ToList();

        Assert.True(deliveries.Count > 400);
        Assert.True(deliveries.Select(d => d.InvalidReason).Distinct().Count() >= 10, "the invalid payloads should be varied");
        foreach (var d in deliveries)
        {
            var parsed = ZoomEventParser.Parse(d.Body);
            Assert.True(parsed.IsJson);
            Assert.True(parsed.HasErrors, $"'{d.InvalidReason}' passed validation");
            Assert.Null(d.Event);
            Assert.False(d.ExpectAcknowledged);
        }
    }

    [Fact]
    public void Options_out_of_range_are_rejected_naming_each_setting()
    {
        var options = Options() with { Accounts = 0, TimeZone = "Mars/Olympus_Mons", Faults = new FaultRates { StaleTimestampPercent = 120 } };

        var ex = Assert.Throws<ArgumentException>(() => new ContactCenterSimulator(options));

        Assert.Contains("Accounts", ex.Message, StringComparison.Ordinal);
        Assert.Contains("TimeZone 'Mars/Olympus_Mons'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Faults.StaleTimestamp", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fault_rates_parse_from_command_line_text()
    {
        var rates = FaultRates.Parse("duplicate=2, stale=1.5,invalid=0.5%,out-of-order=3,evaluation-before-interaction=4,bad-signature=1");

        Assert.Equal(new FaultRates { DuplicatePercent = 2, StaleTimestampPercent = 1.5, InvalidPayloadPercent = 0.5, OutOfOrderPercent = 3, EvaluationBeforeInteractionPercent = 4, BadSignaturePercent = 1 }, rates);
        Assert.Contains("use one of", Assert.Throws<FormatException>(() => FaultRates.Parse("lost=1")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duration_bounds_the_simulated_clock()
    {
        var options = Options() with { Count = null, Duration = TimeSpan.FromDays(2) };

        var deliveries = ContactCenterSimulator.Generate(options).ToList();

        Assert.NotEmpty(deliveries);
        Assert.All(deliveries, d => Assert.InRange(d.ScheduledAt, Start, Start.AddDays(2)));
        Assert.True(deliveries.Zip(deliveries.Skip(1)).All(p => p.First.ScheduledAt <= p.Second.ScheduledAt), "deliveries come in send order");
        Assert.Equal(Enumerable.Range(1, deliveries.Count).Select(i => (long)i), deliveries.Select(d => d.Sequence));
    }
}
