using QmHub.Storage.Model;
using QmHub.Storage.Postgres;
using QmHub.Testing;
using QmHub.Zoom.Models;

namespace QmHub.Storage.Tests.Postgres;

/// <summary>The store contract on a real PostgreSQL server, plus what only a shared database must show: several replicas writing at once.</summary>
[Collection(SharedPostgres.Name)]
public sealed class PostgresQmStoreTests(PostgresCluster cluster) : StoreContractTests
{
    private PostgresTestDatabase? _database;

    private PostgresTestDatabase Database => _database ?? throw new InvalidOperationException("The store has not been created.");

    protected override async Task<IQmStore> CreateStoreAsync()
    {
        _database = await cluster.CreateDatabaseAsync();
        return new PostgresQmStore(_database.ConnectionString);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Fact]
    public async Task Object_json_comes_back_byte_for_byte_with_member_order_and_spacing_as_sent()
    {
        var body = System.Text.Encoding.UTF8.GetString(TestEvents.Bytes(TestEvents.Interaction("i-raw")))
            .Replace("\"object\":{", "\"object\":{ \"zz_unknown\" : [3, 1,  2],\n\"aa_unknown\":{\"b\":1, \"a\":2},", StringComparison.Ordinal);

        await Store.AppendAsync([Incoming(body)], CancellationToken.None);

        var record = Assert.Single(await Store.GetInteractionsAsync("i-raw", null, CancellationToken.None));
        Assert.Equal(Projection.ObjectJson(System.Text.Encoding.UTF8.GetBytes(body)), record.ObjectJson);
        Assert.StartsWith("{ \"zz_unknown\" : [3, 1,  2],\n\"aa_unknown\":{\"b\":1, \"a\":2},", record.ObjectJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Same_body_appended_at_once_through_two_replicas_is_stored_once()
    {
        await using var other = new PostgresQmStore(Database.ConnectionString);
        for (var round = 0; round < 25; round++)
        {
            var body = TestEvents.Bytes(TestEvents.Interaction($"i-{round}"));
            var results = await Task.WhenAll(
                Task.Run(() => Store.AppendAsync([IncomingEvent.FromBody(body, DateTimeOffset.UtcNow)], CancellationToken.None)),
                Task.Run(() => other.AppendAsync([IncomingEvent.FromBody(body, DateTimeOffset.UtcNow)], CancellationToken.None)));

            var outcomes = results.Select(r => Assert.Single(r)).ToList();
            Assert.Single(outcomes, o => !o.Duplicate);
            Assert.Single(outcomes.Select(o => o.EventId).Distinct());
        }

        Assert.Equal(25, (await Store.CountEventsAsync(CancellationToken.None))[EventStatus.Accepted]);
    }

    [Fact]
    public async Task Two_versions_appended_at_once_in_opposite_orders_converge_to_the_newer()
    {
        await using var other = new PostgresQmStore(Database.ConnectionString);
        for (var round = 0; round < 25; round++)
        {
            var older = Incoming(TestEvents.Interaction($"i-{round}", eventTs: 1_000, queueId: "q-old"));
            var newer = Incoming(TestEvents.Interaction($"i-{round}", eventTs: 2_000, queueId: "q-new"));
            var olderEvaluation = Incoming(TestEvents.Evaluation($"ev-{round}", $"i-{round}", eventTs: 1_000, ratio: 0.1));
            var newerEvaluation = Incoming(TestEvents.Evaluation($"ev-{round}", $"i-{round}", eventTs: 2_000, ratio: 0.9));

            await Task.WhenAll(
                Task.Run(() => Store.AppendAsync([older, newerEvaluation], CancellationToken.None)),
                Task.Run(() => other.AppendAsync([newer, olderEvaluation], CancellationToken.None)),
                Task.Run(() => other.AppendAsync([olderEvaluation, newer, older], CancellationToken.None)));

            var interaction = Assert.Single(await Store.GetInteractionsAsync($"i-{round}", null, CancellationToken.None));
            Assert.Equal(2_000, interaction.LastEventTs);
            Assert.Contains("\"q-new\"", interaction.ObjectJson, StringComparison.Ordinal);
            Assert.Equal(2_000, Assert.Single(await Store.GetEvaluationsAsync($"ev-{round}", null, CancellationToken.None)).LastEventTs);
        }

        Assert.Equal(100, (await Store.CountEventsAsync(CancellationToken.None))[EventStatus.Accepted]);
    }

    [Fact]
    public async Task Replicas_appending_duplicates_and_out_of_order_versions_in_parallel_converge_to_a_sequential_reproject()
    {
        var random = new Random(4);
        var distinct = new List<ZoomEvent>();
        for (var i = 0; i < 600; i++)
        {
            var id = $"i-{random.Next(10)}";
            distinct.Add(random.Next(2) == 0
                ? TestEvents.Interaction(id, eventTs: random.Next(1, 6) * 1000 + i, queueId: $"q-{random.Next(3)}", sentiment: random.Next(100))
                : TestEvents.Evaluation($"ev-{random.Next(10)}", id, eventTs: random.Next(1, 4) * 1000, ratio: random.Next(0, 101) / 100.0));
        }

        // Two generated events may have the same body: the log keeps one of those, so count bodies.
        var bodies = distinct.Select(e => Convert.ToHexString(IncomingEvent.ComputeDedupKey(TestEvents.Bytes(e)))).Distinct().Count();

        // Every delivery arrives one to three times, in a random order, spread over four replicas in random batches.
        var deliveries = distinct.SelectMany(e => Enumerable.Repeat(e, random.Next(1, 4))).OrderBy(_ => random.Next()).ToList();
        var replicas = new List<IQmStore> { Store };
        for (var r = 1; r < 4; r++)
        {
            replicas.Add(new PostgresQmStore(Database.ConnectionString));
        }

        var shares = Enumerable.Range(0, replicas.Count).Select(_ => new List<IncomingEvent[]>()).ToList();
        for (var at = 0; at < deliveries.Count;)
        {
            var size = random.Next(1, 24);
            shares[random.Next(replicas.Count)].Add(deliveries.Skip(at).Take(size).Select(Incoming).ToArray());
            at += size;
        }

        try
        {
            var outcomes = await Task.WhenAll(replicas.Select((replica, r) => Task.Run(async () =>
            {
                var results = new List<AppendResult>();
                foreach (var batch in shares[r])
                {
                    results.AddRange(await replica.AppendAsync(batch, CancellationToken.None));
                }

                return results;
            })));

            var all = outcomes.SelectMany(o => o).ToList();
            Assert.Equal(deliveries.Count, all.Count);
            Assert.Equal(bodies, all.Count(o => !o.Duplicate));
            Assert.Equal(bodies, all.Select(o => o.EventId).Distinct().Count());
            Assert.Equal(bodies, (await Store.CountEventsAsync(CancellationToken.None))[EventStatus.Accepted]);

            var live = await SnapshotAsync();
            await Store.ReprojectAsync(null, CancellationToken.None);
            Assert.Equal(await SnapshotAsync(), live);
            Assert.Equal(20, live.Count);
        }
        finally
        {
            foreach (var replica in replicas.Skip(1))
            {
                await replica.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Migrations_started_by_four_replicas_at_once_are_applied_once()
    {
        await using var fresh = await cluster.CreateDatabaseAsync();
        var replicas = Enumerable.Range(0, 4).Select(_ => new PostgresQmStore(fresh.ConnectionString)).ToList();
        try
        {
            var applied = await Task.WhenAll(replicas.Select(r => Task.Run(() => r.MigrateAsync(CancellationToken.None))));

            Assert.Single(applied, a => a.Count > 0);
            Assert.Equal(3, applied.Count(a => a.Count == 0));
            Assert.Equal(applied.Single(a => a.Count > 0).Count, Convert.ToInt64(await fresh.ScalarAsync("SELECT count(*) FROM schema_migrations"), System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Store_connections_plan_every_execution_for_its_own_parameters_and_keep_the_callers_options()
    {
        // A generic plan of the rollup statements read the whole interactions table once per batch (ingest slowed as it grew).
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(Database.ConnectionString) { Options = "-c statement_timeout=12345" };
        await using var store = new PostgresQmStore(builder.ConnectionString);
        await using var connection = new Npgsql.NpgsqlConnection(store.ConnectionString);
        await connection.OpenAsync();
        await using var show = new Npgsql.NpgsqlCommand("SELECT current_setting('plan_cache_mode') || ' ' || current_setting('statement_timeout')", connection);

        Assert.Equal("force_custom_plan 12345ms", await show.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Bodies_and_key_hashes_are_bytea_and_timestamps_bigint()
    {
        var types = await Database.ScalarAsync("""
            SELECT string_agg(table_name || '.' || column_name || ':' || data_type, ',' ORDER BY table_name, column_name) FROM information_schema.columns
            WHERE (table_name, column_name) IN (('events', 'body'), ('events', 'dedup_key'), ('events', 'received_at'), ('api_keys', 'key_hash'), ('interactions', 'last_event_ts'))
            """);

        Assert.Equal("api_keys.key_hash:bytea,events.body:bytea,events.dedup_key:bytea,events.received_at:bigint,interactions.last_event_ts:bigint", types);
    }

    [Fact]
    public async Task Unreachable_server_is_reported_not_writable()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var store = new PostgresQmStore($"Host=127.0.0.1;Port={port};Username=qmhub;Database=qmhub;Timeout=3");

        Assert.False(await store.IsWritableAsync(CancellationToken.None));
    }
}
