using System.Text;
using QmHub.Zoom.Models;
using QmHub.Zoom.Parsing;

namespace QmHub.Zoom.Tests;

public sealed class RoutingTests
{
    [Fact]
    public void Evaluation_carrying_the_interaction_name_as_in_Zooms_doc_is_routed_by_shape_with_a_note_and_a_warning()
    {
        var result = Fixture.Parse(Fixture.EvaluationWithWrongName);

        AssertRoutedByShape(result, ZoomEventKind.EvaluationCompleted,
            "event 'quality_management.interaction_analysis_completed' contradicts the payload, which has the shape of quality_management.evaluation_completed; routed by payload shape");
        Assert.Equal(ZoomEventNames.InteractionAnalysisCompleted, result.EventName);
        var e = Assert.IsType<EvaluationCompletedEvent>(result.Event);
        Assert.Equal(ZoomEventNames.InteractionAnalysisCompleted, e.Event);
        Assert.Equal("eval_5c4b3a2918f7e6d5", e.Payload.Object.EvaluationId);
    }

    [Fact]
    public void Interaction_carrying_the_evaluation_name_is_routed_by_shape()
    {
        var result = ZoomEventParser.Parse(Fixture.With(Fixture.Interaction, "event", $"\"{ZoomEventNames.EvaluationCompleted}\""));

        AssertRoutedByShape(result, ZoomEventKind.InteractionAnalysisCompleted,
            "event 'quality_management.evaluation_completed' contradicts the payload, which has the shape of quality_management.interaction_analysis_completed; routed by payload shape");
        Assert.IsType<InteractionAnalysisCompletedEvent>(result.Event);
    }

    [Theory]
    [InlineData(Fixture.Interaction, ZoomEventKind.InteractionAnalysisCompleted, ZoomEventNames.InteractionAnalysisCompleted)]
    [InlineData(Fixture.Evaluation, ZoomEventKind.EvaluationCompleted, ZoomEventNames.EvaluationCompleted)]
    [InlineData(Fixture.UrlValidation, ZoomEventKind.UrlValidation, ZoomEventNames.UrlValidation)]
    public void Empty_event_name_is_routed_by_shape_with_a_note_and_a_warning(string fixture, ZoomEventKind kind, string name)
    {
        var result = ZoomEventParser.Parse(Fixture.With(fixture, "event", "\"\""));

        AssertRoutedByShape(result, kind, $"event is empty; routed by payload shape to {name}");
        Assert.Equal("", result.EventName);
    }

    [Theory]
    [InlineData(Fixture.Interaction, ZoomEventKind.InteractionAnalysisCompleted, ZoomEventNames.InteractionAnalysisCompleted)]
    [InlineData(Fixture.Evaluation, ZoomEventKind.EvaluationCompleted, ZoomEventNames.EvaluationCompleted)]
    public void Unknown_event_name_with_a_known_shape_is_routed_by_shape_with_a_note_and_a_warning(string fixture, ZoomEventKind kind, string name)
    {
        var result = ZoomEventParser.Parse(Fixture.With(fixture, "event", "\"quality_management.analysis_done\""));

        AssertRoutedByShape(result, kind, $"event 'quality_management.analysis_done' is not a known event; routed by payload shape to {name}");
    }

    [Fact]
    public void Known_name_with_a_payload_of_no_recognisable_shape_is_routed_by_name()
    {
        var body = """{"event":"quality_management.evaluation_completed","event_ts":1764000000000,"payload":{"account_id":"a","object":{"evaluation_id":"e","interaction_id":"i","duration":3}}}"""u8.ToArray();

        var result = ZoomEventParser.Parse(body);

        Assert.Equal(ZoomEventKind.EvaluationCompleted, result.Kind);
        Assert.Equal(RoutingBasis.EventName, result.RoutedBy);
        Assert.Null(result.RoutingNote);
        Assert.IsType<EvaluationCompletedEvent>(result.Event);
    }

    [Fact]
    public void Known_name_with_an_empty_object_is_routed_by_name_and_reports_the_missing_id()
    {
        var body = """{"event":"quality_management.interaction_analysis_completed","event_ts":1764000000000,"payload":{"account_id":"a","object":{}}}"""u8.ToArray();

        var result = ZoomEventParser.Parse(body);

        Assert.Equal(ZoomEventKind.InteractionAnalysisCompleted, result.Kind);
        Assert.Equal(RoutingBasis.EventName, result.RoutedBy);
        Assert.Equal(["payload.object.interaction_info"], result.Errors.Select(e => e.Path));
    }

    [Fact]
    public void Unknown_event_of_unknown_shape_is_unknown_with_an_event_error_and_its_envelope()
    {
        var body = """{"event":"meeting.started","event_ts":1764000000000,"payload":{"account_id":"acct","object":{"id":"85","topic":"Standup"}}}"""u8.ToArray();

        var result = ZoomEventParser.Parse(body);

        Assert.Equal(ZoomEventKind.Unknown, result.Kind);
        Assert.Equal(RoutingBasis.None, result.RoutedBy);
        Assert.Null(result.RoutingNote);
        Assert.True(result.IsJson);
        Assert.Equal("meeting.started", result.EventName);
        Assert.Equal(1764000000000, result.EventTs);
        Assert.Equal("acct", result.AccountId);
        var error = Assert.Single(result.Findings);
        Assert.Equal(("event", FindingSeverity.Error, "event"), (error.Path, error.Severity, error.Code));
        Assert.StartsWith("'meeting.started' is not a Zoom Quality Management event; expected ", error.Message, StringComparison.Ordinal);
        Assert.Null(result.Event);
    }

    [Theory]
    [InlineData("""{"event":"meeting.ended","event_ts":1764000000000,"payload":{"account_id":"acct","object":{"id":"85","uuid":"u==","start_time":"2026-11-24T10:00:00Z","end_time":"2026-11-24T10:30:00Z","duration":30,"topic":"Standup"}}}""")]
    [InlineData("""{"event":"contact_center.engagement_ended","event_ts":1764000000000,"payload":{"account_id":"acct","object":{"engagement_id":"e1","queue_id":"q1","start_time":"2026-11-24T10:00:00Z","duration":300}}}""")]
    public void Another_zoom_products_event_is_unknown_whatever_members_its_object_shares(string body)
    {
        var result = ZoomEventParser.Parse(Encoding.UTF8.GetBytes(body));

        Assert.Equal(ZoomEventKind.Unknown, result.Kind);
        Assert.Equal(RoutingBasis.None, result.RoutedBy);
        Assert.Null(result.RoutingNote);
        var error = Assert.Single(result.Findings);
        Assert.Equal(("event", FindingSeverity.Error), (error.Path, error.Severity));
        Assert.Contains("is not a Zoom Quality Management event", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Members_many_zoom_objects_have_do_not_make_an_interaction_on_their_own()
    {
        var result = ZoomEventParser.Parse(
            """{"event":"","event_ts":1764000000000,"payload":{"object":{"start_time":"2026-11-24T10:00:00Z","duration":30,"queue_id":"q1"}}}"""u8.ToArray());

        Assert.Equal(ZoomEventKind.Unknown, result.Kind);
        Assert.Equal(RoutingBasis.None, result.RoutedBy);
    }

    [Fact]
    public void Empty_event_name_with_no_recognisable_shape_is_an_event_error()
    {
        var result = ZoomEventParser.Parse("""{"event":"","event_ts":1764000000000,"payload":{"object":{}}}"""u8.ToArray());

        Assert.Equal(ZoomEventKind.Unknown, result.Kind);
        Assert.Equal(
            new ValidationFinding("event", FindingSeverity.Error, "event", "event is empty and the payload has the shape of no known event"),
            Assert.Single(result.Findings));
    }

    [Fact]
    public void Object_without_event_or_payload_reports_each_missing_member()
    {
        var result = ZoomEventParser.Parse("{}"u8.ToArray());

        Assert.Equal(ZoomEventKind.Unknown, result.Kind);
        Assert.True(result.IsJson);
        Assert.Equal(["event", "event_ts", "payload"], result.Errors.Select(e => e.Path));
        Assert.All(result.Errors, e => Assert.Equal("required", e.Code));
    }

    [Fact]
    public void Challenge_without_an_event_name_is_recognised_by_its_plain_token()
    {
        var result = ZoomEventParser.Parse("""{"event_ts":1764000000000,"event":"","payload":{"plainToken":"abc"}}"""u8.ToArray());

        Assert.Equal(ZoomEventKind.UrlValidation, result.Kind);
        Assert.Equal(RoutingBasis.PayloadShape, result.RoutedBy);
        Assert.Equal("abc", Assert.IsType<UrlValidationEvent>(result.Event).Payload.PlainToken);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"event\":")]
    [InlineData("{\"event\":\"x\",}")]
    [InlineData("{'event':'x'}")]
    [InlineData("{} {}")]
    [InlineData("\uFEFF{\"a\":1")]
    public void Body_that_is_not_JSON_is_one_json_error_at_the_root(string body)
    {
        var result = ZoomEventParser.Parse(Encoding.UTF8.GetBytes(body));

        Assert.False(result.IsJson);
        Assert.Equal(ZoomEventKind.Unknown, result.Kind);
        Assert.Equal(RoutingBasis.None, result.RoutedBy);
        var error = Assert.Single(result.Findings);
        Assert.Equal(("$", FindingSeverity.Error, "json"), (error.Path, error.Severity, error.Code));
        Assert.StartsWith("the body is not valid JSON: ", error.Message, StringComparison.Ordinal);
        Assert.Null(result.Event);
    }

    [Theory]
    [InlineData("event")]
    [InlineData("payload.account_id")]
    [InlineData("payload.object.interaction_info.interaction_id")]
    [InlineData("payload.object.interaction_info.from")]
    [InlineData("payload.object.queue_name")]
    [InlineData("payload.object.topics")]
    public void Body_with_invalid_UTF8_in_a_string_is_a_json_error_not_an_exception(string path)
    {
        // C3 28 is not UTF-8: a lead byte without its continuation byte.
        var body = Fixture.With(Fixture.Interaction, path, "\"bad @@ here\"");
        var at = body.AsSpan().IndexOf("@@"u8);
        body[at] = 0xC3;
        body[at + 1] = 0x28;

        var result = ZoomEventParser.Parse(body);

        Assert.False(result.IsJson);
        Assert.Equal(
            new ValidationFinding("$", FindingSeverity.Error, "json", "the body is not valid JSON: it is not valid UTF-8"),
            Assert.Single(result.Findings));
    }

    [Fact]
    public void Body_nested_deeper_than_64_levels_is_a_json_error()
    {
        var body = Encoding.UTF8.GetBytes(new string('[', 65) + new string(']', 65));

        var result = ZoomEventParser.Parse(body);

        Assert.False(result.IsJson);
        Assert.Equal("json", Assert.Single(result.Findings).Code);
    }

    [Theory]
    [InlineData("[]", "an array")]
    [InlineData("[{\"event\":\"endpoint.url_validation\"}]", "an array")]
    [InlineData("\"quality_management.evaluation_completed\"", "a string")]
    [InlineData("42", "a number")]
    [InlineData("true", "a boolean")]
    [InlineData("null", "null")]
    public void Root_that_is_not_an_object_is_a_type_error_at_the_root(string body, string described)
    {
        var result = ZoomEventParser.Parse(Encoding.UTF8.GetBytes(body));

        Assert.True(result.IsJson);
        Assert.Equal(ZoomEventKind.Unknown, result.Kind);
        Assert.Equal(
            new ValidationFinding("$", FindingSeverity.Error, "type", $"expected a JSON object, got {described}"),
            Assert.Single(result.Findings));
    }

    [Theory]
    [InlineData(ZoomEventKind.InteractionAnalysisCompleted, ZoomEventNames.InteractionAnalysisCompleted)]
    [InlineData(ZoomEventKind.EvaluationCompleted, ZoomEventNames.EvaluationCompleted)]
    [InlineData(ZoomEventKind.UrlValidation, ZoomEventNames.UrlValidation)]
    public void Kinds_and_wire_names_map_both_ways(ZoomEventKind kind, string name)
    {
        Assert.Equal(name, kind.ToEventName());
        Assert.Equal(kind, ZoomEventKinds.FromEventName(name));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("QUALITY_MANAGEMENT.EVALUATION_COMPLETED")]
    public void Unknown_wire_names_map_to_unknown(string? name)
    {
        Assert.Equal(ZoomEventKind.Unknown, ZoomEventKinds.FromEventName(name));
        Assert.Null(ZoomEventKind.Unknown.ToEventName());
    }

    private static void AssertRoutedByShape(ZoomEventParseResult result, ZoomEventKind kind, string note)
    {
        Assert.Equal(kind, result.Kind);
        Assert.Equal(RoutingBasis.PayloadShape, result.RoutedBy);
        Assert.Equal(note, result.RoutingNote);
        Assert.Equal(new ValidationFinding("event", FindingSeverity.Warning, "event", note), Assert.Single(result.Findings));
        Assert.NotNull(result.Event);
    }
}
