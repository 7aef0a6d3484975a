using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using QmHub.Zoom.Models;
using QmHub.Zoom.Parsing;
using QmHub.Zoom.Signing;

namespace QmHub.Zoom.AspNetCore;

/// <summary>The request pipeline of one delivery: bound, verify, answer the challenge, parse, hand to the handler.</summary>
internal sealed partial class ZoomWebhookEndpoint(
    IOptions<ZoomWebhookOptions> options,
    ZoomSignatureVerifier verifier,
    TimeProvider timeProvider,
    ILogger<ZoomWebhookEndpoint> logger)
{
    private readonly ZoomWebhookOptions _options = options.Value;

    public async Task InvokeAsync(HttpContext context)
    {
        var result = await ProcessAsync(context, context.RequestAborted);
        await result.ExecuteAsync(context);
    }

    private async Task<IResult> ProcessAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (request.ContentLength > _options.MaxBodyBytes)
        {
            return TooLarge(request.ContentLength.Value);
        }

        if (!IsJson(request.ContentType))
        {
            LogRejected(logger, StatusCodes.Status415UnsupportedMediaType, "content type");
            return ZoomWebhookResults.Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type",
                $"Zoom webhooks are application/json; this request's Content-Type is '{request.ContentType ?? "(none)"}'.");
        }

        byte[]? body;
        try
        {
            body = await ReadBoundedAsync(request.BodyReader, _options.MaxBodyBytes, _options.BodyTimeout, cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogRejected(logger, StatusCodes.Status408RequestTimeout, "body timeout");
            context.Response.Headers.Connection = "close";
            return ZoomWebhookResults.Problem(StatusCodes.Status408RequestTimeout, "The body did not arrive in time",
                $"The request body was not complete within {_options.BodyTimeout.TotalSeconds:0.###} s; Zoom sends a delivery at once.");
        }

        if (body is null)
        {
            return TooLarge(null);
        }

        var verification = verifier.Verify(
            request.Headers[ZoomSignature.SignatureHeader].ToString(),
            request.Headers[ZoomSignature.TimestampHeader].ToString(),
            body);
        if (!verification.Succeeded)
        {
            // The caller is anonymous: the names of the configured secrets go to the log only.
            LogVerificationFailed(logger, verification.Failure, verification.BodyLength, verification.SkewSeconds, string.Join(", ", verification.TriedSecrets));
            return ZoomWebhookResults.Problem(StatusCodes.Status401Unauthorized, "The delivery is not authentic", verification.Message);
        }

        var parsed = ZoomEventParser.Parse(body);
        if (parsed.Event is UrlValidationEvent challenge && verification.MatchedSecret is { } secret)
        {
            // Answered under the secret that verified the challenge itself: with several Zoom apps, each gets its own answer.
            LogChallengeAnswered(logger, secret.Name);
            var answer = new UrlValidationResponse
            {
                PlainToken = challenge.Payload.PlainToken,
                EncryptedToken = ZoomSignature.ComputeUrlValidationToken(secret.Token, challenge.Payload.PlainToken),
            };
            return Results.Json(answer, ZoomJson.Default.UrlValidationResponse);
        }

        var handler = context.RequestServices.GetRequiredService<ZoomWebhookHandler>();
        var delivery = new ZoomWebhookDelivery
        {
            Body = body,
            Parsed = parsed,
            Verification = verification,
            TrackingId = request.Headers[ZoomSignature.TrackingIdHeader].FirstOrDefault(),
            ReceivedAt = timeProvider.GetUtcNow(),
            HttpContext = context,
        };
        return await handler.HandleAsync(delivery, cancellationToken);
    }

    private IResult TooLarge(long? declared)
    {
        LogRejected(logger, StatusCodes.Status413PayloadTooLarge, "body size");
        var size = declared is { } d ? $"{d} bytes were declared" : "the body kept coming";
        return ZoomWebhookResults.Problem(StatusCodes.Status413PayloadTooLarge, "The body is too large",
            $"{size}; the limit is {_options.MaxBodyBytes} bytes (setting MaxBodyBytes).");
    }

    // Zoom always sends exactly "application/json"; anything else goes through the full media type parser.
    private static bool IsJson(string? contentType) =>
        string.Equals(contentType, "application/json", StringComparison.OrdinalIgnoreCase)
        || MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));

    /// <summary>Reads the whole body, or returns <see langword="null"/> as soon as it exceeds <paramref name="limit"/>.</summary>
    /// <summary>
    /// The whole body, or null past <paramref name="limit"/>. A body still arriving must be complete within
    /// <paramref name="timeout"/> of the first wait (cancelled past it); one already received (nearly every delivery)
    /// costs no timer.
    /// </summary>
    private static async Task<byte[]?> ReadBoundedAsync(PipeReader reader, long limit, TimeSpan timeout, CancellationToken cancellationToken)
    {
        CancellationTokenSource? deadline = null;
        try
        {
            while (true)
            {
                if (!reader.TryRead(out var read))
                {
                    if (deadline is null)
                    {
                        deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                        deadline.CancelAfter(timeout);
                    }

                    read = await reader.ReadAsync(deadline.Token);
                }

                var buffer = read.Buffer;
                if (buffer.Length > limit)
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    return null;
                }

                if (read.IsCompleted)
                {
                    var bytes = buffer.ToArray();
                    reader.AdvanceTo(buffer.End);
                    return bytes;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        finally
        {
            deadline?.Dispose();
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Zoom webhook rejected with {StatusCode}: {Reason}")]
    private static partial void LogRejected(ILogger logger, int statusCode, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Zoom webhook signature check failed: {Failure} ({BodyLength} bytes, skew {SkewSeconds} s, secrets tried: {TriedSecrets})")]
    private static partial void LogVerificationFailed(ILogger logger, ZoomVerificationFailure failure, int bodyLength, long? skewSeconds, string triedSecrets);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Answered Zoom URL validation with secret '{SecretName}'")]
    private static partial void LogChallengeAnswered(ILogger logger, string secretName);
}
