using System.Globalization;
using System.Text;

namespace QmHub.Simulation;

/// <summary>What <c>qmhub sign</c> prints for a body: the two signing headers and a ready curl command.</summary>
/// <param name="Headers">The headers Zoom would send with the body.</param>
/// <param name="CurlCommand">A POSIX-shell curl command that sends the body byte for byte with those headers.</param>
public sealed record SignedBody(ZoomRequestHeaders Headers, string CurlCommand)
{
    /// <summary>The <c>x-zm-request-timestamp</c> line.</summary>
    public string TimestampLine => $"{QmHub.Zoom.Signing.ZoomSignature.TimestampHeader}: {Headers.Timestamp.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The <c>x-zm-signature</c> line.</summary>
    public string SignatureLine => $"{QmHub.Zoom.Signing.ZoomSignature.SignatureHeader}: {Headers.Signature}";
}

/// <summary>Signs an arbitrary body for a manual test of an endpoint.</summary>
public static class ZoomSignHelper
{
    /// <summary>The URL put in the curl command when none is given.</summary>
    public static readonly Uri DefaultUrl = new("http://localhost:5000/webhooks/zoom");

    /// <summary>
    /// Signs <paramref name="body"/> exactly as given (a trailing newline from a file is part of it, and the
    /// curl command sends it too) at the current time of <paramref name="timeProvider"/>. A body that is not
    /// UTF-8 text makes the curl command read the body from stdin (<c>--data-binary @-</c>).
    /// </summary>
    public static SignedBody Sign(ReadOnlyMemory<byte> body, string secretToken, Uri? url = null, TimeProvider? timeProvider = null)
    {
        var headers = new DeliverySigner(secretToken, timeProvider).Sign(body, trackingId: null);
        var curl = new StringBuilder("curl -sS -X POST ").Append(Quote((url ?? DefaultUrl).ToString()));
        foreach (var (name, value) in headers.All)
        {
            curl.Append(" -H ").Append(Quote($"{name}: {value}"));
        }

        // A body that is not UTF-8 text cannot be quoted on a command line; curl then reads it from stdin.
        curl.Append(" --data-binary ").Append(System.Text.Unicode.Utf8.IsValid(body.Span) ? Quote(Encoding.UTF8.GetString(body.Span)) : "@-");
        return new SignedBody(headers, curl.ToString());
    }

    /// <summary>POSIX single quoting: everything literal, a single quote as <c>'\''</c>.</summary>
    internal static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
