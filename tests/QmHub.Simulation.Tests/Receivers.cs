using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QmHub.Zoom.AspNetCore;
using QmHub.Zoom.Models;

namespace QmHub.Simulation.Tests;

/// <summary>What the receiving app has seen, shared between the handler (scoped) and the tests.</summary>
public sealed class ReceivedStore
{
    private readonly ConcurrentDictionary<string, int> _bodies = new();

    public int Stored => _bodies.Count;

    public int Received => _bodies.Values.Sum();

    public void Add(ReadOnlyMemory<byte> body) =>
        _bodies.AddOrUpdate(Convert.ToHexString(SHA256.HashData(body.Span)), 1, (_, n) => n + 1);
}

/// <summary>Like the sample receiver: acknowledges valid events after recording them, deduplicated by body hash as QmHub does.</summary>
public sealed class RecordingHandler(ReceivedStore store) : ZoomWebhookHandler
{
    protected override Task OnInteractionAnalysisCompletedAsync(ZoomWebhookDelivery delivery, InteractionAnalysisCompletedEvent zoomEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        store.Add(delivery.Body);
        return Task.CompletedTask;
    }

    protected override Task OnEvaluationCompletedAsync(ZoomWebhookDelivery delivery, EvaluationCompletedEvent zoomEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        store.Add(delivery.Body);
        return Task.CompletedTask;
    }
}

/// <summary>A real Kestrel app on 127.0.0.1 and a free port.</summary>
public sealed class LoopbackApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackApp(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    public Uri Url(string path) => new(BaseAddress, path);

    public static async Task<LoopbackApp> StartAsync(Action<IServiceCollection> services, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        services(builder.Services);
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        var address = app.Urls.Single();
        return new LoopbackApp(app, new Uri(address));
    }

    /// <summary>The library's endpoint with a recording handler, as an integrator (or QmHub) would host it.</summary>
    public static Task<LoopbackApp> StartZoomReceiverAsync(string secret) => StartAsync(
        services =>
        {
            services.AddSingleton<ReceivedStore>();
            services.AddZoomWebhooks<RecordingHandler>(o => o.AddSecret("primary", secret));
        },
        app => app.MapZoomWebhooks("/webhooks/zoom"));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One Zoom receiver per test class.</summary>
public sealed class ZoomReceiverFixture : IAsyncLifetime
{
    public const string Secret = "sim-secret-token";

    private LoopbackApp? _app;

    public LoopbackApp App => _app ?? throw new InvalidOperationException("The fixture has not started.");

    public Uri WebhookUrl => App.Url("/webhooks/zoom");

    public ReceivedStore Store => App.Services.GetRequiredService<ReceivedStore>();

    public async Task InitializeAsync() => _app = await LoopbackApp.StartZoomReceiverAsync(Secret);

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}

/// <summary>A clock stopped at one instant, for signatures that must verify at a known time.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>An endpoint that answers 503 to the first <c>failures</c> attempts of each delivery (by tracking id) and records what it saw.</summary>
internal sealed class FlakyEndpoint(int failures)
{
    private readonly ConcurrentDictionary<string, int> _attempts = new();

    public ConcurrentQueue<(string TrackingId, string Timestamp, IHeaderDictionary Headers)> Requests { get; } = new();

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        await request.Body.CopyToAsync(Stream.Null);
        var trackingId = request.Headers["x-zm-trackingid"].ToString();
        Requests.Enqueue((trackingId, request.Headers["x-zm-request-timestamp"].ToString(), new HeaderDictionary(request.Headers.ToDictionary())));
        var attempt = _attempts.AddOrUpdate(trackingId, 1, (_, n) => n + 1);
        context.Response.StatusCode = attempt <= failures ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
    }
}
