using System.Net;
using System.Text.Json;
using QmHub.Hosting;
using QmHub.Testing;

namespace QmHub.Tests;

/// <summary>The test classes of this assembly that share its PostgreSQL cluster.</summary>
[CollectionDefinition(Name)]
public sealed class SharedPostgres : ICollectionFixture<PostgresCluster>
{
    public const string Name = "PostgreSQL";
}

[Collection(SharedPostgres.Name)]
public sealed class PostgresServeTests(PostgresCluster cluster)
{
    [Fact]
    public async Task Serve_with_a_postgres_url_stores_an_event_and_serves_it_through_the_api()
    {
        await using var database = await cluster.CreateDatabaseAsync();
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Db"] = database.Url });
        var body = TestEvents.Bytes(TestEvents.Interaction("i-pg", queueName: "Postgres queue"));

        using var response = await server.PostWebhookAsync(body);
        using var duplicate = await server.PostWebhookAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, duplicate.StatusCode);
        using var read = await server.GetAsync("/api/v1/interactions/i-pg");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        using var json = JsonDocument.Parse(await read.Content.ReadAsStringAsync());
        Assert.Equal("Postgres queue", json.RootElement.GetProperty("queue_name").GetString());
        Assert.Equal(1_764_000_000_000, json.RootElement.GetProperty("last_event_ts").GetInt64());
        Assert.Equal(1L, await database.ScalarAsync("SELECT count(*) FROM events"));
        Assert.Contains("ready", await server.Client.GetStringAsync("/readyz"), StringComparison.Ordinal);

        using var report = await server.GetAsync("/api/v1/agents?from=2026-11-24&to=2026-11-25");
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        using var agents = JsonDocument.Parse(await report.Content.ReadAsStringAsync());
        Assert.Equal(1, Assert.Single(agents.RootElement.GetProperty("items").EnumerateArray()).GetProperty("interactions").GetInt64());
    }

    [Fact]
    public async Task Serve_with_an_npgsql_keyword_string_migrates_and_answers_ready()
    {
        await using var database = await cluster.CreateDatabaseAsync();
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Db"] = database.ConnectionString });

        Assert.Contains("ready", await server.Client.GetStringAsync("/readyz"), StringComparison.Ordinal);
        // 0001 initial, 0002 analytics, 0004 analytics periods (0003, 0005 and 0006 are SQLite-only).
        Assert.Equal(3L, await database.ScalarAsync("SELECT count(*) FROM schema_migrations"));
        Assert.Equal(1L, await database.ScalarAsync("SELECT count(*) FROM api_keys WHERE name = 'bootstrap'"));
    }

    [Fact]
    public void Malformed_postgres_url_is_refused_at_start_up_naming_the_setting_but_not_the_password()
    {
        var error = Assert.Throws<InvalidSettingsException>(() => QmHubServer.Build(new Dictionary<string, string?>
        {
            ["Db"] = "postgres://qmhub:Sup3rSecret@db.example:port/hub",
            ["SecretTokens"] = RunningServer.Secret,
        }));

        Assert.Contains("Db (--db, QMHUB_DB): the PostgreSQL URL is not valid", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Sup3rSecret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_and_keys_commands_work_on_a_postgres_url_and_never_print_its_password()
    {
        await using var database = await cluster.CreateDatabaseAsync();
        var url = new UriBuilder(database.Url);
        if (url.Password.Length == 0)
        {
            // The throwaway cluster trusts loopback connections, so any password is accepted.
            url.Password = "Sup3rSecret";
        }

        var password = Uri.UnescapeDataString(url.Password);
        var db = url.Uri.ToString();

        var migrate = await QmHubProcess.RunAsync(null, "migrate", "--db", db);
        var create = await QmHubProcess.RunAsync(null, "keys", "create", "--db", db, "--name", "ci", "--scope", "read");
        var list = await QmHubProcess.RunAsync(null, "keys", "list", "--db", db);

        Assert.True(migrate.ExitCode == 0, migrate.Describe());
        // The console may wrap a long line: compare without white space.
        Assert.Contains(WithoutSpaces($"Applied migration(s) 1, 2, 4 to PostgreSQL {url.UserName}@{url.Host}:{url.Port}/{database.Name} in"), WithoutSpaces(migrate.Stdout), StringComparison.Ordinal);
        Assert.Contains(WithoutSpaces("the schema is up to date."), WithoutSpaces(migrate.Stdout), StringComparison.Ordinal);
        Assert.True(create.ExitCode == 0, create.Describe());
        Assert.Contains("ci", list.Stdout, StringComparison.Ordinal);
        Assert.Equal(1L, await database.ScalarAsync("SELECT count(*) FROM api_keys WHERE name = 'ci'"));
        foreach (var run in (IEnumerable<(int, string Stdout, string Stderr)>)[migrate, create, list])
        {
            Assert.DoesNotContain(password, run.Stdout + run.Stderr, StringComparison.Ordinal);
        }
    }

    private static string WithoutSpaces(string text) => string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
}
