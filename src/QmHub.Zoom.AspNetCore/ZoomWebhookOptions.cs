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

    /// <summary>Adds a secret token.</summary>
    public ZoomWebhookOptions AddSecret(string name, string token)
    {
        Secrets.Add(new ZoomSecret(name, token));
        return this;
    }
}
