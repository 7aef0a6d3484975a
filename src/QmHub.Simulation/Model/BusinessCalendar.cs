namespace QmHub.Simulation.Model;

/// <summary>
/// When contacts arrive and when QA staff work, in the contact center's time zone: a two-peak weekday
/// curve (late morning and early afternoon), quieter Fridays and weekends, a trickle of night-time chats.
/// </summary>
internal sealed class BusinessCalendar(TimeZoneInfo zone)
{
    private const double NightLevel = 0.03;

    /// <summary>The area under the Monday-Thursday curve, in peak-hours per day, for turning a daily volume into an hourly rate.</summary>
    public static readonly double WeekdayPeakHours = Integrate();

    public TimeZoneInfo Zone { get; } = zone;

    /// <summary>Relative arrival intensity at <paramref name="utc"/>, 1 at the weekday peak.</summary>
    public double Intensity(DateTimeOffset utc)
    {
        var local = TimeZoneInfo.ConvertTime(utc, Zone);
        return DayFactor(local.DayOfWeek) * HourCurve(local.TimeOfDay.TotalHours);
    }

    /// <summary>The largest value <see cref="Intensity"/> takes, the envelope for thinning.</summary>
    public static double MaxIntensity => 1.1;

    /// <summary>The next moment at or after <paramref name="utc"/> inside office hours (Monday-Friday, 09:00-17:00 local).</summary>
    public DateTimeOffset NextOfficeTime(DateTimeOffset utc, SimRandom random)
    {
        var local = TimeZoneInfo.ConvertTime(utc, Zone);
        if (IsOfficeDay(local.DayOfWeek) && local.Hour is >= 9 and < 17)
        {
            return utc;
        }

        var day = local.Hour >= 17 ? local.Date.AddDays(1) : local.Date;
        while (!IsOfficeDay(day.DayOfWeek))
        {
            day = day.AddDays(1);
        }

        var start = day.AddHours(9).Add(random.Between(TimeSpan.Zero, TimeSpan.FromHours(3)));
        return new DateTimeOffset(start, Zone.GetUtcOffset(start)).ToUniversalTime();
    }

    private static bool IsOfficeDay(DayOfWeek day) => day is not (DayOfWeek.Saturday or DayOfWeek.Sunday);

    private static double DayFactor(DayOfWeek day) => day switch
    {
        DayOfWeek.Monday => 1.1,
        DayOfWeek.Friday => 0.9,
        DayOfWeek.Saturday => 0.35,
        DayOfWeek.Sunday => 0.2,
        _ => 1.0,
    };

    private static double HourCurve(double hour)
    {
        if (hour is < 7 or >= 21)
        {
            return NightLevel;
        }

        var morning = Math.Exp(-Math.Pow((hour - 10.5) / 1.6, 2) / 2);
        var afternoon = 0.9 * Math.Exp(-Math.Pow((hour - 14.5) / 2.0, 2) / 2);
        return Math.Max(NightLevel, Math.Min(1.0, morning + afternoon));
    }

    private static double Integrate()
    {
        const int Steps = 24 * 60;
        var sum = 0.0;
        for (var i = 0; i < Steps; i++)
        {
            sum += HourCurve((i + 0.5) * 24.0 / Steps);
        }

        return sum * 24.0 / Steps;
    }
}
