using System.Text.Json;
using QmHub.Simulation;
using QmHub.Testing;

namespace QmHub.Tests;

/// <summary>
/// The same simulated deliveries sent to a server on SQLite and to one on PostgreSQL get the same report answers:
/// same rows in the same order, same numbers (to the six decimals the API gives).
/// </summary>
[Collection(SharedPostgres.Name)]
public sealed class AnalyticsEngineParityTests(PostgresCluster cluster) : IAsyncLifetime
{
    private const string Period = "from=2026-11-02&to=2026-11-05&tz=America/New_York";
    private PostgresTestDatabase? _database;
    private RunningServer? _sqlite;
    private RunningServer? _postgres;

    public async Task InitializeAsync()
    {
        _database = await cluster.CreateDatabaseAsync();
        _sqlite = await RunningServer.StartAsync();
        _postgres = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Db"] = _database.Url });
        var options = new SimulationOptions
        {
            Seed = 5,
            Start = new DateTimeOffset(2026, 11, 2, 13, 0, 0, TimeSpan.Zero),
            Accounts = 2,
            QueuesPerAccount = 3,
            AgentsPerAccount = 5,
            EvaluatorsPerAccount = 3,
            InteractionsPerAgentPerDay = 5,
            Duration = TimeSpan.FromDays(2),
            Faults = new FaultRates { DuplicatePercent = 5, OutOfOrderPercent = 10, EvaluationBeforeInteractionPercent = 20 },
        };
        foreach (var delivery in ContactCenterSimulator.Generate(options))
        {
            var body = delivery.Body.ToArray();
            (await _sqlite.PostWebhookAsync(body)).EnsureSuccessStatusCode();
            (await _postgres.PostWebhookAsync(body)).EnsureSuccessStatusCode();
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var server in (RunningServer?[])[_sqlite, _postgres])
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("/api/v1/agents?" + Period, "items")]
    [InlineData("/api/v1/agents?from=2026-11-02T00:00:00Z&to=2026-11-04T12:00:00Z&tz=Asia/Kolkata&sentiment_target=70", "items")]
    [InlineData("/api/v1/calibration?" + Period, "evaluators")]
    [InlineData("/api/v1/queues?" + Period, "items")]
    [InlineData("/api/v1/trends?metric=qa_score&interval=day&" + Period, "items")]
    [InlineData("/api/v1/interactions?sort=score&limit=40&" + Period, "items")]
    public async Task Both_engines_answer_the_same(string path, string list)
    {
        using var sqlite = await GetJsonAsync(_sqlite, path);
        using var postgres = await GetJsonAsync(_postgres, path);

        Assert.True(sqlite.RootElement.GetProperty(list).GetArrayLength() > 1, $"{path}: the data set is not trivial");
        var fromSqlite = Flatten(sqlite.RootElement);
        var fromPostgres = Flatten(postgres.RootElement);
        if (path.StartsWith("/api/v1/calibration", StringComparison.Ordinal))
        {
            // SQLite keeps calibration rollups; PostgreSQL computes the same report from the period's evaluations.
            Assert.True(fromSqlite.Remove(".period.source=rollups"), "SQLite answers calibration from its rollups");
            Assert.True(fromPostgres.Remove(".period.source=projections"), "PostgreSQL answers calibration from the evaluations");
        }

        Assert.Equal(fromSqlite, fromPostgres);
    }

    [Fact]
    public async Task Agents_of_one_account_page_through_the_same_keys_on_both_engines()
    {
        var sqlite = await PageIdsAsync(_sqlite);
        var postgres = await PageIdsAsync(_postgres);

        Assert.True(sqlite.Count > 3, "several agents");
        Assert.Equal(sqlite, postgres);
    }

    private static async Task<List<string>> PageIdsAsync(RunningServer? server)
    {
        var ids = new List<string>();
        string? cursor = null;
        do
        {
            using var page = await GetJsonAsync(server, $"/api/v1/agents?{Period}&limit=2" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            ids.AddRange(page.RootElement.GetProperty("items").EnumerateArray().Select(i => $"{i.GetProperty("account_id")}/{i.GetProperty("agent").GetProperty("id")}"));
            cursor = page.RootElement.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);
        return ids;
    }

    /// <summary>Every leaf as "path=value", numbers rounded to six decimals.</summary>
    private static List<string> Flatten(JsonElement element, string path = "")
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                return element.EnumerateObject().SelectMany(p => Flatten(p.Value, $"{path}.{p.Name}")).ToList();
            case JsonValueKind.Array:
                return element.EnumerateArray().SelectMany((e, i) => Flatten(e, $"{path}[{i}]")).ToList();
            case JsonValueKind.Number:
                return [$"{path}={Math.Round(element.GetDouble(), 6).ToString("R", System.Globalization.CultureInfo.InvariantCulture)}"];
            default:
                return [$"{path}={element}"];
        }
    }

    private static async Task<JsonDocument> GetJsonAsync(RunningServer? server, string path)
    {
        ArgumentNullException.ThrowIfNull(server);
        using var response = await server.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body);
    }
}
