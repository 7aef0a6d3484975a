using System.Globalization;
using Bogus;
using QmHub.Simulation.Generation;
using QmHub.Simulation.Model;
using QmHub.Zoom;
using QmHub.Zoom.Models;

namespace QmHub.Simulation;

/// <summary>
/// A deterministic contact center that produces the deliveries Zoom would send for it, in the order Zoom
/// would send them (by <see cref="SimulatedDelivery.ScheduledAt"/>), with the requested faults injected.
/// </summary>
/// <remarks>
/// Interactions arrive as a non-homogeneous Poisson process following the business-hours curve of
/// <see cref="SimulationOptions.TimeZone"/>; each one is analysed minutes after it ends, may be
/// re-analysed later (a newer version), evaluated automatically minutes later and manually during
/// office hours later still. Every draw comes from one seeded generator, so <see cref="Generate()"/>
/// yields the same bytes every time for the same options.
/// </remarks>
public sealed class ContactCenterSimulator
{
    private readonly SimulationOptions _options;

    /// <summary>Creates a simulator; the options are validated here.</summary>
    /// <exception cref="ArgumentException">An option is out of range; the message names every such setting.</exception>
    public ContactCenterSimulator(SimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        _options = options;
    }

    /// <summary>The options this simulator runs with.</summary>
    public SimulationOptions Options => _options;

    /// <summary>Shorthand for <c>new ContactCenterSimulator(options).Generate()</c>.</summary>
    public static IEnumerable<SimulatedDelivery> Generate(SimulationOptions options) => new ContactCenterSimulator(options).Generate();

    /// <summary>
    /// The deliveries, lazily, in send order. Ends after <see cref="SimulationOptions.Count"/> deliveries or
    /// when the simulated clock passes the end of <see cref="SimulationOptions.Duration"/>. Each enumeration
    /// starts over and yields the same stream.
    /// </summary>
    public IEnumerable<SimulatedDelivery> Generate()
    {
        // The run's state is created per enumeration, so enumerating the same sequence twice gives the same stream.
        foreach (var delivery in new Run(_options).Deliveries())
        {
            yield return delivery;
        }
    }

    private sealed record Pending(
        DateTimeOffset At,
        DeliveryKind Kind,
        ZoomEvent Event,
        string AccountId,
        string InteractionId,
        DeliveryFault Fault,
        SimulatedDelivery? CopyOf = null);

    private sealed record PlannedEvaluation(DateTimeOffset At, EvaluationCompletedEvent Event);

    private sealed class Run
    {
        private static readonly TimeSpan DefaultDuration = TimeSpan.FromDays(1);

        private readonly SimulationOptions _options;
        private readonly SimRandom _random;
        private readonly Faker _faker;
        private readonly ContactCenter _center;
        private readonly Agent[] _agents;
        private readonly Dictionary<Agent, Account> _accountOf = new(ReferenceEqualityComparer.Instance);
        private readonly BusinessCalendar _calendar;
        private readonly PriorityQueue<Pending, (long Ticks, long Order)> _pending = new();
        private readonly double _peakArrivalsPerSecond;
        private long _order;
        private long _sequence;

        public Run(SimulationOptions options)
        {
            _options = options;
            _random = new SimRandom(options.Seed);
            _faker = new Faker("en") { Random = new Randomizer(_random.NextSeed()) };
            _center = ContactCenter.Create(options, _random, _faker);
            _agents = _center.Accounts.SelectMany(a => a.Agents).ToArray();
            foreach (var account in _center.Accounts)
            {
                foreach (var agent in account.Agents)
                {
                    _accountOf[agent] = account;
                }
            }

            _calendar = new BusinessCalendar(options.ResolveTimeZone());
            var perSecondAtPeak = _center.AgentCount * options.InteractionsPerAgentPerDay / BusinessCalendar.WeekdayPeakHours / 3600;
            _peakArrivalsPerSecond = perSecondAtPeak * BusinessCalendar.MaxIntensity;
        }

        public IEnumerable<SimulatedDelivery> Deliveries()
        {
            DateTimeOffset? end = _options.Duration is { } d ? _options.Start + d
                : _options.Count is null ? _options.Start + DefaultDuration : null;
            var nextArrival = NextArrival(_options.Start);
            while (true)
            {
                if (_pending.TryPeek(out var pending, out _) && pending.At <= nextArrival)
                {
                    if (pending.At > end)
                    {
                        yield break;
                    }

                    _pending.Dequeue();
                    foreach (var delivery in Emit(pending))
                    {
                        yield return delivery;
                        if (_sequence == _options.Count)
                        {
                            yield break;
                        }
                    }

                    continue;
                }

                // Anything still pending is later than the next arrival, so past the end as well.
                if (nextArrival > end)
                {
                    yield break;
                }

                StartContact(nextArrival);
                nextArrival = NextArrival(nextArrival);
            }
        }

        /// <summary>Thinning (Lewis-Shedler): candidate arrivals at the peak rate, each kept with the curve's relative intensity.</summary>
        private DateTimeOffset NextArrival(DateTimeOffset after)
        {
            var t = after;
            while (true)
            {
                t += TimeSpan.FromSeconds(_random.Exponential(1 / _peakArrivalsPerSecond));
                if (_random.NextDouble() * BusinessCalendar.MaxIntensity < _calendar.Intensity(t))
                {
                    return TruncateToSecond(t);
                }
            }
        }

        private IEnumerable<SimulatedDelivery> Emit(Pending pending)
        {
            if (pending.CopyOf is { } original)
            {
                yield return original with
                {
                    Sequence = ++_sequence,
                    ScheduledAt = TruncateToMillisecond(pending.At),
                    TrackingId = TrackingId(),
                    Fault = DeliveryFault.Duplicate | (original.Fault & DeliveryFault.InvalidPayload),
                };
                yield break;
            }

            // Always four draws in this order, so that changing one rate does not reshuffle the others.
            var faults = _options.Faults;
            var fault = pending.Fault;
            var invalid = _random.Chance(faults.InvalidPayloadPercent / 100);
            fault |= _random.Chance(faults.BadSignaturePercent / 100) ? DeliveryFault.BadSignature : DeliveryFault.None;
            fault |= _random.Chance(faults.StaleTimestampPercent / 100) ? DeliveryFault.StaleTimestamp : DeliveryFault.None;
            var duplicate = _random.Chance(faults.DuplicatePercent / 100);

            ReadOnlyMemory<byte> body = ZoomJson.SerializeToUtf8Bytes(pending.Event);
            string? reason = null;
            var typed = pending.Event;
            if (invalid)
            {
                (var broken, reason) = InvalidPayloads.Break(body, pending.Kind, _random);
                body = broken;
                typed = null;
                fault |= DeliveryFault.InvalidPayload;
            }

            var delivery = new SimulatedDelivery
            {
                Sequence = ++_sequence,
                Kind = pending.Kind,
                Event = typed,
                Body = body,
                ScheduledAt = TruncateToMillisecond(pending.At),
                TrackingId = TrackingId(),
                Fault = fault,
                AccountId = pending.AccountId,
                InteractionId = pending.InteractionId,
                InvalidReason = reason,
            };
            if (duplicate)
            {
                Schedule(pending with { At = pending.At + _random.Between(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(90)), CopyOf = delivery });
            }

            yield return delivery;
        }

        private void Schedule(Pending pending) => _pending.Enqueue(pending, (pending.At.UtcTicks, _order++));

        private string TrackingId() => _random.Guid().ToString("N", CultureInfo.InvariantCulture);

        /// <summary>A new contact: one interaction, sometimes a transfer in the same engagement and a follow-up later.</summary>
        private void StartContact(DateTimeOffset start)
        {
            var agent = _random.Pick(_agents);
            var account = _accountOf[agent];
            var consumer = _random.Pick(account.Consumers);
            var template = agent.Queue.Template;
            var direction = _random.Chance(template.OutboundShare) ? "outbound" : "inbound";
            var channel = _random.Weighted(template.Channels);
            if (direction == "outbound" && channel == "WEB_CHAT")
            {
                channel = "AUDIO"; // nobody starts a web chat with a customer
            }

            var engagementId = _random.ZoomId();
            var first = NewInteraction(account, agent, consumer, start, direction, channel, engagementId);
            var contacts = new List<(InteractionAnalysis Interaction, Agent Agent)>(3);
            var otherQueues = account.Queues.Where(q => q != agent.Queue && q.Agents.Count > 0).ToArray();
            if (direction == "inbound" && channel is "AUDIO" or "VIDEO" && otherQueues.Length > 0 && _random.Chance(_options.TransferPercent / 100))
            {
                var target = _random.Pick(_random.Pick(otherQueues).Agents);
                var transferStart = StartedAt(first) + TimeSpan.FromSeconds(first.Duration ?? 0) + _random.Between(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60));
                var second = NewInteraction(account, target, consumer, TruncateToSecond(transferStart), direction, channel, engagementId);
                first = Link(first, second) with { Disposition = "Transferred" };
                second = Link(second, first);
                contacts.Add((second, target));
            }

            if (_random.Chance(_options.FollowUpPercent / 100))
            {
                var followUpStart = _calendar.NextOfficeTime(StartedAt(first) + _random.Between(TimeSpan.FromHours(2), TimeSpan.FromHours(48)), _random);
                var followUp = NewInteraction(account, agent, consumer, TruncateToSecond(followUpStart), "outbound", _random.Chance(0.7) ? "AUDIO" : "SMS", _random.ZoomId());
                contacts.Add((Link(followUp, first), agent));
            }

            contacts.Insert(0, (first, agent));
            foreach (var (interaction, handler) in contacts)
            {
                ScheduleLifecycle(account, handler, interaction);
            }
        }

        private static InteractionAnalysis Link(InteractionAnalysis interaction, InteractionAnalysis other) => interaction with
        {
            InteractionInfo = interaction.InteractionInfo with
            {
                AssociatedIds = [.. interaction.InteractionInfo.AssociatedIds ?? [], other.InteractionInfo.InteractionId],
            },
        };

        private static DateTimeOffset StartedAt(InteractionAnalysis interaction) =>
            interaction.StartedAt ?? throw new InvalidOperationException("Simulated interactions always have a start time.");

        private InteractionAnalysis NewInteraction(Account account, Agent agent, Consumer consumer, DateTimeOffset start, string direction, string channel, string engagementId)
        {
            var template = agent.Queue.Template;
            var voice = channel is "AUDIO" or "VIDEO";
            var medianSeconds = channel switch
            {
                "AUDIO" => 330.0,
                "VIDEO" => 720.0,
                "SMS" => 900.0,
                "WEB_CHAT" => 600.0,
                _ => 180.0,
            };
            var duration = (long)Math.Max(20, _random.LogNormal(medianSeconds * template.DurationFactor * (1 - (0.08 * agent.Skill)), 0.55));
            var minutes = duration / 60.0;
            var silence = channel == "MANUAL" ? 0 : _random.Poisson((voice ? minutes / 2.5 : minutes / 10) * (1.1 - (0.25 * agent.Skill)));
            var crosstalk = voice ? _random.Poisson(minutes / 3.5 * (1.0 - (0.2 * agent.Skill))) : 0;
            var hold = voice && direction == "inbound" ? _random.Poisson(0.6 * template.DurationFactor * (1.0 - (0.3 * agent.Skill))) : 0;

            var outcome = (0.5 * agent.Skill) + _random.Normal(0, 1);
            var disposition = direction == "inbound"
                ? _random.Weighted<string>([("Resolved", Math.Max(5, 60 + (10 * outcome))), ("Escalated", Math.Max(1, 10 - (4 * outcome))), ("Callback Scheduled", 10), ("Abandoned", channel == "MANUAL" ? 0.1 : 4)])
                : _random.Weighted<string>([("Sale", Math.Max(2, 25 + (8 * outcome))), ("No Sale", 35), ("Follow-up Required", 20), ("Voicemail", voice ? 12 : 0.1), ("No Answer", 8)]);
            var dispositionShift = disposition switch
            {
                "Resolved" or "Sale" => 6,
                "Escalated" or "Abandoned" => -12,
                "No Sale" => -3,
                _ => 0,
            };
            var sentiment = _random.Clamped(55 + (7 * agent.Skill) + template.SentimentShift + dispositionShift - (1.5 * hold) - (0.8 * crosstalk), 11, 0, 100);
            var engagement = _random.Clamped(62 + (9 * agent.Skill) - (0.5 * silence), 10, 0, 100);

            var hasNumbers = channel is "AUDIO" or "SMS";
            return new InteractionAnalysis
            {
                StartTime = start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                Duration = duration,
                QueueId = agent.Queue.Id,
                QueueName = agent.Queue.Name,
                EngagementId = engagementId,
                Direction = direction,
                Disposition = disposition,
                SilenceEventCount = silence,
                CrosstalkEventCount = crosstalk,
                HoldEventCount = hold,
                PrimaryLanguage = template.Language ?? consumer.Language,
                InteractionInfo = new InteractionInfo
                {
                    From = hasNumbers ? (direction == "inbound" ? consumer.Phone : agent.Queue.Phone) : null,
                    To = hasNumbers ? (direction == "inbound" ? agent.Queue.Phone : consumer.Phone) : null,
                    InteractionId = _random.ZoomId(),
                    AgentName = agent.Name,
                    ConsumerName = consumer.Name,
                    ChannelType = new ChannelType(channel),
                },
                Summary = new InteractionSummary
                {
                    SentimentScore = Math.Round(sentiment, 1),
                    EngagementScore = Math.Round(engagement, 1),
                },
            };
        }

        /// <summary>Plans every delivery about one interaction: its versions, its evaluations, and the ordering faults.</summary>
        private void ScheduleLifecycle(Account account, Agent agent, InteractionAnalysis interaction)
        {
            var end = StartedAt(interaction) + TimeSpan.FromSeconds(interaction.Duration ?? 0);
            var analysedAt = TruncateToMillisecond(end + _random.Between(TimeSpan.FromSeconds(40), TimeSpan.FromMinutes(6)));
            var interactionId = interaction.InteractionInfo.InteractionId;

            var evaluations = new List<PlannedEvaluation>();
            var quality = 0.80 + (0.06 * agent.Skill) + _random.Normal(0, 0.05);
            var scorecard = ScorecardFor(interaction, agent);
            double? automatedPercent = null;
            if (_random.Chance(_options.EvaluationPercent / 100))
            {
                var at = TruncateToMillisecond(analysedAt + _random.Between(TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(15)));
                var automated = NewEvaluation(account, agent, interactionId, at, scorecard, quality + 0.02 + _random.Normal(0, 0.02), EvaluationType.Automated, []);
                automatedPercent = automated.Payload.Object.EvaluationScoreRatio is { } ratio ? Math.Round(ratio * 100, 1) : null;
                evaluations.Add(new PlannedEvaluation(at, automated));
                if (_random.Chance(_options.ManualEvaluationPercent / 100))
                {
                    PlanManualEvaluations(account, agent, interactionId, analysedAt, quality, evaluations);
                }
            }

            DateTimeOffset? versionAt = _random.Chance(_options.VersionPercent / 100)
                ? analysedAt + _random.Between(TimeSpan.FromHours(1), TimeSpan.FromHours(8))
                : null;
            var outOfOrder = _random.Chance(_options.Faults.OutOfOrderPercent / 100);
            if (outOfOrder && versionAt is null)
            {
                versionAt = analysedAt + _random.Between(TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(30));
            }

            var firstDeliveryAt = analysedAt;
            var evaluationFirst = evaluations.Count > 0 && _random.Chance(_options.Faults.EvaluationBeforeInteractionPercent / 100);
            if (evaluationFirst)
            {
                // The interaction's delivery is held up (Zoom-side delay) until after its first evaluation.
                firstDeliveryAt = evaluations[0].At + _random.Between(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(15));
                // No version of the interaction may arrive before the evaluation either; an out-of-order
                // older version comes after the newer one anyway.
                var notBefore = outOfOrder ? evaluations[0].At : firstDeliveryAt;
                if (versionAt is { } v && v <= notBefore)
                {
                    versionAt = notBefore + _random.Between(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10));
                }
            }

            var v1Fault = DeliveryFault.None;
            if (versionAt is { } versionTime)
            {
                versionTime = TruncateToMillisecond(versionTime);
                var newer = Revise(interaction, automatedPercent is { } p && evaluations[0].At < versionTime ? p : null);
                Schedule(new Pending(versionTime, DeliveryKind.InteractionAnalysisCompleted, InteractionEvent(account, newer, versionTime), account.Id, interactionId, DeliveryFault.None));
                if (outOfOrder)
                {
                    firstDeliveryAt = Later(firstDeliveryAt, versionTime) + _random.Between(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(10));
                    v1Fault = DeliveryFault.OutOfOrder;
                }
            }

            Schedule(new Pending(firstDeliveryAt, DeliveryKind.InteractionAnalysisCompleted, InteractionEvent(account, interaction, analysedAt), account.Id, interactionId, v1Fault));
            for (var i = 0; i < evaluations.Count; i++)
            {
                var fault = i == 0 && evaluationFirst ? DeliveryFault.EvaluationBeforeInteraction : DeliveryFault.None;
                Schedule(new Pending(evaluations[i].At, DeliveryKind.EvaluationCompleted, evaluations[i].Event, account.Id, interactionId, fault));
            }
        }

        private void PlanManualEvaluations(Account account, Agent agent, string interactionId, DateTimeOffset analysedAt, double quality, List<PlannedEvaluation> evaluations)
        {
            var at = _calendar.NextOfficeTime(analysedAt + TimeSpan.FromHours(_random.LogNormal(20, 0.8)), _random);
            var scorecard = _random.Chance(0.3) ? ContactCenter.Scorecards[1] : ScorecardFor(null, agent);
            var evaluatorCount = account.Evaluators.Count > 1 && _random.Chance(_options.CalibrationPercent / 100)
                ? Math.Min(account.Evaluators.Count, _random.Next(2, 4))
                : 1;
            var chosen = account.Evaluators.OrderBy(_ => _random.NextDouble()).Take(evaluatorCount).ToArray();
            if (chosen.Length > 1 && _random.Chance(0.5))
            {
                // A panel: one evaluation, scored together, listing every evaluator.
                var ratio = quality + chosen.Average(e => e.Leniency) + _random.Normal(0, 0.03);
                at = TruncateToMillisecond(at);
                evaluations.Add(new PlannedEvaluation(at, NewEvaluation(account, agent, interactionId, at, scorecard, ratio, EvaluationType.Manual, chosen)));
                return;
            }

            // One evaluation per evaluator (a calibration session when there are several), minutes apart.
            foreach (var evaluator in chosen)
            {
                at = TruncateToMillisecond(at + _random.Between(TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(40)));
                var ratio = quality + evaluator.Leniency + _random.Normal(0, 0.03);
                evaluations.Add(new PlannedEvaluation(at, NewEvaluation(account, agent, interactionId, at, scorecard, ratio, EvaluationType.Manual, [evaluator])));
            }
        }

        private static Scorecard ScorecardFor(InteractionAnalysis? interaction, Agent agent)
        {
            var channel = interaction?.InteractionInfo.ChannelType?.Value;
            return channel is "SMS" or "WEB_CHAT" ? ContactCenter.Scorecards[2]
                : agent.Queue.Template.OutboundShare >= 0.5 ? ContactCenter.Scorecards[3]
                : ContactCenter.Scorecards[0];
        }

        private EvaluationCompletedEvent NewEvaluation(Account account, Agent agent, string interactionId, DateTimeOffset at, Scorecard scorecard, double ratio, EvaluationType type, Evaluator[] evaluators)
        {
            var clamped = Math.Clamp(ratio - scorecard.Difficulty, 0.1, 1.0);
            var total = scorecard.TotalPossibleScore;
            var score = scorecard.Format == ScoringFormat.Points ? Math.Round(clamped * total) : Math.Round(clamped * 100, 1);
            return new EvaluationCompletedEvent
            {
                Event = ZoomEventNames.EvaluationCompleted,
                EventTs = at.ToUnixTimeMilliseconds(),
                Payload = new EvaluationPayload
                {
                    AccountId = account.Id,
                    Object = new Evaluation
                    {
                        InteractionId = interactionId,
                        AgentUserId = agent.UserId,
                        EvaluatorUserId = evaluators.Length > 0 ? evaluators[0].UserId : null,
                        EvaluationId = _random.ZoomId(),
                        AgentInfo = new AgentInfo { AgentUserId = agent.UserId, DisplayName = agent.Name },
                        EvaluatorsInfo = evaluators.Length > 0
                            ? evaluators.Select(e => new EvaluatorInfo { EvaluatorUserId = e.UserId, DisplayName = e.Name }).ToArray()
                            : null,
                        ScorecardName = scorecard.Name,
                        ScoringFormat = scorecard.FormatName,
                        TotalPossibleScore = total,
                        EvaluationScore = score,
                        EvaluationScoreRatio = Math.Round(score / total, 4),
                        EvaluationType = type,
                    },
                },
            };
        }

        /// <summary>A re-analysis: scores drift, a pending disposition may settle, the automated score appears in the summary.</summary>
        private InteractionAnalysis Revise(InteractionAnalysis interaction, double? evaluationPercent)
        {
            var summary = interaction.Summary ?? new InteractionSummary();
            var disposition = interaction.Disposition is "Callback Scheduled" or "Follow-up Required" && _random.Chance(0.4) ? "Resolved" : interaction.Disposition;
            return interaction with
            {
                Disposition = disposition,
                SilenceEventCount = interaction.SilenceEventCount + _random.Poisson(0.3),
                Summary = summary with
                {
                    EvaluationScore = evaluationPercent ?? summary.EvaluationScore,
                    SentimentScore = Math.Round(Math.Clamp((summary.SentimentScore ?? 50) + _random.Normal(0, 4), 0, 100), 1),
                    EngagementScore = Math.Round(Math.Clamp((summary.EngagementScore ?? 50) + _random.Normal(0, 3), 0, 100), 1),
                },
            };
        }

        private static InteractionAnalysisCompletedEvent InteractionEvent(Account account, InteractionAnalysis interaction, DateTimeOffset at) => new()
        {
            Event = ZoomEventNames.InteractionAnalysisCompleted,
            EventTs = at.ToUnixTimeMilliseconds(),
            Payload = new InteractionAnalysisPayload { AccountId = account.Id, Object = interaction },
        };

        private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

        private static DateTimeOffset TruncateToSecond(DateTimeOffset t) => DateTimeOffset.FromUnixTimeSeconds(t.ToUnixTimeSeconds());

        private static DateTimeOffset TruncateToMillisecond(DateTimeOffset t) => DateTimeOffset.FromUnixTimeMilliseconds(t.ToUnixTimeMilliseconds());
    }
}
