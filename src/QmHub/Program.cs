using System.CommandLine;
using QmHub.Cli;
using QmHub.Hosting;

var root = new RootCommand("QmHub: receive, verify, store and report Zoom Quality Management events.")
{
    ServeCommand.Create(),
    StoreCommands.Migrate(),
    StoreCommands.Reproject(),
    StoreCommands.Keys(),
};

try
{
    // The host handles SIGTERM/SIGINT itself and drains the ingest queue; the parser must not kill the process first.
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false });
}
catch (InvalidSettingsException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}
catch (Microsoft.Extensions.Options.OptionsValidationException ex)
{
    await Console.Error.WriteLineAsync("Invalid settings:" + Environment.NewLine + string.Join(Environment.NewLine, ex.Failures.Select(f => "  - " + f)));
    return 2;
}
