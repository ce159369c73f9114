using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Security;
using Polly;
using Polly.Retry;

namespace DsOps.Engine.Api;

/// <summary>How a connection authenticates. Secrets stay in SecureStrings and are read only when a request is sent.</summary>
internal sealed class DsAuthentication
{
    private DsAuthentication(string headerName, SecureString secret, string method, string? userName)
    {
        HeaderName = headerName;
        Secret = secret;
        Method = method;
        UserName = userName;
    }

    /// <summary>An access token, sent as the <c>token</c> header (docs/ds-facts.md §1.3).</summary>
    public static DsAuthentication FromToken(SecureString token)
    {
        SecretRegistry.Register(token);
        return new("token", Copy(token), "Token", null);
    }

    /// <summary>A login session, sent as the <c>sessionId</c> header (docs/ds-facts.md §1.2).</summary>
    public static DsAuthentication FromSession(SecureString sessionId, string userName)
    {
        SecretRegistry.Register(sessionId);
        return new("sessionId", Copy(sessionId), "Session", userName);
    }

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
    /// <summary>Per-attempt timeout; it covers the headers and reading the whole body.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>
    /// Largest answer accepted, checked against Content-Length before reading and counted while streaming.
    /// The default is six times the largest answer measured at scale (GET …/all of 4,000 workflows × 10 tasks: 42 MB,
    /// docs/benchmarks.md).
    /// </summary>
    public long MaxResponseBytes { get; init; } = DefaultMaxResponseBytes;
    public const long DefaultMaxResponseBytes = 256L * 1024 * 1024;
    /// <summary>Retries of reads (GET and the reads DS maps to POST) on network errors, timeouts, 5xx and 429, and of
    /// writes refused with 429 (refused before processing).</summary>
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

    internal void Count(bool read)
    {
        Interlocked.Increment(ref _requests);
        if (!read) Interlocked.Increment(ref _writes);
    }

    internal void CountRetry() => Interlocked.Increment(ref _retries);

    public override string ToString() => $"{Requests} requests, {Writes} writes, {Retries} retries";
}

/// <summary>
/// Builds the single HttpClient pipeline: authentication → resilience (retries) → statistics → bounds (per-attempt
/// deadline over headers and body, response size cap; <see cref="Http.BoundedResponseHandler"/>) → TLS settings.
/// Tests pass their own innermost handler to run the whole pipeline without a network.
/// </summary>
internal static class DsHttpPipeline
{
    /// <summary>
    /// Request option marking a read that DS maps to POST (e.g. schedules/list). Such a request is a read everywhere:
    /// retried like a GET and not counted as a write (<see cref="IsRead"/> is the one test).
    /// </summary>
    public const string ReadOnlyRequest = "DsOps.ReadOnlyRequest";

    private static readonly HttpRequestOptionsKey<int> AttemptsKey = new("DsOps.Attempts");

    /// <summary>True for requests that change nothing on the server: GET, HEAD and POSTs marked <see cref="ReadOnlyRequest"/>.</summary>
    public static bool IsRead(HttpRequestMessage request) =>
        request.Method == HttpMethod.Get || request.Method == HttpMethod.Head ||
        ((IDictionary<string, object?>)request.Options).ContainsKey(ReadOnlyRequest);

    /// <summary>How many attempts the pipeline made for <paramref name="request"/> (0 when unknown).</summary>
    public static int AttemptsOf(HttpRequestMessage? request) =>
        request is not null && request.Options.TryGetValue(AttemptsKey, out var n) ? n : 0;

    public static HttpClient Create(Uri baseUri, DsHttpOptions options, DsAuthentication? auth, DsRequestStatistics statistics,
        HttpMessageHandler? innerHandler = null)
    {
        var inner = innerHandler ?? CreateSocketsHandler(options);
        var bounds = new Http.BoundedResponseHandler(options.MaxResponseBytes, options.Timeout) { InnerHandler = inner };
        var statisticsHandler = new StatisticsHandler(statistics) { InnerHandler = bounds };
        var resilience = new ResilienceHandler(options) { InnerHandler = statisticsHandler };
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
    /// DS serves its API under /dolphinscheduler (docs/ds-facts.md §1.1). A bare host URI gets that path;
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

    /// <summary>
    /// Counts every attempt; a request message seen again is a retry of the resilience handler outside this one
    /// (it resends the same message), which keeps the retry pipelines free of per-connection state.
    /// </summary>
    private sealed class StatisticsHandler(DsRequestStatistics statistics) : DelegatingHandler
    {
        private static readonly HttpRequestOptionsKey<bool> Attempted = new("DsOps.Attempted");

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Options.TryGetValue(Attempted, out _)) statistics.CountRetry();
            else request.Options.Set(Attempted, true);
            request.Options.Set(AttemptsKey, AttemptsOf(request) + 1);
            statistics.Count(IsRead(request));
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>
    /// Retries reads (<see cref="IsRead"/>: GET, HEAD and the reads DS maps to POST) on network errors, timeouts, 5xx and
    /// 429, and writes only when refused with 429 (DS's optional traffic control, docs/ds-facts.md §1.3, is taken to
    /// refuse before the controller runs, so nothing was done; unverified against DS's source, see docs/http.md), with
    /// Polly's exponential backoff and jitter, honouring Retry-After. Other failures of writes are never
    /// retried: DS's create calls are not idempotent. Each attempt has its own deadline (the bounds handler inside).
    /// The first attempt is sent directly and Polly takes over only when it failed in a way worth retrying. Building a
    /// Polly pipeline costs ~25 ms the first time in a process (it validates its options with DataAnnotations), and
    /// running one compiles ~150 generic methods; a session whose calls succeed (nearly all) should not wait for that.
    /// Polly then sees the failed first attempt as its own attempt 0, so attempts, backoff and Retry-After are exactly
    /// those of a pipeline that sent every attempt itself.
    /// </summary>
    internal sealed class ResilienceHandler(DsHttpOptions options) : DelegatingHandler
    {
        // Pipelines hold no per-connection state, so one per set of retry settings serves the whole process.
        private static readonly ConcurrentDictionary<(int MaxRetries, TimeSpan Delay, bool Read), Lazy<ResiliencePipeline<HttpResponseMessage>>> Pipelines = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (options.MaxRetries <= 0) return await AttemptAsync(request, cancellationToken).ConfigureAwait(false);
            var read = IsRead(request);

            Outcome<HttpResponseMessage> first;
            try
            {
                first = Outcome.FromResult(await AttemptAsync(request, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception ex)
            {
                first = Outcome.FromException<HttpResponseMessage>(ex); // IsTransient decides; anything else is rethrown as is
            }
            if (!IsTransient(first, read))
            {
                first.ThrowIfException();
                return first.Result!;
            }

            var pipeline = Pipelines.GetOrAdd((options.MaxRetries, options.RetryBaseDelay, read),
                static k => new Lazy<ResiliencePipeline<HttpResponseMessage>>(() => BuildRetries(k.MaxRetries, k.Delay, k.Read))).Value;
            var state = new RetryState(this, request, first);
            return await pipeline.ExecuteAsync(static (s, ct) => s.NextAsync(ct), state, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>One attempt; its deadline (headers and body) is kept by the bounds handler inside.</summary>
        private Task<HttpResponseMessage> AttemptAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            base.SendAsync(request, cancellationToken);

        /// <summary>
        /// Worth another attempt: for reads, network errors, an attempt without an answer in time, 5xx and 429; for writes
        /// only 429. An answer that arrived but was too large is not retried (it would be as large again).
        /// </summary>
        private static bool IsTransient(Outcome<HttpResponseMessage> outcome, bool read) => outcome switch
        {
            { Exception: Http.ResponseTooLargeException } => false,
            { Exception: HttpRequestException or Http.ResponseTimeoutException } => read,
            { Result: { } r } => r.StatusCode == HttpStatusCode.TooManyRequests || (read && (int)r.StatusCode >= 500),
            _ => false,
        };

        /// <summary>Hands Polly the first attempt's outcome as its attempt 0, then sends the retries.</summary>
        private sealed class RetryState(ResilienceHandler handler, HttpRequestMessage request, Outcome<HttpResponseMessage> first)
        {
            private bool _firstTaken;

            public ValueTask<HttpResponseMessage> NextAsync(CancellationToken ct)
            {
                if (_firstTaken) return new ValueTask<HttpResponseMessage>(handler.AttemptAsync(request, ct));
                _firstTaken = true;
                return first.Exception is { } ex ? ValueTask.FromException<HttpResponseMessage>(ex) : ValueTask.FromResult(first.Result!);
            }
        }

        private static ResiliencePipeline<HttpResponseMessage> BuildRetries(int maxRetries, TimeSpan delay, bool read) =>
            new ResiliencePipelineBuilder<HttpResponseMessage>()
                .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
                {
                    MaxRetryAttempts = maxRetries,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = delay,
                    MaxDelay = TimeSpan.FromSeconds(30),
                    ShouldHandle = read
                        ? static args => ValueTask.FromResult(IsTransient(args.Outcome, read: true))
                        : static args => ValueTask.FromResult(IsTransient(args.Outcome, read: false)),
                    DelayGenerator = static args =>
                    {
                        var retryAfter = args.Outcome.Result?.Headers.RetryAfter;
                        TimeSpan? wait = retryAfter?.Delta ?? (retryAfter?.Date - DateTimeOffset.UtcNow);
                        return ValueTask.FromResult(wait is { } d && d > TimeSpan.Zero && d < TimeSpan.FromSeconds(60) ? d : (TimeSpan?)null);
                    },
                    OnRetry = static args =>
                    {
                        args.Outcome.Result?.Dispose();
                        return default;
                    },
                })
                .Build();
    }
}
