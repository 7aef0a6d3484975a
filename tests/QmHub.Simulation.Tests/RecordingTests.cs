using System.Diagnostics;
using System.Globalization;
using System.Text;
using QmHub.Testing;
using QmHub.Zoom.Signing;

namespace QmHub.Simulation.Tests;

public sealed class RecordingTests(ZoomReceiverFixture receiver) : IClassFixture<ZoomReceiverFixture>, IDisposable
{
    private static readonly HttpClient Http = new();
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Ndjson_round_trip_keeps_every_delivery_byte_for_byte()
    {
        var faults = new FaultRates { DuplicatePercent = 5, InvalidPayloadPercent = 5, StaleTimestampPercent = 5, OutOfOrderPercent = 5 };
        var deliveries = ContactCenterSimulator.Generate(GenerationTests.Options(seed: 8, count: 500, faults: faults)).ToList();
        var path = _folder.File("run.ndjson");
        var signedAt = DateTimeOffset.FromUnixTimeSeconds(1_772_400_000);

        await using (var writer = NdjsonDeliveryWriter.Create(path, new DeliverySigner(ZoomReceiverFixture.Secret, new FixedClock(signedAt))))
        {
            await writer.WriteAllAsync(deliveries);
        }

        var lines = await File.ReadAllLinesAsync(path);
        Assert.Equal(500, lines.Length);
        Assert.StartsWith("{\"sequence\":1,\"event\":\"quality_management.", lines[0], StringComparison.Ordinal);

        await using var file = File.OpenRead(path);
        var read = await NdjsonDeliveryReader.ReadAsync(file).ToListAsync();
        Assert.Equal(deliveries.Count, read.Count);
        var verifier = new ZoomSignatureVerifier([new ZoomSecret("primary", ZoomReceiverFixture.Secret)], timeProvider: new FixedClock(signedAt));
        for (var i = 0; i < deliveries.Count; i++)
        {
            var (original, (back, headers)) = (deliveries[i], read[i]);
            Assert.True(original.Body.Span.SequenceEqual(back.Body.Span), $"body {i + 1} changed");
            Assert.Equal(original with { Body = back.Body, Event = back.Event }, back);
            Assert.Equal(original.Event is null, back.Event is null);
            var map = headers.ToDictionary(h => h.Key, h => h.Value);
            Assert.Equal(original.TrackingId, map["x-zm-trackingid"]);
            var verified = verifier.Verify(map["x-zm-signature"], map["x-zm-request-timestamp"], back.Body.Span);
            Assert.Equal(original.Fault.HasFlag(DeliveryFault.StaleTimestamp) && !original.Fault.HasFlag(DeliveryFault.Duplicate), verified.Failure == ZoomVerificationFailure.StaleTimestamp);
        }
    }

    [Fact]
    public async Task A_body_that_is_not_utf8_is_recorded_as_base64_and_read_back_exactly()
    {
        var template = ContactCenterSimulator.Generate(GenerationTests.Options(count: 1)).Single();
        var odd = template with { Body = new byte[] { 0x7B, 0xFF, 0xFE, 0x7D }, Event = null, Fault = DeliveryFault.InvalidPayload };
        using var stream = new MemoryStream();

        await using (var writer = new NdjsonDeliveryWriter(stream))
        {
            await writer.WriteAsync(odd);
        }

        Assert.Contains("\"body_base64\":\"e//+fQ==\"", Encoding.UTF8.GetString(stream.ToArray()), StringComparison.Ordinal);
        stream.Position = 0;
        var back = Assert.Single(await NdjsonDeliveryReader.ReadAsync(stream).ToListAsync());
        Assert.Equal(odd.Body.ToArray(), back.Delivery.Body.ToArray());
        Assert.Empty(back.Headers);
    }

    [Fact]
    public async Task A_malformed_line_is_reported_with_its_number()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("\n{\"sequence\":1}\n"));

        var ex = await Assert.ThrowsAsync<FormatException>(async () => await NdjsonDeliveryReader.ReadAsync(stream).ToListAsync());

        Assert.StartsWith("line 2 is not a delivery record", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_re_signs_old_recordings_with_a_fresh_timestamp_and_they_are_acknowledged()
    {
        var deliveries = ContactCenterSimulator.Generate(GenerationTests.Options(seed: 21, count: 40)).ToList();
        var path = _folder.File("old.ndjson");
        await using (var writer = NdjsonDeliveryWriter.Create(path, new DeliverySigner(ZoomReceiverFixture.Secret, new FixedClock(DateTimeOffset.UnixEpoch.AddYears(40)))))
        {
            await writer.WriteAllAsync(deliveries);
        }

        var sender = new ZoomDeliverySender(Http, new DeliverySenderOptions
        {
            Url = receiver.WebhookUrl,
            SecretToken = ZoomReceiverFixture.Secret,
            RatePerSecond = 200,
            Retry = RetrySchedule.None,
            RequestTimeout = TimeSpan.FromSeconds(30),
        });

        var summary = await sender.SendAsync(NdjsonDeliveryReader.ReadDeliveriesAsync(path));

        Assert.Equal((40L, 40L, 0L), (summary.Sent, summary.Acknowledged, summary.Unexpected));
    }

    [Fact]
    public async Task A_stream_can_be_recorded_and_sent_at_once()
    {
        var deliveries = ContactCenterSimulator.Generate(GenerationTests.Options(seed: 4, count: 25));
        var path = _folder.File("tee.ndjson");
        var sender = new ZoomDeliverySender(Http, new DeliverySenderOptions { Url = receiver.WebhookUrl, SecretToken = ZoomReceiverFixture.Secret, RequestTimeout = TimeSpan.FromSeconds(30) });

        DeliveryRunSummary summary;
        await using (var writer = NdjsonDeliveryWriter.Create(path, new DeliverySigner(ZoomReceiverFixture.Secret)))
        {
            summary = await sender.SendAsync(writer.WriteThroughAsync(deliveries), total: 25);
            Assert.Equal(25, writer.Written);
        }

        Assert.Equal(25, summary.Acknowledged);
        Assert.Equal(25, (await File.ReadAllLinesAsync(path)).Length);
    }

    [Fact]
    public async Task Sign_helper_gives_headers_that_verify_and_a_curl_line_the_receiver_accepts()
    {
        var body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(ContactCenterSimulator.Generate(GenerationTests.Options(count: 1)).Single().Body.Span).Replace("\"agent_name\":\"", "\"agent_name\":\"O'Brien ", StringComparison.Ordinal) + "\n");

        var signed = ZoomSignHelper.Sign(body, ZoomReceiverFixture.Secret, receiver.WebhookUrl);

        var verifier = new ZoomSignatureVerifier([new ZoomSecret("primary", ZoomReceiverFixture.Secret)]);
        Assert.True(verifier.Verify(signed.Headers.Signature, signed.Headers.Timestamp.ToString(CultureInfo.InvariantCulture), body).Succeeded);
        Assert.Equal($"x-zm-signature: {signed.Headers.Signature}", signed.SignatureLine);
        Assert.StartsWith("x-zm-request-timestamp: ", signed.TimestampLine, StringComparison.Ordinal);

        using var curl = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", signed.CurlCommand + " -o /dev/null -w '%{http_code}'"]) { RedirectStandardOutput = true })!;
        var status = await curl.StandardOutput.ReadToEndAsync();
        await curl.WaitForExitAsync();
        Assert.Equal("200", status);
    }
}
