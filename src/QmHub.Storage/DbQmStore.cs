using System.Data.Common;
using QmHub.Storage.Model;

namespace QmHub.Storage;

/// <summary>
/// What the engines share: every read is a <see cref="StoreSql"/> query whose rows <see cref="StoreReaders"/> read.
/// An engine says only how a query gets a connection (<see cref="QueryAsync"/>) and implements the writes.
/// </summary>
public abstract class DbQmStore : IQmStore
{
    private protected DbQmStore()
    {
    }

    /// <inheritdoc />
    public abstract string Description { get; }

    /// <summary>How this engine reads its projected records: with <c>object_json</c> kept in the projection, by default.</summary>
    private protected virtual RecordSql Records => StoreSql.StoredObjects;

    /// <inheritdoc />
    public Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken) => MigrateAsync(null, cancellationToken);

    /// <inheritdoc />
    public abstract Task<IReadOnlyList<int>> MigrateAsync(Action<IReadOnlyList<int>>? applying, CancellationToken cancellationToken);

    /// <inheritdoc />
    public abstract Task<IReadOnlyList<AppendResult>> AppendAsync(IReadOnlyList<IncomingEvent> batch, CancellationToken cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<ProjectedRecord>> GetInteractionsAsync(string interactionId, string? accountId, CancellationToken cancellationToken) =>
        QueryAsync(Records.Interactions, [Column.Of("id", interactionId), Column.Of("account_id", accountId)], ReadRecordsAsync, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<ProjectedRecord>> GetEvaluationsAsync(string evaluationId, string? accountId, CancellationToken cancellationToken) =>
        QueryAsync(Records.Evaluations, [Column.Of("id", evaluationId), Column.Of("account_id", accountId)], ReadRecordsAsync, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<ProjectedRecord>> GetEvaluationsOfInteractionAsync(string accountId, string interactionId, CancellationToken cancellationToken) =>
        QueryAsync(Records.EvaluationsOfInteraction, [Column.Of("id", interactionId), Column.Of("account_id", accountId)], ReadRecordsAsync, cancellationToken);

    private Task<IReadOnlyList<ProjectedRecord>> ReadRecordsAsync(DbDataReader reader, CancellationToken ct) =>
        StoreReaders.RecordsAsync(reader, Records.ObjectFromBody, ct);

    /// <inheritdoc />
    public Task<EventPage> ListEventsAsync(EventStatus? status, string? cursor, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        // Keyset: the cursor seeks in the index (the first page starts below the largest id), never scans.
        var before = Projection.DecodeCursor(cursor) ?? long.MaxValue;
        return status is { } s
            ? QueryAsync(StoreSql.ListEventsByStatus, [Column.Of("status", s.Name()), Column.Of("before", before), Column.Of("limit", limit + 1L)],
                (reader, ct) => StoreReaders.EventPageAsync(reader, limit, ct), cancellationToken)
            : QueryAsync(StoreSql.ListEvents, [Column.Of("before", before), Column.Of("limit", limit + 1L)],
                (reader, ct) => StoreReaders.EventPageAsync(reader, limit, ct), cancellationToken);
    }

    /// <inheritdoc />
    public Task<byte[]?> GetEventBodyAsync(long id, CancellationToken cancellationToken) =>
        QueryAsync(StoreSql.SelectEventBody, [Column.Of("id", id)],
            async (reader, ct) => await reader.ReadAsync(ct) ? reader.GetFieldValue<byte[]>(0) : null, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<EventStatus, long>> CountEventsAsync(CancellationToken cancellationToken) =>
        QueryAsync(StoreSql.CountEvents, [], StoreReaders.CountsAsync, cancellationToken);

    /// <inheritdoc />
    public abstract Task<ReprojectResult> ReprojectAsync(IProgress<ReprojectProgress>? progress, CancellationToken cancellationToken);

    /// <inheritdoc />
    public abstract Task<bool> IsWritableAsync(CancellationToken cancellationToken);

    /// <inheritdoc />
    public abstract Task<ApiKeyInfo> CreateApiKeyAsync(string name, string prefix, byte[] keyHash, string scope, DateTimeOffset now, CancellationToken cancellationToken);

    /// <inheritdoc />
    public async Task<ApiKeyInfo?> FindApiKeyAsync(byte[] keyHash, CancellationToken cancellationToken) =>
        (await QueryAsync(StoreSql.FindApiKey, [Column.Of("key_hash", keyHash)], StoreReaders.KeysAsync, cancellationToken)).SingleOrDefault();

    /// <inheritdoc />
    public async Task<ApiKeyInfo?> FindActiveApiKeyAsync(byte[] keyHash, CancellationToken cancellationToken) =>
        (await QueryAsync(StoreSql.FindActiveApiKey, [Column.Of("key_hash", keyHash)], StoreReaders.KeysAsync, cancellationToken)).SingleOrDefault();

    /// <inheritdoc />
    public async Task<IReadOnlyList<ApiKeyInfo>> ListApiKeysAsync(CancellationToken cancellationToken) =>
        await QueryAsync(StoreSql.ListApiKeys, [], StoreReaders.KeysAsync, cancellationToken);

    /// <inheritdoc />
    public abstract Task<int> RevokeApiKeyAsync(string idOrName, DateTimeOffset now, CancellationToken cancellationToken);

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();

    /// <summary>Runs one read-only statement on a connection of its own and reads its rows with <paramref name="read"/>.</summary>
    private protected abstract Task<T> QueryAsync<T>(string sql, IReadOnlyList<Column> parameters, Func<DbDataReader, CancellationToken, Task<T>> read, CancellationToken cancellationToken);
}
