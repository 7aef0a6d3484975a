using System.Text;
using QmHub.Zoom.Signing;

namespace QmHub.Zoom.Tests;

/// <summary>Our HMAC code against values OpenSSL computed (Fixtures/signatures, see its README).</summary>
public sealed class SignatureVectorTests
{
    public static TheoryData<string, long, string, string> SignatureVectors()
    {
        var data = new TheoryData<string, long, string, string>();
        foreach (var v in Vectors("signature"))
        {
            data.Add(v[1], long.Parse(v[2], System.Globalization.CultureInfo.InvariantCulture), v[3], v[4]);
        }

        return data;
    }

    public static TheoryData<string, string, string> UrlValidationVectors()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var v in Vectors("url_validation"))
        {
            data.Add(v[1], v[2], v[4]);
        }

        return data;
    }

    [Fact]
    public void Vector_file_holds_every_kind_of_vector()
    {
        Assert.Equal(24, Vectors("signature").Count());
        Assert.Equal(4, Vectors("url_validation").Count());
    }

    [Theory]
    [MemberData(nameof(SignatureVectors))]
    public void Signature_matches_OpenSSL(string secret, long timestamp, string bodyFile, string expected)
    {
        var body = Fixture.Bytes($"signatures/{bodyFile}");

        Assert.Equal(expected, ZoomSignature.Compute(secret, timestamp, body));
        Assert.Equal(expected, new ZoomWebhookSigner(secret).Sign(body, timestamp).Signature);
    }

    [Theory]
    [MemberData(nameof(SignatureVectors))]
    public void OpenSSL_signature_verifies_at_its_timestamp(string secret, long timestamp, string bodyFile, string expected)
    {
        var body = Fixture.Bytes($"signatures/{bodyFile}");
        var verifier = new ZoomSignatureVerifier([new("other", "not-it"), new("vector", secret)],
            timeProvider: new FixedClock(DateTimeOffset.FromUnixTimeSeconds(timestamp)));

        var result = verifier.Verify(expected, Fixture.Seconds(timestamp), body);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal("vector", result.MatchedSecret?.Name);
        Assert.Equal(body.Length, result.BodyLength);
        Assert.Equal(0, result.SkewSeconds);
    }

    [Theory]
    [MemberData(nameof(UrlValidationVectors))]
    public void Url_validation_token_matches_OpenSSL(string secret, string plainToken, string expected)
    {
        Assert.Equal(expected, ZoomSignature.ComputeUrlValidationToken(secret, plainToken));
        var answer = new ZoomWebhookSigner(secret).AnswerChallenge(plainToken);
        Assert.Equal(plainToken, answer.PlainToken);
        Assert.Equal(expected, answer.EncryptedToken);
    }

    [Theory]
    [InlineData("interaction_analysis_completed")]
    [InlineData("evaluation_completed")]
    [InlineData("url_validation")]
    public void Signed_body_files_are_the_compact_form_the_serializer_writes(string name)
    {
        var parsed = Fixture.Parse($"events/{name}.json");
        Assert.NotNull(parsed.Event);

        var signed = new ZoomWebhookSigner("dev-secret", new FixedClock()).Sign(parsed.Event);

        Assert.Equal(Fixture.Bytes($"signatures/{name}.body"), signed.Body.ToArray());
        Assert.Equal(FixedClock.Now.ToUnixTimeSeconds(), signed.Timestamp);
        var vector = Vectors("signature").Single(v => v[1] == "dev-secret" && v[2] == "1764000000" && v[3] == $"{name}.body");
        Assert.Equal(vector[4], signed.Signature);
        Assert.Equal(vector[4], signed.Headers[ZoomSignature.SignatureHeader]);
        Assert.Equal("1764000000", signed.Headers[ZoomSignature.TimestampHeader]);
    }

    [Fact]
    public void Non_ASCII_body_is_signed_as_its_UTF8_bytes_not_a_reencoding()
    {
        var body = Fixture.Bytes("signatures/interaction_analysis_completed.body");
        var escaped = Encoding.UTF8.GetBytes(System.Text.Json.Nodes.JsonNode.Parse(body)?.ToJsonString() ?? "");
        var verifier = new ZoomSignatureVerifier([new("primary", "dev-secret")], timeProvider: new FixedClock());
        var signature = ZoomSignature.Compute("dev-secret", 1764000000, body);

        Assert.NotEqual(body, escaped);
        Assert.True(verifier.Verify(signature, "1764000000", body).Succeeded);
        Assert.Equal(ZoomVerificationFailure.SignatureMismatch, verifier.Verify(signature, "1764000000", escaped).Failure);
    }

    private static IEnumerable<string[]> Vectors(string kind) =>
        Fixture.Text("signatures/vectors.txt")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => !line.StartsWith('#'))
            .Select(line => line.Split('|'))
            .Where(fields => fields[0] == kind);
}
