using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;
using QmHub.Storage.Model;
using QmHub.Testing;

namespace QmHub.Tests;

/// <summary>What a PostgreSQL test database holds, read directly, and what a replica says about itself.</summary>
internal static class PostgresState
{
    /// <summary>How many of <paramref name="bodies"/> are not stored exactly once.</summary>
    public static async Task<int> NotStoredExactlyOnceAsync(PostgresTestDatabase database, IEnumerable<byte[]> bodies)
    {
        var keys = bodies.Select(b => IncomingEvent.ComputeDedupKey(b)).DistinctBy(Convert.ToHexString).ToArray();
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM events WHERE dedup_key = ANY(@keys) GROUP BY dedup_key HAVING count(*) = 1", connection);
        cmd.Parameters.AddWithValue("keys", keys);
        var once = 0;
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                once++;
            }
        }

        return keys.Length - once;
    }

    /// <summary>Every projected row, one line each, in key order; without the event log ids when asked.</summary>
    public static async Task<List<string>> ProjectionDumpAsync(string connectionString, bool withEventIds = true)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var rows = new List<string>();
        foreach (var sql in (string[])["SELECT * FROM interactions ORDER BY account_id, interaction_id", "SELECT * FROM evaluations ORDER BY account_id, evaluation_id"])
        {
            await using var cmd = new NpgsqlCommand(sql, connection);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var line = new StringBuilder();
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    if (withEventIds || reader.GetName(i) != "event_id")
                    {
                        line.Append(reader.GetName(i)).Append('=').Append(Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture)).Append('|');
                    }
                }

                rows.Add(line.ToString());
            }
        }

        return rows;
    }

    /// <summary>The replica's /readyz answer: its status and spool depth.</summary>
    public static async Task<(string Status, long SpoolDepth)> ReadinessAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/readyz");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (json.RootElement.GetProperty("status").GetString() ?? "", json.RootElement.GetProperty("spool_depth").GetInt64());
    }

    /// <summary>Polls /readyz until it says ready (spool drained, database writable); returns how long that took.</summary>
    public static async Task<TimeSpan> WaitUntilReadyAsync(HttpClient client, TimeSpan limit)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (watch.Elapsed < limit)
        {
            try
            {
                if ((await ReadinessAsync(client)).Status == "ready")
                {
                    return watch.Elapsed;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the replica did not become ready within {limit.TotalSeconds} s");
    }
}
