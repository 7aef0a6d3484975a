using System.CommandLine;
using QmHub.Hosting;

namespace QmHub.Cli;

/// <summary><c>qmhub serve</c>: the ingest server and API.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Db();
        var urls = new Option<string?>("--urls") { Description = "Addresses to listen on, ';'-separated (default http://127.0.0.1:5080; QMHUB_URLS)." };
        var webhookPath = new Option<string?>("--webhook-path") { Description = "The path Zoom posts to (default /webhooks/zoom; QMHUB_WEBHOOK_PATH)." };
        var spoolDir = new Option<string?>("--spool-dir") { Description = "This replica's spool for deliveries the database cannot take right now (default: beside a SQLite database, ./qmhub-spool for PostgreSQL; QMHUB_SPOOL_DIR)." };
        var command = new Command("serve", "Receive Zoom QM webhooks, store them durably and serve the API. The secret token comes from ZOOM_WEBHOOK_SECRET_TOKEN.")
        {
            db, urls, webhookPath, spoolDir,
        };
        command.SetAction(async (result, ct) =>
        {
            var flags = CommonOptions.Flags(result, ("Db", db), ("Urls", urls), ("WebhookPath", webhookPath), ("SpoolDir", spoolDir));
            await using var app = QmHubServer.Build(flags);
            await QmHubServer.StartAsync(app, ct);
            await app.WaitForShutdownAsync(CancellationToken.None);
            return 0;
        });
        return command;
    }
}
