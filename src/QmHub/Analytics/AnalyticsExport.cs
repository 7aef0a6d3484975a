using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CsvHelper;
using Parquet;
using Parquet.Schema;

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

    /// <summary>Apache Parquet, one row group per page, streamed.</summary>
    Parquet,
}

/// <summary>A column of an export: its name and the type of its values (string, long, double or bool; any may be null).</summary>
public sealed record ExportColumn(string Name, Type Type)
{
    /// <summary>A text column.</summary>
    public static ExportColumn Text(string name) => new(name, typeof(string));

    /// <summary>A whole-number column.</summary>
    public static ExportColumn Whole(string name) => new(name, typeof(long));

    /// <summary>A floating-point column.</summary>
    public static ExportColumn Real(string name) => new(name, typeof(double));

    /// <summary>A yes/no column: <c>true</c> or <c>false</c> in CSV, a boolean in Parquet.</summary>
    public static ExportColumn Flag(string name) => new(name, typeof(bool));
}

/// <summary>What an export of rows of <typeparamref name="T"/> holds: its columns, each row's values in their order, and its NDJSON form.</summary>
public sealed record ExportTable<T>(IReadOnlyList<ExportColumn> Columns, Func<T, IEnumerable<object?>> Values, JsonTypeInfo<T> Json);

/// <summary>Streams every row of a list as CSV, NDJSON or Parquet: rows are written as pages arrive, never gathered whole in memory.</summary>
public static class AnalyticsExport
{
    private const int RowGroupRows = 1000;
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
                "parquet" => ExportFormat.Parquet,
                _ => null,
            };
        }

        var accept = request.Headers.Accept.ToString();
        return accept.Contains("text/csv", StringComparison.OrdinalIgnoreCase) ? ExportFormat.Csv
            : accept.Contains("application/x-ndjson", StringComparison.OrdinalIgnoreCase) ? ExportFormat.Ndjson
            : accept.Contains("application/vnd.apache.parquet", StringComparison.OrdinalIgnoreCase) ? ExportFormat.Parquet
            : ExportFormat.Json;
    }

    /// <summary>The message for a format we do not write.</summary>
    public static string FormatProblem(string? format) => $"format must be json, csv, ndjson or parquet, got '{format}'.";

    /// <summary>The content type of a response in <paramref name="format"/>.</summary>
    public static string ContentType(ExportFormat format) => format switch
    {
        ExportFormat.Csv => "text/csv; charset=utf-8",
        ExportFormat.Parquet => "application/vnd.apache.parquet",
        ExportFormat.Ndjson => "application/x-ndjson",
        _ => "application/json",
    };

    /// <summary>Writes <paramref name="rows"/> as the response body in <paramref name="format"/> (CSV, NDJSON or Parquet).</summary>
    public static IResult Stream<T>(ExportFormat format, IAsyncEnumerable<T> rows, ExportTable<T> table) =>
        Results.Stream(body => WriteAsync(body, format, rows, table, CancellationToken.None), ContentType(format));

    /// <summary>
    /// Writes <paramref name="rows"/> to <paramref name="output"/> in <paramref name="format"/> (CSV, NDJSON or Parquet) as they
    /// arrive: the one writer of the HTTP exports and of <c>qmhub export</c>.
    /// </summary>
    public static Task WriteAsync<T>(Stream output, ExportFormat format, IAsyncEnumerable<T> rows, ExportTable<T> table, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(table);
        return format switch
        {
            ExportFormat.Csv => WriteCsvAsync(output, rows.WithCancellation(ct), table.Columns, table.Values),
            ExportFormat.Parquet => WriteParquetAsync(output, rows.WithCancellation(ct), table.Columns, table.Values),
            ExportFormat.Ndjson => WriteNdjsonAsync(output, rows.WithCancellation(ct), table.Json),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "JSON is one page, not an export."),
        };
    }

    private static async Task WriteCsvAsync<T>(Stream body, ConfiguredCancelableAsyncEnumerable<T> rows, IReadOnlyList<ExportColumn> columns, Func<T, IEnumerable<object?>> values)
    {
        // Records go out through async flushes only: Kestrel refuses synchronous writes to a response.
        await using var csv = CsvWriter.Create(body, null, leaveOpen: true);
        await csv.WriteRecordAsync([.. columns.Select(c => c.Name)]);
        await foreach (var row in rows)
        {
            await csv.WriteRecordAsync(values(row).Select(Text).ToArray());
        }

        await csv.FlushAsync();
    }

    private static async Task WriteNdjsonAsync<T>(Stream body, ConfiguredCancelableAsyncEnumerable<T> rows, JsonTypeInfo<T> json)
    {
        await foreach (var row in rows)
        {
            await JsonSerializer.SerializeAsync(body, row, json);
            await body.WriteAsync(NewLine);
        }

        await body.FlushAsync();
    }

    private static async Task WriteParquetAsync<T>(Stream body, ConfiguredCancelableAsyncEnumerable<T> rows, IReadOnlyList<ExportColumn> columns, Func<T, IEnumerable<object?>> values)
    {
        var fields = columns.Select(c => new DataField(c.Name, c.Type, isNullable: true)).ToArray();
        // Parquet wants a stream with a position and writes synchronously: each row group is encoded into this
        // buffer, then sent with one asynchronous write.
        await using var buffer = new RowGroupBuffer();
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), buffer))
        {
            var batch = new List<object?[]>(RowGroupRows);
            await foreach (var row in rows)
            {
                batch.Add([.. values(row)]);
                if (batch.Count == RowGroupRows)
                {
                    await WriteRowGroupAsync(writer, columns, fields, batch);
                    await buffer.DrainToAsync(body);
                    batch.Clear();
                }
            }

            if (batch.Count > 0 || buffer.Position == 0)
            {
                await WriteRowGroupAsync(writer, columns, fields, batch);
            }
        }

        await buffer.DrainToAsync(body);
    }

    private static async Task WriteRowGroupAsync(ParquetWriter writer, IReadOnlyList<ExportColumn> columns, DataField[] fields, List<object?[]> batch)
    {
        using var group = writer.CreateRowGroup();
        for (var i = 0; i < fields.Length; i++)
        {
            var field = fields[i];
            if (columns[i].Type == typeof(string))
            {
                await group.WriteAsync(field, batch.Select(r => r[i] as string ?? (r[i] is { } v ? Text(v) : null)).ToArray()!);
            }
            else if (columns[i].Type == typeof(bool))
            {
                await group.WriteAsync<bool>(field, batch.Select(r => r[i] is bool v ? (bool?)v : null).ToArray());
            }
            else if (columns[i].Type == typeof(long))
            {
                await group.WriteAsync<long>(field, batch.Select(r => r[i] is { } v ? (long?)Convert.ToInt64(v, CultureInfo.InvariantCulture) : null).ToArray());
            }
            else
            {
                await group.WriteAsync<double>(field, batch.Select(r => r[i] is { } v ? (double?)Convert.ToDouble(v, CultureInfo.InvariantCulture) : null).ToArray());
            }
        }
    }

    private static string Text(object? value) => value switch
    {
        null => "",
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.ToString("O", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        string s => SpreadsheetSafe(s),
        _ => SpreadsheetSafe(value.ToString() ?? ""),
    };

    /// <summary>
    /// Text from Zoom (agent, queue and disposition names) that a spreadsheet would run as a formula (= + - @, or a tab
    /// or carriage return first) gets a leading apostrophe, OWASP's escape for CSV injection: the sheet then shows it
    /// as text. Numbers are written by the branches above and never escaped.
    /// </summary>
    internal static string SpreadsheetSafe(string text) =>
        text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + text : text;

    /// <summary>A write-only stream that keeps what was written since the last drain, and counts every byte for <see cref="Position"/>.</summary>
    private sealed class RowGroupBuffer : Stream
    {
        private readonly MemoryStream _pending = new();
        private long _drained;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _drained + _pending.Length;

        public override long Position
        {
            get => Length;
            set => throw new NotSupportedException();
        }

        public async Task DrainToAsync(Stream destination)
        {
            _pending.Position = 0;
            await _pending.CopyToAsync(destination);
            await destination.FlushAsync();
            _drained += _pending.Length;
            _pending.SetLength(0);
        }

        public override void Write(byte[] buffer, int offset, int count) => _pending.Write(buffer, offset, count);

        public override void Write(ReadOnlySpan<byte> buffer) => _pending.Write(buffer);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            _pending.WriteAsync(buffer, offset, count, cancellationToken);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _pending.WriteAsync(buffer, cancellationToken);

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _pending.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
