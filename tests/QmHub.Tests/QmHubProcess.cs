using System.Diagnostics;
using System.Text;

namespace QmHub.Tests;

/// <summary>The real <c>qmhub</c> executable (built beside the tests), run as a separate process.</summary>
internal static class QmHubProcess
{
    public static Process Start(IDictionary<string, string>? environment, params string[] args) => StartIn(null, environment, args);

    /// <summary>Starts qmhub in <paramref name="workingDirectory"/> (where it looks for an appsettings.json).</summary>
    public static Process StartIn(string? workingDirectory, IDictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "qmhub.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // A developer's own settings must not leak into what the test sees.
        info.Environment.Remove("ZOOM_WEBHOOK_SECRET_TOKEN");
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("QMHUB_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(name);
        }

        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return Process.Start(info) ?? throw new InvalidOperationException("could not start qmhub");
    }

    /// <summary>Runs a command to completion and returns its exit code and output.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IDictionary<string, string>? environment, params string[] args) =>
        RunInAsync(null, environment, args);

    /// <summary>Runs a command in <paramref name="workingDirectory"/> to completion.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunInAsync(string? workingDirectory, IDictionary<string, string>? environment, params string[] args)
    {
        using var process = StartIn(workingDirectory, environment, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts a server and discards its output (so that full pipes never block it).</summary>
    public static Process StartServer(string db, int port, IDictionary<string, string>? environment = null)
    {
        var env = new Dictionary<string, string>(environment ?? new Dictionary<string, string>()) { ["ZOOM_WEBHOOK_SECRET_TOKEN"] = RunningServer.Secret };
        var process = Start(env, "serve", "--db", db, "--urls", $"http://127.0.0.1:{port}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static string Describe(this (int ExitCode, string Stdout, string Stderr) run) =>
        new StringBuilder().Append("exit ").Append(run.ExitCode).AppendLine().AppendLine(run.Stdout).Append(run.Stderr).ToString();
}
