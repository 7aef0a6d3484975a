using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using QmHub.Hosting;
using QmHub.Storage;
using QmHub.Storage.Model;

namespace QmHub.Ingest;

/// <summary>
/// The bounded queue between the webhook endpoint and the database, and its single writer: it commits
/// whatever is waiting as one transaction (group commit), then completes each waiting request. When the
/// database fails (or is known to be down) the batch is appended to the local spool and fsync'd instead, as
/// one write. A request is answered 200 only after its transaction committed or its spool write was fsync'd.
/// </summary>
public sealed partial class IngestPipeline : BackgroundService
{
    private readonly Channel<Pending> _queue;
    private readonly IQmStore _store;
    private readonly DeliverySpool _spool;
    private readonly SpoolDrainer _drainer;
    private readonly IngestMetrics _metrics;
    private readonly ILogger<IngestPipeline> _logger;
    private readonly int _maxBatch;
    private readonly TimeSpan _commitTimeout;
    private readonly FailureThrottle _commitFailures = new(TimeSpan.FromMinutes(1), TimeProvider.System);
    private readonly FailureThrottle _spoolFailures = new(TimeSpan.FromMinutes(1), TimeProvider.System);

    /// <summary>Creates the pipeline.</summary>
    public IngestPipeline(IQmStore store, DeliverySpool spool, SpoolDrainer drainer, IOptions<QmHubOptions> options, IngestMetrics metrics, ILogger<IngestPipeline> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _spool = spool;
        _drainer = drainer;
        _metrics = metrics;
        _logger = logger;
        _maxBatch = options.Value.MaxBatchSize;
        _commitTimeout = TimeSpan.FromSeconds(options.Value.CommitTimeoutSeconds);
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(options.Value.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        metrics.QueueCapacity.Set(options.Value.QueueCapacity);
    }

    /// <summary>
    /// Queues an event for the next commit. Returns <see langword="null"/> when the queue is full or the
    /// server is stopping: the caller answers 503 and Zoom retries.
    /// </summary>
    public Task<IngestAck>? TryEnqueue(IncomingEvent incoming)
    {
        var pending = new Pending(incoming, new TaskCompletionSource<IngestAck>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            return null;
        }

        _metrics.QueueDepth.Set(_queue.Reader.Count);
        return pending.Completion.Task;
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Stop taking new work, then let the writer commit everything already acknowledged-to-be.
        _queue.Writer.TryComplete();
        if (ExecuteTask is { } running)
        {
            await running.WaitAsync(cancellationToken);
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(_maxBatch);
        var events = new List<IncomingEvent>(_maxBatch);
        // Not stoppingToken: on shutdown the queue is completed and drained, never dropped.
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            batch.Clear();
            events.Clear();
            while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
                events.Add(pending.Incoming);
            }

            _metrics.QueueDepth.Set(_queue.Reader.Count);
            await CommitAsync(batch, events);
        }
    }

    private async Task CommitAsync(List<Pending> batch, List<IncomingEvent> events)
    {
        if (_drainer.StoreAvailable)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                // On a thread of its own: an engine that blocks inside the call (SQLite waiting on a lock) must not
                // keep the timeout below from firing.
                var append = Task.Run(() => _store.AppendAsync(events, CancellationToken.None));
                // A hung database must not hold the queue: past the timeout the batch is spooled, and should the
                // transaction still commit, the spooled copies are duplicates the store ignores when drained.
                _ = append.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                var results = await append.WaitAsync(_commitTimeout);
                _metrics.CommitDuration.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
                _metrics.BatchSize.Observe(batch.Count);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Completion.TrySetResult(IngestAck.Committed(results[i]));
                }

                return;
            }
#pragma warning disable CA1031 // Any failure of the store sends the batch to the spool, never crashes the writer.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                if (_commitFailures.ShouldLog(out var skipped))
                {
                    LogCommitFailed(_logger, ex, batch.Count, _store.Description, skipped);
                }

                _drainer.StoreFailed();
            }
        }

        await SpoolAsync(batch, events);
    }

    private async Task SpoolAsync(List<Pending> batch, List<IncomingEvent> events)
    {
        try
        {
            await _spool.AppendAsync(events.Select(e => new SpooledDelivery(e.ReceivedAt, e.TrackingId, e.SecretName, e.Body)).ToList(), CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (_spoolFailures.ShouldLog(out var skipped))
            {
                LogSpoolFailed(_logger, ex, batch.Count, _spool.Directory, skipped);
            }

            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(new StoreUnavailableException(ex));
            }

            return;
        }

        _drainer.Spooled();
        foreach (var pending in batch)
        {
            pending.Completion.TrySetResult(IngestAck.Spooled(pending.Incoming));
        }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Error, Message = "Committing a batch of {Count} deliveries to {Store} failed; they go to the spool ({Skipped} more such failures since the last logged one; logged at most once a minute)")]
    private static partial void LogCommitFailed(ILogger logger, Exception exception, int count, string store, int skipped);

    [LoggerMessage(EventId = 102, Level = LogLevel.Error, Message = "Spooling a batch of {Count} deliveries to {Directory} failed; they were answered 503 and Zoom will retry ({Skipped} more such failures since the last logged one; logged at most once a minute)")]
    private static partial void LogSpoolFailed(ILogger logger, Exception exception, int count, string directory, int skipped);

    private sealed record Pending(IncomingEvent Incoming, TaskCompletionSource<IngestAck> Completion);
}

/// <summary>What became of one delivery: committed to the database, or fsync'd to the spool to be stored later.</summary>
/// <param name="Stored">The store's result; <see langword="null"/> for a spooled delivery.</param>
/// <param name="Status">Accepted or quarantined (known from parsing for a spooled delivery).</param>
/// <param name="Findings">The validation findings.</param>
public sealed record IngestAck(AppendResult? Stored, EventStatus Status, IReadOnlyList<Zoom.Parsing.ValidationFinding> Findings)
{
    /// <summary>A delivery the database committed.</summary>
    public static IngestAck Committed(AppendResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new(result, result.Status, result.Findings);
    }

    /// <summary>A delivery the spool holds.</summary>
    public static IngestAck Spooled(IncomingEvent incoming)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        return new(null, incoming.Status, incoming.Parsed.Findings);
    }
}

/// <summary>Neither the store nor the spool could take the delivery; it was not acknowledged.</summary>
public sealed class StoreUnavailableException(Exception inner) : Exception("Neither the database nor the spool could take the delivery.", inner);
