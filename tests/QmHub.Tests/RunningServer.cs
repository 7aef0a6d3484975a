using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using QmHub.Hosting;
using QmHub.Testing;
using QmHub.Zoom.Signing;

namespace QmHub.Tests;

/// <summary>
/// A real <c>qmhub serve</c> in this process, on real Kestrel at 127.0.0.1 with a port of its own and a fresh SQLite
/// file, unless the settings name another <c>Db</c> (a PostgreSQL test database, say).
/// </summary>
internal sealed class RunningServer : IAsyncDisposable
{
    public const string Secret = "test-secret-token";
    public const string AdminKey = "admin-key-0123456789abcdef";

    private readonly TempDirectory _dir;
    private readonly bool _ownsDir;
    private readonly WebApplication _app;

    private RunningServer(TempDirectory dir, bool ownsDir, WebApplication app, Uri baseAddress)
    {
        _dir = dir;
        _ownsDir = ownsDir;
        _app = app;
        Client = new HttpClient { BaseAddress = baseAddress };
    }

    public HttpClient Client { get; }

    public string DbPath => _dir.File("qmhub.db");

    public IServiceProvider Services => _app.Services;

    public static async Task<RunningServer> StartAsync(IDictionary<string, string?>? settings = null, TempDirectory? dir = null)
    {
        var ownsDir = dir is null;
        dir ??= new TempDirectory();
        var flags = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Db"] = dir.File("qmhub.db"),
            ["SpoolDir"] = dir.File("spool"),
            ["Urls"] = "http://127.0.0.1:0",
            ["SecretTokens"] = Secret,
            ["BootstrapApiKey"] = AdminKey,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            flags[key] = value;
        }

        var app = QmHubServer.Build(flags);
        await QmHubServer.StartAsync(app, CancellationToken.None);
        return new RunningServer(dir, ownsDir, app, new Uri(app.Urls.First()));
    }

    public Task<HttpResponseMessage> PostWebhookAsync(byte[] body, string secret = Secret, long? timestamp = null, string contentType = "application/json; charset=utf-8", string path = "/webhooks/zoom")
    {
        var ts = timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.Add(ZoomSignature.TimestampHeader, ts.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(ZoomSignature.SignatureHeader, ZoomSignature.Compute(secret, ts, body));
        request.Headers.Add(ZoomSignature.TrackingIdHeader, "track-" + Guid.NewGuid().ToString("N")[..8]);
        return Client.SendAsync(request);
    }

    public Task<HttpResponseMessage> GetAsync(string path, string? key = AdminKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return Client.SendAsync(request);
    }

    /// <summary>The Prometheus text of /metrics (which needs a key).</summary>
    public async Task<string> MetricsAsync()
    {
        using var response = await GetAsync("/metrics");
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsDir)
        {
            _dir.Dispose();
        }
    }
}
