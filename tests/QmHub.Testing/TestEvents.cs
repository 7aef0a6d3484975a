using QmHub.Zoom;
using QmHub.Zoom.Models;

namespace QmHub.Testing;

/// <summary>Builds realistic event bodies with just the fields a test cares about varied.</summary>
public static class TestEvents
{
    public static InteractionAnalysisCompletedEvent Interaction(
        string interactionId,
        long eventTs = 1_764_000_000_000,
        string accountId = "acct-1",
        string queueId = "q-billing",
        string queueName = "Billing",
        string agentName = "Ann Agent",
        string startTime = "2026-11-24T10:00:00Z",
        long duration = 300,
        double sentiment = 70,
        string channel = "AUDIO") => new()
        {
            Event = ZoomEventNames.InteractionAnalysisCompleted,
            EventTs = eventTs,
            Payload = new InteractionAnalysisPayload
            {
                AccountId = accountId,
                Object = new InteractionAnalysis
                {
                    StartTime = startTime,
                    Duration = duration,
                    QueueId = queueId,
                    QueueName = queueName,
                    EngagementId = "eng-" + interactionId,
                    Direction = "inbound",
                    Disposition = "resolved",
                    SilenceEventCount = 2,
                    CrosstalkEventCount = 1,
                    HoldEventCount = 0,
                    PrimaryLanguage = "en-US",
                    InteractionInfo = new InteractionInfo
                    {
                        From = "+15551230001",
                        To = "+15559870002",
                        InteractionId = interactionId,
                        AgentName = agentName,
                        ConsumerName = "Carl Consumer",
                        ChannelType = new ChannelType(channel),
                        AssociatedIds = [],
                    },
                    Summary = new InteractionSummary { EvaluationScore = 80, SentimentScore = sentiment, EngagementScore = 65 },
                },
            },
        };

    public static EvaluationCompletedEvent Evaluation(
        string evaluationId,
        string interactionId,
        long eventTs = 1_764_000_100_000,
        string accountId = "acct-1",
        double ratio = 0.8,
        string type = "MANUAL",
        string agentUserId = "u-ann",
        string evaluatorUserId = "u-eve") => new()
        {
            Event = ZoomEventNames.EvaluationCompleted,
            EventTs = eventTs,
            Payload = new EvaluationPayload
            {
                AccountId = accountId,
                Object = new Evaluation
                {
                    InteractionId = interactionId,
                    AgentUserId = agentUserId,
                    EvaluatorUserId = evaluatorUserId,
                    EvaluationId = evaluationId,
                    AgentInfo = new AgentInfo { AgentUserId = agentUserId, DisplayName = "Ann Agent" },
                    EvaluatorsInfo = [new EvaluatorInfo { EvaluatorUserId = evaluatorUserId, DisplayName = "Eve Evaluator" }],
                    ScorecardName = "Customer care",
                    ScoringFormat = "points",
                    TotalPossibleScore = 50,
                    EvaluationScore = ratio * 50,
                    EvaluationScoreRatio = ratio,
                    EvaluationType = new EvaluationType(type),
                },
            },
        };

    public static byte[] Bytes(ZoomEvent e) => ZoomJson.SerializeToUtf8Bytes(e);
}
