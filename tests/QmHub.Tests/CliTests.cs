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
    public async Task Settings_that_are_not_numbers_or_that_name_a_remote_host_are_named()
    {
        var secret = new Dictionary<string, string> { ["ZOOM_WEBHOOK_SECRET_TOKEN"] = "s" };

        var nan = await QmHubProcess.RunAsync(new Dictionary<string, string>(secret) { ["QMHUB_ACK_TIMEOUT_SECONDS"] = "NaN", ["QMHUB_COMMIT_TIMEOUT_SECONDS"] = "1" }, "serve");
        var text = await QmHubProcess.RunAsync(new Dictionary<string, string>(secret) { ["QMHUB_ACK_TIMEOUT_SECONDS"] = "abc" }, "serve");
        var host = await QmHubProcess.RunAsync(secret, "serve", "--urls", "http://example.invalid:5391");

        Assert.True(nan.ExitCode == 2, nan.Describe());
        Assert.Contains("AckTimeoutSeconds (QMHUB_ACK_TIMEOUT_SECONDS) must be more than 0 and at most 60, got NaN", nan.Stderr, StringComparison.Ordinal);
        Assert.Contains("CommitTimeoutSeconds (QMHUB_COMMIT_TIMEOUT_SECONDS) must be more than 0 and less than AckTimeoutSeconds", nan.Stderr, StringComparison.Ordinal);
        Assert.True(text.ExitCode == 2, text.Describe());
        Assert.Contains("(QMHUB_ACK_TIMEOUT_SECONDS sets AckTimeoutSeconds)", text.Stderr, StringComparison.Ordinal);
        Assert.True(host.ExitCode == 2, host.Describe());
        Assert.Contains("Urls (--urls, QMHUB_URLS): 'http://example.invalid:5391' names the host 'example.invalid'", host.Stderr, StringComparison.Ordinal);
        Assert.All((string[])[nan.Stderr, text.Stderr, host.Stderr], e => Assert.DoesNotContain("   at ", e, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_a_directory_and_a_broken_appsettings_are_one_line_each()
    {
        using var dir = new TempDirectory();
        var garbage = dir.File("garbage.db");
        await File.WriteAllBytesAsync(garbage, Enumerable.Range(0, 8192).Select(i => (byte)(i * 7919 % 251)).ToArray());
        var folder = Directory.CreateDirectory(dir.File("a-folder")).FullName;
        var secret = new Dictionary<string, string> { ["ZOOM_WEBHOOK_SECRET_TOKEN"] = "s" };
        await File.WriteAllTextAsync(dir.File("appsettings.json"), "{ \"Db\": ");

        var serveGarbage = await QmHubProcess.RunAsync(secret, "serve", "--db", garbage, "--urls", "http://127.0.0.1:0");
        var keysGarbage = await QmHubProcess.RunAsync(null, "keys", "list", "--db", garbage);
        var serveFolder = await QmHubProcess.RunAsync(secret, "serve", "--db", folder, "--urls", "http://127.0.0.1:0");
        var brokenSettings = await QmHubProcess.RunInAsync(dir.Path, null, "keys", "list");

        Assert.True(serveGarbage.ExitCode == 2, serveGarbage.Describe());
        Assert.Contains($"Db (--db, QMHUB_DB): cannot use SQLite {garbage}:", serveGarbage.Stderr, StringComparison.Ordinal);
        Assert.Contains("file is not a database", serveGarbage.Stderr, StringComparison.Ordinal);
        Assert.True(keysGarbage.ExitCode == 1, keysGarbage.Describe());
        Assert.Contains("qmhub: the database (--db, QMHUB_DB) cannot be used:", keysGarbage.Stderr, StringComparison.Ordinal);
        Assert.True(serveFolder.ExitCode == 2, serveFolder.Describe());
        Assert.Contains($"cannot use SQLite {folder}", serveFolder.Stderr, StringComparison.Ordinal);
        Assert.True(brokenSettings.ExitCode == 2, brokenSettings.Describe());
        Assert.Contains("appsettings.json", brokenSettings.Stderr, StringComparison.Ordinal);
        Assert.All((string[])[serveGarbage.Stderr, keysGarbage.Stderr, serveFolder.Stderr, brokenSettings.Stderr],
            e => Assert.DoesNotContain("   at ", e, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_port_in_use_is_one_line_naming_the_setting_before_any_migration()
    {
        using var dir = new TempDirectory();
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var run = await QmHubProcess.RunAsync(new Dictionary<string, string> { ["ZOOM_WEBHOOK_SECRET_TOKEN"] = "s" },
            "serve", "--db", dir.File("q.db"), "--urls", $"http://127.0.0.1:{port}");

        Assert.True(run.ExitCode == 2, run.Describe());
        Assert.Contains($"Urls (--urls, QMHUB_URLS): http://127.0.0.1:{port} is in use by another process", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("q.db")), "the database was created before the address was checked");
    }

    [Fact]
    public async Task Serve_writes_nothing_into_the_home_directory()
    {
        using var dir = new TempDirectory();
        var home = Directory.CreateDirectory(dir.File("home")).FullName;
        var port = CrashTests.FreePort();
        using var server = QmHubProcess.StartServer(dir.File("q.db"), port, new Dictionary<string, string> { ["HOME"] = home });
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await CrashTests.WaitForHealthAsync(client, server);
            // The dashboard's sign-in page is served (data protection is in use by then).
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/", UriKind.Relative))).StatusCode);
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync();
        }

        // ASP.NET's key manager wrote its key ring to ~/.aspnet/DataProtection-Keys, with a warning about it.
        Assert.Empty(Directory.GetFileSystemEntries(home, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Revoking_a_value_that_several_keys_answer_to_revokes_nothing_and_lists_them()
    {
        using var dir = new TempDirectory();
        var db = dir.File("q.db");
        var admin = await QmHubProcess.RunAsync(null, "keys", "create", "--db", db, "--name", "ops-admin", "--scope", "admin");
        var digits = await QmHubProcess.RunAsync(null, "keys", "create", "--db", db, "--name", "1");
        var twice = await QmHubProcess.RunAsync(null, "keys", "create", "--db", db, "--name", "ops-admin");
        Assert.True(admin.ExitCode == 0, admin.Describe());
        Assert.NotEqual(0, digits.ExitCode);
        Assert.Contains("is a number, which 'keys revoke' would read as a key's id", digits.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, twice.ExitCode);
        Assert.Contains("an active key is already named 'ops-admin' (#1,", twice.Stderr, StringComparison.Ordinal);

        // Two keys named alike, as rotating QMHUB_BOOTSTRAP_API_KEY leaves them ("bootstrap").
        foreach (var key in (string[])["first-bootstrap-key-0123456789", "second-bootstrap-key-0123456789"])
        {
            var port = CrashTests.FreePort();
            using var server = QmHubProcess.StartServer(db, port, new Dictionary<string, string> { ["QMHUB_BOOTSTRAP_API_KEY"] = key });
            try
            {
                using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
                await CrashTests.WaitForHealthAsync(client, server);
            }
            finally
            {
                server.Kill();
                await server.WaitForExitAsync();
            }
        }

        var ambiguous = await QmHubProcess.RunAsync(null, "keys", "revoke", "--db", db, "bootstrap");
        var byId = await QmHubProcess.RunAsync(null, "keys", "revoke", "--db", db, "1");
        var again = await QmHubProcess.RunAsync(null, "keys", "revoke", "--db", db, "ops-admin");
        var stillTwo = await QmHubProcess.RunAsync(null, "keys", "revoke", "--db", db, "bootstrap");

        Assert.True(ambiguous.ExitCode == 1, ambiguous.Describe());
        Assert.Contains("'bootstrap' is the id, name or prefix of 2 active keys (#2 'bootstrap' firs…", ambiguous.Stderr, StringComparison.Ordinal);
        Assert.Contains("nothing was revoked", ambiguous.Stderr, StringComparison.Ordinal);
        Assert.True(byId.ExitCode == 0, byId.Describe());
        Assert.Contains("Revoked admin key #1 'ops-admin'", byId.Stdout, StringComparison.Ordinal);
        Assert.Contains("No active key has the id, name or prefix 'ops-admin'", again.Stderr, StringComparison.Ordinal);
        Assert.Contains("of 2 active keys", stillTwo.Stderr, StringComparison.Ordinal);
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
        Assert.Contains("Applyingmigration(s)1,2,3,4,5,6,7,8,9toSQLite", WithoutSpaces(fresh.Stdout), StringComparison.Ordinal);
        Assert.Contains("Appliedmigration(s)1,2,3,4,5,6,7,8,9toSQLite", WithoutSpaces(fresh.Stdout), StringComparison.Ordinal);
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
            Assert.Contains("migration(s)99thatthisbuildofQmHubdoesnothave(itknowsupto9)", WithoutSpaces(run.Stderr), StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
        }
    }

    private static string WithoutSpaces(string text) => string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
}
