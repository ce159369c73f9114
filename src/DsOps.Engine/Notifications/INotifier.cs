using System.Net;
using System.Net.Http.Headers;

namespace DsOps.Engine.Notifications;

/// <summary>
/// One channel's protocol: how a message becomes request bodies, how each attempt is signed, and how a
/// response is judged. Sending, retrying, rate limiting and timeouts are shared (<see cref="NotificationSender"/>).
/// </summary>
internal interface INotifier
{
    NotificationChannel Channel { get; }

    /// <summary>Per-destination send budget (docs/chat-robots.md §7.5); empty means unlimited.</summary>
    IReadOnlyList<RateRule> RateRules { get; }

    /// <summary>Whether @-mentions by phone number are supported.</summary>
    bool SupportsMobileMentions { get; }

    /// <summary>Whether @all is supported.</summary>
    bool SupportsAtAll { get; }

    /// <summary>Renders the message into one or more parts, each within the channel's size limit.</summary>
    IReadOnlyList<NotificationPart> Render(NotificationTarget target, NotificationMessage message, DateTimeOffset now);

    /// <summary>Builds the HTTP request for one attempt; signatures are computed here, fresh for every attempt.</summary>
    HttpRequestMessage CreateRequest(NotificationTarget target, NotificationPart part, DateTimeOffset now);

    /// <summary>Judges a response: success is read from the body code, not just the HTTP status.</summary>
    ResponseReading Read(HttpStatusCode status, string body, HttpResponseHeaders headers);
}

/// <summary>One request body of a (possibly split) message.</summary>
public sealed record NotificationPart(int Index, int Count, string Json)
{
    /// <summary>Size of the serialized body in UTF-8 bytes.</summary>
    public int Bytes { get; } = System.Text.Encoding.UTF8.GetByteCount(Json);
}

/// <summary>How a response was judged.</summary>
internal enum ResponseVerdict
{
    Success,
    /// <summary>Worth retrying: network error, 5xx, 408, "system busy" body codes.</summary>
    Transient,
    /// <summary>The destination's rate limit was hit: wait (RetryAfter) and retry.</summary>
    RateLimited,
    /// <summary>The body was too large: a configuration or splitting problem, not retried.</summary>
    TooLarge,
    /// <summary>A robot security check failed (signature, keyword, IP allowlist): not retried.</summary>
    SecurityRejected,
    /// <summary>The webhook token/key/path is wrong or the robot was removed: not retried.</summary>
    WebhookInvalid,
    /// <summary>Any other permanent rejection: not retried.</summary>
    Rejected,
    /// <summary>The answer is not the platform's format (e.g. a proxy's HTML page): not retried.</summary>
    InvalidResponse,
}

/// <summary>The verdict with the platform's code and message (redacted before display) and a wait hint.</summary>
internal readonly record struct ResponseReading(ResponseVerdict Verdict, string? Code = null, string? Detail = null, TimeSpan? RetryAfter = null)
{
    public bool IsRetryable => Verdict is ResponseVerdict.Transient or ResponseVerdict.RateLimited;
}
