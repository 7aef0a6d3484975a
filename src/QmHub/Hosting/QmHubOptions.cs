using Microsoft.Extensions.Options;
using QmHub.Storage.Postgres;
using QmHub.Zoom.AspNetCore;
using QmHub.Zoom.Signing;

namespace QmHub.Hosting;

/// <summary>
/// Every setting of <c>qmhub serve</c>. Bound from appsettings.json, <c>QMHUB_*</c> environment variables
/// and command-line flags (later wins); the webhook secret also from <c>ZOOM_WEBHOOK_SECRET_TOKEN</c>.
/// </summary>
public sealed class QmHubOptions
{
    /// <summary>The addresses to listen on.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:5080";

    /// <summary>The database: a SQLite file path, a postgres:// URL or an Npgsql keyword string.</summary>
    public string Db { get; set; } = "qmhub.db";

    /// <summary>The path Zoom posts to.</summary>
    public string WebhookPath { get; set; } = "/webhooks/zoom";

    /// <summary>Comma-separated secret tokens (named token1, token2, ...).</summary>
    public string? SecretTokens { get; set; }

    /// <summary>Named secret tokens, for rotation or several Zoom apps.</summary>
    public List<NamedSecret> Secrets { get; set; } = [];

    /// <summary>
    /// Comma-separated addresses or networks (CIDR) of reverse proxies whose <c>X-Forwarded-For</c>,
    /// <c>X-Forwarded-Proto</c> and <c>X-Forwarded-Host</c> are believed: behind a TLS-terminating proxy the dashboard
    /// then sees https (its sign-in cookie is marked Secure, its same-origin check passes). Empty: none are believed.
    /// </summary>
    public string? TrustedProxies { get; set; }

    /// <summary>The trusted proxies, parsed (see <see cref="TrustedProxies"/>); throws <see cref="FormatException"/> on a bad entry.</summary>
    public IReadOnlyList<System.Net.IPNetwork> TrustedProxyNetworks() =>
        (TrustedProxies ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(entry => System.Net.IPNetwork.TryParse(entry, out var network) ? network
                : System.Net.IPAddress.TryParse(entry, out var address) ? new System.Net.IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
                : throw new FormatException($"'{entry}' is neither an IP address nor a network such as 10.0.0.0/8"))
            .ToList();

    /// <summary>How far a signed timestamp may be from now, either way, in seconds.</summary>
    public int TimestampToleranceSeconds { get; set; } = 300;

    /// <summary>The largest accepted webhook body.</summary>
    public long MaxBodyBytes { get; set; } = ZoomWebhookOptions.DefaultMaxBodyBytes;

    /// <summary>Deliveries waiting for the writer at most; beyond it the answer is 503 with Retry-After.</summary>
    public int QueueCapacity { get; set; } = 4096;

    /// <summary>Deliveries committed in one transaction at most.</summary>
    public int MaxBatchSize { get; set; } = 256;

    /// <summary>
    /// How long a delivery waits for its commit before it is answered 503 (Zoom gives up after 3 s). The
    /// commit still lands; Zoom's retry is then a harmless duplicate.
    /// </summary>
    public double AckTimeoutSeconds { get; set; } = 2.5;

    /// <summary>The Retry-After given with a 503.</summary>
    public int RetryAfterSeconds { get; set; } = 5;

    /// <summary>
    /// How long a batch may take to commit before it is spooled instead (a database that hangs rather than
    /// refuses). Should the commit still land later, the drained copy is a duplicate the store ignores.
    /// </summary>
    public double CommitTimeoutSeconds { get; set; } = 1.5;

    /// <summary>
    /// The local spool that takes deliveries while the database is down (one per replica). Default: a folder
    /// beside a SQLite database (<c>qmhub.db.spool</c>), or <c>./qmhub-spool</c> for PostgreSQL.
    /// </summary>
    public string? SpoolDir { get; set; }

    /// <summary>The size the spool log may reach; beyond it (or when the disk is full) the answer is 503 with Retry-After.</summary>
    public long SpoolMaxBytes { get; set; } = 1L << 30;

    /// <summary>An admin API key installed at start-up, for automation.</summary>
    public string? BootstrapApiKey { get; set; }

    /// <summary>The spool directory, <see cref="SpoolDir"/> or its default, as a full path.</summary>
    public string ResolvedSpoolDir() =>
        Path.GetFullPath(!string.IsNullOrWhiteSpace(SpoolDir) ? SpoolDir
            : PostgresConnectionString.IsPostgres(Db) ? "qmhub-spool"
            : Db + ".spool");

    /// <summary>Every configured secret, named.</summary>
    public IReadOnlyList<ZoomSecret> AllSecrets() =>
        Secrets.Select(s => new ZoomSecret(s.Name, s.Token)).Concat(ZoomSecret.FromCommaSeparated(SecretTokens)).ToArray();
}

/// <summary>A secret token with its name, as written in appsettings.json.</summary>
public sealed class NamedSecret
{
    /// <summary>The label shown in logs and errors.</summary>
    public string Name { get; set; } = "";

    /// <summary>The token.</summary>
    public string Token { get; set; } = "";
}

/// <summary>Checks every setting at start-up; each message names the setting and how to set it.</summary>
public sealed class QmHubOptionsValidator : IValidateOptions<QmHubOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, QmHubOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.AllSecrets().Count == 0)
        {
            failures.Add("No Zoom webhook secret token is configured. Set ZOOM_WEBHOOK_SECRET_TOKEN=<token> (comma-separated for several), "
                + "or QMHUB_SECRET_TOKENS, or \"SecretTokens\" / \"Secrets\": [{\"Name\":..., \"Token\":...}] in appsettings.json. "
                + "The token is on your Zoom app's Features page, under Event Subscriptions.");
        }

        foreach (var s in options.Secrets.Where(s => string.IsNullOrWhiteSpace(s.Name) || string.IsNullOrWhiteSpace(s.Token)))
        {
            failures.Add($"Secrets: every entry needs a Name and a Token (entry '{s.Name}' is incomplete).");
        }

        var duplicateNames = options.AllSecrets().GroupBy(s => s.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicateNames.Count > 0)
        {
            failures.Add($"Secrets: names must be unique ({string.Join(", ", duplicateNames)} repeated).");
        }

        if (string.IsNullOrWhiteSpace(options.Db))
        {
            failures.Add("Db (--db, QMHUB_DB) is empty: give a SQLite file path such as ./qmhub.db, or a PostgreSQL URL such as postgres://qmhub:password@db.example:5432/qmhub.");
        }
        else if (PostgresConnectionString.IsPostgres(options.Db))
        {
            try
            {
                PostgresConnectionString.Parse(options.Db);
            }
            catch (FormatException ex)
            {
                failures.Add($"Db (--db, QMHUB_DB): {ex.Message}.");
            }
        }

        try
        {
            options.TrustedProxyNetworks();
        }
        catch (FormatException ex)
        {
            failures.Add($"TrustedProxies (QMHUB_TRUSTED_PROXIES): {ex.Message}.");
        }

        if (!options.WebhookPath.StartsWith('/'))
        {
            failures.Add($"WebhookPath (--webhook-path, QMHUB_WEBHOOK_PATH) must start with '/', got '{options.WebhookPath}'.");
        }

        foreach (var url in options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url.Replace("*", "localhost", StringComparison.Ordinal).Replace("+", "localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri)
                || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                failures.Add($"Urls (--urls, QMHUB_URLS): '{url}' is not an http:// or https:// address such as http://127.0.0.1:5080.");
            }
            else if (uri.HostNameType == UriHostNameType.Dns && !uri.IsLoopback && url.IndexOfAny(['*', '+']) < 0)
            {
                // Kestrel binds a host name other than localhost to every interface, silently: a typo would expose the server.
                failures.Add($"Urls (--urls, QMHUB_URLS): '{url}' names the host '{uri.Host}', which Kestrel would bind as every interface; "
                    + "give an IP address (127.0.0.1 for this machine only, 0.0.0.0 or [::] for every interface), localhost, or * for every interface.");
            }
        }

        Positive(failures, options.TimestampToleranceSeconds, "TimestampToleranceSeconds (QMHUB_TIMESTAMP_TOLERANCE_SECONDS)", allowZero: true);
        Positive(failures, options.MaxBodyBytes, "MaxBodyBytes (QMHUB_MAX_BODY_BYTES)");
        Positive(failures, options.QueueCapacity, "QueueCapacity (QMHUB_QUEUE_CAPACITY)");
        Positive(failures, options.MaxBatchSize, "MaxBatchSize (QMHUB_MAX_BATCH_SIZE)");
        Positive(failures, options.RetryAfterSeconds, "RetryAfterSeconds (QMHUB_RETRY_AFTER_SECONDS)");
        if (!(options.AckTimeoutSeconds > 0 && options.AckTimeoutSeconds <= 60))
        {
            failures.Add($"AckTimeoutSeconds (QMHUB_ACK_TIMEOUT_SECONDS) must be more than 0 and at most 60, got {options.AckTimeoutSeconds}.");
        }

        Positive(failures, options.SpoolMaxBytes, "SpoolMaxBytes (QMHUB_SPOOL_MAX_BYTES)");
        if (!(options.CommitTimeoutSeconds > 0 && options.CommitTimeoutSeconds < options.AckTimeoutSeconds))
        {
            // A hung database must be given up (and the batch spooled) before the requests' ack deadline passes.
            failures.Add($"CommitTimeoutSeconds (QMHUB_COMMIT_TIMEOUT_SECONDS) must be more than 0 and less than AckTimeoutSeconds ({options.AckTimeoutSeconds}), got {options.CommitTimeoutSeconds}.");
        }
        if (!string.IsNullOrWhiteSpace(options.Db))
        {
            var spool = options.ResolvedSpoolDir();
            if (File.Exists(spool))
            {
                failures.Add($"SpoolDir (--spool-dir, QMHUB_SPOOL_DIR): '{spool}' is a file; give a directory (it is created if missing).");
            }
        }
        if (options.BootstrapApiKey is { } key && key.Length < 16)
        {
            failures.Add($"BootstrapApiKey (QMHUB_BOOTSTRAP_API_KEY) must be at least 16 characters long ({key.Length} given).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(List<string> failures, long value, string setting, bool allowZero = false)
    {
        if (value < 0 || (!allowZero && value == 0))
        {
            failures.Add($"{setting} must be {(allowZero ? "zero or more" : "positive")}, got {value}.");
        }
    }
}
