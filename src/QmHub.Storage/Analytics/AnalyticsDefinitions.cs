using System.Globalization;
using System.Text;

namespace QmHub.Storage.Analytics;

/// <summary>The definitions every engine shares: buckets, targets, when rollups can answer, cursors.</summary>
public static class AnalyticsDefinitions
{
    /// <summary>Zoom recommends sentiment above 61; the rollups count interactions below this target.</summary>
    public const double DefaultSentimentTarget = 61;

    /// <summary>The rollup bucket: one UTC hour.</summary>
    public const long RollupBucketMs = 3_600_000;

    /// <summary>
    /// The bucket of a GROUP BY over the projections: 15 minutes, which divides every UTC offset in use
    /// (+05:30, +05:45, +12:45 included), so day and week buckets are exact in any zone.
    /// </summary>
    public const long ProjectionBucketMs = 900_000;

    /// <summary>Marks the rollup unit of an evaluation that names no interaction.</summary>
    public const string EvaluationUnitPrefix = "evaluation:";

    /// <summary>
    /// Whether the rollups answer exactly: both ends on whole UTC hours, the rollups' sentiment target, and,
    /// when the report has day or week buckets, a zone whose offsets during the period and the previous one are
    /// all whole hours. Otherwise the report is a GROUP BY over the projections.
    /// </summary>
    public static AnalyticsSource ChooseSource(AnalyticsFilter filter, TimeZoneInfo? bucketZone)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var aligned = filter.From.ToUnixTimeMilliseconds() % RollupBucketMs == 0 && filter.To.ToUnixTimeMilliseconds() % RollupBucketMs == 0;
        var previousAligned = filter.Previous().From.ToUnixTimeMilliseconds() % RollupBucketMs == 0;
        var target = filter.SentimentTarget.Equals(DefaultSentimentTarget);
        var zone = bucketZone is null || HasWholeHourOffsets(bucketZone, filter.Previous().From, filter.To);
        return aligned && previousAligned && target && zone ? AnalyticsSource.Rollups : AnalyticsSource.Projections;
    }

    /// <summary>
    /// Where the period before [<paramref name="from"/>, <paramref name="to"/>) starts: when both ends are local midnights of
    /// <paramref name="zone"/>, as many local calendar days before <paramref name="from"/> (so 14 days across a DST change are
    /// 14 days, not 14 × 24 hours); otherwise the same duration before it. Local midnights are whole hours wherever the
    /// zone's offsets are, so the rollups answer the previous period exactly whenever they answer this one.
    /// </summary>
    public static DateTimeOffset PreviousStart(DateTimeOffset from, DateTimeOffset to, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (IsLocalMidnight(from, zone) && IsLocalMidnight(to, zone))
        {
            var start = TimeZoneInfo.ConvertTime(from, zone).Date;
            var days = (TimeZoneInfo.ConvertTime(to, zone).Date - start).Days;
            return LocalMidnight(start.AddDays(-days), zone);
        }

        return from - (to - from);
    }

    /// <summary>
    /// The instant a local date starts in <paramref name="zone"/>: its midnight at the offset in force then (where a DST
    /// change skips or repeats midnight, at the zone's standard offset, as <see cref="TimeZoneInfo.GetUtcOffset(DateTime)"/> gives it).
    /// </summary>
    public static DateTimeOffset LocalMidnight(DateTime date, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return new(date.Date, zone.GetUtcOffset(date.Date));
    }

    /// <summary>Whether <paramref name="instant"/> is the start of a local day of <paramref name="zone"/>.</summary>
    public static bool IsLocalMidnight(DateTimeOffset instant, TimeZoneInfo zone) =>
        LocalMidnight(TimeZoneInfo.ConvertTime(instant, zone).Date, zone) == instant;

    /// <summary>
    /// Whether every offset the zone uses from <paramref name="from"/> to <paramref name="to"/> is a whole number of
    /// hours. Only the rules in force then count: nearly every zone began on a local mean time such as -4:56:02 in
    /// the 1800s, which says nothing about day boundaries of this decade.
    /// </summary>
    public static bool HasWholeHourOffsets(TimeZoneInfo zone, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(zone);
        static bool Whole(TimeSpan t) => t.Ticks % TimeSpan.TicksPerHour == 0;
        // Rule dates are calendar dates: a day's margin on each side covers any offset.
        var first = from.UtcDateTime.Date.AddDays(-1);
        var last = to.UtcDateTime.Date.AddDays(1);
        return Whole(zone.BaseUtcOffset)
            && zone.GetAdjustmentRules().Where(r => r.DateStart <= last && r.DateEnd >= first)
                .All(r => Whole(zone.BaseUtcOffset + r.BaseUtcOffsetDelta) && Whole(r.DaylightDelta));
    }

    /// <summary>
    /// The bucket boundaries of local days or weeks (weeks start on Monday) of <paramref name="zone"/> over [from, to):
    /// from, every local day or week start strictly between, to.
    /// </summary>
    public static IReadOnlyList<long> Boundaries(TimeZoneInfo zone, bool weekly, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var boundaries = new List<long> { from.ToUnixTimeMilliseconds() };
        for (var day = LocalStart(from, zone, weekly).AddDays(weekly ? 7 : 1); ; day = day.AddDays(weekly ? 7 : 1))
        {
            var at = new DateTimeOffset(day, zone.GetUtcOffset(day)).ToUnixTimeMilliseconds();
            if (at >= to.ToUnixTimeMilliseconds())
            {
                break;
            }

            if (at > boundaries[^1])
            {
                boundaries.Add(at);
            }
        }

        boundaries.Add(to.ToUnixTimeMilliseconds());
        return boundaries;
    }

    /// <summary>Sums finer buckets (each inside one bucket) into the buckets between <paramref name="boundaries"/>, every bucket listed.</summary>
    public static IReadOnlyList<BucketTotals> Assign(IEnumerable<BucketTotals> fine, IReadOnlyList<long> boundaries)
    {
        ArgumentNullException.ThrowIfNull(fine);
        ArgumentNullException.ThrowIfNull(boundaries);
        var sums = new MetricTotals[Math.Max(0, boundaries.Count - 1)];
        Array.Fill(sums, MetricTotals.Zero);
        var starts = boundaries.Take(sums.Length).ToArray();
        foreach (var bucket in fine)
        {
            var at = Array.BinarySearch(starts, bucket.StartMs);
            var index = at >= 0 ? at : ~at - 1;
            if (index >= 0 && bucket.StartMs < boundaries[^1])
            {
                sums[index] = sums[index].Add(bucket.Totals);
            }
        }

        return sums.Select((t, i) => new BucketTotals(starts[i], t)).ToList();
    }

    /// <summary>The local day or week (weeks start on Monday) of <paramref name="zone"/> that <paramref name="instant"/> falls in, as a local date.</summary>
    public static DateTimeOffset LocalBucket(long instant, TimeZoneInfo zone, bool weekly)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var day = LocalStart(DateTimeOffset.FromUnixTimeMilliseconds(instant), zone, weekly);
        return new DateTimeOffset(day, zone.GetUtcOffset(day));
    }

    private static DateTime LocalStart(DateTimeOffset instant, TimeZoneInfo zone, bool weekly)
    {
        var date = TimeZoneInfo.ConvertTime(instant, zone).Date;
        return weekly ? date.AddDays(-(((int)date.DayOfWeek + 6) % 7)) : date;
    }

    /// <summary>An opaque keyset cursor from its parts.</summary>
    public static string EncodeCursor(params string[] parts) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Join('\u001f', parts))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The parts of a cursor this API returned, <paramref name="count"/> of them.</summary>
    /// <exception cref="FormatException">The cursor is not one this API returned.</exception>
    public static string[] DecodeCursor(string cursor, int count)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        try
        {
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(base64)).Split('\u001f');
            if (parts.Length == count)
            {
                return parts;
            }
        }
        catch (FormatException)
        {
            // Reported below with the same message as a wrong number of parts.
        }

        throw new FormatException($"cursor '{cursor}' is not one this API returned; pass next_cursor from the previous page unchanged");
    }

    /// <summary>A number as a cursor part.</summary>
    public static string Part(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A number as a cursor part.</summary>
    public static string Part(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A cursor part as a number.</summary>
    /// <exception cref="FormatException">Not a finite number: the cursor was not one this API returned.</exception>
    public static double ParseDouble(string part) =>
        double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : throw ForgedCursor();

    /// <summary>A cursor part as a number.</summary>
    /// <exception cref="FormatException">Not a 64-bit integer: the cursor was not one this API returned.</exception>
    public static long ParseLong(string part) =>
        long.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : throw ForgedCursor();

    private static FormatException ForgedCursor() =>
        new("cursor is not one this API returned; pass next_cursor from the previous page unchanged");
}
