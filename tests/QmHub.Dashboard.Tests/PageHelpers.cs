using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace QmHub.Dashboard.Tests;

/// <summary>Waiting for the app, reading what it shows, and formatting numbers as the page does (en-US).</summary>
internal static class PageHelpers
{
    private static readonly CultureInfo Us = CultureInfo.GetCultureInfo("en-US");

    /// <summary>
    /// Waits until the page's URL matches, as soon as a navigation has committed (the app's own rendering is awaited by
    /// <see cref="WaitForAppAsync"/>). Polls the URL: <c>WaitForURLAsync</c> after a click or a key press could miss a
    /// navigation that committed between its first look at the URL and its listening for the next navigation, and then
    /// waited its whole timeout on a page already at the URL (seen twice in a day on a loaded machine).
    /// </summary>
    public static Task ExpectUrlAsync(this IPage page, Regex url) =>
        Assertions.Expect(page).ToHaveURLAsync(url, new() { Timeout = 30_000 });

    /// <summary>Waits until the single-page app has rendered a page (not loading, a heading shown).</summary>
    public static async Task WaitForAppAsync(this IPage page)
    {
        await page.WaitForSelectorAsync("main:not([aria-busy]) h1");
        Assert.Empty(await page.Locator("main .error").AllInnerTextsAsync());
    }

    public static async Task GotoAppAsync(this IPage page, string path)
    {
        var response = await page.GotoAsync(path);
        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        await page.WaitForAppAsync();
    }

    /// <summary>No serious or critical axe violation (labels, headings, contrast, ...).</summary>
    public static async Task AssertAccessibleAsync(this IPage page, string what)
    {
        var result = await page.RunAxe();
        var bad = result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html))}").ToList();
        Assert.True(bad.Count == 0, $"{what}: {string.Join(Environment.NewLine, bad)}");
    }

    public static string Pct(double? v) => v is { } x ? One(x) + "%" : "—";

    public static string Share(double? v) => v is { } x ? One(x * 100) + "%" : "—";

    public static string Score(double? v) => v is { } x ? One(x) : "—";

    /// <summary>One decimal as the browser's Intl.NumberFormat writes it: the shortest decimal form of the number, halves away from zero.</summary>
    private static string One(double x) =>
        Math.Round(decimal.Parse(x.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture), 1, MidpointRounding.AwayFromZero)
            .ToString("N1", Us);

    public static string Count(long v) => v.ToString("N0", Us);

    public static double? Number(this JsonElement e, string name) =>
        e.GetProperty(name).ValueKind == JsonValueKind.Null ? null : e.GetProperty(name).GetDouble();

    /// <summary>The data-value the page keeps beside a shown number ("" for none).</summary>
    public static double? ParseValue(string? value) =>
        string.IsNullOrEmpty(value) ? null : double.Parse(value, CultureInfo.InvariantCulture);
}
