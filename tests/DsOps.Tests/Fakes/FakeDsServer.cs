using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DsOps.Testing;

namespace DsOps.Tests.Fakes;

/// <summary>
/// A scripted DS API for client and cmdlet tests. Which routes exist comes from DS's own route list
/// (tests/third_party/dolphinscheduler/endpoints/endpoints_&lt;version&gt;.txt): an authenticated request to a route that version does not map
/// gets HTTP 200 with HTML, as DS answers; a request without the token gets 401 with an empty body.
/// Tests register answers per route ("GET projects/{code}") and can inject failures.
/// Served through an HttpMessageHandler (no network) or an HttpListener on loopback (for hosted cmdlets).
/// </summary>
public sealed class FakeDsServer : IDisposable
{
    private static readonly ConcurrentDictionary<string, Route[]> RouteTables = new();
    private readonly Route[] _routes;
    private readonly Dictionary<string, Func<FakeRequest, FakeResponse>> _answers = new();
    private HttpListener? _listener;

    public FakeDsServer(string endpointsVersion) : this(endpointsVersion, Array.Empty<string>()) { }

    /// <summary>
    /// A version whose route list is not vendored but differs from <paramref name="endpointsVersion"/> only by routes it
    /// lacks, e.g. 3.2.0 = 3.2.2 without "GET monitor/{nodeType}" and "GET alert-groups/normal-list".
    /// </summary>
    public FakeDsServer(string endpointsVersion, params string[] withoutRoutes)
    {
        EndpointsVersion = endpointsVersion;
        var hidden = withoutRoutes.Select(Normalize).ToHashSet(StringComparer.Ordinal);
        _routes = RouteTables.GetOrAdd(endpointsVersion, LoadRoutes).Where(r => !hidden.Contains(r.Method + " " + r.Template)).ToArray();
        if (_routes.Length != RouteTables[endpointsVersion].Length - hidden.Count)
            throw new ArgumentException($"Not every route to hide is in the {endpointsVersion} list: {string.Join(", ", hidden)}", nameof(withoutRoutes));
        Answer("POST login", r => r.Form.GetValueOrDefault("userName") == "admin" && r.Form.GetValueOrDefault("userPassword") == Password
            ? FakeResponse.Ok(new { sessionId = SessionId })
            : FakeResponse.Error(10013, "user name or password error"));
    }

    public string EndpointsVersion { get; }
    public string Token { get; set; } = "0a1b2c3d4e5f-secret-token";
    public string Password { get; set; } = "dolphinscheduler123-secret";
    public string SessionId { get; set; } = "5f3c9d2e-session-secret";
    public ConcurrentQueue<FakeRequest> Requests { get; } = new();

    /// <summary>Failures served before the normal answer, e.g. 503 twice then the route's answer.</summary>
    public ConcurrentQueue<FakeResponse> Faults { get; } = new();

    /// <summary>Registers the answer of a route template as written in the endpoints file, e.g. "GET projects/{code}".</summary>
    public FakeDsServer Answer(string route, Func<FakeRequest, FakeResponse> answer)
    {
        _answers[Normalize(route)] = answer;
        return this;
    }

    public FakeDsServer Answer(string route, object data) => Answer(route, _ => FakeResponse.Ok(data));

    /// <summary>Registers a paged list answer with DS's PageInfo shape (offset field by version).</summary>
    public FakeDsServer AnswerPaged<T>(string route, IReadOnlyList<T> items) => Answer(route, r =>
    {
        var pageNo = int.Parse(r.Query["pageNo"]);
        var pageSize = int.Parse(r.Query["pageSize"]);
        var page = items.Skip((pageNo - 1) * pageSize).Take(pageSize).ToList();
        var offsetName = EndpointsVersion.StartsWith("3.0") || EndpointsVersion.StartsWith("3.1") ? "start" : "pageNo";
        var data = new Dictionary<string, object?>
        {
            ["totalList"] = page, ["total"] = items.Count, ["totalPage"] = Math.Max(1, (int)Math.Ceiling(items.Count / (double)pageSize)),
            ["pageSize"] = pageSize, ["currentPage"] = pageNo, [offsetName] = (pageNo - 1) * pageSize,
        };
        return FakeResponse.Ok(data);
    });

    public HttpMessageHandler Handler => new StubHandler(this);

    /// <summary>Serves on http://127.0.0.1:port/dolphinscheduler/ for code that builds its own HttpClient.</summary>
    public Uri StartListener()
    {
        var (listener, root) = StartLoopbackListener("dolphinscheduler/");
        _listener = listener;
        _ = Task.Run(() => ServeAsync(listener));
        return new Uri(root, "dolphinscheduler/");
    }

    /// <summary>An HttpListener on a free loopback port for <paramref name="path"/> ("" for every path); returns it and the root URI.</summary>
    internal static (HttpListener Listener, Uri Root) StartLoopbackListener(string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = Random.Shared.Next(20000, 60000);
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/{path}");
            try { listener.Start(); }
            catch (HttpListenerException) when (attempt < 20) { continue; }
            return (listener, new Uri($"http://127.0.0.1:{port}/"));
        }
    }

    private async Task ServeAsync(HttpListener listener)
    {
        while (listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await listener.GetContextAsync(); } catch { return; }
            try
            {
                var body = ctx.Request.HasEntityBody ? await new StreamReader(ctx.Request.InputStream).ReadToEndAsync() : "";
                var headers = ctx.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => ctx.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
                var response = Handle(ctx.Request.HttpMethod, ctx.Request.Url!, headers, body, ctx.Request.ContentType);
                if (response.Delay > TimeSpan.Zero) await Task.Delay(response.Delay); // a slow server (requests are answered one at a time)
                ctx.Response.StatusCode = (int)response.Status;
                ctx.Response.ContentType = response.ContentType;
                if (response.RetryAfterSeconds is { } wait) ctx.Response.AddHeader("Retry-After", wait.ToString(System.Globalization.CultureInfo.InvariantCulture));
                var bytes = Encoding.UTF8.GetBytes(response.Body);
                await ctx.Response.OutputStream.WriteAsync(bytes);
                ctx.Response.Close();
            }
            catch { try { ctx.Response.Abort(); } catch { } }
        }
    }

    internal FakeResponse Handle(string method, Uri uri, IReadOnlyDictionary<string, string> headers, string body, string? contentType)
    {
        var path = uri.AbsolutePath;
        const string basePath = "/dolphinscheduler/";
        var relative = path.StartsWith(basePath, StringComparison.Ordinal) ? path[basePath.Length..] : path.TrimStart('/');
        var request = new FakeRequest(method, relative, ParseQuery(uri.Query), contentType?.Contains("form", StringComparison.OrdinalIgnoreCase) == true ? ParseQuery(body) : new(), headers, body);
        Requests.Enqueue(request);

        if (Faults.TryDequeue(out var fault)) return fault;
        var isLogin = method == "POST" && relative == "login";
        if (!isLogin)
        {
            var tokenOk = headers.TryGetValue("token", out var t) && t == Token;
            var sessionOk = headers.TryGetValue("sessionId", out var s) && s == SessionId;
            if (!tokenOk && !sessionOk) return new FakeResponse(HttpStatusCode.Unauthorized, "", "text/plain");
        }
        var route = _routes.FirstOrDefault(r => r.Method == method && r.Pattern.IsMatch(relative));
        if (route is null)
            return new FakeResponse(HttpStatusCode.OK, "<!DOCTYPE html><html><head><title>DolphinScheduler</title></head><body></body></html>", "text/html");
        request.Route = method + " " + route.Template;
        // DS turns a path value that does not convert (e.g. /ui-plugins/{id} with a word) into an error envelope
        // carrying the endpoint's @ApiException status (docs/ds-facts.md §2.1).
        var values = route.Pattern.Match(relative).Groups;
        foreach (var numeric in route.NumericPathParameters)
            if (!long.TryParse(values[numeric].Value, out _))
                return FakeResponse.Error(10000, $"Internal Server Error: Failed to convert value of type 'java.lang.String' to required type for {numeric}");
        return _answers.TryGetValue(request.Route, out var answer)
            ? answer(request)
            : FakeResponse.Ok(null); // mapped but not scripted: an empty success, as many DS routes answer
    }

    private static Dictionary<string, string> ParseQuery(string query)
    {
        var result = new Dictionary<string, string>();
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var i = pair.IndexOf('=');
            var key = Uri.UnescapeDataString((i < 0 ? pair : pair[..i]).Replace('+', ' '));
            result[key] = i < 0 ? "" : Uri.UnescapeDataString(pair[(i + 1)..].Replace('+', ' '));
        }
        return result;
    }

    private static string Normalize(string route)
    {
        var space = route.IndexOf(' ');
        return route[..space] + " " + route[(space + 1)..].TrimStart('/');
    }

    private static string GroupName(string parameter) => Regex.Replace(parameter, @"\W", "_");

    private sealed record Route(string Method, Regex Pattern, string Template, string[] NumericPathParameters);

    private static Route[] LoadRoutes(string version)
    {
        var list = new List<Route>();
        foreach (var line in File.ReadLines(RepoPaths.Endpoints(version)))
        {
            var parts = line.Split('|');
            if (parts.Length < 2) continue;
            var method = parts[0].Trim();
            if (method is not ("GET" or "POST" or "PUT" or "DELETE")) continue;
            var template = parts[1].Trim().TrimStart('/');
            var regex = "^" + Regex.Replace(Regex.Escape(template), @"\\\{([^}]+)}", m => $"(?<{GroupName(m.Groups[1].Value)}>[^/]+)") + "$";
            var numeric = parts.Length > 3
                ? Regex.Matches(parts[3], @"(\w+):(?:int|Integer|long|Long)\[path\]").Select(m => GroupName(m.Groups[1].Value)).ToArray()
                : Array.Empty<string>();
            list.Add(new Route(method, new Regex(regex, RegexOptions.Compiled), template, numeric));
        }
        // Literal routes win over templated ones (e.g. process-definition/all before process-definition/{code}).
        return list.OrderBy(r => r.Template.Count(c => c == '{')).ToArray();
    }

    public void Dispose()
    {
        if (_listener is { } l)
        {
            try { l.Stop(); l.Close(); } catch (HttpListenerException) { } // cleanup only; see FakeRobotServer
        }
    }

    private sealed class StubHandler(FakeDsServer server) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            var response = server.Handle(request.Method.Method, request.RequestUri!, headers, body, request.Content?.Headers.ContentType?.MediaType);
            if (response.Delay > TimeSpan.Zero) await Task.Delay(response.Delay, cancellationToken);
            if (response.Throw is not null) throw response.Throw;
            HttpContent content;
            if (response.BodyStream is { } open)
            {
                content = new StreamContent(open());
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(response.ContentType);
                content.Headers.ContentLength = response.ContentLength;
            }
            else content = new StringContent(response.Body, Encoding.UTF8, response.ContentType);
            var answer = new HttpResponseMessage(response.Status) { Content = content, RequestMessage = request };
            if (response.RetryAfterSeconds is { } wait) answer.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(wait));
            return answer;
        }
    }
}

public sealed class FakeRequest(string method, string path, Dictionary<string, string> query, Dictionary<string, string> form,
    IReadOnlyDictionary<string, string> headers, string body)
{
    public string Method { get; } = method;
    public string Path { get; } = path;
    public Dictionary<string, string> Query { get; } = query;
    public Dictionary<string, string> Form { get; } = form;
    public IReadOnlyDictionary<string, string> Headers { get; } = headers;
    public string Body { get; } = body;
    /// <summary>The matched route template, e.g. "GET projects/{code}"; null for unmapped paths.</summary>
    public string? Route { get; set; }
    public string? Value(string name) => Form.TryGetValue(name, out var v) ? v : Query.GetValueOrDefault(name);
}

public sealed record FakeResponse(HttpStatusCode Status, string Body, string ContentType = "application/json")
{
    public TimeSpan Delay { get; init; }
    public Exception? Throw { get; init; }
    /// <summary>Sent as a Retry-After header (seconds), as DS's gateway or a proxy would with a 429 or 503.</summary>
    public int? RetryAfterSeconds { get; init; }
    /// <summary>A body read from this stream instead of <see cref="Body"/> (message-handler mode only): slow or endless answers.</summary>
    public Func<Stream>? BodyStream { get; init; }
    /// <summary>The Content-Length announced with <see cref="BodyStream"/> (true or not); null sends none.</summary>
    public long? ContentLength { get; init; }

    public static FakeResponse Ok(object? data) => new(HttpStatusCode.OK,
        JsonSerializer.Serialize(new { code = 0, msg = "success", data, success = true, failed = false }));

    public static FakeResponse Error(int code, string msg) => new(HttpStatusCode.OK,
        JsonSerializer.Serialize(new { code, msg, data = (object?)null, success = false, failed = true }));

    public static FakeResponse Http(HttpStatusCode status) => new(status, "");
}
