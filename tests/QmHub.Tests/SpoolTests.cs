using System.Text;
using QmHub.Ingest;
using QmHub.Testing;

namespace QmHub.Tests;

/// <summary>The local spool on its own: durable appends, order, torn tails, size limit, one process per directory.</summary>
public sealed class SpoolTests
{
    private static readonly DateTimeOffset ReceivedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_764_000_000_123);

    [Fact]
    public async Task Appended_deliveries_survive_a_reopen_in_order_with_every_field()
    {
        using var dir = new TempDirectory();
        using (var spool = DeliverySpool.Open(dir.Path, 1 << 20))
        {
            await spool.AppendAsync([Delivery(0), Delivery(1) with { TrackingId = null, SecretName = null }], CancellationToken.None);
            await spool.AppendAsync([Delivery(2)], CancellationToken.None);
        }

        using var reopened = DeliverySpool.Open(dir.Path, 1 << 20);
        var chunk = await reopened.ReadNextAsync(10, CancellationToken.None);

        Assert.Equal(3, reopened.Depth);
        Assert.Equal(["body-0", "body-1", "body-2"], chunk.Deliveries.Select(d => Encoding.UTF8.GetString(d.Body.Span)));
        Assert.Equal(ReceivedAt, chunk.Deliveries[0].ReceivedAt);
        Assert.Equal("track-0", chunk.Deliveries[0].TrackingId);
        Assert.Equal("token1", chunk.Deliveries[0].SecretName);
        Assert.Null(chunk.Deliveries[1].TrackingId);
        Assert.Null(chunk.Deliveries[1].SecretName);
        Assert.Equal(0, reopened.DroppedTailBytes);
    }

    [Fact]
    public async Task Torn_tail_is_cut_off_on_open_and_whole_records_before_it_are_kept()
    {
        using var dir = new TempDirectory();
        long whole;
        using (var spool = DeliverySpool.Open(dir.Path, 1 << 20))
        {
            await spool.AppendAsync([Delivery(0), Delivery(1)], CancellationToken.None);
            whole = spool.Bytes;
            await spool.AppendAsync([Delivery(2)], CancellationToken.None);
        }

        // A crash in the middle of the third write: only part of its record reached the disk.
        var log = Path.Combine(dir.Path, DeliverySpool.LogFileName);
        var bytes = await File.ReadAllBytesAsync(log);
        await File.WriteAllBytesAsync(log, bytes[..(int)(whole + ((bytes.Length - whole) / 2))]);

        using var reopened = DeliverySpool.Open(dir.Path, 1 << 20);
        var chunk = await reopened.ReadNextAsync(10, CancellationToken.None);

        Assert.Equal(["body-0", "body-1"], chunk.Deliveries.Select(d => Encoding.UTF8.GetString(d.Body.Span)));
        Assert.Equal((bytes.Length - whole) / 2, reopened.DroppedTailBytes);
        Assert.Equal(whole, new FileInfo(log).Length);
    }

    [Fact]
    public async Task Record_with_a_bad_checksum_ends_the_spool_and_later_appends_follow_the_last_good_record()
    {
        using var dir = new TempDirectory();
        long whole;
        using (var spool = DeliverySpool.Open(dir.Path, 1 << 20))
        {
            await spool.AppendAsync([Delivery(0)], CancellationToken.None);
            whole = spool.Bytes;
            await spool.AppendAsync([Delivery(1)], CancellationToken.None);
        }

        var log = Path.Combine(dir.Path, DeliverySpool.LogFileName);
        var bytes = await File.ReadAllBytesAsync(log);
        bytes[^40] ^= 0xFF; // a byte inside the second record, as a torn sector would leave it
        await File.WriteAllBytesAsync(log, bytes);

        using var reopened = DeliverySpool.Open(dir.Path, 1 << 20);
        await reopened.AppendAsync([Delivery(2)], CancellationToken.None);
        var chunk = await reopened.ReadNextAsync(10, CancellationToken.None);

        Assert.Equal(bytes.Length - whole, reopened.DroppedTailBytes);
        Assert.Equal(["body-0", "body-2"], chunk.Deliveries.Select(d => Encoding.UTF8.GetString(d.Body.Span)));
    }

    [Fact]
    public async Task Drained_deliveries_leave_in_append_order_and_the_log_is_truncated_once_empty()
    {
        using var dir = new TempDirectory();
        using var spool = DeliverySpool.Open(dir.Path, 1 << 20);
        await spool.AppendAsync(Enumerable.Range(0, 5).Select(Delivery).ToList(), CancellationToken.None);

        var first = await spool.ReadNextAsync(3, CancellationToken.None);
        await spool.AdvanceAsync(first, CancellationToken.None);
        await spool.AppendAsync([Delivery(5)], CancellationToken.None);
        var depthBefore = spool.Depth;
        var rest = await spool.ReadNextAsync(10, CancellationToken.None);
        await spool.AdvanceAsync(rest, CancellationToken.None);

        Assert.Equal(["body-0", "body-1", "body-2"], first.Deliveries.Select(d => Encoding.UTF8.GetString(d.Body.Span)));
        Assert.Equal(["body-3", "body-4", "body-5"], rest.Deliveries.Select(d => Encoding.UTF8.GetString(d.Body.Span)));
        Assert.Equal(3, depthBefore);
        Assert.Equal(0, spool.Depth);
        Assert.Equal(0, spool.Bytes);
        Assert.Equal(0, new FileInfo(Path.Combine(dir.Path, DeliverySpool.LogFileName)).Length);
    }

    [Fact]
    public async Task Append_beyond_the_size_limit_is_refused_and_stores_none_of_the_batch()
    {
        using var dir = new TempDirectory();
        using var spool = DeliverySpool.Open(dir.Path, 200);
        await spool.AppendAsync([Delivery(0)], CancellationToken.None);
        var before = spool.Bytes;

        var error = await Assert.ThrowsAsync<SpoolFullException>(() => spool.AppendAsync(Enumerable.Range(1, 5).Select(Delivery).ToList(), CancellationToken.None));

        Assert.Contains("SpoolMaxBytes", error.Message, StringComparison.Ordinal);
        Assert.False(spool.HasRoom);
        Assert.Equal(before, spool.Bytes);
        Assert.Equal(1, spool.Depth);
        Assert.Equal(before, new FileInfo(Path.Combine(dir.Path, DeliverySpool.LogFileName)).Length);
    }

    [Fact]
    public void Second_open_of_a_spool_in_use_is_refused_naming_the_directory()
    {
        using var dir = new TempDirectory();
        using var spool = DeliverySpool.Open(dir.Path, 1 << 20);

        var error = Assert.Throws<SpoolInUseException>(() => DeliverySpool.Open(dir.Path, 1 << 20));

        Assert.Contains(dir.Path, error.Message, StringComparison.Ordinal);
        Assert.Contains("in use by another QmHub process", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Second_serve_process_on_a_spool_in_use_refuses_to_start_and_says_so()
    {
        using var dir = new TempDirectory();
        var spoolDir = dir.File("spool");
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["SpoolDir"] = spoolDir });

        var second = await QmHubProcess.RunAsync(new Dictionary<string, string> { ["ZOOM_WEBHOOK_SECRET_TOKEN"] = RunningServer.Secret },
            "serve", "--db", dir.File("other.db"), "--spool-dir", spoolDir, "--urls", $"http://127.0.0.1:{CrashTests.FreePort()}");

        Assert.True(second.ExitCode == 2, second.Describe());
        Assert.Contains("SpoolDir (--spool-dir, QMHUB_SPOOL_DIR)", second.Stderr, StringComparison.Ordinal);
        Assert.Contains("in use by another QmHub process", second.Stderr, StringComparison.Ordinal);
    }

    private static SpooledDelivery Delivery(int i) =>
        new(ReceivedAt, $"track-{i}", "token1", Encoding.UTF8.GetBytes($"body-{i}"));
}
