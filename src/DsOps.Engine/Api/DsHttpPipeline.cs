using System.Collections.Concurrent;
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

    /// <summary>An access token, sent as the <c>token</c> header (docs/ds-facts.md §1.3).</summary>
    public static DsAuthentication FromToken(SecureString token) => new("token", Copy(token), "Token", null);

    /// <summary>A login session, sent as the <c>sessionId</c> header (docs/ds-facts.md §1.2).</summary>
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
            var readOnly = ((IDictionary<string, object?>)request.Options).ContainsKey(ReadOnlyRequest);
            statistics.Count(readOnly ? HttpMethod.Get : request.Method);
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>
    /// Retries only idempotent reads (GET/HEAD) on network errors, 5xx and 429, with Polly's exponential backoff and
    /// jitter, honouring Retry-After; every attempt has its own timeout. Writes are never retried: DS's create calls
    /// are not idempotent.
    /// The first attempt is sent directly and Polly takes over only when it failed in a way worth retrying. Building a
    /// Polly pipeline costs ~25 ms the first time in a process (it validates its options with DataAnnotations), and
    /// running one compiles ~150 generic methods; a session whose calls succeed (nearly all) should not wait for that.
    /// Polly then sees the failed first attempt as its own attempt 0, so attempts, backoff and Retry-After are exactly
    /// those of a pipeline that sent every attempt itself.
    /// </summary>
    internal sealed class ResilienceHandler(DsHttpOptions options) : DelegatingHandler
    {
        // Pipelines hold no per-connection state, so one per set of retry settings serves the whole process.
        private static readonly ConcurrentDictionary<(int MaxRetries, TimeSpan Delay), Lazy<ResiliencePipeline<HttpResponseMessage>>> Pipelines = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var idempotent = request.Method == HttpMethod.Get || request.Method == HttpMethod.Head;
            if (!idempotent || options.MaxRetries <= 0) return await AttemptAsync(request, cancellationToken).ConfigureAwait(false);

            Outcome<HttpResponseMessage> first;
            try
            {
                first = Outcome.FromResult(await AttemptAsync(request, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception ex)
            {
                first = Outcome.FromException<HttpResponseMessage>(ex); // IsTransient decides; anything else is rethrown as is
            }
            if (!IsTransient(first))
            {
                first.ThrowIfException();
                return first.Result!;
            }

            var pipeline = Pipelines.GetOrAdd((options.MaxRetries, options.RetryBaseDelay),
                static k => new Lazy<ResiliencePipeline<HttpResponseMessage>>(() => BuildRetries(k.MaxRetries, k.Delay))).Value;
            var state = new RetryState(this, request, first);
            return await pipeline.ExecuteAsync(static (s, ct) => s.NextAsync(ct), state, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>One attempt under its own timeout (the caller's token still cancels it).</summary>
        private async Task<HttpResponseMessage> AttemptAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Timeout);
            try
            {
                return await base.SendAsync(request, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested && timeout.IsCancellationRequested)
            {
                throw new TimeoutRejectedException($"The attempt did not finish within {options.Timeout}.", options.Timeout, ex);
            }
        }

        private static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
        {
            { Exception: HttpRequestException or TimeoutRejectedException } => true,
            { Result: { } r } => (int)r.StatusCode >= 500 || r.StatusCode == HttpStatusCode.TooManyRequests,
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

        private static ResiliencePipeline<HttpResponseMessage> BuildRetries(int maxRetries, TimeSpan delay) =>
            new ResiliencePipelineBuilder<HttpResponseMessage>()
                .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
                {
                    MaxRetryAttempts = maxRetries,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = delay,
                    MaxDelay = TimeSpan.FromSeconds(30),
                    ShouldHandle = static args => ValueTask.FromResult(IsTransient(args.Outcome)),
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
