using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static QmHub.Dashboard.Tests.PageHelpers;

namespace QmHub.Dashboard.Tests;

/// <summary>What a QA manager does: read the numbers (equal to the API's), filter, change the period, follow links, export.</summary>
[Collection(SharedDashboard.Name)]
public sealed partial class FlowTests(DashboardFixture fixture)
{
    [Fact]
    public async Task Overview_shows_the_api_summary_with_its_change_and_the_quarantine_warning()
    {
        await using var context = await fixture.ContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAppAsync($"/?{fixture.Period}");
        using var summary = await fixture.GetJsonAsync($"/api/v1/summary?{fixture.Period}");
        var row = summary.RootElement.GetProperty("items")[0];
        await AssertKpisAsync(page, row);

        using var counts = await fixture.GetJsonAsync("/api/v1/events/counts");
        var quarantined = counts.RootElement.GetProperty("quarantined").GetInt64();
        Assert.True(quarantined > 0, "the simulator sends invalid deliveries, which are quarantined");
        Assert.Contains($"{Count(quarantined)} quarantined deliveries", await page.Locator("#quarantine-warning").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(2, await page.Locator("canvas").CountAsync());
    }

    [Fact]
    public async Task Leaderboard_equals_the_api_and_sorting_and_filters_are_kept_in_the_url()
    {
        await using var context = await fixture.ContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAppAsync($"/agents?{fixture.Period}");
        using var agents = await fixture.GetJsonAsync($"/api/v1/agents?{fixture.Period}&limit=500");
        await AssertLeaderboardAsync(page, agents.RootElement.GetProperty("items").EnumerateArray().ToList());

        // Sort by interactions, most first, by the column header.
        await page.Locator("#leaderboard thead a", new() { HasTextString = "Interactions" }).ClickAsync();
        await page.ExpectUrlAsync(new Regex("sort=interactions&dir=desc"));
        await page.WaitForAppAsync();
        var shown = await ColumnAsync(page, "interactions");
        Assert.Equal(shown.OrderByDescending(v => v).ToList(), shown);
        Assert.Equal("descending", await page.Locator("th[aria-sort='descending']").GetAttributeAsync("aria-sort"));

        // Filter by a queue: the API is asked with queue_id, and the rows are its rows.
        using var queues = await fixture.GetJsonAsync($"/api/v1/queues?{fixture.Period}");
        var queue = queues.RootElement.GetProperty("items").EnumerateArray().First(q => q.GetProperty("queue").GetProperty("id").ValueKind == JsonValueKind.String);
        var queueId = queue.GetProperty("queue").GetProperty("id").GetString()!;
        await page.GetByLabel("Queue", new() { Exact = true }).SelectOptionAsync(queueId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await page.ExpectUrlAsync(new Regex("queue_id=" + Regex.Escape(Uri.EscapeDataString(queueId))));
        await page.WaitForAppAsync();
        Assert.Contains("sort=interactions", page.Url, StringComparison.Ordinal);
        using var filtered = await fixture.GetJsonAsync($"/api/v1/agents?{fixture.Period}&queue_id={Uri.EscapeDataString(queueId)}&limit=500");
        await AssertLeaderboardAsync(page, filtered.RootElement.GetProperty("items").EnumerateArray().ToList());

        // The name filter narrows the rows on the page.
        var someone = filtered.RootElement.GetProperty("items")[0].GetProperty("agent").GetProperty("name").GetString()!;
        await page.GetByLabel("Agent name").FillAsync(someone);
        await page.GetByLabel("Agent name").PressAsync("Enter");
        await page.ExpectUrlAsync(new Regex("[?&]q="));
        await page.WaitForAppAsync();
        Assert.Equal(someone, System.Web.HttpUtility.ParseQueryString(new Uri(page.Url).Query)["q"]);
        Assert.Equal([someone], await page.Locator("#leaderboard tbody th").AllInnerTextsAsync());
    }

    [Fact]
    public async Task Period_picker_and_time_zone_change_the_url_and_the_numbers()
    {
        await using var context = await fixture.ContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAppAsync($"/?{fixture.Period}");

        await page.GetByRole(AriaRole.Button, new() { Name = "30 days" }).ClickAsync();
        var today = DateTime.UtcNow.Date;
        var from = today.AddDays(-29).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var to = today.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await page.ExpectUrlAsync(new Regex($"from={from}&to={to}"));
        await page.WaitForAppAsync();
        using (var month = await fixture.GetJsonAsync($"/api/v1/summary?tz=UTC&from={from}&to={to}"))
        {
            await AssertKpisAsync(page, month.RootElement.GetProperty("items")[0]);
        }

        // A custom period in another zone.
        var start = today.AddDays(-10).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var through = today.AddDays(-4).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var end = today.AddDays(-3).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await page.GetByLabel("From", new() { Exact = true }).FillAsync(start);
        await page.GetByLabel("Through").FillAsync(through);
        await page.GetByLabel("Time zone").SelectOptionAsync("America/New_York");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await page.ExpectUrlAsync(new Regex($"tz=America%2FNew_York&from={start}&to={end}"));
        await page.WaitForAppAsync();
        using var custom = await fixture.GetJsonAsync($"/api/v1/summary?tz=America/New_York&from={start}&to={end}");
        await AssertKpisAsync(page, custom.RootElement.GetProperty("items")[0]);
        Assert.Contains("(America/New_York)", await page.Locator(".period-note").InnerTextAsync(), StringComparison.Ordinal);

        // Weekly charts: as many points as the API's weekly trend, the values its values.
        await page.GetByLabel("Charts by").SelectOptionAsync("week");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await page.ExpectUrlAsync(new Regex("interval=week"));
        await page.WaitForAppAsync();
        using (var weekly = await fixture.GetJsonAsync($"/api/v1/trends?metric=qa_score&interval=week&tz=America/New_York&from={start}&to={end}"))
        {
            var expected = weekly.RootElement.GetProperty("items").EnumerateArray().Select(p => p.Number("value")).ToList();
            var plotted = await page.EvaluateAsync<double?[]>("() => Chart.getChart(document.querySelector('canvas')).data.datasets[0].data");
            Assert.Equal(expected, plotted);
            Assert.InRange(expected.Count, 1, 2);
        }

        Assert.Contains("per week", await page.Locator("figure.chart figcaption").First.InnerTextAsync(), StringComparison.Ordinal);

        // The link reproduces the view.
        var again = await context.NewPageAsync();
        await again.GotoAppAsync(page.Url);
        Assert.Equal(await page.Locator(".kpis").InnerTextAsync(), await again.Locator(".kpis").InnerTextAsync());
    }

    [Fact]
    public async Task Links_lead_from_the_leaderboard_to_an_agent_and_on_to_an_interaction()
    {
        await using var context = await fixture.ContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAppAsync($"/agents?{fixture.Period}");
        var link = page.Locator("#leaderboard tbody th a").First;
        var name = await link.InnerTextAsync();
        await link.ClickAsync();
        await page.ExpectUrlAsync(new Regex("/agents/[^?]+\\?"));
        await page.WaitForAppAsync();
        Assert.Equal(name, await page.Locator("h1").InnerTextAsync());
        var agentId = Uri.UnescapeDataString(new Uri(page.Url).AbsolutePath["/agents/".Length..]);
        using (var agent = await fixture.GetJsonAsync($"/api/v1/agents/{Uri.EscapeDataString(agentId)}?{fixture.Period}"))
        {
            await AssertKpisAsync(page, agent.RootElement);
            var scorecards = agent.RootElement.GetProperty("scorecards").GetArrayLength();
            Assert.Equal(scorecards, await page.Locator("section[aria-labelledby='sec-scorecards'] tbody tr").CountAsync());
        }

        var lowest = page.Locator("section[aria-labelledby='sec-lowest-scored-interactions'] tbody th a").First;
        await lowest.ClickAsync();
        await page.ExpectUrlAsync(new Regex("/interactions/[^?]+\\?"));
        await page.WaitForAppAsync();
        var interactionId = Uri.UnescapeDataString(new Uri(page.Url).AbsolutePath["/interactions/".Length..]);
        var account = System.Web.HttpUtility.ParseQueryString(new Uri(page.Url).Query)["account_id"];
        using var interaction = await fixture.GetJsonAsync($"/api/v1/interactions/{Uri.EscapeDataString(interactionId)}?account_id={account}");
        var evaluations = interaction.RootElement.GetProperty("evaluations");
        Assert.True(evaluations.GetArrayLength() > 0);
        Assert.Equal(evaluations.GetArrayLength(), await page.Locator("#evaluations tbody tr").CountAsync());
        var ratios = evaluations.EnumerateArray().Select(e => Share(e.GetProperty("evaluation_score_ratio").GetDouble())).Order(StringComparer.Ordinal);
        Assert.Equal(ratios, (await page.Locator("#evaluations td[data-col='ratio']").AllInnerTextsAsync()).Order(StringComparer.Ordinal));
        Assert.Equal(Score(interaction.RootElement.GetProperty("summary").Number("sentiment_score")),
            await page.Locator(".facts dt:text-is('Sentiment') + dd").InnerTextAsync());

        // Back goes back to the agent, from the browser's history.
        await page.GoBackAsync();
        await page.WaitForAppAsync();
        Assert.Equal(name, await page.Locator("h1").InnerTextAsync());
    }

    [Fact]
    public async Task Queue_page_shows_the_mix_and_figures_of_the_api()
    {
        using var queues = await fixture.GetJsonAsync($"/api/v1/queues?{fixture.Period}");
        var queueId = queues.RootElement.GetProperty("items").EnumerateArray().First(q => q.GetProperty("queue").GetProperty("id").ValueKind == JsonValueKind.String)
            .GetProperty("queue").GetProperty("id").GetString()!;
        await using var context = await fixture.ContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAppAsync($"/queues?{fixture.Period}");
        await page.Locator($"#queue-table a[href^='/queues/{Uri.EscapeDataString(queueId)}?']").ClickAsync();
        await page.WaitForAppAsync();
        using var queue = await fixture.GetJsonAsync($"/api/v1/queues/{Uri.EscapeDataString(queueId)}?{fixture.Period}");
        await AssertKpisAsync(page, queue.RootElement);
        foreach (var (caption, key) in new[] { ("Channel", "channel_type"), ("Direction", "direction"), ("Disposition", "disposition") })
        {
            var expected = queue.RootElement.GetProperty("mix").GetProperty(key).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
            var figure = page.Locator("figure.mix").Filter(new() { Has = page.Locator($"figcaption:text-is('{caption}')") });
            var names = await figure.Locator(".mix-name").AllInnerTextsAsync();
            var values = await figure.Locator(".mix-value").EvaluateAllAsync<long[]>("els => els.map(e => Number(e.dataset.value))");
            Assert.Equal(expected, names.Zip(values).ToDictionary(p => p.First, p => p.Second));
        }
    }

    [Fact]
    public async Task Interaction_search_sends_every_filter_and_pages_like_the_api()
    {
        await using var context = await fixture.ContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAppAsync($"/interactions?{fixture.Period}");
        await page.GetByLabel("Evaluated").SelectOptionAsync("true");
        await page.GetByLabel("QA score from (%)").FillAsync("60");
        await page.GetByLabel("QA score to (%)").FillAsync("95");
        await page.GetByLabel("Sentiment from").FillAsync("10");
        await page.GetByLabel("Channel", new() { Exact = true }).SelectOptionAsync("AUDIO");
        await page.GetByLabel("Language").FillAsync("en-US");
        await page.GetByLabel("Order").SelectOptionAsync("score");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await page.ExpectUrlAsync(new Regex("evaluated=true"));
        await page.WaitForAppAsync();
        var query = System.Web.HttpUtility.ParseQueryString(new Uri(page.Url).Query);
        Assert.Equal(("true", "60", "95", "10", "AUDIO", "en-US", "score"),
            (query["evaluated"], query["min_qa_score"], query["max_qa_score"], query["min_sentiment"], query["channel_type"], query["language"], query["sort"]));
        var api = $"/api/v1/interactions?{fixture.Period}&evaluated=true&min_qa_score=60&max_qa_score=95&min_sentiment=10&channel_type=AUDIO&language=en-US&sort=score&limit=50";
        using var first = await fixture.GetJsonAsync(api);
        Assert.Equal(Ids(first), await ShownIdsAsync(page));
        Assert.Equal(first.RootElement.GetProperty("items").EnumerateArray().Select(i => Pct(i.Number("qa_score_pct"))),
            await page.Locator("#main table.data td[data-col='qa_score_pct']").AllInnerTextsAsync());

        var cursor = first.RootElement.GetProperty("next_cursor").GetString();
        Assert.NotNull(cursor);
        await page.GetByRole(AriaRole.Link, new() { Name = "Next page →" }).ClickAsync();
        await page.ExpectUrlAsync(new Regex("cursor="));
        await page.WaitForAppAsync();
        using var second = await fixture.GetJsonAsync($"{api}&cursor={Uri.EscapeDataString(cursor)}");
        Assert.Equal(Ids(second), await ShownIdsAsync(page));
    }

    [Fact]
    public async Task Calibration_tables_equal_the_api()
    {
        await using var context = await fixture.ContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAppAsync($"/calibration?{fixture.Period}");
        using var report = await fixture.GetJsonAsync($"/api/v1/calibration?{fixture.Period}");
        var scorecards = report.RootElement.GetProperty("scorecards").EnumerateArray().ToList();
        Assert.NotEmpty(scorecards);
        Assert.Equal(scorecards.Count, await page.Locator("#scorecards tbody tr").CountAsync());
        Assert.Equal(report.RootElement.GetProperty("evaluators").GetArrayLength(), await page.Locator("#evaluators tbody tr").CountAsync());
        var mad = scorecards.Select(s => s.Number("mean_abs_difference")).OrderDescending().ToList();
        var shown = await page.Locator("#scorecards td[data-col='mad'] span").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.value)");
        Assert.Equal(mad, shown.Select(ParseValue));
        var worst = report.RootElement.GetProperty("worst_disagreements").EnumerateArray().Select(d => d.GetProperty("interaction_id").GetString()!).ToList();
        Assert.Equal(worst, await page.Locator("#disagreements tbody th a").AllInnerTextsAsync());
    }

    [Fact]
    public async Task Events_page_lists_quarantined_deliveries_with_their_errors()
    {
        await using var context = await fixture.ContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAppAsync("/events");
        await page.GetByRole(AriaRole.Link, new() { Name = "Quarantined" }).ClickAsync();
        await page.ExpectUrlAsync(new Regex("status=quarantined"));
        await page.WaitForAppAsync();
        using var events = await fixture.GetJsonAsync("/api/v1/events?status=quarantined&limit=50");
        var items = events.RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(items.Select(e => e.GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture)), await page.Locator("#events tbody th").AllInnerTextsAsync());
        Assert.All(await page.Locator("#events td[data-col='status']").AllInnerTextsAsync(), s => Assert.Equal("QUARANTINED", s.Trim().ToUpperInvariant()));
        var firstError = items[0].GetProperty("findings").EnumerateArray().First(f => f.GetProperty("severity").GetString() == "error").GetProperty("message").GetString()!;
        Assert.Contains(firstError, await page.Locator("#events tbody tr").First.InnerTextAsync(), StringComparison.Ordinal);
        using var counts = await fixture.GetJsonAsync("/api/v1/events/counts");
        var quarantined = counts.RootElement.GetProperty("quarantined").GetInt64();
        Assert.Equal(Count(quarantined), await page.Locator(".tab[aria-current='page'] .tab-count").InnerTextAsync());

        // The export holds every quarantined delivery with its errors, not just the page shown.
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Export CSV" }).ClickAsync());
        var lines = (await File.ReadAllTextAsync(await download.PathAsync())).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("id,received_at,event,kind,status,account_id,event_ts,tracking_id,secret_name,body_bytes,findings", lines[0]);
        Assert.Equal(quarantined + 1, lines.Length);
        Assert.All(lines.Skip(1), l => Assert.Contains(",quarantined,", l, StringComparison.Ordinal));
        Assert.Contains(firstError, lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_downloads_the_api_csv_of_the_view()
    {
        using var queues = await fixture.GetJsonAsync($"/api/v1/queues?{fixture.Period}");
        await using var context = await fixture.ContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAppAsync($"/agents?{fixture.Period}&channel_type=AUDIO");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Export CSV" }).ClickAsync());
        Assert.Null(await download.FailureAsync());
        var lines = (await File.ReadAllTextAsync(await download.PathAsync())).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("account_id,id,name,interactions,", lines[0], StringComparison.Ordinal);
        using var agents = await fixture.GetJsonAsync($"/api/v1/agents?{fixture.Period}&channel_type=AUDIO&limit=500");
        Assert.Equal(agents.RootElement.GetProperty("items").GetArrayLength() + 1, lines.Length);
        Assert.Equal(await page.Locator("#leaderboard tbody tr").CountAsync() + 1, lines.Length);
        var href = await page.GetByRole(AriaRole.Link, new() { Name = "Export CSV" }).GetAttributeAsync("href");
        Assert.Contains("channel_type=AUDIO", href, StringComparison.Ordinal);
        Assert.Contains("format=csv", href, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calibration_exports_its_report_as_csv()
    {
        using var report = await fixture.GetJsonAsync($"/api/v1/calibration?{fixture.Period}");
        using var csv = await fixture.Api.GetAsync($"/api/v1/calibration?{fixture.Period}&format=csv");
        var expected = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        await using var context = await fixture.ContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAppAsync($"/calibration?{fixture.Period}");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Export CSV" }).ClickAsync());
        Assert.Null(await download.FailureAsync());
        var lines = (await File.ReadAllTextAsync(await download.PathAsync())).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("section,scorecard_name,evaluator_user_id,", lines[0], StringComparison.Ordinal);
        Assert.Equal(expected, lines);
        var scorecards = report.RootElement.GetProperty("scorecards").GetArrayLength();
        var evaluators = report.RootElement.GetProperty("evaluators").GetArrayLength();
        Assert.Equal(scorecards, lines.Count(l => l.StartsWith("scorecard,", StringComparison.Ordinal)));
        Assert.Equal(evaluators, lines.Count(l => l.StartsWith("evaluator,", StringComparison.Ordinal)));
        Assert.True(scorecards > 0, "the simulated data has calibrated scorecards");
    }

    private static async Task AssertKpisAsync(IPage page, JsonElement row)
    {
        foreach (var (metric, format) in new (string, Func<double?, string>)[]
        {
            ("interactions", v => Count((long)v!.Value)), ("qa_score_pct", Pct), ("coverage", Share), ("sentiment_avg", Score), ("engagement_avg", Score),
        })
        {
            var kpi = page.Locator($".kpi[data-metric='{metric}'] .kpi-value");
            Assert.Equal(row.Number(metric), ParseValue(await kpi.GetAttributeAsync("data-value")));
            Assert.Equal(format(row.Number(metric)), await kpi.InnerTextAsync());
        }
    }

    private static async Task AssertLeaderboardAsync(IPage page, List<JsonElement> rows)
    {
        Assert.Equal(rows.Count, await page.Locator("#leaderboard tbody tr").CountAsync());
        foreach (var row in rows)
        {
            var id = row.GetProperty("agent").GetProperty("id").GetString()!;
            var tr = page.Locator("#leaderboard tbody tr").Filter(new() { Has = page.Locator($"th a[href^='/agents/{Uri.EscapeDataString(id)}?']") });
            Assert.Equal(Count(row.GetProperty("interactions").GetInt64()), await tr.Locator("td[data-col='interactions']").InnerTextAsync());
            Assert.Equal(Pct(row.Number("qa_score_pct")), await tr.Locator("td[data-col='qa_score_pct']").InnerTextAsync());
            Assert.Equal(Share(row.Number("coverage")), await tr.Locator("td[data-col='coverage']").InnerTextAsync());
        }
    }

    private static async Task<List<double>> ColumnAsync(IPage page, string column) =>
        (await page.Locator($"#leaderboard td[data-col='{column}'] span").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.value)"))
            .Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToList();

    private static List<string> Ids(JsonDocument json) =>
        json.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("interaction_id").GetString()!).ToList();

    private static async Task<List<string>> ShownIdsAsync(IPage page) =>
        (await page.Locator("#main table.data tbody th a").EvaluateAllAsync<string[]>("els => els.map(a => decodeURIComponent(new URL(a.href).pathname.split('/')[2]))")).ToList();
}
