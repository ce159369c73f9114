using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DsOps.Tests.Notifications;

/// <summary>A request the fake robot received.</summary>
public sealed record ReceivedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Query,
    IReadOnlyDictionary<string, string> Headers, string Body, string? ContentType);

/// <summary>A scripted answer.</summary>
public sealed record RobotReply(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null)
{
    public static RobotReply DingTalkOk => new(200, """{"errcode":0,"errmsg":"ok"}""");
    public static RobotReply Errcode(long code, string msg) => new(200, $$"""{"errcode":{{code}},"errmsg":"{{msg}}"}""");
}

/// <summary>
/// A chat robot on 127.0.0.1 (HttpListener, no external network): records every request and answers
/// from a script, falling back to a default reply. Query values are decoded exactly once, as a server would.
/// </summary>
public sealed class FakeRobotServer : IDisposable
{
    private readonly HttpListener _listener;
    private readonly ConcurrentQueue<RobotReply> _script = new();
    private readonly ConcurrentQueue<ReceivedRequest> _received = new();
    private readonly Task _loop;

    public FakeRobotServer(RobotReply? defaultReply = null)
    {
        DefaultReply = defaultReply ?? RobotReply.DingTalkOk;
        // A free port can be taken by a parallel test between probing and binding: try again with another.
        for (var attempt = 0; ; attempt++)
        {
            Port = FreePort();
            _listener = new HttpListener();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 20)
            {
                ((IDisposable)_listener).Dispose();
            }
        }
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; private set; }
    public RobotReply DefaultReply { get; set; }
    public string Url(string pathAndQuery) => $"http://127.0.0.1:{Port}{pathAndQuery}";
    public IReadOnlyList<ReceivedRequest> Received => _received.ToArray();

    /// <summary>Queues replies used in order before the default one.</summary>
    public FakeRobotServer Reply(params RobotReply[] replies)
    {
        foreach (var r in replies) _script.Enqueue(r);
        return this;
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            var req = ctx.Request;
            using var reader = new StreamReader(req.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var query = ParseQuery(req.Url!.Query);
            var headers = req.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => req.Headers[k]!, StringComparer.OrdinalIgnoreCase);
            _received.Enqueue(new ReceivedRequest(req.HttpMethod, req.RawUrl ?? "", query, headers, body, req.ContentType));
            var reply = _script.TryDequeue(out var r) ? r : DefaultReply;
            ctx.Response.StatusCode = reply.Status;
            foreach (var (k, v) in reply.Headers ?? new Dictionary<string, string>()) ctx.Response.Headers[k] = v;
            var bytes = Encoding.UTF8.GetBytes(reply.Body);
            ctx.Response.ContentLength64 = bytes.Length;
            await ctx.Response.OutputStream.WriteAsync(bytes);
            ctx.Response.Close();
        }
    }

    private static Dictionary<string, string> ParseQuery(string query)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            // Uri.UnescapeDataString leaves '+' alone; a real server form-decodes it to a space, so do that too.
            var raw = eq < 0 ? "" : pair[(eq + 1)..];
            result[eq < 0 ? pair : pair[..eq]] = Uri.UnescapeDataString(raw.Replace('+', ' '));
        }
        return result;
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    public void Dispose()
    {
        // The managed listener's endpoint bookkeeping can fail on close when ports are reused in parallel; a
        // cleanup failure is not a test result.
        try { _listener.Stop(); _listener.Close(); } catch (HttpListenerException) { } catch (ObjectDisposedException) { }
        try { _loop.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
    }
}
