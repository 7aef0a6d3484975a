using System.Security.Cryptography;
using System.Text.Json;
using QmHub.Zoom;
using QmHub.Zoom.Models;
using QmHub.Zoom.Signing;

namespace QmHub.Simulation;

/// <summary>Why an endpoint failed Zoom's URL-validation handshake.</summary>
public enum UrlValidationFailure
{
    /// <summary>The endpoint answered correctly.</summary>
    None,

    /// <summary>No answer: connection refused, DNS, TLS or similar.</summary>
    Unreachable,

    /// <summary>No answer within the timeout (Zoom waits 3 s).</summary>
    Timeout,

    /// <summary>The status code was not 200.</summary>
    WrongStatus,

    /// <summary>The body was not a JSON object.</summary>
    NotJsonObject,

    /// <summary><c>plainToken</c> was missing or not a string.</summary>
    MissingPlainToken,

    /// <summary><c>plainToken</c> was not the one sent.</summary>
    WrongPlainToken,

    /// <summary><c>encryptedToken</c> was missing or not a string.</summary>
    MissingEncryptedToken,

    /// <summary><c>encryptedToken</c> was not the HMAC-SHA256 of the plainToken under the secret.</summary>
    WrongEncryptedToken,
}

/// <summary>The verdict of one handshake.</summary>
public sealed record UrlValidationCheckResult
{
    /// <summary>Whether the endpoint answered as Zoom requires.</summary>
    public bool Succeeded => Failure == UrlValidationFailure.None;

    /// <summary>What was wrong, or <see cref="UrlValidationFailure.None"/>.</summary>
    public required UrlValidationFailure Failure { get; init; }

    /// <summary>One sentence for a person: what was expected, what came back, what to check.</summary>
    public required string Message { get; init; }

    /// <summary>The challenge's plainToken.</summary>
    public required string PlainToken { get; init; }

    /// <summary>The encryptedToken a correct endpoint answers.</summary>
    public required string ExpectedEncryptedToken { get; init; }

    /// <summary>The answer's status code, when there was an answer.</summary>
    public int? StatusCode { get; init; }

    /// <summary>The answer's body (at most 4 KiB of it), when there was an answer.</summary>
    public string? ResponseBody { get; init; }

    /// <summary>Time to the answer.</summary>
    public TimeSpan? Latency { get; init; }
}

/// <summary>
/// Performs Zoom's <c>endpoint.url_validation</c> handshake against an endpoint: a signed challenge with
/// a random plainToken; the endpoint must answer 200 with <c>{"plainToken": …, "encryptedToken": …}</c>
/// where encryptedToken is the lowercase hex HMAC-SHA256 of plainToken keyed by the secret token.
/// </summary>
/// <param name="http">The client to send with (not disposed here).</param>
/// <param name="timeProvider">The clock for the signature and <c>event_ts</c>; <see cref="TimeProvider.System"/> by default.</param>
public sealed class UrlValidationChecker(HttpClient http, TimeProvider? timeProvider = null)
{
    private const int MaxBodyShown = 4096;
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>Sends one challenge and judges the answer; never throws for a wrong or missing answer.</summary>
    /// <param name="url">The webhook endpoint.</param>
    /// <param name="secretToken">The secret token the endpoint should hold.</param>
    /// <param name="timeout">How long to wait; Zoom's 3 s by default.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    public async Task<UrlValidationCheckResult> CheckAsync(Uri url, string secretToken, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentException.ThrowIfNullOrEmpty(secretToken);
        var plainToken = Base64Url(RandomNumberGenerator.GetBytes(16));
        var expected = ZoomSignature.ComputeUrlValidationToken(secretToken, plainToken);
        var challenge = new UrlValidationEvent
        {
            Event = ZoomEventNames.UrlValidation,
            EventTs = _time.GetUtcNow().ToUnixTimeMilliseconds(),
            Payload = new UrlValidationPayload { PlainToken = plainToken },
        };
        var body = ZoomJson.SerializeToUtf8Bytes(challenge);
        var headers = new DeliverySigner(secretToken, _time).Sign(body, Base64Url(RandomNumberGenerator.GetBytes(16)));
        UrlValidationCheckResult Result(UrlValidationFailure failure, string message) => new()
        {
            Failure = failure,
            Message = message,
            PlainToken = plainToken,
            ExpectedEncryptedToken = expected,
        };

        var limit = timeout ?? DeliverySenderOptions.ZoomRequestTimeout;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(limit);
        using var request = headers.ToRequest(url, body);
        var started = _time.GetTimestamp();
        int status;
        string text;
        try
        {
            using var response = await http.SendAsync(request, cts.Token);
            status = (int)response.StatusCode;
            text = await response.Content.ReadAsStringAsync(cts.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Result(UrlValidationFailure.Timeout, $"{url} did not answer the challenge within {limit.TotalSeconds:0.###} s; Zoom gives up after 3 s.");
        }
        catch (HttpRequestException ex)
        {
            return Result(UrlValidationFailure.Unreachable, $"{url} could not be reached: {ex.Message}");
        }

        var latency = _time.GetElapsedTime(started);
        var shown = text.Length <= MaxBodyShown ? text : string.Concat(text.AsSpan(0, MaxBodyShown), "…");
        var verdict = Judge(status, text, plainToken, expected);
        return Result(verdict.Failure, verdict.Message) with { StatusCode = status, ResponseBody = shown, Latency = latency };
    }

    private static (UrlValidationFailure Failure, string Message) Judge(int status, string text, string plainToken, string expected)
    {
        if (status != 200)
        {
            var hint = status == 401 ? " The endpoint rejected the signature: does it hold the same secret token, and verify the raw body?" : string.Empty;
            return (UrlValidationFailure.WrongStatus, $"the endpoint answered {status}; Zoom requires 200 with {{plainToken, encryptedToken}}.{hint}");
        }

        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(text);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return (UrlValidationFailure.NotJsonObject, $"the 200 answer is not JSON ({text.Length} characters); Zoom requires {{\"plainToken\": …, \"encryptedToken\": …}}.");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return (UrlValidationFailure.NotJsonObject, $"the 200 answer is JSON {root.ValueKind.ToString().ToUpperInvariant()}, not an object with plainToken and encryptedToken.");
        }

        if (!TryGetString(root, "plainToken", "plain_token", out var plain, out var plainMissing))
        {
            return (UrlValidationFailure.MissingPlainToken, plainMissing + "echo the challenge's payload.plainToken.");
        }

        if (plain != plainToken)
        {
            return (UrlValidationFailure.WrongPlainToken, $"plainToken is '{plain}' but the challenge sent '{plainToken}'; echo payload.plainToken unchanged.");
        }

        if (!TryGetString(root, "encryptedToken", "encrypted_token", out var answer, out var encryptedMissing))
        {
            return (UrlValidationFailure.MissingEncryptedToken, encryptedMissing + "answer the lowercase hex HMAC-SHA256 of plainToken keyed by the secret token.");
        }

        if (answer == expected)
        {
            return (UrlValidationFailure.None, "the endpoint answered 200 with the correct plainToken and encryptedToken.");
        }

        var why = answer.Equals(expected, StringComparison.OrdinalIgnoreCase)
            ? "it is the right HMAC in uppercase hex; Zoom compares lowercase hex."
            : answer.Length != 64 || !answer.All(Uri.IsHexDigit)
                ? $"it is not 64 hex digits ({answer.Length} characters); the answer must be the lowercase hex HMAC-SHA256 of plainToken."
                : "it is 64 hex digits but not HMAC-SHA256(secret token, plainToken): the endpoint holds a different secret token, or hashes something other than plainToken.";
        return (UrlValidationFailure.WrongEncryptedToken, $"encryptedToken is wrong: {why}");
    }

    /// <summary>Reads a string member spelled exactly as Zoom requires; otherwise says how the answer got it wrong, ending in "; ".</summary>
    private static bool TryGetString(JsonElement root, string name, string snakeCase, out string value, out string missing)
    {
        if (root.TryGetProperty(name, out var member) && member.ValueKind == JsonValueKind.String)
        {
            value = member.GetString() ?? string.Empty;
            missing = string.Empty;
            return true;
        }

        var near = root.EnumerateObject().Select(p => p.Name)
            .FirstOrDefault(n => n.Equals(name, StringComparison.OrdinalIgnoreCase) || n.Equals(snakeCase, StringComparison.OrdinalIgnoreCase));
        value = string.Empty;
        missing = near is not null && near != name
            ? $"the answer has '{near}' but Zoom requires the member to be spelled exactly '{name}' (a string); "
            : $"the answer has no '{name}' string; ";
        return false;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
