using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using QmHub.Hosting;
using QmHub.Storage;
using QmHub.Storage.Model;

namespace QmHub.Ingest;

/// <summary>
/// The bounded queue between the webhook endpoint and the database, and its single writer: it commits
/// whatever is waiting as one transaction (group commit), then completes each waiting request. A request
/// is answered 200 only after its transaction committed.
/// </summary>
public sealed partial class IngestPipeline : BackgroundService
{
    private readonly Channel<Pending> _queue;
    private readonly IQmStore _store;
    private readonly IngestMetrics _metrics;
    private readonly ILogger<IngestPipeline> _logger;
    private readonly int _maxBatch;

    /// <summary>Creates the pipeline.</summary>
    public IngestPipeline(IQmStore store, IOptions<QmHubOptions> options, IngestMetrics metrics, ILogger<IngestPipeline> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _metrics = metrics;
        _logger = logger;
        _maxBatch = options.Value.MaxBatchSize;
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
    public Task<AppendResult>? TryEnqueue(IncomingEvent incoming)
    {
        var pending = new Pending(incoming, new TaskCompletionSource<AppendResult>(TaskCreationOptions.RunContinuationsAsynchronously));
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
        var started = Stopwatch.GetTimestamp();
        try
        {
            var results = await _store.AppendAsync(events, CancellationToken.None);
            _metrics.CommitDuration.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
            _metrics.BatchSize.Observe(batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Completion.TrySetResult(results[i]);
            }
        }
#pragma warning disable CA1031 // Any failure of the store must reach every waiting request as a 503, never crash the writer.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogCommitFailed(_logger, ex, batch.Count, _store.Description);
            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(new StoreUnavailableException(ex));
            }
        }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Error, Message = "Committing a batch of {Count} deliveries to {Store} failed; they were answered 503 and Zoom will retry")]
    private static partial void LogCommitFailed(ILogger logger, Exception exception, int count, string store);

    private sealed record Pending(IncomingEvent Incoming, TaskCompletionSource<AppendResult> Completion);
}

/// <summary>The store could not commit; the delivery was not acknowledged.</summary>
public sealed class StoreUnavailableException(Exception inner) : Exception("The database could not commit the delivery.", inner);
