using System.Globalization;

namespace QmHub.Simulation;

/// <summary>
/// How long to wait before each retry of a delivery that was not acknowledged. Zoom retries three times,
/// after 5, 20 and 60 minutes; <see cref="Compressed"/> keeps that shape at a test-friendly scale.
/// </summary>
public sealed record RetrySchedule
{
    /// <summary>Creates a schedule from the waits before the first, second, ... retry.</summary>
    public RetrySchedule(IReadOnlyList<TimeSpan> delays)
    {
        ArgumentNullException.ThrowIfNull(delays);
        if (delays.Any(d => d < TimeSpan.Zero))
        {
            throw new ArgumentOutOfRangeException(nameof(delays), "Retry delays must not be negative.");
        }

        Delays = delays.ToArray();
    }

    /// <summary>Zoom's schedule: retries after 5, 20 and 60 minutes.</summary>
    public static RetrySchedule Zoom { get; } = new([TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(60)]);

    /// <summary>No retries.</summary>
    public static RetrySchedule None { get; } = new([]);

    /// <summary>The waits before each retry; the number of retries is their count.</summary>
    public IReadOnlyList<TimeSpan> Delays { get; }

    /// <summary>Zoom's schedule divided by <paramref name="factor"/> (60 gives 5 s, 20 s and 60 s).</summary>
    public static RetrySchedule Compressed(double factor = 60)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(factor, 0);
        return new RetrySchedule(Zoom.Delays.Select(d => d / factor).ToArray());
    }

    /// <summary>
    /// Reads <c>zoom</c>, <c>none</c>, <c>compressed</c> (Zoom's schedule ÷ 60), <c>compressed:N</c> (÷ N) or a
    /// comma-separated list of waits such as <c>500ms,2s,1m</c> (units ms, s, m, h).
    /// </summary>
    /// <exception cref="FormatException">The text is none of those.</exception>
    public static RetrySchedule Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var value = text.Trim().ToUpperInvariant();
        if (value == "ZOOM")
        {
            return Zoom;
        }

        if (value == "NONE")
        {
            return None;
        }

        if (value == "COMPRESSED")
        {
            return Compressed();
        }

        if (value.StartsWith("COMPRESSED:", StringComparison.Ordinal))
        {
            return double.TryParse(value["COMPRESSED:".Length..], NumberStyles.Float, CultureInfo.InvariantCulture, out var factor) && factor > 0
                ? Compressed(factor)
                : throw new FormatException($"'{text}': the compression factor must be a positive number, as in compressed:60.");
        }

        return new RetrySchedule(value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(part => ParseDuration(part, text)).ToArray());
    }

    /// <inheritdoc />
    public override string ToString() => Delays.Count == 0 ? "none" : string.Join(", ", Delays.Select(Format));

    private static TimeSpan ParseDuration(string part, string text)
    {
        (string Unit, double Seconds)[] units = [("MS", 0.001), ("S", 1), ("M", 60), ("H", 3600)];
        foreach (var (unit, seconds) in units)
        {
            if (part.EndsWith(unit, StringComparison.Ordinal)
                && double.TryParse(part[..^unit.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount >= 0)
            {
                return TimeSpan.FromSeconds(amount * seconds);
            }
        }

        throw new FormatException($"'{text}' is not a retry schedule: use zoom, none, compressed, compressed:N or waits such as 500ms,2s,1m.");
    }

    private static string Format(TimeSpan delay) =>
        delay.TotalMinutes >= 1 && delay.TotalMinutes == Math.Floor(delay.TotalMinutes) ? $"{delay.TotalMinutes:0} min"
        : delay.TotalSeconds >= 1 ? $"{delay.TotalSeconds:0.###} s"
        : $"{delay.TotalMilliseconds:0} ms";
}
