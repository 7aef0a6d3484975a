using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using QmHub.Simulation;
using QmHub.Storage.Model;
using QmHub.Testing;

namespace QmHub.Tests;

/// <summary>Zoom's side of the wire against the real QmHub: every fault answered as QmHub should.</summary>
public sealed class SimulationCliTests
{
    [Fact]
    public async Task Simulated_faults_are_answered_and_stored_as_qmhub_promises()
    {
        await using var server = await RunningServer.StartAsync();
        var options = new SimulationOptions
        {
            Seed = 5,
            Start = DateTimeOffset.UtcNow.AddDays(-1),
            Count = 1500,
            Faults = FaultRates.Parse("duplicate=5,out-of-order=10,evaluation-before-interaction=10,invalid=3,bad-signature=3,stale=3"),
        };
        var deliveries = ContactCenterSimulator.Generate(options).ToList();
        using var http = new HttpClient();
        var sender = new ZoomDeliverySender(http, new DeliverySenderOptions
        {
            Url = new Uri(server.Client.BaseAddress!, "/webhooks/zoom"),
            SecretToken = RunningServer.Secret,
            MaxConcurrency = 8,
            Retry = Simulation.RetrySchedule.None,
            ReceiverKeepsInvalidPayloads = true,
            KeepOutcomes = true,
        });

        var summary = await sender.SendAsync(deliveries);

        Assert.Equal(0, summary.Unexpected);
        var unauthentic = deliveries.Count(d => (d.Fault & (DeliveryFault.BadSignature | DeliveryFault.StaleTimestamp)) != 0);
        Assert.True(unauthentic > 0 && deliveries.Any(d => d.Fault.HasFlag(DeliveryFault.Duplicate)));
        Assert.Equal(unauthentic, summary.RejectedByStatus.GetValueOrDefault(401));

        // Duplicates stored once: the log holds exactly the distinct authentic bodies.
        var authenticBodies = deliveries.Where(d => (d.Fault & (DeliveryFault.BadSignature | DeliveryFault.StaleTimestamp)) == 0)
            .Select(d => Convert.ToHexString(IncomingEvent.ComputeDedupKey(d.Body.Span))).Distinct().Count();
        Assert.Equal(authenticBodies, await ServeTests.CountAsync(server.DbPath, "SELECT count(*) FROM events"));
        // Each authentic invalid body once, whether it came as the original or (its original refused as unsigned or
        // stale) only as its duplicate copy: which of those happens depends on the draws, and the draws on the time of day.
        var invalid = deliveries.Where(d => d.Fault.HasFlag(DeliveryFault.InvalidPayload) && (d.Fault & (DeliveryFault.BadSignature | DeliveryFault.StaleTimestamp)) == 0)
            .Select(d => Convert.ToHexString(IncomingEvent.ComputeDedupKey(d.Body.Span))).Distinct().Count();
        Assert.Equal(invalid, await ServeTests.CountAsync(server.DbPath, "SELECT count(*) FROM events WHERE status = 'quarantined'"));

        // Out-of-order versions: each interaction holds its newest event_ts.
        var newest = deliveries.Where(d => d.Event is Zoom.Models.InteractionAnalysisCompletedEvent && (d.Fault & (DeliveryFault.BadSignature | DeliveryFault.StaleTimestamp | DeliveryFault.InvalidPayload)) == 0)
            .GroupBy(d => d.InteractionId).ToDictionary(g => g.Key, g => g.Max(d => d.Event!.EventTs));
        Assert.Equal(newest.Count, await ServeTests.CountAsync(server.DbPath, "SELECT count(*) FROM interactions"));
        foreach (var (id, ts) in newest.Take(50))
        {
            Assert.Equal(ts, await ServeTests.CountAsync(server.DbPath, $"SELECT last_event_ts FROM interactions WHERE interaction_id = '{id.Replace("'", "''", StringComparison.Ordinal)}'"));
        }
    }

    [Fact]
    public async Task Simulate_command_sends_a_seeded_stream_and_prints_a_summary()
    {
        await using var server = await RunningServer.StartAsync();

        var run = await QmHubProcess.RunAsync(null, "simulate", "--url", new Uri(server.Client.BaseAddress!, "/webhooks/zoom").ToString(),
            "--secret", RunningServer.Secret, "--count", "200", "--seed", "3", "--start", "2026-11-02T00:00:00Z", "--faults", "duplicate=5");

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.Contains("acknowledged (2xx)", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("answers other than expected │ 0", run.Stdout.Replace("  ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.True(await ServeTests.CountAsync(server.DbPath, "SELECT count(*) FROM events") > 150);
    }

    [Fact]
    public async Task Simulate_out_writes_a_recording_that_replay_sends_again()
    {
        using var dir = new TempDirectory();
        var file = dir.File("run.ndjson");
        var recorded = await QmHubProcess.RunAsync(null, "simulate", "--out", file, "--secret", "s", "--count", "50", "--start", "2026-11-02T00:00:00Z");
        Assert.True(recorded.ExitCode == 0, recorded.Describe());
        Assert.Equal(50, File.ReadLines(file).Count());

        await using var server = await RunningServer.StartAsync();
        var replayed = await QmHubProcess.RunAsync(null, "replay", file, "--url", new Uri(server.Client.BaseAddress!, "/webhooks/zoom").ToString(), "--secret", RunningServer.Secret);

        Assert.True(replayed.ExitCode == 0, replayed.Describe());
        Assert.Equal(50, await ServeTests.CountAsync(server.DbPath, "SELECT count(*) FROM events"));
    }

    [Fact]
    public async Task A_replayed_recording_with_faults_expects_what_a_clean_replay_gets()
    {
        using var dir = new TempDirectory();
        var file = dir.File("faults.ndjson");
        var recorded = await QmHubProcess.RunAsync(null, "simulate", "--out", file, "--secret", "s", "--count", "200", "--seed", "21",
            "--start", "2026-11-02T00:00:00Z", "--faults", "duplicate=5,invalid=10,bad-signature=10,stale=10");
        Assert.True(recorded.ExitCode == 0, recorded.Describe());

        await using var server = await RunningServer.StartAsync();
        var replayed = await QmHubProcess.RunAsync(null, "replay", file, "--url", new Uri(server.Client.BaseAddress!, "/webhooks/zoom").ToString(),
            "--secret", RunningServer.Secret, "--retry", "none");

        // Replay signs every delivery correctly and qmhub keeps invalid payloads (200 quarantined): every answer is the expected one.
        Assert.True(replayed.ExitCode == 0, replayed.Describe());
        Assert.Matches(@"answers other than expected\s*│\s*0\s", replayed.Stdout);
    }

    [Fact]
    public async Task A_run_whose_answers_are_not_the_expected_ones_exits_1()
    {
        var port = CrashTests.FreePort(); // nothing listens there

        var unreachable = await QmHubProcess.RunAsync(null, "simulate", "--url", $"http://127.0.0.1:{port}/webhooks/zoom", "--secret", "s",
            "--count", "5", "--retry", "none");

        Assert.True(unreachable.ExitCode == 1, unreachable.Describe());
        Assert.Contains("5 deliveries never answered", unreachable.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--duration", "90" }, "--duration: '90' has no unit")]
    [InlineData(new[] { "--duration", "" }, "--duration: '' has no unit")]
    [InlineData(new[] { "--url", "http://127.0.0.1:9/webhooks/zoom", "--count", "5", "--rate", "-1" }, "--rate must be 0 (unlimited) or positive (got -1)")]
    [InlineData(new[] { "--agents", "2", "--queues", "8" }, "--agents must be at least --queues (8)")]
    [InlineData(new[] { "--faults", "bogus=3" }, "--faults: ")]
    [InlineData(new[] { "--url", "http://127.0.0.1:9/webhooks/zoom", "--count", "5", "--retry", "sometimes" }, "--retry: ")]
    public async Task Bad_values_name_their_flags_and_exit_2(string[] flags, string message)
    {
        string[] output = flags.Contains("--url") ? [] : ["--out", "unused.ndjson"];

        var run = await QmHubProcess.RunAsync(null, ["simulate", "--secret", "s", .. output, .. flags]);

        Assert.True(run.ExitCode == 2, run.Describe());
        Assert.Contains(message, run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Parameter", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_prints_headers_and_a_curl_line_that_qmhub_accepts()
    {
        await using var server = await RunningServer.StartAsync();
        var body = TestEvents.Bytes(TestEvents.Interaction("signed-1"));
        using var process = QmHubProcess.Start(null, "sign", "--secret", RunningServer.Secret, "--url", new Uri(server.Client.BaseAddress!, "/webhooks/zoom").ToString());
        await process.StandardInput.BaseStream.WriteAsync(body);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        var timestamp = output.Split('\n').Single(l => l.StartsWith("x-zm-request-timestamp: ", StringComparison.Ordinal))["x-zm-request-timestamp: ".Length..].Trim();
        var signature = output.Split('\n').Single(l => l.StartsWith("x-zm-signature: ", StringComparison.Ordinal))["x-zm-signature: ".Length..].Trim();
        Assert.Contains("curl", output, StringComparison.Ordinal);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        content.Headers.Add("x-zm-request-timestamp", timestamp);
        content.Headers.Add("x-zm-signature", signature);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.PostAsync("/webhooks/zoom", content)).StatusCode);
    }

    [Fact]
    public async Task Validate_passes_against_qmhub_and_fails_with_a_reason_against_a_wrong_answer()
    {
        await using var server = await RunningServer.StartAsync();
        var good = await QmHubProcess.RunAsync(null, "simulate", "--validate", "--url", new Uri(server.Client.BaseAddress!, "/webhooks/zoom").ToString(), "--secret", RunningServer.Secret);
        Assert.True(good.ExitCode == 0, good.Describe());
        Assert.Contains("OK", good.Stdout, StringComparison.Ordinal);

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var wrong = builder.Build();
        wrong.MapPost("/webhooks/zoom", () => Results.Json(new { plainToken = "abc", encryptedToken = "not-the-hmac" }));
        await wrong.StartAsync();

        var bad = await QmHubProcess.RunAsync(null, "simulate", "--validate", "--url", wrong.Urls.First() + "/webhooks/zoom", "--secret", RunningServer.Secret);

        Assert.True(bad.ExitCode == 1, bad.Describe());
        Assert.Contains("FAILED", bad.Stdout, StringComparison.Ordinal);

        // Flags about sending would do nothing with --validate: said, not ignored.
        var mixed = await QmHubProcess.RunAsync(null, "simulate", "--validate", "--url", wrong.Urls.First() + "/webhooks/zoom", "--secret", RunningServer.Secret,
            "--count", "5", "--out", "v.ndjson");
        Assert.True(mixed.ExitCode == 2, mixed.Describe());
        Assert.Contains("--validate only performs the URL validation handshake; drop --count, --out", mixed.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_fills_a_fresh_database_and_prints_a_working_key()
    {
        using var dir = new TempDirectory();
        var port = CrashTests.FreePort();

        var run = await QmHubProcess.RunAsync(null, "demo", "--db", dir.File("demo.db"), "--urls", $"http://127.0.0.1:{port}", "--days", "1", "--exit-after-load");

        Assert.True(run.ExitCode == 0, run.Describe());
        var key = run.Stdout.Split('\n').Single(l => l.TrimStart().StartsWith("API key:", StringComparison.Ordinal)).Split(':')[1].Trim();
        Assert.StartsWith("qmh_", key, StringComparison.Ordinal);
        Assert.Contains($"Dashboard:  http://127.0.0.1:{port}/ ", run.Stdout, StringComparison.Ordinal);
        Assert.True(await ServeTests.CountAsync(dir.File("demo.db"), "SELECT count(*) FROM interactions") > 100);
        Assert.True(await ServeTests.CountAsync(dir.File("demo.db"), "SELECT count(*) FROM evaluations") > 50);
        Assert.Equal(1, await ServeTests.CountAsync(dir.File("demo.db"), "SELECT count(*) FROM api_keys WHERE scope = 'admin'"));
    }
}
