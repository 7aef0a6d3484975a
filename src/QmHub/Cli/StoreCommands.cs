using System.CommandLine;
using QmHub.Hosting;
using QmHub.Keys;
using QmHub.Storage;
using QmHub.Storage.Model;
using Spectre.Console;

namespace QmHub.Cli;

/// <summary>Commands that work on the database directly: migrate, reproject, keys.</summary>
internal static class StoreCommands
{
    public static Command Migrate()
    {
        var db = CommonOptions.Db();
        var command = new Command("migrate", "Apply pending schema migrations (serve also does this at start-up).") { db };
        command.SetAction(async (result, ct) =>
        {
            var configuration = QmHubConfiguration.Build(CommonOptions.Flags(result, ("Db", db)));
            await using var store = StoreFactory.Open(QmHubConfiguration.BindOptions(configuration, requireSecrets: false).Db);
            // A migration that rewrites a large table takes minutes (docs/benchmarks.md): say what is going on meanwhile.
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var applied = await AnsiConsole.Status().StartAsync($"Migrating the schema of {Markup.Escape(store.Description)}...",
                _ => store.MigrateAsync(
                    versions => AnsiConsole.MarkupLineInterpolated(System.Globalization.CultureInfo.InvariantCulture,
                        $"Applying migration(s) {string.Join(", ", versions)} to {store.Description} (one that rewrites a large table takes minutes)..."),
                    ct));
            var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            if (applied.Count == 0)
            {
                AnsiConsole.MarkupLineInterpolated(System.Globalization.CultureInfo.InvariantCulture, $"[green]Schema of {store.Description} was already up to date.[/]");
            }
            else
            {
                AnsiConsole.MarkupLineInterpolated(System.Globalization.CultureInfo.InvariantCulture,
                    $"[green]Applied migration(s) {string.Join(", ", applied)} to {store.Description} in {elapsed.TotalSeconds:F1} s; the schema is up to date.[/]");
            }

            return 0;
        });
        return command;
    }

    public static Command Reproject()
    {
        var db = CommonOptions.Db();
        var command = new Command("reproject", "Re-validate every logged delivery and rebuild every projection from the event log.") { db };
        command.SetAction(async (result, ct) =>
        {
            await using var store = await OpenAsync(result, db, ct);
            ReprojectResult? outcome = null;
            await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async ctx =>
                {
                    var task = ctx.AddTask("Reprojecting events");
                    outcome = await store.ReprojectAsync(new ProgressTaskReporter(task), ct);
                    task.Value = task.MaxValue;
                });
            AnsiConsole.MarkupLineInterpolated(System.Globalization.CultureInfo.InvariantCulture,
                $"Reprojected [bold]{outcome!.Events}[/] events ({outcome.Accepted} accepted, {outcome.Quarantined} quarantined): {outcome.Interactions} interactions, {outcome.Evaluations} evaluations.");
            return 0;
        });
        return command;
    }

    public static Command Keys()
    {
        var keys = new Command("keys", "Manage API keys (only a hash is stored; a new key is shown once).");

        var db = CommonOptions.Db();
        var name = new Option<string>("--name") { Description = "A label for the key (who or what uses it).", Required = true };
        var scope = new Option<string>("--scope") { Description = "read or admin.", DefaultValueFactory = _ => ApiKeyScopes.Read };
        scope.AcceptOnlyFromAmong(ApiKeyScopes.Read, ApiKeyScopes.Admin);
        var create = new Command("create", "Create a key and print it once.") { db, name, scope };
        create.SetAction(async (result, ct) =>
        {
            await using var store = await OpenAsync(result, db, ct);
            var (key, info) = await new ApiKeyService(store, TimeProvider.System).CreateAsync(result.GetRequiredValue(name), result.GetRequiredValue(scope), ct);
            AnsiConsole.MarkupLineInterpolated(System.Globalization.CultureInfo.InvariantCulture, $"Created {info.Scope} key #{info.Id} '{info.Name}'. Store it now; it is not shown again:");
            Console.WriteLine(key);
            return 0;
        });

        var listDb = CommonOptions.Db();
        var list = new Command("list", "List keys (never the keys themselves).") { listDb };
        list.SetAction(async (result, ct) =>
        {
            await using var store = await OpenAsync(result, listDb, ct);
            var table = new Table().AddColumns("id", "name", "prefix", "scope", "created", "revoked");
            foreach (var k in await store.ListApiKeysAsync(ct))
            {
                table.AddRow(k.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(k.Name), k.Prefix, k.Scope,
                    k.CreatedAt.ToString("u", System.Globalization.CultureInfo.InvariantCulture),
                    k.RevokedAt?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "");
            }

            AnsiConsole.Write(table);
            return 0;
        });

        var revokeDb = CommonOptions.Db();
        var which = new Argument<string>("key") { Description = "The key's id, name or prefix." };
        var revoke = new Command("revoke", "Revoke a key; requests with it get 401 from then on.") { revokeDb, which };
        revoke.SetAction(async (result, ct) =>
        {
            await using var store = await OpenAsync(result, revokeDb, ct);
            var value = result.GetRequiredValue(which);
            var (revoked, matches) = await new ApiKeyService(store, TimeProvider.System).RevokeAsync(value, ct);
            if (revoked is null)
            {
                await Console.Error.WriteLineAsync(matches.Count > 1
                    ? $"'{value}' is the id, name or prefix of {matches.Count} active keys ({ApiKeyService.Describe(matches)}); nothing was revoked. Revoke one by its id ('qmhub keys list' shows them)."
                    : $"No active key has the id, name or prefix '{value}'.");
                return 1;
            }

            AnsiConsole.MarkupLineInterpolated(System.Globalization.CultureInfo.InvariantCulture, $"Revoked {revoked.Scope} key #{revoked.Id} '{revoked.Name}' ({revoked.Prefix}).");
            return 0;
        });

        keys.Subcommands.Add(create);
        keys.Subcommands.Add(list);
        keys.Subcommands.Add(revoke);
        return keys;
    }

    /// <summary>Opens the configured store (flags, QMHUB_* variables, appsettings.json) and applies pending migrations.</summary>
    /// <param name="mustExist">Refuse a SQLite file that does not exist yet (a report read from a database created empty
    /// by the command itself is a typo in --db, not an empty contact center).</param>
    internal static async Task<IQmStore> OpenAsync(ParseResult result, Option<string?> db, CancellationToken ct, bool mustExist = false)
    {
        var configuration = QmHubConfiguration.Build(CommonOptions.Flags(result, ("Db", db)));
        var options = QmHubConfiguration.BindOptions(configuration, requireSecrets: false);
        if (mustExist && !Storage.Postgres.PostgresConnectionString.IsPostgres(options.Db) && !File.Exists(options.Db))
        {
            throw new InvalidSettingsException([$"Db (--db, QMHUB_DB): {Path.GetFullPath(options.Db)} does not exist; give the database QmHub serves "
                + "(after 'qmhub demo' it is qmhub-demo.db)."]);
        }

        var store = StoreFactory.Open(options.Db);
        await store.MigrateAsync(ct);
        return store;
    }

    private sealed class ProgressTaskReporter(ProgressTask task) : IProgress<ReprojectProgress>
    {
        public void Report(ReprojectProgress value)
        {
            task.MaxValue = Math.Max(1, value.Total);
            task.Value = value.Done;
        }
    }
}
