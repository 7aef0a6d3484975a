using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using QmHub.Storage.Postgres;
using Xunit;

namespace QmHub.Testing;

/// <summary>
/// One PostgreSQL server for the tests of an assembly (an xunit collection fixture): the server that
/// <c>QMHUB_TEST_POSTGRES</c> names when it is set, otherwise a throwaway cluster made with <c>initdb</c> in a
/// temporary folder, listening only on 127.0.0.1 at a free port, with its socket in that folder, fsync on and
/// trust authentication; stopped (<c>pg_ctl stop -m fast</c>) and deleted at the end. Tests ask it for a fresh
/// database each.
/// </summary>
public sealed class PostgresCluster : IAsyncLifetime
{
    /// <summary>The variable that names an existing server to use instead of a throwaway cluster.</summary>
    public const string EnvironmentVariable = "QMHUB_TEST_POSTGRES";

    private const string ServerUser = "postgres";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private string? _directory;
    private string? _binaries;
    private NpgsqlConnectionStringBuilder? _admin;
    private string? _serverOptions;

    /// <summary>The server, without a password: for test output.</summary>
    public string Description => _admin is null ? "PostgreSQL (not started)" : PostgresConnectionString.Describe(_admin);

    /// <summary>Whether this fixture started the server itself (and so may stop it).</summary>
    public bool IsThrowaway => _directory is not null;

    /// <summary>The data directory of a throwaway cluster.</summary>
    public string DataDirectory => Path.Combine(_directory ?? throw new InvalidOperationException("Only a throwaway cluster has a data directory here."), "data");

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var given = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(given))
        {
            _admin = PostgresConnectionString.Parse(given);
        }
        else
        {
            _admin = await StartThrowawayAsync();
        }

        await WaitUntilAcceptingAsync(_admin);
    }

    /// <summary>Creates an empty database with a random name; disposing it drops it.</summary>
    public async Task<PostgresTestDatabase> CreateDatabaseAsync()
    {
        var admin = _admin ?? throw new InvalidOperationException("The PostgreSQL cluster has not been started.");
        var name = "qmhub_test_" + Guid.NewGuid().ToString("N")[..16];
        // A generated identifier, not input: CREATE DATABASE takes no parameters.
        await ExecuteAsync(admin.ConnectionString, $"CREATE DATABASE {name}");
        var builder = new NpgsqlConnectionStringBuilder(admin.ConnectionString) { Database = name };
        return new PostgresTestDatabase(name, builder, admin.ConnectionString);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_directory is null || _binaries is null)
        {
            return;
        }

        try
        {
            await RunAsync(PgCtl, "stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "60");
        }
        finally
        {
            Directory.Delete(_directory, recursive: true);
            _directory = null;
        }
    }

    /// <summary>Runs <c>pg_ctl</c> with these arguments (as the <c>postgres</c> user when the tests run as root).</summary>
    public Task<string> PgCtlAsync(params string[] arguments) => RunAsync(PgCtl, arguments);

    /// <summary>
    /// Stops a throwaway cluster the way a crash would (<c>pg_ctl stop -m immediate</c>: no checkpoint, every
    /// connection cut); <see cref="StartAgainAsync"/> brings it back through crash recovery.
    /// </summary>
    public Task StopImmediatelyAsync()
    {
        RequireThrowaway();
        return RunAsync(PgCtl, "stop", "-D", DataDirectory, "-m", "immediate", "-w", "-t", "60");
    }

    /// <summary>Starts a throwaway cluster stopped by <see cref="StopImmediatelyAsync"/> on its port again and waits until it accepts connections.</summary>
    public async Task StartAgainAsync()
    {
        RequireThrowaway();
        await StartServerAsync();
        await WaitUntilAcceptingAsync(_admin ?? throw new InvalidOperationException("The PostgreSQL cluster has not been started."));
    }

    /// <summary>
    /// Freezes (SIGSTOP) or thaws (SIGCONT) every process of a throwaway cluster: a database that hangs, accepting
    /// connections and answering nothing, rather than one that refuses.
    /// </summary>
    public async Task SignalAllAsync(bool freeze)
    {
        RequireThrowaway();
        var postmaster = (await File.ReadAllLinesAsync(Path.Combine(DataDirectory, "postmaster.pid")))[0].Trim();
        var children = Directory.GetDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => name is { Length: > 0 } && name.All(char.IsAsciiDigit))
            .Where(pid => ParentOf(pid!) == postmaster);
        await RunAsync("kill", [freeze ? "-STOP" : "-CONT", postmaster, .. children!]);
    }

    private static string? ParentOf(string pid)
    {
        try
        {
            // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after its closing parenthesis.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1];
        }
        catch (IOException)
        {
            return null;
        }
    }

    private void RequireThrowaway()
    {
        if (!IsThrowaway)
        {
            throw new InvalidOperationException($"Only a throwaway cluster can be stopped and started by the tests, not the server {EnvironmentVariable} names.");
        }
    }

    private Task<string> StartServerAsync() =>
        RunAsync(PgCtl, "start", "-D", DataDirectory, "-l", Path.Combine(_directory ?? "", "server.log"), "-w", "-t",
            ((int)StartTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture), "-o", _serverOptions ?? "");

    private string PgCtl => Path.Combine(_binaries ?? throw new InvalidOperationException("No PostgreSQL binaries were found."), "pg_ctl");

    private async Task<NpgsqlConnectionStringBuilder> StartThrowawayAsync()
    {
        _binaries = FindBinaries();
        _directory = Path.Combine(Path.GetTempPath(), "qmhub-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_directory);
        if (RunningAsRoot)
        {
            // PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
            await RunAsync("chown", ServerUser + ":", _directory);
        }

        await RunAsync(Path.Combine(_binaries, "initdb"), "-D", DataDirectory, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync");
        var port = FreeLoopbackPort();
        // pg_ctl hands -o to the server through a shell: the folder name has no spaces or quotes.
        _serverOptions = string.Create(CultureInfo.InvariantCulture,
            $"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={_directory} -c fsync=on -c max_connections=300");
        await StartServerAsync();
        return new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = "postgres", Database = "postgres", Timeout = 30 };
    }

    private static string FindBinaries()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin"))
            : [];
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "initdb"))
            .Where(File.Exists)
            .Select(p => Path.GetDirectoryName(File.ResolveLinkTarget(p, returnFinalTarget: true)?.FullName ?? p) ?? "");
        return candidates.Concat(onPath).FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
            ?? throw new InvalidOperationException(
                "PostgreSQL's initdb and pg_ctl were not found on PATH or in /usr/lib/postgresql/*/bin. Install the server "
                + "(apt-get install -y postgresql, which .ci/prepare does) or set " + EnvironmentVariable + " to a connection string "
                + "such as postgres://postgres@127.0.0.1:5432/postgres.");
    }

    private static bool RunningAsRoot => Environment.UserName == "root";

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task<string> RunAsync(string file, params string[] arguments)
    {
        var asServer = RunningAsRoot && file != "chown";
        var start = new ProcessStartInfo(asServer ? "runuser" : file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory ?? Path.GetTempPath(),
        };
        if (asServer)
        {
            foreach (var a in (string[])["-u", ServerUser, "--", file])
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(StartTimeout + TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        var text = await output + await error;
        if (process.ExitCode != 0)
        {
            var log = _directory is not null && File.Exists(Path.Combine(_directory, "server.log")) ? await File.ReadAllTextAsync(Path.Combine(_directory, "server.log")) : "";
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}:\n{text}\n{log}");
        }

        return text;
    }

    private static async Task WaitUntilAcceptingAsync(NpgsqlConnectionStringBuilder admin)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            try
            {
                await ExecuteAsync(admin.ConnectionString, "SELECT 1");
                return;
            }
            catch (NpgsqlException ex) when (DateTime.UtcNow < deadline && ex is not PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification })
            {
                await Task.Delay(200);
            }
        }
    }

    internal static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync();
    }
}

/// <summary>A database of its own for one test, dropped (with any connection still open to it) on dispose.</summary>
public sealed class PostgresTestDatabase(string name, NpgsqlConnectionStringBuilder builder, string adminConnectionString) : IAsyncDisposable
{
    /// <summary>The database's name.</summary>
    public string Name => name;

    /// <summary>An Npgsql keyword connection string to it.</summary>
    public string ConnectionString => builder.ConnectionString;

    /// <summary>The same database as a <c>postgres://</c> URL.</summary>
    public string Url
    {
        get
        {
            var password = string.IsNullOrEmpty(builder.Password) ? "" : ":" + Uri.EscapeDataString(builder.Password);
            return string.Create(CultureInfo.InvariantCulture, $"postgres://{Uri.EscapeDataString(builder.Username ?? "postgres")}{password}@{builder.Host}:{builder.Port}/{name}");
        }
    }

    /// <summary>Runs one statement in this database and returns the first column of the first row.</summary>
    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        return await cmd.ExecuteScalarAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await PostgresCluster.ExecuteAsync(adminConnectionString, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    }
}
