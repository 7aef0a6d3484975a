using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QmHub.Zoom.Signing;

namespace QmHub.Zoom.AspNetCore.Tests;

public sealed class ZoomWebhookEndpointTests
{
    // Tokens and answers from Fixtures/signatures/vectors.txt (computed with OpenSSL).
    private const string OldToken = "dev-secret";
    private const string CurrentToken = "Zm9vYmFyX3NlY3JldF90b2tlbl8x";
    private const string PlainToken = "qgg8vlvZRS6UYooatFL8Aw";
    private const string EncryptedUnderOld = "a0c9ce57be60b5b73ae1900332924f3913b3fb3beae03ebccacc7c24d571311f";
    private const string EncryptedUnderCurrent = "052493fa481869cc699333612cd8da46677b5ccbb435b3b4387ade8f1eed7b84";
    private const int Limit = 4096;

    private static readonly byte[] Interaction = Fixture.Bytes("signatures/interaction_analysis_completed.body");
    private static readonly byte[] Evaluation = Fixture.Bytes("signatures/evaluation_completed.body");
    private static readonly byte[] Challenge = Fixture.Bytes("signatures/url_validation.body");

    private static void TwoSecrets(ZoomWebhookOptions options)
    {
        options.AddSecret("old", OldToken).AddSecret("current", CurrentToken);
        options.MaxBodyBytes = Limit;
    }

    private static Task<ReceiverHost> StartAsync() => ReceiverHost.StartAsync<RecordingHandler>(TwoSecrets);

    [Theory]
    [InlineData(OldToken, EncryptedUnderOld)]
    [InlineData(CurrentToken, EncryptedUnderCurrent)]
    public async Task Url_validation_is_answered_under_the_secret_that_signed_the_challenge(string signingToken, string expected)
    {
        await using var host = await StartAsync();

        using var response = await host.PostSignedAsync(Challenge, signingToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($$"""{"plainToken":"{{PlainToken}}","encryptedToken":"{{expected}}"}""", await response.Content.ReadAsStringAsync());
        Assert.Empty(host.Calls.All);
        AssertNoTokenIn(host.Logs.Lines);
    }

    [Fact]
    public async Task Url_validation_with_one_secret_matches_OpenSSL()
    {
        await using var host = await ReceiverHost.StartAsync<RecordingHandler>(o => o.AddSecret("only", OldToken));

        using var response = await host.PostSignedAsync(Challenge, OldToken);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(PlainToken, answer.RootElement.GetProperty("plainToken").GetString());
        Assert.Equal(EncryptedUnderOld, answer.RootElement.GetProperty("encryptedToken").GetString());
    }

    [Fact]
    public async Task Url_validation_without_a_plain_token_is_not_answered_but_reported()
    {
        await using var host = await StartAsync();
        var body = """{"event":"endpoint.url_validation","event_ts":1764000000123,"payload":{"plainToken":""}}"""u8.ToArray();

        using var response = await host.PostSignedAsync(body, CurrentToken);
        var problem = await Problem.ReadAsync(response);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal(["payload.plainToken: required, but empty"], problem.Errors);
        Assert.DoesNotContain("encryptedToken", problem.Raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unsigned_url_validation_is_refused()
    {
        await using var host = await StartAsync();

        using var response = await host.PostAsync(Challenge, Fixture.Headers(null, null));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("encryptedToken", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Valid_interaction_is_echoed_with_200_after_the_handler_completed()
    {
        await using var host = await StartAsync();
        var signed = new ZoomWebhookSigner(CurrentToken).Sign(Interaction);
        var headers = new Dictionary<string, string>(signed.Headers) { [ZoomSignature.TrackingIdHeader] = "trk-42" };

        using var response = await host.PostAsync(Interaction, headers);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Interaction, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal([$"interaction ixn_9a8b7c6d5e4f3a2b via current tracking trk-42 body {Interaction.Length}"], host.Calls.All);
    }

    [Theory]
    [InlineData("signatures/evaluation_completed.body", "EventName")]
    [InlineData("events/evaluation_completed.doc-wrong-name.json", "PayloadShape")]
    public async Task Valid_evaluation_is_echoed_with_200_after_the_handler_completed_whatever_its_name(string fixture, string routedBy)
    {
        await using var host = await StartAsync();
        var body = Fixture.Bytes(fixture);

        using var response = await host.PostSignedAsync(body, OldToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal([$"evaluation eval_5c4b3a2918f7e6d5 routed by {routedBy}"], host.Calls.All);
    }

    [Fact]
    public async Task Body_of_exactly_the_limit_is_accepted()
    {
        await using var host = await StartAsync();
        var body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Evaluation).Replace("\"region\":\"EU\"", $"\"region\":\"{new string('E', Limit - Evaluation.Length + 2)}\"", StringComparison.Ordinal));
        Assert.Equal(Limit, body.Length);

        using var response = await host.PostSignedAsync(body, CurrentToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static TheoryData<string, string?, string?, string> Unauthenticated()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var valid = ZoomSignature.Compute(CurrentToken, now, Interaction);
        var stale = now - 400;
        return new()
        {
            { "missing signature", null, Seconds(now), "the x-zm-signature header is missing" },
            { "missing timestamp", valid, null, "the x-zm-request-timestamp header is missing" },
            { "malformed timestamp", valid, "yesterday", "the x-zm-request-timestamp header must be whole Unix seconds, got 'yesterday'" },
            { "malformed signature", "sha256=" + valid[3..], Seconds(now), "the x-zm-signature header must be 'v0=' followed by 64 lowercase hex digits" },
            { "stale", ZoomSignature.Compute(CurrentToken, stale, Interaction), Seconds(stale), "s in the past; the tolerance is 300 s." },
            { "future", ZoomSignature.Compute(CurrentToken, now + 400, Interaction), Seconds(now + 400), "s in the future; the tolerance is 300 s." },
            { "milliseconds", ZoomSignature.Compute(CurrentToken, now * 1000, Interaction), Seconds(now * 1000), "It looks like milliseconds" },
            { "mismatch", ZoomSignature.Compute("another-apps-token", now, Interaction), Seconds(now), $"does not match the {Interaction.Length}-byte body signed at" },
        };
    }

    [Theory]
    [MemberData(nameof(Unauthenticated))]
    public async Task Unauthentic_delivery_gets_401_naming_the_cause_and_never_a_secret(string cause, string? signature, string? timestamp, string detail)
    {
        await using var host = await StartAsync();

        using var response = await host.PostAsync(Interaction, Fixture.Headers(signature, timestamp));
        var problem = await Problem.ReadAsync(response);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(401, problem.Status);
        Assert.Equal("The delivery is not authentic", problem.Title);
        Assert.True(problem.Detail.Contains(detail, StringComparison.Ordinal), $"{cause}: {problem.Detail}");
        AssertNoTokenIn([problem.Raw]);
        AssertNoTokenIn(host.Logs.Lines);
        Assert.Empty(host.Calls.All);
    }

    [Fact]
    public async Task Mismatch_names_the_secrets_tried_in_the_log_but_not_to_the_anonymous_caller()
    {
        await using var host = await StartAsync();

        using var response = await host.PostSignedAsync(Interaction, "another-apps-token");
        var problem = await Problem.ReadAsync(response);

        Assert.Contains("does not match", problem.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("old, current", problem.Raw, StringComparison.Ordinal);
        Assert.DoesNotContain("tried", problem.Raw, StringComparison.Ordinal);
        Assert.Contains(host.Logs.Lines, l => l.Contains("SignatureMismatch", StringComparison.Ordinal) && l.Contains("secrets tried: old, current", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Re_serialized_body_is_refused_even_though_it_is_the_same_JSON()
    {
        await using var host = await StartAsync();
        var signed = new ZoomWebhookSigner(CurrentToken).Sign(Interaction);
        var reserialized = Encoding.UTF8.GetBytes(System.Text.Json.Nodes.JsonNode.Parse(Interaction)?.ToJsonString() ?? "");

        using var response = await host.PostAsync(reserialized, signed.Headers);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("re-serialized JSON does not match", (await Problem.ReadAsync(response)).Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"event\":\"quality_management.evaluation_completed\",")]
    public async Task Authentic_body_that_is_not_JSON_gets_400(string body)
    {
        await using var host = await StartAsync();

        using var response = await host.PostSignedAsync(Encoding.UTF8.GetBytes(body), CurrentToken);
        var problem = await Problem.ReadAsync(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("The body is not JSON", problem.Title);
        Assert.StartsWith("$: the body is not valid JSON: ", Assert.Single(problem.Errors), StringComparison.Ordinal);
        Assert.Empty(host.Calls.All);
    }

    [Fact]
    public async Task Declared_length_over_the_limit_gets_413_before_the_body_is_read()
    {
        await using var host = await StartAsync();
        var body = new byte[Limit + 1];

        using var response = await host.PostAsync(body, Fixture.Headers(null, null));
        var problem = await Problem.ReadAsync(response);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal($"{Limit + 1} bytes were declared; the limit is {Limit} bytes (setting MaxBodyBytes).", problem.Detail);
    }

    [Fact]
    public async Task Chunked_body_over_the_limit_gets_413()
    {
        await using var host = await StartAsync();
        var body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Interaction).Replace("\"region\":\"EU\"", $"\"region\":\"{new string('E', 3 * Limit)}\"", StringComparison.Ordinal));
        var signed = new ZoomWebhookSigner(CurrentToken).Sign(body);
        using var content = new ChunkedContent(body);
        Assert.Null(content.Headers.ContentLength);

        using var response = await host.SendAsync(content, signed.Headers);
        var problem = await Problem.ReadAsync(response);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal($"the body kept coming; the limit is {Limit} bytes (setting MaxBodyBytes).", problem.Detail);
        Assert.Empty(host.Calls.All);
    }

    [Fact]
    public async Task Chunked_body_within_the_limit_is_accepted()
    {
        await using var host = await StartAsync();
        var signed = new ZoomWebhookSigner(CurrentToken).Sign(Interaction);
        using var content = new ChunkedContent(Interaction);

        using var response = await host.SendAsync(content, signed.Headers);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Interaction, await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("text/plain", "'text/plain'")]
    [InlineData("application/x-www-form-urlencoded", "'application/x-www-form-urlencoded'")]
    [InlineData(null, "'(none)'")]
    public async Task Body_that_is_not_declared_JSON_gets_415(string? contentType, string named)
    {
        await using var host = await StartAsync();
        var signed = new ZoomWebhookSigner(CurrentToken).Sign(Interaction);

        using var response = await host.PostAsync(Interaction, signed.Headers, contentType);
        var problem = await Problem.ReadAsync(response);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal($"Zoom webhooks are application/json; this request's Content-Type is {named}.", problem.Detail);
        Assert.Empty(host.Calls.All);
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("APPLICATION/JSON")]
    [InlineData("application/vnd.zoom+json")]
    public async Task Json_content_types_are_accepted(string contentType)
    {
        await using var host = await StartAsync();
        var signed = new ZoomWebhookSigner(CurrentToken).Sign(Interaction);

        using var response = await host.PostAsync(Interaction, signed.Headers, contentType);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Authentic_event_that_fails_validation_gets_422_with_every_error()
    {
        await using var host = await StartAsync();
        var body = """{"event":"quality_management.interaction_analysis_completed","event_ts":1764000123456,"payload":{"account_id":"","object":{"duration":"long","interaction_info":{"from":"+14155550123"}}}}"""u8.ToArray();

        using var response = await host.PostSignedAsync(body, CurrentToken);
        var problem = await Problem.ReadAsync(response);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("The event does not match the Zoom QM specification", problem.Title);
        Assert.Equal(
            [
                "payload.account_id: required, but empty",
                "payload.object.duration: expected an integer, got a string",
                "payload.object.interaction_info.interaction_id: required",
            ],
            problem.Errors);
        Assert.StartsWith("3 error(s): payload.account_id: required, but empty; ", problem.Detail, StringComparison.Ordinal);
        Assert.Empty(host.Calls.All);
    }

    [Fact]
    public async Task Warnings_do_not_block_a_delivery()
    {
        await using var host = await StartAsync();
        var body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Interaction).Replace("\"AUDIO\"", "\"WHATSAPP\"", StringComparison.Ordinal));

        using var response = await host.PostSignedAsync(body, CurrentToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(host.Calls.All);
    }

    [Fact]
    public async Task Unknown_event_reaches_the_fallback_and_is_acknowledged()
    {
        await using var host = await StartAsync();
        var body = """{"event":"meeting.started","event_ts":1764000123456,"payload":{"account_id":"a","object":{"id":"8512345678"}}}"""u8.ToArray();

        using var response = await host.PostSignedAsync(body, CurrentToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(["unknown meeting.started"], host.Calls.All);
    }

    [Fact]
    public async Task Another_zoom_products_event_with_a_start_time_and_duration_is_unknown_and_acknowledged()
    {
        await using var host = await StartAsync();
        var body = """{"event":"meeting.ended","event_ts":1764000123456,"payload":{"account_id":"a","object":{"id":"85","start_time":"2026-11-24T10:00:00Z","end_time":"2026-11-24T10:30:00Z","duration":30}}}"""u8.ToArray();

        using var response = await host.PostSignedAsync(body, CurrentToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["unknown meeting.ended"], host.Calls.All);
    }

    [Fact]
    public async Task Fallback_authorization_policy_does_not_turn_zoom_away()
    {
        var app = new AppSetup(
            services =>
            {
                services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie();
                services.AddAuthorization(o => o.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
            },
            web =>
            {
                web.UseAuthentication();
                web.UseAuthorization();
                web.MapGet("/private", () => "private");
            });
        await using var host = await ReceiverHost.StartAsync<RecordingHandler>(TwoSecrets, app);

        using var challenge = await host.PostSignedAsync(Challenge, CurrentToken);
        using var delivery = await host.PostSignedAsync(Interaction, CurrentToken);
        using var other = await host.Client.GetAsync(new Uri("/private", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, challenge.StatusCode);
        Assert.Equal(HttpStatusCode.OK, delivery.StatusCode);
        Assert.Single(host.Calls.All);
        // The policy is in force for the application's own routes (a redirect to its login page).
        Assert.NotEqual(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task Rejections_are_written_in_apps_without_reflection_based_json()
    {
        // As an app with JsonSerializerIsReflectionEnabledByDefault=false: only its own source-generated context.
        var app = new AppSetup(services => services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Clear();
            o.SerializerOptions.TypeInfoResolverChain.Add(UnrelatedJsonContext.Default);
        }));
        await using var host = await ReceiverHost.StartAsync<RecordingHandler>(TwoSecrets, app);

        using var unsigned = await host.PostAsync(Interaction, Fixture.Headers(null, null));
        var problem = await Problem.ReadAsync(unsigned);
        using var invalid = await host.PostSignedAsync("""{"event":"quality_management.evaluation_completed","event_ts":1764000123456,"payload":{}}"""u8.ToArray(), CurrentToken);
        var invalidProblem = await Problem.ReadAsync(invalid);

        Assert.Equal(401, problem.Status);
        Assert.Equal(422, invalidProblem.Status);
        Assert.NotEmpty(invalidProblem.Errors);
    }

    [Fact]
    public async Task A_body_that_stalls_is_answered_408_and_its_connection_closed_within_the_body_timeout()
    {
        await using var host = await ReceiverHost.StartAsync<RecordingHandler>(o =>
        {
            TwoSecrets(o);
            o.BodyTimeout = TimeSpan.FromSeconds(1);
        });
        var address = host.Client.BaseAddress!;
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        var stream = tcp.GetStream();
        // Most of a body at once, then nothing: held until Kestrel's minimum data rate ran out (minutes for a large one).
        var head = Encoding.ASCII.GetBytes($"POST {ReceiverHost.Path} HTTP/1.1\r\nHost: {address.Authority}\r\nContent-Type: application/json\r\nContent-Length: {Limit}\r\n\r\n");
        await stream.WriteAsync(head);
        await stream.WriteAsync(new byte[Limit - 100]);

        // The server answers 408 and closes the connection; the close is a reset (the body was left unread), which may
        // discard the answer on the client's side, so the answer is read from the log and the close from the socket.
        var buffer = new byte[4096];
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var closed = false;
        try
        {
            while (await stream.ReadAsync(buffer, wait.Token) > 0)
            {
            }

            closed = true;
        }
        catch (IOException)
        {
            closed = true;
        }

        Assert.True(closed, "the connection was still open");
        Assert.True(host.Logs.Lines.Any(l => l.Contains("Zoom webhook rejected with 408: body timeout", StringComparison.Ordinal)), string.Join("\n", host.Logs.Lines.Where(l => !l.StartsWith("Debug Microsoft.Extensions.Hosting", StringComparison.Ordinal))));
        Assert.Empty(host.Calls.All);
    }

    [Fact]
    public void Mapping_without_the_services_fails_at_start_up_and_says_what_to_call()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapZoomWebhooks());

        Assert.Contains("AddZoomWebhooks<YourHandler>", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handler_that_overrides_nothing_acknowledges_valid_and_unknown_events()
    {
        await using var host = await ReceiverHost.StartAsync<DefaultHandler>(TwoSecrets);
        var unknown = """{"event":"phone.callee_ringing","event_ts":1764000123456,"payload":{"account_id":"a"}}"""u8.ToArray();

        using var valid = await host.PostSignedAsync(Evaluation, CurrentToken);
        using var other = await host.PostSignedAsync(unknown, CurrentToken);

        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        Assert.Equal(Evaluation, await valid.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(unknown, await other.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Application_can_take_over_invalid_events()
    {
        await using var host = await ReceiverHost.StartAsync<QuarantiningHandler>(TwoSecrets);
        var invalid = """{"event":"quality_management.evaluation_completed","event_ts":1764000123456,"payload":{"account_id":"a","object":{"evaluation_id":7}}}"""u8.ToArray();

        using var response = await host.PostSignedAsync(invalid, CurrentToken);
        using var notJson = await host.PostSignedAsync("<xml/>"u8.ToArray(), CurrentToken);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("quarantined with 1 error(s)", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Accepted, notJson.StatusCode);
        Assert.Equal(
            [
                $"quarantined {invalid.Length} bytes: payload.object.evaluation_id: expected a string, got a number",
                "quarantined 6 bytes: $: the body is not valid JSON: '<' is an invalid start of a value. LineNumber: 0 | BytePositionInLine: 0.",
            ],
            host.Calls.All);
    }

    [Fact]
    public async Task Start_up_fails_without_a_secret_and_names_the_setting()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => ReceiverHost.StartAsync<DefaultHandler>(_ => { }));

        Assert.Contains("ZoomWebhookOptions.Secrets is empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_up_fails_for_an_empty_token_and_names_the_secret()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => ReceiverHost.StartAsync<DefaultHandler>(o => o.AddSecret("primary", " ")));

        Assert.Contains("ZoomWebhookOptions.Secrets: the secret named 'primary' has an empty token.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_up_fails_for_duplicate_names_bad_tolerance_and_bad_limit_listing_each_setting()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => ReceiverHost.StartAsync<DefaultHandler>(o =>
        {
            o.AddSecret("app", OldToken).AddSecret("app", CurrentToken);
            o.TimestampTolerance = TimeSpan.FromSeconds(-1);
            o.MaxBodyBytes = 0;
        }));

        Assert.Contains("the name 'app' is used by 2 secrets", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ZoomWebhookOptions.TimestampTolerance must not be negative", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ZoomWebhookOptions.MaxBodyBytes must be positive", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(OldToken, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(CurrentToken, ex.Message, StringComparison.Ordinal);
    }

    private static string Seconds(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void AssertNoTokenIn(IEnumerable<string> texts)
    {
        foreach (var text in texts)
        {
            Assert.DoesNotContain(OldToken, text, StringComparison.Ordinal);
            Assert.DoesNotContain(CurrentToken, text, StringComparison.Ordinal);
        }
    }

    /// <summary>Sends its bytes in small pieces with no Content-Length, so the request is chunked.</summary>
    private sealed class ChunkedContent : HttpContent
    {
        private readonly byte[] _body;

        public ChunkedContent(byte[] body)
        {
            _body = body;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var offset = 0; offset < _body.Length; offset += 1024)
            {
                await stream.WriteAsync(_body.AsMemory(offset, Math.Min(1024, _body.Length - offset)));
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}

/// <summary>An application's own source-generated context that knows nothing of problem details.</summary>
[JsonSerializable(typeof(int))]
internal sealed partial class UnrelatedJsonContext : JsonSerializerContext;
