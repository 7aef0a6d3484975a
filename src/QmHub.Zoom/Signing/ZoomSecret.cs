namespace QmHub.Zoom.Signing;

/// <summary>
/// A webhook secret token with a name that can be shown in logs and errors. The token itself is never
/// part of <see cref="ToString"/>.
/// </summary>
/// <param name="Name">A label such as <c>primary</c> or the Zoom app's name.</param>
/// <param name="Token">The secret token from the Zoom app's feature page.</param>
public sealed record ZoomSecret(string Name, string Token)
{
    /// <summary>Builds secrets from a comma-separated list of tokens (as in <c>ZOOM_WEBHOOK_SECRET_TOKEN</c>), named <c>token1</c>, <c>token2</c>, ...</summary>
    public static IReadOnlyList<ZoomSecret> FromCommaSeparated(string? tokens) =>
        (tokens ?? string.Empty)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select((token, i) => new ZoomSecret($"token{i + 1}", token))
            .ToArray();

    /// <inheritdoc />
    public override string ToString() => $"ZoomSecret {{ Name = {Name} }}";
}
