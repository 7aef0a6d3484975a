using System.Text.Json;
using QmHub.Zoom.Models;
using QmHub.Zoom.Parsing;

namespace QmHub.Zoom.Tests;

public sealed class EventFieldTests
{
    [Fact]
    public void Filled_interaction_event_binds_every_field()
    {
        var result = Fixture.Parse(Fixture.Interaction);

        Assert.Empty(result.Findings);
        Assert.Equal(ZoomEventKind.InteractionAnalysisCompleted, result.Kind);
        Assert.Equal(RoutingBasis.EventName, result.RoutedBy);
        Assert.Null(result.RoutingNote);
        Assert.Equal("quality_management.interaction_analysis_completed", result.EventName);
        Assert.Equal(1764000123456, result.EventTs);
        Assert.Equal("AbCdEfGhIjKlMnOpQrStUv", result.AccountId);

        var e = Assert.IsType<InteractionAnalysisCompletedEvent>(result.Event);
        Assert.Equal(ZoomEventNames.InteractionAnalysisCompleted, e.Event);
        Assert.Equal(1764000123456, e.EventTs);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1764000123456), e.OccurredAt);
        Assert.Equal("AbCdEfGhIjKlMnOpQrStUv", e.Payload.AccountId);

        var o = e.Payload.Object;
        Assert.Equal("2026-11-24T15:42:07Z", o.StartTime);
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 15, 42, 7, TimeSpan.Zero), o.StartedAt);
        Assert.Equal(734, o.Duration);
        Assert.Equal("q_7Hn2KpLxR4", o.QueueId);
        Assert.Equal("Soporte Técnico — España", o.QueueName);
        Assert.Equal("eng_3f9c1a2b-6d4e-4a8b-9c7d-1e2f3a4b5c6d", o.EngagementId);
        Assert.Equal("inbound", o.Direction);
        Assert.Equal("Resolved – refund issued", o.Disposition);
        Assert.Equal(3, o.SilenceEventCount);
        Assert.Equal(2, o.CrosstalkEventCount);
        Assert.Equal(1, o.HoldEventCount);
        Assert.Equal("es-ES", o.PrimaryLanguage);

        var info = o.InteractionInfo;
        Assert.Equal("+34911234567", info.From);
        Assert.Equal("+14155550123", info.To);
        Assert.Equal("ixn_9a8b7c6d5e4f3a2b", info.InteractionId);
        Assert.Equal("Zoë Müller", info.AgentName);
        Assert.Equal("José Ñúñez 山田", info.ConsumerName);
        Assert.Equal(ChannelType.Audio, info.ChannelType);
        Assert.True(info.ChannelType?.IsKnown);
        Assert.Equal(["ixn_1a2b3c4d5e6f7a8b", "ixn_7f6e5d4c3b2a1f0e"], info.AssociatedIds);

        var summary = Assert.IsType<InteractionSummary>(o.Summary);
        Assert.Equal(87.5, summary.EvaluationScore);
        Assert.Equal(62.25, summary.SentimentScore);
        Assert.Equal(71, summary.EngagementScore);
    }

    [Fact]
    public void Filled_evaluation_event_binds_every_field()
    {
        var result = Fixture.Parse(Fixture.Evaluation);

        Assert.Empty(result.Findings);
        Assert.Equal(ZoomEventKind.EvaluationCompleted, result.Kind);
        Assert.Equal(RoutingBasis.EventName, result.RoutedBy);
        Assert.Equal(1764000456789, result.EventTs);
        Assert.Equal("AbCdEfGhIjKlMnOpQrStUv", result.AccountId);

        var e = Assert.IsType<EvaluationCompletedEvent>(result.Event);
        Assert.Equal(ZoomEventNames.EvaluationCompleted, e.Event);
        Assert.Equal(1764000456789, e.EventTs);
        Assert.Equal("AbCdEfGhIjKlMnOpQrStUv", e.Payload.AccountId);

        var o = e.Payload.Object;
        Assert.Equal("ixn_9a8b7c6d5e4f3a2b", o.InteractionId);
        Assert.Equal("u_Zoe_8KjH2mNq", o.AgentUserId);
        Assert.Equal("u_Ana_4PqR7sTu", o.EvaluatorUserId);
        Assert.Equal("eval_5c4b3a2918f7e6d5", o.EvaluationId);
        Assert.Equal("u_Zoe_8KjH2mNq", o.AgentInfo?.AgentUserId);
        Assert.Equal("Zoë Müller", o.AgentInfo?.DisplayName);
        Assert.NotNull(o.EvaluatorsInfo);
        Assert.Collection(o.EvaluatorsInfo,
            first =>
            {
                Assert.Equal("u_Ana_4PqR7sTu", first.EvaluatorUserId);
                Assert.Equal("Ana Lucía Peña", first.DisplayName);
            },
            second =>
            {
                Assert.Equal("u_Bot_0000AUTO", second.EvaluatorUserId);
                Assert.Equal("Zoom AI", second.DisplayName);
            });
        Assert.Equal("Billing calls — 2026 Q4", o.ScorecardName);
        Assert.Equal("POINTS", o.ScoringFormat);
        Assert.Equal(40, o.TotalPossibleScore);
        Assert.Equal(34.5, o.EvaluationScore);
        Assert.Equal(0.8625, o.EvaluationScoreRatio);
        Assert.Equal(EvaluationType.Manual, o.EvaluationType);
        Assert.True(o.EvaluationType?.IsKnown);
    }

    [Fact]
    public void Url_validation_challenge_binds_its_plain_token()
    {
        var result = Fixture.Parse(Fixture.UrlValidation);

        Assert.Empty(result.Findings);
        Assert.Equal(ZoomEventKind.UrlValidation, result.Kind);
        var e = Assert.IsType<UrlValidationEvent>(result.Event);
        Assert.Equal(ZoomEventNames.UrlValidation, e.Event);
        Assert.Equal(1764000000123, e.EventTs);
        Assert.Equal("qgg8vlvZRS6UYooatFL8Aw", e.Payload.PlainToken);
    }

    [Fact]
    public void Unknown_members_are_kept_at_every_level_of_an_interaction()
    {
        var e = Assert.IsType<InteractionAnalysisCompletedEvent>(Fixture.Parse(Fixture.Interaction).Event);

        Assert.Equal(1, Extra(e.AdditionalProperties, "delivery_attempt").GetInt32());
        Assert.Equal("EU", Extra(e.Payload.AdditionalProperties, "region").GetString());
        var o = e.Payload.Object;
        Assert.Equal(2, Extra(o.AdditionalProperties, "topics").GetArrayLength());
        Assert.Equal(352, Extra(o.AdditionalProperties, "agent_talk_time").GetInt32());
        Assert.Equal(JsonValueKind.Null, Extra(o.AdditionalProperties, "recording").GetProperty("redacted").ValueKind);
        Assert.StartsWith("El cliente llamó", Extra(o.AdditionalProperties, "ai_summary").GetString(), StringComparison.Ordinal);
        Assert.Equal("spanish-billing", Extra(o.InteractionInfo.AdditionalProperties, "routing_skill").GetString());
        Assert.Equal(0.48, Extra(o.Summary?.AdditionalProperties, "talk_listen_ratio").GetDouble());
    }

    [Fact]
    public void Unknown_members_are_kept_at_every_level_of_an_evaluation()
    {
        var e = Assert.IsType<EvaluationCompletedEvent>(Fixture.Parse(Fixture.Evaluation).Event);

        Assert.Equal(2, Extra(e.AdditionalProperties, "delivery_attempt").GetInt32());
        Assert.Equal("EU", Extra(e.Payload.AdditionalProperties, "region").GetString());
        Assert.Equal(2, Extra(e.Payload.Object.AdditionalProperties, "sections").GetArrayLength());
        Assert.Equal("Billing ES", Extra(e.Payload.Object.AgentInfo?.AdditionalProperties, "team").GetString());
        Assert.Equal("QA lead", Extra(e.Payload.Object.EvaluatorsInfo?[0].AdditionalProperties, "role").GetString());
        Assert.Null(e.Payload.Object.EvaluatorsInfo?[1].AdditionalProperties);
    }

    [Fact]
    public void Spec_interaction_example_binds_every_field_it_names()
    {
        // Zoom's example leaves every string empty, so the parser reports errors; the model still binds it.
        var e = JsonSerializer.Deserialize(Fixture.Bytes(Fixture.SpecInteraction), ZoomJson.Default.InteractionAnalysisCompletedEvent);

        Assert.NotNull(e);
        Assert.Equal("", e.Event);
        Assert.Equal(1, e.EventTs);
        Assert.Equal("", e.Payload.AccountId);
        var o = e.Payload.Object;
        Assert.Equal("", o.StartTime);
        Assert.Null(o.StartedAt);
        Assert.Equal(1, o.Duration);
        Assert.Equal("", o.QueueId);
        Assert.Equal("", o.QueueName);
        Assert.Equal("", o.EngagementId);
        Assert.Equal("", o.Direction);
        Assert.Equal("", o.Disposition);
        Assert.Equal(1, o.SilenceEventCount);
        Assert.Equal(1, o.CrosstalkEventCount);
        Assert.Equal(1, o.HoldEventCount);
        Assert.Equal("", o.PrimaryLanguage);
        Assert.Equal("", o.InteractionInfo.From);
        Assert.Equal("", o.InteractionInfo.To);
        Assert.Equal("", o.InteractionInfo.InteractionId);
        Assert.Equal("", o.InteractionInfo.AgentName);
        Assert.Equal("", o.InteractionInfo.ConsumerName);
        Assert.Equal(ChannelType.Video, o.InteractionInfo.ChannelType);
        Assert.Equal([""], o.InteractionInfo.AssociatedIds);
        Assert.Equal(1, o.Summary?.EvaluationScore);
        Assert.Equal(1, o.Summary?.SentimentScore);
        Assert.Equal(1, o.Summary?.EngagementScore);
        Assert.Null(e.AdditionalProperties);
        Assert.Null(o.AdditionalProperties);
        Assert.Null(o.InteractionInfo.AdditionalProperties);
        Assert.Null(o.Summary?.AdditionalProperties);
    }

    [Fact]
    public void Spec_evaluation_example_binds_every_field_it_names()
    {
        var e = JsonSerializer.Deserialize(Fixture.Bytes(Fixture.SpecEvaluation), ZoomJson.Default.EvaluationCompletedEvent);

        Assert.NotNull(e);
        Assert.Equal("", e.Event);
        Assert.Equal(1, e.EventTs);
        Assert.Equal("", e.Payload.AccountId);
        var o = e.Payload.Object;
        Assert.Equal("", o.InteractionId);
        Assert.Equal("", o.AgentUserId);
        Assert.Equal("", o.EvaluatorUserId);
        Assert.Equal("", o.EvaluationId);
        Assert.Equal("", o.AgentInfo?.AgentUserId);
        Assert.Equal("", o.AgentInfo?.DisplayName);
        var evaluator = Assert.Single(o.EvaluatorsInfo ?? []);
        Assert.Equal("", evaluator.EvaluatorUserId);
        Assert.Equal("", evaluator.DisplayName);
        Assert.Equal("", o.ScorecardName);
        Assert.Equal("", o.ScoringFormat);
        Assert.Equal(1, o.TotalPossibleScore);
        Assert.Equal(1, o.EvaluationScore);
        Assert.Equal(1, o.EvaluationScoreRatio);
        Assert.Equal(EvaluationType.Manual, o.EvaluationType);
        Assert.Null(o.AdditionalProperties);
    }

    [Theory]
    [InlineData(Fixture.SpecInteraction, ZoomEventKind.InteractionAnalysisCompleted, "payload.object.interaction_info.interaction_id")]
    [InlineData(Fixture.SpecEvaluation, ZoomEventKind.EvaluationCompleted, "payload.object.evaluation_id")]
    public void Spec_example_is_routed_by_shape_and_reports_its_empty_required_strings(string fixture, ZoomEventKind kind, string idPath)
    {
        var result = Fixture.Parse(fixture);

        Assert.Equal(kind, result.Kind);
        Assert.Equal(RoutingBasis.PayloadShape, result.RoutedBy);
        Assert.Null(result.Event);
        Assert.Equal(
            [
                "event: warning event",
                "event_ts: warning range",
                "payload.account_id: error empty",
                $"{idPath}: error empty",
            ],
            result.Findings.Select(Describe));
    }

    [Fact]
    public void Spec_examples_with_real_identifiers_parse_without_errors()
    {
        var interaction = Fixture.Node(Fixture.SpecInteraction);
        interaction["event"] = ZoomEventNames.InteractionAnalysisCompleted;
        interaction["event_ts"] = 1764000123456;
        interaction["payload"]!["account_id"] = "acct";
        interaction["payload"]!["object"]!["interaction_info"]!["interaction_id"] = "ixn";
        var evaluation = Fixture.Node(Fixture.SpecEvaluation);
        evaluation["event"] = ZoomEventNames.EvaluationCompleted;
        evaluation["event_ts"] = 1764000123456;
        evaluation["payload"]!["account_id"] = "acct";
        evaluation["payload"]!["object"]!["evaluation_id"] = "eval";

        var i = ZoomEventParser.Parse(System.Text.Encoding.UTF8.GetBytes(interaction.ToJsonString()));
        var v = ZoomEventParser.Parse(System.Text.Encoding.UTF8.GetBytes(evaluation.ToJsonString()));

        Assert.False(i.HasErrors, string.Join("; ", i.Findings));
        Assert.IsType<InteractionAnalysisCompletedEvent>(i.Event);
        Assert.False(v.HasErrors, string.Join("; ", v.Findings));
        Assert.IsType<EvaluationCompletedEvent>(v.Event);
    }

    [Theory]
    [InlineData(Fixture.Interaction)]
    [InlineData(Fixture.Evaluation)]
    [InlineData(Fixture.EvaluationWithWrongName)]
    [InlineData(Fixture.SpecInteraction)]
    public void Parsing_an_element_gives_what_parsing_its_bytes_gives(string fixture)
    {
        var bytes = Fixture.Bytes(fixture);
        using var document = JsonDocument.Parse(bytes);

        var fromBytes = ZoomEventParser.Parse(bytes);
        var fromElement = ZoomEventParser.Parse(document.RootElement);

        Assert.Equal((fromBytes.Kind, fromBytes.RoutedBy, fromBytes.RoutingNote), (fromElement.Kind, fromElement.RoutedBy, fromElement.RoutingNote));
        Assert.Equal(fromBytes.Findings, fromElement.Findings);
        Assert.Equal(fromBytes.Event is null, fromElement.Event is null);
        if (fromBytes.Event is { } a && fromElement.Event is { } b)
        {
            Assert.Equal(ZoomJson.SerializeToUtf8Bytes(a), ZoomJson.SerializeToUtf8Bytes(b));
        }
    }

    private static string Describe(ValidationFinding f) =>
        $"{f.Path}: {f.Severity.ToString().ToLowerInvariant()} {f.Code}";

    private static JsonElement Extra(Dictionary<string, JsonElement>? members, string name)
    {
        Assert.NotNull(members);
        Assert.True(members.TryGetValue(name, out var value), $"{name} was not kept");
        return value;
    }

    [Fact]
    public void Default_string_enums_read_as_empty_not_null()
    {
        Assert.Equal("", default(ChannelType).Value);
        Assert.Equal("", default(EvaluationType).ToString());
        Assert.False(default(ChannelType).IsKnown);
        Assert.Equal("AUDIO", ChannelType.Audio.Value);
    }

    [Fact]
    public void Last_millisecond_of_year_9999_is_a_usable_event_ts()
    {
        var result = ZoomEventParser.Parse(Fixture.With(Fixture.Interaction, "event_ts", "253402300799999"));

        // HasErrors tells the compiler Event is set when it is false: this compiles without '!' (warnings are errors).
        var occurred = result.HasErrors ? default : result.Event.OccurredAt;
        Assert.False(result.HasErrors, string.Join("; ", result.Errors));
        Assert.Equal(DateTimeOffset.MaxValue.AddTicks(-9_999), occurred);
    }
}
