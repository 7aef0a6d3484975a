using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace QmHub.Simulation;

/// <summary>
/// POSTs deliveries as Zoom does: compact body, Zoom's headers, a fresh signature on every attempt; at a
/// steady rate with bounded concurrency; retrying what was not acknowledged (non-2xx, network error or
/// timeout) on <see cref="DeliverySenderOptions.Retry"/>. One sender can run several times.
/// </summary>
public sealed class ZoomDeliverySender
{
    private readonly HttpClient _http;
    private readonly DeliverySenderOptions _options;
    private readonly TimeProvider _time;
    private readonly DeliverySigner _signer;

    /// <summary>Creates a sender.</summary>
    /// <param name="http">The client to send with (not disposed here); its own timeout should exceed <see cref="DeliverySenderOptions.RequestTimeout"/>.</param>
    /// <param name="options">Where and how to send.</param>
    /// <param name="timeProvider">The clock for signatures, pacing and retry waits; <see cref="TimeProvider.System"/> by default.</param>
    /// <exception cref="ArgumentException">An option is out of range; the message names every such setting.</exception>
    public ZoomDeliverySender(HttpClient http, DeliverySenderOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid sender options: " + string.Join(" ", errors), nameof(options));
        }

        _http = http;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _signer = new DeliverySigner(options.SecretToken, _time) { StaleBy = options.StaleBy, ApplyFaults = options.ApplySigningFaults };
    }

    /// <summary>Sends every delivery and waits until each is acknowledged or out of retries.</summary>
    /// <param name="deliveries">The deliveries, in send order.</param>
    /// <param name="progress">Receives a report at most every <see cref="DeliverySenderOptions.ProgressInterval"/>, and a last one at the end.</param>
    /// <param name="total">How many deliveries there are, when known, for the progress bar.</param>
    /// <param name="cancellationToken">Stops sending and waiting for retries; the summary then has <see cref="DeliveryRunSummary.Canceled"/> set and counts what was unfinished as failed.</param>
    public Task<DeliveryRunSummary> SendAsync(IEnumerable<SimulatedDelivery> deliveries, IProgress<SimulationProgress>? progress = null, long? total = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        return SendAsync(AsAsync(deliveries, cancellationToken), progress, total, cancellationToken);
    }

    /// <inheritdoc cref="SendAsync(IEnumerable{SimulatedDelivery}, IProgress{SimulationProgress}?, long?, CancellationToken)"/>
    public async Task<DeliveryRunSummary> SendAsync(IAsyncEnumerable<SimulatedDelivery> deliveries, IProgress<SimulationProgress>? progress = null, long? total = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        var run = new RunState(this, progress, total);
        using var slots = new SemaphoreSlim(_options.MaxConcurrency);
        var inFlight = new List<Task>();
        var canceled = false;
        try
        {
            await StartAllAsync(deliveries, slots, run, inFlight, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            canceled = true;
        }

        // Every attempt ends before the semaphore goes; canceled ones end quickly.
        try
        {
            await Task.WhenAll(inFlight);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            canceled = true;
        }

        return run.Finish(canceled);
    }

    /// <summary>Paces first attempts to the rate and starts each delivery once a slot is free.</summary>
    private async Task StartAllAsync(IAsyncEnumerable<SimulatedDelivery> deliveries, SemaphoreSlim slots, RunState run, List<Task> inFlight, CancellationToken cancellationToken)
    {
        long index = 0;
        await foreach (var delivery in deliveries.WithCancellation(cancellationToken))
        {
            if (_options.RatePerSecond > 0)
            {
                var due = TimeSpan.FromSeconds(index / _options.RatePerSecond) - run.Elapsed;
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, _time, cancellationToken);
                }
            }

            index++;
            await slots.WaitAsync(cancellationToken);
            run.Tally(delivery);
            inFlight.Add(DeliverAsync(delivery, slots, run, cancellationToken));
            if (inFlight.Count >= 4096)
            {
                inFlight.RemoveAll(t => t.IsCompletedSuccessfully);
            }
        }
    }

    /// <summary>
    /// What a receiver that verifies as Zoom signs should answer: a signing fault is expected to be refused only when this
    /// run applies it (a replay re-signs every delivery correctly), and an invalid payload to be acknowledged by a
    /// receiver that keeps such deliveries (QmHub quarantines them and answers 200).
    /// </summary>
    private bool ExpectAcknowledged(SimulatedDelivery delivery)
    {
        if (_options.ApplySigningFaults && (delivery.Fault & (DeliveryFault.BadSignature | DeliveryFault.StaleTimestamp)) != DeliveryFault.None)
        {
            return false;
        }

        return (delivery.Fault & DeliveryFault.InvalidPayload) == DeliveryFault.None || _options.ReceiverKeepsInvalidPayloads;
    }

    private async Task DeliverAsync(SimulatedDelivery delivery, SemaphoreSlim slots, RunState run, CancellationToken cancellationToken)
    {
        // The caller acquired the slot for the first attempt; retries acquire their own.
        var attempt = 0;
        while (true)
        {
            if (attempt > 0)
            {
                await slots.WaitAsync(cancellationToken);
            }

            attempt++;
            AttemptResult result;
            try
            {
                result = await AttemptAsync(delivery, cancellationToken);
            }
            finally
            {
                slots.Release();
            }

            run.Answered(result, isRetry: attempt > 1);
            var acknowledged = result.StatusCode is >= 200 and < 300;
            if (acknowledged || attempt > _options.Retry.Delays.Count)
            {
                run.Completed(new DeliveryOutcome(delivery.Sequence, delivery.TrackingId, delivery.Fault, ExpectAcknowledged(delivery), result.StatusCode, attempt, result.Error));
                return;
            }

            run.WaitingForRetry(+1);
            try
            {
                await Task.Delay(_options.Retry.Delays[attempt - 1], _time, cancellationToken);
            }
            finally
            {
                run.WaitingForRetry(-1);
            }
        }
    }

    private async Task<AttemptResult> AttemptAsync(SimulatedDelivery delivery, CancellationToken cancellationToken)
    {
        // Started before the timeout is armed: an attempt that times out has waited at least RequestTimeout.
        var started = _time.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        using var request = _signer.Sign(delivery).ToRequest(_options.Url, delivery.Body);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            // Zoom ignores the answer's body; reading it lets the connection be reused.
            await response.Content.CopyToAsync(Stream.Null, timeout.Token);
            return new AttemptResult((int)response.StatusCode, _time.GetElapsedTime(started), null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Counted in the latency at the time it waited: a receiver slower than the timeout is the slowest there is.
            return new AttemptResult(null, _time.GetElapsedTime(started), $"no answer within {_options.RequestTimeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException ex)
        {
            return new AttemptResult(null, null, ex.HttpRequestError == HttpRequestError.Unknown ? ex.Message : $"{ex.HttpRequestError}: {ex.Message}");
        }
    }

    private static async IAsyncEnumerable<SimulatedDelivery> AsAsync(IEnumerable<SimulatedDelivery> deliveries, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var delivery in deliveries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return delivery;
        }

        await Task.CompletedTask;
    }

    private sealed record AttemptResult(int? StatusCode, TimeSpan? Latency, string? Error);

    /// <summary>The counters of one run; updated from many attempts at once.</summary>
    private sealed class RunState(ZoomDeliverySender sender, IProgress<SimulationProgress>? progress, long? total)
    {
        private readonly long _startedAt = sender._time.GetTimestamp();
        private readonly FaultTally _faults = new();
        private readonly ConcurrentQueue<double> _latencies = new();
        private readonly ConcurrentDictionary<string, long> _failureReasons = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<int, long> _answers = new();
        private readonly ConcurrentDictionary<int, long> _rejected = new();
        private readonly ConcurrentQueue<DeliveryOutcome> _outcomes = new();
        private readonly Lock _reportLock = new();
        private long _lastReport = long.MinValue;
        private long _started;
        private long _completed;
        private long _acknowledged;
        private long _networkFailures;
        private long _attempts;
        private long _retries;
        private long _waiting;
        private long _unexpected;

        public TimeSpan Elapsed => sender._time.GetElapsedTime(_startedAt);

        /// <summary>Called from the one sending loop, so the tally needs no lock.</summary>
        public void Tally(SimulatedDelivery delivery)
        {
            _faults.Add(delivery);
            Interlocked.Increment(ref _started);
            Report(force: false);
        }

        public void Answered(AttemptResult result, bool isRetry)
        {
            Interlocked.Increment(ref _attempts);
            if (isRetry)
            {
                Interlocked.Increment(ref _retries);
            }

            if (result.StatusCode is { } status)
            {
                _answers.AddOrUpdate(status, 1, (_, n) => n + 1);
            }

            if (result.Latency is { } latency)
            {
                _latencies.Enqueue(latency.TotalMilliseconds);
            }
        }

        public void WaitingForRetry(int change)
        {
            Interlocked.Add(ref _waiting, change);
            Report(force: false);
        }

        public void Completed(DeliveryOutcome outcome)
        {
            if (outcome.Acknowledged)
            {
                Interlocked.Increment(ref _acknowledged);
            }
            else if (outcome.StatusCode is { } status)
            {
                _rejected.AddOrUpdate(status, 1, (_, n) => n + 1);
            }
            else
            {
                Interlocked.Increment(ref _networkFailures);
                _failureReasons.AddOrUpdate(outcome.Error ?? "no answer", 1, (_, n) => n + 1);
            }

            if (outcome.Acknowledged != outcome.ExpectedAcknowledged)
            {
                Interlocked.Increment(ref _unexpected);
            }

            if (sender._options.KeepOutcomes)
            {
                _outcomes.Enqueue(outcome);
            }

            Interlocked.Increment(ref _completed);
            Report(force: false);
        }

        public DeliveryRunSummary Finish(bool canceled)
        {
            Report(force: true);
            var latencies = _latencies.ToArray();
            Array.Sort(latencies);
            return new DeliveryRunSummary
            {
                Sent = _started,
                Acknowledged = _acknowledged,
                RejectedByStatus = new SortedDictionary<int, long>(_rejected),
                NetworkFailures = _networkFailures,
                NetworkFailureReasons = new SortedDictionary<string, long>(_failureReasons, StringComparer.Ordinal),
                AnswersByStatus = new SortedDictionary<int, long>(_answers),
                Attempts = _attempts,
                Retries = _retries,
                Unexpected = _unexpected,
                LatencyP50 = Percentile(latencies, 0.50),
                LatencyP99 = Percentile(latencies, 0.99),
                Elapsed = Elapsed,
                Faults = _faults.Rates(),
                Outcomes = _outcomes.ToArray(),
                Canceled = canceled,
            };
        }

        private void Report(bool force)
        {
            if (progress is null)
            {
                return;
            }

            var now = sender._time.GetTimestamp();
            lock (_reportLock)
            {
                if (!force && _lastReport != long.MinValue && sender._time.GetElapsedTime(_lastReport, now) < sender._options.ProgressInterval)
                {
                    return;
                }

                _lastReport = now;
            }

            progress.Report(new SimulationProgress(
                Interlocked.Read(ref _started), Interlocked.Read(ref _completed), Interlocked.Read(ref _acknowledged),
                Interlocked.Read(ref _completed) - Interlocked.Read(ref _acknowledged), Interlocked.Read(ref _retries),
                Interlocked.Read(ref _waiting), total, Elapsed));
        }

        /// <summary>Nearest-rank percentile of sorted milliseconds.</summary>
        private static TimeSpan Percentile(double[] sorted, double p) =>
            sorted.Length == 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)]);
    }
}
