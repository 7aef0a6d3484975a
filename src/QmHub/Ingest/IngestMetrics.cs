using Prometheus;

namespace QmHub.Ingest;

/// <summary>Ingest's Prometheus metrics, in a registry of the server's own (several servers may share a process in tests).</summary>
public sealed class IngestMetrics
{
    /// <summary>Creates the metrics in <paramref name="registry"/>.</summary>
    public IngestMetrics(CollectorRegistry registry)
    {
        Registry = registry;
        var factory = Metrics.WithCustomRegistry(registry);
        // No exemplars: QmHub records no traces for them to point at, and looking for one cost every delivery a trace-context lookup.
        factory.ExemplarBehavior = ExemplarBehavior.NoExemplars();
        Deliveries = factory.CreateCounter("qmhub_deliveries_total", "Webhook deliveries by outcome.", "outcome");
        AckLatency = factory.CreateHistogram("qmhub_ack_latency_seconds", "Time from request start to the webhook answer.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0005, 2, 14), LabelNames = ["outcome"] });
        BatchSize = factory.CreateHistogram("qmhub_ingest_batch_size", "Deliveries committed per transaction.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(1, 2, 10) });
        CommitDuration = factory.CreateHistogram("qmhub_ingest_commit_seconds", "Duration of one batch transaction, fsync included.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0005, 2, 14) });
        QueueDepth = factory.CreateGauge("qmhub_ingest_queue_depth", "Deliveries waiting for the writer.");
        QueueCapacity = factory.CreateGauge("qmhub_ingest_queue_capacity", "Deliveries the queue holds at most.");
        SpoolDepth = factory.CreateGauge("qmhub_spool_depth", "Acknowledged deliveries waiting in the local spool for the database.");
        SpoolBytes = factory.CreateGauge("qmhub_spool_bytes", "Size of the local spool log on disk.");
        SpoolDrained = factory.CreateCounter("qmhub_spool_drained_total", "Spooled deliveries moved into the database.");
        StoreAvailable = factory.CreateGauge("qmhub_store_available", "1 while the database takes writes, 0 while deliveries go to the spool.");
    }

    /// <summary>The registry served at /metrics.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>Deliveries by outcome: accepted, duplicate, quarantined, spooled, url_validation, rejected_NNN, unavailable.</summary>
    public Counter Deliveries { get; }

    /// <summary>Answer latency of the webhook endpoint.</summary>
    public Histogram AckLatency { get; }

    /// <summary>Batch sizes.</summary>
    public Histogram BatchSize { get; }

    /// <summary>Commit durations.</summary>
    public Histogram CommitDuration { get; }

    /// <summary>Queue depth.</summary>
    public Gauge QueueDepth { get; }

    /// <summary>Queue capacity.</summary>
    public Gauge QueueCapacity { get; }

    /// <summary>Deliveries in the spool.</summary>
    public Gauge SpoolDepth { get; }

    /// <summary>Spool log size.</summary>
    public Gauge SpoolBytes { get; }

    /// <summary>Spooled deliveries drained.</summary>
    public Counter SpoolDrained { get; }

    /// <summary>Whether the database takes writes.</summary>
    public Gauge StoreAvailable { get; }
}
