using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.FileProviders;
using QmHub.Keys;

namespace QmHub.Dashboard;

/// <summary>
/// The QA dashboard: a single-page app (plain ES modules, HTML, CSS, a vendored Chart.js) embedded in the qmhub
/// assembly and served at <c>/</c>. It reads only the public <c>/api/v1</c>, authenticated by the API key that
/// <c>POST /signin</c> puts in an HttpOnly, SameSite=Strict cookie (see <see cref="ApiKeyAuthenticationHandler"/>).
/// </summary>
public static partial class DashboardEndpoints
{
    /// <summary>The client-side routes: each answers the app shell once the key is checked.</summary>
    private static readonly string[] AppRoutes =
    [
        "/", "/agents", "/agents/{**rest}", "/queues", "/queues/{**rest}", "/calibration",
        "/interactions", "/interactions/{**rest}", "/events",
    ];

    private const string SecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private static readonly ManifestEmbeddedFileProvider Assets = new(typeof(DashboardEndpoints).Assembly, "Dashboard/wwwroot");

    /// <summary>Serves the dashboard's assets under <c>/assets</c> (no key needed: code and styles, no data).</summary>
    public static IApplicationBuilder UseDashboardAssets(this IApplicationBuilder app) =>
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = Assets,
            RequestPath = "/assets",
            OnPrepareResponse = ctx =>
            {
                ctx.Context.Response.Headers.CacheControl = "no-cache";
                ctx.Context.Response.Headers.XContentTypeOptions = "nosniff";
            },
        });

    /// <summary>Maps the sign-in and sign-out forms and the app shell on every dashboard path.</summary>
    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        foreach (var route in AppRoutes)
        {
            app.MapGet(route, (Func<HttpContext, Task<IResult>>)ShellAsync).ExcludeFromDescription();
        }

        app.MapGet("/signin", (HttpContext http, string? @return) => Page(http, SignInPage(null, SafeReturn(@return)), StatusCodes.Status200OK))
            .ExcludeFromDescription();
        app.MapPost("/signin", SignInAsync).DisableAntiforgery().ExcludeFromDescription();
        app.MapPost("/signout", SignOut).DisableAntiforgery().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> ShellAsync(HttpContext http)
    {
        var result = await http.AuthenticateAsync(ApiKeyAuthenticationHandler.SchemeName);
        if (!result.Succeeded)
        {
            return Results.Redirect("/signin?return=" + Uri.EscapeDataString(http.Request.Path + http.Request.QueryString));
        }

        return Page(http, ReadAsset("index.html"), StatusCodes.Status200OK);
    }

    private static async Task<IResult> SignInAsync(HttpContext http, ApiKeyService keys, ILoggerFactory loggers)
    {
        if (CrossOriginProblem(http) is { } refused)
        {
            return refused;
        }

        if (!http.Request.HasFormContentType)
        {
            return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: "Sign in with the form at /signin (application/x-www-form-urlencoded with a 'key' field).");
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var key = form["key"].ToString().Trim();
        var back = SafeReturn(form["return"].ToString());
        if (key.Length == 0)
        {
            return Page(http, SignInPage("Enter an API key.", back), StatusCodes.Status400BadRequest);
        }

        Storage.Model.ApiKeyInfo? info;
        try
        {
            info = await keys.AuthenticateAsync(key, http.RequestAborted);
        }
        catch (System.Data.Common.DbException)
        {
            http.Response.Headers.RetryAfter = "5";
            return Page(http, SignInPage("QmHub's database is unavailable, so the key cannot be checked; try again in a few seconds.", back),
                StatusCodes.Status503ServiceUnavailable);
        }

        if (info is null)
        {
            return Page(http, SignInPage("This API key is unknown or has been revoked. Create one with 'qmhub keys create --name NAME --scope read'.", back),
                StatusCodes.Status401Unauthorized);
        }

        http.Response.Cookies.Append(ApiKeyAuthenticationHandler.CookieName, key, CookieOptions(http));
        var logger = loggers.CreateLogger("QmHub.Dashboard");
        LogSignedIn(logger, info.Name, info.Scope);
        return Results.Redirect(back, permanent: false, preserveMethod: false);
    }

    private static IResult SignOut(HttpContext http)
    {
        if (CrossOriginProblem(http) is { } refused)
        {
            return refused;
        }

        http.Response.Cookies.Delete(ApiKeyAuthenticationHandler.CookieName, CookieOptions(http));
        return Results.Redirect("/signin");
    }

    private static CookieOptions CookieOptions(HttpContext http) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = http.Request.IsHttps,
        Path = "/",
        IsEssential = true,
    };

    /// <summary>
    /// The forms' CSRF guard beside SameSite=Strict: a browser names the page that posts in Origin (or, failing that,
    /// Sec-Fetch-Site); a post from another origin is refused. Clients that send neither (curl) are no browser to abuse.
    /// </summary>
    private static IResult? CrossOriginProblem(HttpContext http)
    {
        var origin = http.Request.Headers.Origin.ToString();
        var self = $"{http.Request.Scheme}://{http.Request.Host}";
        var crossSite = origin.Length > 0
            ? !string.Equals(origin, self, StringComparison.OrdinalIgnoreCase)
            : http.Request.Headers["Sec-Fetch-Site"].ToString() is "cross-site" or "same-site";
        return crossSite
            ? Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Cross-origin form refused",
                detail: $"This form only accepts posts from {self}'s own pages (Origin was '{origin}'). Open {self}/signin and submit it there.")
            : null;
    }

    /// <summary>A local path to go back to after signing in; anything else (another host, a scheme) is the overview.</summary>
    private static string SafeReturn(string? value) =>
        value is { Length: > 0 } v && v[0] == '/' && !v.StartsWith("//", StringComparison.Ordinal) && !v.Contains('\\', StringComparison.Ordinal) && !v.Any(char.IsControl)
            && !v.StartsWith("/signin", StringComparison.Ordinal) && !v.StartsWith("/signout", StringComparison.Ordinal)
            ? AsciiOnly(v)
            : "/";

    /// <summary>Non-ASCII characters percent-encoded as UTF-8: a Location header takes ASCII only (an agent's name in a path does not).</summary>
    private static string AsciiOnly(string value)
    {
        if (System.Text.Ascii.IsValid(value))
        {
            return value;
        }

        var encoded = new StringBuilder(value.Length * 2);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in value.EnumerateRunes())
        {
            if (rune.IsAscii)
            {
                encoded.Append((char)rune.Value);
                continue;
            }

            for (var i = 0; i < rune.EncodeToUtf8(utf8); i++)
            {
                encoded.Append('%').Append(utf8[i].ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return encoded.ToString();
    }

    private static string SignInPage(string? error, string back)
    {
        var html = ReadAsset("signin.html");
        var message = error is null ? "" : $"<p class=\"signin-error\" role=\"alert\" id=\"signin-error\">{HtmlEncoder.Default.Encode(error)}</p>";
        return html.Replace("<!--error-->", message, StringComparison.Ordinal)
            .Replace("{{return}}", HtmlEncoder.Default.Encode(back), StringComparison.Ordinal)
            .Replace("{{described}}", error is null ? "" : " aria-describedby=\"signin-error\" aria-invalid=\"true\"", StringComparison.Ordinal);
    }

    private static IResult Page(HttpContext http, string html, int status)
    {
        var headers = http.Response.Headers;
        headers.CacheControl = "no-store";
        headers.ContentSecurityPolicy = SecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
        return Results.Content(html, "text/html; charset=utf-8", System.Text.Encoding.UTF8, status);
    }

    private static string ReadAsset(string name)
    {
        using var reader = new StreamReader(Assets.GetFileInfo(name).CreateReadStream());
        return reader.ReadToEnd();
    }

    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "Dashboard sign-in with the API key named {KeyName} (scope {Scope})")]
    private static partial void LogSignedIn(ILogger logger, string keyName, string scope);
}
