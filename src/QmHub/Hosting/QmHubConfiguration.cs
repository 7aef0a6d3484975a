using System.Collections;

namespace QmHub.Hosting;

/// <summary>
/// Layers QmHub's configuration, the same for every command: appsettings.json shipped beside the binary,
/// appsettings.json in the working directory, environment variables (plain, then <c>QMHUB_*</c> and
/// <c>ZOOM_WEBHOOK_SECRET_TOKEN</c>), then flags.
/// </summary>
public static class QmHubConfiguration
{
    /// <summary>The prefix of QmHub's environment variables.</summary>
    public const string EnvironmentPrefix = "QMHUB_";

    /// <summary>Adds QmHub's sources to <paramref name="builder"/>, flags last so that they win.</summary>
    public static IConfigurationBuilder AddQmHubSources(this IConfigurationBuilder builder, IReadOnlyDictionary<string, string?> flags)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false);
        builder.AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true, reloadOnChange: false);
        builder.AddEnvironmentVariables();
        builder.AddInMemoryCollection(FromEnvironment(Environment.GetEnvironmentVariables()));
        builder.AddInMemoryCollection(flags);
        return builder;
    }

    /// <summary>Builds a stand-alone configuration (for commands other than serve).</summary>
    public static IConfiguration Build(IReadOnlyDictionary<string, string?> flags) =>
        new ConfigurationBuilder().AddQmHubSources(flags).Build();

    /// <summary>Binds and validates the options, throwing with every failure listed.</summary>
    public static QmHubOptions BindOptions(IConfiguration configuration, bool requireSecrets)
    {
        var options = new QmHubOptions();
        try
        {
            configuration.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            // "Failed to convert configuration value '4k' at 'QueueCapacity' to type 'System.Int32'."
            var setting = System.Text.RegularExpressions.Regex.Match(ex.Message, "at '([A-Za-z]+)'") is { Success: true } m ? m.Groups[1].Value : "QueueCapacity";
            throw new InvalidSettingsException([$"{ex.Message} Settings come from flags, QMHUB_* variables ({EnvironmentName(setting)} sets {setting}) and appsettings.json."]);
        }

        var result = new QmHubOptionsValidator().Validate(null, options);
        var failures = (result.Failures ?? []).Where(f => requireSecrets || !f.StartsWith("No Zoom webhook secret", StringComparison.Ordinal)).ToList();
        if (failures.Count > 0)
        {
            throw new InvalidSettingsException(failures);
        }

        return options;
    }

    /// <summary>The environment variable of a setting: <c>AckTimeoutSeconds</c> is <c>QMHUB_ACK_TIMEOUT_SECONDS</c>.</summary>
    internal static string EnvironmentName(string setting) =>
        EnvironmentPrefix + string.Concat(setting.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : char.ToUpperInvariant(c).ToString()));

    /// <summary>
    /// <c>QMHUB_WEBHOOK_PATH</c> becomes <c>WebhookPath</c> (underscores dropped, matched without case),
    /// <c>QMHUB_SECRETS__0__TOKEN</c> becomes <c>Secrets:0:Token</c>.
    /// </summary>
    internal static Dictionary<string, string?> FromEnvironment(IDictionary variables)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in variables)
        {
            var name = (string)entry.Key;
            if (name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            {
                var key = string.Join(':', name[EnvironmentPrefix.Length..].Split("__").Select(part => part.Replace("_", "", StringComparison.Ordinal)));
                values[key] = (string?)entry.Value;
            }
        }

        if (variables["ZOOM_WEBHOOK_SECRET_TOKEN"] is string { Length: > 0 } zoom && !values.ContainsKey("SecretTokens"))
        {
            values["SecretTokens"] = zoom;
        }

        return values;
    }
}

/// <summary>Settings that failed validation; the message lists each with the setting's name.</summary>
public sealed class InvalidSettingsException(IReadOnlyList<string> failures)
    : Exception("Invalid settings:" + Environment.NewLine + string.Join(Environment.NewLine, failures.Select(f => "  - " + f)))
{
    /// <summary>Each failure.</summary>
    public IReadOnlyList<string> Failures { get; } = failures;
}
