using System.Text;
using QmHub.Storage.Analytics;

namespace QmHub.Storage.Tests;

public class RollupPlanTests
{
    [Fact]
    public void Every_plan_counts_each_hour_of_its_period_once_and_nothing_else()
    {
        var random = new Random(11);
        for (var i = 0; i < 5_000; i++)
        {
            var from = 490_000L + random.Next(0, 24 * 40);
            var to = from + random.Next(0, 24 * 35);
            var plan = RollupPlan.For(from, to);

            // Each hour's weight: +1 per daily row that covers it, +/-1 per signed edge span that covers it.
            var weights = new Dictionary<long, int>();
            for (var day = plan.FromDay; day < plan.ToDay; day++)
            {
                for (var h = day * 24; h < (day + 1) * 24; h++)
                {
                    weights[h] = weights.GetValueOrDefault(h) + 1;
                }
            }

            foreach (var edge in plan.Edges)
            {
                for (var h = edge.FromHour; h < edge.ToHour; h++)
                {
                    weights[h] = weights.GetValueOrDefault(h) + edge.Sign;
                }
            }

            foreach (var (hour, weight) in weights)
            {
                Assert.True(weight == (hour >= from && hour < to ? 1 : 0), $"hour {hour} counted {weight} times in [{from}, {to}): {plan}");
            }

            Assert.Equal(to - from, weights.Count(w => w.Value == 1));
        }
    }

    [Fact]
    public void A_month_in_new_york_reads_its_days_and_the_hours_to_the_nearest_midnights()
    {
        // 2026-10-26T04:00Z (midnight in New York) to 2026-11-25T05:00Z (midnight in New York after the clocks went back).
        var from = new DateTimeOffset(2026, 10, 26, 4, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() / 3_600_000;
        var to = new DateTimeOffset(2026, 11, 25, 5, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() / 3_600_000;

        var plan = RollupPlan.For(from, to);

        Assert.Equal(30, plan.ToDay - plan.FromDay);
        Assert.Equal([new HourSpan(to - 5, to, 1), new HourSpan(from - 4, from, -1)], plan.Edges);
    }

    [Fact]
    public void A_period_past_noon_takes_its_hours_from_the_next_midnight()
    {
        var day = 20_000L;
        var plan = RollupPlan.For((day * 24) + 20, ((day + 3) * 24) + 2);

        Assert.Equal((day + 1, day + 3), (plan.FromDay, plan.ToDay));
        Assert.Equal([new HourSpan((day + 3) * 24, ((day + 3) * 24) + 2, 1), new HourSpan((day * 24) + 20, (day + 1) * 24, 1)], plan.Edges);
    }

    [Fact]
    public void Short_periods_read_hours_only()
    {
        var plan = RollupPlan.For(480_010, 480_013);

        Assert.False(plan.HasDays);
        Assert.Equal([new HourSpan(480_010, 480_013, 1)], plan.Edges);
        Assert.Empty(RollupPlan.For(480_010, 480_010).Edges);
    }

    [Fact]
    public void Combine_adds_days_and_signed_hours()
    {
        var one = MetricTotals.Zero with { Interactions = 1, RatioSum = 0.5 };
        var plan = new RollupPlan(10, 12, [new HourSpan(288, 290, 1), new HourSpan(240, 241, -1)]);

        var sum = plan.Combine(MetricTotals.Zero with { Interactions = 10 }, _ => one);

        Assert.Equal(11, sum.Interactions);
        Assert.Equal(0.5, sum.RatioSum, 9);
    }

    [Fact]
    public void Utf8_order_puts_characters_above_the_surrogates_before_supplementary_ones()
    {
        string[] keys = ["b", "\uFF21", "a", "\U0001F600", "A", "é"];

        var ordered = keys.Order(Utf8Order.Instance).ToList();

        Assert.Equal(keys.OrderBy(k => Encoding.UTF8.GetBytes(k), Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y))), ordered);
        Assert.Equal(["A", "a", "b", "é", "\uFF21", "\U0001F600"], ordered);
        Assert.True(string.CompareOrdinal("\U0001F600", "\uFF21") < 0, "UTF-16 order differs here, which is why the comparer exists");
    }
}
