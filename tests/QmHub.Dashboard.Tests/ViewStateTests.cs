using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static QmHub.Dashboard.Tests.PageHelpers;

namespace QmHub.Dashboard.Tests;

/// <summary>
/// What a page says about the view it shows: the threshold behind a column, what a row without a queue is, the queue
/// an agent's figures are cut to, what an export holds, a period the API refuses, and weeks the period cuts.
/// </summary>
[Collection(SharedDashboard.Name)]
public sealed class ViewStateTests(DashboardFixture fixture)
{
    [Fact]
    public async Task Below_target_column_names_the_sentiment_target_in_use()
    {
        await using var context = await fixture.ContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAppAsync($"/agents?{fixture.Period}");
        var header = page.Locator("#leaderboard thead th", new() { HasTextString = "Below sentiment target" });
        Assert.Equal("Below sentiment target (< 61) ↕", (await header.TextContentAsync())?.Trim());
        Assert.StartsWith("Share of interactions whose sentiment score is below 61,", await header.GetAttributeAsync("title"), StringComparison.Ordinal);

        // Another target: the header says it, and the shares are the API's for it.
        await page.GotoAppAsync($"/queues?{fixture.Period}&sentiment_target=70");
        Assert.Equal("Below sentiment target (< 70) ↕", (await page.Locator("#queue-table thead th", new() { HasTextString = "Below sentiment target" }).TextContentAsync())?.Trim());
        Assert.Equal("70", await page.GetByLabel("Sentiment target").InputValueAsync());
        using var queues = await fixture.GetJsonAsync($"/api/v1/queues?{fixture.Period}&sentiment_target=70&limit=500");
        var expected = queues.RootElement.GetProperty("items").EnumerateArray().Select(r => r.Number("below_sentiment_target_share")).Order().ToList();
        var shown = await page.Locator("#queue-table td[data-col='below_sentiment_target_share'] span").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.value)");
        Assert.Equal(expected, shown.Select(ParseValue).Order().ToList());
        using var usual = await fixture.GetJsonAsync($"/api/v1/queues?{fixture.Period}&limit=500");
        Assert.NotEqual(expected, usual.RootElement.GetProperty("items").EnumerateArray().Select(r => r.Number("below_sentiment_target_share")).Order().ToList());
    }

    [Fact]
    public async Task Queue_row_of_evaluations_awaiting_their_interaction_says_so_and_is_no_link()
    {
        using var queues = await fixture.GetJsonAsync($"/api/v1/queues?{fixture.Period}&limit=500");
        var none = Assert.Single(queues.RootElement.GetProperty("items").EnumerateArray(), r => r.GetProperty("queue").GetProperty("id").ValueKind == JsonValueKind.Null);
        Assert.Equal(0, none.GetProperty("interactions").GetInt64());
        Assert.True(none.GetProperty("evaluations").GetInt64() >= 1);

        await using var context = await fixture.ContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAppAsync($"/queues?{fixture.Period}");
        var cell = page.Locator("#queue-table tbody th", new() { HasTextString = "Evaluations awaiting their interaction" });
        Assert.Equal(1, await cell.CountAsync());
        Assert.Equal(0, await cell.Locator("a").CountAsync());
        Assert.DoesNotContain("No queue", await page.Locator("#queue-table").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("interaction has not arrived yet", await page.Locator("#awaiting-note").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agent_links_keep_the_queue_filter_which_the_agent_page_shows_and_clears()
    {
        using var queues = await fixture.GetJsonAsync($"/api/v1/queues?{fixture.Period}");
        var queue = queues.RootElement.GetProperty("items").EnumerateArray().First(q => q.GetProperty("queue").GetProperty("id").ValueKind == JsonValueKind.String);
        var queueId = queue.GetProperty("queue").GetProperty("id").GetString()!;
        var queueName = queue.GetProperty("queue").GetProperty("name").GetString()!;
        await using var context = await fixture.ContextAsync();
        var page = await context.NewPageAsync();

        // From a queue's page.
        await page.GotoAppAsync($"/queues/{Uri.EscapeDataString(queueId)}?{fixture.Period}");
        await page.Locator("section[aria-labelledby='sec-agents-in-this-queue'] tbody th a").First.ClickAsync();
        await page.ExpectUrlAsync(new Regex("/agents/[^?]+\\?.*queue_id=" + Regex.Escape(Uri.EscapeDataString(queueId))));
        await page.WaitForAppAsync();
        var agentId = Uri.UnescapeDataString(new Uri(page.Url).AbsolutePath["/agents/".Length..]);
        Assert.Equal(queueId, await page.GetByLabel("Queue", new() { Exact = true }).InputValueAsync());
        Assert.Contains($"in queue {queueName}", await page.Locator("#queue-filter-note").InnerTextAsync(), StringComparison.Ordinal);
        using (var inQueue = await fixture.GetJsonAsync($"/api/v1/agents/{Uri.EscapeDataString(agentId)}?{fixture.Period}&queue_id={Uri.EscapeDataString(queueId)}"))
        {
            var shown = await page.Locator(".kpi[data-metric='interactions'] .kpi-value").GetAttributeAsync("data-value");
            Assert.Equal(inQueue.RootElement.GetProperty("interactions").GetInt64().ToString(CultureInfo.InvariantCulture), shown);
        }

        Assert.Contains($"queue_id={Uri.EscapeDataString(queueId)}", await page.GetByRole(AriaRole.Link, new() { Name = "Export interactions (CSV)" }).GetAttributeAsync("href"), StringComparison.Ordinal);

        // Cleared: every queue again.
        await page.GetByRole(AriaRole.Link, new() { Name = "Show every queue" }).ClickAsync();
        await page.ExpectUrlAsync(new Regex("^(?!.*queue_id=).*/agents/"));
        await page.WaitForAppAsync();
        Assert.Equal(0, await page.Locator("#queue-filter-note").CountAsync());
        Assert.Equal("", await page.GetByLabel("Queue", new() { Exact = true }).InputValueAsync());

        // From the leaderboard filtered by the queue.
        await page.GotoAppAsync($"/agents?{fixture.Period}&queue_id={Uri.EscapeDataString(queueId)}");
        var links = await page.Locator("#leaderboard tbody th a").EvaluateAllAsync<string[]>("els => els.map(a => a.getAttribute('href'))");
        Assert.NotEmpty(links);
        Assert.All(links, l => Assert.Contains($"queue_id={Uri.EscapeDataString(queueId)}", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Leaderboard_export_holds_the_rows_shown_in_the_order_shown()
    {
        using var agents = await fixture.GetJsonAsync($"/api/v1/agents?{fixture.Period}&limit=500");
        var names = agents.RootElement.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("agent").GetProperty("name").GetString()!).ToList();
        // A fragment some names have and others lack.
        var fragment = names.SelectMany(n => n.Split(' ')).Select(w => w[..Math.Min(2, w.Length)].ToLowerInvariant()).Distinct()
            .First(f => names.Count(n => n.Contains(f, StringComparison.OrdinalIgnoreCase)) is > 1 and var c && c < names.Count);
        await using var context = await fixture.ContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAppAsync($"/agents?{fixture.Period}&q={Uri.EscapeDataString(fragment)}&sort=interactions&dir=asc");
        var shownIds = await page.Locator("#leaderboard tbody th a").EvaluateAllAsync<string[]>("els => els.map(a => decodeURIComponent(new URL(a.href).pathname.split('/')[2]))");
        Assert.InRange(shownIds.Length, 2, names.Count - 1);

        var link = page.GetByRole(AriaRole.Link, new() { Name = "Export CSV" });
        Assert.Contains("format=csv", await link.GetAttributeAsync("href"), StringComparison.Ordinal);
        var download = await page.RunAndWaitForDownloadAsync(() => link.ClickAsync());
        Assert.Null(await download.FailureAsync());
        Assert.Equal("agents.csv", download.SuggestedFilename);
        var lines = (await File.ReadAllTextAsync(await download.PathAsync())).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("account_id,id,name,interactions,", lines[0], StringComparison.Ordinal);
        Assert.Equal(shownIds, lines.Skip(1).Select(l => l.Split(',')[1]).ToArray());

        // Each line is the API's line for that agent.
        using var csv = await fixture.Api.GetAsync($"/api/v1/agents?{fixture.Period}&format=csv");
        var api = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        Assert.All(lines, l => Assert.Contains(l, api));
    }

    [Fact]
    public async Task Period_picker_refuses_from_after_through_and_a_refused_period_keeps_the_picker()
    {
        await using var context = await fixture.ContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAppAsync($"/agents?{fixture.Period}");
        var before = page.Url;
        await page.GetByLabel("From", new() { Exact = true }).FillAsync("2026-11-26");
        await page.GetByLabel("Through").FillAsync("2026-11-20");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        var problem = page.Locator("#period-problem");
        await Assertions.Expect(problem).ToBeVisibleAsync();
        Assert.Equal("From (Nov 26, 2026) is after Through (Nov 20, 2026): choose a From on or before Through. Through is the last day included.", await problem.InnerTextAsync());
        Assert.Equal("true", await page.GetByLabel("From", new() { Exact = true }).GetAttributeAsync("aria-invalid"));
        Assert.Equal(before, page.Url);
        Assert.Equal(1, await page.Locator("#leaderboard").CountAsync());

        // A period the API refuses (by a link): the error keeps the picker, with dates a person reads, and the filters.
        await page.GotoAsync("/agents?from=2026-11-26&to=2026-11-21&tz=UTC&channel_type=AUDIO");
        await page.WaitForSelectorAsync("main:not([aria-busy]) h1");
        var message = await page.Locator("main .error").InnerTextAsync();
        Assert.StartsWith("from (2026-11-26) must be before to (2026-11-21), in UTC;", message, StringComparison.Ordinal);
        Assert.Equal("2026-11-26", await page.GetByLabel("From", new() { Exact = true }).InputValueAsync());
        await page.GetByLabel("From", new() { Exact = true }).FillAsync(fixture.From);
        await page.GetByLabel("Through").FillAsync(DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await page.ExpectUrlAsync(new Regex($"from={fixture.From}&to={fixture.To}"));
        await page.WaitForAppAsync();
        Assert.Contains("channel_type=AUDIO", page.Url, StringComparison.Ordinal);

        // An unknown agent: the selected period, readable.
        await page.GotoAsync($"/agents/nobody?{fixture.Period}");
        await page.WaitForSelectorAsync("main:not([aria-busy]) h1");
        Assert.Equal($"No agent 'nobody' has interactions or evaluations from {fixture.From} to {fixture.To} (to exclusive, UTC), nor in the previous period, under these filters.",
            await page.Locator("main .error").InnerTextAsync());
        Assert.Equal(1, await page.Locator("#period-from").CountAsync());
    }

    [Fact]
    public async Task Agent_box_of_the_search_says_it_matches_the_exact_name()
    {
        using var agents = await fixture.GetJsonAsync($"/api/v1/agents?{fixture.Period}&limit=1");
        var name = agents.RootElement.GetProperty("items")[0].GetProperty("agent").GetProperty("name").GetString()!;
        await using var context = await fixture.ContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAppAsync($"/interactions?{fixture.Period}");
        await page.GetByLabel("Agent id or exact name").FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await page.ExpectUrlAsync(new Regex("agent="));
        await page.WaitForAppAsync();
        using var hits = await fixture.GetJsonAsync($"/api/v1/interactions?{fixture.Period}&agent={Uri.EscapeDataString(name)}&limit=50");
        Assert.Equal(hits.RootElement.GetProperty("items").GetArrayLength(), await page.Locator("#main table.data tbody tr").CountAsync());
        Assert.Equal(1, await page.GetByLabel("Disposition (exact)").CountAsync());
    }

    [Fact]
    public async Task Weekly_charts_label_weeks_by_their_days_and_mark_the_ones_the_period_cuts()
    {
        // Eight days can never be whole weeks: at least one end is cut.
        var from = DateTime.UtcNow.Date.AddDays(-10).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var to = DateTime.UtcNow.Date.AddDays(-2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        using var trend = await fixture.GetJsonAsync($"/api/v1/trends?metric=qa_score&interval=week&tz=UTC&from={from}&to={to}");
        var items = trend.RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(items, i => i.GetProperty("partial").GetBoolean());
        var expected = items.Select(i =>
        {
            var first = DateTime.Parse(i.GetProperty("from").GetString()![..10], CultureInfo.InvariantCulture);
            var last = DateTime.Parse(i.GetProperty("to").GetString()![..10], CultureInfo.InvariantCulture).AddDays(-1);
            var range = first == last ? first.ToString("MMM d", CultureInfo.GetCultureInfo("en-US"))
                : first.Month == last.Month ? $"{first.ToString("MMM d", CultureInfo.GetCultureInfo("en-US"))}–{last.Day}"
                : $"{first.ToString("MMM d", CultureInfo.GetCultureInfo("en-US"))}–{last.ToString("MMM d", CultureInfo.GetCultureInfo("en-US"))}";
            return range + (i.GetProperty("partial").GetBoolean() ? " (partial)" : "");
        }).ToArray();

        await using var context = await fixture.ContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAppAsync($"/?tz=UTC&from={from}&to={to}&interval=week");
        var labels = await page.EvaluateAsync<string[]>("() => Chart.getChart(document.querySelector('canvas')).data.labels");
        Assert.Equal(expected, labels);
        Assert.Contains(labels, l => l.EndsWith(" (partial)", StringComparison.Ordinal));
    }
}
