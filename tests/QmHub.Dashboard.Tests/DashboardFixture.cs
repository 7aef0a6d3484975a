using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;
using QmHub.Hosting;
using QmHub.Simulation;
using QmHub.Testing;
using QmHub.Zoom.Models;
using QmHub.Zoom.Signing;

namespace QmHub.Dashboard.Tests;

/// <summary>
/// One real qmhub server (Kestrel on 127.0.0.1, a fresh SQLite file) filled by the simulator through the webhook
/// endpoint, and one headless Debian Chromium, shared by every dashboard test: both are expensive to start.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime, IDisposable
{
    public const string AdminKey = "dashboard-admin-key-0123456789";
    private const string Secret = "dashboard-test-secret";

    /// <summary>Desktop and phone viewports for the screenshots.</summary>
    public static readonly (string Name, int Width, int Height)[] Viewports = [("desktop", 1366, 768), ("phone", 390, 844)];

    private readonly TempDirectory _dir = new();
    private WebApplication _app = null!;
    private IPlaywright _playwright = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public HttpClient Api { get; private set; } = null!;

    public DeliveryRunSummary Load { get; private set; } = null!;

    /// <summary>The period every test looks at: the 7 local days ending today in UTC (the previous 7 have data too).</summary>
    public string From { get; } = DateTime.UtcNow.Date.AddDays(-6).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    public string To { get; } = DateTime.UtcNow.Date.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    public string Period => $"from={From}&to={To}&tz=UTC";

    public async Task InitializeAsync()
    {
        var flags = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Db"] = _dir.File("qmhub.db"),
            ["SpoolDir"] = _dir.File("spool"),
            ["Urls"] = "http://127.0.0.1:0",
            ["SecretTokens"] = Secret,
            ["BootstrapApiKey"] = AdminKey,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        _app = QmHubServer.Build(flags);
        await QmHubServer.StartAsync(_app, CancellationToken.None);
        BaseAddress = new Uri(_app.Urls.First());
        Api = new HttpClient { BaseAddress = BaseAddress };
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);

        var span = TimeSpan.FromDays(14);
        var simulation = new SimulationOptions
        {
            Seed = 7,
            Start = DateTimeOffset.UtcNow - span,
            Duration = span,
            AgentsPerAccount = 12,
            InteractionsPerAgentPerDay = 8,
            Faults = FaultRates.Parse("duplicate=2,out-of-order=5,evaluation-before-interaction=5,invalid=1"),
        };
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var sender = new ZoomDeliverySender(http, new DeliverySenderOptions
        {
            Url = new Uri(BaseAddress, "/webhooks/zoom"),
            SecretToken = Secret,
            MaxConcurrency = 8,
            Retry = RetrySchedule.None,
            ApplySigningFaults = false,
            ReceiverKeepsInvalidPayloads = true,
        });
        Load = await sender.SendAsync(ContactCenterSimulator.Generate(simulation));
        await SendEvaluationAwaitingItsInteractionAsync();

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
    }

    /// <summary>The evaluation sent for an interaction that never arrives: it makes the queue row without a queue.</summary>
    public const string AwaitingEvaluationId = "awaiting-evaluation-1";

    /// <summary>
    /// An evaluation, made an hour ago, of a simulated agent's interaction that has not arrived (and never will): it
    /// counts in the period for its agent, in no queue, as evaluations do while their interaction is unknown.
    /// </summary>
    private async Task SendEvaluationAwaitingItsInteractionAsync()
    {
        using var agents = await GetJsonAsync($"/api/v1/agents?{Period}&limit=500");
        var agent = agents.RootElement.GetProperty("items").EnumerateArray()
            .First(a => a.GetProperty("agent").GetProperty("id").GetString() != a.GetProperty("agent").GetProperty("name").GetString());
        var userId = agent.GetProperty("agent").GetProperty("id").GetString()!;
        var e = TestEvents.Evaluation(AwaitingEvaluationId, "interaction-not-arrived-1", eventTs: DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds(),
            accountId: agent.GetProperty("account_id").GetString()!, ratio: 0.75, agentUserId: userId);
        e = e with
        {
            Payload = e.Payload with
            {
                Object = e.Payload.Object with { AgentInfo = new AgentInfo { AgentUserId = userId, DisplayName = agent.GetProperty("agent").GetProperty("name").GetString() } },
            },
        };
        var body = TestEvents.Bytes(e);
        var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/zoom") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=utf-8");
        request.Headers.Add(ZoomSignature.TimestampHeader, ts.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(ZoomSignature.SignatureHeader, ZoomSignature.Compute(Secret, ts, body));
        using var response = await Api.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>A new browser context (own cookies) at a viewport, signed in by cookie unless <paramref name="signedIn"/> is false.</summary>
    public async Task<IBrowserContext> ContextAsync(bool signedIn = true, int width = 1366, int height = 768)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseAddress.ToString().TrimEnd('/'),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            AcceptDownloads = true,
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout(30_000); // generous: CI runs the other test assemblies beside this one on 2 cores
        if (signedIn)
        {
            await context.AddCookiesAsync([new Cookie
            {
                Name = "qmhub_key", Value = AdminKey, Domain = BaseAddress.Host, Path = "/", HttpOnly = true, SameSite = SameSiteAttribute.Strict,
            }]);
        }

        return context;
    }

    /// <summary>GET an API path with the admin key, as JSON.</summary>
    public async Task<JsonDocument> GetJsonAsync(string path)
    {
        using var response = await Api.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body);
    }

    /// <summary>
    /// Where a screenshot goes: the repository's docs/screenshots folder when QMHUB_UPDATE_SCREENSHOTS=1 (how the committed
    /// ones are refreshed), else a screenshots folder beside the test binaries, so that a plain test run leaves the checkout clean.
    /// </summary>
    public static string ScreenshotPath(string name)
    {
        if (Environment.GetEnvironmentVariable("QMHUB_UPDATE_SCREENSHOTS") != "1")
        {
            var local = Path.Combine(AppContext.BaseDirectory, "screenshots");
            Directory.CreateDirectory(local);
            return Path.Combine(local, name + ".png");
        }

        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "QmHub.slnx")))
        {
            dir = dir.Parent;
        }

        var folder = Path.Combine(dir?.FullName ?? throw new InvalidOperationException("QmHub.slnx not found above the test binaries"), "docs", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name + ".png");
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Dispose();
    }

    public void Dispose()
    {
        Api?.Dispose();
        _dir.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class SharedDashboard : ICollectionFixture<DashboardFixture>
{
    public const string Name = "Dashboard";
}
