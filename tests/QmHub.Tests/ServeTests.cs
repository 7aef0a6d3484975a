using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using QmHub.Storage;
using QmHub.Testing;
using QmHub.Zoom.Signing;

namespace QmHub.Tests;

public sealed class ServeTests
{
    [Fact]
    public async Task Url_validation_challenge_is_answered_with_the_hmac_of_the_plain_token()
    {
        await using var server = await RunningServer.StartAsync();
        var body = """{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1654503849680,"event":"endpoint.url_validation"}"""u8.ToArray();

        using var response = await server.PostWebhookAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("qgg8vlvZRS6UYooatFL8Aw", answer.RootElement.GetProperty("plainToken").GetString());
        Assert.Equal(ZoomSignature.ComputeUrlValidationToken(RunningServer.Secret, "qgg8vlvZRS6UYooatFL8Aw"), answer.RootElement.GetProperty("encryptedToken").GetString());
    }

    [Fact]
    public async Task Accepted_event_is_answered_with_itself_and_readable_through_the_api()
    {
        await using var server = await RunningServer.StartAsync();
        var body = TestEvents.Bytes(TestEvents.Interaction("i-1"));

        using var response = await server.PostWebhookAsync(body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsByteArrayAsync());

        using var read = await server.GetAsync("/api/v1/interactions/i-1");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        using var json = JsonDocument.Parse(await read.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal("acct-1", root.GetProperty("account_id").GetString());
        Assert.Equal(1_764_000_000_000, root.GetProperty("last_event_ts").GetInt64());
        Assert.Equal("Billing", root.GetProperty("queue_name").GetString());
        Assert.Equal("+15551230001", root.GetProperty("interaction_info").GetProperty("from").GetString());
        Assert.Equal(70, root.GetProperty("summary").GetProperty("sentiment_score").GetDouble());
        Assert.Equal(0, root.GetProperty("evaluations").GetArrayLength());
    }

    [Fact]
    public async Task Evaluation_is_listed_under_its_interaction_and_readable_alone()
    {
        await using var server = await RunningServer.StartAsync();
        (await server.PostWebhookAsync(TestEvents.Bytes(TestEvents.Evaluation("ev-1", "i-1", ratio: 0.9)))).EnsureSuccessStatusCode();
        (await server.PostWebhookAsync(TestEvents.Bytes(TestEvents.Interaction("i-1")))).EnsureSuccessStatusCode();

        using var interaction = JsonDocument.Parse(await (await server.GetAsync("/api/v1/interactions/i-1")).Content.ReadAsStringAsync());
        var evaluation = Assert.Single(interaction.RootElement.GetProperty("evaluations").EnumerateArray());
        Assert.Equal("ev-1", evaluation.GetProperty("evaluation_id").GetString());

        using var alone = await server.GetAsync("/api/v1/evaluations/ev-1");
        Assert.Equal(HttpStatusCode.OK, alone.StatusCode);
        using var json = JsonDocument.Parse(await alone.Content.ReadAsStringAsync());
        Assert.Equal(0.9, json.RootElement.GetProperty("evaluation_score_ratio").GetDouble());
    }

    [Fact]
    public async Task Unknown_interaction_is_404_with_a_message()
    {
        await using var server = await RunningServer.StartAsync();

        using var response = await server.GetAsync("/api/v1/interactions/nope");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("No interaction 'nope'", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Duplicate_delivery_is_acknowledged_and_stored_once()
    {
        await using var server = await RunningServer.StartAsync();
        var body = TestEvents.Bytes(TestEvents.Interaction("i-1"));

        using var first = await server.PostWebhookAsync(body);
        using var second = await server.PostWebhookAsync(body);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(1, await CountAsync(server.DbPath, "SELECT count(*) FROM events"));
        var metrics = await server.MetricsAsync();
        Assert.Contains("qmhub_deliveries_total{outcome=\"duplicate\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("qmhub_deliveries_total{outcome=\"accepted\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Out_of_order_versions_keep_the_newest()
    {
        await using var server = await RunningServer.StartAsync();
        (await server.PostWebhookAsync(TestEvents.Bytes(TestEvents.Interaction("i-1", eventTs: 2_000_000, queueName: "Newer")))).EnsureSuccessStatusCode();
        (await server.PostWebhookAsync(TestEvents.Bytes(TestEvents.Interaction("i-1", eventTs: 1_000_000, queueName: "Older")))).EnsureSuccessStatusCode();

        using var json = JsonDocument.Parse(await (await server.GetAsync("/api/v1/interactions/i-1")).Content.ReadAsStringAsync());

        Assert.Equal("Newer", json.RootElement.GetProperty("queue_name").GetString());
        Assert.Equal(2_000_000, json.RootElement.GetProperty("last_event_ts").GetInt64());
    }

    [Fact]
    public async Task Authentic_invalid_event_is_quarantined_with_errors_a_person_can_act_on()
    {
        await using var server = await RunningServer.StartAsync();
        var body = """{"event":"quality_management.interaction_analysis_completed","event_ts":1764000000000,"payload":{"account_id":"a","object":{"duration":"long","interaction_info":{}}}}"""u8.ToArray();

        using var response = await server.PostWebhookAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("quarantined", answer.RootElement.GetProperty("status").GetString());
        var errors = answer.RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("payload.object.duration: expected an integer, got a string", errors);
        Assert.Contains("payload.object.interaction_info.interaction_id: required", errors);

        using var events = JsonDocument.Parse(await (await server.GetAsync("/api/v1/events?status=quarantined")).Content.ReadAsStringAsync());
        var stored = Assert.Single(events.RootElement.GetProperty("items").EnumerateArray());
        Assert.Equal("quarantined", stored.GetProperty("status").GetString());
        Assert.Equal(0, await CountAsync(server.DbPath, "SELECT count(*) FROM interactions"));
        Assert.Contains("qmhub_deliveries_total{outcome=\"quarantined\"} 1", await server.MetricsAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authentic_body_that_is_not_json_is_kept_in_quarantine()
    {
        await using var server = await RunningServer.StartAsync();

        using var response = await server.PostWebhookAsync("this is not json"u8.ToArray());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("not valid JSON", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await CountAsync(server.DbPath, "SELECT count(*) FROM events WHERE status = 'quarantined'"));
    }

    [Theory]
    [InlineData("wrong-secret", 0, HttpStatusCode.Unauthorized, "does not match")]
    [InlineData(RunningServer.Secret, -600, HttpStatusCode.Unauthorized, "s in the past; the tolerance is 300 s")]
    public async Task Unauthentic_deliveries_are_rejected_and_not_stored(string secret, int skew, HttpStatusCode expected, string message)
    {
        await using var server = await RunningServer.StartAsync();

        using var response = await server.PostWebhookAsync(TestEvents.Bytes(TestEvents.Interaction("i-1")), secret,
            DateTimeOffset.UtcNow.ToUnixTimeSeconds() + skew);

        Assert.Equal(expected, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains(message, text, StringComparison.Ordinal);
        Assert.DoesNotContain(RunningServer.Secret, text, StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync(server.DbPath, "SELECT count(*) FROM events"));
        Assert.Contains("qmhub_deliveries_total{outcome=\"rejected_401\"} 1", await server.MetricsAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_signature_is_401_naming_the_header()
    {
        await using var server = await RunningServer.StartAsync();
        using var content = new ByteArrayContent("{}"u8.ToArray());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        content.Headers.Add(ZoomSignature.TimestampHeader, DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));

        using var response = await server.Client.PostAsync("/webhooks/zoom", content);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("x-zm-signature header is missing", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Body_over_the_limit_is_413_and_wrong_content_type_is_415()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["MaxBodyBytes"] = "1024" });

        using var large = await server.PostWebhookAsync(new byte[2048]);
        using var text = await server.PostWebhookAsync(TestEvents.Bytes(TestEvents.Interaction("i-1")), contentType: "text/plain");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
        Assert.Contains("the limit is 1024 bytes", await large.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
        Assert.Contains("text/plain", await text.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_requires_a_valid_unrevoked_key_and_admin_routes_an_admin_key()
    {
        await using var server = await RunningServer.StartAsync();
        using var created = await PostJsonAsync(server, "/api/v1/keys", new { name = "dashboard", scope = "read" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var createdJson = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var readKey = createdJson.RootElement.GetProperty("key").GetString()!;

        Assert.Equal(HttpStatusCode.Unauthorized, (await server.GetAsync("/api/v1/events", key: null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.GetAsync("/api/v1/events", key: "qmh_not-a-key")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync("/api/v1/events", key: readKey)).StatusCode);
        using var forbidden = await server.GetAsync("/api/v1/keys", key: readKey);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Contains("needs an 'admin' key", await forbidden.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var revoke = new HttpRequestMessage(HttpMethod.Delete, "/api/v1/keys/dashboard");
        revoke.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", RunningServer.AdminKey);
        Assert.Equal(HttpStatusCode.NoContent, (await server.Client.SendAsync(revoke)).StatusCode);
        using var revoked = await server.GetAsync("/api/v1/events", key: readKey);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Contains("revoked", await revoked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stored_keys_are_hashes_never_the_key()
    {
        await using var server = await RunningServer.StartAsync();
        using var created = await PostJsonAsync(server, "/api/v1/keys", new { name = "ci", scope = "admin" });
        var key = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;

        var file = await File.ReadAllBytesAsync(server.DbPath);
        var wal = File.Exists(server.DbPath + "-wal") ? await File.ReadAllBytesAsync(server.DbPath + "-wal") : [];

        Assert.StartsWith("qmh_", key, StringComparison.Ordinal);
        Assert.DoesNotContain(key, Encoding.ASCII.GetString(file), StringComparison.Ordinal);
        Assert.DoesNotContain(key, Encoding.ASCII.GetString(wal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Full_queue_answers_503_with_retry_after_and_never_waits_unboundedly()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["QueueCapacity"] = "1", ["MaxBatchSize"] = "1", ["AckTimeoutSeconds"] = "30", ["CommitTimeoutSeconds"] = "20" });
        // Another connection holds the write lock: the writer waits on its first batch, one more fits the queue.
        await using var blocker = new SqliteConnection($"Data Source={server.DbPath}");
        await blocker.OpenAsync();
        await using (var begin = blocker.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE;";
            await begin.ExecuteNonQueryAsync();
        }

        var first = server.PostWebhookAsync(TestEvents.Bytes(TestEvents.Interaction("i-1")));
        await WaitUntilAsync(async () => (await server.MetricsAsync()).Contains("qmhub_ingest_queue_depth 0", StringComparison.Ordinal) && !first.IsCompleted);
        var second = server.PostWebhookAsync(TestEvents.Bytes(TestEvents.Interaction("i-2")));
        await WaitUntilAsync(async () => (await server.MetricsAsync()).Contains("qmhub_ingest_queue_depth 1", StringComparison.Ordinal));

        using var third = await server.PostWebhookAsync(TestEvents.Bytes(TestEvents.Interaction("i-3")));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, third.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), third.Headers.RetryAfter?.Delta);
        Assert.Contains("queue is full", await third.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await using (var rollback = blocker.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK;";
            await rollback.ExecuteNonQueryAsync();
        }

        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second).StatusCode);
        Assert.Equal(2, await CountAsync(server.DbPath, "SELECT count(*) FROM events"));
    }

    [Fact]
    public async Task A_commit_slower_than_the_commit_timeout_is_spooled_answered_in_time_and_stored_once()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["CommitTimeoutSeconds"] = "0.3" });
        // A first delivery commits normally: the request path is compiled, as on a server that has been running, so
        // the time measured below is the commit timeout and the spool write, not the JIT on a loaded test machine.
        (await server.PostWebhookAsync(TestEvents.Bytes(TestEvents.Interaction("warm-1")))).EnsureSuccessStatusCode();
        var body = TestEvents.Bytes(TestEvents.Interaction("slow-1"));
        await using (var blocker = new SqliteConnection($"Data Source={server.DbPath}"))
        {
            await blocker.OpenAsync();
            await using (var begin = blocker.CreateCommand())
            {
                begin.CommandText = "BEGIN IMMEDIATE;";
                await begin.ExecuteNonQueryAsync();
            }

            var started = System.Diagnostics.Stopwatch.StartNew();
            using var slow = await server.PostWebhookAsync(body);
            Assert.Equal(HttpStatusCode.OK, slow.StatusCode);
            // Zoom's deadline is 3 seconds; without the spool this request would wait for the blocker's ROLLBACK (never, here).
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(3), $"answered after {started.Elapsed}, past Zoom's 3-second deadline");
            Assert.Contains("qmhub_deliveries_total{outcome=\"spooled\"} 1", await server.MetricsAsync(), StringComparison.Ordinal);
            await using var rollback = blocker.CreateCommand();
            rollback.CommandText = "ROLLBACK;";
            await rollback.ExecuteNonQueryAsync();
        }

        await WaitUntilAsync(async () => await CountAsync(server.DbPath, "SELECT count(*) FROM events") == 2);
        using var retry = await server.PostWebhookAsync(body);

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(2, await CountAsync(server.DbPath, "SELECT count(*) FROM events"));
    }

    [Fact]
    public async Task Reading_an_interaction_sent_with_a_repeated_member_answers_200()
    {
        await using var server = await RunningServer.StartAsync();
        var body = """{"event":"quality_management.interaction_analysis_completed","event_ts":1764000000000,"payload":{"account_id":"a","object":{"duration":5,"duration":6,"interaction_info":{"interaction_id":"dup-1"}}}}"""u8.ToArray();
        (await server.PostWebhookAsync(body)).EnsureSuccessStatusCode();

        using var read = await server.GetAsync("/api/v1/interactions/dup-1");

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Contains("\"last_event_ts\":1764000000000", await read.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reproject_gives_the_same_state_as_live_ingest()
    {
        await using var server = await RunningServer.StartAsync();
        var random = new Random(7);
        for (var i = 0; i < 60; i++)
        {
            var id = $"i-{random.Next(15)}";
            var e = random.Next(2) == 0
                ? (Zoom.Models.ZoomEvent)TestEvents.Interaction(id, eventTs: random.Next(1, 9) * 1000, queueName: $"Q{random.Next(4)}")
                : TestEvents.Evaluation($"ev-{random.Next(15)}", id, eventTs: random.Next(1, 9) * 1000, ratio: random.Next(101) / 100.0);
            (await server.PostWebhookAsync(TestEvents.Bytes(e))).EnsureSuccessStatusCode();
        }

        var live = await ProjectionDumpAsync(server.DbPath);
        await server.Services.GetRequiredService<IQmStore>().ReprojectAsync(null, CancellationToken.None);
        var rebuilt = await ProjectionDumpAsync(server.DbPath);

        Assert.NotEmpty(live);
        Assert.Equal(live, rebuilt);
    }

    [Fact]
    public async Task Openapi_document_describes_every_api_route()
    {
        await using var server = await RunningServer.StartAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, (await server.GetAsync("/openapi/v1.json", key: null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync("/metrics", key: null)).StatusCode);
        using var json = JsonDocument.Parse(await (await server.GetAsync("/openapi/v1.json")).Content.ReadAsStringAsync());

        var paths = json.RootElement.GetProperty("paths");
        foreach (var path in (string[])["/api/v1/interactions/{interactionId}", "/api/v1/evaluations/{evaluationId}", "/api/v1/events", "/api/v1/keys", "/webhooks/zoom"])
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is missing from the OpenAPI document");
        }

        Assert.Equal("QmHub API", json.RootElement.GetProperty("info").GetProperty("title").GetString());
    }

    [Fact]
    public async Task Health_and_readiness_answer()
    {
        await using var server = await RunningServer.StartAsync();

        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/healthz")).StatusCode);
        Assert.Contains("ready", await server.Client.GetStringAsync("/readyz"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Event_log_pages_with_a_cursor_and_rejects_a_bad_one()
    {
        await using var server = await RunningServer.StartAsync();
        for (var i = 0; i < 3; i++)
        {
            (await server.PostWebhookAsync(TestEvents.Bytes(TestEvents.Interaction($"i-{i}")))).EnsureSuccessStatusCode();
        }

        using var first = JsonDocument.Parse(await (await server.GetAsync("/api/v1/events?limit=2")).Content.ReadAsStringAsync());
        var cursor = first.RootElement.GetProperty("next_cursor").GetString();
        using var second = JsonDocument.Parse(await (await server.GetAsync($"/api/v1/events?limit=2&cursor={cursor}")).Content.ReadAsStringAsync());
        using var bad = await server.GetAsync("/api/v1/events?cursor=xyz");

        Assert.Equal(2, first.RootElement.GetProperty("items").GetArrayLength());
        Assert.Equal(1, second.RootElement.GetProperty("items").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, second.RootElement.GetProperty("next_cursor").ValueKind);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Behind_a_trusted_tls_proxy_sign_in_works_and_its_cookie_is_secure_and_other_senders_are_not_believed()
    {
        static HttpRequestMessage SignIn()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/signin") { Content = new FormUrlEncodedContent([new("key", RunningServer.AdminKey)]) };
            request.Headers.Add("X-Forwarded-Proto", "https");
            request.Headers.Add("X-Forwarded-Host", "hub.example");
            request.Headers.Add("Origin", "https://hub.example");
            return request;
        }

        await using var proxied = await RunningServer.StartAsync(new Dictionary<string, string?> { ["TrustedProxies"] = "127.0.0.1" });
        await using var direct = await RunningServer.StartAsync();
        using var noRedirects = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false };
        using var toProxied = new HttpClient(noRedirects, disposeHandler: false) { BaseAddress = proxied.Client.BaseAddress };
        using var toDirect = new HttpClient(noRedirects, disposeHandler: false) { BaseAddress = direct.Client.BaseAddress };

        using var signInProxied = SignIn();
        using var accepted = await toProxied.SendAsync(signInProxied);
        using var signInDirect = SignIn();
        using var refused = await toDirect.SendAsync(signInDirect);

        Assert.Equal(HttpStatusCode.Found, accepted.StatusCode);
        Assert.Contains("secure", Assert.Single(accepted.Headers.GetValues("Set-Cookie")), StringComparison.OrdinalIgnoreCase);
        // Without TrustedProxies the same headers are anyone's claim: the https origin does not match the plain request.
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task Values_that_do_not_bind_are_problem_details_naming_the_parameter()
    {
        await using var server = await RunningServer.StartAsync();

        using var limit = await server.GetAsync("/api/v1/events?limit=abc");
        using var body = new HttpRequestMessage(HttpMethod.Post, "/api/v1/keys") { Content = new StringContent("nope", System.Text.Encoding.UTF8, "application/json") };
        body.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", RunningServer.AdminKey);
        using var notJson = await server.Client.SendAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, limit.StatusCode);
        Assert.Equal("application/problem+json", limit.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await limit.Content.ReadAsStringAsync());
        Assert.Contains("limit", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("\"abc\"", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        using var bodyProblem = JsonDocument.Parse(await notJson.Content.ReadAsStringAsync());
        Assert.Contains("request body as JSON", bodyProblem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    internal static async Task<long> CountAsync(string dbPath, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={dbPath};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    internal static async Task<List<string>> ProjectionDumpAsync(string dbPath)
    {
        await using var connection = new SqliteConnection($"Data Source={dbPath};Mode=ReadOnly");
        await connection.OpenAsync();
        var rows = new List<string>();
        foreach (var sql in (string[])["SELECT * FROM interactions ORDER BY account_id, interaction_id", "SELECT * FROM evaluations ORDER BY account_id, evaluation_id"])
        {
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = sql;
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var values = new object[reader.FieldCount];
                reader.GetValues(values);
                rows.Add(string.Join('|', values.Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture))));
            }
        }

        return rows;
    }

    private static Task<HttpResponseMessage> PostJsonAsync(RunningServer server, string path, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", RunningServer.AdminKey);
        return server.Client.SendAsync(request);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached within 10 s");
            await Task.Delay(20);
        }
    }
}
