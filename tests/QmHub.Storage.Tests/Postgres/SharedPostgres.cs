using QmHub.Testing;

namespace QmHub.Storage.Tests.Postgres;

/// <summary>The test classes that share this assembly's PostgreSQL cluster.</summary>
[CollectionDefinition(Name)]
public sealed class SharedPostgres : ICollectionFixture<PostgresCluster>
{
    public const string Name = "PostgreSQL";
}
