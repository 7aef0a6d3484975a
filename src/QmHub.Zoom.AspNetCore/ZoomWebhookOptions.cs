using QmHub.Zoom.Signing;

namespace QmHub.Zoom.AspNetCore;

/// <summary>Settings of the Zoom webhook endpoint.</summary>
public sealed class ZoomWebhookOptions
{
    /// <summary>The default largest accepted body: 256 KiB.</summary>
    public const long DefaultMaxBodyBytes = 256 * 1024;

    /// <summary>Every secret token that may sign a delivery (several during rotation, or for several Zoom apps).</summary>
    public IList<ZoomSecret> Secrets { get; } = [];

    /// <summary>How far <c>x-zm-request-timestamp</c> may be from now, either way. Default 300 s.</summary>
    public TimeSpan TimestampTolerance { get; set; } = ZoomSignatureVerifier.DefaultTolerance;

    /// <summary>The largest accepted body in bytes; larger deliveries get 413.</summary>
    public long MaxBodyBytes { get; set; } = DefaultMaxBodyBytes;

    /// <summary>
    /// How long the whole body may take to arrive; past it the answer is 408 and the connection is closed. Zoom sends
    /// a delivery at once; a client that sends most of a large body and then stalls would otherwise hold its buffer
    /// for as long as Kestrel's minimum data rate allows (about 18 minutes for 256 KiB). Default 10 s.
    /// </summary>
    public TimeSpan BodyTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Adds a secret token.</summary>
    public ZoomWebhookOptions AddSecret(string name, string token)
    {
        Secrets.Add(new ZoomSecret(name, token));
        return this;
    }
}
