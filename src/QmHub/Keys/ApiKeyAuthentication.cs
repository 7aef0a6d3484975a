using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using QmHub.Storage.Model;

namespace QmHub.Keys;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;api key&gt;</c> against the stored key hashes; without that header, on
/// GET and HEAD only, the dashboard's sign-in cookie (<see cref="CookieName"/>), which carries the key itself, so the
/// key is checked again on every request and a revocation takes effect at once on every replica. Requests that change
/// something (key management) never authenticate by cookie, so no other site can make a browser send one.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyService keys) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The scheme's name.</summary>
    public const string SchemeName = "ApiKey";

    /// <summary>The claim that carries the key's scope.</summary>
    public const string ScopeClaim = "scope";

    /// <summary>The dashboard's sign-in cookie: HttpOnly, SameSite=Strict, holding the API key.</summary>
    public const string CookieName = "qmhub_key";

    private const string FailureKey = "qmhub.auth.failure";
    private const string UnavailableKey = "qmhub.auth.unavailable";

    /// <inheritdoc />
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header) && (HttpMethods.IsGet(Request.Method) || HttpMethods.IsHead(Request.Method))
            && Request.Cookies[CookieName] is { Length: > 0 } cookie)
        {
            return await AuthenticateKeyAsync(cookie);
        }

        if (string.IsNullOrEmpty(header))
        {
            Context.Items[FailureKey] = "No API key: send 'Authorization: Bearer <api key>'. Create one with 'qmhub keys create --name NAME --scope read'.";
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            Context.Items[FailureKey] = "The Authorization header must be 'Bearer <api key>'.";
            return AuthenticateResult.Fail("malformed authorization header");
        }

        return await AuthenticateKeyAsync(header[7..].Trim());
    }

    private async Task<AuthenticateResult> AuthenticateKeyAsync(string key)
    {
        ApiKeyInfo? info;
        try
        {
            info = await keys.AuthenticateAsync(key, Context.RequestAborted);
        }
        catch (System.Data.Common.DbException)
        {
            Context.Items[UnavailableKey] = true;
            Context.Items[FailureKey] = "QmHub's database is unavailable, so the API key cannot be checked; retry shortly.";
            return AuthenticateResult.Fail("database unavailable");
        }

        if (info is null)
        {
            Context.Items[FailureKey] = "The API key is unknown or has been revoked.";
            return AuthenticateResult.Fail("unknown or revoked key");
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, info.Name), new Claim(ScopeClaim, info.Scope), new Claim("key_id", info.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <inheritdoc />
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var detail = Context.Items[FailureKey] as string ?? "An API key is required.";
        if (Context.Items.ContainsKey(UnavailableKey))
        {
            Response.Headers.RetryAfter = "5";
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service unavailable", detail: detail).ExecuteAsync(Context);
        }

        Response.Headers.WWWAuthenticate = "Bearer";
        return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: detail).ExecuteAsync(Context);
    }

    /// <inheritdoc />
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
            detail: "This API key's scope is 'read'; this route needs an 'admin' key.").ExecuteAsync(Context);
}
