using System.Globalization;
using BenchmarkDotNet.Attributes;
using QmHub.Zoom.Models;
using QmHub.Zoom.Parsing;
using QmHub.Zoom.Signing;

namespace QmHub.Zoom.Benchmarks;

/// <summary>The per-delivery cost of the contract library: what the receiver does for each Zoom POST.</summary>
/// <remarks>Min and median are shown because a shared 2-core machine makes the mean noisy.</remarks>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class DeliveryBenchmarks
{
    private const string Token = "Zm9vYmFyX3NlY3JldF90b2tlbl8x";

    private readonly byte[] _body;
    private readonly byte[] _specOnlyBody;
    private readonly string _signature;
    private readonly string _timestamp;
    private readonly ZoomSignatureVerifier _verifier;
    private readonly ZoomSignatureVerifier _rotatingVerifier;

    public DeliveryBenchmarks()
    {
        _body = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "interaction_analysis_completed.body"));
        var clock = new FixedClock(DateTimeOffset.FromUnixTimeSeconds(1_764_000_000));
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        _timestamp = now.ToString(CultureInfo.InvariantCulture);
        _signature = ZoomSignature.Compute(Token, now, _body);
        _verifier = new ZoomSignatureVerifier([new ZoomSecret("primary", Token)], timeProvider: clock);
        _rotatingVerifier = new ZoomSignatureVerifier(
            [new ZoomSecret("old", "0ld-T0ken-Value"), new ZoomSecret("current", Token), new ZoomSecret("next", "N3xt-T0ken-Value")],
            timeProvider: clock);
        if (!_verifier.Verify(_signature, _timestamp, _body).Succeeded || ZoomEventParser.Parse(_body).Event is not InteractionAnalysisCompletedEvent e)
        {
            throw new InvalidOperationException("the benchmark delivery does not verify and parse");
        }

        // The same event without the members the spec does not name, to show what preserving them costs.
        var o = e.Payload.Object;
        _specOnlyBody = ZoomJson.SerializeToUtf8Bytes(e with
        {
            AdditionalProperties = null,
            Payload = e.Payload with
            {
                AdditionalProperties = null,
                Object = o with
                {
                    AdditionalProperties = null,
                    InteractionInfo = o.InteractionInfo with { AdditionalProperties = null },
                    Summary = o.Summary is null ? null : o.Summary with { AdditionalProperties = null },
                },
            },
        });
    }

    [Benchmark(Baseline = true, Description = "verify + parse (1 secret)")]
    public ZoomEventParseResult VerifyAndParse()
    {
        var verification = _verifier.Verify(_signature, _timestamp, _body);
        return verification.Succeeded ? ZoomEventParser.Parse(_body) : throw new InvalidOperationException(verification.Message);
    }

    [Benchmark(Description = "verify only (1 secret)")]
    public ZoomVerificationResult Verify() => _verifier.Verify(_signature, _timestamp, _body);

    [Benchmark(Description = "verify only (3 secrets)")]
    public ZoomVerificationResult VerifyRotating() => _rotatingVerifier.Verify(_signature, _timestamp, _body);

    [Benchmark(Description = "parse only")]
    public ZoomEventParseResult Parse() => ZoomEventParser.Parse(_body);

    [Benchmark(Description = "parse only, spec members only")]
    public ZoomEventParseResult ParseSpecOnly() => ZoomEventParser.Parse(_specOnlyBody);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
