using Microsoft.AspNetCore.Http;
using QmHub.Zoom.Models;
using QmHub.Zoom.Parsing;

namespace QmHub.Zoom.AspNetCore;

/// <summary>
/// What an application does with authentic deliveries. Override the per-event methods; a valid event is
/// answered 200 with the event as body once the method has completed. Override
/// <see cref="OnInvalidEventAsync"/> to take over authentic deliveries that fail validation, or
/// <see cref="HandleAsync"/> to take over everything.
/// </summary>
public abstract class ZoomWebhookHandler
{
    /// <summary>Dispatches a verified delivery (URL-validation challenges never reach here) and produces the HTTP answer.</summary>
    public virtual async Task<IResult> HandleAsync(ZoomWebhookDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var parsed = delivery.Parsed;
        // Only a named event this library does not know is "unknown"; JSON that names no event at all is invalid.
        if (parsed.IsJson && parsed.Kind == ZoomEventKind.Unknown && !string.IsNullOrEmpty(parsed.EventName))
        {
            return await OnUnknownEventAsync(delivery, cancellationToken);
        }

        switch (parsed.Event)
        {
            case InteractionAnalysisCompletedEvent e:
                await OnInteractionAnalysisCompletedAsync(delivery, e, cancellationToken);
                return ZoomWebhookResults.Acknowledge(delivery.Body);
            case EvaluationCompletedEvent e:
                await OnEvaluationCompletedAsync(delivery, e, cancellationToken);
                return ZoomWebhookResults.Acknowledge(delivery.Body);
            default:
                return await OnInvalidEventAsync(delivery, cancellationToken);
        }
    }

    /// <summary>Called for a valid <c>quality_management.interaction_analysis_completed</c>.</summary>
    protected virtual Task OnInteractionAnalysisCompletedAsync(ZoomWebhookDelivery delivery, InteractionAnalysisCompletedEvent zoomEvent, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    /// <summary>Called for a valid <c>quality_management.evaluation_completed</c>.</summary>
    protected virtual Task OnEvaluationCompletedAsync(ZoomWebhookDelivery delivery, EvaluationCompletedEvent zoomEvent, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    /// <summary>
    /// Called for authentic JSON that is no known event by name or shape. By default it is acknowledged
    /// (200, echoed) so that Zoom does not retry an event this application does not subscribe to.
    /// </summary>
    protected virtual Task<IResult> OnUnknownEventAsync(ZoomWebhookDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return Task.FromResult(ZoomWebhookResults.Acknowledge(delivery.Body));
    }

    /// <summary>
    /// Called for an authentic delivery that is not JSON (default answer 400) or fails validation
    /// (default answer 422), with the findings in the problem details.
    /// </summary>
    protected virtual Task<IResult> OnInvalidEventAsync(ZoomWebhookDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return Task.FromResult(ZoomWebhookResults.Invalid(delivery.Parsed));
    }
}
