using Parquet;
using Parquet.Schema;
using QmHub.Simulation;
using QmHub.Testing;

namespace QmHub.Tests;

/// <summary>
/// <c>qmhub export</c>, the real executable, against the HTTP exports of the same server's database: the same bytes
/// (CSV, NDJSON) and the same rows (Parquet). The database is filled by the simulator through the webhook.
/// </summary>
public sealed class ExportCliTests : IAsyncLifetime, IDisposable
{
    private const string Period = "from=2026-11-01&to=2026-11-04&tz=America/New_York";
    private static readonly string[] PeriodFlags = ["--from", "2026-11-01", "--to", "2026-11-04", "--tz", "America/New_York"];

    private readonly TempDirectory _dir = new();
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await RunningServer.StartAsync();
        var deliveries = ContactCenterSimulator.Generate(new SimulationOptions
        {
            Seed = 11,
            Start = DateTimeOffset.Parse("2026-11-01T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
            Count = 1500,
            Accounts = 2,
            AgentsPerAccount = 10,
            EvaluationPercent = 80,
            ManualEvaluationPercent = 60,
            CalibrationPercent = 60,
        }).ToList();
        using var http = new HttpClient();
        var summary = await new ZoomDeliverySender(http, new DeliverySenderOptions
        {
            Url = new Uri(_server.Client.BaseAddress!, "/webhooks/zoom"),
            SecretToken = RunningServer.Secret,
            MaxConcurrency = 4,
            Retry = RetrySchedule.None,
        }).SendAsync(deliveries);
        Assert.Equal(deliveries.Count, summary.Acknowledged);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("agents", "agents", "csv", "", new string[0])]
    [InlineData("queues", "queues", "ndjson", "&account_id={account}", new[] { "--account-id", "{account}" })]
    [InlineData("interactions", "interactions", "csv", "&sort=score&evaluated=true&min_sentiment=40", new[] { "--sort", "score", "--evaluated", "true", "--min-sentiment", "40" })]
    [InlineData("interactions", "interactions", "ndjson", "&direction=inbound&channel_type=AUDIO", new[] { "--direction", "inbound", "--channel-type", "AUDIO" })]
    [InlineData("trends", "trends", "csv", "&metric=qa_score&interval=week", new[] { "--metric", "qa_score", "--interval", "week" })]
    [InlineData("trends", "trends", "ndjson", "&metric=coverage&sentiment_target=70", new[] { "--metric", "coverage", "--sentiment-target", "70" })]
    [InlineData("calibration", "calibration", "csv", "", new string[0])]
    [InlineData("calibration", "calibration", "ndjson", "", new string[0])]
    public async Task Csv_and_ndjson_exports_equal_the_http_export_byte_for_byte(string report, string route, string format, string query, string[] flags)
    {
        var account = await FirstAccountAsync();
        var http = await HttpExportAsync($"/api/v1/{route}?{Period}{query.Replace("{account}", account, StringComparison.Ordinal)}&format={format}");
        var file = _dir.File($"{report}-{Guid.NewGuid():N}.{format}");

        var run = await ExportAsync(report, file, [.. flags.Select(f => f.Replace("{account}", account, StringComparison.Ordinal))]);

        Assert.True(run.ExitCode == 0, run.Describe());
        var cli = await File.ReadAllBytesAsync(file);
        Assert.True(http.Count(b => b == (byte)'\n') > 1, $"the HTTP export is nearly empty: {System.Text.Encoding.UTF8.GetString(http)}");
        Assert.Equal(System.Text.Encoding.UTF8.GetString(http), System.Text.Encoding.UTF8.GetString(cli));
        Assert.Equal(http, cli);
        Assert.Contains("Wrote ", run.Stdout, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.tmp"));
    }

    [Theory]
    [InlineData("agents", "agents", "")]
    [InlineData("interactions", "interactions", "&sort=score")]
    [InlineData("calibration", "calibration", "")]
    public async Task Parquet_export_has_the_rows_of_the_http_export(string report, string route, string query)
    {
        var http = await HttpExportAsync($"/api/v1/{route}?{Period}{query}&format=parquet");
        var file = _dir.File($"{report}.parquet");

        var run = await ExportAsync(report, file, query.Length == 0 ? [] : ["--sort", "score"]);

        Assert.True(run.ExitCode == 0, run.Describe());
        var expected = await ReadParquetAsync(new MemoryStream(http));
        var actual = await ReadParquetAsync(File.OpenRead(file));
        Assert.True(expected.Rows.Count > 3, $"only {expected.Rows.Count} rows");
        Assert.Equal(expected.Columns, actual.Columns);
        Assert.Equal(expected.Rows.Count, actual.Rows.Count);
        for (var i = 0; i < expected.Rows.Count; i++)
        {
            Assert.Equal(expected.Rows[i], actual.Rows[i]);
        }
    }

    [Fact]
    public async Task Format_follows_the_file_extension_and_progress_goes_to_stderr()
    {
        var file = _dir.File("interactions.parquet");

        var run = await ExportAsync("interactions", file, []);

        Assert.True(run.ExitCode == 0, run.Describe());
        var rows = await ReadParquetAsync(File.OpenRead(file));
        Assert.Contains("interaction_id", rows.Columns);
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Wrote {rows.Rows.Count:N0} rows to {file}"), run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "teams" }, "teams")]
    [InlineData(new[] { "agents", "--from", "last tuesday" }, "--from")]
    [InlineData(new[] { "agents", "--tz", "Mars/Base" }, "--tz")]
    [InlineData(new[] { "agents", "--format", "xml" }, "xml")]
    [InlineData(new[] { "trends" }, "--metric")]
    [InlineData(new[] { "trends", "--metric", "happiness" }, "happiness")]
    [InlineData(new[] { "interactions", "--sort", "loudest" }, "--sort")]
    [InlineData(new[] { "agents", "--sentiment-target", "140" }, "--sentiment-target")]
    public async Task Bad_arguments_fail_with_a_message_and_leave_the_file_alone(string[] args, string named)
    {
        var file = _dir.File("keep.csv");
        await File.WriteAllTextAsync(file, "previous export");

        var run = await QmHubProcess.RunAsync(null, ["export", .. args, "--db", _server.DbPath, "--output", file, .. PeriodFlagsUnless(args)]);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(named, run.Stderr, StringComparison.Ordinal);
        Assert.Equal("previous export", await File.ReadAllTextAsync(file));
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.tmp"));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task A_link_is_followed_and_an_existing_files_permissions_are_kept()
    {
        var target = _dir.File("target.csv");
        var link = _dir.File("link.csv");
        await File.WriteAllTextAsync(target, "old");
        File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.CreateSymbolicLink(link, target);

        var run = await ExportAsync("agents", link, []);

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.StartsWith("account_id,", await File.ReadAllTextAsync(target), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(target));
    }

    [Fact]
    public async Task Standard_output_piped_to_another_program_takes_the_export()
    {
        // qmhub's stdout here is a pipe to this test: /dev/stdout -> /proc/self/fd/1 -> pipe:[N], which has no folder to rename in.
        var run = await QmHubProcess.RunAsync(null, ["export", "agents", "--db", _server.DbPath, "--output", "/dev/stdout", "--format", "csv", .. PeriodFlags]);

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.StartsWith("account_id,", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("rows to /dev/stdout", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_that_does_not_exist_is_refused_not_created_empty()
    {
        var missing = _dir.File("typo.db");

        var run = await QmHubProcess.RunAsync(null, ["export", "agents", "--db", missing, "--output", _dir.File("a.csv"), .. PeriodFlags]);

        Assert.True(run.ExitCode == 2, run.Describe());
        Assert.Contains($"{missing} does not exist", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(missing));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task A_pipe_is_written_into_not_replaced()
    {
        var fifo = _dir.File("export.fifo");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync();
        }

        var reading = Task.Run(async () =>
        {
            await using var pipe = new FileStream(fifo, FileMode.Open, FileAccess.Read);
            using var reader = new StreamReader(pipe);
            return await reader.ReadToEndAsync();
        });
        var run = await ExportAsync("agents", fifo, ["--format", "csv"]);
        var text = await reading.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.StartsWith("account_id,", text, StringComparison.Ordinal);
        // Still the pipe (which has no length), not a regular file with the export renamed over it.
        Assert.Equal(0, new FileInfo(fifo).Length);
    }

    [Fact]
    public async Task An_extension_that_names_no_format_needs_format()
    {
        var run = await ExportAsync("agents", _dir.File("agents.txt"), []);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--format", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_dir.File("agents.txt")));
    }

    [Fact]
    public async Task A_missing_output_folder_is_an_error()
    {
        var run = await ExportAsync("agents", Path.Combine(_dir.Path, "nowhere", "agents.csv"), []);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("does not exist", run.Stderr, StringComparison.Ordinal);
    }

    private static string[] PeriodFlagsUnless(string[] args) =>
        args.Contains("--from") || args.Contains("--tz") ? [] : PeriodFlags;

    private Task<(int ExitCode, string Stdout, string Stderr)> ExportAsync(string report, string file, string[] flags) =>
        QmHubProcess.RunAsync(null, ["export", report, "--db", _server.DbPath, "--output", file, .. PeriodFlags, .. flags]);

    private async Task<byte[]> HttpExportAsync(string path)
    {
        using var response = await _server.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadAsByteArrayAsync();
    }

    private async Task<string> FirstAccountAsync()
    {
        using var response = await _server.GetAsync($"/api/v1/agents?{Period}&limit=1");
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("items")[0].GetProperty("account_id").GetString()!;
    }

    /// <summary>Every row of a Parquet file as its column values, read back with Parquet.Net.</summary>
    private static async Task<(List<string> Columns, List<List<object?>> Rows)> ReadParquetAsync(Stream stream)
    {
        await using (stream)
        {
            await using var reader = await ParquetReader.CreateAsync(stream);
            var fields = reader.Schema.GetDataFields();
            var rows = new List<List<object?>>();
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                var count = (int)group.RowCount;
                var columns = new List<object?[]>();
                foreach (var field in fields)
                {
                    columns.Add(await ReadColumnAsync(group, field, count));
                }

                for (var r = 0; r < count; r++)
                {
                    rows.Add([.. columns.Select(c => c[r])]);
                }
            }

            return ([.. fields.Select(f => f.Name)], rows);
        }
    }

    private static async Task<object?[]> ReadColumnAsync(ParquetRowGroupReader group, DataField field, int count)
    {
        if (field.ClrType == typeof(long))
        {
            var values = new long?[count];
            await group.ReadAsync(field, values.AsMemory());
            return [.. values.Select(v => (object?)v)];
        }

        if (field.ClrType == typeof(double))
        {
            var doubles = new double?[count];
            await group.ReadAsync(field, doubles.AsMemory());
            return [.. doubles.Select(v => (object?)v)];
        }

        var text = new string?[count];
        await group.ReadAsync(field, text.AsMemory());
        return text;
    }
}
