using System.Diagnostics;
using Microsoft.Extensions.Options;
using QmHub.Hosting;
using QmHub.Storage;
using QmHub.Storage.Model;

namespace QmHub.Ingest;

/// <summary>
/// Knows whether the database is taking writes and moves the spool into it. After a failed commit the ingest
/// writer spools instead of trying the database; this service probes the database (with a short timeout) until it
/// answers, declares it available again, and drains the spool into it oldest first, a batch per transaction.
/// A batch is dropped from the spool only after its transaction committed; a crash in between re-sends it, which
/// the store's deduplication by body hash makes harmless, so every spooled delivery is stored exactly once.
/// </summary>
public sealed partial class SpoolDrainer : BackgroundService
{
    /// <summary>How long a probe of the database may take before the database counts as unavailable.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan IdleWait = TimeSpan.FromSeconds(1);

    private readonly IQmStore _store;
    private readonly DeliverySpool _spool;
    private readonly IngestMetrics _metrics;
    private readonly ILogger<SpoolDrainer> _logger;
    private readonly int _maxBatch;
    private readonly SemaphoreSlim _spooled = new(0, 1);
    private readonly SemaphoreSlim _probeGate = new(1, 1);
    private long _probedAt; // Stopwatch timestamp of the last probe RecentProbeAsync made; 0 before the first
    private bool _probed;
    private readonly FailureThrottle _drainFailures = new(TimeSpan.FromMinutes(1), TimeProvider.System);
    private readonly FailureThrottle _readFailures = new(TimeSpan.FromMinutes(1), TimeProvider.System);
    private volatile bool _storeAvailable = true;

    /// <summary>Creates the drainer.</summary>
    public SpoolDrainer(IQmStore store, DeliverySpool spool, IOptions<QmHubOptions> options, IngestMetrics metrics, ILogger<SpoolDrainer> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _spool = spool;
        _metrics = metrics;
        _logger = logger;
        _maxBatch = options.Value.MaxBatchSize;
        metrics.StoreAvailable.Set(1);
        UpdateSpoolMetrics();
        if (spool.DroppedTailBytes > 0)
        {
            LogTornTail(logger, spool.DroppedTailBytes, spool.Directory);
        }
    }

    /// <summary>Whether the ingest writer should try the database (false from a failure until a probe succeeds).</summary>
    public bool StoreAvailable => _storeAvailable;

    /// <summary>Records that a write to the database failed: deliveries go to the spool until a probe succeeds.</summary>
    public void StoreFailed()
    {
        if (_storeAvailable)
        {
            _storeAvailable = false;
            _metrics.StoreAvailable.Set(0);
            LogStoreUnavailable(_logger, _store.Description);
        }
    }

    /// <summary>Tells the drainer that deliveries were spooled.</summary>
    public void Spooled()
    {
        UpdateSpoolMetrics();
        // One writer calls this, so the check and the release cannot race another release.
        if (_spooled.CurrentCount == 0)
        {
            _spooled.Release();
        }
    }

    /// <summary>
    /// The outcome of a probe at most <paramref name="maxAge"/> old, probing when there is none: readiness checks
    /// from any number of callers commit at most one write per <paramref name="maxAge"/> (the probe writes).
    /// </summary>
    public async Task<bool> RecentProbeAsync(TimeSpan maxAge, CancellationToken cancellationToken)
    {
        await _probeGate.WaitAsync(cancellationToken);
        try
        {
            if (_probedAt == 0 || Stopwatch.GetElapsedTime(_probedAt) > maxAge)
            {
                _probed = await ProbeAsync(cancellationToken);
                _probedAt = Stopwatch.GetTimestamp();
            }

            return _probed;
        }
        finally
        {
            _probeGate.Release();
        }
    }

    /// <summary>Probes the database with <see cref="ProbeTimeout"/>; a failed probe marks it unavailable.</summary>
    public async Task<bool> ProbeAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        bool writable;
        try
        {
            writable = await _store.IsWritableAsync(timeout.Token).WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            writable = false;
        }

        if (!writable)
        {
            StoreFailed();
        }

        return writable;
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _spooled.Dispose();
        _probeGate.Dispose();
        base.Dispose();
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (!_storeAvailable)
                {
                    if (!await ProbeAsync(stoppingToken))
                    {
                        await Task.Delay(RetryDelay, stoppingToken);
                        continue;
                    }

                    _storeAvailable = true;
                    _metrics.StoreAvailable.Set(1);
                    LogStoreAvailable(_logger, _store.Description, _spool.Depth);
                }

                if (_spool.Depth == 0)
                {
                    await _spooled.WaitAsync(IdleWait, stoppingToken);
                    continue;
                }

                bool drained;
                try
                {
                    drained = await DrainBatchAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
                {
                    // A failing spool disk must not stop the host: the records stay where they are for the next attempt.
                    if (_readFailures.ShouldLog(out var skipped))
                    {
                        LogSpoolReadFailed(_logger, ex, _spool.Directory, skipped);
                    }

                    drained = false;
                }

                if (!drained)
                {
                    await Task.Delay(RetryDelay, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: what is left in the spool is drained by the next start.
        }
    }

    private async Task<bool> DrainBatchAsync(CancellationToken stoppingToken)
    {
        var chunk = await _spool.ReadNextAsync(_maxBatch, stoppingToken);
        var events = chunk.Deliveries.Select(d => IncomingEvent.FromBody(d.Body, d.ReceivedAt, d.TrackingId, d.SecretName)).ToList();
        try
        {
            // Not stoppingToken: a transaction under way finishes, so that the spool can be advanced past it.
            await _store.AppendAsync(events, CancellationToken.None);
        }
#pragma warning disable CA1031 // Any failure of the store leaves the batch in the spool for the next attempt.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (_drainFailures.ShouldLog(out var skipped))
            {
                LogDrainFailed(_logger, ex, events.Count, _store.Description, skipped);
            }

            await ProbeAsync(stoppingToken);
            return false;
        }

        await _spool.AdvanceAsync(chunk, CancellationToken.None);
        _metrics.SpoolDrained.Inc(events.Count);
        UpdateSpoolMetrics();
        if (_spool.Depth == 0)
        {
            LogDrained(_logger, _spool.Directory);
        }

        return true;
    }

    private void UpdateSpoolMetrics()
    {
        _metrics.SpoolDepth.Set(_spool.Depth);
        _metrics.SpoolBytes.Set(_spool.Bytes);
    }

    [LoggerMessage(EventId = 110, Level = LogLevel.Warning, Message = "{Store} is not taking writes; deliveries are spooled until it answers again")]
    private static partial void LogStoreUnavailable(ILogger logger, string store);

    [LoggerMessage(EventId = 111, Level = LogLevel.Information, Message = "{Store} is taking writes again; draining {Depth} spooled deliveries")]
    private static partial void LogStoreAvailable(ILogger logger, string store, long depth);

    [LoggerMessage(EventId = 112, Level = LogLevel.Warning, Message = "Draining {Count} spooled deliveries into {Store} failed; they stay in the spool ({Skipped} more such failures since the last logged one; logged at most once a minute)")]
    private static partial void LogDrainFailed(ILogger logger, Exception exception, int count, string store, int skipped);

    [LoggerMessage(EventId = 115, Level = LogLevel.Error, Message = "Reading or advancing spool {Directory} failed; retrying ({Skipped} more such failures since the last logged one; logged at most once a minute)")]
    private static partial void LogSpoolReadFailed(ILogger logger, Exception exception, string directory, int skipped);

    [LoggerMessage(EventId = 113, Level = LogLevel.Information, Message = "Spool {Directory} drained")]
    private static partial void LogDrained(ILogger logger, string directory);

    [LoggerMessage(EventId = 114, Level = LogLevel.Warning, Message = "Cut off a torn tail of {Bytes} bytes in spool {Directory}: a write interrupted before it was acknowledged")]
    private static partial void LogTornTail(ILogger logger, long bytes, string directory);
}
