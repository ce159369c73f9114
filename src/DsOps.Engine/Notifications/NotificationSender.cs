using System.Net;
using System.Security.Authentication;
using DsOps.Engine.Notifications.Channels;
using Polly;
using Polly.Retry;

namespace DsOps.Engine.Notifications;

/// <summary>Timeouts, retries and limits of the one sending path.</summary>
internal sealed class NotificationOptions
{
    /// <summary>Per-request timeout (docs/chat-robots.md §7.3: about 10 s).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after the first attempt, for transient failures only (§7.2: at most 3).</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>First backoff delay; doubles with jitter (§7.2: 2 s, 4 s, 8 s).</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Longest wait a platform's "too fast" answer may impose before a retry (DingTalk parks a robot for 10
    /// minutes after 130101). A longer required wait fails the send instead of hanging the job.
    /// </summary>
    public TimeSpan MaxRateLimitWait { get; init; } = TimeSpan.FromMinutes(11);

    /// <summary>Most parts one message may be split into (§7.4: don't flood a shared robot). Checked before sending anything.</summary>
    public int MaxParts { get; init; } = 10;

    /// <summary>Clock used for signatures, backoff and rate limiting.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// The one sending path for every channel: render and split (per <see cref="INotifier"/>), wait for the
/// destination's rate limit, sign each attempt, send with a timeout, judge the body code, retry only
/// transient failures with Polly, and report per part. Error messages never contain credentials.
/// </summary>
internal sealed class NotificationSender
{
    private static readonly IReadOnlyDictionary<NotificationChannel, INotifier> Notifiers = new INotifier[]
    {
        new DingTalkNotifier(), new WeComNotifier(), new FeishuNotifier(), new SlackNotifier(), new WebhookNotifier(),
    }.ToDictionary(n => n.Channel);

    private readonly NotificationOptions _options;
    private readonly DestinationRateLimiter _limiter;
    private readonly Func<NotificationTarget, HttpClient> _clients;
    private readonly ResiliencePipeline _retry;

    public NotificationSender(NotificationOptions? options = null, DestinationRateLimiter? limiter = null,
        Func<NotificationTarget, HttpClient>? clients = null)
    {
        _options = options ?? new NotificationOptions();
        _limiter = limiter ?? DestinationRateLimiter.Shared;
        _clients = clients ?? NotificationHttp.ClientFor;
        _retry = BuildRetryPipeline(_options);
        RetryPipelinesBuilt++;
    }

    /// <summary>How many retry pipelines this sender built (one, whatever it sends; for tests).</summary>
    internal int RetryPipelinesBuilt { get; private set; }

    /// <summary>
    /// The one retry pipeline of this sender, shared by every part it sends: transient failures only, exponential
    /// backoff with jitter, a platform's Retry-After honoured. Per-part state lives in the send callback.
    /// </summary>
    private static ResiliencePipeline BuildRetryPipeline(NotificationOptions options) =>
        new ResiliencePipelineBuilder { TimeProvider = options.Time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(1, options.MaxRetries),
                Delay = options.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(options.MaxRetries > 0 && IsRetryable(args.Outcome.Exception, args.Context.CancellationToken)),
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Exception is RetryableResponse { Reading.RetryAfter: { } after } ? (TimeSpan?)after : null),
            })
            .Build();

    public static INotifier NotifierFor(NotificationChannel channel) => Notifiers[channel];

    /// <summary>Renders the message for the target's channel without sending (for -WhatIf and tests).</summary>
    public IReadOnlyList<NotificationPart> Render(NotificationTarget target, NotificationMessage message)
    {
        var parts = NotifierFor(target.Channel).Render(target, message, _options.Time.GetUtcNow());
        if (parts.Count > _options.MaxParts)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsNotifyTooManyParts",
                $"The message needs {parts.Count} parts for {target.Channel}, more than the {_options.MaxParts} allowed; " +
                "shorten it (send a summary with a link) or raise MaxParts.");
        return parts;
    }

    /// <summary>Sends every part in order; stops at the first part that cannot be delivered (NotificationException).</summary>
    public async Task<IReadOnlyList<NotificationDelivery>> SendAsync(NotificationTarget target, NotificationMessage message,
        CancellationToken cancellationToken = default)
    {
        var delivered = new List<NotificationDelivery>();
        await foreach (var d in SendPartsAsync(target, Render(target, message), message, cancellationToken).ConfigureAwait(false))
            delivered.Add(d);
        return delivered;
    }

    /// <summary>
    /// Sends already rendered parts in order, yielding each delivery as it happens (so a cmdlet can show
    /// progress); throws NotificationException at the first part that cannot be delivered.
    /// </summary>
    public async IAsyncEnumerable<NotificationDelivery> SendPartsAsync(NotificationTarget target, IReadOnlyList<NotificationPart> parts,
        NotificationMessage message, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var delivered = new List<NotificationDelivery>();
        foreach (var part in parts)
        {
            var delivery = await SendPartAsync(target, message, part, delivered, cancellationToken).ConfigureAwait(false);
            delivered.Add(delivery);
            yield return delivery;
        }
    }

    private async Task<NotificationDelivery> SendPartAsync(NotificationTarget target, NotificationMessage message,
        NotificationPart part, IReadOnlyList<NotificationDelivery> delivered, CancellationToken cancellationToken)
    {
        var notifier = NotifierFor(target.Channel);
        var client = _clients(target);
        var attempts = 0;
        var throttled = TimeSpan.Zero;
        var cooledDown = false;
        ResponseReading last = default;
        int? lastStatus = null;

        try
        {
            await _retry.ExecuteAsync(async token =>
            {
                attempts++;
                throttled += await _limiter.AcquireAsync(target.Fingerprint, notifier.RateRules, token).ConfigureAwait(false);
                using var request = notifier.CreateRequest(target, part, _options.Time.GetUtcNow());
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
                timeout.CancelAfter(_options.RequestTimeout);
                HttpResponseMessage response;
                try
                {
                    response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!token.IsCancellationRequested)
                {
                    throw new TimeoutException($"No answer within {_options.RequestTimeout.TotalSeconds:0} s.");
                }
                using (response)
                {
                    lastStatus = (int)response.StatusCode;
                    var body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
                    last = notifier.Read(response.StatusCode, body, response.Headers);
                }
                if (last.Verdict == ResponseVerdict.Success) return;
                if (last.Verdict == ResponseVerdict.RateLimited && last.RetryAfter is { } wait)
                    _limiter.BlockUntil(target.Fingerprint, _options.Time.GetUtcNow() + wait);
                // A cooldown (DingTalk parks a robot for 10 min) is waited out once, then the send fails (docs/chat-robots.md §7.2).
                var cooldown = last.Verdict == ResponseVerdict.RateLimited && last.RetryAfter > TimeSpan.FromMinutes(1);
                if (last.IsRetryable && (last.RetryAfter ?? TimeSpan.Zero) <= _options.MaxRateLimitWait && !(cooldown && cooledDown))
                {
                    cooledDown |= cooldown;
                    throw new RetryableResponse(last);
                }
                throw Failure(target, part, attempts, last, lastStatus, delivered, null);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (NotificationException) { throw; }
        catch (RetryableResponse r)
        {
            throw Failure(target, part, attempts, r.Reading, lastStatus, delivered, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { throw; }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException or IOException)
        {
            throw NetworkFailure(target, part, attempts, ex, delivered);
        }

        return new NotificationDelivery
        {
            Target = target.Name, Channel = target.Channel, Destination = target.Destination, Fingerprint = target.Fingerprint,
            MessageId = message.MessageId, Part = part.Index, Parts = part.Count, Bytes = part.Bytes, Succeeded = true,
            HttpStatus = lastStatus, Code = last.Code, Attempts = attempts, Throttled = throttled,
            SentAt = _options.Time.GetUtcNow(),
        };
    }

    private static bool IsRetryable(Exception? ex, CancellationToken cancellationToken) => ex switch
    {
        RetryableResponse => true,
        // An answer over the size cap would be as large again.
        _ when Http.BoundedResponseHandler.Find<Http.ResponseTooLargeException>(ex) is not null => false,
        TimeoutException => true,
        // TLS and certificate failures are not fixed by retrying (docs/chat-robots.md §7.2).
        HttpRequestException h => h.InnerException is not AuthenticationException && !cancellationToken.IsCancellationRequested,
        IOException => true,
        _ => false,
    };

    private static NotificationException Failure(NotificationTarget target, NotificationPart part, int attempts,
        ResponseReading reading, int? status, IReadOnlyList<NotificationDelivery> delivered, Exception? inner)
    {
        var (kind, id, what) = reading.Verdict switch
        {
            ResponseVerdict.SecurityRejected => (DsErrorKind.Permission, "DsNotifySecurityCheckFailed", "rejected by the robot's security settings"),
            ResponseVerdict.WebhookInvalid => (DsErrorKind.Authentication, "DsNotifyWebhookInvalid", "rejected the webhook (wrong or deleted token/key, or the robot was removed)"),
            ResponseVerdict.RateLimited => (DsErrorKind.RateLimited, "DsNotifyRateLimited", "is rate limiting this robot"),
            ResponseVerdict.TooLarge => (DsErrorKind.InvalidInput, "DsNotifyTooLarge", "rejected the message as too large"),
            ResponseVerdict.Transient => (DsErrorKind.Unavailable, "DsNotifyUnavailable", "kept failing"),
            ResponseVerdict.InvalidResponse => (DsErrorKind.InvalidResponse, "DsNotifyInvalidResponse", "answered something that is not its response format"),
            _ => (DsErrorKind.Business, "DsNotifyRejected", "rejected the message"),
        };
        var code = reading.Code is null ? "" : $" code {reading.Code}";
        var http = status is null ? "" : $" (HTTP {status})";
        var detail = string.IsNullOrWhiteSpace(reading.Detail) ? "" : $": {reading.Detail}";
        var message = $"{target.Channel} {what}{code}{http}{detail}. Target '{target.Name}' [{target.Fingerprint}], " +
                      $"part {part.Index}/{part.Count}, {attempts} attempt(s); {delivered.Count} part(s) delivered before.";
        return new NotificationException(kind, id, target.Redact(message), target.Channel, target.Name, part.Index, part.Count,
            attempts, reading.Code, status, delivered, inner);
    }

    private static NotificationException NetworkFailure(NotificationTarget target, NotificationPart part, int attempts,
        Exception ex, IReadOnlyList<NotificationDelivery> delivered)
    {
        var tls = ex is HttpRequestException { InnerException: AuthenticationException };
        var (kind, id) = ex is TimeoutException ? (DsErrorKind.Timeout, "DsNotifyTimeout")
            : tls ? (DsErrorKind.Unavailable, "DsNotifyTlsError") : (DsErrorKind.Unavailable, "DsNotifyUnavailable");
        var hint = tls ? " The TLS handshake failed (proxy or CA problem); -SkipCertificateCheck opts out of verification." : "";
        var message = $"{target.Channel} could not be reached: {ex.Message}{hint} Target '{target.Name}' [{target.Fingerprint}], " +
                      $"part {part.Index}/{part.Count}, {attempts} attempt(s); {delivered.Count} part(s) delivered before.";
        // The inner exception is not attached: HttpRequestException text can carry the full request URI.
        return new NotificationException(kind, id, target.Redact(message), target.Channel, target.Name, part.Index, part.Count,
            attempts, null, null, delivered);
    }

    /// <summary>Signals Polly that a response is worth another attempt.</summary>
    private sealed class RetryableResponse(ResponseReading reading) : Exception("retryable response")
    {
        public ResponseReading Reading { get; } = reading;
    }
}
