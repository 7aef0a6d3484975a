using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using QmHub.Zoom;
using QmHub.Zoom.Parsing;

namespace QmHub.Simulation;

/// <summary>A delivery read back from an NDJSON file, with the headers it was recorded with.</summary>
/// <param name="Delivery">The delivery; its body is byte for byte the recorded one.</param>
/// <param name="Headers">The headers as recorded (empty when the file was written without a secret). Replay signs afresh.</param>
public sealed record RecordedDelivery(SimulatedDelivery Delivery, IReadOnlyList<KeyValuePair<string, string>> Headers);

/// <summary>
/// Writes deliveries as NDJSON, one JSON object a line:
/// <code>
/// {"sequence":1,"event":"quality_management.interaction_analysis_completed","fault":[],"scheduled_at":"2026-03-02T14:03:12.345Z",
///  "tracking_id":"…","account_id":"…","interaction_id":"…","headers":{"content-type":"…","user-agent":"…",
///  "x-zm-request-timestamp":"…","x-zm-signature":"v0=…","x-zm-trackingid":"…"},"body":"{\"event\":…}"}
/// </code>
/// The body is a JSON string holding the exact body text, so the file stays readable and greppable; JSON
/// strings carry any valid UTF-8 exactly, so the bytes round-trip. A body that is not valid UTF-8 is
/// written as <c>"body_base64"</c> instead. <c>invalid_reason</c> appears for invalid payloads;
/// <c>headers</c> only when a signer is given.
/// </summary>
public sealed class NdjsonDeliveryWriter : IAsyncDisposable
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly DeliverySigner? _signer;
    private readonly Utf8JsonWriter _json;
    private readonly MemoryStream _line = new();

    /// <summary>Writes to <paramref name="stream"/>.</summary>
    /// <param name="stream">The destination.</param>
    /// <param name="signer">Signs each delivery for its <c>headers</c> (at write time); without one no headers are written.</param>
    /// <param name="ownsStream">Whether disposing the writer disposes the stream.</param>
    public NdjsonDeliveryWriter(Stream stream, DeliverySigner? signer = null, bool ownsStream = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _signer = signer;
        _ownsStream = ownsStream;
        _json = new Utf8JsonWriter(_line, WriterOptions);
    }

    /// <summary>Creates (or overwrites) a file and writes to it.</summary>
    public static NdjsonDeliveryWriter Create(string path, DeliverySigner? signer = null) =>
        new(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 64 * 1024, useAsync: true), signer, ownsStream: true);

    /// <summary>Deliveries written so far.</summary>
    public long Written { get; private set; }

    /// <summary>Writes one delivery as one line.</summary>
    public async ValueTask WriteAsync(SimulatedDelivery delivery, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        _line.SetLength(0);
        _json.Reset(_line);
        _json.WriteStartObject();
        _json.WriteNumber("sequence", delivery.Sequence);
        _json.WriteString("event", NdjsonNames.EventName(delivery.Kind));
        _json.WriteStartArray("fault");
        foreach (var fault in FaultStatistics.Faults.Where(f => delivery.Fault.HasFlag(f)))
        {
            _json.WriteStringValue(fault.ToString());
        }

        _json.WriteEndArray();
        _json.WriteString("scheduled_at", delivery.ScheduledAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        _json.WriteString("tracking_id", delivery.TrackingId);
        _json.WriteString("account_id", delivery.AccountId);
        _json.WriteString("interaction_id", delivery.InteractionId);
        if (delivery.InvalidReason is not null)
        {
            _json.WriteString("invalid_reason", delivery.InvalidReason);
        }

        if (_signer is not null)
        {
            _json.WriteStartObject("headers");
            foreach (var (name, value) in _signer.Sign(delivery).All)
            {
                _json.WriteString(name, value);
            }

            _json.WriteEndObject();
        }

        if (Utf8.IsValid(delivery.Body.Span))
        {
            _json.WriteString("body", delivery.Body.Span);
        }
        else
        {
            _json.WriteBase64String("body_base64", delivery.Body.Span);
        }

        _json.WriteEndObject();
        await _json.FlushAsync(cancellationToken);
        _line.WriteByte((byte)'\n');
        await _stream.WriteAsync(_line.GetBuffer().AsMemory(0, (int)_line.Length), cancellationToken);
        Written++;
    }

    /// <summary>Writes every delivery and flushes.</summary>
    public async Task WriteAllAsync(IEnumerable<SimulatedDelivery> deliveries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        foreach (var delivery in deliveries)
        {
            await WriteAsync(delivery, cancellationToken);
        }

        await _stream.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Yields every delivery after writing it, so that one stream can be recorded and sent at once
    /// (<c>simulate --url … --out …</c>): <c>sender.SendAsync(writer.WriteThroughAsync(deliveries))</c>.
    /// </summary>
    public async IAsyncEnumerable<SimulatedDelivery> WriteThroughAsync(IEnumerable<SimulatedDelivery> deliveries, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        foreach (var delivery in deliveries)
        {
            await WriteAsync(delivery, cancellationToken);
            yield return delivery;
        }

        await _stream.FlushAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _json.DisposeAsync();
        await _line.DisposeAsync();
        await _stream.FlushAsync();
        if (_ownsStream)
        {
            await _stream.DisposeAsync();
        }
    }
}

/// <summary>Reads the files <see cref="NdjsonDeliveryWriter"/> writes.</summary>
public static class NdjsonDeliveryReader
{
    /// <summary>Reads deliveries with their recorded headers, line by line; blank lines are skipped.</summary>
    /// <exception cref="FormatException">A line is not a delivery record; the message gives the line number and what is wrong.</exception>
    public static async IAsyncEnumerable<RecordedDelivery> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        var lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            yield return ParseLine(line, lineNumber);
        }
    }

    /// <summary>Reads the deliveries of a file, for replay.</summary>
    public static async IAsyncEnumerable<SimulatedDelivery> ReadDeliveriesAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
        await foreach (var recorded in ReadAsync(file, cancellationToken))
        {
            yield return recorded.Delivery;
        }
    }

    private static RecordedDelivery ParseLine(string line, int lineNumber)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            byte[] body = root.TryGetProperty("body", out var text)
                ? Encoding.UTF8.GetBytes(text.GetString() ?? string.Empty)
                : root.TryGetProperty("body_base64", out var base64) ? base64.GetBytesFromBase64()
                : throw new FormatException("it has neither body nor body_base64");
            var fault = DeliveryFault.None;
            foreach (var name in root.GetProperty("fault").EnumerateArray())
            {
                fault |= Enum.TryParse<DeliveryFault>(name.GetString(), out var f) ? f : throw new FormatException($"'{name}' is not a fault");
            }

            var headers = root.TryGetProperty("headers", out var h)
                ? h.EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name, p.Value.GetString() ?? string.Empty)).ToArray()
                : [];
            var parsed = fault.HasFlag(DeliveryFault.InvalidPayload) ? null : ZoomEventParser.Parse(body);
            var delivery = new SimulatedDelivery
            {
                Sequence = root.GetProperty("sequence").GetInt64(),
                Kind = NdjsonNames.Kind(root.GetProperty("event").GetString()),
                Event = parsed?.Event,
                Body = body,
                ScheduledAt = DateTimeOffset.Parse(root.GetProperty("scheduled_at").GetString() ?? string.Empty, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                TrackingId = root.GetProperty("tracking_id").GetString() ?? string.Empty,
                Fault = fault,
                AccountId = root.GetProperty("account_id").GetString() ?? string.Empty,
                InteractionId = root.GetProperty("interaction_id").GetString() ?? string.Empty,
                InvalidReason = root.TryGetProperty("invalid_reason", out var reason) ? reason.GetString() : null,
            };
            return new RecordedDelivery(delivery, headers);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new FormatException($"line {lineNumber} is not a delivery record: {ex.Message}", ex);
        }
    }
}

internal static class NdjsonNames
{
    public static string EventName(DeliveryKind kind) => kind == DeliveryKind.InteractionAnalysisCompleted
        ? ZoomEventNames.InteractionAnalysisCompleted
        : ZoomEventNames.EvaluationCompleted;

    public static DeliveryKind Kind(string? eventName) => eventName switch
    {
        ZoomEventNames.InteractionAnalysisCompleted => DeliveryKind.InteractionAnalysisCompleted,
        ZoomEventNames.EvaluationCompleted => DeliveryKind.EvaluationCompleted,
        _ => throw new FormatException($"event '{eventName}' is neither {ZoomEventNames.InteractionAnalysisCompleted} nor {ZoomEventNames.EvaluationCompleted}"),
    };
}
