using System.Net;
using System.Text;

namespace DsOps.Tests.Fakes;

/// <summary>How the hostile server answers one request.</summary>
public enum HostileMode
{
    /// <summary>The DS-shaped fake's normal answer.</summary>
    Normal,
    /// <summary>DS's envelope with an error code and every request value in <c>msg</c>.</summary>
    JsonMessage,
    /// <summary>HTTP 200 HTML page quoting every request value.</summary>
    Html,
    /// <summary>HTTP 200 plain text starting with every request value.</summary>
    Text,
    /// <summary>HTTP 302 to a URL whose path and query carry every request value.</summary>
    Redirect,
    /// <summary>HTTP 503 whose reason phrase carries every request value.</summary>
    ReasonPhrase,
    /// <summary>HTTP 400 with the request values as the body (a webhook endpoint's refusal).</summary>
    BadRequest,
}

/// <summary>
/// A loopback server that echoes back every value a request carried (header values, query and form values, the raw
/// body, the URL) in the answer's headers and, per <see cref="Choose"/>, in a DS error message, an HTML page, plain text,
/// a redirect's Location or the reason phrase — the way a hostile server or a careless proxy would. Requests it does not
/// echo are answered by a <see cref="FakeDsServer"/>, so a session can connect and reach the step under test.
/// </summary>
public sealed class HostileEchoServer : IDisposable
{
    private readonly HttpListener _listener;

    public HostileEchoServer(FakeDsServer ds)
    {
        Ds = ds;
        (_listener, Root) = FakeDsServer.StartLoopbackListener("");
        _ = Task.Run(ServeAsync);
    }

    public FakeDsServer Ds { get; }
    public Uri Root { get; }
    public Uri DsUri => new(Root, "dolphinscheduler/");

    /// <summary>Picks the answer for (method, path relative to the root).</summary>
    public Func<string, string, HostileMode> Choose { get; set; } = (_, _) => HostileMode.Normal;

    /// <summary>Every request value seen, for the test to check that the secrets did travel (and were echoed).</summary>
    public List<string> Echoed { get; } = new();

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); } catch { return; }
            try
            {
                var body = ctx.Request.HasEntityBody ? await new StreamReader(ctx.Request.InputStream).ReadToEndAsync() : "";
                var headers = ctx.Request.Headers.AllKeys.Where(k => k is not null)
                    .ToDictionary(k => k!, k => ctx.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
                var url = ctx.Request.Url!;
                // Credentials first, so that even a short quote of the answer (an 80-character snippet) carries them.
                var credentials = new[] { "token", "sessionId" }.Select(k => headers.GetValueOrDefault(k) ?? "");
                var values = credentials.Concat(Split(body)).Concat(Split(url.Query)).Append(url.ToString()).Concat(headers.Values).Append(body);
                var echo = string.Join(" | ", values.Where(v => v.Length > 0));
                lock (Echoed) Echoed.Add(echo);
                var relative = url.AbsolutePath.TrimStart('/');
                var mode = Choose(ctx.Request.HttpMethod, relative);
                ctx.Response.AddHeader("X-Echo", Ascii(echo));
                switch (mode)
                {
                    case HostileMode.Normal:
                        var answer = Ds.Handle(ctx.Request.HttpMethod, url, headers, body, ctx.Request.ContentType);
                        await WriteAsync(ctx, (int)answer.Status, answer.ContentType, answer.Body);
                        break;
                    case HostileMode.JsonMessage:
                        await WriteAsync(ctx, 200, "application/json", System.Text.Json.JsonSerializer.Serialize(new
                        {
                            code = 10001, msg = "request was: " + echo, data = (object?)null, success = false, failed = true,
                        }));
                        break;
                    case HostileMode.Html:
                        await WriteAsync(ctx, 200, "text/html", $"<html><head><title>{WebUtility.HtmlEncode(echo)}</title></head><body>{echo}</body></html>");
                        break;
                    case HostileMode.Text:
                        await WriteAsync(ctx, 200, "text/plain", echo);
                        break;
                    case HostileMode.Redirect:
                        ctx.Response.AddHeader("Location", $"http://127.0.0.1:9/{Uri.EscapeDataString(echo)}/x?steal={Uri.EscapeDataString(echo)}");
                        await WriteAsync(ctx, 302, "text/plain", echo);
                        break;
                    case HostileMode.ReasonPhrase:
                        ctx.Response.StatusDescription = Ascii(echo);
                        await WriteAsync(ctx, 503, "text/plain", echo);
                        break;
                    case HostileMode.BadRequest:
                        await WriteAsync(ctx, 400, "text/plain", echo);
                        break;
                }
            }
            catch { try { ctx.Response.Abort(); } catch { } }
        }
    }

    private static async Task WriteAsync(HttpListenerContext ctx, int status, string contentType, string body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = contentType;
        var bytes = Encoding.UTF8.GetBytes(body);
        await ctx.Response.OutputStream.WriteAsync(bytes);
        ctx.Response.Close();
    }

    private static IEnumerable<string> Split(string query) =>
        query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Contains('=') ? p[(p.IndexOf('=') + 1)..] : p)
            .Select(v => Uri.UnescapeDataString(v.Replace('+', ' ')));

    private static string Ascii(string s)
    {
        var text = new string(s.Select(c => c is >= ' ' and < (char)127 ? c : '_').ToArray());
        return text.Length > 500 ? text[..500] : text;
    }

    public void Dispose()
    {
        try { _listener.Stop(); _listener.Close(); } catch (HttpListenerException) { }
        Ds.Dispose();
    }
}
