using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using QmHub.Zoom.Models;
using QmHub.Zoom.Parsing;
using QmHub.Zoom.Signing;

namespace QmHub.Zoom.Tests;

public sealed class PropertyTests
{
    private const long Iterations = 2_000;
    private static readonly long Now = FixedClock.Now.ToUnixTimeSeconds();

    private static readonly Gen<byte[]> Body = Gen.Byte.Array[0, 2048];
    private static readonly Gen<string> Secret = Gen.String[1, 64];
    private static readonly Gen<long> Timestamp = Gen.Long[Now - 300, Now + 300];

    /// <summary>Text with what trips JSON writers: quotes, escapes, control characters, '+', non-ASCII, surrogate pairs.</summary>
    private static readonly Gen<string> Text =
        Gen.String[Gen.Char["abcXYZ019 +-_.:/\"\\\n\t\u0001<>&'éüß€—山田§"], 0, 24]
            .Select(s => s.Replace("§", "😀", StringComparison.Ordinal));

    private static readonly Gen<string> Id = Gen.String[Gen.Char["abcdefXYZ0123456789_-"], 1, 24];

    private static ZoomSignatureVerifier Verifier(string secret) =>
        new([new("primary", secret)], timeProvider: new FixedClock());

    [Fact]
    public void Sign_then_verify_always_succeeds()
    {
        Gen.Select(Body, Secret, Timestamp).Sample((body, secret, timestamp) =>
        {
            var signed = new ZoomWebhookSigner(secret).Sign(body, timestamp);

            var result = Verifier(secret).Verify(signed.Signature, Fixture.Seconds(signed.Timestamp), signed.Body.Span);

            Assert.True(result.Succeeded, result.Message);
        }, iter: Iterations);
    }

    [Fact]
    public void Signature_is_the_HMAC_of_v0_timestamp_body_for_any_timestamp()
    {
        Gen.Select(Body, Secret, Gen.OneOf<long>(Gen.Long, Gen.OneOf(long.MinValue, long.MaxValue, 0L, -1L))).Sample((body, secret, timestamp) =>
        {
            byte[] message = [.. Encoding.ASCII.GetBytes($"v0:{Fixture.Seconds(timestamp)}:"), .. body];
            var expected = "v0=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));

            Assert.Equal(expected, ZoomSignature.Compute(secret, timestamp, body));
        }, iter: Iterations);
    }

    [Fact]
    public void Any_one_byte_change_to_the_body_fails()
    {
        var gen = from body in Gen.Byte.Array[1, 2048]
                  from index in Gen.Int[0, body.Length - 1]
                  from flip in Gen.Byte[1, 255]
                  from secret in Secret
                  select (body, index, flip, secret);

        gen.Sample(t =>
        {
            var signature = ZoomSignature.Compute(t.secret, Now, t.body);
            var changed = (byte[])t.body.Clone();
            changed[t.index] ^= t.flip;

            var result = Verifier(t.secret).Verify(signature, Fixture.Seconds(Now), changed);

            Assert.Equal(ZoomVerificationFailure.SignatureMismatch, result.Failure);
        }, iter: Iterations);
    }

    [Fact]
    public void Adding_or_removing_a_byte_of_the_body_fails()
    {
        Gen.Select(Gen.Byte.Array[1, 512], Gen.Byte, Secret).Sample((body, extra, secret) =>
        {
            var signature = ZoomSignature.Compute(secret, Now, body);
            var verifier = Verifier(secret);

            Assert.False(verifier.Verify(signature, Fixture.Seconds(Now), body.AsSpan(0, body.Length - 1)).Succeeded);
            Assert.False(verifier.Verify(signature, Fixture.Seconds(Now), [.. body, extra]).Succeeded);
        }, iter: Iterations);
    }

    [Fact]
    public void Any_one_character_change_to_the_timestamp_fails()
    {
        var gen = from timestamp in Timestamp
                  from index in Gen.Int[0, Fixture.Seconds(timestamp).Length - 1]
                  from replacement in Gen.Char
                  where replacement != Fixture.Seconds(timestamp)[index]
                  from body in Body
                  select (timestamp, index, replacement, body);

        gen.Sample(t =>
        {
            var signature = ZoomSignature.Compute("secret", t.timestamp, t.body);
            var header = Replace(Fixture.Seconds(t.timestamp), t.index, t.replacement);

            var result = Verifier("secret").Verify(signature, header, t.body);

            Assert.False(result.Succeeded, $"{header}: {result.Message}");
        }, iter: Iterations);
    }

    [Fact]
    public void Any_one_character_change_to_the_signature_fails()
    {
        var gen = from body in Body
                  from index in Gen.Int[0, 66]
                  from replacement in Gen.Char
                  select (body, index, replacement);

        gen.Where(t => ZoomSignature.Compute("secret", Now, t.body)[t.index] != t.replacement).Sample(t =>
        {
            var header = Replace(ZoomSignature.Compute("secret", Now, t.body), t.index, t.replacement);

            var result = Verifier("secret").Verify(header, Fixture.Seconds(Now), t.body);

            Assert.False(result.Succeeded, $"{header}: {result.Message}");
        }, iter: Iterations);
    }

    [Fact]
    public void Parser_never_throws_on_arbitrary_bytes()
    {
        Gen.Byte.Array[0, 1024].Sample(AssertParsesWithoutThrowing, iter: 5 * Iterations);
    }

    [Fact]
    public void Parser_never_throws_on_damaged_events()
    {
        var fixtures = new[] { Fixture.Compact(Fixture.Interaction), Fixture.Compact(Fixture.Evaluation), Fixture.Compact(Fixture.UrlValidation) };
        var gen = from f in Gen.Int[0, fixtures.Length - 1]
                  from changes in Gen.Select(Gen.Int[0, 2047], Gen.Byte).Array[1, 4]
                  from cut in Gen.Int[0, 2048]
                  select Damage(fixtures[f], changes, cut);

        gen.Sample(AssertParsesWithoutThrowing, iter: 5 * Iterations);
    }

    [Fact]
    public void Parser_never_throws_on_token_soup()
    {
        string[] tokens =
        [
            "{", "}", "[", "]", ":", ",", "\"event\"", "\"event_ts\"", "\"payload\"", "\"object\"", "\"account_id\"",
            "\"plainToken\"", "\"interaction_info\"", "\"interaction_id\"", "\"evaluation_id\"", "\"evaluators_info\"",
            "\"summary\"", "\"channel_type\"", "\"evaluation_type\"", "\"associated_ids\"", "\"duration\"",
            "\"quality_management.evaluation_completed\"", "\"quality_management.interaction_analysis_completed\"",
            "\"endpoint.url_validation\"", "1", "-1", "1.5", "1e400", "1764000000000", "null", "true", "\"\"", "\"x\"",
        ];
        Gen.OneOf(tokens).Array[0, 80].Select(parts => Encoding.UTF8.GetBytes(string.Concat(parts)))
            .Sample(AssertParsesWithoutThrowing, iter: 5 * Iterations);
    }

    [Fact]
    public void Parser_never_throws_when_any_known_member_has_any_JSON_type()
    {
        // Every member the models bind, replaced (or removed) with a value of a random JSON type: whatever
        // the validator misses, the deserializer would meet, so this finds gaps between the two.
        string[] values = ["null", "true", "0", "-7", "1.5", "1e400", "\"\"", "\"x\"", "\"+14155550123\"", "[]", "[1]", "[\"a\"]", "{}", "[{}]", "[null]"];
        var members = new (string Fixture, string[] Paths)[]
        {
            (Fixture.Interaction, MemberPaths(Fixture.Interaction)),
            (Fixture.Evaluation, MemberPaths(Fixture.Evaluation)),
            (Fixture.UrlValidation, MemberPaths(Fixture.UrlValidation)),
        };
        var gen = from f in Gen.Int[0, members.Length - 1]
                  from edits in Gen.Select(Gen.Int[0, 1000], Gen.Int[-1, values.Length - 1]).Array[1, 4]
                  select Edit(members[f].Fixture, members[f].Paths, edits, values);

        gen.Sample(AssertParsesWithoutThrowing, iter: 5 * Iterations);
    }

    [Fact]
    public void Generated_interaction_events_round_trip_byte_for_byte() =>
        Interaction.Sample(e => AssertRoundTrips(e, ZoomEventKind.InteractionAnalysisCompleted), iter: Iterations);

    [Fact]
    public void Generated_evaluation_events_round_trip_byte_for_byte() =>
        Evaluation.Sample(e => AssertRoundTrips(e, ZoomEventKind.EvaluationCompleted), iter: Iterations);

    private static void AssertRoundTrips(ZoomEvent e, ZoomEventKind kind)
    {
        var bytes = ZoomJson.SerializeToUtf8Bytes(e);
        var parsed = ZoomEventParser.Parse(bytes);

        Assert.False(parsed.HasErrors, string.Join("; ", parsed.Findings));
        Assert.Equal(kind, parsed.Kind);
        Assert.Equal(RoutingBasis.EventName, parsed.RoutedBy);
        Assert.NotNull(parsed.Event);
        Assert.Equal(e.GetType(), parsed.Event.GetType());
        Assert.Equal(Encoding.UTF8.GetString(bytes), Encoding.UTF8.GetString(ZoomJson.SerializeToUtf8Bytes(parsed.Event)));
    }

    private static readonly Gen<Dictionary<string, JsonElement>?> Extra =
        Gen.Select(Gen.OneOf("x_flag", "x_list", "x_obj", "x_text"), Gen.OneOf("true", "[1,2.5,\"a\"]", "{\"k\":{\"v\":null}}", "\"Zoë +1\""))
            .Array[0, 3]
            .Select(pairs => pairs.Length == 0
                ? null
                : pairs.DistinctBy(p => p.Item1).ToDictionary(p => p.Item1, p => JsonDocument.Parse(p.Item2).RootElement.Clone()));

    private static readonly Gen<double?> Score = Gen.OneOf<double>(Gen.Double[0, 100], Gen.Int[0, 100].Select(i => (double)i)).Nullable();

    private static readonly Gen<InteractionAnalysisCompletedEvent> Interaction =
        from ts in Gen.Long[100_000_000_000, 4_000_000_000_000]
        from account in Id
        from id in Id
        from strings in Text.Null().Array[9, 9]
        from counts in Gen.Long[0, 100_000].Nullable().Array[4, 4]
        from channel in Gen.OneOf("VIDEO", "MANUAL", "SMS", "AUDIO", "WEB_CHAT", "WHATSAPP").Null()
        from associated in Id.Array[0, 3].Null()
        from scores in Score.Array[3, 3]
        from extras in Extra.Array[5, 5]
        select new InteractionAnalysisCompletedEvent
        {
            Event = ZoomEventNames.InteractionAnalysisCompleted,
            EventTs = ts,
            AdditionalProperties = extras[0],
            Payload = new InteractionAnalysisPayload
            {
                AccountId = account,
                AdditionalProperties = extras[1],
                Object = new InteractionAnalysis
                {
                    StartTime = strings[0] is null ? null : DateTimeOffset.FromUnixTimeMilliseconds(ts).ToString("O", CultureInfo.InvariantCulture),
                    Duration = counts[0],
                    QueueId = strings[1],
                    QueueName = strings[2],
                    EngagementId = strings[3],
                    Direction = strings[4],
                    Disposition = strings[5],
                    SilenceEventCount = counts[1],
                    CrosstalkEventCount = counts[2],
                    HoldEventCount = counts[3],
                    PrimaryLanguage = strings[6],
                    AdditionalProperties = extras[2],
                    InteractionInfo = new InteractionInfo
                    {
                        From = strings[7] is null ? null : "+14155550123",
                        To = strings[8],
                        InteractionId = id,
                        AgentName = strings[0],
                        ConsumerName = strings[8],
                        ChannelType = channel is null ? null : new ChannelType(channel),
                        AssociatedIds = associated,
                        AdditionalProperties = extras[3],
                    },
                    Summary = scores.All(s => s is null)
                        ? null
                        : new InteractionSummary { EvaluationScore = scores[0], SentimentScore = scores[1], EngagementScore = scores[2], AdditionalProperties = extras[4] },
                },
            },
        };

    private static readonly Gen<EvaluationCompletedEvent> Evaluation =
        from ts in Gen.Long[100_000_000_000, 4_000_000_000_000]
        from account in Id
        from id in Id
        from strings in Text.Null().Array[6, 6]
        from agent in Id.Null()
        from evaluators in Gen.Select(Id.Null(), Text.Null(), Extra).Array[0, 3].Null()
        from total in Gen.Double[1, 200].Nullable()
        from ratio in Gen.Double[0, 1].Nullable()
        from type in Gen.OneOf("MANUAL", "AUTOMATED", "CALIBRATED").Null()
        from extras in Extra.Array[4, 4]
        select new EvaluationCompletedEvent
        {
            Event = ZoomEventNames.EvaluationCompleted,
            EventTs = ts,
            AdditionalProperties = extras[0],
            Payload = new EvaluationPayload
            {
                AccountId = account,
                AdditionalProperties = extras[1],
                Object = new Models.Evaluation
                {
                    InteractionId = strings[0],
                    AgentUserId = agent,
                    EvaluatorUserId = strings[1],
                    EvaluationId = id,
                    AgentInfo = strings[2] is null ? null : new AgentInfo { AgentUserId = agent, DisplayName = strings[2], AdditionalProperties = extras[3] },
                    EvaluatorsInfo = evaluators?.Select(e => new EvaluatorInfo { EvaluatorUserId = e.Item1, DisplayName = e.Item2, AdditionalProperties = e.Item3 }).ToArray(),
                    ScorecardName = strings[3],
                    ScoringFormat = strings[4],
                    TotalPossibleScore = total,
                    EvaluationScore = total * ratio,
                    EvaluationScoreRatio = ratio,
                    EvaluationType = type is null ? null : new EvaluationType(type),
                    AdditionalProperties = extras[2],
                },
            },
        };

    private static void AssertParsesWithoutThrowing(byte[] body)
    {
        var result = ZoomEventParser.Parse(body);

        Assert.Equal(result.HasErrors, result.Event is null);
        if (!result.IsJson)
        {
            Assert.Equal("json", Assert.Single(result.Findings).Code);
        }

        if (result.Event is { } e)
        {
            Assert.NotEqual(ZoomEventKind.Unknown, result.Kind);
            _ = ZoomJson.SerializeToUtf8Bytes(e);
        }
    }

    private static string Replace(string text, int index, char replacement) =>
        string.Concat(text.AsSpan(0, index), new ReadOnlySpan<char>(in replacement), text.AsSpan(index + 1));

    private static byte[] Damage(byte[] original, (int Index, byte Value)[] changes, int cut)
    {
        var bytes = original.AsSpan(0, Math.Min(cut, original.Length)).ToArray();
        foreach (var (index, value) in changes)
        {
            if (bytes.Length > 0)
            {
                bytes[index % bytes.Length] = value;
            }
        }

        return bytes;
    }

    private static string[] MemberPaths(string fixture)
    {
        var paths = new List<string>();
        Walk(Fixture.Node(fixture), "", paths);
        return [.. paths];

        static void Walk(JsonNode? node, string path, List<string> paths)
        {
            if (node is JsonObject o)
            {
                foreach (var (name, child) in o)
                {
                    var childPath = path.Length == 0 ? name : $"{path}.{name}";
                    paths.Add(childPath);
                    Walk(child, childPath, paths);
                }
            }
        }
    }

    private static byte[] Edit(string fixture, string[] paths, (int Path, int Value)[] edits, string[] values)
    {
        var root = Fixture.Node(fixture);
        foreach (var (p, v) in edits)
        {
            var parts = paths[p % paths.Length].Split('.');
            var parent = root;
            foreach (var part in parts[..^1])
            {
                parent = parent is JsonObject o ? o[part] : null;
            }

            if (parent is JsonObject target)
            {
                if (v < 0)
                {
                    target.Remove(parts[^1]);
                }
                else
                {
                    target[parts[^1]] = JsonNode.Parse(values[v]);
                }
            }
        }

        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }
}
