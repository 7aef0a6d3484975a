using Microsoft.Data.Sqlite;
using QmHub.Storage.Model;
using QmHub.Storage.Sqlite;
using QmHub.Testing;

namespace QmHub.Storage.Tests;

public sealed class SqliteQmStoreTests : StoreContractTests, IDisposable
{
    private readonly TempDirectory _dir = new();

    protected override Task<IQmStore> CreateStoreAsync() => Task.FromResult<IQmStore>(new SqliteQmStore(_dir.File("qmhub.db")));

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Database_runs_in_wal_mode_with_full_synchronous_commits()
    {
        await using var connection = new SqliteConnection($"Data Source={_dir.File("qmhub.db")}");
        await connection.OpenAsync();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Under_writes_without_a_pause_the_wal_is_started_over_instead_of_growing_without_end()
    {
        var path = _dir.File("busy.db");
        await using var store = new SqliteQmStore(path) { WalRestartFrames = 64, CheckpointInterval = TimeSpan.FromMilliseconds(250) };
        await store.MigrateAsync(CancellationToken.None);
        var n = 0;
        // Small batches back to back, as under sustained ingest: the writer commits again and again while a checkpoint
        // copies a quarter second of frames, so the checkpoint never catches up with it.
        async Task WriteUntilAsync(long databaseBytes)
        {
            while (new FileInfo(path).Length < databaseBytes)
            {
                Assert.True(n < 200_000, "the database file stopped growing: nothing is checkpointed");
                await store.AppendAsync([.. Enumerable.Range(0, 5).Select(_ => Incoming(TestEvents.Interaction($"busy-{n++}")))], CancellationToken.None);
            }
        }

        // The checkpointer has copied frames once the database file grows past its first page.
        await WriteUntilAsync(4097);
        var restartsBefore = WalRestarts(path);
        await WriteUntilAsync(new FileInfo(path).Length + (12 << 20));

        // A WAL never started over keeps every frame written (hundreds of MB here, several times the database).
        Assert.True(WalRestarts(path) - restartsBefore >= 2, $"the WAL was started over {WalRestarts(path) - restartsBefore} times");
        Assert.Equal(n, (await store.CountEventsAsync(CancellationToken.None))[EventStatus.Accepted]);
    }

    [Fact]
    public async Task Committed_events_survive_reopening_the_file()
    {
        await Store.AppendAsync([Incoming(TestEvents.Interaction("i-1"))], CancellationToken.None);
        await Store.DisposeAsync();

        await using var reopened = new SqliteQmStore(_dir.File("qmhub.db"));
        await reopened.MigrateAsync(CancellationToken.None);

        Assert.Single(await reopened.GetInteractionsAsync("i-1", null, CancellationToken.None));
    }

    [Fact]
    public async Task Deliveries_are_unique_on_an_index_in_time_order_and_duplicates_are_found_through_it()
    {
        await using var connection = new SqliteConnection($"Data Source={_dir.File("qmhub.db")};Pooling=false");
        await connection.OpenAsync();

        // No index keyed by the SHA-256 alone remains: it put every delivery on a random page.
        Assert.Equal(["events_by_dedup", "events_by_status"], await StringsAsync(connection,
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' ORDER BY name"));
        Assert.Equal(["dedup_ts", "dedup_key"], await StringsAsync(connection, "SELECT name FROM pragma_index_info('events_by_dedup') ORDER BY seqno"));
        var plan = string.Join(" ", await StringsAsync(connection, "EXPLAIN QUERY PLAN " + SqliteSql.FindEventByKey.Replace("@event_ts", "1", StringComparison.Ordinal).Replace("@dedup_key", "x''", StringComparison.Ordinal), column: 3));
        Assert.Contains("USING INDEX events_by_dedup", plan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deliveries_logged_before_the_dedup_migration_keep_their_ids_and_stay_deduplicated()
    {
        var path = _dir.File("before-0006.db");
        var bodies = new[] { TestEvents.Bytes(TestEvents.Interaction("i-old")), "not json"u8.ToArray() };
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            // The schema as migrations 1 and 2 left it, with two deliveries logged.
            await connection.OpenAsync();
            await ExecuteAsync(connection, StoreSql.CreateMigrationsTable);
            foreach (var (version, name) in new[] { (1, "initial"), (2, "analytics") })
            {
                await ExecuteAsync(connection, MigrationSql(version, name));
                await ExecuteAsync(connection, $"INSERT INTO schema_migrations (version, name, applied_at) VALUES ({version}, '{name}', 0)");
            }

            for (var i = 0; i < bodies.Length; i++)
            {
                await using var insert = connection.CreateCommand();
                insert.CommandText = """
                    INSERT INTO events (id, dedup_key, received_at, kind, event_ts, status, findings, body)
                    VALUES ($id, $key, 0, 'unknown', $ts, 'quarantined', '[]', $body)
                    """;
                insert.Parameters.AddWithValue("$id", 40 + i);
                insert.Parameters.AddWithValue("$key", IncomingEvent.ComputeDedupKey(bodies[i]));
                insert.Parameters.AddWithValue("$ts", i == 0 ? IncomingEvent.FromBody(bodies[i], DateTimeOffset.UnixEpoch).Parsed.EventTs! : DBNull.Value);
                insert.Parameters.AddWithValue("$body", bodies[i]);
                await insert.ExecuteNonQueryAsync();
            }
        }

        await using var store = new SqliteQmStore(path);
        // The analytics migrations (3-5) come with it; the dedup migration is 6, dropping two unused indexes 7, and 8
        // drops the projections' copies of payload.object.
        Assert.Equal([3, 4, 5, 6, 7, 8, 9], await store.MigrateAsync(CancellationToken.None));
        var again = await store.AppendAsync(bodies.Select(b => IncomingEvent.FromBody(b, DateTimeOffset.UnixEpoch)).ToList(), CancellationToken.None);
        var fresh = await store.AppendAsync([IncomingEvent.FromBody(TestEvents.Bytes(TestEvents.Interaction("i-new")), DateTimeOffset.UnixEpoch)], CancellationToken.None);

        Assert.All(again, r => Assert.True(r.Duplicate));
        Assert.Equal([40L, 41L], again.Select(r => r.EventId));
        Assert.False(fresh[0].Duplicate);
        // Ids keep counting up from the rebuilt table's (a conflicting insert also takes an AUTOINCREMENT id, as before).
        Assert.InRange(fresh[0].EventId, 42, 44);
        Assert.Equal(bodies[1], await store.GetEventBodyAsync(41, CancellationToken.None));
    }

    [Fact]
    public async Task After_migration_8_the_object_comes_from_the_event_log_byte_for_byte_and_no_projection_keeps_a_copy()
    {
        var path = _dir.File("before-0008.db");
        // Spacing and member order of its own: what comes back must be these bytes, not a re-serialisation.
        var body = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(TestEvents.Bytes(TestEvents.Interaction("i-kept")))
            .Replace("\"object\":{", "\"object\":{ \"zz_unknown\" : [3, 1,  2],", StringComparison.Ordinal));
        var parsed = IncomingEvent.FromBody(body, DateTimeOffset.UnixEpoch).Parsed;
        Assert.False(parsed.HasErrors);
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            // The schema as migration 7 left it: an interaction projected with its own copy of the object.
            await connection.OpenAsync();
            await ExecuteAsync(connection, StoreSql.CreateMigrationsTable);
            foreach (var (version, name) in new[]
            {
                (1, "initial"), (2, "analytics"), (3, "daily_rollups"), (4, "analytics_periods"), (5, "calibration_rollups"),
                (6, "events_dedup_in_time_order"), (7, "drop_unused_interaction_indexes"),
            })
            {
                await ExecuteAsync(connection, MigrationSql(version, name));
                await ExecuteAsync(connection, $"INSERT INTO schema_migrations (version, name, applied_at) VALUES ({version}, '{name}', 0)");
            }

            await using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO events (id, dedup_ts, dedup_key, received_at, kind, account_id, event_ts, status, findings, body)
                VALUES (70, $ts, $key, 0, 'interaction_analysis_completed', $account, $ts, 'accepted', '[]', $body);
                INSERT INTO interactions (account_id, interaction_id, last_event_ts, event_id, object_json)
                VALUES ($account, 'i-kept', $ts, 70, '{"the":"copy"}');
                """;
            insert.Parameters.AddWithValue("$ts", parsed.EventTs!);
            insert.Parameters.AddWithValue("$key", IncomingEvent.ComputeDedupKey(body));
            insert.Parameters.AddWithValue("$account", parsed.AccountId);
            insert.Parameters.AddWithValue("$body", body);
            await insert.ExecuteNonQueryAsync();
        }

        await using (var store = new SqliteQmStore(path))
        {
            Assert.Equal([8, 9], await store.MigrateAsync(CancellationToken.None));
            var record = Assert.Single(await store.GetInteractionsAsync("i-kept", null, CancellationToken.None));
            Assert.Equal(70, record.EventId);
            Assert.Equal(System.Text.Encoding.UTF8.GetString(parsed.PayloadObjectJson.Span), record.ObjectJson);
            Assert.StartsWith("{ \"zz_unknown\" : [3, 1,  2],", record.ObjectJson, StringComparison.Ordinal);
        }

        await using var check = new SqliteConnection($"Data Source={path};Pooling=false");
        await check.OpenAsync();
        Assert.Empty(await StringsAsync(check, "SELECT name FROM pragma_table_info('interactions') WHERE name = 'object_json'"));
        Assert.Empty(await StringsAsync(check, "SELECT name FROM pragma_table_info('evaluations') WHERE name = 'object_json'"));
    }

    [Fact]
    public async Task Migrating_names_the_versions_before_applying_them_and_nothing_when_up_to_date()
    {
        var path = _dir.File("told.db");
        var told = new List<IReadOnlyList<int>>();
        await using var store = new SqliteQmStore(path);

        var first = await store.MigrateAsync(versions => told.Add(versions), CancellationToken.None);
        var second = await store.MigrateAsync(versions => told.Add(versions), CancellationToken.None);

        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9], first);
        Assert.Empty(second);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9], Assert.Single(told));
    }

    [Fact]
    public async Task A_projected_record_whose_event_is_missing_is_an_error_that_names_the_event_not_a_silent_gap()
    {
        var path = _dir.File("missing-event.db");
        long eventId;
        await using (var store = new SqliteQmStore(path))
        {
            await store.MigrateAsync(CancellationToken.None);
            eventId = (await store.AppendAsync([IncomingEvent.FromBody(TestEvents.Bytes(TestEvents.Interaction("i-orphan")), DateTimeOffset.UnixEpoch)], CancellationToken.None))[0].EventId;
        }

        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            await connection.OpenAsync();
            await ExecuteAsync(connection, $"DELETE FROM events WHERE id = {eventId}");
        }

        await using var reopened = new SqliteQmStore(path);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => reopened.GetInteractionsAsync("i-orphan", null, CancellationToken.None));
        Assert.Contains($"names event {eventId}, which is not in the event log", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The WAL header's checkpoint sequence number: SQLite adds one each time it starts the WAL over.</summary>
    private static uint WalRestarts(string databasePath)
    {
        using var wal = new FileStream(databasePath + "-wal", FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        Span<byte> header = stackalloc byte[16];
        wal.ReadExactly(header);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header[12..]);
    }

    private static string MigrationSql(int version, string name)
    {
        using var stream = typeof(SqliteQmStore).Assembly.GetManifestResourceStream($"QmHub.Storage.Sqlite.Migrations.{version:D4}_{name}.sql")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<List<string>> StringsAsync(SqliteConnection connection, string sql, int column = 0)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        await using var reader = await cmd.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetValue(column).ToString()!);
        }

        return values;
    }

    [Fact]
    public async Task A_locked_database_is_reported_not_writable()
    {
        await using var blocker = new SqliteConnection($"Data Source={_dir.File("qmhub.db")};Default Timeout=1");
        await blocker.OpenAsync();
        await using var begin = blocker.CreateCommand();
        begin.CommandText = "BEGIN EXCLUSIVE;";
        await begin.ExecuteNonQueryAsync();

        var store = new SqliteQmStore(_dir.File("qmhub.db"), busyTimeout: TimeSpan.FromMilliseconds(200));
        await using (store)
        {
            Assert.False(await store.IsWritableAsync(CancellationToken.None));
        }
    }

    [Fact]
    public async Task The_writable_probe_commits_a_write_so_a_database_that_refuses_writes_is_not_writable()
    {
        var path = _dir.File("qmhub.db");
        await using (var store = new SqliteQmStore(path))
        {
            await store.MigrateAsync(CancellationToken.None);
            Assert.True(await store.IsWritableAsync(CancellationToken.None));
        }

        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var probed = connection.CreateCommand();
            probed.CommandText = "SELECT probed_at FROM store_probe WHERE id = 1";
            Assert.InRange((long)(await probed.ExecuteScalarAsync())!, DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeMilliseconds());
            // Every write now fails as on a read-only file or a full disk; taking the write lock still succeeds.
            await ExecuteAsync(connection, "CREATE TRIGGER refuse BEFORE UPDATE ON store_probe BEGIN SELECT RAISE(ABORT, 'attempt to write a readonly database'); END;");
        }

        await using (var store = new SqliteQmStore(path))
        {
            Assert.False(await store.IsWritableAsync(CancellationToken.None));
        }
    }
}
