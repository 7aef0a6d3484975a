using System.Text.Json;
using QmHub.Storage.Model;
using QmHub.Testing;
using QmHub.Zoom.Models;

namespace QmHub.Storage.Tests;

/// <summary>The behaviour every engine must show. Each engine's test class supplies a fresh, migrated store.</summary>
public abstract class StoreContractTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Received = DateTimeOffset.FromUnixTimeSeconds(1_764_000_000);

    protected IQmStore Store { get; private set; } = null!;

    protected abstract Task<IQmStore> CreateStoreAsync();

    public async Task InitializeAsync()
    {
        Store = await CreateStoreAsync();
        await Store.MigrateAsync(CancellationToken.None);
    }

    public virtual async Task DisposeAsync() => await Store.DisposeAsync();

    protected static IncomingEvent Incoming(ZoomEvent e) => IncomingEvent.FromBody(TestEvents.Bytes(e), Received, "track-1", "token1");

    protected static IncomingEvent Incoming(string body) => IncomingEvent.FromBody(System.Text.Encoding.UTF8.GetBytes(body), Received);

    [Fact]
    public async Task Migrations_are_idempotent()
    {
        var again = await Store.MigrateAsync(CancellationToken.None);
        Assert.Empty(again);
    }

    [Fact]
    public async Task Accepted_interaction_is_projected_with_every_member_as_received()
    {
        var e = TestEvents.Interaction("i-1");
        var results = await Store.AppendAsync([Incoming(e)], CancellationToken.None);

        Assert.Equal(EventStatus.Accepted, results[0].Status);
        Assert.False(results[0].Duplicate);
        var record = Assert.Single(await Store.GetInteractionsAsync("i-1", null, CancellationToken.None));
        Assert.Equal("acct-1", record.AccountId);
        Assert.Equal(e.EventTs, record.LastEventTs);
        using var expected = JsonDocument.Parse(TestEvents.Bytes(e));
        using var actual = JsonDocument.Parse(record.ObjectJson);
        Assert.True(JsonElement.DeepEquals(expected.RootElement.GetProperty("payload").GetProperty("object"), actual.RootElement));
    }

    [Fact]
    public async Task Same_body_twice_is_stored_once_and_reported_as_duplicate()
    {
        var first = Incoming(TestEvents.Interaction("i-1"));
        var second = Incoming(TestEvents.Interaction("i-1"));

        var results = await Store.AppendAsync([first, second], CancellationToken.None);
        var later = await Store.AppendAsync([Incoming(TestEvents.Interaction("i-1"))], CancellationToken.None);

        Assert.False(results[0].Duplicate);
        Assert.True(results[1].Duplicate);
        Assert.True(later[0].Duplicate);
        Assert.Equal(results[0].EventId, later[0].EventId);
        var counts = await Store.CountEventsAsync(CancellationToken.None);
        Assert.Equal(1, counts[EventStatus.Accepted]);
    }

    [Fact]
    public async Task Same_body_without_an_event_ts_twice_is_stored_once()
    {
        var results = await Store.AppendAsync([Incoming("not json"), Incoming("""{"event":"x"}"""), Incoming("not json")], CancellationToken.None);
        var later = await Store.AppendAsync([Incoming("""{"event":"x"}""")], CancellationToken.None);

        Assert.Equal([false, false, true], results.Select(r => r.Duplicate));
        Assert.Equal(results[0].EventId, results[2].EventId);
        Assert.True(later[0].Duplicate);
        Assert.Equal(results[1].EventId, later[0].EventId);
        Assert.Equal(2, (await Store.CountEventsAsync(CancellationToken.None))[EventStatus.Quarantined]);
    }

    [Fact]
    public async Task Older_version_arriving_late_never_overwrites_the_newer_one()
    {
        var newer = TestEvents.Interaction("i-1", eventTs: 2_000, queueId: "q-new");
        var older = TestEvents.Interaction("i-1", eventTs: 1_000, queueId: "q-old");

        await Store.AppendAsync([Incoming(newer)], CancellationToken.None);
        await Store.AppendAsync([Incoming(older)], CancellationToken.None);

        var record = Assert.Single(await Store.GetInteractionsAsync("i-1", null, CancellationToken.None));
        Assert.Equal(2_000, record.LastEventTs);
        Assert.Contains("\"q-new\"", record.ObjectJson, StringComparison.Ordinal);
        Assert.Equal(2, (await Store.CountEventsAsync(CancellationToken.None))[EventStatus.Accepted]);
    }

    [Fact]
    public async Task Evaluation_arriving_before_its_interaction_is_kept_and_joined_later()
    {
        await Store.AppendAsync([Incoming(TestEvents.Evaluation("ev-1", "i-1"))], CancellationToken.None);
        Assert.Empty(await Store.GetInteractionsAsync("i-1", null, CancellationToken.None));
        Assert.Single(await Store.GetEvaluationsAsync("ev-1", null, CancellationToken.None));

        await Store.AppendAsync([Incoming(TestEvents.Interaction("i-1"))], CancellationToken.None);

        var evaluations = await Store.GetEvaluationsOfInteractionAsync("acct-1", "i-1", CancellationToken.None);
        Assert.Equal("ev-1", Assert.Single(evaluations).Id);
    }

    [Fact]
    public async Task Invalid_event_is_quarantined_with_its_errors_and_not_projected()
    {
        var body = """{"event":"quality_management.evaluation_completed","event_ts":1764000000000,"payload":{"account_id":"a","object":{"interaction_id":"i-9"}}}""";

        var result = Assert.Single(await Store.AppendAsync([Incoming(body)], CancellationToken.None));

        Assert.Equal(EventStatus.Quarantined, result.Status);
        var page = await Store.ListEventsAsync(EventStatus.Quarantined, null, 10, CancellationToken.None);
        var stored = Assert.Single(page.Items);
        Assert.Contains(stored.Findings, f => f.Path == "payload.object.evaluation_id" && f.Severity == "error");
        Assert.Empty(await Store.GetEvaluationsOfInteractionAsync("a", "i-9", CancellationToken.None));
        Assert.Equal(body, System.Text.Encoding.UTF8.GetString((await Store.GetEventBodyAsync(stored.Id, CancellationToken.None))!));
    }

    [Fact]
    public async Task Empty_strings_empty_bodies_and_non_ascii_text_are_logged_as_sent()
    {
        // Routed by shape (an empty event name is a warning, not an error): the name is logged as "", not as null.
        var unnamed = System.Text.Encoding.UTF8.GetString(TestEvents.Bytes(TestEvents.Interaction("i-unnamed", accountId: "acct-é-😀")))
            .Replace("\"event\":\"quality_management.interaction_analysis_completed\"", "\"event\":\"\"", StringComparison.Ordinal);
        var incoming = new[] { Incoming(unnamed), IncomingEvent.FromBody(ReadOnlyMemory<byte>.Empty, Received, trackingId: "", secretName: "token1") };

        var results = await Store.AppendAsync(incoming, CancellationToken.None);

        Assert.Equal([EventStatus.Accepted, EventStatus.Quarantined], results.Select(r => r.Status));
        var page = await Store.ListEventsAsync(null, null, 10, CancellationToken.None);
        var named = Assert.Single(page.Items, e => e.Id == results[0].EventId);
        Assert.Equal("", named.EventName);
        Assert.Equal("acct-é-😀", named.AccountId);
        Assert.Null(named.TrackingId);
        var empty = Assert.Single(page.Items, e => e.Id == results[1].EventId);
        Assert.Equal("", empty.TrackingId);
        Assert.Equal(0, empty.BodyBytes);
        Assert.Empty((await Store.GetEventBodyAsync(empty.Id, CancellationToken.None))!);
        Assert.Equal(incoming[1].DedupKey, Convert.FromHexString(empty.DedupKey));
        Assert.Equal("acct-é-😀", Assert.Single(await Store.GetInteractionsAsync("i-unnamed", null, CancellationToken.None)).AccountId);
    }

    [Fact]
    public async Task Event_log_pages_newest_first_with_a_cursor()
    {
        for (var i = 0; i < 5; i++)
        {
            await Store.AppendAsync([Incoming(TestEvents.Interaction($"i-{i}"))], CancellationToken.None);
        }

        var first = await Store.ListEventsAsync(null, null, 2, CancellationToken.None);
        var second = await Store.ListEventsAsync(null, first.NextCursor, 2, CancellationToken.None);
        var third = await Store.ListEventsAsync(null, second.NextCursor, 2, CancellationToken.None);

        var ids = first.Items.Concat(second.Items).Concat(third.Items).Select(e => e.Id).ToList();
        Assert.Equal(ids.OrderDescending(), ids);
        Assert.Equal(5, ids.Distinct().Count());
        Assert.Null(third.NextCursor);
    }

    [Fact]
    public async Task Reproject_in_any_arrival_order_gives_the_same_projections_as_live_ingest()
    {
        var random = new Random(42);
        var events = new List<ZoomEvent>();
        for (var i = 0; i < 40; i++)
        {
            var id = $"i-{random.Next(10)}";
            events.Add(TestEvents.Interaction(id, eventTs: random.Next(1, 5) * 1000, queueId: $"q-{random.Next(3)}", sentiment: random.Next(100)));
            events.Add(TestEvents.Evaluation($"ev-{random.Next(10)}", id, eventTs: random.Next(1, 5) * 1000, ratio: random.Next(0, 101) / 100.0));
        }

        foreach (var chunk in events.OrderBy(_ => random.Next()).Chunk(7))
        {
            await Store.AppendAsync(chunk.Select(Incoming).ToList(), CancellationToken.None);
        }

        var live = await SnapshotAsync();
        var result = await Store.ReprojectAsync(null, CancellationToken.None);
        var rebuilt = await SnapshotAsync();

        Assert.Equal(live, rebuilt);
        Assert.Equal(result.Interactions, live.Count(l => l.StartsWith('I')));
    }

    [Fact]
    public async Task Api_keys_are_found_by_hash_until_revoked()
    {
        var hash = new byte[32];
        hash[0] = 7;
        var info = await Store.CreateApiKeyAsync("ci", "qmh_abcdefgh", hash, "read", Received, CancellationToken.None);

        Assert.Equal("ci", (await Store.FindActiveApiKeyAsync(hash, CancellationToken.None))?.Name);
        Assert.Equal(1, await Store.RevokeApiKeyAsync(info.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), Received, CancellationToken.None));
        Assert.Null(await Store.FindActiveApiKeyAsync(hash, CancellationToken.None));
        Assert.NotNull(Assert.Single(await Store.ListApiKeysAsync(CancellationToken.None)).RevokedAt);
    }

    [Fact]
    public async Task Store_reports_itself_writable()
    {
        Assert.True(await Store.IsWritableAsync(CancellationToken.None));
    }

    /// <summary>Every projected row of the interactions and evaluations seen so far, as comparable strings.</summary>
    protected async Task<List<string>> SnapshotAsync()
    {
        var rows = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            rows.AddRange((await Store.GetInteractionsAsync($"i-{i}", null, CancellationToken.None)).Select(r => $"I {r.AccountId} {r.Id} {r.LastEventTs} {r.EventId} {r.ObjectJson}"));
            rows.AddRange((await Store.GetEvaluationsAsync($"ev-{i}", null, CancellationToken.None)).Select(r => $"E {r.AccountId} {r.Id} {r.LastEventTs} {r.EventId} {r.ObjectJson}"));
        }

        return rows;
    }
}
