using QmHub.Storage.Analytics;

namespace QmHub.Storage.Tests;

public sealed class AnalyticsDefinitionsTests
{
    private static AnalyticsFilter Filter(string from, string to) => new() { From = DateTimeOffset.Parse(from, System.Globalization.CultureInfo.InvariantCulture), To = DateTimeOffset.Parse(to, System.Globalization.CultureInfo.InvariantCulture) };

    [Theory]
    [InlineData("America/New_York")]
    [InlineData("Europe/Berlin")]
    [InlineData("UTC")]
    public void Day_buckets_of_a_whole_hour_zone_come_from_rollups_although_the_zone_began_on_local_mean_time(string zone)
    {
        var filter = Filter("2026-10-01T00:00:00Z", "2026-11-24T00:00:00Z");

        Assert.Equal(AnalyticsSource.Rollups, AnalyticsDefinitions.ChooseSource(filter, TimeZoneInfo.FindSystemTimeZoneById(zone)));
    }

    [Theory]
    [InlineData("Asia/Kolkata")]
    [InlineData("Asia/Kathmandu")]
    [InlineData("Australia/Adelaide")]
    public void Day_buckets_of_a_zone_with_a_part_hour_offset_come_from_the_projections(string zone)
    {
        var filter = Filter("2026-10-01T00:00:00Z", "2026-11-24T00:00:00Z");

        Assert.Equal(AnalyticsSource.Projections, AnalyticsDefinitions.ChooseSource(filter, TimeZoneInfo.FindSystemTimeZoneById(zone)));
    }

    [Fact]
    public void A_period_while_the_zone_kept_local_mean_time_comes_from_the_projections()
    {
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

        Assert.False(AnalyticsDefinitions.HasWholeHourOffsets(newYork, DateTimeOffset.Parse("1883-06-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse("1883-07-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.True(AnalyticsDefinitions.HasWholeHourOffsets(newYork, DateTimeOffset.Parse("2025-06-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse("2026-07-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void The_previous_period_counts_too()
    {
        // 30 days ending 1883-12-20: the previous period reaches back before New York's switch to standard time on 1883-11-18.
        var filter = Filter("1883-11-20T05:00:00Z", "1883-12-20T05:00:00Z");

        Assert.Equal(AnalyticsSource.Projections, AnalyticsDefinitions.ChooseSource(filter, TimeZoneInfo.FindSystemTimeZoneById("America/New_York")));
        Assert.Equal(AnalyticsSource.Rollups, AnalyticsDefinitions.ChooseSource(filter with { From = DateTimeOffset.Parse("1883-12-20T05:00:00Z", System.Globalization.CultureInfo.InvariantCulture).AddDays(-5), }, TimeZoneInfo.FindSystemTimeZoneById("America/New_York")));
    }
}
