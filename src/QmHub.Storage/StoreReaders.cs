using System.Data.Common;
using QmHub.Storage.Model;

namespace QmHub.Storage;

/// <summary>Reads the rows of the shared <see cref="StoreSql"/> queries, whichever engine ran them.</summary>
internal static class StoreReaders
{
    /// <summary>
    /// Reads the rows of a <see cref="RecordSql"/> query: the fifth column is <c>object_json</c>, or, when
    /// <paramref name="objectFromBody"/>, the version's event body, whose <c>payload.object</c> is cut out as received.
    /// </summary>
    public static async Task<IReadOnlyList<ProjectedRecord>> RecordsAsync(DbDataReader reader, bool objectFromBody, CancellationToken ct)
    {
        var records = new List<ProjectedRecord>();
        while (await reader.ReadAsync(ct))
        {
            var objectJson = !objectFromBody ? reader.GetString(4)
                : !reader.IsDBNull(4) ? Projection.ObjectJson(reader.GetFieldValue<byte[]>(4))
                : throw new InvalidDataException($"The projected record {reader.GetString(1)} (account {reader.GetString(0)}) names event {reader.GetInt64(3)}, which is not in the event log; `qmhub reproject` rebuilds the projections from the log.");
            records.Add(new ProjectedRecord(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), objectJson));
        }

        return records;
    }

    /// <summary>Reads <see cref="StoreSql.ListEvents"/>, which asks one row more than <paramref name="limit"/> to know whether a next page exists.</summary>
    public static async Task<EventPage> EventPageAsync(DbDataReader reader, int limit, CancellationToken ct)
    {
        var items = new List<StoredEvent>();
        while (await reader.ReadAsync(ct))
        {
            items.Add(new StoredEvent
            {
                Id = reader.GetInt64(0),
                ReceivedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                TrackingId = NullableString(reader, 2),
                SecretName = NullableString(reader, 3),
                EventName = NullableString(reader, 4),
                Kind = reader.GetString(5),
                RoutingNote = NullableString(reader, 6),
                AccountId = NullableString(reader, 7),
                EventTs = reader.IsDBNull(8) ? null : reader.GetInt64(8),
                Status = reader.GetString(9),
                Findings = Projection.ParseFindings(reader.GetString(10)),
                DedupKey = Convert.ToHexStringLower(reader.GetFieldValue<byte[]>(11)),
                BodyBytes = reader.GetInt64(12),
            });
        }

        var more = items.Count > limit;
        if (more)
        {
            items.RemoveAt(items.Count - 1);
        }

        return new EventPage(items, more ? Projection.EncodeCursor(items[^1].Id) : null);
    }

    /// <summary>Reads <see cref="StoreSql.CountEvents"/>: every status, zero when absent.</summary>
    public static async Task<IReadOnlyDictionary<EventStatus, long>> CountsAsync(DbDataReader reader, CancellationToken ct)
    {
        var counts = new Dictionary<EventStatus, long> { [EventStatus.Accepted] = 0, [EventStatus.Quarantined] = 0 };
        while (await reader.ReadAsync(ct))
        {
            counts[Projection.ParseStatus(reader.GetString(0))] = reader.GetInt64(1);
        }

        return counts;
    }

    /// <summary>Reads <see cref="StoreSql.ReadEventChunk"/>.</summary>
    public static async Task<List<LoggedEvent>> LoggedEventsAsync(DbDataReader reader, CancellationToken ct)
    {
        var rows = new List<LoggedEvent>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new LoggedEvent(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1), reader.GetString(2), reader.GetString(3)));
        }

        return rows;
    }

    /// <summary>Reads the rows of <see cref="StoreSql.ListApiKeys"/> and <see cref="StoreSql.FindActiveApiKey"/>.</summary>
    public static async Task<List<ApiKeyInfo>> KeysAsync(DbDataReader reader, CancellationToken ct)
    {
        var keys = new List<ApiKeyInfo>();
        while (await reader.ReadAsync(ct))
        {
            keys.Add(new ApiKeyInfo
            {
                Id = reader.GetInt64(0),
                Name = reader.GetString(1),
                Prefix = reader.GetString(2),
                Scope = reader.GetString(3),
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                RevokedAt = reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
            });
        }

        return keys;
    }

    /// <summary>Reads a duplicate's stored outcome: id, status and findings.</summary>
    public static AppendResult Duplicate(DbDataReader reader) =>
        new(reader.GetInt64(0), Projection.ParseStatus(reader.GetString(1)), Duplicate: true,
            Projection.ParseFindings(reader.GetString(2)).Select(f => f.ToFinding()).ToList());

    private static string? NullableString(DbDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
}
