using System.Text;

namespace QmHub.Storage.Analytics;

/// <summary>Hours [<see cref="FromHour"/>, <see cref="ToHour"/>) of the hourly rollup, added (+1) or subtracted (-1).</summary>
/// <param name="FromHour">First hour (Unix ms / 3,600,000).</param>
/// <param name="ToHour">Hour after the last.</param>
/// <param name="Sign">+1 or -1.</param>
public readonly record struct HourSpan(long FromHour, long ToHour, int Sign);

/// <summary>
/// How a sum over whole hours [from, to) is read from a daily and an hourly rollup: the UTC days
/// [<see cref="FromDay"/>, <see cref="ToDay"/>) from the daily one, plus or minus the hours between each end and the
/// UTC midnight nearest to it (<see cref="Edges"/>) from the hourly one. With S(x) the sum of everything before
/// x, S(x) = days before D(x) + hours [D(x), x) when x is at most 12 hours past its midnight D(x), else days before
/// the next midnight D(x) - hours [x, D(x)); a period is S(to) - S(from). So a 30-day period in New York reads 30
/// daily rows per agent and 8 hourly ones instead of 720 hourly ones, and every sum stays exact.
/// </summary>
/// <param name="FromDay">First UTC day (Unix ms / 86,400,000).</param>
/// <param name="ToDay">Day after the last; equal to <paramref name="FromDay"/> when no daily row is read.</param>
/// <param name="Edges">The signed hour spans.</param>
public sealed record RollupPlan(long FromDay, long ToDay, IReadOnlyList<HourSpan> Edges)
{
    /// <summary>Hours in a day.</summary>
    public const int HoursPerDay = 24;

    /// <summary>
    /// A daily row stands for about as many rows of the hourly rollup as this many hours (an agent's day has a few
    /// queue/channel/direction rows, its hours one or two each): when the hours read directly cost less, a plan reads
    /// hours only.
    /// </summary>
    public const int DayCostInHours = 6;

    /// <summary>The plan for [<paramref name="fromHour"/>, <paramref name="toHour"/>).</summary>
    public static RollupPlan For(long fromHour, long toHour)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(toHour, fromHour);
        var (fromDay, fromSpan) = Anchor(fromHour);
        var (toDay, toSpan) = Anchor(toHour);
        var edges = new List<HourSpan>(2);
        if (toSpan is { } t)
        {
            edges.Add(t);
        }

        if (fromSpan is { } f)
        {
            edges.Add(f with { Sign = -f.Sign });
        }

        // Spans that cancel out (both ends anchored to the same midnight on the same side) are not read.
        if (edges.Count == 2 && edges[0].FromHour == edges[1].FromHour && edges[0].ToHour == edges[1].ToHour)
        {
            edges.Clear();
        }

        var planned = new RollupPlan(fromDay, toDay, edges);
        return planned.Cost <= toHour - fromHour ? planned : Hours(fromHour, toHour);
    }

    /// <summary>The plan that reads [<paramref name="fromHour"/>, <paramref name="toHour"/>) from the hourly rollup alone.</summary>
    public static RollupPlan Hours(long fromHour, long toHour) =>
        new(0, 0, toHour > fromHour ? [new HourSpan(fromHour, toHour, 1)] : []);

    /// <summary>What the plan reads, in hourly-row equivalents.</summary>
    public long Cost => ((ToDay - FromDay) * DayCostInHours) + Edges.Sum(e => e.ToHour - e.FromHour);

    /// <summary>Whether the plan reads daily rows.</summary>
    public bool HasDays => ToDay > FromDay;

    /// <summary>
    /// Combines what the plan read: the daily rows' sum and the hourly sums, each looked up by hour. Buckets of a
    /// series share their boundaries' spans, so the hourly sums are read once for all of them.
    /// </summary>
    public MetricTotals Combine(MetricTotals days, Func<long, MetricTotals> hour)
    {
        ArgumentNullException.ThrowIfNull(days);
        ArgumentNullException.ThrowIfNull(hour);
        return Combine(HasDays ? days : MetricTotals.Zero, h => hour(h), (sum, totals, sign) => sum.Add(sign > 0 ? totals : totals.Negate()));
    }

    /// <summary>
    /// The same for any additive sums: <paramref name="days"/> plus or minus each edge hour's sums (<paramref name="hour"/>
    /// answers null for an hour with nothing), added by <paramref name="add"/> with the edge's sign.
    /// </summary>
    public T Combine<T>(T days, Func<long, T?> hour, Func<T, T, int, T> add)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(hour);
        ArgumentNullException.ThrowIfNull(add);
        var sum = days;
        foreach (var edge in Edges)
        {
            for (var h = edge.FromHour; h < edge.ToHour; h++)
            {
                if (hour(h) is { } sums)
                {
                    sum = add(sum, sums, edge.Sign);
                }
            }
        }

        return sum;
    }

    /// <summary>
    /// The day whose sums are counted before <paramref name="hour"/>, and the span that corrects for the hours
    /// between it and <paramref name="hour"/> (none when <paramref name="hour"/> is a UTC midnight).
    /// </summary>
    private static (long Day, HourSpan? Span) Anchor(long hour)
    {
        var day = Math.DivRem(hour, HoursPerDay, out var into);
        if (into < 0)
        {
            day--;
            into += HoursPerDay;
        }

        return into switch
        {
            0 => (day, null),
            <= HoursPerDay / 2 => (day, new HourSpan(day * HoursPerDay, hour, 1)),
            _ => (day + 1, new HourSpan(hour, (day + 1) * HoursPerDay, -1)),
        };
    }
}

/// <summary>Orders keys as SQLite's BINARY and PostgreSQL's "C" collation do: by their UTF-8 bytes.</summary>
public sealed class Utf8Order : IComparer<string?>
{
    /// <summary>The comparer.</summary>
    public static Utf8Order Instance { get; } = new();

    /// <inheritdoc />
    public int Compare(string? x, string? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : -1) : 1;
        }

        // UTF-16 order equals UTF-8 order except where a surrogate pair meets a character from U+E000 to U+FFFF.
        var ordinal = string.CompareOrdinal(x, y);
        return ordinal == 0 || (!HasHighChars(x) && !HasHighChars(y))
            ? ordinal
            : Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y));
    }

    private static bool HasHighChars(string s) => s.AsSpan().IndexOfAnyInRange('\uD800', '\uFFFF') >= 0;
}
