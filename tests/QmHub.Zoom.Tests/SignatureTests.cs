using System.Text;
using QmHub.Zoom.Signing;

namespace QmHub.Zoom.Tests;

public sealed class SignatureTests
{
    private const string Token = "s3cr3t-Token-Value";
    private static readonly long Now = FixedClock.Now.ToUnixTimeSeconds();
    private static readonly byte[] Body = Fixture.Bytes("signatures/evaluation_completed.body");
    private static readonly ZoomSecret[] Rotation =
        [new("old-app", "0ld-T0ken-Value"), new("current", "Curr3nt-T0ken-Value"), new("next", "N3xt-T0ken-Value")];

    private static ZoomSignatureVerifier Verifier(TimeSpan? tolerance = null, params ZoomSecret[] secrets) =>
        new(secrets.Length == 0 ? [new ZoomSecret("primary", Token)] : secrets, tolerance, new FixedClock());

    private static ZoomVerificationResult VerifyAt(long timestamp, TimeSpan? tolerance = null) =>
        Verifier(tolerance).Verify(ZoomSignature.Compute(Token, timestamp, Body), Fixture.Seconds(timestamp), Body);

    [Fact]
    public void Signed_delivery_verifies_and_names_the_matching_secret()
    {
        var body = Encoding.UTF8.GetBytes("""{"event":"x","payload":{"name":"Zoë"}}""");
        var signature = ZoomSignature.Compute("second", Now, body);
        var verifier = new ZoomSignatureVerifier([new("first", "one"), new("second", "second")], timeProvider: new FixedClock());

        var result = verifier.Verify(signature, Fixture.Seconds(Now), body);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal("second", result.MatchedSecret?.Name);
        Assert.Equal("verified with secret 'second'", result.Message);
        // Succeeded tells the compiler MatchedSecret is set: this compiles without '!' (warnings are errors).
        var name = result.Succeeded ? result.MatchedSecret.Name : "";
        Assert.Equal("second", name);
    }

    [Fact]
    public void Verifier_refuses_an_empty_token_or_two_secrets_of_one_name()
    {
        var empty = Assert.Throws<ArgumentException>(() => new ZoomSignatureVerifier([new ZoomSecret("a", "")]));
        Assert.StartsWith("The secret named 'a' has an empty token.", empty.Message, StringComparison.Ordinal);
        var twice = Assert.Throws<ArgumentException>(() => new ZoomSignatureVerifier([new ZoomSecret("a", "one"), new ZoomSecret("a", "two")]));
        Assert.StartsWith("The name 'a' is used by 2 secrets", twice.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("one", twice.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new ZoomWebhookSigner(""));
    }

    [Fact]
    public void Stale_timestamp_is_rejected_with_skew_in_message()
    {
        var result = VerifyAt(Now - 301);

        Assert.Equal(ZoomVerificationFailure.StaleTimestamp, result.Failure);
        Assert.Equal(301, result.SkewSeconds);
        Assert.Equal(Now - 301, result.Timestamp);
        Assert.Equal(
            "the x-zm-request-timestamp 1763999699 is 301 s in the past; the tolerance is 300 s. Check this server's clock, or whether the delivery is a replay.",
            result.Message);
    }

    [Theory]
    [InlineData(-300)]
    [InlineData(300)]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1)]
    public void Timestamp_within_300_seconds_either_way_passes(long offset)
    {
        var result = VerifyAt(Now + offset);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(-offset, result.SkewSeconds);
    }

    [Fact]
    public void Future_timestamp_beyond_the_tolerance_is_rejected_as_in_the_future()
    {
        var result = VerifyAt(Now + 301);

        Assert.Equal(ZoomVerificationFailure.StaleTimestamp, result.Failure);
        Assert.Equal(-301, result.SkewSeconds);
        Assert.Equal(
            "the x-zm-request-timestamp 1764000301 is 301 s in the future; the tolerance is 300 s. Check this server's clock, or whether the delivery is a replay.",
            result.Message);
    }

    [Fact]
    public void Stale_check_comes_before_the_signature_so_a_replay_is_named_as_such()
    {
        var ts = Now - 3600;
        var result = Verifier().Verify("v0=" + new string('0', 64), Fixture.Seconds(ts), Body);

        Assert.Equal(ZoomVerificationFailure.StaleTimestamp, result.Failure);
        Assert.Contains("3600 s in the past", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Millisecond_timestamp_is_rejected_with_a_hint()
    {
        var ts = Now * 1000;
        var result = VerifyAt(ts);

        Assert.Equal(ZoomVerificationFailure.StaleTimestamp, result.Failure);
        Assert.Contains("in the future", result.Message, StringComparison.Ordinal);
        Assert.EndsWith("It looks like milliseconds; Zoom signs Unix seconds.", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    public void Custom_tolerance_is_exact(int seconds)
    {
        var tolerance = TimeSpan.FromSeconds(seconds);

        Assert.True(VerifyAt(Now - seconds, tolerance).Succeeded);
        Assert.True(VerifyAt(Now + seconds, tolerance).Succeeded);
        var late = VerifyAt(Now - seconds - 1, tolerance);
        Assert.Equal(ZoomVerificationFailure.StaleTimestamp, late.Failure);
        Assert.Contains($"the tolerance is {seconds} s", late.Message, StringComparison.Ordinal);
        Assert.Equal(ZoomVerificationFailure.StaleTimestamp, VerifyAt(Now + seconds + 1, tolerance).Failure);
    }

    [Fact]
    public void Default_tolerance_is_300_seconds_and_a_negative_one_is_refused()
    {
        Assert.Equal(TimeSpan.FromSeconds(300), ZoomSignatureVerifier.DefaultTolerance);
        Assert.Equal(TimeSpan.FromSeconds(300), Verifier().Tolerance);
        Assert.Throws<ArgumentOutOfRangeException>(() => Verifier(TimeSpan.FromSeconds(-1)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Rotation_tries_every_secret_and_reports_which_one_matched(int signer)
    {
        var verifier = new ZoomSignatureVerifier(Rotation, timeProvider: new FixedClock());

        var result = verifier.Verify(ZoomSignature.Compute(Rotation[signer].Token, Now, Body), Fixture.Seconds(Now), Body);

        Assert.True(result.Succeeded, result.Message);
        Assert.Same(Rotation[signer], result.MatchedSecret);
        Assert.Equal(["old-app", "current", "next"], result.TriedSecrets);
        Assert.Equal($"verified with secret '{Rotation[signer].Name}'", result.Message);
        AssertNoTokenIn(result.Message);
    }

    [Fact]
    public void Mismatch_names_the_signed_length_but_neither_a_token_nor_a_secret_name()
    {
        var verifier = new ZoomSignatureVerifier(Rotation, timeProvider: new FixedClock());

        var result = verifier.Verify(ZoomSignature.Compute("someone-else", Now, Body), Fixture.Seconds(Now), Body);

        Assert.Equal(ZoomVerificationFailure.SignatureMismatch, result.Failure);
        Assert.False(result.Succeeded);
        Assert.Null(result.MatchedSecret);
        Assert.Equal(["old-app", "current", "next"], result.TriedSecrets);
        Assert.Equal(Body.Length, result.BodyLength);
        Assert.Equal(
            $"the x-zm-signature does not match the {Body.Length}-byte body signed at {Now} under any configured secret. "
            + "Check the secret token, and verify the body exactly as received: re-serialized JSON does not match.",
            result.Message);
        AssertNoTokenIn(result.Message);
        AssertNoTokenIn(string.Join(",", result.TriedSecrets));
    }

    [Fact]
    public void Signature_of_another_timestamp_does_not_match()
    {
        var result = Verifier().Verify(ZoomSignature.Compute(Token, Now - 1, Body), Fixture.Seconds(Now), Body);

        Assert.Equal(ZoomVerificationFailure.SignatureMismatch, result.Failure);
    }

    public static TheoryData<string?, string?, ZoomVerificationFailure, string> Failures => new()
    {
        { Valid(), null, ZoomVerificationFailure.MissingTimestamp, "the x-zm-request-timestamp header is missing" },
        { Valid(), "", ZoomVerificationFailure.MissingTimestamp, "the x-zm-request-timestamp header is missing" },
        { Valid(), "  ", ZoomVerificationFailure.MissingTimestamp, "the x-zm-request-timestamp header is missing" },
        { null, null, ZoomVerificationFailure.MissingTimestamp, "the x-zm-request-timestamp header is missing" },
        { Valid(), "soon", ZoomVerificationFailure.MalformedTimestamp, "the x-zm-request-timestamp header must be whole Unix seconds, got 'soon'" },
        { Valid(), "-1764000000", ZoomVerificationFailure.MalformedTimestamp, "the x-zm-request-timestamp header must be whole Unix seconds, got '-1764000000'" },
        { Valid(), "+1764000000", ZoomVerificationFailure.MalformedTimestamp, "the x-zm-request-timestamp header must be whole Unix seconds, got '+1764000000'" },
        { Valid(), " 1764000000", ZoomVerificationFailure.MalformedTimestamp, "the x-zm-request-timestamp header must be whole Unix seconds, got ' 1764000000'" },
        { Valid(), "1764000000.5", ZoomVerificationFailure.MalformedTimestamp, "the x-zm-request-timestamp header must be whole Unix seconds, got '1764000000.5'" },
        { Valid(), "99999999999999999999", ZoomVerificationFailure.MalformedTimestamp, "the x-zm-request-timestamp header must be whole Unix seconds, got '99999999999999999999'" },
        { Valid(), new string('7', 40), ZoomVerificationFailure.MalformedTimestamp, $"the x-zm-request-timestamp header must be whole Unix seconds, got '{new string('7', 32)}…'" },
        { null, "1764000000", ZoomVerificationFailure.MissingSignature, "the x-zm-signature header is missing" },
        { "", "1764000000", ZoomVerificationFailure.MissingSignature, "the x-zm-signature header is missing" },
        { "v1=" + new string('a', 64), "1764000000", ZoomVerificationFailure.MalformedSignature, "the x-zm-signature header must be 'v0=' followed by 64 lowercase hex digits (67 characters received)" },
        { "v0=" + new string('a', 63), "1764000000", ZoomVerificationFailure.MalformedSignature, "the x-zm-signature header must be 'v0=' followed by 64 lowercase hex digits (66 characters received)" },
        { "v0=" + new string('a', 65), "1764000000", ZoomVerificationFailure.MalformedSignature, "the x-zm-signature header must be 'v0=' followed by 64 lowercase hex digits (68 characters received)" },
        { "v0=" + new string('g', 64), "1764000000", ZoomVerificationFailure.MalformedSignature, "the x-zm-signature header must be 'v0=' followed by 64 lowercase hex digits (67 characters received)" },
        { new string('a', 64), "1764000000", ZoomVerificationFailure.MalformedSignature, "the x-zm-signature header must be 'v0=' followed by 64 lowercase hex digits (64 characters received)" },
        { Valid().ToUpperInvariant(), "1764000000", ZoomVerificationFailure.MalformedSignature, "the x-zm-signature header must be 'v0=' followed by 64 lowercase hex digits (67 characters received)" },
        { "v0=" + Valid()[3..].ToUpperInvariant(), "1764000000", ZoomVerificationFailure.MalformedSignature, "the x-zm-signature header must be 'v0=' followed by 64 lowercase hex digits (67 characters received)" },
        { "v0=" + new string('0', 64), "1764000000", ZoomVerificationFailure.SignatureMismatch, "the x-zm-signature does not match" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Each_failure_kind_says_which_header_is_wrong(string? signature, string? timestamp, ZoomVerificationFailure failure, string message)
    {
        var result = Verifier().Verify(signature, timestamp, Body);

        Assert.Equal(failure, result.Failure);
        Assert.False(result.Succeeded);
        Assert.StartsWith(message, result.Message, StringComparison.Ordinal);
        Assert.Equal(Body.Length, result.BodyLength);
        Assert.Null(result.MatchedSecret);
        AssertNoTokenIn(result.Message);
    }

    [Fact]
    public void Verifier_without_secrets_fails_every_delivery_and_says_why()
    {
        var verifier = new ZoomSignatureVerifier([], timeProvider: new FixedClock());

        var result = verifier.Verify(Valid(), Fixture.Seconds(Now), Body);

        Assert.Equal(ZoomVerificationFailure.NoSecretsConfigured, result.Failure);
        Assert.Equal("no webhook secret token is configured, so no delivery can be verified", result.Message);
        Assert.Empty(result.TriedSecrets);
    }

    [Fact]
    public void Empty_body_is_verified_like_any_other()
    {
        var result = Verifier().Verify(ZoomSignature.Compute(Token, Now, []), Fixture.Seconds(Now), []);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(0, result.BodyLength);
    }

    [Fact]
    public void Secret_shows_its_name_never_its_token()
    {
        var secret = new ZoomSecret("primary", Token);

        Assert.Equal("ZoomSecret { Name = primary }", secret.ToString());
        Assert.DoesNotContain(Token, $"{secret}", StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, new string[0])]
    [InlineData("", new string[0])]
    [InlineData("one", new[] { "token1" })]
    [InlineData(" one , two,,three ", new[] { "token1", "token2", "token3" })]
    public void Comma_separated_tokens_become_secrets_named_by_position(string? tokens, string[] names)
    {
        var secrets = ZoomSecret.FromCommaSeparated(tokens);

        Assert.Equal(names, secrets.Select(s => s.Name));
        Assert.All(secrets, s => Assert.Equal(s.Token.Trim(), s.Token));
        Assert.DoesNotContain(secrets, s => s.Token.Length == 0);
    }

    [Fact]
    public void Signer_uses_its_clock_for_the_timestamp()
    {
        var signed = new ZoomWebhookSigner(Token, new FixedClock()).Sign(Body);

        Assert.Equal(Now, signed.Timestamp);
        Assert.Equal(ZoomSignature.Compute(Token, Now, Body), signed.Signature);
        Assert.True(Verifier().Verify(signed.Signature, Fixture.Seconds(signed.Timestamp), signed.Body.Span).Succeeded);
    }

    private static string Valid() => ZoomSignature.Compute(Token, 1_764_000_000, Body);

    private static void AssertNoTokenIn(string text)
    {
        Assert.DoesNotContain(Token, text, StringComparison.Ordinal);
        foreach (var secret in Rotation)
        {
            Assert.DoesNotContain(secret.Token, text, StringComparison.Ordinal);
        }
    }
}
