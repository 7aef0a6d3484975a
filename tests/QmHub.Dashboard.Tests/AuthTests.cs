using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static QmHub.Dashboard.Tests.PageHelpers;

namespace QmHub.Dashboard.Tests;

/// <summary>Sign-in by API key: the cookie, its checks on every request, sign-out, revocation, CSRF, the keyboard.</summary>
[Collection(SharedDashboard.Name)]
public sealed class AuthTests(DashboardFixture fixture)
{
    private static readonly string[] Pages = ["/", "/agents", "/agents/someone", "/queues", "/queues/q1", "/calibration", "/interactions", "/interactions/i1", "/events"];

    [Fact]
    public async Task Every_page_refuses_access_without_a_key_and_the_api_answers_401()
    {
        await using var context = await fixture.ContextAsync(signedIn: false);
        var page = await context.NewPageAsync();
        foreach (var path in Pages)
        {
            await page.GotoAsync(path + "?tz=UTC");
            Assert.Equal($"/signin?return={Uri.EscapeDataString(path + "?tz=UTC")}", new Uri(page.Url).PathAndQuery);
            Assert.Equal("API key", await page.Locator("label[for='key']").InnerTextAsync());
        }

        foreach (var api in new[] { "/api/v1/summary", "/api/v1/agents", "/api/v1/events/counts", "/api/v1/interactions" })
        {
            var response = await context.APIRequest.GetAsync(api);
            Assert.Equal(401, response.Status);
        }

        // A wrong key is refused with a message, on the sign-in page.
        var wrong = await context.APIRequest.PostAsync("/signin", new() { Form = context.APIRequest.CreateFormData().Set("key", "not-a-key-at-all"), MaxRedirects = 0 });
        Assert.Equal(401, wrong.Status);
        Assert.Contains("unknown or has been revoked", await wrong.TextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_in_by_keyboard_reach_the_leaderboard_and_open_an_agent_then_sign_out()
    {
        await using var context = await fixture.ContextAsync(signedIn: false);
        var page = await context.NewPageAsync();
        await page.GotoAsync($"/agents?{fixture.Period}");
        Assert.StartsWith("/signin?return=", new Uri(page.Url).PathAndQuery, StringComparison.Ordinal);
        Assert.Equal("key", await page.EvaluateAsync<string>("document.activeElement.id"));
        await page.Keyboard.TypeAsync(DashboardFixture.AdminKey);
        Assert.Equal(DashboardFixture.AdminKey.Length, (await page.InputValueAsync("#key")).Length);
        await page.Keyboard.PressAsync("Enter");
        await page.ExpectUrlAsync(new Regex("/agents\\?from="));
        await page.WaitForAppAsync();

        var cookie = Assert.Single(await context.CookiesAsync(), c => c.Name == "qmhub_key");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.Equal("/", cookie.Path);
        Assert.Null(await page.EvaluateAsync<string?>("document.cookie.includes('qmhub_key') ? 'visible' : null"));

        // Tab to the first agent of the leaderboard and open it with Enter.
        for (var i = 0; i < 80; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await page.EvaluateAsync<bool>("!!document.activeElement.closest('#leaderboard tbody')"))
            {
                break;
            }
        }

        var name = await page.EvaluateAsync<string>("document.activeElement.closest('#leaderboard tbody') ? document.activeElement.textContent : ''");
        Assert.NotEqual("", name);
        await page.Keyboard.PressAsync("Enter");
        await page.ExpectUrlAsync(new Regex("/agents/[^?]+\\?"));
        await page.WaitForAppAsync();
        Assert.Equal(name, await page.Locator("h1").InnerTextAsync());

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.ExpectUrlAsync(new Regex("/signin$"));
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == "qmhub_key");
        await page.GotoAsync("/");
        Assert.StartsWith("/signin", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_revoked_key_is_refused_at_the_next_request()
    {
        using var created = await fixture.Api.PostAsJsonAsync("/api/v1/keys", new { name = "dash-revoke-" + Guid.NewGuid().ToString("N")[..6], scope = "read" });
        created.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var key = json.RootElement.GetProperty("key").GetString()!;
        var id = json.RootElement.GetProperty("info").GetProperty("id").GetInt64();

        await using var context = await fixture.ContextAsync(signedIn: false);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.ExpectUrlAsync(new Regex("/$"));
        await page.WaitForAppAsync();

        (await fixture.Api.DeleteAsync(new Uri($"/api/v1/keys/{id}", UriKind.Relative))).EnsureSuccessStatusCode();
        Assert.Equal(401, (await context.APIRequest.GetAsync("/api/v1/agents")).Status);
        await page.GotoAsync("/queues");
        Assert.Equal("/signin", new Uri(page.Url).AbsolutePath);
    }

    [Fact]
    public async Task Forms_refuse_other_origins_and_the_cookie_never_authorizes_a_change()
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false };
        using var http = new HttpClient(handler) { BaseAddress = fixture.BaseAddress };
        using var form = new FormUrlEncodedContent([new("key", DashboardFixture.AdminKey)]);
        using var crossSite = new HttpRequestMessage(HttpMethod.Post, "/signin") { Content = form };
        crossSite.Headers.Add("Origin", "http://evil.example");
        using var refused = await http.SendAsync(crossSite);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.False(refused.Headers.Contains("Set-Cookie"));
        Assert.Contains("only accepts posts from", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var sameSite = new HttpRequestMessage(HttpMethod.Post, "/signin") { Content = new FormUrlEncodedContent([new("key", DashboardFixture.AdminKey), new("return", "https://evil.example/x")]) };
        sameSite.Headers.Add("Origin", fixture.BaseAddress.GetLeftPart(UriPartial.Authority));
        using var accepted = await http.SendAsync(sameSite);
        Assert.Equal(HttpStatusCode.Found, accepted.StatusCode);
        Assert.Equal("/", accepted.Headers.Location?.OriginalString);
        var setCookie = Assert.Single(accepted.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);

        // A return path with an agent's non-ASCII name is sent back percent-encoded (a Location header is ASCII only: it was a 500).
        using var accented = new HttpRequestMessage(HttpMethod.Post, "/signin") { Content = new FormUrlEncodedContent([new("key", DashboardFixture.AdminKey), new("return", "/agents/Zoë Müller")]) };
        accented.Headers.Add("Origin", fixture.BaseAddress.GetLeftPart(UriPartial.Authority));
        using var backToAgent = await http.SendAsync(accented);
        Assert.Equal(HttpStatusCode.Found, backToAgent.StatusCode);
        Assert.Equal("/agents/Zo%C3%AB M%C3%BCller", backToAgent.Headers.Location?.OriginalString);

        // The app shell: only with a key, never cached, scripts from the server alone; assets need no key.
        using var shell = new HttpRequestMessage(HttpMethod.Get, "/agents?tz=UTC");
        shell.Headers.Add("Cookie", $"qmhub_key={Uri.EscapeDataString(DashboardFixture.AdminKey)}");
        using var shellAnswer = await http.SendAsync(shell);
        Assert.Equal(HttpStatusCode.OK, shellAnswer.StatusCode);
        Assert.Contains("script-src 'self'", shellAnswer.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("no-store", shellAnswer.Headers.CacheControl?.ToString());
        using var anonymousShell = await http.GetAsync(new Uri("/agents?tz=UTC", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Found, anonymousShell.StatusCode);
        Assert.Equal("/signin?return=%2Fagents%3Ftz%3DUTC", anonymousShell.Headers.Location?.OriginalString);
        using var asset = await http.GetAsync(new Uri("/assets/vendor/chart.umd.min.js", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
        Assert.StartsWith("/*!\n * Chart.js v4.6.1", await asset.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // With the cookie alone, reading works and changing does not (key management needs the header).
        using var read = new HttpRequestMessage(HttpMethod.Get, "/api/v1/keys");
        read.Headers.Add("Cookie", $"qmhub_key={Uri.EscapeDataString(DashboardFixture.AdminKey)}");
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(read)).StatusCode);
        using var change = new HttpRequestMessage(HttpMethod.Post, "/api/v1/keys") { Content = JsonContent.Create(new { name = "csrf", scope = "admin" }) };
        change.Headers.Add("Cookie", $"qmhub_key={Uri.EscapeDataString(DashboardFixture.AdminKey)}");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(change)).StatusCode);
    }

    [Fact]
    public async Task Summary_and_event_counts_agree_with_the_other_routes()
    {
        using var summary = await fixture.GetJsonAsync($"/api/v1/summary?{fixture.Period}");
        var row = Assert.Single(summary.RootElement.GetProperty("items").EnumerateArray());
        using var agents = await fixture.GetJsonAsync($"/api/v1/agents?{fixture.Period}&limit=500");
        var items = agents.RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(items.Sum(a => a.GetProperty("interactions").GetInt64()), row.GetProperty("interactions").GetInt64());
        Assert.Equal(items.Sum(a => a.GetProperty("evaluations").GetInt64()), row.GetProperty("evaluations").GetInt64());
        Assert.Equal(items.Sum(a => a.GetProperty("previous").GetProperty("interactions").GetInt64()), row.GetProperty("previous").GetProperty("interactions").GetInt64());
        Assert.True(row.GetProperty("previous").GetProperty("interactions").GetInt64() > 0);
        Assert.Equal(row.GetProperty("interactions").GetInt64() - row.GetProperty("previous").GetProperty("interactions").GetInt64(),
            row.GetProperty("change").GetProperty("interactions").GetInt64());
        var csv = await fixture.Api.GetStringAsync(new Uri($"/api/v1/summary?{fixture.Period}&format=csv", UriKind.Relative));
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith($",,,{row.GetProperty("interactions").GetInt64()},", lines[1], StringComparison.Ordinal);

        using var counts = await fixture.GetJsonAsync("/api/v1/events/counts");
        long quarantined = 0;
        long all = 0;
        string? cursor = null;
        do
        {
            using var page = await fixture.GetJsonAsync("/api/v1/events?limit=500" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            foreach (var e in page.RootElement.GetProperty("items").EnumerateArray())
            {
                all++;
                quarantined += e.GetProperty("status").GetString() == "quarantined" ? 1 : 0;
            }

            cursor = page.RootElement.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);
        Assert.Equal(quarantined, counts.RootElement.GetProperty("quarantined").GetInt64());
        Assert.Equal(all - quarantined, counts.RootElement.GetProperty("accepted").GetInt64());
        Assert.True(quarantined > 0);
    }
}
