using QmHub.Samples.Receiver;
using QmHub.Zoom.AspNetCore;
using QmHub.Zoom.Signing;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddZoomWebhooks<PrintingHandler>(options =>
{
    foreach (var secret in ZoomSecret.FromCommaSeparated(builder.Configuration["ZOOM_WEBHOOK_SECRET_TOKEN"]))
    {
        options.Secrets.Add(secret);
    }
});

var app = builder.Build();
app.MapZoomWebhooks("/webhooks/zoom");
app.Run();
