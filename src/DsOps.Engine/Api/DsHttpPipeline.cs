using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Security;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace DsOps.Engine.Api;

/// <summary>How a connection authenticates. Secrets stay in SecureStrings and are read only when a request is sent.</summary>
public sealed class DsAuthentication
{
    private DsAuthentication(string headerName, SecureString secret, string method, string? userName)
    {
        HeaderName = headerName;
        Secret = secret;
        Method = method;
        UserName = userName;
    }

    /// <summary>An access token, sent as the <c>token</c> header (reference §1.3).</summary>
    public static DsAuthentication FromToken(SecureString token) => new("token", Copy(token), "Token", null);

    /// <summary>A login session, sent as the <c>sessionId</c> header (reference §1.2).</summary>
    public static DsAuthentication FromSession(SecureString sessionId, string userName) => new("sessionId", Copy(sessionId), "Session", userName);

    internal string HeaderName { get; }
    internal SecureString Secret { get; }
    public string Method { get; }
    public string? UserName { get; }

    internal string Reveal()
    {
        var ptr = Marshal.SecureStringToGlobalAllocUnicode(Secret);
        try { return Marshal.PtrToStringUni(ptr) ?? ""; }
        finally { Marshal.ZeroFreeGlobalAllocUnicode(ptr); }
    }

    private static SecureString Copy(SecureString s)
    {
        var c = s.Copy();
        c.MakeReadOnly();
        return c;
    }

    public override string ToString() => UserName is null ? Method : $"{Method} ({UserName})";
}

/// <summary>Settings of the one HTTP pipeline every DS call goes through.</summary>
public sealed record DsHttpOptions
{
    /// <summary>Per-attempt timeout.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Retries of idempotent reads on network errors, 5xx and 429.</summary>
    public int MaxRetries { get; init; } = 3;
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>Off by default: TLS certificates are verified unless the user opts out.</summary>
    public bool SkipCertificateCheck { get; init; }
    public IWebProxy? Proxy { get; init; }
}

/// <summary>Requests and writes sent through one connection (every attempt counts).</summary>
public sealed class DsRequestStatistics
{
    private long _requests;
    private long _writes;
    private long _retries;

    public long Requests => Interlocked.Read(ref _requests);
    public long Writes => Interlocked.Read(ref _writes);
    public long Retries => Interlocked.Read(ref _retries);

    internal void Count(HttpMethod method)
    {
        Interlocked.Increment(ref _requests);
        if (method != HttpMethod.Get && method != HttpMethod.Head) Interlocked.Increment(ref _writes);
    }

    internal void CountRetry() => Interlocked.Increment(ref _retries);

    public override string ToString() => $"{Requests} requests, {Writes} writes, {Retries} retries";
}

/// <summary>
/// Builds the single HttpClient pipeline: TLS settings → statistics → resilience (retry/timeout) → authentication.
/// Tests pass their own innermost handler to run the whole pipeline without a network.
/// </summary>
public static class DsHttpPipeline
{
    /// <summary>Request option marking a read that DS maps to POST (e.g. schedules/list): not counted as a write.</summary>
    public const string ReadOnlyRequest = "DsOps.ReadOnlyRequest";

    public static HttpClient Create(Uri baseUri, DsHttpOptions options, DsAuthentication? auth, DsRequestStatistics statistics,
        HttpMessageHandler? innerHandler = null)
    {
        var inner = innerHandler ?? CreateSocketsHandler(options);
        var statisticsHandler = new StatisticsHandler(statistics) { InnerHandler = inner };
        var resilience = new ResilienceHandler(options, statistics) { InnerHandler = statisticsHandler };
        HttpMessageHandler outer = resilience;
        if (auth is not null) outer = new AuthenticationHandler(auth) { InnerHandler = resilience };
        var client = new HttpClient(outer, disposeHandler: true)
        {
            BaseAddress = NormalizeBase(baseUri),
            Timeout = System.Threading.Timeout.InfiniteTimeSpan, // per-attempt timeouts live in the resilience handler
        };
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("DsOps", typeof(DsHttpPipeline).Assembly.GetName().Version?.ToString(3) ?? "0"));
        return client;
    }

    /// <summary>
    /// DS serves its API under /dolphinscheduler (reference §1.1). A bare host URI gets that path;
    /// the base always ends with '/' so relative routes append to it.
    /// </summary>
    public static Uri NormalizeBase(Uri uri)
    {
        if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"'{uri}' is not an http(s) URI of a DS API server, e.g. http://ds-api:12345/dolphinscheduler.", nameof(uri));
        var builder = new UriBuilder(uri) { Query = "", Fragment = "" };
        var path = builder.Path.TrimEnd('/');
        if (path.Length == 0) path = "/dolphinscheduler";
        builder.Path = path + "/";
        return builder.Uri;
    }

    private static SocketsHttpHandler CreateSocketsHandler(DsHttpOptions options)
    {
        var handler = Http.HttpHandlers.Create(options.Timeout < TimeSpan.FromSeconds(15) ? options.Timeout : TimeSpan.FromSeconds(15),
            options.SkipCertificateCheck, options.Proxy);
        handler.MaxConnectionsPerServer = 32;
        return handler;
    }

    private sealed class AuthenticationHandler(DsAuthentication auth) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Remove(auth.HeaderName);
            request.Headers.TryAddWithoutValidation(auth.HeaderName, auth.Reveal());
            return base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class StatisticsHandler(DsRequestStatistics statistics) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var readOnly = ((IDictionary<string, object?>)request.Options).ContainsKey(ReadOnlyRequest);
            statistics.Count(readOnly ? HttpMethod.Get : request.Method);
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>
    /// Retries only idempotent reads (GET/HEAD) on network errors, 5xx and 429, with exponential backoff and
    /// jitter, honouring Retry-After; every attempt has its own timeout. Writes are never retried:
    /// DS's create calls are not idempotent.
    /// </summary>
    private sealed class ResilienceHandler : DelegatingHandler
    {
        private readonly ResiliencePipeline<HttpResponseMessage> _reads;
        // Built on the first write: a session that only reads (most do) never pays for it.
        private readonly Lazy<ResiliencePipeline<HttpResponseMessage>> _writes;

        public ResilienceHandler(DsHttpOptions options, DsRequestStatistics statistics)
        {
            var timeout = new TimeoutStrategyOptions { Timeout = options.Timeout };
            _writes = new(() => new ResiliencePipelineBuilder<HttpResponseMessage>().AddTimeout(timeout).Build());
            var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
            if (options.MaxRetries > 0)
            {
                builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
                {
                    MaxRetryAttempts = options.MaxRetries,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = options.RetryBaseDelay,
                    MaxDelay = TimeSpan.FromSeconds(30),
                    ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                        .Handle<HttpRequestException>()
                        .Handle<TimeoutRejectedException>()
                        .HandleResult(r => (int)r.StatusCode >= 500 || r.StatusCode == HttpStatusCode.TooManyRequests),
                    DelayGenerator = static args =>
                    {
                        var retryAfter = args.Outcome.Result?.Headers.RetryAfter;
                        TimeSpan? delay = retryAfter?.Delta ?? (retryAfter?.Date - DateTimeOffset.UtcNow);
                        return ValueTask.FromResult(delay is { } d && d > TimeSpan.Zero && d < TimeSpan.FromSeconds(60) ? d : (TimeSpan?)null);
                    },
                    OnRetry = args =>
                    {
                        statistics.CountRetry();
                        args.Outcome.Result?.Dispose();
                        return default;
                    },
                });
            }
            _reads = builder.AddTimeout(timeout).Build();
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var pipeline = request.Method == HttpMethod.Get || request.Method == HttpMethod.Head ? _reads : _writes.Value;
            return await pipeline.ExecuteAsync(
                static async (state, ct) => await state.self.BaseSendAsync(state.request, ct).ConfigureAwait(false),
                (self: this, request), cancellationToken).ConfigureAwait(false);
        }

        private Task<HttpResponseMessage> BaseSendAsync(HttpRequestMessage request, CancellationToken ct) => base.SendAsync(request, ct);
    }
}
