using QmHub.Storage.Model;

namespace QmHub.Storage;

/// <summary>
/// QmHub's store: one contract, one engine per database. Every write is idempotent: appending the same
/// body twice stores it once, and a projection keeps the version with the greatest (event_ts, event id).
/// </summary>
public interface IQmStore : IAsyncDisposable
{
    /// <summary>A description for logs and errors, without credentials.</summary>
    string Description { get; }

    /// <summary>Applies every pending schema migration; returns the versions applied.</summary>
    Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Applies every pending schema migration and returns the versions applied; <paramref name="applying"/> is told
    /// those versions first, before the first of them runs (one that rewrites a large table takes minutes). It is
    /// not called when there is nothing to apply.
    /// </summary>
    Task<IReadOnlyList<int>> MigrateAsync(Action<IReadOnlyList<int>>? applying, CancellationToken cancellationToken);

    /// <summary>
    /// Appends a batch to the event log and updates the projections, in one durable transaction. The
    /// results are in the order of <paramref name="batch"/>.
    /// </summary>
    Task<IReadOnlyList<AppendResult>> AppendAsync(IReadOnlyList<IncomingEvent> batch, CancellationToken cancellationToken);

    /// <summary>Projected interactions with this id (one per account that has it).</summary>
    Task<IReadOnlyList<ProjectedRecord>> GetInteractionsAsync(string interactionId, string? accountId, CancellationToken cancellationToken);

    /// <summary>Projected evaluations with this id (one per account that has it).</summary>
    Task<IReadOnlyList<ProjectedRecord>> GetEvaluationsAsync(string evaluationId, string? accountId, CancellationToken cancellationToken);

    /// <summary>The evaluations of one interaction.</summary>
    Task<IReadOnlyList<ProjectedRecord>> GetEvaluationsOfInteractionAsync(string accountId, string interactionId, CancellationToken cancellationToken);

    /// <summary>The event log, newest first, keyset-paginated.</summary>
    Task<EventPage> ListEventsAsync(EventStatus? status, string? cursor, int limit, CancellationToken cancellationToken);

    /// <summary>The raw body of one logged event.</summary>
    Task<byte[]?> GetEventBodyAsync(long id, CancellationToken cancellationToken);

    /// <summary>Counts events by status.</summary>
    Task<IReadOnlyDictionary<EventStatus, long>> CountEventsAsync(CancellationToken cancellationToken);

    /// <summary>Re-parses every logged body and rebuilds the projections from scratch.</summary>
    Task<ReprojectResult> ReprojectAsync(IProgress<ReprojectProgress>? progress, CancellationToken cancellationToken);

    /// <summary>Whether the database accepts writes right now.</summary>
    Task<bool> IsWritableAsync(CancellationToken cancellationToken);

    /// <summary>Stores a new API key's hash.</summary>
    Task<ApiKeyInfo> CreateApiKeyAsync(string name, string prefix, byte[] keyHash, string scope, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Finds a key by its hash, revoked or not.</summary>
    Task<ApiKeyInfo?> FindApiKeyAsync(byte[] keyHash, CancellationToken cancellationToken);

    /// <summary>Finds a key that is not revoked by its hash.</summary>
    Task<ApiKeyInfo?> FindActiveApiKeyAsync(byte[] keyHash, CancellationToken cancellationToken);

    /// <summary>Every key, revoked ones too.</summary>
    Task<IReadOnlyList<ApiKeyInfo>> ListApiKeysAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Revokes the active key whose id, name or prefix is <paramref name="idOrName"/>, when exactly one is; returns 1, or 0
    /// (none, or several: an ambiguous value revokes nothing).
    /// </summary>
    Task<int> RevokeApiKeyAsync(string idOrName, DateTimeOffset now, CancellationToken cancellationToken);
}
