using QmHub.Hosting;
using QmHub.Storage;
using QmHub.Storage.Analytics;
using QmHub.Storage.Postgres;
using QmHub.Storage.Sqlite;

namespace QmHub.Analytics;

/// <summary>Registers the analytics store and settings.</summary>
public static class AnalyticsServices
{
    /// <summary>The analytics store of the configured engine and the <c>Analytics</c> settings, validated at start-up.</summary>
    public static IServiceCollection AddQmHubAnalytics(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AnalyticsOptions>().Bind(configuration.GetSection("Analytics")).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => StoreFor(sp.GetRequiredService<IQmStore>()));
        return services;
    }

    /// <summary>The analytics store of the engine <paramref name="store"/> writes to.</summary>
    /// <exception cref="InvalidSettingsException">The engine has no analytics.</exception>
    public static IAnalyticsStore StoreFor(IQmStore store) => store switch
    {
        SqliteQmStore sqlite => new SqliteAnalyticsStore(sqlite.FilePath),
        PostgresQmStore postgres => new PostgresAnalyticsStore(postgres),
        _ => throw new InvalidSettingsException([$"Db (--db): analytics are not available for {store.Description}."]),
    };
}
