using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using QmHub.Storage.Analytics;
using QmHub.Zoom.Models;

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
    /// <summary>Start (ISO 8601; a date alone is local midnight in tz), 2000-01-01 or later. Default: 30 days before to.</summary>
    [FromQuery(Name = "from")] public string? From { get; init; }

    /// <summary>End, exclusive, 2100-01-01 or earlier. Default: the end of today in tz.</summary>
    [FromQuery(Name = "to")] public string? To { get; init; }

    /// <summary>IANA zone of day and week buckets and of dates; default UTC.</summary>
    [FromQuery(Name = "tz")] public string? Tz { get; init; }

    [FromQuery(Name = "account_id")] public string? AccountId { get; init; }

    [FromQuery(Name = "queue_id")] public string? QueueId { get; init; }

    [FromQuery(Name = "agent")] public string? Agent { get; init; }

    /// <summary>A channel type: one the Zoom specification lists (AUDIO, VIDEO, SMS, WEB_CHAT, MANUAL) in any case, another exactly as sent.</summary>
    [FromQuery(Name = "channel_type")] public string? ChannelType { get; init; }

    /// <summary>inbound or outbound, in any case; the specification leaves the set open, so any other value matches exactly as sent.</summary>
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

    /// <summary>The earliest instant a period may start at: Zoom Quality Management has no data from before it.</summary>
    public static readonly DateTimeOffset EarliestSupported = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The latest instant a period may end at. The previous period of any supported period is representable too.</summary>
    public static readonly DateTimeOffset LatestSupported = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The directions Zoom documents; <c>direction=</c> matches them in any case (the specification leaves others open: those match as sent).</summary>
    public static IReadOnlyList<string> Directions { get; } = ["inbound", "outbound"];

    /// <summary>The message for a period outside <see cref="EarliestSupported"/>..<see cref="LatestSupported"/>.</summary>
    public static string RangeProblem(string name, string? text) =>
        $"{name} must lie between {EarliestSupported:yyyy-MM-dd} and {LatestSupported:yyyy-MM-dd} (UTC), the range reports cover; got {name}='{text}'.";

    /// <summary>The period the answer covers and where its sums come from.</summary>
    public ReportPeriod Period(AnalyticsSource source) =>
        new(Filter.From, Filter.To, Filter.Previous().From, ZoneName, source == AnalyticsSource.Rollups ? "rollups" : "projections", Filter.SentimentTarget);

    /// <summary>The period as a person reads it, such as "2026-11-23 to 2026-11-25 (to exclusive, America/New_York)".</summary>
    public string DescribePeriod() => Describe(Filter.From, Filter.To, Zone, ZoneName);

    /// <summary>A period as a person reads it: local dates (or local date-times when not at midnight) in the zone.</summary>
    public static string Describe(DateTimeOffset from, DateTimeOffset to, TimeZoneInfo zone, string zoneName) =>
        $"{Readable(from, zone)} to {Readable(to, zone)} (to exclusive, {zoneName})";

    /// <summary>An instant as a local date in the zone when it is a local midnight, else as a local date and time.</summary>
    public static string Readable(DateTimeOffset instant, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = TimeZoneInfo.ConvertTime(instant, zone);
        var format = AnalyticsDefinitions.IsLocalMidnight(instant, zone) ? "yyyy-MM-dd"
            : local.Second == 0 && local.Millisecond == 0 ? "yyyy-MM-dd HH:mm"
            : local.Millisecond == 0 ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm:ss.fff";
        return local.ToString(format, CultureInfo.InvariantCulture);
    }

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
        if (ParseInstant("to", p.To, zone, () => AnalyticsDefinitions.LocalMidnight(today.AddDays(1), zone), out var to) is { } toProblem)
        {
            error = toProblem;
            return false;
        }

        if (ParseInstant("from", p.From, zone, () => AnalyticsDefinitions.LocalMidnight(TimeZoneInfo.ConvertTime(to, zone).Date.AddDays(-30), zone), out var from) is { } fromProblem)
        {
            error = fromProblem;
            return false;
        }

        if (from < EarliestSupported)
        {
            error = RangeProblem("from", p.From ?? Readable(from, zone));
            return false;
        }

        if (to > LatestSupported)
        {
            error = RangeProblem("to", p.To ?? Readable(to, zone));
            return false;
        }

        if (from >= to)
        {
            error = $"from ({Readable(from, zone)}) must be before to ({Readable(to, zone)}), in {zoneName}; to is exclusive, so one day D is from=D&to=the day after D.";
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

        if (p.SentimentTarget is { } target && !(target >= 0 && target <= 100))
        {
            error = $"sentiment_target must be between 0 and 100, got {p.SentimentTarget}.";
            return false;
        }

        // A listed channel in any case; an unlisted one (Zoom adds channels before documenting them, and ingest keeps
        // them as sent) matches exactly.
        var channel = Empty(p.ChannelType) is { } askedChannel
            ? ChannelType.KnownValues.FirstOrDefault(v => string.Equals(v, askedChannel, StringComparison.OrdinalIgnoreCase)) ?? askedChannel
            : null;

        var direction = Empty(p.Direction) is { } askedDirection
            ? Directions.FirstOrDefault(v => string.Equals(v, askedDirection, StringComparison.OrdinalIgnoreCase)) ?? askedDirection
            : null;
        var filter = new AnalyticsFilter
        {
            From = from,
            To = to,
            PreviousFrom = AnalyticsDefinitions.PreviousStart(from, to, zone),
            AccountId = Empty(p.AccountId),
            QueueId = Empty(p.QueueId),
            Agent = Empty(p.Agent),
            ChannelType = channel,
            Direction = direction,
            SentimentTarget = p.SentimentTarget ?? defaultTarget,
        };
        request = new ReportRequest(filter, zone, zoneName, p.Interval == "week", limit, Empty(p.Cursor));
        error = "";
        return true;
    }

    private static string? Empty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    /// <summary>Reads from or to: null when it parsed (or was left out: then <paramref name="fallback"/>), else the problem.</summary>
    private static string? ParseInstant(string name, string? text, TimeZoneInfo zone, Func<DateTimeOffset> fallback, out DateTimeOffset instant)
    {
        instant = default;
        try
        {
            if (string.IsNullOrEmpty(text))
            {
                instant = fallback();
                return null;
            }

            if (DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                instant = AnalyticsDefinitions.LocalMidnight(date, zone);
                return null;
            }

            if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed))
            {
                return $"{name} must be an ISO 8601 date (2026-11-23) or date-time (2026-11-23T08:00, local in tz, or with an offset), got {name}='{text}'.";
            }

            if (parsed.Kind == DateTimeKind.Unspecified)
            {
                instant = new DateTimeOffset(parsed, zone.GetUtcOffset(parsed));
                return null;
            }

            if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out instant))
            {
                return RangeProblem(name, text);
            }

            return null;
        }
        catch (ArgumentOutOfRangeException)
        {
            // A date at the very ends of the calendar whose UTC instant the offset pushes past them.
            return RangeProblem(name, text);
        }
    }
}
