using System.CommandLine;
using QmHub.Cli;
using QmHub.Hosting;

var root = new RootCommand("QmHub: receive, verify, store and report Zoom Quality Management events.")
{
    ServeCommand.Create(),
    StoreCommands.Migrate(),
    StoreCommands.Reproject(),
    ExportCommand.Create(),
    StoreCommands.Keys(),
    SimulationCommands.Simulate(),
    SimulationCommands.Replay(),
    SimulationCommands.Sign(),
    DemoCommand.Create(),
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
catch (QmHub.Storage.SchemaTooNewException ex)
{
    await Console.Error.WriteLineAsync($"qmhub: {ex.Message}");
    return 2;
}
catch (System.Data.Common.DbException ex)
{
    // A file that is not a SQLite database, a directory, an unreachable or refusing PostgreSQL server.
    await Console.Error.WriteLineAsync($"qmhub: the database (--db, QMHUB_DB) cannot be used: {ex.Message}");
    return 1;
}
catch (InvalidDataException ex)
{
    // An appsettings.json that is not valid JSON: the message names the file.
    await Console.Error.WriteLineAsync($"qmhub: {ex.Message}{(ex.InnerException is { } inner ? " " + inner.Message : "")}");
    return 2;
}
catch (Exception ex) when (ex is ArgumentException or FormatException or IOException or HttpRequestException or UnauthorizedAccessException)
{
    // Errors a person can fix (a bad value, a missing file, an unreachable URL): the message, not a stack trace.
    await Console.Error.WriteLineAsync($"qmhub: {ex.Message}");
    return 1;
}
