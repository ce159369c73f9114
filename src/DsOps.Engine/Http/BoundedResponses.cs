namespace DsOps.Engine.Http;

/// <summary>
/// The one way DsOps bounds what a server may send back, for the DS API and for chat robots alike: one deadline per
/// attempt that covers the headers <em>and</em> reading the whole body (a server dripping one byte a second cannot
/// hold a call past its timeout), and a size cap checked against Content-Length before anything is read and counted
/// while the body streams (an endless body or a false Content-Length is cut off at the cap; nothing is buffered here).
/// </summary>
internal sealed class BoundedResponseHandler : DelegatingHandler
{
    private readonly long _maxBytes;
    private readonly TimeSpan? _timeout;

    /// <param name="maxBytes">Largest body accepted.</param>
    /// <param name="timeout">Deadline of one attempt, headers and body; null when the caller bounds the body itself.</param>
    public BoundedResponseHandler(long maxBytes, TimeSpan? timeout)
    {
        if (maxBytes <= 0) throw new ArgumentOutOfRangeException(nameof(maxBytes), maxBytes, "The response size cap must be positive.");
        _maxBytes = maxBytes;
        _timeout = timeout;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        CancellationTokenSource? deadline = null;
        if (_timeout is { } t && t != Timeout.InfiniteTimeSpan)
        {
            deadline = new CancellationTokenSource(t);
        }
        HttpResponseMessage response;
        try
        {
            using var linked = deadline is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            response = await base.SendAsync(request, linked?.Token ?? cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (deadline is { IsCancellationRequested: true } && !cancellationToken.IsCancellationRequested)
        {
            deadline.Dispose();
            throw new ResponseTimeoutException(_timeout!.Value, headersReceived: false, ex);
        }
        catch
        {
            deadline?.Dispose();
            throw;
        }

        if (response.Content.Headers.ContentLength is { } length && length > _maxBytes)
        {
            deadline?.Dispose();
            response.Dispose();
            throw new ResponseTooLargeException(_maxBytes, length);
        }
        // The deadline now belongs to the content: it keeps running while the body is read and is disposed with it.
        response.Content = new BoundedContent(response.Content, _maxBytes, deadline, _timeout);
        return response;
    }

    /// <summary>The limit exception anywhere in <paramref name="exception"/>'s chain (HttpContent wraps stream errors).</summary>
    public static T? Find<T>(Exception? exception) where T : Exception
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is T found) return found;
        return null;
    }

    private sealed class BoundedContent : HttpContent
    {
        private readonly HttpContent _inner;
        private readonly long _maxBytes;
        private readonly CancellationTokenSource? _deadline;
        private readonly TimeSpan? _timeout;

        public BoundedContent(HttpContent inner, long maxBytes, CancellationTokenSource? deadline, TimeSpan? timeout)
        {
            _inner = inner;
            _maxBytes = maxBytes;
            _deadline = deadline;
            _timeout = timeout;
            foreach (var header in inner.Headers) Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) =>
            new BoundedStream(await _inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), _maxBytes, _deadline, _timeout);

        protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
        {
            await using var source = await CreateContentReadStreamAsync(cancellationToken).ConfigureAwait(false);
            await source.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = _inner.Headers.ContentLength ?? 0;
            return _inner.Headers.ContentLength is not null;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
                _deadline?.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    /// <summary>Counts bytes and honours the attempt's deadline on every read.</summary>
    private sealed class BoundedStream(Stream inner, long maxBytes, CancellationTokenSource? deadline, TimeSpan? timeout) : Stream
    {
        private long _read;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            buffer = buffer[..Allowed(buffer.Length)];
            int n;
            if (deadline is null)
            {
                n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                ThrowIfPastDeadline(cancellationToken);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
                try
                {
                    n = await inner.ReadAsync(buffer, linked.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested &&
                                           ex is OperationCanceledException or IOException or ObjectDisposedException)
                {
                    throw new ResponseTimeoutException(timeout!.Value, headersReceived: true, ex);
                }
            }
            return Count(n);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count)
        {
            ThrowIfPastDeadline(CancellationToken.None);
            return Count(inner.Read(buffer, offset, Allowed(count)));
        }

        // Never asks for more than one byte past the cap, so the cap, not the reader's buffer size, bounds what is read.
        private int Allowed(int requested) => (int)Math.Min(requested, Math.Max(1, maxBytes - _read + 1));

        private void ThrowIfPastDeadline(CancellationToken cancellationToken)
        {
            if (deadline is { IsCancellationRequested: true } && !cancellationToken.IsCancellationRequested)
                throw new ResponseTimeoutException(timeout!.Value, headersReceived: true, null);
        }

        private int Count(int n)
        {
            _read += n;
            if (_read > maxBytes) throw new ResponseTooLargeException(maxBytes, null);
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }

        public override ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}

/// <summary>A server's answer exceeded the response size cap (announced by Content-Length or counted while reading).</summary>
internal sealed class ResponseTooLargeException : IOException
{
    public ResponseTooLargeException(long limit, long? announced)
        : base(announced is { } a
            ? $"The answer announces {a:N0} bytes, more than the {limit:N0}-byte response size cap."
            : $"The answer is larger than the {limit:N0}-byte response size cap.")
    {
        Limit = limit;
        Announced = announced;
    }

    public long Limit { get; }
    public long? Announced { get; }
}

/// <summary>An attempt (headers and whole body) did not finish within its deadline.</summary>
internal sealed class ResponseTimeoutException : TimeoutException
{
    public ResponseTimeoutException(TimeSpan timeout, bool headersReceived, Exception? inner)
        : base(headersReceived
            ? $"The answer's body did not arrive in full within {timeout.TotalSeconds:0.###} s."
            : $"No answer within {timeout.TotalSeconds:0.###} s.", inner)
    {
        Timeout = timeout;
        HeadersReceived = headersReceived;
    }

    public TimeSpan Timeout { get; }
    public bool HeadersReceived { get; }
}
