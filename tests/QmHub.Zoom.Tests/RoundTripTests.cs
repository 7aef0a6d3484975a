using System.Text;
using QmHub.Zoom.Models;
using QmHub.Zoom.Parsing;

namespace QmHub.Zoom.Tests;

public sealed class RoundTripTests
{
    [Theory]
    [InlineData(Fixture.Interaction)]
    [InlineData(Fixture.Evaluation)]
    [InlineData(Fixture.EvaluationWithWrongName)]
    [InlineData(Fixture.UrlValidation)]
    public void Parse_then_serialize_loses_nothing(string fixture)
    {
        var original = Fixture.Bytes(fixture);
        var parsed = ZoomEventParser.Parse(original);
        Assert.NotNull(parsed.Event);

        var written = ZoomJson.SerializeToUtf8Bytes(parsed.Event);

        Fixture.AssertJsonEqual(original, written);
    }

    [Fact]
    public void Payload_object_is_kept_as_the_bytes_received_sliced_from_the_body()
    {
        const string obj = "{ \"evaluation_id\" : \"e-1\",\n  \"interaction_id\":\"i-1\", \"x_unknown\": [1,  2] }";
        var body = Encoding.UTF8.GetBytes("""{"event":"quality_management.evaluation_completed","event_ts":1764000000000,"payload":{"account_id":"a","object":""" + obj + " }}");

        var parsed = ZoomEventParser.Parse(body);

        Assert.NotNull(parsed.Event);
        Assert.Equal(obj, Encoding.UTF8.GetString(parsed.PayloadObjectJson.Span));
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(parsed.PayloadObjectJson, out var segment));
        Assert.Same(body, segment.Array);
        using var document = System.Text.Json.JsonDocument.Parse(body);
        Assert.Equal(obj, Encoding.UTF8.GetString(ZoomEventParser.Parse(document.RootElement).PayloadObjectJson.Span));
    }

    [Theory]
    [InlineData("""{"event":"quality_management.evaluation_completed","event_ts":1764000000000,"payload":{"account_id":"a"}}""")]
    [InlineData("""{"event":"quality_management.evaluation_completed","event_ts":1764000000000,"payload":{"account_id":"a","object":[1]}}""")]
    [InlineData("""{"event":"endpoint.url_validation","event_ts":1764000000000,"payload":{"plainToken":"t"}}""")]
    [InlineData("""{"event":"quality_management.evaluation_completed","payload":"none"}""")]
    [InlineData("[1]")]
    [InlineData("not json")]
    public void Payload_object_is_empty_when_the_body_has_no_object_there(string body)
    {
        Assert.True(ZoomEventParser.Parse(Encoding.UTF8.GetBytes(body)).PayloadObjectJson.IsEmpty);
    }

    [Theory]
    [InlineData(Fixture.Interaction)]
    [InlineData(Fixture.Evaluation)]
    [InlineData(Fixture.UrlValidation)]
    public void Serializer_writes_the_bytes_Zoom_sends_compact_in_spec_order(string fixture)
    {
        // The compact fixture keeps the spec's member order with unknown members last, which is what
        // Zoom sends; the serializer must reproduce it byte for byte.
        var zoomBytes = Fixture.Compact(fixture);
        var parsed = ZoomEventParser.Parse(Fixture.Bytes(fixture));
        Assert.NotNull(parsed.Event);

        var written = ZoomJson.SerializeToUtf8Bytes(parsed.Event);

        Assert.Equal(Encoding.UTF8.GetString(zoomBytes), Encoding.UTF8.GetString(written));
    }

    [Fact]
    public void Serializer_writes_plus_and_non_ascii_unescaped()
    {
        var parsed = ZoomEventParser.Parse(Fixture.Bytes(Fixture.Interaction));
        var text = Encoding.UTF8.GetString(ZoomJson.SerializeToUtf8Bytes(Assert.IsType<InteractionAnalysisCompletedEvent>(parsed.Event)));

        Assert.Contains("\"from\":\"+34911234567\"", text, StringComparison.Ordinal);
        Assert.Contains("\"consumer_name\":\"José Ñúñez 山田\"", text, StringComparison.Ordinal);
        Assert.Contains("49,90 €", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain(": ", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Serializer_puts_event_and_event_ts_before_payload()
    {
        var e = new EvaluationCompletedEvent
        {
            Event = ZoomEventNames.EvaluationCompleted,
            EventTs = 1764000000000,
            Payload = new EvaluationPayload { AccountId = "a", Object = new Evaluation { EvaluationId = "e" } },
        };

        var text = Encoding.UTF8.GetString(ZoomJson.SerializeToUtf8Bytes(e));

        Assert.Equal("""{"event":"quality_management.evaluation_completed","event_ts":1764000000000,"payload":{"account_id":"a","object":{"evaluation_id":"e"}}}""", text);
    }

    [Fact]
    public void Absent_optional_members_stay_absent()
    {
        var e = new InteractionAnalysisCompletedEvent
        {
            Event = ZoomEventNames.InteractionAnalysisCompleted,
            EventTs = 1764000000000,
            Payload = new InteractionAnalysisPayload
            {
                AccountId = "a",
                Object = new InteractionAnalysis { InteractionInfo = new InteractionInfo { InteractionId = "i" } },
            },
        };

        var text = Encoding.UTF8.GetString(ZoomJson.SerializeToUtf8Bytes(e));

        Assert.Equal("""{"event":"quality_management.interaction_analysis_completed","event_ts":1764000000000,"payload":{"account_id":"a","object":{"interaction_info":{"interaction_id":"i"}}}}""", text);
    }

    [Theory]
    [InlineData("payload.object.interaction_info.channel_type", "\"WHATSAPP\"")]
    [InlineData("payload.object.interaction_info.channel_type", "\"\"")]
    public void Unknown_channel_type_is_kept_as_sent_through_a_round_trip(string path, string value)
    {
        var body = Fixture.With(Fixture.Interaction, path, value);
        var parsed = ZoomEventParser.Parse(body);
        var e = Assert.IsType<InteractionAnalysisCompletedEvent>(parsed.Event);

        Assert.Equal(value.Trim('"'), e.Payload.Object.InteractionInfo.ChannelType?.Value);
        Assert.False(e.Payload.Object.InteractionInfo.ChannelType?.IsKnown);
        Fixture.AssertJsonEqual(body, ZoomJson.SerializeToUtf8Bytes(e));
    }

    [Fact]
    public void Unknown_evaluation_type_is_kept_as_sent_through_a_round_trip()
    {
        var body = Fixture.With(Fixture.Evaluation, "payload.object.evaluation_type", "\"CALIBRATION\"");
        var e = Assert.IsType<EvaluationCompletedEvent>(ZoomEventParser.Parse(body).Event);

        Assert.Equal(new EvaluationType("CALIBRATION"), e.Payload.Object.EvaluationType);
        Assert.False(e.Payload.Object.EvaluationType?.IsKnown);
        Fixture.AssertJsonEqual(body, ZoomJson.SerializeToUtf8Bytes(e));
    }

    [Fact]
    public void Unknown_members_deep_inside_unknown_members_survive_a_round_trip()
    {
        var nested = string.Concat(Enumerable.Repeat("{\"n\":", 40)) + "[1,2.50,\"x\",null,true]" + new string('}', 40);
        var body = Fixture.With(Fixture.Interaction, "payload.object.interaction_info.deep", nested);
        var e = Assert.IsType<InteractionAnalysisCompletedEvent>(ZoomEventParser.Parse(body).Event);

        Fixture.AssertJsonEqual(body, ZoomJson.SerializeToUtf8Bytes(e));
    }

    [Fact]
    public void Explicit_null_for_a_known_optional_member_is_written_as_absent()
    {
        // Documented behaviour: the models cannot tell null from absent, and the writer omits nulls.
        var body = Fixture.With(Fixture.Interaction, "payload.object.queue_name", "null");
        var e = Assert.IsType<InteractionAnalysisCompletedEvent>(ZoomEventParser.Parse(body).Event);

        var written = Encoding.UTF8.GetString(ZoomJson.SerializeToUtf8Bytes(e));

        Assert.Null(e.Payload.Object.QueueName);
        Assert.DoesNotContain("queue_name", written, StringComparison.Ordinal);
    }

    [Fact]
    public void Serializing_an_unsupported_event_type_names_it()
    {
        var ex = Assert.Throws<ArgumentException>(() => ZoomJson.SerializeToUtf8Bytes(new OtherEvent { Event = "x", EventTs = 1 }));

        Assert.Contains(nameof(OtherEvent), ex.Message, StringComparison.Ordinal);
    }

    private sealed record OtherEvent : ZoomEvent;
}
