using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace QmHub.Ingest;

/// <summary>
/// A replica's local, engine-agnostic outage buffer: deliveries the database could not take are appended to
/// <c>spool.log</c> and fsync'd before they are acknowledged, then drained into the database in append order.
/// <para>
/// Record format (little-endian): magic <c>QMS1</c>, payload length (int32), payload, SHA-256 of length and
/// payload. The payload holds the received time (Unix ms), tracking id and secret name (int32 byte length, -1 for
/// none, UTF-8) and the raw body. A record that is short or fails its checksum ends the spool: it can only be
/// the torn tail of a write that was never acknowledged, and is cut off when the spool is opened.
/// </para>
/// <para>
/// One process per directory: <c>qmhub-spool.lock</c> is held open with an exclusive lock for the spool's
/// lifetime. The log is truncated (never deleted) once everything in it has been drained. Appends are called by
/// one writer, reads by one drainer (<see cref="ReadNextAsync"/>, <see cref="AdvanceAsync"/>); the two may run at once.
/// </para>
/// </summary>
public sealed class DeliverySpool : IDisposable
{
    /// <summary>The lock file's name.</summary>
    public const string LockFileName = "qmhub-spool.lock";

    /// <summary>The record log's name.</summary>
    public const string LogFileName = "spool.log";

    private const int Magic = 0x31534D51; // "QMS1"
    private const int HeaderBytes = 8;
    private const int ChecksumBytes = 32;
    private const int MaxPayloadBytes = 64 * 1024 * 1024;

    private readonly FileStream _lock;
    private readonly FileStream _log;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _committed; // bytes fsync'd (complete records only)
    private long _drained;   // bytes already moved into the database
    private long _depth;     // records between _drained and _committed
    private bool _broken;
    private bool _refusedFull; // an append was refused for size and the log has not been emptied since
    private bool _refusedByDisk; // the last append failed on the disk (full, read-only): no room until one succeeds

    private DeliverySpool(string directory, long maxBytes, FileStream lockFile, FileStream log)
    {
        Directory = directory;
        MaxBytes = maxBytes;
        _lock = lockFile;
        _log = log;
    }

    /// <summary>The spool directory (full path).</summary>
    public string Directory { get; }

    /// <summary>The size the log may reach at most; an append beyond it is refused.</summary>
    public long MaxBytes { get; }

    /// <summary>Deliveries waiting to be drained.</summary>
    public long Depth => Interlocked.Read(ref _depth);

    /// <summary>The size of the log on disk, drained records included until the log is truncated.</summary>
    public long Bytes => Interlocked.Read(ref _committed);

    /// <summary>Bytes of a torn tail cut off when the spool was opened.</summary>
    public long DroppedTailBytes { get; private set; }

    /// <summary>
    /// Whether the spool can take writes: the log is below its limit, no append has been refused for size since
    /// the log was last emptied, and no failed write has left it unusable.
    /// </summary>
    public bool HasRoom => !Volatile.Read(ref _broken) && !Volatile.Read(ref _refusedFull) && !Volatile.Read(ref _refusedByDisk) && Bytes < MaxBytes;

    /// <summary>
    /// Opens (creating if needed) the spool in <paramref name="directory"/>, takes its lock, and cuts off a torn
    /// tail. Throws <see cref="SpoolInUseException"/> when another process holds the lock.
    /// </summary>
    public static DeliverySpool Open(string directory, long maxBytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var full = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(full);
        var lockPath = Path.Combine(full, LockFileName);
        FileStream lockFile;
        try
        {
            // FileShare.None takes an exclusive advisory lock (flock) that another process, or another open in this one, cannot get.
            lockFile = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (IOException ex) when (File.Exists(lockPath))
        {
            throw new SpoolInUseException(full, ex);
        }

        FileStream? log = null;
        try
        {
            log = new FileStream(Path.Combine(full, LogFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 0, FileOptions.None);
            var spool = new DeliverySpool(full, maxBytes, lockFile, log);
            spool.Recover();
            return spool;
        }
        catch
        {
            log?.Dispose();
            lockFile.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Appends <paramref name="deliveries"/> as one write and fsyncs it: when this returns, all of them are durable.
    /// Throws <see cref="SpoolFullException"/> when they would take the log past <see cref="MaxBytes"/>, and the
    /// I/O error when the disk refuses them; either way none of them is in the spool.
    /// </summary>
    public async Task AppendAsync(IReadOnlyList<SpooledDelivery> deliveries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        var bytes = Encode(deliveries);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (Volatile.Read(ref _broken))
            {
                throw new IOException($"The spool in {Directory} could not be restored after a failed write.");
            }

            if (_committed + bytes.Length > MaxBytes)
            {
                Volatile.Write(ref _refusedFull, true);
                throw new SpoolFullException(Directory, MaxBytes);
            }

            try
            {
                _log.Position = _committed;
                await _log.WriteAsync(bytes, cancellationToken);
                _log.Flush(flushToDisk: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or OperationCanceledException)
            {
                Volatile.Write(ref _refusedByDisk, ex is not OperationCanceledException);
                Restore();
                throw;
            }

            Volatile.Write(ref _refusedByDisk, false);
            Interlocked.Exchange(ref _committed, _committed + bytes.Length);
            Interlocked.Add(ref _depth, deliveries.Count);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Reads up to <paramref name="max"/> deliveries from the oldest not yet drained, without consuming them.</summary>
    public async Task<SpoolChunk> ReadNextAsync(int max, CancellationToken cancellationToken)
    {
        var deliveries = new List<SpooledDelivery>();
        var offset = Interlocked.Read(ref _drained);
        var end = Interlocked.Read(ref _committed);
        var header = new byte[HeaderBytes];
        while (deliveries.Count < max && offset < end)
        {
            await ReadExactlyAsync(header, offset, cancellationToken);
            var length = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4));
            var record = new byte[HeaderBytes + length + ChecksumBytes];
            await ReadExactlyAsync(record, offset, cancellationToken);
            deliveries.Add(Decode(record.AsSpan(HeaderBytes, length)));
            offset += record.Length;
        }

        return new SpoolChunk(deliveries, offset);
    }

    /// <summary>Marks <paramref name="chunk"/> as drained; truncates the log once everything in it is drained.</summary>
    public async Task AdvanceAsync(SpoolChunk chunk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            Interlocked.Exchange(ref _drained, chunk.EndOffset);
            Interlocked.Add(ref _depth, -chunk.Deliveries.Count);
            if (_drained == _committed && _committed > 0)
            {
                // Every record is in the database: start the log afresh (a crash before this point only re-sends duplicates).
                _log.SetLength(0);
                _log.Flush(flushToDisk: true);
                Interlocked.Exchange(ref _committed, 0);
                Interlocked.Exchange(ref _drained, 0);
                Volatile.Write(ref _refusedFull, false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _log.Dispose();
        _lock.Dispose();
        _gate.Dispose();
    }

    private void Recover()
    {
        var length = _log.Length;
        var offset = 0L;
        var header = new byte[HeaderBytes];
        var depth = 0L;
        while (offset + HeaderBytes + ChecksumBytes <= length)
        {
            _log.Position = offset;
            _log.ReadExactly(header);
            var payloadLength = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4));
            if (BinaryPrimitives.ReadInt32LittleEndian(header) != Magic || payloadLength < 0 || payloadLength > MaxPayloadBytes
                || offset + HeaderBytes + payloadLength + ChecksumBytes > length)
            {
                break;
            }

            var record = new byte[HeaderBytes + payloadLength + ChecksumBytes];
            _log.Position = offset;
            _log.ReadExactly(record);
            if (!ChecksumMatches(record))
            {
                break;
            }

            offset += record.Length;
            depth++;
        }

        if (offset < length)
        {
            DroppedTailBytes = length - offset;
            _log.SetLength(offset);
            _log.Flush(flushToDisk: true);
        }

        _committed = offset;
        _depth = depth;
    }

    private void Restore()
    {
        try
        {
            // Cut off whatever part of the failed write reached the file, so that the next record follows a whole one.
            _log.SetLength(_committed);
            _log.Flush(flushToDisk: true);
        }
        catch (IOException)
        {
            Volatile.Write(ref _broken, true);
        }
    }

    private async Task ReadExactlyAsync(byte[] buffer, long offset, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await RandomAccess.ReadAsync(_log.SafeFileHandle, buffer.AsMemory(read), offset + read, cancellationToken);
            if (n == 0)
            {
                throw new InvalidDataException($"The spool log in {Directory} ended inside a committed record.");
            }

            read += n;
        }
    }

    private static byte[] Encode(IReadOnlyList<SpooledDelivery> deliveries)
    {
        using var buffer = new MemoryStream();
        foreach (var d in deliveries)
        {
            var tracking = d.TrackingId is null ? null : Encoding.UTF8.GetBytes(d.TrackingId);
            var secret = d.SecretName is null ? null : Encoding.UTF8.GetBytes(d.SecretName);
            var payloadLength = 8 + 4 + (tracking?.Length ?? 0) + 4 + (secret?.Length ?? 0) + d.Body.Length;
            var record = new byte[HeaderBytes + payloadLength + ChecksumBytes];
            var span = record.AsSpan();
            BinaryPrimitives.WriteInt32LittleEndian(span, Magic);
            BinaryPrimitives.WriteInt32LittleEndian(span[4..], payloadLength);
            var at = HeaderBytes;
            BinaryPrimitives.WriteInt64LittleEndian(span[at..], d.ReceivedAt.ToUnixTimeMilliseconds());
            at += 8;
            at = WriteField(span, at, tracking);
            at = WriteField(span, at, secret);
            d.Body.Span.CopyTo(span[at..]);
            SHA256.HashData(span[4..(HeaderBytes + payloadLength)], span[(HeaderBytes + payloadLength)..]);
            buffer.Write(record);
        }

        return buffer.ToArray();
    }

    private static int WriteField(Span<byte> span, int at, byte[]? value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], value?.Length ?? -1);
        at += 4;
        value?.CopyTo(span[at..]);
        return at + (value?.Length ?? 0);
    }

    private static bool ChecksumMatches(ReadOnlySpan<byte> record)
    {
        Span<byte> hash = stackalloc byte[ChecksumBytes];
        SHA256.HashData(record[4..^ChecksumBytes], hash);
        return hash.SequenceEqual(record[^ChecksumBytes..]);
    }

    private static SpooledDelivery Decode(ReadOnlySpan<byte> payload)
    {
        var receivedAt = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(payload));
        var at = 8;
        var tracking = ReadField(payload, ref at);
        var secret = ReadField(payload, ref at);
        return new SpooledDelivery(receivedAt, tracking, secret, payload[at..].ToArray());
    }

    private static string? ReadField(ReadOnlySpan<byte> payload, ref int at)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(payload[at..]);
        at += 4;
        if (length < 0)
        {
            return null;
        }

        var value = Encoding.UTF8.GetString(payload.Slice(at, length));
        at += length;
        return value;
    }
}

/// <summary>One delivery as the spool keeps it: what is needed to rebuild its <see cref="Storage.Model.IncomingEvent"/>.</summary>
public sealed record SpooledDelivery(DateTimeOffset ReceivedAt, string? TrackingId, string? SecretName, ReadOnlyMemory<byte> Body);

/// <summary>Deliveries read from the spool, and where the next one starts.</summary>
public sealed record SpoolChunk(IReadOnlyList<SpooledDelivery> Deliveries, long EndOffset);

/// <summary>Another process holds the spool directory's lock.</summary>
public sealed class SpoolInUseException(string directory, Exception inner)
    : IOException($"The spool directory {directory} is in use by another QmHub process (it holds {DeliverySpool.LockFileName}); give each replica a spool directory of its own.", inner);

/// <summary>The spool reached its size limit.</summary>
public sealed class SpoolFullException(string directory, long maxBytes)
    : IOException($"The spool in {directory} reached its limit of {maxBytes} bytes (SpoolMaxBytes).");
