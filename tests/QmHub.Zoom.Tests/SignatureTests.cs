using System.Text;
using QmHub.Zoom.Signing;

namespace QmHub.Zoom.Tests;

public sealed class SignatureTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_764_000_000);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public void Signed_delivery_verifies_and_names_the_matching_secret()
    {
        var body = Encoding.UTF8.GetBytes("""{"event":"x","payload":{"name":"Zoë"}}""");
        var signature = ZoomSignature.Compute("second", Now.ToUnixTimeSeconds(), body);
        var verifier = new ZoomSignatureVerifier([new("first", "one"), new("second", "second")], timeProvider: new FixedClock(Now));

        var result = verifier.Verify(signature, Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), body);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal("second", result.MatchedSecret?.Name);
    }

    [Fact]
    public void Stale_timestamp_is_rejected_with_skew_in_message()
    {
        var body = "{}"u8.ToArray();
        var ts = Now.ToUnixTimeSeconds() - 301;
        var verifier = new ZoomSignatureVerifier([new("primary", "s")], timeProvider: new FixedClock(Now));

        var result = verifier.Verify(ZoomSignature.Compute("s", ts, body), ts.ToString(System.Globalization.CultureInfo.InvariantCulture), body);

        Assert.Equal(ZoomVerificationFailure.StaleTimestamp, result.Failure);
        Assert.Equal(301, result.SkewSeconds);
        Assert.Contains("301 s in the past", result.Message, StringComparison.Ordinal);
    }
}
