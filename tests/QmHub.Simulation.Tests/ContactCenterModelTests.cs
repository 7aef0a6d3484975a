using QmHub.Zoom.Models;

namespace QmHub.Simulation.Tests;

/// <summary>The simulated contact center looks like one: skill shows in scores, traffic follows office hours, the mix is varied.</summary>
public sealed class ContactCenterModelTests
{
    private static readonly List<SimulatedDelivery> Week = ContactCenterSimulator.Generate(new SimulationOptions
    {
        Seed = 2026,
        Start = GenerationTests.Start,
        Duration = TimeSpan.FromDays(7),
        AgentsPerAccount = 20,
    }).ToList();

    private static IEnumerable<InteractionAnalysis> Interactions => Week.Select(d => d.Event).OfType<InteractionAnalysisCompletedEvent>().Select(e => e.Payload.Object);

    private static IEnumerable<Evaluation> Evaluations => Week.Select(d => d.Event).OfType<EvaluationCompletedEvent>().Select(e => e.Payload.Object);

    [Fact]
    public void Agents_differ_in_skill_and_it_shows_in_both_sentiment_and_qa_scores()
    {
        var sentiment = Interactions.GroupBy(i => i.InteractionInfo.AgentName!).ToDictionary(g => g.Key, g => g.Average(i => i.Summary!.SentimentScore!.Value));
        var qa = Evaluations.Where(e => e.EvaluationType == EvaluationType.Automated)
            .GroupBy(e => e.AgentInfo!.DisplayName!).ToDictionary(g => g.Key, g => g.Average(e => e.EvaluationScoreRatio!.Value));
        var agents = sentiment.Keys.Intersect(qa.Keys).ToArray();

        Assert.True(agents.Length >= 15);
        Assert.True(qa.Values.Max() - qa.Values.Min() > 0.1, "agents' QA ratios should spread by more than 10 points");
        Assert.True(Correlation(agents.Select(a => sentiment[a]), agents.Select(a => qa[a])) > 0.4, "better agents get better sentiment and QA scores");
    }

    [Fact]
    public void Arrivals_follow_business_hours_in_the_configured_time_zone()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var starts = Interactions.Select(i => TimeZoneInfo.ConvertTime(i.StartedAt!.Value, zone)).ToList();
        var weekdayOfficeHours = starts.Count(t => t.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && t.Hour is >= 8 and < 19);
        var nights = starts.Count(t => t.Hour is < 6 or >= 22);

        Assert.True(weekdayOfficeHours > 0.75 * starts.Count, $"{weekdayOfficeHours} of {starts.Count} in weekday office hours");
        Assert.True(nights < 0.05 * starts.Count, $"{nights} of {starts.Count} at night");
        Assert.True(nights > 0, "a trickle of night-time contacts");
    }

    [Fact]
    public void Channels_directions_dispositions_and_languages_are_mixed()
    {
        var interactions = Interactions.ToList();

        Assert.Equal(["AUDIO", "MANUAL", "SMS", "VIDEO", "WEB_CHAT"], interactions.Select(i => i.InteractionInfo.ChannelType!.Value.Value).Distinct().Order());
        Assert.Equal(["inbound", "outbound"], interactions.Select(i => i.Direction).Distinct().Order());
        Assert.True(interactions.Select(i => i.Disposition).Distinct().Count() >= 8);
        Assert.True(interactions.Select(i => i.PrimaryLanguage).Distinct().Count() >= 3);
        Assert.Equal("AUDIO", interactions.GroupBy(i => i.InteractionInfo.ChannelType!.Value.Value).MaxBy(g => g.Count())!.Key);
        Assert.All(interactions.Where(i => i.InteractionInfo.ChannelType == ChannelType.WebChat), i => Assert.Equal(0, i.HoldEventCount));
        Assert.True(interactions.Where(i => i.InteractionInfo.ChannelType == ChannelType.Audio).Average(i => i.SilenceEventCount!.Value) > 1);
    }

    [Fact]
    public void Associated_ids_link_transfers_in_one_engagement_and_follow_ups()
    {
        var byId = Interactions.GroupBy(i => i.InteractionInfo.InteractionId).ToDictionary(g => g.Key, g => g.First());
        var linked = byId.Values.Where(i => i.InteractionInfo.AssociatedIds is { Count: > 0 }).ToList();
        var transfers = linked.Where(i => i.Disposition == "Transferred").ToList();

        Assert.True(transfers.Count > 10);
        foreach (var transfer in transfers.Where(t => byId.ContainsKey(t.InteractionInfo.AssociatedIds![0])))
        {
            var target = byId[transfer.InteractionInfo.AssociatedIds![0]];
            Assert.Equal(transfer.EngagementId, target.EngagementId);
            Assert.Contains(transfer.InteractionInfo.InteractionId, target.InteractionInfo.AssociatedIds!);
            Assert.NotEqual(transfer.QueueId, target.QueueId);
        }

        Assert.Contains(linked, i => i.Direction == "outbound" && i.Disposition != "Transferred" && byId.TryGetValue(i.InteractionInfo.AssociatedIds![0], out var original) && original.EngagementId != i.EngagementId);
    }

    [Fact]
    public void Evaluations_are_consistent_and_come_automated_first_then_manual_by_lenient_or_strict_evaluators()
    {
        var evaluations = Evaluations.ToList();
        foreach (var e in evaluations)
        {
            Assert.Equal(e.EvaluationScore!.Value / e.TotalPossibleScore!.Value, e.EvaluationScoreRatio!.Value, 4);
            Assert.InRange(e.EvaluationScoreRatio.Value, 0, 1);
            if (e.ScoringFormat == "POINTS")
            {
                Assert.Equal(Math.Round(e.EvaluationScore.Value), e.EvaluationScore.Value);
            }
            else
            {
                Assert.Equal("PERCENTAGE", e.ScoringFormat);
                Assert.Equal(100, e.TotalPossibleScore.Value);
            }

            Assert.Equal(e.AgentUserId, e.AgentInfo!.AgentUserId);
            Assert.Equal(e.EvaluationType == EvaluationType.Manual, e.EvaluatorsInfo is { Count: > 0 });
        }

        Assert.True(evaluations.Select(e => e.ScorecardName).Distinct().Count() >= 4);
        var manual = evaluations.Where(e => e.EvaluationType == EvaluationType.Manual).ToList();
        Assert.True(manual.Count > 50);
        Assert.Contains(manual, e => e.EvaluatorsInfo!.Count > 1); // panels
        Assert.Contains(manual.GroupBy(e => e.InteractionId), g => g.Select(e => e.EvaluatorUserId).Distinct().Count() > 1); // calibration

        var interactionTimes = Week.Where(d => d.Kind == DeliveryKind.InteractionAnalysisCompleted).GroupBy(d => d.InteractionId).ToDictionary(g => g.Key, g => g.Min(d => d.ScheduledAt));
        var evaluationTimes = Week.Where(d => d.Event is EvaluationCompletedEvent).ToList();
        Assert.All(evaluationTimes.Where(d => interactionTimes.ContainsKey(d.InteractionId)), d => Assert.True(d.ScheduledAt > interactionTimes[d.InteractionId]));
    }

    [Fact]
    public void Some_interactions_get_a_newer_version_with_changed_fields()
    {
        var versions = Week.Select(d => d.Event).OfType<InteractionAnalysisCompletedEvent>()
            .GroupBy(e => e.Payload.Object.InteractionInfo.InteractionId).Where(g => g.Count() > 1).ToList();

        Assert.True(versions.Count > 20);
        foreach (var group in versions)
        {
            var ordered = group.OrderBy(e => e.EventTs).ToArray();
            Assert.True(ordered[1].EventTs > ordered[0].EventTs);
            Assert.NotEqual(ordered[0].Payload.Object.Summary, ordered[1].Payload.Object.Summary);
            Assert.Equal(ordered[0].Payload.Object.InteractionInfo, ordered[1].Payload.Object.InteractionInfo);
        }
    }

    private static double Correlation(IEnumerable<double> xs, IEnumerable<double> ys)
    {
        var x = xs.ToArray();
        var y = ys.ToArray();
        var mx = x.Average();
        var my = y.Average();
        var cov = x.Zip(y).Sum(p => (p.First - mx) * (p.Second - my));
        return cov / Math.Sqrt(x.Sum(v => (v - mx) * (v - mx)) * y.Sum(v => (v - my) * (v - my)));
    }
}
