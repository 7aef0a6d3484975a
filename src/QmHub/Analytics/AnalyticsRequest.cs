using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using QmHub.Storage.Analytics;

namespace QmHub.Analytics;

/// <summary>The analytics settings (section <c>Analytics</c>).</summary>
public sealed class AnalyticsOptions
{
    /// <summary>An interaction is below target when its sentiment is less than this; Zoom recommends above 61.</summary>
    [Range(0, 100, ErrorMessage = "Analytics:SentimentTarget must be between 0 and 100.")]
    public double SentimentTarget { get; set; } = AnalyticsDefinitions.DefaultSentimentTarget;
}

/// <summary>The query string every report takes.</summary>
public sealed class ReportParameters
{
    /// <summary>Start (ISO 8601; a date alone is local midnight in tz). Default: 30 days before to.</summary>
    [FromQuery(Name = "from")] public string? From { get; init; }

    /// <summary>End, exclusive. Default: the end of today in tz.</summary>
    [FromQuery(Name = "to")] public string? To { get; init; }

    /// <summary>IANA zone of day and week buckets and of dates; default UTC.</summary>
    [FromQuery(Name = "tz")] public string? Tz { get; init; }

    [FromQuery(Name = "account_id")] public string? AccountId { get; init; }

    [FromQuery(Name = "queue_id")] public string? QueueId { get; init; }

    [FromQuery(Name = "agent")] public string? Agent { get; init; }

    [FromQuery(Name = "channel_type")] public string? ChannelType { get; init; }

    [FromQuery(Name = "direction")] public string? Direction { get; init; }

    /// <summary>Overrides Analytics:SentimentTarget for this request.</summary>
    [FromQuery(Name = "sentiment_target")] public double? SentimentTarget { get; init; }

    /// <summary>day or week.</summary>
    [FromQuery(Name = "interval")] public string? Interval { get; init; }

    [FromQuery(Name = "limit")] public int? Limit { get; init; }

    [FromQuery(Name = "cursor")] public string? Cursor { get; init; }

    /// <summary>json (default), csv or ndjson; or send Accept: text/csv.</summary>
    [FromQuery(Name = "format")] public string? Format { get; init; }
}

/// <summary>A parsed report request.</summary>
public sealed record ReportRequest(AnalyticsFilter Filter, TimeZoneInfo Zone, string ZoneName, bool Weekly, int Limit, string? Cursor)
{
    /// <summary>Rows per page unless limit says otherwise.</summary>
    public const int DefaultLimit = 50;

    /// <summary>The most rows per page.</summary>
    public const int MaxLimit = 500;

    /// <summary>The period the answer covers and where its sums come from.</summary>
    public ReportPeriod Period(AnalyticsSource source) =>
        new(Filter.From, Filter.To, Filter.Previous().From, ZoneName, source == AnalyticsSource.Rollups ? "rollups" : "projections");

    /// <summary>Parses the query string; the error names the parameter.</summary>
    public static bool TryParse(ReportParameters p, DateTimeOffset now, double defaultTarget, out ReportRequest request, out string error)
    {
        ArgumentNullException.ThrowIfNull(p);
        request = null!;
        var zoneName = string.IsNullOrEmpty(p.Tz) ? "UTC" : p.Tz;
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(zoneName, out var zone))
        {
            error = $"tz must be an IANA time zone such as Europe/Berlin, got '{p.Tz}'.";
            return false;
        }

        var today = TimeZoneInfo.ConvertTime(now, zone).Date;
        if (!TryInstant(p.To, zone, LocalMidnight(today.AddDays(1), zone), out var to) || !TryInstant(p.From, zone, LocalMidnight(TimeZoneInfo.ConvertTime(to, zone).Date.AddDays(-30), zone), out var from))
        {
            error = $"from and to must be ISO 8601 dates or date-times, got from='{p.From}', to='{p.To}'.";
            return false;
        }

        if (from >= to)
        {
            error = $"from ({from:O}) must be before to ({to:O}).";
            return false;
        }

        if (p.Interval is not (null or "day" or "week"))
        {
            error = $"interval must be 'day' or 'week', got '{p.Interval}'.";
            return false;
        }

        var limit = p.Limit ?? DefaultLimit;
        if (limit is < 1 or > MaxLimit)
        {
            error = $"limit must be between 1 and {MaxLimit}, got {limit}.";
            return false;
        }

        if (p.SentimentTarget is < 0 or > 100)
        {
            error = $"sentiment_target must be between 0 and 100, got {p.SentimentTarget}.";
            return false;
        }

        var filter = new AnalyticsFilter
        {
            From = from,
            To = to,
            AccountId = Empty(p.AccountId),
            QueueId = Empty(p.QueueId),
            Agent = Empty(p.Agent),
            ChannelType = Empty(p.ChannelType),
            Direction = Empty(p.Direction),
            SentimentTarget = p.SentimentTarget ?? defaultTarget,
        };
        request = new ReportRequest(filter, zone, zoneName, p.Interval == "week", limit, Empty(p.Cursor));
        error = "";
        return true;
    }

    private static string? Empty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    private static DateTimeOffset LocalMidnight(DateTime date, TimeZoneInfo zone) => new(date, zone.GetUtcOffset(date));

    private static bool TryInstant(string? text, TimeZoneInfo zone, DateTimeOffset fallback, out DateTimeOffset instant)
    {
        instant = fallback;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            instant = LocalMidnight(date, zone);
            return true;
        }

        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed))
        {
            return false;
        }

        instant = parsed.Kind == DateTimeKind.Unspecified
            ? new DateTimeOffset(parsed, zone.GetUtcOffset(parsed))
            : DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        return true;
    }
}
