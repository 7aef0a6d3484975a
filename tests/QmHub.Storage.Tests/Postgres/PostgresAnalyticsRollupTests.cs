using System.Globalization;
using Npgsql;
using QmHub.Storage.Analytics;
using QmHub.Storage.Model;
using QmHub.Storage.Postgres;
using QmHub.Testing;
using QmHub.Zoom;
using QmHub.Zoom.Models;

namespace QmHub.Storage.Tests.Postgres;

/// <summary>
/// The rollup tests on a real PostgreSQL server, plus what only a shared database must show: replicas writing
/// conflicting versions of the same interactions at once end with the rollups a from-scratch GROUP BY gives.
/// </summary>
[Collection(SharedPostgres.Name)]
public sealed class PostgresAnalyticsRollupTests(PostgresCluster cluster) : AnalyticsRollupTests
{
    private PostgresTestDatabase? _database;

    private PostgresTestDatabase Database => _database ?? throw new InvalidOperationException("The database has not been created.");

    public override async Task InitializeAsync() => _database = await cluster.CreateDatabaseAsync();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    protected override IQmStore OpenStore() => new PostgresQmStore(Database.ConnectionString);

    protected override IAnalyticsStore OpenAnalytics(IQmStore store) => new PostgresAnalyticsStore((PostgresQmStore)store);

    protected override Task UndoAnalyticsMigrationAsync() => Database.ScalarAsync("""
        DROP TABLE analytics_hourly, agent_identities, analytics_queues;
        DROP INDEX interactions_by_queue_start, interactions_by_agent_start;
        DELETE FROM schema_migrations WHERE version = 2;
        """);

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public async Task Replicas_ingesting_conflicting_versions_at_once_end_with_the_rollups_of_a_group_by_from_scratch(int seed)
    {
        var random = new Random(seed);
        var store = await OpenMigratedAsync();
        var events = Generated(seed, random);
        // Every interaction and evaluation also arrives as further versions racing each other on the two
        // replicas: moved across hours, queues and agents, evaluations re-pointed or unlinked.
        var interactions = events.OfType<InteractionAnalysisCompletedEvent>().ToList();
        var racing = new List<ZoomEvent>();
        foreach (var e in interactions.DistinctBy(e => e.Payload.Object.InteractionInfo.InteractionId).Take(150))
        {
            for (var v = 0; v < 3; v++)
            {
                var donor = interactions[random.Next(interactions.Count)].Payload.Object;
                var o = e.Payload.Object;
                racing.Add(e with
                {
                    EventTs = e.EventTs + 100_000 + random.Next(0, 3) * 1_000,
                    Payload = e.Payload with
                    {
                        Object = o with
                        {
                            StartTime = (o.StartedAt ?? Start).AddHours(random.Next(-5, 5)).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                            QueueId = donor.QueueId,
                            InteractionInfo = o.InteractionInfo with { AgentName = donor.InteractionInfo.AgentName },
                            Duration = random.Next(30, 900),
                        },
                    },
                });
            }
        }

        foreach (var e in events.OfType<EvaluationCompletedEvent>().Take(150))
        {
            for (var v = 0; v < 3; v++)
            {
                var target = interactions[random.Next(interactions.Count)].Payload.Object.InteractionInfo.InteractionId;
                racing.Add(e with
                {
                    EventTs = e.EventTs + 100_000 + random.Next(0, 3) * 1_000,
                    Payload = e.Payload with { Object = e.Payload.Object with { InteractionId = random.NextDouble() < 0.1 ? null : target, EvaluationScoreRatio = random.Next(0, 101) / 100.0 } },
                });
            }
        }

        var all = events.Concat(racing).OrderBy(_ => random.Next()).ToList();
        await using var second = new PostgresQmStore(Database.ConnectionString);
        var replicas = new IQmStore[] { store, second };
        var shares = replicas.Select(_ => new List<ZoomEvent[]>()).ToList();
        for (var at = 0; at < all.Count;)
        {
            var size = random.Next(1, 40);
            shares[random.Next(replicas.Length)].Add(all.Skip(at).Take(size).ToArray());
            at += size;
        }

        await Task.WhenAll(replicas.Select((replica, r) => Task.Run(async () =>
        {
            foreach (var batch in shares[r])
            {
                await replica.AppendAsync(batch.Select(e => IncomingEvent.FromBody(ZoomJson.SerializeToUtf8Bytes(e), DateTimeOffset.UtcNow)).ToList(), CancellationToken.None);
            }
        })));

        Assert.Empty(await RollupsUnlikeGroupByAsync());
        await AssertSameAnswersAsync(Analytics(store), random);
    }

    [Fact]
    public async Task Reproject_on_one_replica_while_another_ingests_ends_with_the_rollups_of_a_group_by_from_scratch()
    {
        var random = new Random(21);
        var store = await OpenMigratedAsync();
        var events = Generated(21, random);
        await LoadAsync(store, events, random);
        var logged = (await store.CountEventsAsync(CancellationToken.None)).Values.Sum();
        // The other replica's deliveries are of another account: rollup rows, projections and events the reproject has not seen.
        var late = events.Select(e => e switch
        {
            InteractionAnalysisCompletedEvent i => (ZoomEvent)(i with { Payload = i.Payload with { AccountId = "acct-late" } }),
            EvaluationCompletedEvent v => v with { Payload = v.Payload with { AccountId = "acct-late" } },
            _ => e,
        }).ToList();
        await using var second = new PostgresQmStore(Database.ConnectionString);

        var reproject = Task.Run(() => store.ReprojectAsync(null, CancellationToken.None));
        foreach (var batch in late.Chunk(16))
        {
            await second.AppendAsync(batch.Select(e => IncomingEvent.FromBody(ZoomJson.SerializeToUtf8Bytes(e), DateTimeOffset.UtcNow)).ToList(), CancellationToken.None);
        }

        var result = await reproject;
        Assert.True(result.Events >= logged, "the reproject saw what was logged before it started");
        Assert.Equal(2 * logged, (await store.CountEventsAsync(CancellationToken.None)).Values.Sum());
        Assert.Empty(await RollupsUnlikeGroupByAsync());
    }

    [Fact]
    public async Task Rollup_counts_are_bigint_and_score_sums_double_precision()
    {
        await OpenMigratedAsync();
        var types = await Database.ScalarAsync("""
            SELECT string_agg(column_name || ':' || data_type, ',' ORDER BY column_name) FROM information_schema.columns
            WHERE table_name = 'analytics_hourly' AND column_name IN ('hour', 'interactions', 'handle_s_sum', 'sentiment_sum', 'ratio_sum')
            """);

        Assert.Equal("handle_s_sum:bigint,hour:bigint,interactions:bigint,ratio_sum:double precision,sentiment_sum:double precision", types);
    }

    /// <summary>
    /// The rollup rows that differ from a GROUP BY over the projections computed from scratch (score sums to six
    /// decimals), both ways; rows that count nothing must not be left behind either.
    /// </summary>
    private async Task<List<string>> RollupsUnlikeGroupByAsync()
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await using (var copy = new NpgsqlCommand("CREATE TEMP TABLE kept AS SELECT * FROM analytics_hourly; DELETE FROM analytics_hourly;", connection, tx))
        {
            await copy.ExecuteNonQueryAsync();
        }

        await using (var rebuild = new NpgsqlCommand(PostgresAnalyticsSql.RebuildHourly, connection, tx))
        {
            rebuild.Parameters.Add(PostgresRollups.SentimentTarget());
            await rebuild.ExecuteNonQueryAsync();
        }

        const string Rounded = """
            SELECT hour, account_id, agent_name, agent_user_id, queue_id, channel_type, direction, interactions, handle_s_sum, handle_n,
                round(sentiment_sum::numeric, 6), sentiment_n, below_target_n, round(engagement_sum::numeric, 6), engagement_n, silence_sum, silence_n,
                hold_sum, hold_n, crosstalk_sum, crosstalk_n, evaluations, evaluations_manual, evaluations_automated, round(ratio_sum::numeric, 6),
                ratio_n, evaluated_interactions
            """;
        var differences = new List<string>();
        await using (var compare = new NpgsqlCommand(
            $"SELECT 'kept', * FROM ({Rounded} FROM kept EXCEPT {Rounded} FROM analytics_hourly) k UNION ALL SELECT 'rebuilt', * FROM ({Rounded} FROM analytics_hourly EXCEPT {Rounded} FROM kept) r",
            connection, tx))
        await using (var reader = await compare.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var values = new object[reader.FieldCount];
                reader.GetValues(values);
                differences.Add(string.Join('|', values));
            }
        }

        await using (var count = new NpgsqlCommand("SELECT count(*) FROM kept", connection, tx))
        {
            Assert.True((long)(await count.ExecuteScalarAsync() ?? 0L) > 100, "the data set is not trivial");
        }

        await tx.RollbackAsync();
        return differences;
    }
}
