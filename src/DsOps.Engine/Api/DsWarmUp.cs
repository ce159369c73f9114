using System.Security;
using System.Text;
using DsOps.Engine.Dialects;

namespace DsOps.Engine.Api;

/// <summary>
/// Runs a DS session's first-call path once, on a background thread, against an in-memory answer: the HTTP pipeline,
/// the retry pipeline, Refit's generated client, the envelope reader, paging and JSON. A process pays for that code on
/// its first use: types to load and, even with ahead-of-time code, ~600 generic and async methods to JIT-compile (1,050
/// without it). Done here, that work overlaps with module import and the user's typing instead of delaying the first
/// real command (docs/benchmarks.md). No socket is opened and nothing outside this class is changed, so the first real
/// call behaves exactly as without it. Set DSOPS_NO_WARMUP=1 to turn it off (e.g. on a one-core machine).
/// </summary>
internal static class DsWarmUp
{
    private static int _started;

    /// <summary>The environment variable that turns the warm-up off.</summary>
    public const string DisableVariable = "DSOPS_NO_WARMUP";

    /// <summary>Any value but empty or "0" turns the warm-up off.</summary>
    internal static bool IsDisabled(string? value) => !string.IsNullOrEmpty(value) && value != "0";

    /// <summary>
    /// One pass over the first-call path, once per process, unless turned off; failures are ignored (this only saves
    /// time, it decides nothing). Call it on a background thread.
    /// </summary>
    public static void Run()
    {
        if (IsDisabled(Environment.GetEnvironmentVariable(DisableVariable))) return;
        if (Interlocked.Exchange(ref _started, 1) != 0) return;
        try
        {
            RunOnceAsync().GetAwaiter().GetResult();
        }
        catch (Exception)
        {
            // A warm-up that fails costs nothing but time: the real call compiles what is left.
        }
    }

    /// <summary>The pass itself: connect (one verifying request) and list projects (one page). Returns what was sent.</summary>
    internal static async Task<DsRequestStatistics> RunOnceAsync()
    {
        using var token = new SecureString();
        token.AppendChar('-');
        token.MakeReadOnly();
        // The real sockets handler, with its connection replaced by an in-memory stream that answers like DS: the HTTP/1.1
        // connection code is compiled too, and no socket is opened.
        var handler = Http.HttpHandlers.Create(TimeSpan.FromSeconds(5), false, null);
        handler.UseProxy = false;
        handler.ConnectCallback = static (_, _) => ValueTask.FromResult<Stream>(new CannedHttpStream());
        var options = new DsConnectOptions
        {
            Uri = new Uri("http://dsops-warm-up.invalid/dolphinscheduler/"),
            Token = token,
            Dialect = DsDialect.V3_2,
            InnerHandler = handler,
        };
        using var connection = await DsConnection.ConnectAsync(options).ConfigureAwait(false);
        await foreach (var _ in connection.Client.GetProjectsAsync().ConfigureAwait(false)) { }
        return connection.Statistics;
    }

    /// <summary>
    /// One HTTP/1.1 exchange in memory: swallows the request and answers with DS's envelope around an empty page,
    /// then closes (so each request opens a new "connection").
    /// </summary>
    private sealed class CannedHttpStream : Stream
    {
        private static readonly byte[] Response = Encoding.ASCII.GetBytes(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json;charset=UTF-8\r\nConnection: close\r\nContent-Length: " + Body.Length + "\r\n\r\n" + Body);

        private const string Body =
            "{\"code\":0,\"msg\":\"success\",\"data\":{\"totalList\":[],\"total\":0,\"totalPage\":1,\"pageSize\":100,\"currentPage\":1},\"success\":true,\"failed\":false}";

        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) { }
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => default;
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, Response.Length - _position);
            Response.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));
    }
}
