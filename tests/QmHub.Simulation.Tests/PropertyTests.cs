using System.Globalization;
using CsCheck;
using QmHub.Zoom.Signing;

namespace QmHub.Simulation.Tests;

public sealed class PropertyTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_772_400_000);

    [Fact]
    public void Any_body_signed_by_the_delivery_signer_verifies_unless_a_signing_fault_is_applied() =>
        Gen.Select(Gen.Byte.Array[0, 2048], Gen.String[1, 40], Gen.Enum<DeliveryFault>())
            .Sample((body, secret, fault) =>
            {
                var signer = new DeliverySigner(secret, new FixedClock(Now));
                var verifier = new ZoomSignatureVerifier([new ZoomSecret("s", secret)], timeProvider: new FixedClock(Now));
                var delivery = ContactCenterSimulator.Generate(GenerationTests.Options(count: 1)).Single() with { Body = body, Fault = fault };

                var headers = signer.Sign(delivery);
                var result = verifier.Verify(headers.Signature, headers.Timestamp.ToString(CultureInfo.InvariantCulture), body);

                var expected = fault.HasFlag(DeliveryFault.StaleTimestamp) ? ZoomVerificationFailure.StaleTimestamp
                    : fault.HasFlag(DeliveryFault.BadSignature) ? ZoomVerificationFailure.SignatureMismatch
                    : ZoomVerificationFailure.None;
                return result.Failure == expected;
            });

    [Fact]
    public async Task Any_simulated_stream_survives_an_ndjson_round_trip() =>
        await Gen.Select(Gen.Int[1, 1_000_000], Gen.Double[0, 30], Gen.Int[1, 40])
            .SampleAsync(async (seed, percent, count) =>
            {
                var faults = new FaultRates { DuplicatePercent = percent, InvalidPayloadPercent = percent, OutOfOrderPercent = percent, StaleTimestampPercent = percent };
                var deliveries = ContactCenterSimulator.Generate(GenerationTests.Options(seed, count, faults)).ToList();
                using var stream = new MemoryStream();
                await using (var writer = new NdjsonDeliveryWriter(stream))
                {
                    await writer.WriteAllAsync(deliveries);
                }

                stream.Position = 0;
                var back = await NdjsonDeliveryReader.ReadAsync(stream).Select(r => r.Delivery).ToListAsync();
                return back.Count == deliveries.Count
                    && back.Zip(deliveries).All(p => p.First.Body.Span.SequenceEqual(p.Second.Body.Span)
                        && p.First with { Body = p.Second.Body, Event = p.Second.Event } == p.Second
                        && (p.First.Event is null) == (p.Second.Event is null));
            }, iter: 40);
}
