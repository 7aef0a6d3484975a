using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QmHub.Zoom.Models;
using QmHub.Zoom.Signing;

namespace QmHub.Zoom.AspNetCore.Tests;

/// <summary>A real Kestrel server on a free loopback port with the Zoom endpoint mapped, and a client for it.</summary>
internal sealed class ReceiverHost : IAsyncDisposable
{
    public const string Path = "/webhooks/zoom";

    private readonly WebApplication _app;

    private ReceiverHost(WebApplication app, HttpClient client, CallLog calls, LogCapture logs)
    {
        _app = app;
        Client = client;
        Calls = calls;
        Logs = logs;
    }

    public HttpClient Client { get; }

    public CallLog Calls { get; }

    public LogCapture Logs { get; }

    /// <param name="configure">The endpoint's options.</param>
    /// <param name="app">What the application registers before the endpoint's services and adds to its pipeline before the endpoint.</param>
    public static async Task<ReceiverHost> StartAsync<THandler>(Action<ZoomWebhookOptions> configure, AppSetup? app = null)
        where THandler : ZoomWebhookHandler
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ApplicationName = typeof(ReceiverHost).Assembly.GetName().Name });
        var logs = new LogCapture();
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        var calls = new CallLog();
        builder.Services.AddSingleton(calls);
        app?.Services?.Invoke(builder.Services);
        builder.Services.AddZoomWebhooks<THandler>(configure);

        var web = builder.Build();
        web.Urls.Add("http://127.0.0.1:0");
        try
        {
            app?.Pipeline?.Invoke(web);
            web.MapZoomWebhooks(Path);
            await web.StartAsync();
        }
        catch
        {
            await web.DisposeAsync();
            throw;
        }

        var address = web.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };
        return new ReceiverHost(web, client, calls, logs);
    }

    /// <summary>Posts a body signed now with <paramref name="secret"/>, as Zoom would.</summary>
    public Task<HttpResponseMessage> PostSignedAsync(byte[] body, string secret, long? timestamp = null)
    {
        var signed = timestamp is { } ts ? new ZoomWebhookSigner(secret).Sign(body, ts) : new ZoomWebhookSigner(secret).Sign(body);
        return PostAsync(body, signed.Headers);
    }

    public Task<HttpResponseMessage> PostAsync(byte[] body, IReadOnlyDictionary<string, string> headers, string? contentType = "application/json")
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        return SendAsync(content, headers);
    }

    public async Task<HttpResponseMessage> SendAsync(HttpContent content, IReadOnlyDictionary<string, string> headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = content };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>The host application's own registrations and middleware, around the endpoint's.</summary>
internal sealed record AppSetup(Action<IServiceCollection>? Services = null, Action<WebApplication>? Pipeline = null);

/// <summary>What the handlers under test were called with, in order.</summary>
internal sealed class CallLog
{
    private readonly ConcurrentQueue<string> _calls = new();

    public IReadOnlyList<string> All => [.. _calls];

    public void Add(string call) => _calls.Enqueue(call);
}

/// <summary>Every log line the host writes, formatted, so tests can prove no secret reaches a log.</summary>
internal sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}[{eventId.Id}]: {formatter(state, exception)} {exception}");
    }
}

/// <summary>Records each typed event it receives, after a pause that shows the answer waits for it.</summary>
internal sealed class RecordingHandler(CallLog calls) : ZoomWebhookHandler
{
    public static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(150);

    protected override async Task OnInteractionAnalysisCompletedAsync(ZoomWebhookDelivery delivery, InteractionAnalysisCompletedEvent zoomEvent, CancellationToken cancellationToken)
    {
        await Task.Delay(Pause, cancellationToken);
        calls.Add($"interaction {zoomEvent.Payload.Object.InteractionInfo.InteractionId} via {delivery.Verification.MatchedSecret?.Name} tracking {delivery.TrackingId} body {delivery.Body.Length}");
    }

    protected override async Task OnEvaluationCompletedAsync(ZoomWebhookDelivery delivery, EvaluationCompletedEvent zoomEvent, CancellationToken cancellationToken)
    {
        await Task.Delay(Pause, cancellationToken);
        calls.Add($"evaluation {zoomEvent.Payload.Object.EvaluationId} routed by {delivery.Parsed.RoutedBy}");
    }

    protected override Task<IResult> OnUnknownEventAsync(ZoomWebhookDelivery delivery, CancellationToken cancellationToken)
    {
        calls.Add($"unknown {delivery.Parsed.EventName}");
        return base.OnUnknownEventAsync(delivery, cancellationToken);
    }
}

/// <summary>An application's own policy for authentic but invalid deliveries: keep them, answer 202.</summary>
internal sealed class QuarantiningHandler(CallLog calls) : ZoomWebhookHandler
{
    protected override Task<IResult> OnInvalidEventAsync(ZoomWebhookDelivery delivery, CancellationToken cancellationToken)
    {
        var errors = delivery.Parsed.Errors.Select(e => e.ToString()).ToArray();
        calls.Add($"quarantined {delivery.Body.Length} bytes: {string.Join("; ", errors)}");
        return Task.FromResult(Results.Text($"quarantined with {errors.Length} error(s)", "text/plain", Encoding.UTF8, StatusCodes.Status202Accepted));
    }
}

/// <summary>An application that overrides nothing.</summary>
internal sealed class DefaultHandler : ZoomWebhookHandler;

/// <summary>The problem-details body of an error response.</summary>
internal sealed record Problem(int Status, string Title, string Detail, string[] Errors, string Raw)
{
    public static async Task<Problem> ReadAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var raw = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(raw);
        var root = document.RootElement;
        var errors = root.TryGetProperty("errors", out var e) ? e.EnumerateArray().Select(x => x.GetString() ?? "").ToArray() : [];
        return new Problem(root.GetProperty("status").GetInt32(), root.GetProperty("title").GetString() ?? "", root.GetProperty("detail").GetString() ?? "", errors, raw);
    }
}

internal static class Fixture
{
    public static byte[] Bytes(string name) => File.ReadAllBytes(System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    public static Dictionary<string, string> Headers(string? signature, string? timestamp)
    {
        var headers = new Dictionary<string, string>();
        if (signature is not null)
        {
            headers[ZoomSignature.SignatureHeader] = signature;
        }

        if (timestamp is not null)
        {
            headers[ZoomSignature.TimestampHeader] = timestamp;
        }

        return headers;
    }
}
