using QmHub.Zoom.AspNetCore;
using QmHub.Zoom.Models;

namespace QmHub.Samples.Receiver;

/// <summary>Receives verified, typed Zoom QM events and logs what a QA team would look at.</summary>
public sealed partial class PrintingHandler(ILogger<PrintingHandler> logger) : ZoomWebhookHandler
{
    protected override Task OnInteractionAnalysisCompletedAsync(ZoomWebhookDelivery delivery, InteractionAnalysisCompletedEvent zoomEvent, CancellationToken cancellationToken)
    {
        var o = zoomEvent.Payload.Object;
        LogInteraction(o.InteractionInfo.InteractionId, o.QueueName, o.Duration, o.Summary?.SentimentScore);
        return Task.CompletedTask;
    }

    protected override Task OnEvaluationCompletedAsync(ZoomWebhookDelivery delivery, EvaluationCompletedEvent zoomEvent, CancellationToken cancellationToken)
    {
        var o = zoomEvent.Payload.Object;
        LogEvaluation(o.EvaluationId, o.InteractionId, o.EvaluationScoreRatio, o.EvaluationType?.Value);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Interaction {InteractionId} on queue {Queue}: {Duration} s, sentiment {Sentiment}")]
    private partial void LogInteraction(string interactionId, string? queue, long? duration, double? sentiment);

    [LoggerMessage(Level = LogLevel.Information, Message = "Evaluation {EvaluationId} of interaction {InteractionId}: ratio {Ratio} ({Type})")]
    private partial void LogEvaluation(string evaluationId, string? interactionId, double? ratio, string? type);
}
