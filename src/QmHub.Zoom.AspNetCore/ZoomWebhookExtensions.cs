using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using QmHub.Zoom.Signing;

namespace QmHub.Zoom.AspNetCore;

/// <summary>Registration of the Zoom webhook endpoint.</summary>
public static class ZoomWebhookExtensions
{
    /// <summary>
    /// Registers the endpoint's services with <typeparamref name="THandler"/> as the handler of verified
    /// deliveries. The options are validated when the host starts: at least one secret token is required.
    /// </summary>
    public static OptionsBuilder<ZoomWebhookOptions> AddZoomWebhooks<THandler>(this IServiceCollection services, Action<ZoomWebhookOptions>? configure = null)
        where THandler : ZoomWebhookHandler
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddScoped<ZoomWebhookHandler, THandler>();
        services.TryAddSingleton<ZoomWebhookEndpoint>();
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ZoomWebhookOptions>>().Value;
            return new ZoomSignatureVerifier(options.Secrets, options.TimestampTolerance, sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ZoomWebhookOptions>, ZoomWebhookOptionsValidator>());
        // Rejections are problem details: metadata for them at the end of the resolver chain, for apps without reflection-based JSON.
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Add(ZoomProblemJsonContext.Default));
        var builder = services.AddOptions<ZoomWebhookOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        return builder.ValidateOnStart();
    }

    /// <summary>Maps <c>POST <paramref name="pattern"/></c> to the Zoom webhook endpoint.</summary>
    public static RouteHandlerBuilder MapZoomWebhooks(this IEndpointRouteBuilder endpoints, string pattern = "/webhooks/zoom")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        // A delegate with parameters (not a bare RequestDelegate) so that API explorers and OpenAPI documents list the route.
        // No Accepts metadata: routing would then answer 415 itself, without the message this endpoint gives.
        // Resolved per request, not here: a missing secret is then reported by ValidateOnStart, naming the setting.
        // Whether it is registered at all is checked now, so a forgotten AddZoomWebhooks fails at start-up, not as a 500 per delivery.
        if (endpoints.ServiceProvider.GetService<IServiceProviderIsService>() is { } services && !services.IsService(typeof(ZoomWebhookEndpoint)))
        {
            throw new InvalidOperationException(
                "MapZoomWebhooks needs the endpoint's services: call builder.Services.AddZoomWebhooks<YourHandler>(o => o.Secrets.Add(...)) before building the app.");
        }

        Func<HttpContext, Task> handler = context => context.RequestServices.GetRequiredService<ZoomWebhookEndpoint>().InvokeAsync(context);
        return endpoints.MapPost(pattern, handler)
            .WithDisplayName("Zoom webhooks")
            // The signature is the authentication: an app-wide fallback policy (cookies, JWT) must not turn Zoom away.
            .AllowAnonymous()
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }
}

internal sealed class ZoomWebhookOptionsValidator : IValidateOptions<ZoomWebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, ZoomWebhookOptions options)
    {
        var failures = new List<string>();
        if (options.Secrets.Count == 0)
        {
            failures.Add("ZoomWebhookOptions.Secrets is empty: configure at least one Zoom webhook secret token (Zoom app > Features > Event Subscriptions > Secret Token).");
        }

        foreach (var secret in options.Secrets.Where(s => string.IsNullOrWhiteSpace(s.Token)))
        {
            failures.Add($"ZoomWebhookOptions.Secrets: the secret named '{secret.Name}' has an empty token.");
        }

        foreach (var group in options.Secrets.GroupBy(s => s.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            failures.Add($"ZoomWebhookOptions.Secrets: the name '{group.Key}' is used by {group.Count()} secrets; names must be unique.");
        }

        if (options.TimestampTolerance < TimeSpan.Zero)
        {
            failures.Add($"ZoomWebhookOptions.TimestampTolerance must not be negative (got {options.TimestampTolerance}).");
        }

        if (options.BodyTimeout <= TimeSpan.Zero)
        {
            failures.Add($"ZoomWebhookOptions.BodyTimeout must be positive (got {options.BodyTimeout}).");
        }

        if (options.MaxBodyBytes <= 0)
        {
            failures.Add($"ZoomWebhookOptions.MaxBodyBytes must be positive (got {options.MaxBodyBytes}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
