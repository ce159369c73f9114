namespace DsOps.Emulator.Hosting;

/// <summary>
/// The drip fault (<see cref="FaultSettings.DripBytesPerSecond"/>): writes an answer's body at a fixed rate, in slices
/// every 100 ms (at least one byte each), flushing each so the client sees headers at once and then a trickle.
/// </summary>
internal sealed class DripStream(Stream inner, int bytesPerSecond, CancellationToken aborted) : Stream
{
    private const int SlicesPerSecond = 10;

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var slice = Math.Max(1, bytesPerSecond / SlicesPerSecond);
        var pause = TimeSpan.FromSeconds(slice / (double)bytesPerSecond);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, aborted); // stop when the client leaves
        cancellationToken = linked.Token;
        for (var offset = 0; offset < buffer.Length; offset += slice)
        {
            var part = buffer.Slice(offset, Math.Min(slice, buffer.Length - offset));
            await inner.WriteAsync(part, cancellationToken).ConfigureAwait(false);
            await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
            await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override void Flush() => inner.Flush();
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
