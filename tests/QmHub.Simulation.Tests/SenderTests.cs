using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace QmHub.Simulation.Tests;

public sealed class SenderTests(ZoomReceiverFixture receiver) : IClassFixture<ZoomReceiverFixture>
{
    private static readonly HttpClient Http = new();

    private static RetrySchedule Quick(int retries) => new(Enumerable.Repeat(TimeSpan.FromMilliseconds(20), retries).ToArray());

    [Fact]
    public async Task Every_fault_kind_gets_the_answer_a_verifying_receiver_gives()
    {
        var faults = new FaultRates { DuplicatePercent = 8, OutOfOrderPercent = 8, EvaluationBeforeInteractionPercent = 8, InvalidPayloadPercent = 8, BadSignaturePercent = 8, StaleTimestampPercent = 8 };
        var deliveries = ContactCenterSimulator.Generate(GenerationTests.Options(seed: 99, count: 600, faults: faults)).ToList();
        var sender = new ZoomDeliverySender(Http, new DeliverySenderOptions
        {
            Url = receiver.WebhookUrl,
            SecretToken = ZoomReceiverFixture.Secret,
            Retry = RetrySchedule.None,
            MaxConcurrency = 4,
            RequestTimeout = TimeSpan.FromSeconds(30),
            KeepOutcomes = true,
        });

        var summary = await sender.SendAsync(deliveries);

        var outcomes = summary.Outcomes.ToDictionary(o => o.Sequence);
        foreach (var d in deliveries)
        {
            var expected = d.Fault.HasFlag(DeliveryFault.BadSignature) || d.Fault.HasFlag(DeliveryFault.StaleTimestamp) ? 401
                : d.Fault.HasFlag(DeliveryFault.InvalidPayload) ? 422
                : 200;
            Assert.True(expected == outcomes[d.Sequence].StatusCode, $"delivery {d.Sequence} ({d.Fault}) answered {outcomes[d.Sequence].StatusCode}, expected {expected}");
        }

        Assert.Equal(600, summary.Sent);
        Assert.Equal(0, summary.Unexpected);
        Assert.Equal(deliveries.Count(d => d.ExpectAcknowledged), summary.Acknowledged);
        Assert.Equal(deliveries.Count(d => !d.ExpectAcknowledged), summary.RejectedByStatus.Values.Sum());
        Assert.True(summary.RejectedByStatus[401] > 0 && summary.RejectedByStatus[422] > 0);
        Assert.True(deliveries.Count(d => d.Fault == DeliveryFault.Duplicate) > 10);

        // Duplicates are acknowledged, and a receiver that deduplicates by body hash stores each body once.
        var acknowledgedBodies = deliveries.Where(d => d.ExpectAcknowledged).Select(d => Convert.ToBase64String(d.Body.Span)).ToList();
        Assert.True(acknowledgedBodies.Count > acknowledgedBodies.Distinct().Count());
        Assert.True(receiver.Store.Stored >= acknowledgedBodies.Distinct().Count());
        Assert.True(summary.LatencyP50 > TimeSpan.Zero && summary.LatencyP99 >= summary.LatencyP50);
        Assert.Equal(deliveries.Count(d => d.Fault.HasFlag(DeliveryFault.StaleTimestamp) && !d.Fault.HasFlag(DeliveryFault.Duplicate)),
            summary.Faults.Single(f => f.Fault == DeliveryFault.StaleTimestamp).Count);
    }

    [Theory]
    [InlineData(2, 3)] // acknowledged at the third attempt
    [InlineData(5, 3)] // out of retries
    public async Task Retries_count_correctly_against_an_endpoint_that_fails_the_first_attempts(int failures, int retries)
    {
        var flaky = new FlakyEndpoint(failures);
        await using var app = await LoopbackApp.StartAsync(_ => { }, a => a.MapPost("/hook", flaky.HandleAsync));
        var deliveries = ContactCenterSimulator.Generate(GenerationTests.Options(count: 10)).ToList();
        var sender = new ZoomDeliverySender(Http, new DeliverySenderOptions
        {
            Url = app.Url("/hook"),
            SecretToken = "s",
            Retry = Quick(retries),
            RequestTimeout = TimeSpan.FromSeconds(30),
        });

        var summary = await sender.SendAsync(deliveries);

        var attemptsEach = failures <= retries ? failures + 1 : retries + 1;
        Assert.Equal(10, summary.Sent);
        Assert.Equal(10 * attemptsEach, summary.Attempts);
        Assert.Equal(10 * (attemptsEach - 1), summary.Retries);
        Assert.Equal(10 * Math.Min(failures, attemptsEach), summary.AnswersByStatus[503]);
        if (failures <= retries)
        {
            Assert.Equal(10, summary.Acknowledged);
            Assert.Empty(summary.RejectedByStatus);
        }
        else
        {
            Assert.Equal(0, summary.Acknowledged);
            Assert.Equal(10, summary.RejectedByStatus[503]);
        }

        Assert.Equal(10 * attemptsEach, flaky.Requests.Count);
    }

    [Fact]
    public async Task Requests_carry_zooms_headers_and_retries_are_signed_afresh()
    {
        var flaky = new FlakyEndpoint(1);
        await using var app = await LoopbackApp.StartAsync(_ => { }, a => a.MapPost("/hook", flaky.HandleAsync));
        var delivery = ContactCenterSimulator.Generate(GenerationTests.Options(count: 1)).Single();
        var sender = new ZoomDeliverySender(Http, new DeliverySenderOptions
        {
            Url = app.Url("/hook"),
            SecretToken = "s",
            Retry = new RetrySchedule([TimeSpan.FromSeconds(1.1)]),
            RequestTimeout = TimeSpan.FromSeconds(30),
        });

        var summary = await sender.SendAsync([delivery]);

        Assert.Equal(1, summary.Acknowledged);
        var requests = flaky.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.NotEqual(requests[0].Timestamp, requests[1].Timestamp);
        Assert.NotEqual(requests[0].Headers["x-zm-signature"], requests[1].Headers["x-zm-signature"]);
        foreach (var (trackingId, _, headers) in requests)
        {
            Assert.Equal(delivery.TrackingId, trackingId);
            Assert.Equal("application/json; charset=utf-8", headers.ContentType);
            Assert.Equal("Zoom Marketplace/1.0a", headers.UserAgent);
            Assert.StartsWith("v0=", headers["x-zm-signature"].ToString(), StringComparison.Ordinal);
            Assert.Equal(delivery.Body.Length, headers.ContentLength);
        }
    }

    [Fact]
    public async Task Sending_keeps_to_the_rate_and_reports_progress_to_the_end()
    {
        var deliveries = ContactCenterSimulator.Generate(GenerationTests.Options(count: 30)).ToList();
        var reports = new List<SimulationProgress>();
        var sender = new ZoomDeliverySender(Http, new DeliverySenderOptions
        {
            Url = receiver.WebhookUrl,
            SecretToken = ZoomReceiverFixture.Secret,
            RatePerSecond = 60,
            ProgressInterval = TimeSpan.FromMilliseconds(50),
            RequestTimeout = TimeSpan.FromSeconds(30),
        });
        var stopwatch = Stopwatch.StartNew();

        var summary = await sender.SendAsync(deliveries, new SynchronousProgress(reports), total: 30);

        Assert.True(stopwatch.Elapsed >= TimeSpan.FromSeconds(29 / 60.0 * 0.95), $"30 deliveries at 60/s took {stopwatch.Elapsed}");
        Assert.Equal(30, summary.Acknowledged);
        Assert.True(reports.Count >= 2);
        var last = reports[^1];
        Assert.Equal((30L, 30L, 30L, 0L, 30L), (last.Started, last.Completed, last.Acknowledged, last.Failed, last.Total ?? 0));
    }

    [Fact]
    public async Task An_unreachable_endpoint_counts_as_network_failures_and_is_retried()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now
        var sender = new ZoomDeliverySender(Http, new DeliverySenderOptions
        {
            Url = new Uri($"http://127.0.0.1:{port}/webhooks/zoom"),
            SecretToken = "s",
            Retry = Quick(2),
        });

        var summary = await sender.SendAsync(ContactCenterSimulator.Generate(GenerationTests.Options(count: 3)), total: 3);

        Assert.Equal((3L, 0L, 3L, 9L, 6L), (summary.Sent, summary.Acknowledged, summary.NetworkFailures, summary.Attempts, summary.Retries));
        Assert.Empty(summary.AnswersByStatus);
        var reason = Assert.Single(summary.NetworkFailureReasons);
        Assert.Equal(3, reason.Value);
        Assert.Contains("refused", reason.Key, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_receiver_slower_than_the_timeout_counts_in_the_latency_and_says_why()
    {
        // Accepts connections and never answers.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var sender = new ZoomDeliverySender(Http, new DeliverySenderOptions
        {
            Url = new Uri($"http://127.0.0.1:{port}/webhooks/zoom"),
            SecretToken = "s",
            Retry = RetrySchedule.None,
            RequestTimeout = TimeSpan.FromMilliseconds(300),
        });

        var summary = await sender.SendAsync(ContactCenterSimulator.Generate(GenerationTests.Options(count: 2)), total: 2);

        Assert.Equal(2, summary.NetworkFailures);
        Assert.Equal(new Dictionary<string, long> { ["no answer within 0.3 s"] = 2 }, summary.NetworkFailureReasons);
        // Timers may fire a millisecond early against the stopwatch; before, the percentiles left timed-out attempts out (0 ms).
        Assert.True(summary.LatencyP50 >= TimeSpan.FromMilliseconds(250), $"p50 {summary.LatencyP50}");
    }

    [Fact]
    public async Task Canceling_a_run_returns_the_summary_so_far_marked_canceled()
    {
        var flaky = new FlakyEndpoint(failures: 100);
        await using var app = await LoopbackApp.StartAsync(_ => { }, a => a.MapPost("/hook", flaky.HandleAsync));
        var sender = new ZoomDeliverySender(Http, new DeliverySenderOptions
        {
            Url = app.Url("/hook"),
            SecretToken = "s",
            Retry = RetrySchedule.Zoom, // the first retry would wait 5 minutes
            RequestTimeout = TimeSpan.FromSeconds(30),
            ProgressInterval = TimeSpan.Zero,
        });
        using var stop = new CancellationTokenSource();
        var allWaiting = new TaskCompletionSource();
        var progress = new CallbackProgress(p =>
        {
            if (p.WaitingForRetry == 5)
            {
                allWaiting.TrySetResult();
            }
        });
        var run = sender.SendAsync(ContactCenterSimulator.Generate(GenerationTests.Options(count: 5)), progress, cancellationToken: stop.Token);
        await allWaiting.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await stop.CancelAsync();
        var summary = await run;

        Assert.True(summary.Canceled);
        Assert.Equal((5L, 0L, 5L, 0L), (summary.Sent, summary.Acknowledged, summary.Failed, summary.Retries));
        Assert.Equal(5, summary.AnswersByStatus[503]);
    }

    [Fact]
    public void Sender_options_out_of_range_are_rejected_naming_each_setting()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ZoomDeliverySender(Http, new DeliverySenderOptions
        {
            Url = new Uri("ftp://example.test/"),
            SecretToken = "",
            MaxConcurrency = 0,
        }));

        Assert.Contains("Url", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SecretToken", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MaxConcurrency", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("zoom", "5 min, 20 min, 60 min")]
    [InlineData("compressed", "5 s, 20 s, 1 min")]
    [InlineData("compressed:300", "1 s, 4 s, 12 s")]
    [InlineData("250ms, 2s,1m", "250 ms, 2 s, 1 min")]
    [InlineData("none", "none")]
    public void Retry_schedules_parse_from_command_line_text(string text, string expected) =>
        Assert.Equal(expected, RetrySchedule.Parse(text).ToString());

    private sealed class CallbackProgress(Action<SimulationProgress> callback) : IProgress<SimulationProgress>
    {
        public void Report(SimulationProgress value) => callback(value);
    }

    /// <summary>Records reports on the reporting thread (Progress&lt;T&gt; would post them later).</summary>
    private sealed class SynchronousProgress(List<SimulationProgress> reports) : IProgress<SimulationProgress>
    {
        public void Report(SimulationProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
