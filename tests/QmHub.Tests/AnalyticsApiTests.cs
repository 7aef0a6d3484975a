using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using QmHub.Storage;
using QmHub.Storage.Analytics;
using QmHub.Testing;
using QmHub.Zoom.Models;

namespace QmHub.Tests;

/// <summary>
/// Every report against values computed by hand from a small crafted data set, through real Kestrel, on each
/// engine (<see cref="SqliteAnalyticsApiTests"/>, <see cref="PostgresAnalyticsApiTests"/>). The period is 2026-11-23..25 in America/New_York (UTC-5): [23T05:00Z, 25T05:00Z).
/// </summary>
/// <remarks>
/// Ann Agent (user u-ann, revealed by evaluations): i-1 23T10:00Z 300 s sentiment 70 (ev-1 0.8 MANUAL, sent
/// before i-1; ev-2 0.6 AUTOMATED); i-2 24T04:30Z = 23rd 23:30 in New York, 600 s, 50 (ev-3 0.9 MANUAL, ev-5
/// 0.85 AUTOMATED); i-4 first Bob's on q-support on the 22nd, then a newer version moves it to Ann on
/// q-billing on 24T12:00Z, 400 s, 60 (ev-4 0.5 MANUAL), then its oldest version arrives last; i-7 24T20:00Z 300
/// s, 80, not evaluated; ev-9 0.7 MANUAL of an interaction never received, event_ts 24T12:00Z. Previous
/// period: i-6 22T15:00Z 100 s, 90. Outside: i-5 25T06:00Z. Bob Builder (name only): i-3 24T15:00Z, q-support,
/// VIDEO, 120 s, 40. Every interaction: engagement 65, silence 2, crosstalk 1, hold 0, inbound, resolved.
/// </remarks>
public abstract class AnalyticsApiTests : IAsyncLifetime
{
    private const string Period = "from=2026-11-23&to=2026-11-25&tz=America/New_York";
    private RunningServer _server = null!;

    /// <summary>The settings that point the server at the engine under test; null for the default, a fresh SQLite file.</summary>
    protected abstract Task<IDictionary<string, string?>?> EngineSettingsAsync();

    public async Task InitializeAsync()
    {
        _server = await RunningServer.StartAsync(await EngineSettingsAsync());
        await PostAsync(TestEvents.Evaluation("ev-1", "i-1", eventTs: Ms("2026-11-22T00:00:00Z"), ratio: 0.8, type: "MANUAL"));
        await PostAsync(Interaction("i-1", "2026-11-23T10:00:00Z", 300, 70));
        await PostAsync(TestEvents.Evaluation("ev-2", "i-1", eventTs: Ms("2026-11-23T12:00:00Z"), ratio: 0.6, type: "AUTOMATED", evaluatorUserId: "u-bot"));
        await PostAsync(Interaction("i-2", "2026-11-24T04:30:00Z", 600, 50));
        await PostAsync(TestEvents.Evaluation("ev-3", "i-2", eventTs: Ms("2026-11-24T06:00:00Z"), ratio: 0.9, type: "MANUAL"));
        await PostAsync(TestEvents.Evaluation("ev-5", "i-2", eventTs: Ms("2026-11-24T06:30:00Z"), ratio: 0.85, type: "AUTOMATED", evaluatorUserId: "u-bot"));
        await PostAsync(Interaction("i-3", "2026-11-24T15:00:00Z", 120, 40, agent: "Bob Builder", queue: "q-support", channel: "VIDEO"));
        await PostAsync(Interaction("i-4", "2026-11-22T12:00:00Z", 200, 80, agent: "Bob Builder", queue: "q-support", eventTs: 2));
        await PostAsync(TestEvents.Evaluation("ev-4", "i-4", eventTs: Ms("2026-11-22T13:00:00Z"), ratio: 0.5, type: "MANUAL"));
        await PostAsync(Interaction("i-4", "2026-11-24T12:00:00Z", 400, 60, eventTs: 3));
        await PostAsync(Interaction("i-4", "2026-11-21T12:00:00Z", 999, 10, agent: "Bob Builder", queue: "q-support", eventTs: 1));
        await PostAsync(Interaction("i-5", "2026-11-25T06:00:00Z", 300, 70));
        await PostAsync(Interaction("i-6", "2026-11-22T15:00:00Z", 100, 90));
        await PostAsync(Interaction("i-7", "2026-11-24T20:00:00Z", 300, 80));
        await PostAsync(TestEvents.Evaluation("ev-9", "i-404", eventTs: Ms("2026-11-24T12:00:00Z"), ratio: 0.7, type: "MANUAL"));
    }

    public virtual async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Agents_report_every_metric_by_resolved_identity_with_the_previous_period()
    {
        using var json = await GetJsonAsync($"/api/v1/agents?{Period}");
        var items = json.RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, items.Count);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("next_cursor").ValueKind);
        Assert.Equal("rollups", json.RootElement.GetProperty("period").GetProperty("source").GetString());

        var bob = items[0];
        Assert.Equal("Bob Builder", bob.GetProperty("agent").GetProperty("id").GetString());
        Assert.Equal("Bob Builder", bob.GetProperty("agent").GetProperty("name").GetString());
        AssertMetrics(bob, interactions: 1, handleTotal: 120, handleAvg: 120, sentiment: 40, engagement: 65, below: 1, manual: 0, automated: 0,
            qa: null, coverage: 0, silence: 2, hold: 0, crosstalk: 1, silence10: 10, hold10: 0, crosstalk10: 5);
        AssertNoData(bob.GetProperty("previous"));

        var ann = items[1];
        Assert.Equal("u-ann", ann.GetProperty("agent").GetProperty("id").GetString());
        Assert.Equal("Ann Agent", ann.GetProperty("agent").GetProperty("name").GetString());
        Assert.Equal("acct-1", ann.GetProperty("account_id").GetString());
        AssertMetrics(ann, interactions: 4, handleTotal: 1600, handleAvg: 400, sentiment: 65, engagement: 65, below: 0.5, manual: 4, automated: 2,
            qa: 72.5, coverage: 0.75, silence: 2, hold: 0, crosstalk: 1, silence10: 3, hold10: 0, crosstalk10: 1.5);
        Assert.Equal(3, ann.GetProperty("change").GetProperty("interactions").GetInt64());
        Assert.Equal(-25, ann.GetProperty("change").GetProperty("sentiment_avg").GetDouble(), 9);
        Assert.Equal(JsonValueKind.Null, ann.GetProperty("change").GetProperty("qa_score_pct").ValueKind);
        AssertMetrics(ann.GetProperty("previous"), interactions: 1, handleTotal: 100, handleAvg: 100, sentiment: 90, engagement: 65, below: 0, manual: 0, automated: 0,
            qa: null, coverage: 0, silence: 2, hold: 0, crosstalk: 1, silence10: 12, hold10: 0, crosstalk10: 6);
    }

    [Fact]
    public async Task Agents_are_paged_by_keyset_cursor()
    {
        using var first = await GetJsonAsync($"/api/v1/agents?{Period}&limit=1");
        Assert.Equal("Bob Builder", Single(first).GetProperty("agent").GetProperty("id").GetString());
        var cursor = first.RootElement.GetProperty("next_cursor").GetString();
        Assert.NotNull(cursor);

        using var second = await GetJsonAsync($"/api/v1/agents?{Period}&limit=1&cursor={Uri.EscapeDataString(cursor)}");
        Assert.Equal("u-ann", Single(second).GetProperty("agent").GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, second.RootElement.GetProperty("next_cursor").ValueKind);
    }

    [Fact]
    public async Task Agent_detail_has_daily_trend_in_the_zone_lowest_scored_interactions_and_scorecards()
    {
        using var json = await GetJsonAsync($"/api/v1/agents/u-ann?{Period}");
        var root = json.RootElement;
        Assert.Equal(4, root.GetProperty("interactions").GetInt64());
        var trend = root.GetProperty("trend").EnumerateArray().ToList();
        Assert.Equal(["2026-11-23T00:00:00-05:00", "2026-11-24T00:00:00-05:00"], trend.Select(t => t.GetProperty("start").GetString()));
        Assert.Equal([2L, 2L], trend.Select(t => t.GetProperty("interactions").GetInt64()));
        Assert.Equal(78.75, trend[0].GetProperty("qa_score_pct").GetDouble(), 9);
        Assert.Equal(60, trend[1].GetProperty("qa_score_pct").GetDouble(), 9);
        Assert.Equal(["i-4", "i-1", "i-2"], root.GetProperty("lowest_scored").EnumerateArray().Select(i => i.GetProperty("interaction_id").GetString()));
        var scorecard = Assert.Single(root.GetProperty("scorecards").EnumerateArray());
        Assert.Equal("Customer care", scorecard.GetProperty("scorecard_name").GetString());
        Assert.Equal(6, scorecard.GetProperty("evaluations").GetInt64());
        Assert.Equal(4, scorecard.GetProperty("evaluations_manual").GetInt64());
        Assert.Equal(72.5, scorecard.GetProperty("qa_score_pct").GetDouble(), 9);

        using var byName = await GetJsonAsync($"/api/v1/agents/{Uri.EscapeDataString("Ann Agent")}?{Period}");
        Assert.Equal("u-ann", byName.RootElement.GetProperty("agent").GetProperty("id").GetString());
        Assert.Equal(4, byName.RootElement.GetProperty("interactions").GetInt64());
    }

    [Fact]
    public async Task Unknown_agent_is_404()
    {
        using var response = await _server.GetAsync($"/api/v1/agents/nobody?{Period}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Queues_report_metrics_and_mix_and_the_move_of_an_updated_interaction()
    {
        using var json = await GetJsonAsync($"/api/v1/queues?{Period}");
        var items = json.RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([null, "q-billing", "q-support"], items.Select(i => i.GetProperty("queue").GetProperty("id").GetString()));

        var unknown = items[0];
        Assert.Equal(0, unknown.GetProperty("interactions").GetInt64());
        Assert.Equal(1, unknown.GetProperty("evaluations_manual").GetInt64());
        Assert.Equal(70, unknown.GetProperty("qa_score_pct").GetDouble(), 9);
        Assert.Equal(JsonValueKind.Null, unknown.GetProperty("coverage").ValueKind);

        var billing = items[1];
        Assert.Equal("Billing", billing.GetProperty("queue").GetProperty("name").GetString());
        AssertMetrics(billing, interactions: 4, handleTotal: 1600, handleAvg: 400, sentiment: 65, engagement: 65, below: 0.5, manual: 3, automated: 2,
            qa: 73, coverage: 0.75, silence: 2, hold: 0, crosstalk: 1, silence10: 3, hold10: 0, crosstalk10: 1.5);
        Assert.Equal(4, billing.GetProperty("mix").GetProperty("channel_type").GetProperty("AUDIO").GetInt64());
        Assert.Equal(4, billing.GetProperty("mix").GetProperty("disposition").GetProperty("resolved").GetInt64());

        var support = items[2];
        Assert.Equal(1, support.GetProperty("interactions").GetInt64());
        Assert.Equal(1, support.GetProperty("mix").GetProperty("channel_type").GetProperty("VIDEO").GetInt64());
        AssertNoData(support.GetProperty("previous"));
    }

    [Fact]
    public async Task Queue_detail_has_its_mix_and_trend()
    {
        using var json = await GetJsonAsync($"/api/v1/queues/q-billing?{Period}");
        var root = json.RootElement;
        Assert.Equal("Billing", root.GetProperty("queue").GetProperty("name").GetString());
        Assert.Equal(1, root.GetProperty("previous").GetProperty("interactions").GetInt64());
        Assert.Equal(4, root.GetProperty("mix").GetProperty("direction").GetProperty("inbound").GetInt64());
        Assert.Equal([2L, 2L], root.GetProperty("trend").EnumerateArray().Select(t => t.GetProperty("interactions").GetInt64()));
    }

    [Theory]
    [InlineData("America/New_York", new long[] { 2, 3 })]
    [InlineData("UTC", new long[] { 1, 4 })]
    public async Task Trend_days_follow_the_requested_time_zone(string tz, long[] expected)
    {
        using var json = await GetJsonAsync($"/api/v1/trends?metric=interactions&interval=day&from=2026-11-23&to=2026-11-25&tz={Uri.EscapeDataString(tz)}");
        Assert.Equal(expected, json.RootElement.GetProperty("items").EnumerateArray().Select(i => (long)i.GetProperty("value").GetDouble()));
    }

    [Fact]
    public async Task Trend_of_qa_score_counts_an_evaluation_without_interaction_by_its_event_time()
    {
        using var json = await GetJsonAsync($"/api/v1/trends?metric=qa_score&{Period}");
        var values = json.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("value").GetDouble()).ToList();
        Assert.Equal(78.75, values[0], 9);
        Assert.Equal(60, values[1], 9);
    }

    [Fact]
    public async Task Half_hour_zone_falls_back_to_projections_with_exact_days()
    {
        using var json = await GetJsonAsync("/api/v1/trends?metric=interactions&from=2026-11-23&to=2026-11-25&tz=Asia/Kolkata");
        Assert.Equal("projections", json.RootElement.GetProperty("period").GetProperty("source").GetString());
        // Kolkata is UTC+05:30: the 23rd is [22T18:30Z, 23T18:30Z), the 24th [23T18:30Z, 24T18:30Z).
        Assert.Equal([1L, 3L], json.RootElement.GetProperty("items").EnumerateArray().Select(i => (long)i.GetProperty("value").GetDouble()));
    }

    [Fact]
    public async Task Weekly_trend_starts_on_monday()
    {
        using var json = await GetJsonAsync("/api/v1/trends?metric=interactions&interval=week&from=2026-11-16&to=2026-11-30&tz=America/New_York");
        var items = json.RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["2026-11-16T00:00:00-05:00", "2026-11-23T00:00:00-05:00"], items.Select(i => i.GetProperty("start").GetString()));
        Assert.Equal([1L, 6L], items.Select(i => (long)i.GetProperty("value").GetDouble()));
    }

    [Theory]
    [InlineData("&sentiment_target=50", "projections", 0, 1)]
    [InlineData("&sentiment_target=61", "rollups", 0.5, 1)]
    [InlineData("&sentiment_target=90", "projections", 1, 1)]
    public async Task Sentiment_target_other_than_the_rollups_is_answered_from_projections(string target, string source, double ann, double bob)
    {
        using var json = await GetJsonAsync($"/api/v1/agents?{Period}{target}");
        Assert.Equal(source, json.RootElement.GetProperty("period").GetProperty("source").GetString());
        var items = json.RootElement.GetProperty("items");
        Assert.Equal(bob, items[0].GetProperty("below_sentiment_target_share").GetDouble(), 9);
        Assert.Equal(ann, items[1].GetProperty("below_sentiment_target_share").GetDouble(), 9);
    }

    [Fact]
    public async Task Period_not_on_whole_hours_is_answered_exactly_from_projections()
    {
        // From 10:00:01Z the 23rd: i-1 (10:00:00Z) falls into the previous period, beside i-6.
        using var json = await GetJsonAsync("/api/v1/agents?from=2026-11-23T10:00:01Z&to=2026-11-25T05:00:00Z&agent=u-ann");
        Assert.Equal("projections", json.RootElement.GetProperty("period").GetProperty("source").GetString());
        var ann = Single(json);
        Assert.Equal(3, ann.GetProperty("interactions").GetInt64());
        Assert.Equal(2, ann.GetProperty("previous").GetProperty("interactions").GetInt64());
    }

    [Fact]
    public async Task Calibration_compares_evaluations_of_the_same_interactions()
    {
        using var json = await GetJsonAsync($"/api/v1/calibration?{Period}");
        var scorecard = Assert.Single(json.RootElement.GetProperty("scorecards").EnumerateArray());
        Assert.Equal(2, scorecard.GetProperty("interactions").GetInt64());
        Assert.Equal(2, scorecard.GetProperty("pairs").GetInt64());
        Assert.Equal(0.125, scorecard.GetProperty("mean_abs_difference").GetDouble(), 9);
        Assert.Equal(0.5, scorecard.GetProperty("share_within_0_10").GetDouble(), 9);
        Assert.Equal(0.125, scorecard.GetProperty("manual_minus_automated").GetDouble(), 9);

        var evaluators = json.RootElement.GetProperty("evaluators").EnumerateArray().ToDictionary(e => e.GetProperty("evaluator_user_id").GetString() ?? "");
        Assert.Equal(2, evaluators["u-bot"].GetProperty("evaluations").GetInt64());
        Assert.Equal(0.725, evaluators["u-bot"].GetProperty("average_ratio").GetDouble(), 9);
        Assert.Equal(-0.125, evaluators["u-bot"].GetProperty("bias").GetDouble(), 9);
        Assert.Equal(4, evaluators["u-eve"].GetProperty("evaluations").GetInt64());
        Assert.Equal(0.725, evaluators["u-eve"].GetProperty("average_ratio").GetDouble(), 9);
        Assert.Equal(0.125, evaluators["u-eve"].GetProperty("bias").GetDouble(), 9);

        var worst = json.RootElement.GetProperty("worst_disagreements").EnumerateArray().ToList();
        Assert.Equal(["i-1", "i-2"], worst.Select(w => w.GetProperty("interaction_id").GetString()));
        Assert.Equal(0.2, worst[0].GetProperty("spread").GetDouble(), 9);
    }

    [Fact]
    public async Task Interaction_search_filters_sorts_by_score_and_pages()
    {
        using var first = await GetJsonAsync($"/api/v1/interactions?{Period}&evaluated=true&sort=score&limit=2");
        Assert.Equal(["i-4", "i-1"], Ids(first));
        Assert.Equal("u-ann", first.RootElement.GetProperty("items")[0].GetProperty("agent").GetProperty("id").GetString());
        var cursor = first.RootElement.GetProperty("next_cursor").GetString();
        using var second = await GetJsonAsync($"/api/v1/interactions?{Period}&evaluated=true&sort=score&limit=2&cursor={Uri.EscapeDataString(cursor ?? "")}");
        Assert.Equal(["i-2"], Ids(second));
        Assert.Equal(87.5, second.RootElement.GetProperty("items")[0].GetProperty("qa_score_pct").GetDouble(), 9);

        using var unevaluated = await GetJsonAsync($"/api/v1/interactions?{Period}&evaluated=false");
        Assert.Equal(["i-7", "i-3"], Ids(unevaluated));
        using var support = await GetJsonAsync($"/api/v1/interactions?{Period}&queue_id=q-support");
        Assert.Equal(["i-3"], Ids(support));
        using var highScores = await GetJsonAsync($"/api/v1/interactions?{Period}&min_qa_score=80");
        Assert.Equal(["i-2"], Ids(highScores));
        using var bob = await GetJsonAsync($"/api/v1/interactions?{Period}&agent={Uri.EscapeDataString("Bob Builder")}&channel_type=VIDEO&language=en-US&disposition=resolved");
        Assert.Equal(["i-3"], Ids(bob));
    }

    [Fact]
    public async Task Csv_cells_of_text_a_spreadsheet_would_run_as_a_formula_are_escaped_and_numbers_are_not()
    {
        await PostAsync(Interaction("i-formula", "2026-11-24T08:00:00Z", 60, 10, agent: "=HYPERLINK(\"http://evil.example/\",\"x\")", queue: "@SUM(1+1)"));

        using var agents = await _server.GetAsync($"/api/v1/agents?{Period}&format=csv");
        using var interactions = await _server.GetAsync($"/api/v1/interactions?{Period}&format=csv");
        var agentsCsv = await agents.Content.ReadAsStringAsync();
        var interactionsCsv = await interactions.Content.ReadAsStringAsync();

        Assert.Contains("\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"x\"\")\"", agentsCsv, StringComparison.Ordinal);
        Assert.Contains(",'@SUM(1+1),", interactionsCsv, StringComparison.Ordinal);
        Assert.DoesNotContain(",=", agentsCsv + interactionsCsv, StringComparison.Ordinal);
        Assert.DoesNotContain(",@", agentsCsv + interactionsCsv, StringComparison.Ordinal);
        // A negative number (Ann's sentiment fell by 25 against the previous period) stays a number.
        Assert.Contains(",-25,", agentsCsv, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/v1/agents?sentiment_target=NaN", "sentiment_target must be between 0 and 100, got NaN")]
    [InlineData("/api/v1/interactions?min_qa_score=NaN", "min_qa_score must be a number, got NaN")]
    [InlineData("/api/v1/interactions?max_sentiment=NaN", "max_sentiment must be a number, got NaN")]
    public async Task Not_a_number_is_a_400_naming_the_parameter(string path, string message)
    {
        using var response = await _server.GetAsync($"{path}&{Period}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("NaN\u001f1\u001fa\u001fb")]
    [InlineData("1\u001f99999999999999999999999\u001fa\u001fb")]
    [InlineData("Infinity\u001f1\u001fa\u001fb")]
    public async Task A_forged_search_cursor_is_a_400_not_a_500(string parts)
    {
        var cursor = AnalyticsDefinitions.EncodeCursor(parts.Split('\u001f'));

        using var response = await _server.GetAsync($"/api/v1/interactions?{Period}&sort=score&cursor={cursor}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("cursor is not one this API returned", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lists_export_as_csv_by_accept_header_and_as_ndjson_by_format()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/agents?{Period}");
        request.Headers.Authorization = new("Bearer", RunningServer.AdminKey);
        request.Headers.Accept.ParseAdd("text/csv");
        using var csv = await _server.Client.SendAsync(request);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("account_id,id,name,interactions,handle_time_s_total,", lines[0], StringComparison.Ordinal);
        Assert.True(lines[2].StartsWith("acct-1,u-ann,Ann Agent,4,1600,400,65,65,0.5,6,4,2,72.5,0.75,", StringComparison.Ordinal), lines[2]);

        using var ndjson = await _server.GetAsync($"/api/v1/interactions?{Period}&format=ndjson&limit=1");
        var rows = (await ndjson.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, rows.Length);
        Assert.All(rows, r => JsonDocument.Parse(r).Dispose());
    }

    [Fact]
    public async Task Interactions_export_as_parquet_with_typed_nullable_columns()
    {
        using var response = await _server.GetAsync($"/api/v1/interactions?{Period}&format=parquet&sort=score");
        Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/vnd.apache.parquet", response.Content.Headers.ContentType?.MediaType);
        await using var file = new MemoryStream(await response.Content.ReadAsByteArrayAsync());
        await using var reader = await Parquet.ParquetReader.CreateAsync(file);
        using var group = reader.OpenRowGroupReader(0);
        Assert.Equal(5, group.RowCount);
        var fields = reader.Schema.GetDataFields().ToDictionary(f => f.Name);
        var ids = new string?[5];
        await group.ReadAsync(fields["interaction_id"], ids.AsMemory());
        Assert.Equal("i-4,i-1,i-2,i-3,i-7", string.Join(",", ids));
        var scores = new double?[5];
        await group.ReadAsync(fields["qa_score_pct"], scores.AsMemory());
        Assert.Equal([50, 70, 87.5, null, null], scores);
        var durations = new long?[5];
        await group.ReadAsync(fields["duration"], durations.AsMemory());
        Assert.Equal([400L, 300L, 600L, 120L, 300L], durations);
    }

    [Fact]
    public async Task Reproject_rebuilds_the_same_rollups()
    {
        var before = await (await _server.GetAsync($"/api/v1/agents?{Period}")).Content.ReadAsStringAsync();
        await _server.Services.GetRequiredService<IQmStore>().ReprojectAsync(null, CancellationToken.None);
        var after = await (await _server.GetAsync($"/api/v1/agents?{Period}")).Content.ReadAsStringAsync();
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Bad_parameters_are_400_naming_the_parameter()
    {
        foreach (var (query, word) in new[] { ("tz=Mars/Base", "tz"), ("from=2026-11-25&to=2026-11-23", "from"), ("cursor=zzz", "cursor"), ("format=xml", "format") })
        {
            using var response = await _server.GetAsync($"/api/v1/agents?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(word, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Analytics_routes_need_an_api_key_and_are_in_the_openapi_document()
    {
        using var anonymous = await _server.GetAsync("/api/v1/agents", key: null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var document = await (await _server.GetAsync("/openapi/v1.json")).Content.ReadAsStringAsync();
        foreach (var path in new[] { "/api/v1/agents", "/api/v1/agents/{agent}", "/api/v1/queues", "/api/v1/queues/{queue_id}", "/api/v1/trends", "/api/v1/calibration", "/api/v1/interactions" })
        {
            Assert.Contains($"\"{path}\"", document, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/api/v1/summary?from=0001-01-02&to=2026-01-01", "from")]
    [InlineData("/api/v1/summary?from=2026-01-01&to=9999-12-30", "to")]
    [InlineData("/api/v1/agents?from=0001-01-01", "from")]
    [InlineData("/api/v1/agents?from=0001-01-01&tz=America/New_York", "from")]
    [InlineData("/api/v1/queues?from=1999-12-31&to=2026-01-01", "from")]
    [InlineData("/api/v1/trends?metric=interactions&from=2026-01-01&to=9999-12-31&tz=Asia/Tokyo", "to")]
    [InlineData("/api/v1/agents/u-ann?from=0001-01-01T00:00:00-05:00&to=2026-01-01", "from")]
    [InlineData("/api/v1/interactions?from=2026-01-01T00:00:00Z&to=9999-12-31T23:59:59Z", "to")]
    [InlineData("/api/v1/calibration?from=2099-12-31&to=2100-01-02", "to")]
    public async Task Dates_outside_the_supported_range_are_a_400_naming_the_range(string path, string parameter)
    {
        using var response = await _server.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString()!;
        Assert.Contains($"{parameter} must lie between 2000-01-01 and 2100-01-01 (UTC)", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scores_and_durations_outside_their_range_are_kept_in_the_record_and_left_out_of_every_sum()
    {
        double Sentiment(JsonDocument summary) => Single(summary).GetProperty("sentiment_avg").GetDouble();
        long Handle(JsonDocument summary) => Single(summary).GetProperty("handle_time_s_total").GetInt64();
        long Count(JsonDocument summary) => Single(summary).GetProperty("interactions").GetInt64();
        using var before = await GetJsonAsync($"/api/v1/summary?{Period}");

        // Two signed deliveries whose sum would be infinite (sentiment) or overflow a 64-bit integer (duration).
        await PostAsync(Interaction("i-big-1", "2026-11-24T08:00:00Z", 9_000_000_000_000_000_000, 1.7976931348623157e308));
        await PostAsync(Interaction("i-big-2", "2026-11-24T09:00:00Z", 9_000_000_000_000_000_000, 1.7976931348623157e308));

        using var after = await GetJsonAsync($"/api/v1/summary?{Period}");
        Assert.Equal(Count(before) + 2, Count(after));
        Assert.Equal(Sentiment(before), Sentiment(after), 9);
        Assert.Equal(Handle(before), Handle(after));
        foreach (var path in (string[])["agents", "queues", "trends?metric=sentiment&", "interactions?sort=score&"])
        {
            var query = path.EndsWith('&') ? path + Period : path + "?" + Period;
            using var response = await _server.GetAsync($"/api/v1/{query}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        using var record = await GetJsonAsync("/api/v1/interactions/i-big-1");
        Assert.Equal(1.7976931348623157e308, record.RootElement.GetProperty("summary").GetProperty("sentiment_score").GetDouble());
    }

    [Fact]
    public async Task The_ends_of_the_supported_range_are_answered()
    {
        using var json = await GetJsonAsync("/api/v1/summary?from=2000-01-01&to=2100-01-01");
        var row = Single(json);
        Assert.Equal(7, row.GetProperty("interactions").GetInt64());
        // As many days before (36,525; 1900 was no leap year).
        Assert.Equal("1899-12-31T00:00:00+00:00", json.RootElement.GetProperty("period").GetProperty("previous_from").GetString());
    }

    [Theory]
    [InlineData("/api/v1/agents/u-ann", "agent", "format=csv")]
    [InlineData("/api/v1/agents/u-ann", "agent", "format=parquet")]
    [InlineData("/api/v1/queues/q-billing", "queue", "format=ndjson")]
    public async Task Detail_reports_refuse_an_export_format_and_say_which_routes_export(string path, string report, string format)
    {
        using var response = await _server.GetAsync($"{path}?{Period}&{format}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString()!;
        Assert.Contains($"The {report} report is JSON only ({format} asked", detail, StringComparison.Ordinal);
        Assert.Contains("/api/v1/summary, /agents, /queues, /trends, /calibration, /interactions and /events", detail, StringComparison.Ordinal);
        Assert.Contains($"&format=csv", detail, StringComparison.Ordinal);

        var request = new HttpRequestMessage(HttpMethod.Get, $"{path}?{Period}");
        request.Headers.Authorization = new("Bearer", RunningServer.AdminKey);
        request.Headers.Accept.ParseAdd("text/csv");
        using var byAccept = await _server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotAcceptable, byAccept.StatusCode);

        using var json = await GetJsonAsync($"{path}?{Period}&format=json");
        Assert.Equal(JsonValueKind.Object, json.RootElement.ValueKind);
    }

    [Fact]
    public async Task Search_scores_carry_six_decimals_in_json_and_csv()
    {
        // (0.55 + 0.6) / 2 × 100 is 57.49999999999999 in binary floating point.
        await PostAsync(Interaction("i-8", "2026-11-24T18:00:00Z", 300, 70));
        await PostAsync(TestEvents.Evaluation("ev-8a", "i-8", eventTs: Ms("2026-11-24T19:00:00Z"), ratio: 0.55, type: "MANUAL"));
        await PostAsync(TestEvents.Evaluation("ev-8b", "i-8", eventTs: Ms("2026-11-24T19:10:00Z"), ratio: 0.6, type: "AUTOMATED", evaluatorUserId: "u-bot"));

        using var json = await GetJsonAsync($"/api/v1/interactions?{Period}&min_qa_score=55&max_qa_score=60");
        var hit = Single(json);
        Assert.Equal("i-8", hit.GetProperty("interaction_id").GetString());
        Assert.Equal("57.5", hit.GetProperty("qa_score_pct").GetRawText());

        using var csv = await _server.GetAsync($"/api/v1/interactions?{Period}&min_qa_score=55&max_qa_score=60&format=csv");
        var row = (await csv.Content.ReadAsStringAsync()).Split("\r\n")[1];
        Assert.True(row.StartsWith("acct-1,i-8,", StringComparison.Ordinal) && row.EndsWith(",2,57.5", StringComparison.Ordinal), row);

        using var agent = await GetJsonAsync($"/api/v1/agents/u-ann?{Period}");
        Assert.Equal("57.5", agent.RootElement.GetProperty("lowest_scored")[1].GetProperty("qa_score_pct").GetRawText());
    }

    [Fact]
    public async Task A_total_over_nothing_is_zero_like_the_counts()
    {
        using var json = await GetJsonAsync($"/api/v1/agents?{Period}");
        var bob = json.RootElement.GetProperty("items")[0];
        Assert.Equal("Bob Builder", bob.GetProperty("agent").GetProperty("id").GetString());
        Assert.Equal(0, bob.GetProperty("previous").GetProperty("interactions").GetInt64());
        Assert.Equal("0", bob.GetProperty("previous").GetProperty("handle_time_s_total").GetRawText());
        Assert.Equal("120", bob.GetProperty("change").GetProperty("handle_time_s_total").GetRawText());

        using var csv = await _server.GetAsync($"/api/v1/agents?{Period}&format=csv");
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n");
        var header = lines[0].Split(',').ToList();
        var cells = lines[1].Split(',');
        Assert.Equal("0", cells[header.IndexOf("previous_handle_time_s_total")]);
        Assert.Equal("120", cells[header.IndexOf("change_handle_time_s_total")]);
    }

    [Fact]
    public async Task Previous_period_of_whole_local_days_has_as_many_local_days_across_a_dst_change()
    {
        // New York leaves daylight time on 2026-11-01: 2026-10-26..11-09 is 14 local days (337 hours); the 14 days before
        // start at 2026-10-12 00:00 EDT (04:00Z). 2026-10-12T03:30Z is 2026-10-11 23:30 in New York: not in it.
        await PostAsync(Interaction("i-dst-out", "2026-10-12T03:30:00Z", 100, 70));
        await PostAsync(Interaction("i-dst-in", "2026-10-12T04:30:00Z", 100, 70));
        await PostAsync(Interaction("i-dst-now", "2026-10-27T12:00:00Z", 100, 70));
        const string dst = "from=2026-10-26&to=2026-11-09&tz=America/New_York";
        foreach (var path in new[] { $"/api/v1/agents?{dst}", $"/api/v1/summary?{dst}", $"/api/v1/queues?{dst}", $"/api/v1/trends?metric=interactions&{dst}", $"/api/v1/calibration?{dst}" })
        {
            using var json = await GetJsonAsync(path);
            var period = json.RootElement.GetProperty("period");
            Assert.Equal("2026-10-12T00:00:00-04:00", period.GetProperty("previous_from").GetString());
            // Calibration reads the projections on PostgreSQL, which keeps no calibration rollups.
            Assert.True(path.Contains("/calibration", StringComparison.Ordinal) || period.GetProperty("source").GetString() == "rollups", path);
        }

        using (var detail = await GetJsonAsync($"/api/v1/agents/u-ann?{dst}"))
        {
            Assert.Equal("2026-10-12T00:00:00-04:00", detail.RootElement.GetProperty("period").GetProperty("previous_from").GetString());
            Assert.Equal(1, detail.RootElement.GetProperty("previous").GetProperty("interactions").GetInt64());
            Assert.Equal(1, detail.RootElement.GetProperty("interactions").GetInt64());
        }

        // The rollups' previous period equals the projections' (another sentiment target reads the projections).
        using var rollups = await GetJsonAsync($"/api/v1/summary?{dst}");
        using var projections = await GetJsonAsync($"/api/v1/summary?{dst}&sentiment_target=60");
        Assert.Equal("projections", projections.RootElement.GetProperty("period").GetProperty("source").GetString());
        Assert.Equal(1, Single(rollups).GetProperty("previous").GetProperty("interactions").GetInt64());
        Assert.Equal(1, Single(projections).GetProperty("previous").GetProperty("interactions").GetInt64());

        // A period that is not whole local days keeps its duration: 14 days and 1 hour before.
        using var hours = await GetJsonAsync("/api/v1/summary?from=2026-10-26T12:00&to=2026-11-09T12:00&tz=America/New_York");
        Assert.Equal("2026-10-12T11:00:00-04:00", hours.RootElement.GetProperty("period").GetProperty("previous_from").GetString());
    }

    [Fact]
    public async Task Problems_quote_the_selected_period_as_local_dates()
    {
        using var unknown = await _server.GetAsync($"/api/v1/agents/nobody?{Period}");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var detail = JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString()!;
        Assert.Equal("No agent 'nobody' has interactions or evaluations from 2026-11-23 to 2026-11-25 (to exclusive, America/New_York), nor in the previous period, under these filters.", detail);

        using var reversed = await _server.GetAsync("/api/v1/agents?from=2026-11-26&to=2026-11-25T12:30&tz=America/New_York");
        Assert.Equal(HttpStatusCode.BadRequest, reversed.StatusCode);
        var message = JsonDocument.Parse(await reversed.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString()!;
        Assert.StartsWith("from (2026-11-26) must be before to (2026-11-25 12:30), in America/New_York;", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listed_channels_and_directions_match_in_any_case_and_an_unlisted_channel_exactly()
    {
        foreach (var (asked, exact) in new[]
        {
            ("channel_type=audio", "channel_type=AUDIO"), ("channel_type=Video", "channel_type=VIDEO"), ("direction=INBOUND", "direction=inbound"),
            ("language=en-us", "language=en-US"), ("language=EN-US", "language=en-US"),
        })
        {
            using var expected = await GetJsonAsync($"/api/v1/interactions?{Period}&{exact}");
            using var actual = await GetJsonAsync($"/api/v1/interactions?{Period}&{asked}");
            Assert.NotEmpty(Ids(expected));
            Assert.Equal(Ids(expected), Ids(actual));
        }

        using (var agents = await GetJsonAsync($"/api/v1/agents?{Period}&channel_type=video&direction=Inbound"))
        {
            Assert.Equal("Bob Builder", Single(agents).GetProperty("agent").GetProperty("id").GetString());
        }

        // A channel the specification does not list yet is kept at ingest, so the filter finds it, as sent.
        await PostAsync(Interaction("i-wa", "2026-11-24T16:00:00Z", 90, 60, channel: "WHATSAPP"));
        using (var whatsapp = await GetJsonAsync($"/api/v1/interactions?{Period}&channel_type=WHATSAPP"))
        using (var otherCase = await GetJsonAsync($"/api/v1/interactions?{Period}&channel_type=whatsapp"))
        {
            Assert.Equal(["i-wa"], Ids(whatsapp));
            Assert.Empty(Ids(otherCase));
        }
    }

    [Fact]
    public async Task Trend_buckets_cut_by_the_period_say_so_with_the_part_they_cover()
    {
        using var json = await GetJsonAsync("/api/v1/trends?metric=interactions&interval=week&from=2026-11-18&to=2026-11-26&tz=America/New_York");
        var items = json.RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["2026-11-16T00:00:00-05:00", "2026-11-23T00:00:00-05:00"], items.Select(i => i.GetProperty("start").GetString()));
        Assert.Equal(["2026-11-18T00:00:00-05:00", "2026-11-23T00:00:00-05:00"], items.Select(i => i.GetProperty("from").GetString()));
        Assert.Equal(["2026-11-23T00:00:00-05:00", "2026-11-26T00:00:00-05:00"], items.Select(i => i.GetProperty("to").GetString()));
        Assert.Equal([true, true], items.Select(i => i.GetProperty("partial").GetBoolean()));

        using var whole = await GetJsonAsync("/api/v1/trends?metric=interactions&interval=week&from=2026-11-16&to=2026-11-30&tz=America/New_York");
        Assert.All(whole.RootElement.GetProperty("items").EnumerateArray(), i =>
        {
            Assert.False(i.GetProperty("partial").GetBoolean());
            Assert.Equal(i.GetProperty("start").GetString(), i.GetProperty("from").GetString());
        });

        using var agent = await GetJsonAsync($"/api/v1/agents/u-ann?{Period}&interval=week");
        var bucket = Assert.Single(agent.RootElement.GetProperty("trend").EnumerateArray());
        Assert.Equal(("2026-11-23T00:00:00-05:00", "2026-11-25T00:00:00-05:00", true),
            (bucket.GetProperty("from").GetString(), bucket.GetProperty("to").GetString(), bucket.GetProperty("partial").GetBoolean()));

        using var csv = await _server.GetAsync("/api/v1/trends?metric=interactions&interval=week&from=2026-11-18&to=2026-11-26&tz=America/New_York&format=csv");
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("start,value,interactions,evaluations,from,to,partial", lines[0]);
        Assert.Equal("2026-11-16T00:00:00.0000000-05:00,1,1,0,2026-11-18T00:00:00.0000000-05:00,2026-11-23T00:00:00.0000000-05:00,true", lines[1]);
    }

    private static void AssertMetrics(
        JsonElement row, long interactions, long handleTotal, double handleAvg, double sentiment, double engagement, double below, long manual, long automated,
        double? qa, double coverage, double silence, double hold, double crosstalk, double silence10, double hold10, double crosstalk10)
    {
        Assert.Equal(interactions, row.GetProperty("interactions").GetInt64());
        Assert.Equal(handleTotal, row.GetProperty("handle_time_s_total").GetInt64());
        Assert.Equal(handleAvg, row.GetProperty("handle_time_s_avg").GetDouble(), 9);
        Assert.Equal(sentiment, row.GetProperty("sentiment_avg").GetDouble(), 9);
        Assert.Equal(engagement, row.GetProperty("engagement_avg").GetDouble(), 9);
        Assert.Equal(below, row.GetProperty("below_sentiment_target_share").GetDouble(), 9);
        Assert.Equal(manual, row.GetProperty("evaluations_manual").GetInt64());
        Assert.Equal(automated, row.GetProperty("evaluations_automated").GetInt64());
        if (qa is { } q)
        {
            Assert.Equal(q, row.GetProperty("qa_score_pct").GetDouble(), 9);
        }
        else
        {
            Assert.Equal(JsonValueKind.Null, row.GetProperty("qa_score_pct").ValueKind);
        }

        Assert.Equal(coverage, row.GetProperty("coverage").GetDouble(), 9);
        Assert.Equal(silence, row.GetProperty("silence_per_interaction").GetDouble(), 9);
        Assert.Equal(hold, row.GetProperty("hold_per_interaction").GetDouble(), 9);
        Assert.Equal(crosstalk, row.GetProperty("crosstalk_per_interaction").GetDouble(), 9);
        Assert.Equal(silence10, row.GetProperty("silence_per_10min").GetDouble(), 9);
        Assert.Equal(hold10, row.GetProperty("hold_per_10min").GetDouble(), 9);
        Assert.Equal(crosstalk10, row.GetProperty("crosstalk_per_10min").GetDouble(), 9);
    }

    private static void AssertNoData(JsonElement row)
    {
        Assert.Equal(0, row.GetProperty("interactions").GetInt64());
        Assert.Equal(0, row.GetProperty("handle_time_s_total").GetInt64());
        foreach (var name in new[] { "handle_time_s_avg", "sentiment_avg", "engagement_avg", "below_sentiment_target_share", "qa_score_pct",
            "coverage", "silence_per_interaction", "hold_per_interaction", "crosstalk_per_interaction", "silence_per_10min", "hold_per_10min", "crosstalk_per_10min" })
        {
            Assert.Equal(JsonValueKind.Null, row.GetProperty(name).ValueKind);
        }
    }

    private static InteractionAnalysisCompletedEvent Interaction(
        string id, string start, long duration, double sentiment, string agent = "Ann Agent", string queue = "q-billing", string channel = "AUDIO", long eventTs = 1)
    {
        var e = TestEvents.Interaction(id, eventTs: Ms("2026-11-25T12:00:00Z") + eventTs, agentName: agent, queueId: queue,
            queueName: queue == "q-billing" ? "Billing" : "Support", startTime: start, duration: duration, sentiment: sentiment, channel: channel);
        return e;
    }

    private static long Ms(string instant) => DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();

    private async Task PostAsync(Zoom.Models.ZoomEvent e) => (await _server.PostWebhookAsync(TestEvents.Bytes(e))).EnsureSuccessStatusCode();

    private async Task<JsonDocument> GetJsonAsync(string path)
    {
        using var response = await _server.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body);
    }

    private static JsonElement Single(JsonDocument json) => Assert.Single(json.RootElement.GetProperty("items").EnumerateArray());

    private static List<string?> Ids(JsonDocument json) =>
        json.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("interaction_id").GetString()).ToList();
}

public sealed class SqliteAnalyticsApiTests : AnalyticsApiTests
{
    protected override Task<IDictionary<string, string?>?> EngineSettingsAsync() => Task.FromResult<IDictionary<string, string?>?>(null);
}

[Collection(SharedPostgres.Name)]
public sealed class PostgresAnalyticsApiTests(PostgresCluster cluster) : AnalyticsApiTests
{
    private PostgresTestDatabase? _database;

    protected override async Task<IDictionary<string, string?>?> EngineSettingsAsync()
    {
        _database = await cluster.CreateDatabaseAsync();
        return new Dictionary<string, string?> { ["Db"] = _database.Url };
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
