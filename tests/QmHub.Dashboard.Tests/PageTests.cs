using System.Text.Json;
using Microsoft.Playwright;

namespace QmHub.Dashboard.Tests;

/// <summary>Every page over a simulated contact center: it loads, passes axe, shows the API's numbers, and is photographed.</summary>
[Collection(SharedDashboard.Name)]
public sealed class PageTests(DashboardFixture fixture)
{
    [Fact]
    public async Task Every_page_loads_at_desktop_and_phone_size_passes_axe_and_is_photographed()
    {
        using var agents = await fixture.GetJsonAsync($"/api/v1/agents?{fixture.Period}");
        var agent = agents.RootElement.GetProperty("items").EnumerateArray().OrderByDescending(a => a.GetProperty("interactions").GetInt64()).First();
        var agentId = agent.GetProperty("agent").GetProperty("id").GetString()!;
        using var queues = await fixture.GetJsonAsync($"/api/v1/queues?{fixture.Period}");
        var queueId = queues.RootElement.GetProperty("items").EnumerateArray().First(q => q.GetProperty("queue").GetProperty("id").ValueKind == JsonValueKind.String)
            .GetProperty("queue").GetProperty("id").GetString()!;
        using var low = await fixture.GetJsonAsync($"/api/v1/interactions?{fixture.Period}&sort=score&evaluated=true&limit=1");
        var interactionId = low.RootElement.GetProperty("items")[0].GetProperty("interaction_id").GetString()!;

        var pages = new (string Name, string Path)[]
        {
            ("overview", $"/?{fixture.Period}"),
            ("agents", $"/agents?{fixture.Period}"),
            ("agent", $"/agents/{Uri.EscapeDataString(agentId)}?{fixture.Period}"),
            ("queues", $"/queues?{fixture.Period}"),
            ("queue", $"/queues/{Uri.EscapeDataString(queueId)}?{fixture.Period}"),
            ("calibration", $"/calibration?{fixture.Period}"),
            ("interactions", $"/interactions?{fixture.Period}&evaluated=true"),
            ("interaction", $"/interactions/{Uri.EscapeDataString(interactionId)}?{fixture.Period}"),
            ("events", "/events?status=quarantined"),
        };
        foreach (var (viewport, width, height) in DashboardFixture.Viewports)
        {
            await using var context = await fixture.ContextAsync(width: width, height: height);
            var page = await context.NewPageAsync();
            foreach (var (name, path) in pages)
            {
                await page.GotoAppAsync(path);
                Assert.Equal(1, await page.Locator("h1").CountAsync());
                if (viewport == "desktop")
                {
                    await page.AssertAccessibleAsync(name);
                }

                // Nothing wider than the screen: a phone scrolls down, never sideways (tables become cards).
                var overflow = await page.EvaluateAsync<string[]>(@"() => [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !e.closest('.nav'))
                    .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))");
                Assert.True(overflow.Length == 0, $"{name} at {viewport}: {string.Join(", ", overflow)}");
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = DashboardFixture.ScreenshotPath($"{name}-{viewport}"), FullPage = viewport == "desktop" });
            }

            if (viewport == "desktop")
            {
                var signin = await (await fixture.ContextAsync(signedIn: false, width: width, height: height)).NewPageAsync();
                await signin.GotoAsync("/signin");
                await signin.AssertAccessibleAsync("signin");
                await signin.ScreenshotAsync(new PageScreenshotOptions { Path = DashboardFixture.ScreenshotPath("signin-desktop") });
                await signin.Context.DisposeAsync();
            }
        }
    }
}
