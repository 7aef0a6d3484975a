using QmHub.Ingest;

namespace QmHub.Tests;

public sealed class FailureThrottleTests
{
    [Fact]
    public void A_repeating_failure_is_logged_first_then_once_an_interval_with_the_count_in_between()
    {
        var clock = new SteppingClock();
        var throttle = new FailureThrottle(TimeSpan.FromMinutes(1), clock);

        Assert.True(throttle.ShouldLog(out var first));
        Assert.Equal(0, first);
        var logged = 0;
        for (var i = 0; i < 1000; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(10)); // a failing batch every 10 ms for 10 s
            logged += throttle.ShouldLog(out _) ? 1 : 0;
        }

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(throttle.ShouldLog(out var skipped));

        Assert.Equal(0, logged);
        Assert.Equal(1000, skipped);
    }

    private sealed class SteppingClock : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
