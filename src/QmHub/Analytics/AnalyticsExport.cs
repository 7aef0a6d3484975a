using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CsvHelper;

namespace QmHub.Analytics;

/// <summary>How a list is written.</summary>
public enum ExportFormat
{
    /// <summary>One JSON document with items and next_cursor (one page).</summary>
    Json,

    /// <summary>RFC 4180 CSV with a header row, every page, streamed.</summary>
    Csv,

    /// <summary>One JSON object per line, every page, streamed.</summary>
    Ndjson,
}

/// <summary>Streams every row of a list as CSV or NDJSON: rows are written as pages arrive, never gathered in memory.</summary>
public static class AnalyticsExport
{
    private static readonly ReadOnlyMemory<byte> NewLine = "\n"u8.ToArray();

    /// <summary>The format from <c>?format=</c>, else from the Accept header; null when <paramref name="format"/> names none we write.</summary>
    public static ExportFormat? Resolve(string? format, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!string.IsNullOrEmpty(format))
        {
            return format.ToLowerInvariant() switch
            {
                "json" => ExportFormat.Json,
                "csv" => ExportFormat.Csv,
                "ndjson" => ExportFormat.Ndjson,
                _ => null,
            };
        }

        var accept = request.Headers.Accept.ToString();
        return accept.Contains("text/csv", StringComparison.OrdinalIgnoreCase) ? ExportFormat.Csv
            : accept.Contains("application/x-ndjson", StringComparison.OrdinalIgnoreCase) ? ExportFormat.Ndjson
            : ExportFormat.Json;
    }

    /// <summary>Writes <paramref name="rows"/> as the response body in <paramref name="format"/> (CSV or NDJSON).</summary>
    public static IResult Stream<T>(ExportFormat format, IAsyncEnumerable<T> rows, IReadOnlyList<string> columns, Func<T, IEnumerable<object?>> values, JsonTypeInfo<T> json)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return format == ExportFormat.Csv
            ? Results.Stream(body => WriteCsvAsync(body, rows, columns, values), "text/csv; charset=utf-8")
            : Results.Stream(body => WriteNdjsonAsync(body, rows, json), "application/x-ndjson");
    }

    private static async Task WriteCsvAsync<T>(Stream body, IAsyncEnumerable<T> rows, IReadOnlyList<string> columns, Func<T, IEnumerable<object?>> values)
    {
        // Records go out through async flushes only: Kestrel refuses synchronous writes to a response.
        await using var csv = CsvWriter.Create(body, null, leaveOpen: true);
        await csv.WriteRecordAsync([.. columns]);
        await foreach (var row in rows)
        {
            await csv.WriteRecordAsync(values(row).Select(Text).ToArray());
        }

        await csv.FlushAsync();
    }

    private static async Task WriteNdjsonAsync<T>(Stream body, IAsyncEnumerable<T> rows, JsonTypeInfo<T> json)
    {
        await foreach (var row in rows)
        {
            await JsonSerializer.SerializeAsync(body, row, json);
            await body.WriteAsync(NewLine);
        }

        await body.FlushAsync();
    }

    private static string Text(object? value) => value switch
    {
        null => "",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
