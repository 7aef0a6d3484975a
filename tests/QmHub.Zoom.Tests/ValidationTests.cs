using QmHub.Zoom.Models;
using QmHub.Zoom.Parsing;

namespace QmHub.Zoom.Tests;

public sealed class ValidationTests
{
    public static TheoryData<string, string, string, string, string> ErrorsWhenChanged => new()
    {
        // fixture, member, new JSON value, expected code, expected message
        { Fixture.Interaction, "event", "5", "type", "expected a string, got a number" },
        { Fixture.Interaction, "event_ts", "\"1764000123456\"", "type", "expected an integer, got a string" },
        { Fixture.Interaction, "event_ts", "1764000123456.5", "type", "expected an integer, got 1764000123456.5" },
        { Fixture.Interaction, "event_ts", "null", "required", "required, but null" },
        { Fixture.Interaction, "event_ts", "99999999999999999", "range", "99999999999999999 is outside the dates a timestamp can name (years 1 to 9999); expected Unix milliseconds" },
        { Fixture.Evaluation, "event_ts", "-62135596800001", "range", "-62135596800001 is outside the dates a timestamp can name (years 1 to 9999); expected Unix milliseconds" },
        { Fixture.Interaction, "payload", "[]", "type", "expected an object, got an array" },
        { Fixture.Interaction, "payload.account_id", "\"\"", "empty", "required, but empty" },
        { Fixture.Interaction, "payload.account_id", "\"  \"", "empty", "required, but empty" },
        { Fixture.Interaction, "payload.account_id", "42", "type", "expected a string, got a number" },
        { Fixture.Interaction, "payload.object", "\"x\"", "type", "expected an object, got a string" },
        { Fixture.Interaction, "payload.object.start_time", "1764000123", "type", "expected a string, got a number" },
        { Fixture.Interaction, "payload.object.duration", "\"734\"", "type", "expected an integer, got a string" },
        { Fixture.Interaction, "payload.object.duration", "7.5", "type", "expected an integer, got 7.5" },
        { Fixture.Interaction, "payload.object.queue_id", "7", "type", "expected a string, got a number" },
        { Fixture.Interaction, "payload.object.queue_name", "{}", "type", "expected a string, got an object" },
        { Fixture.Interaction, "payload.object.engagement_id", "true", "type", "expected a string, got a boolean" },
        { Fixture.Interaction, "payload.object.direction", "[]", "type", "expected a string, got an array" },
        { Fixture.Interaction, "payload.object.disposition", "1", "type", "expected a string, got a number" },
        { Fixture.Interaction, "payload.object.silence_event_count", "\"3\"", "type", "expected an integer, got a string" },
        { Fixture.Interaction, "payload.object.crosstalk_event_count", "false", "type", "expected an integer, got a boolean" },
        { Fixture.Interaction, "payload.object.hold_event_count", "1e40", "type", "expected an integer, got 1e40" },
        { Fixture.Interaction, "payload.object.primary_language", "1", "type", "expected a string, got a number" },
        { Fixture.Interaction, "payload.object.interaction_info", "[]", "type", "expected an object, got an array" },
        { Fixture.Interaction, "payload.object.interaction_info.interaction_id", "\"\"", "empty", "required, but empty" },
        { Fixture.Interaction, "payload.object.interaction_info.interaction_id", "null", "required", "required, but null" },
        { Fixture.Interaction, "payload.object.interaction_info.interaction_id", "42", "type", "expected a string, got a number" },
        { Fixture.Interaction, "payload.object.interaction_info.from", "34911234567", "type", "expected a string, got a number" },
        { Fixture.Interaction, "payload.object.interaction_info.to", "[]", "type", "expected a string, got an array" },
        { Fixture.Interaction, "payload.object.interaction_info.agent_name", "1", "type", "expected a string, got a number" },
        { Fixture.Interaction, "payload.object.interaction_info.consumer_name", "{}", "type", "expected a string, got an object" },
        { Fixture.Interaction, "payload.object.interaction_info.channel_type", "3", "type", "expected a string, got a number" },
        { Fixture.Interaction, "payload.object.interaction_info.associated_ids", "\"ixn\"", "type", "expected an array, got a string" },
        { Fixture.Interaction, "payload.object.summary", "87", "type", "expected an object, got a number" },
        { Fixture.Interaction, "payload.object.summary.evaluation_score", "\"87\"", "type", "expected a number, got a string" },
        { Fixture.Interaction, "payload.object.summary.sentiment_score", "true", "type", "expected a number, got a boolean" },
        { Fixture.Interaction, "payload.object.summary.engagement_score", "[]", "type", "expected a number, got an array" },
        { Fixture.Evaluation, "payload.account_id", "\"\"", "empty", "required, but empty" },
        { Fixture.Evaluation, "payload.object.evaluation_id", "\"\"", "empty", "required, but empty" },
        { Fixture.Evaluation, "payload.object.evaluation_id", "7", "type", "expected a string, got a number" },
        { Fixture.Evaluation, "payload.object.interaction_id", "7", "type", "expected a string, got a number" },
        { Fixture.Evaluation, "payload.object.agent_user_id", "7", "type", "expected a string, got a number" },
        { Fixture.Evaluation, "payload.object.evaluator_user_id", "7", "type", "expected a string, got a number" },
        { Fixture.Evaluation, "payload.object.agent_info", "\"u\"", "type", "expected an object, got a string" },
        { Fixture.Evaluation, "payload.object.agent_info.agent_user_id", "7", "type", "expected a string, got a number" },
        { Fixture.Evaluation, "payload.object.agent_info.display_name", "7", "type", "expected a string, got a number" },
        { Fixture.Evaluation, "payload.object.evaluators_info", "{}", "type", "expected an array, got an object" },
        { Fixture.Evaluation, "payload.object.scorecard_name", "7", "type", "expected a string, got a number" },
        { Fixture.Evaluation, "payload.object.scoring_format", "7", "type", "expected a string, got a number" },
        { Fixture.Evaluation, "payload.object.total_possible_score", "\"40\"", "type", "expected a number, got a string" },
        { Fixture.Evaluation, "payload.object.evaluation_score", "\"34.5\"", "type", "expected a number, got a string" },
        { Fixture.Evaluation, "payload.object.evaluation_score_ratio", "\"0.86\"", "type", "expected a number, got a string" },
        { Fixture.Evaluation, "payload.object.evaluation_type", "1", "type", "expected a string, got a number" },
        { Fixture.UrlValidation, "payload.plainToken", "\"\"", "empty", "required, but empty" },
        { Fixture.UrlValidation, "payload.plainToken", "5", "type", "expected a string, got a number" },
    };

    [Theory]
    [MemberData(nameof(ErrorsWhenChanged))]
    public void Wrong_type_or_empty_required_member_is_an_error_at_its_exact_path(string fixture, string path, string value, string code, string message)
    {
        var result = ZoomEventParser.Parse(Fixture.With(fixture, path, value));

        var error = Assert.Single(result.Errors);
        Assert.Equal(new ValidationFinding(path, FindingSeverity.Error, code, message), error);
        Assert.Equal($"{path}: {message}", error.ToString());
        Assert.True(result.HasErrors);
        Assert.Null(result.Event);
    }

    public static TheoryData<string, string> RequiredMembers => new()
    {
        { Fixture.Interaction, "event" },
        { Fixture.Interaction, "event_ts" },
        { Fixture.Interaction, "payload" },
        { Fixture.Interaction, "payload.account_id" },
        { Fixture.Interaction, "payload.object" },
        { Fixture.Interaction, "payload.object.interaction_info" },
        { Fixture.Interaction, "payload.object.interaction_info.interaction_id" },
        { Fixture.Evaluation, "event" },
        { Fixture.Evaluation, "event_ts" },
        { Fixture.Evaluation, "payload" },
        { Fixture.Evaluation, "payload.account_id" },
        { Fixture.Evaluation, "payload.object" },
        { Fixture.Evaluation, "payload.object.evaluation_id" },
        { Fixture.UrlValidation, "payload.plainToken" },
    };

    [Theory]
    [MemberData(nameof(RequiredMembers))]
    public void Missing_required_member_is_an_error_at_its_exact_path(string fixture, string path)
    {
        var result = ZoomEventParser.Parse(Fixture.Without(fixture, path));

        var error = Assert.Single(result.Errors);
        Assert.Equal(new ValidationFinding(path, FindingSeverity.Error, "required", "required"), error);
        Assert.Null(result.Event);
    }

    public static TheoryData<string, string> OptionalMembers => new()
    {
        { Fixture.Interaction, "payload.object.start_time" },
        { Fixture.Interaction, "payload.object.duration" },
        { Fixture.Interaction, "payload.object.queue_id" },
        { Fixture.Interaction, "payload.object.summary" },
        { Fixture.Interaction, "payload.object.interaction_info.from" },
        { Fixture.Interaction, "payload.object.interaction_info.channel_type" },
        { Fixture.Interaction, "payload.object.interaction_info.associated_ids" },
        { Fixture.Evaluation, "payload.object.interaction_id" },
        { Fixture.Evaluation, "payload.object.agent_info" },
        { Fixture.Evaluation, "payload.object.evaluators_info" },
        { Fixture.Evaluation, "payload.object.evaluation_score_ratio" },
        { Fixture.Evaluation, "payload.object.evaluation_type" },
    };

    [Theory]
    [MemberData(nameof(OptionalMembers))]
    public void Missing_optional_member_is_no_finding(string fixture, string path)
    {
        var result = ZoomEventParser.Parse(Fixture.Without(fixture, path));

        Assert.Empty(result.Findings);
        Assert.NotNull(result.Event);
    }

    [Fact]
    public void Non_string_associated_id_is_an_error_at_its_index()
    {
        var result = ZoomEventParser.Parse(Fixture.With(Fixture.Interaction, "payload.object.interaction_info.associated_ids", "[\"a\", 1, \"b\", null]"));

        Assert.Equal(
            [
                new ValidationFinding("payload.object.interaction_info.associated_ids[1]", FindingSeverity.Error, "type", "expected a string, got a number"),
                new ValidationFinding("payload.object.interaction_info.associated_ids[3]", FindingSeverity.Error, "type", "expected a string, got null"),
            ],
            result.Errors);
    }

    [Fact]
    public void Evaluator_that_is_not_an_object_or_has_a_wrong_member_type_is_an_error_at_its_index()
    {
        var result = ZoomEventParser.Parse(Fixture.With(Fixture.Evaluation, "payload.object.evaluators_info",
            "[\"u_Ana\", {\"evaluator_user_id\": 5, \"display_name\": \"x\"}, {\"display_name\": []}]"));

        Assert.Equal(
            [
                new ValidationFinding("payload.object.evaluators_info[0]", FindingSeverity.Error, "type", "expected an object, got a string"),
                new ValidationFinding("payload.object.evaluators_info[1].evaluator_user_id", FindingSeverity.Error, "type", "expected a string, got a number"),
                new ValidationFinding("payload.object.evaluators_info[2].display_name", FindingSeverity.Error, "type", "expected a string, got an array"),
            ],
            result.Errors);
    }

    [Fact]
    public void Every_error_is_reported_not_only_the_first()
    {
        var body = """{"event":"quality_management.interaction_analysis_completed","event_ts":"soon","payload":{"account_id":"","object":{"duration":"long","interaction_info":{}}}}"""u8.ToArray();

        var result = ZoomEventParser.Parse(body);

        Assert.Equal(
            ["event_ts", "payload.account_id", "payload.object.duration", "payload.object.interaction_info.interaction_id"],
            result.Errors.Select(e => e.Path));
    }

    public static TheoryData<string, string, string, string, string> WarningsWhenChanged => new()
    {
        // fixture, member, new JSON value, expected code, expected message
        { Fixture.Interaction, "payload.object.interaction_info.channel_type", "\"WHATSAPP\"", "enum", "'WHATSAPP' is not one of VIDEO, MANUAL, SMS, AUDIO, WEB_CHAT; kept as sent" },
        { Fixture.Interaction, "payload.object.interaction_info.channel_type", "\"audio\"", "enum", "'audio' is not one of VIDEO, MANUAL, SMS, AUDIO, WEB_CHAT; kept as sent" },
        { Fixture.Evaluation, "payload.object.evaluation_type", "\"HYBRID\"", "enum", "'HYBRID' is not one of MANUAL, AUTOMATED; kept as sent" },
        { Fixture.Evaluation, "payload.object.evaluation_score_ratio", "1.2", "range", "1.2 is outside 0..1" },
        { Fixture.Evaluation, "payload.object.evaluation_score_ratio", "-0.01", "range", "-0.01 is outside 0..1" },
        { Fixture.Evaluation, "payload.object.evaluation_score_ratio", "86.25", "range", "86.25 is outside 0..1" },
        { Fixture.Interaction, "payload.object.duration", "-1", "range", "-1 is negative" },
        { Fixture.Interaction, "payload.object.silence_event_count", "-3", "range", "-3 is negative" },
        { Fixture.Interaction, "payload.object.crosstalk_event_count", "-2", "range", "-2 is negative" },
        { Fixture.Interaction, "payload.object.hold_event_count", "-1", "range", "-1 is negative" },
        { Fixture.Interaction, "payload.object.summary.evaluation_score", "100.5", "range", "100.5 is outside 0..100" },
        { Fixture.Interaction, "payload.object.summary.sentiment_score", "-0.5", "range", "-0.5 is outside 0..100" },
        { Fixture.Interaction, "payload.object.summary.engagement_score", "250", "range", "250 is outside 0..100" },
        { Fixture.Evaluation, "payload.object.evaluation_score", "-1", "range", "-1 is negative" },
        { Fixture.Evaluation, "payload.object.evaluation_score", "41", "range", "41 exceeds total_possible_score 40" },
        { Fixture.Evaluation, "payload.object.agent_info.agent_user_id", "\"u_Other\"", "consistency", "'u_Other' differs from payload.object.agent_user_id 'u_Zoe_8KjH2mNq'" },
        { Fixture.Interaction, "event_ts", "1764000123", "range", "1764000123 looks like Unix seconds; the specification says milliseconds" },
        { Fixture.Interaction, "event_ts", "0", "range", "0 is not a point in time; expected Unix milliseconds" },
        { Fixture.Interaction, "event_ts", "-1764000123456", "range", "-1764000123456 is not a point in time; expected Unix milliseconds" },
        { Fixture.Interaction, "payload.object.start_time", "\"yesterday afternoon\"", "format", "'yesterday afternoon' is not an ISO 8601 date and time" },
        { Fixture.Interaction, "payload.object.start_time", "\"2026-13-45T25:00:00Z\"", "format", "'2026-13-45T25:00:00Z' is not an ISO 8601 date and time" },
    };

    [Theory]
    [MemberData(nameof(WarningsWhenChanged))]
    public void Drift_from_the_spec_is_a_warning_that_never_blocks(string fixture, string path, string value, string code, string message)
    {
        var result = ZoomEventParser.Parse(Fixture.With(fixture, path, value));

        var warning = Assert.Single(result.Findings);
        Assert.Equal(new ValidationFinding(path, FindingSeverity.Warning, code, message), warning);
        Assert.False(result.HasErrors);
        Assert.Single(result.Warnings);
        Assert.NotNull(result.Event);
    }

    [Theory]
    [InlineData("from", "0034911234567")]
    [InlineData("from", "911 23 45 67")]
    [InlineData("to", "+1 (415) 555-0123")]
    [InlineData("to", "+0123456")]
    [InlineData("to", "+1234567890123456")]
    [InlineData("from", "+1")]
    [InlineData("to", "anonymous")]
    public void Phone_number_not_in_E164_is_a_warning_that_does_not_repeat_the_number(string member, string number)
    {
        var path = $"payload.object.interaction_info.{member}";
        var result = ZoomEventParser.Parse(Fixture.With(Fixture.Interaction, path, $"\"{number}\""));

        var warning = Assert.Single(result.Findings);
        Assert.Equal((path, FindingSeverity.Warning, "e164"), (warning.Path, warning.Severity, warning.Code));
        Assert.Equal($"not an E.164 phone number (+ and 2 to 15 digits, {number.Length} characters sent)", warning.Message);
        Assert.DoesNotContain(number, warning.Message, StringComparison.Ordinal);
        var digits = new string(number.Where(char.IsAsciiDigit).ToArray());
        Assert.True(digits.Length < 3 || !warning.Message.Contains(digits, StringComparison.Ordinal), warning.Message);
        Assert.NotNull(result.Event);
    }

    [Theory]
    [InlineData("+12")]
    [InlineData("+14155550123")]
    [InlineData("+123456789012345")]
    [InlineData("")]
    public void E164_or_empty_phone_number_is_no_finding(string number)
    {
        var result = ZoomEventParser.Parse(Fixture.With(Fixture.Interaction, "payload.object.interaction_info.from", $"\"{number}\""));

        Assert.Empty(result.Findings);
    }

    [Theory]
    [InlineData(Fixture.Evaluation, "payload.object.evaluation_score_ratio", "0")]
    [InlineData(Fixture.Evaluation, "payload.object.evaluation_score_ratio", "1")]
    [InlineData(Fixture.Evaluation, "payload.object.evaluation_score_ratio", "1.0")]
    [InlineData(Fixture.Evaluation, "payload.object.evaluation_score", "40")]
    [InlineData(Fixture.Evaluation, "payload.object.evaluation_score", "0")]
    [InlineData(Fixture.Interaction, "payload.object.summary.sentiment_score", "0")]
    [InlineData(Fixture.Interaction, "payload.object.summary.sentiment_score", "100")]
    [InlineData(Fixture.Interaction, "payload.object.duration", "0")]
    [InlineData(Fixture.Interaction, "payload.object.hold_event_count", "0")]
    [InlineData(Fixture.Interaction, "event_ts", "100000000000")]
    [InlineData(Fixture.Interaction, "payload.object.start_time", "\"2026-11-24T15:42:07.123+01:00\"")]
    [InlineData(Fixture.Interaction, "payload.object.start_time", "\"2026-11-24 15:42:07\"")]
    [InlineData(Fixture.Interaction, "payload.object.start_time", "\"\"")]
    public void Values_at_the_edge_of_their_range_are_no_finding(string fixture, string path, string value)
    {
        var result = ZoomEventParser.Parse(Fixture.With(fixture, path, value));

        Assert.Empty(result.Findings);
        Assert.NotNull(result.Event);
    }

    [Fact]
    public void Several_warnings_keep_document_order_and_the_event()
    {
        var body = Fixture.With(Fixture.Interaction, "payload.object.duration", "-5");
        var node = System.Text.Json.Nodes.JsonNode.Parse(body);
        Assert.NotNull(node);
        node["event_ts"] = 1764000123;
        var result = ZoomEventParser.Parse(System.Text.Encoding.UTF8.GetBytes(node.ToJsonString()));

        Assert.Equal(["event_ts", "payload.object.duration"], result.Warnings.Select(w => w.Path));
        var e = Assert.IsType<InteractionAnalysisCompletedEvent>(result.Event);
        Assert.Equal(-5, e.Payload.Object.Duration);
        Assert.Equal(1764000123, e.EventTs);
    }

    [Fact]
    public void Negative_total_possible_score_is_a_warning_and_the_score_is_then_above_it()
    {
        var result = ZoomEventParser.Parse(Fixture.With(Fixture.Evaluation, "payload.object.total_possible_score", "-40"));

        Assert.Equal(
            [
                new ValidationFinding("payload.object.total_possible_score", FindingSeverity.Warning, "range", "-40 is negative"),
                new ValidationFinding("payload.object.evaluation_score", FindingSeverity.Warning, "range", "34.5 exceeds total_possible_score -40"),
            ],
            result.Findings);
        Assert.NotNull(result.Event);
    }

    [Theory]
    [InlineData(Fixture.Evaluation, "payload.object.evaluation_score_ratio")]
    [InlineData(Fixture.Evaluation, "payload.object.total_possible_score")]
    [InlineData(Fixture.Interaction, "payload.object.summary.sentiment_score")]
    public void Number_too_large_for_a_double_is_a_type_error_not_an_exception(string fixture, string path)
    {
        var result = ZoomEventParser.Parse(Fixture.With(fixture, path, "1e400"));

        var error = Assert.Single(result.Errors);
        Assert.Equal(new ValidationFinding(path, FindingSeverity.Error, "type", "expected a finite number, got 1e400"), error);
        Assert.Null(result.Event);
    }

    [Fact]
    public void Unknown_channel_type_parses_into_the_event_with_its_value()
    {
        var result = ZoomEventParser.Parse(Fixture.With(Fixture.Interaction, "payload.object.interaction_info.channel_type", "\"WHATSAPP\""));

        var e = Assert.IsType<InteractionAnalysisCompletedEvent>(result.Event);
        Assert.Equal("WHATSAPP", e.Payload.Object.InteractionInfo.ChannelType?.Value);
        Assert.Equal("WHATSAPP", e.Payload.Object.InteractionInfo.ChannelType?.ToString());
    }
}
