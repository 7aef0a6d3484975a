using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using QmHub.Zoom.Signing;

namespace QmHub.Simulation.Tests;

public sealed class HandshakeTests(ZoomReceiverFixture receiver) : IClassFixture<ZoomReceiverFixture>
{
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task Handshake_passes_against_MapZoomWebhooks()
    {
        var result = await new UrlValidationChecker(Http).CheckAsync(receiver.WebhookUrl, ZoomReceiverFixture.Secret);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(200, result.StatusCode);
        Assert.Contains(result.ExpectedEncryptedToken, result.ResponseBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handshake_with_another_secret_fails_with_the_401_and_a_hint()
    {
        var result = await new UrlValidationChecker(Http).CheckAsync(receiver.WebhookUrl, "not-the-receivers-secret");

        Assert.Equal(UrlValidationFailure.WrongStatus, result.Failure);
        Assert.Equal(401, result.StatusCode);
        Assert.Contains("answered 401", result.Message, StringComparison.Ordinal);
        Assert.Contains("same secret token", result.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, UrlValidationFailure, string> WrongAnswers => new()
    {
        { "uppercase", UrlValidationFailure.WrongEncryptedToken, "uppercase hex" },
        { "other-secret", UrlValidationFailure.WrongEncryptedToken, "different secret token" },
        { "base64", UrlValidationFailure.WrongEncryptedToken, "not 64 hex digits" },
        { "wrong-plain", UrlValidationFailure.WrongPlainToken, "echo payload.plainToken unchanged" },
        { "snake-case", UrlValidationFailure.MissingPlainToken, "'plain_token'" },
        { "no-encrypted", UrlValidationFailure.MissingEncryptedToken, "no 'encryptedToken'" },
        { "text", UrlValidationFailure.NotJsonObject, "not JSON" },
        { "array", UrlValidationFailure.NotJsonObject, "not an object" },
        { "no-content", UrlValidationFailure.WrongStatus, "answered 204" },
    };

    [Theory]
    [MemberData(nameof(WrongAnswers))]
    public async Task Handshake_fails_with_a_precise_reason_against_an_endpoint_that_answers_wrongly(string mode, UrlValidationFailure failure, string phrase)
    {
        await using var app = await LoopbackApp.StartAsync(_ => { }, a => a.MapPost("/hook", context => WrongAnswerAsync(context, mode)));

        var result = await new UrlValidationChecker(Http).CheckAsync(app.Url("/hook"), "right-secret");

        Assert.False(result.Succeeded);
        Assert.Equal(failure, result.Failure);
        Assert.Contains(phrase, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handshake_fails_with_a_timeout_when_the_endpoint_is_too_slow()
    {
        await using var app = await LoopbackApp.StartAsync(_ => { }, a => a.MapPost("/hook", async context => await Task.Delay(TimeSpan.FromSeconds(5), context.RequestAborted)));

        var result = await new UrlValidationChecker(Http).CheckAsync(app.Url("/hook"), "s", TimeSpan.FromMilliseconds(300));

        Assert.Equal(UrlValidationFailure.Timeout, result.Failure);
        Assert.Contains("within 0.3 s", result.Message, StringComparison.Ordinal);
    }

    /// <summary>Endpoints that get the handshake wrong in the ways integrators do.</summary>
    private static async Task WrongAnswerAsync(HttpContext context, string mode)
    {
        using var document = await JsonDocument.ParseAsync(context.Request.Body);
        var plain = document.RootElement.GetProperty("payload").GetProperty("plainToken").GetString()!;
        var right = ZoomSignature.ComputeUrlValidationToken("right-secret", plain);
        object? answer = mode switch
        {
            "uppercase" => new { plainToken = plain, encryptedToken = right.ToUpperInvariant() },
            "other-secret" => new { plainToken = plain, encryptedToken = ZoomSignature.ComputeUrlValidationToken("old-secret", plain) },
            "base64" => new { plainToken = plain, encryptedToken = Convert.ToBase64String(Convert.FromHexString(right)) },
            "wrong-plain" => new { plainToken = plain + "x", encryptedToken = right },
            "snake-case" => new { plain_token = plain, encrypted_token = right },
            "no-encrypted" => new { plainToken = plain },
            "array" => new[] { plain, right },
            _ => null,
        };
        if (mode == "no-content")
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        if (answer is null)
        {
            await context.Response.WriteAsync($"plainToken={plain}&encryptedToken={right}");
            return;
        }

        await context.Response.WriteAsJsonAsync(answer);
    }
}
