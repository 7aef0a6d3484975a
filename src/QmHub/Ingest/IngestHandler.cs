using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using QmHub.Hosting;
using QmHub.Storage.Model;
using QmHub.Zoom.AspNetCore;

namespace QmHub.Ingest;

/// <summary>
/// QmHub's handler of verified deliveries: every one goes to the event log, valid or not; the answer
/// waits for the commit (or, while the database is down, for the fsync of the spool). Authentic but invalid deliveries are quarantined and answered 200, since a
/// retry of the same bytes would add nothing.
/// </summary>
public sealed partial class IngestHandler(IngestPipeline pipeline, IOptions<QmHubOptions> options, ILogger<IngestHandler> logger) : ZoomWebhookHandler
{
    internal const string OutcomeKey = "qmhub.outcome";

    /// <inheritdoc />
    public override async Task<IResult> HandleAsync(ZoomWebhookDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var incoming = IncomingEvent.FromBody(delivery.Body, delivery.ReceivedAt, delivery.TrackingId,
            delivery.Verification.MatchedSecret?.Name, delivery.Parsed);
        var commit = pipeline.TryEnqueue(incoming);
        var items = delivery.HttpContext.Items;
        if (commit is null)
        {
            items[OutcomeKey] = "unavailable";
            LogQueueFull(logger);
            return Unavailable("QmHub's ingest queue is full (the database is not keeping up); retry after the indicated delay.");
        }

        IngestAck ack;
        try
        {
            // Not the request's token: the commit (or spool write) goes on if the client leaves. But never past the ack deadline.
            ack = await commit.WaitAsync(TimeSpan.FromSeconds(options.Value.AckTimeoutSeconds), CancellationToken.None);
        }
        catch (StoreUnavailableException)
        {
            items[OutcomeKey] = "unavailable";
            return Unavailable("QmHub could neither commit the delivery to its database nor write it to its spool; it was not stored. Retry after the indicated delay.");
        }
        catch (TimeoutException)
        {
            items[OutcomeKey] = "unavailable";
            LogAckTimeout(logger, options.Value.AckTimeoutSeconds);
            return Unavailable($"The database did not commit the delivery within {options.Value.AckTimeoutSeconds} s (AckTimeoutSeconds); it may still be stored, and a retry is deduplicated.");
        }

        var outcome = ack.Stored switch
        {
            null => "spooled",
            { Duplicate: true } => "duplicate",
            _ => ack.Status.Name(),
        };
        items[OutcomeKey] = outcome;
        if (ack.Status == EventStatus.Quarantined)
        {
            var errors = ack.Findings.Where(f => f.Severity == Zoom.Parsing.FindingSeverity.Error).Select(f => f.ToString()).ToArray();
            return Results.Json(new QuarantineAnswer(EventStatusNames.Quarantined, ack.Stored?.EventId, errors), IngestJsonContext.Default.QuarantineAnswer);
        }

        return ZoomWebhookResults.Acknowledge(delivery.Body);
    }

    private RetryAfterResult Unavailable(string detail)
    {
        var retryAfter = options.Value.RetryAfterSeconds;
        return new RetryAfterResult(retryAfter, Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service unavailable", detail: detail));
    }

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Ingest queue full; answering 503 with Retry-After")]
    private static partial void LogQueueFull(ILogger logger);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "A commit took longer than the ack deadline of {Seconds} s; answering 503 with Retry-After")]
    private static partial void LogAckTimeout(ILogger logger, double seconds);

    private sealed class RetryAfterResult(int seconds, IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(httpContext);
        }
    }
}

/// <summary>The answer to a quarantined delivery (no event id while it waits in the spool).</summary>
public sealed record QuarantineAnswer(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("event_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? EventId,
    [property: JsonPropertyName("errors")] IReadOnlyList<string> Errors);

[JsonSerializable(typeof(QuarantineAnswer))]
internal sealed partial class IngestJsonContext : JsonSerializerContext;
