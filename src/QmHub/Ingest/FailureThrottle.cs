namespace QmHub.Ingest;

/// <summary>
/// Paces the log of a failure that repeats: a full disk fails every batch, thousands a second, and a log of
/// each (with its stack trace) would fill what little room is left. The first failure is logged; then at
/// most one every <see cref="Interval"/>, with the count of those not logged in between.
/// </summary>
internal sealed class FailureThrottle(TimeSpan interval, TimeProvider timeProvider)
{
    private readonly Lock _gate = new();
    private long _nextAllowed = long.MinValue;
    private int _skipped;

    /// <summary>How often a repeating failure is logged at most.</summary>
    public TimeSpan Interval { get; } = interval;

    /// <summary>Whether to log this failure now; if so, <paramref name="skipped"/> is how many were not logged since the last one.</summary>
    public bool ShouldLog(out int skipped)
    {
        var now = timeProvider.GetTimestamp();
        lock (_gate)
        {
            if (now < _nextAllowed)
            {
                _skipped++;
                skipped = 0;
                return false;
            }

            skipped = _skipped;
            _skipped = 0;
            _nextAllowed = now + (long)(Interval.TotalSeconds * timeProvider.TimestampFrequency);
            return true;
        }
    }
}
