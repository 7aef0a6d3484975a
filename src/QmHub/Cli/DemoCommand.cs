using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using QmHub.Hosting;
using QmHub.Simulation;
using Spectre.Console;

namespace QmHub.Cli;

/// <summary>
/// <c>qmhub demo</c>: a newcomer's first contact. Serves on the embedded default with a generated secret and
/// admin key, streams a few simulated days through the real webhook endpoint, then keeps serving.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var db = new Option<string>("--db") { Description = "The demo's SQLite file (kept apart from ./qmhub.db).", DefaultValueFactory = _ => "qmhub-demo.db" };
        var urls = new Option<string>("--urls") { Description = "Addresses to listen on.", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var days = new Option<int>("--days") { Description = "Days of simulated traffic, ending now.", DefaultValueFactory = _ => 3 };
        var agents = new Option<int>("--agents") { Description = "Agents in the simulated contact center.", DefaultValueFactory = _ => 24 };
        var seed = new Option<int>("--seed") { Description = "The simulation's seed.", DefaultValueFactory = _ => 1 };
        var exitAfter = new Option<bool>("--exit-after-load") { Description = "Stop once the traffic is in, instead of serving until Ctrl+C." };
        var command = new Command("demo", "Start QmHub on the embedded database and fill it with a few days of simulated Zoom QM traffic.")
        {
            db, urls, days, agents, seed, exitAfter,
        };
        command.SetAction(async (result, ct) =>
        {
            var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
            var adminKey = "qmh_demo_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            var flags = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
            {
                ["Db"] = result.GetRequiredValue(db),
                ["Urls"] = result.GetRequiredValue(urls),
                ["SecretTokens"] = secret,
                ["BootstrapApiKey"] = adminKey,
                ["Logging:LogLevel:Default"] = "Warning",
            };
            await using var app = QmHubServer.Build(flags);
            await QmHubServer.StartAsync(app, ct);
            var baseUrl = app.Urls.First().TrimEnd('/');
            var webhook = new Uri(baseUrl + app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<QmHubOptions>>().Value.WebhookPath);

            var span = TimeSpan.FromDays(result.GetValue(days));
            var options = new SimulationOptions
            {
                Seed = result.GetValue(seed),
                Start = DateTimeOffset.UtcNow - span,
                Duration = span,
                AgentsPerAccount = result.GetValue(agents),
                Faults = FaultRates.Parse("duplicate=2,out-of-order=5,evaluation-before-interaction=5,invalid=0.5"),
            };
            var deliveries = ContactCenterSimulator.Generate(options);
            var total = deliveries.LongCount();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"QmHub demo: streaming {total} simulated deliveries ({result.GetValue(days)} days) into {webhook}"));
            var summary = await SimulationCommands.SendWithProgressAsync(
                SimulationCommands.SenderOptions(webhook, secret, rate: 0, concurrency: 16, retry: "compressed", applySigningFaults: true) with { ReceiverKeepsInvalidPayloads = true },
                deliveries, total, ct);
            SimulationCommands.Report(summary);

            AnsiConsole.WriteLine();
            AnsiConsole.MarkupLine("[bold green]QmHub is running with demo data.[/] The admin API key below is printed once; only its hash is stored.");
            // Plain writes: these lines are copied into a shell and must not be wrapped.
            Console.WriteLine($"  Dashboard:  {baseUrl}/ (sign in with the API key below)");
            Console.WriteLine($"  API key:    {adminKey}");
            Console.WriteLine($"  Agents:     curl -H 'Authorization: Bearer {adminKey}' '{baseUrl}/api/v1/agents?limit=5'");
            Console.WriteLine($"  Events:     curl -H 'Authorization: Bearer {adminKey}' '{baseUrl}/api/v1/events?limit=5'");
            Console.WriteLine($"  Quarantine: curl -H 'Authorization: Bearer {adminKey}' '{baseUrl}/api/v1/events?status=quarantined'");
            Console.WriteLine($"  API docs:   {baseUrl}/openapi/v1.json");
            Console.WriteLine($"  Metrics:    {baseUrl}/metrics");
            if (result.GetValue(exitAfter))
            {
                return 0;
            }

            AnsiConsole.MarkupLine("Press Ctrl+C to stop.");
            await app.WaitForShutdownAsync(CancellationToken.None);
            return 0;
        });
        return command;
    }
}
