using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using Prometheus;
using QmHub.Analytics;
using QmHub.Api;
using QmHub.Dashboard;
using QmHub.Ingest;
using QmHub.Keys;
using QmHub.Storage;
using QmHub.Zoom.AspNetCore;

namespace QmHub.Hosting;

/// <summary>Builds and runs <c>qmhub serve</c>.</summary>
public static partial class QmHubServer
{
    /// <summary>
    /// Builds the server from configuration (appsettings.json, QMHUB_* variables, then <paramref name="flags"/>).
    /// Throws <see cref="InvalidSettingsException"/> naming every wrong setting.
    /// </summary>
    public static WebApplication Build(IReadOnlyDictionary<string, string?> flags)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        // Exactly the sources every other command reads (no appsettings.{Environment}.json or ASPNETCORE_* extras),
        // so that serve and keys/migrate/reproject always agree on the database.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddQmHubSources(flags);
        var options = QmHubConfiguration.BindOptions(builder.Configuration, requireSecrets: true);
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);

        var services = builder.Services;
        services.AddOptions<QmHubOptions>().Bind(builder.Configuration).ValidateOnStart();
        services.AddSingleton<IValidateOptions<QmHubOptions>, QmHubOptionsValidator>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(_ => StoreFactory.Open(options.Db));
        services.AddSingleton(_ => new IngestMetrics(Metrics.NewCustomRegistry()));
        // Opened now, not on first use: a spool directory another process holds stops the start here, with its name.
        var spool = OpenSpool(options);
        services.AddSingleton(_ => spool);
        services.AddSingleton<SpoolDrainer>();
        services.AddSingleton<IngestPipeline>();
        services.AddHostedService(sp => sp.GetRequiredService<IngestPipeline>());
        services.AddHostedService(sp => sp.GetRequiredService<SpoolDrainer>());
        services.AddSingleton<ApiKeyService>();
        services.AddQmHubAnalytics(builder.Configuration);
        services.AddProblemDetails();
        services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "QmHub API";
            document.Info.Description = "Zoom Quality Management events, verified and stored. Every /api/v1 route needs 'Authorization: Bearer <api key>'.";
            return Task.CompletedTask;
        }));
        // No protected payloads (the dashboard's cookie holds the API key itself, checked on every request): keys in memory,
        // and the key manager (which ASP.NET starts anyway) keeps its ring in memory too instead of writing ~/.aspnet.
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.Configure<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>(o => o.XmlRepository = new InMemoryXmlRepository());
        // Its "No XML encryptor configured" warning is about keys written to disk, which these are not.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        // A query value or body that does not bind is answered with problem details naming the parameter, not an empty 400.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        var proxies = options.TrustedProxyNetworks();
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            // Only the configured proxies (ASP.NET's default believes loopback, which a proxy on this machine would be).
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var network in proxies)
            {
                o.KnownIPNetworks.Add(network);
            }
        });
        services.AddZoomWebhooks<IngestHandler>(o =>
        {
            foreach (var secret in options.AllSecrets())
            {
                o.Secrets.Add(secret);
            }

            o.TimestampTolerance = TimeSpan.FromSeconds(options.TimestampToleranceSeconds);
            o.MaxBodyBytes = options.MaxBodyBytes;
        });
        // No default scheme: API keys are checked only on routes whose policy names the scheme, never on the
        // webhook path (authenticated by its signature) or health.
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Read, p => p.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser())
            .AddPolicy(Policies.Admin, p => p.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser()
                .RequireClaim(ApiKeyAuthenticationHandler.ScopeClaim, ApiKeyScopes.Admin));

        var app = builder.Build();
        if (proxies.Count > 0)
        {
            app.UseForwardedHeaders();
        }

        var metrics = app.Services.GetRequiredService<IngestMetrics>();
        var webhookPath = new PathString(options.WebhookPath.TrimEnd('/'));
        app.UseWhen(ctx => HttpMethods.IsPost(ctx.Request.Method) && ctx.Request.Path.StartsWithSegments(webhookPath, StringComparison.OrdinalIgnoreCase, out var rest)
            && (!rest.HasValue || rest.Value == "/"), branch => branch.Use(async (ctx, next) =>
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                await next(ctx);
            }
            finally
            {
                // Counted even when the client went away mid-request.
                var outcome = ctx.Items[IngestHandler.OutcomeKey] as string
                    ?? (ctx.RequestAborted.IsCancellationRequested ? "aborted"
                        : ctx.Response.StatusCode == StatusCodes.Status200OK ? "url_validation" : $"rejected_{ctx.Response.StatusCode}");
                metrics.Deliveries.WithLabels(outcome).Inc();
                metrics.AckLatency.WithLabels(outcome).Observe(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
            }
        }));
        app.Use(async (ctx, next) =>
        {
            try
            {
                await next(ctx);
            }
            catch (BadHttpRequestException ex) when (!ctx.Response.HasStarted)
            {
                // "Failed to bind parameter "int? limit" from "abc"."
                await Results.Problem(statusCode: ex.StatusCode, title: "The request is not valid",
                    detail: $"{ex.Message} The API's parameters and their types are in /openapi/v1.json.").ExecuteAsync(ctx);
            }
        });
        app.UseDashboardAssets();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapZoomWebhooks(options.WebhookPath)
            .WithSummary("Zoom QM webhook deliveries (authenticated by x-zm-signature)")
            .WithTags("Webhooks");
        app.MapOpenApi().RequireAuthorization(Policies.Read);
        app.MapRecordsApi();
        app.MapAnalyticsApi();
        app.MapDashboard();
        app.MapGet("/healthz", () => Results.Json(new HealthAnswer("alive"), HostingJsonContext.Default.HealthAnswer));
        app.MapGet("/readyz", ReadinessAsync);
        // Like health, no key: checking one needs the database, and metrics matter most while it is down.
        app.MapMetrics("/metrics", metrics.Registry);
        return app;
    }

    /// <summary>
    /// Ready (200) when the database takes writes and the spool is empty; degraded (200: deliveries are still
    /// acknowledged durably) while the database is down or the spool is draining; unavailable (503) when neither
    /// the database nor the spool can take a write.
    /// </summary>
    private static async Task<IResult> ReadinessAsync(SpoolDrainer drainer, DeliverySpool spool, CancellationToken cancellationToken)
    {
        // The writer's view too: a commit that failed since the last probe makes the store unavailable until a probe succeeds.
        // At most one probe (a committed write) a second, however often and by however many /readyz is asked.
        var storeAvailable = await drainer.RecentProbeAsync(TimeSpan.FromSeconds(1), cancellationToken) && drainer.StoreAvailable;
        var status = storeAvailable && spool.Depth == 0 ? "ready" : storeAvailable || spool.HasRoom ? "degraded" : "unavailable";
        var answer = new ReadinessAnswer(status, storeAvailable, spool.HasRoom, spool.Depth, spool.Bytes);
        return Results.Json(answer, HostingJsonContext.Default.ReadinessAnswer,
            statusCode: status == "unavailable" ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
    }

    private static DeliverySpool OpenSpool(QmHubOptions options)
    {
        var directory = options.ResolvedSpoolDir();
        try
        {
            return DeliverySpool.Open(directory, options.SpoolMaxBytes);
        }
        catch (SpoolInUseException ex)
        {
            throw new InvalidSettingsException([$"SpoolDir (--spool-dir, QMHUB_SPOOL_DIR): {ex.Message}"]);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidSettingsException([$"SpoolDir (--spool-dir, QMHUB_SPOOL_DIR): cannot use '{directory}' as the spool: {ex.Message}"]);
        }
    }

    /// <summary>Prepares the database (migrations, bootstrap key) and starts listening.</summary>
    public static async Task StartAsync(WebApplication app, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        var store = app.Services.GetRequiredService<IQmStore>();
        var options = app.Services.GetRequiredService<IOptions<QmHubOptions>>().Value;
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("QmHub");
        // Before the migrations (which can take minutes): an address in use is a setting to fix, said in one line.
        EnsureAddressesFree(options.Urls);
        IReadOnlyList<int> applied;
        try
        {
            applied = await store.MigrateAsync(
                versions =>
                {
                    // Joined: a structured (JSON) log would show the list's type name, not its versions. Once per start.
                    var list = string.Join(", ", versions);
                    LogMigrating(logger, list, store.Description);
                },
                cancellationToken);
        }
        catch (System.Data.Common.DbException ex) when (store is QmHub.Storage.Sqlite.SqliteQmStore)
        {
            throw new InvalidSettingsException([$"Db (--db, QMHUB_DB): cannot use {store.Description}: {ex.Message}"]);
        }

        if (store is QmHub.Storage.Sqlite.SqliteQmStore && !await store.IsWritableAsync(cancellationToken))
        {
            throw new InvalidSettingsException([$"Db (--db, QMHUB_DB): {store.Description} cannot be written (a read-only file or directory, or a full disk): "
                + "QmHub must commit every delivery before acknowledging it."]);
        }

        if (applied.Count > 0)
        {
            var versions = string.Join(", ", applied);
            LogMigrated(logger, versions, store.Description);
        }

        if (options.BootstrapApiKey is { Length: > 0 } bootstrap
            && await app.Services.GetRequiredService<ApiKeyService>().InstallBootstrapKeyAsync(bootstrap, cancellationToken))
        {
            LogBootstrapKey(logger);
        }

        await app.StartAsync(cancellationToken);
        var urls = string.Join(", ", app.Urls);
        var secretNames = string.Join(", ", options.AllSecrets().Select(s => s.Name));
        LogListening(logger, urls, options.WebhookPath, store.Description, secretNames);
    }

    /// <summary>Refuses to start when another process listens on one of <paramref name="urls"/>' ports.</summary>
    private static void EnsureAddressesFree(string urls)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url.Replace("*", "0.0.0.0", StringComparison.Ordinal).Replace("+", "0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri)
                || uri.Port == 0)
            {
                continue;
            }

            var address = uri.IsLoopback && uri.HostNameType == UriHostNameType.Dns ? System.Net.IPAddress.Loopback
                : System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) ? ip : System.Net.IPAddress.Any;
            using var socket = new System.Net.Sockets.Socket(address.AddressFamily, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            // As Kestrel binds: connections still closing on the port do not count, only a listener does.
            socket.SetSocketOption(System.Net.Sockets.SocketOptionLevel.Socket, System.Net.Sockets.SocketOptionName.ReuseAddress, true);
            try
            {
                socket.Bind(new System.Net.IPEndPoint(address, uri.Port));
            }
            catch (System.Net.Sockets.SocketException ex) when (ex.SocketErrorCode == System.Net.Sockets.SocketError.AddressAlreadyInUse)
            {
                throw new InvalidSettingsException([$"Urls (--urls, QMHUB_URLS): {url} is in use by another process (port {uri.Port}); stop it or choose another port."]);
            }
            catch (System.Net.Sockets.SocketException ex) when (ex.SocketErrorCode is System.Net.Sockets.SocketError.AddressNotAvailable or System.Net.Sockets.SocketError.AccessDenied)
            {
                throw new InvalidSettingsException([$"Urls (--urls, QMHUB_URLS): cannot listen on {url}: {ex.Message}."]);
            }
        }
    }

    [LoggerMessage(EventId = 203, Level = LogLevel.Information, Message = "Applying schema migrations {Versions} to {Store} before listening; one that rewrites a large table can take minutes")]
    private static partial void LogMigrating(ILogger logger, string versions, string store);

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Applied migrations {Versions} to {Store}")]
    private static partial void LogMigrated(ILogger logger, string versions, string store);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Installed the bootstrap admin API key from QMHUB_BOOTSTRAP_API_KEY")]
    private static partial void LogBootstrapKey(ILogger logger);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "QmHub listening on {Urls}; Zoom webhooks at {WebhookPath}; storing into {Store}; secrets: {SecretNames}")]
    private static partial void LogListening(ILogger logger, string urls, string webhookPath, string store, string secretNames);
}

/// <summary>The health answers.</summary>
public sealed record HealthAnswer([property: System.Text.Json.Serialization.JsonPropertyName("status")] string Status);

/// <summary>The readiness answer: ready, degraded or unavailable, with the spool's state.</summary>
public sealed record ReadinessAnswer(
    [property: System.Text.Json.Serialization.JsonPropertyName("status")] string Status,
    [property: System.Text.Json.Serialization.JsonPropertyName("store_available")] bool StoreAvailable,
    [property: System.Text.Json.Serialization.JsonPropertyName("spool_has_room")] bool SpoolHasRoom,
    [property: System.Text.Json.Serialization.JsonPropertyName("spool_depth")] long SpoolDepth,
    [property: System.Text.Json.Serialization.JsonPropertyName("spool_bytes")] long SpoolBytes);

/// <summary>The data protection key ring, in memory: nothing QmHub protects outlives the process.</summary>
internal sealed class InMemoryXmlRepository : Microsoft.AspNetCore.DataProtection.Repositories.IXmlRepository
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<System.Xml.Linq.XElement> _elements = new();

    public IReadOnlyCollection<System.Xml.Linq.XElement> GetAllElements() => [.. _elements.Select(e => new System.Xml.Linq.XElement(e))];

    public void StoreElement(System.Xml.Linq.XElement element, string friendlyName) => _elements.Enqueue(new System.Xml.Linq.XElement(element));
}

[System.Text.Json.Serialization.JsonSerializable(typeof(HealthAnswer))]
[System.Text.Json.Serialization.JsonSerializable(typeof(ReadinessAnswer))]
internal sealed partial class HostingJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
