using System.Net;
using QmHub.Testing;

namespace QmHub.Tests;

public sealed class CliTests
{
    [Fact]
    public async Task Serve_without_a_secret_refuses_to_start_and_says_how_to_provide_one()
    {
        using var dir = new TempDirectory();

        var run = await QmHubProcess.RunAsync(null, "serve", "--db", dir.File("q.db"), "--urls", "http://127.0.0.1:0");

        Assert.True(run.ExitCode == 2, run.Describe());
        Assert.Contains("ZOOM_WEBHOOK_SECRET_TOKEN", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_invalid_setting_is_named_at_start_up()
    {
        var env = new Dictionary<string, string>
        {
            ["ZOOM_WEBHOOK_SECRET_TOKEN"] = "s",
            ["QMHUB_QUEUE_CAPACITY"] = "0",
            ["QMHUB_BOOTSTRAP_API_KEY"] = "short",
        };

        var run = await QmHubProcess.RunAsync(env, "serve", "--webhook-path", "no-slash", "--urls", "ftp://x");

        Assert.True(run.ExitCode == 2, run.Describe());
        Assert.Contains("QueueCapacity (QMHUB_QUEUE_CAPACITY) must be positive, got 0", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("WebhookPath (--webhook-path, QMHUB_WEBHOOK_PATH) must start with '/'", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("Urls (--urls, QMHUB_URLS): 'ftp://x'", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("BootstrapApiKey (QMHUB_BOOTSTRAP_API_KEY) must be at least 16 characters", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_create_prints_a_working_key_once_and_list_shows_only_its_prefix()
    {
        using var dir = new TempDirectory();
        var db = dir.File("q.db");

        var created = await QmHubProcess.RunAsync(null, "keys", "create", "--db", db, "--name", "grafana", "--scope", "read");
        Assert.True(created.ExitCode == 0, created.Describe());
        var key = created.Stdout.Split('\n', StringSplitOptions.TrimEntries).Single(l => l.StartsWith("qmh_", StringComparison.Ordinal));

        var listed = await QmHubProcess.RunAsync(null, "keys", "list", "--db", db);
        Assert.Contains("grafana", listed.Stdout, StringComparison.Ordinal);
        Assert.Contains(key[..12], listed.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(key, listed.Stdout, StringComparison.Ordinal);

        var port = CrashTests.FreePort();
        using var server = QmHubProcess.StartServer(db, port);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await CrashTests.WaitForHealthAsync(client, server);
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/events")).StatusCode);

            var revoked = await QmHubProcess.RunAsync(null, "keys", "revoke", "--db", db, "grafana");
            Assert.True(revoked.ExitCode == 0, revoked.Describe());
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/events")).StatusCode);
        }
        finally
        {
            server.Kill();
        }
    }

    [Fact]
    public async Task Keys_create_rejects_an_unknown_scope()
    {
        using var dir = new TempDirectory();

        var run = await QmHubProcess.RunAsync(null, "keys", "create", "--db", dir.File("q.db"), "--name", "x", "--scope", "owner");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("owner", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reproject_and_migrate_report_what_they_did()
    {
        using var dir = new TempDirectory();
        var db = dir.File("q.db");
        await using (var server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Db"] = db }))
        {
            (await server.PostWebhookAsync(TestEvents.Bytes(TestEvents.Interaction("i-1")))).EnsureSuccessStatusCode();
            (await server.PostWebhookAsync(TestEvents.Bytes(TestEvents.Evaluation("ev-1", "i-1")))).EnsureSuccessStatusCode();
            (await server.PostWebhookAsync("nope"u8.ToArray())).EnsureSuccessStatusCode();
        }

        var migrated = await QmHubProcess.RunAsync(null, "migrate", "--db", db);
        var reprojected = await QmHubProcess.RunAsync(null, "reproject", "--db", db);
        var fresh = await QmHubProcess.RunAsync(null, "migrate", "--db", dir.File("fresh.db"));

        Assert.True(migrated.ExitCode == 0, migrated.Describe());
        // The server had migrated the file already; a new file gets every migration, and says which.
        // The console wraps long lines (at 80 columns when redirected): compare without white space.
        Assert.Contains("wasalreadyuptodate", WithoutSpaces(migrated.Stdout), StringComparison.Ordinal);
        Assert.True(fresh.ExitCode == 0, fresh.Describe());
        Assert.Contains("Applyingmigration(s)1,2,3,4,5,6,7,8toSQLite", WithoutSpaces(fresh.Stdout), StringComparison.Ordinal);
        Assert.Contains("Appliedmigration(s)1,2,3,4,5,6,7,8toSQLite", WithoutSpaces(fresh.Stdout), StringComparison.Ordinal);
        Assert.DoesNotContain("Applyingmigration", WithoutSpaces(migrated.Stdout), StringComparison.Ordinal);
        Assert.True(reprojected.ExitCode == 0, reprojected.Describe());
        Assert.Contains("Reprojected 3 events (2 accepted, 1 quarantined): 1 interactions, 1 evaluations", reprojected.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_migrated_by_a_newer_qmhub_is_refused_with_the_versions_named()
    {
        using var dir = new TempDirectory();
        var db = dir.File("newer.db");
        await using (var store = new QmHub.Storage.Sqlite.SqliteQmStore(db))
        {
            await store.MigrateAsync(CancellationToken.None);
        }

        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'from_a_newer_build', 0)";
            await cmd.ExecuteNonQueryAsync();
        }

        var migrate = await QmHubProcess.RunAsync(null, "migrate", "--db", db);
        var serve = await QmHubProcess.RunAsync(new Dictionary<string, string> { ["ZOOM_WEBHOOK_SECRET_TOKEN"] = "s3cret-token-for-tests" },
            "serve", "--db", db, "--urls", "http://127.0.0.1:0");

        foreach (var run in new[] { migrate, serve })
        {
            Assert.True(run.ExitCode == 2, run.Describe());
            Assert.Contains("migration(s)99thatthisbuildofQmHubdoesnothave(itknowsupto8)", WithoutSpaces(run.Stderr), StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
        }
    }

    private static string WithoutSpaces(string text) => string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
}
