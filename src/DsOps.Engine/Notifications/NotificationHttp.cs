using System.Collections.Concurrent;
using System.Net;

namespace DsOps.Engine.Notifications;

/// <summary>
/// One long-lived HttpClient per network configuration (proxy, proxy user, certificate check), as
/// docs/chat-robots.md §7.3 advises: SocketsHttpHandler with a bounded connection lifetime so DNS changes are seen.
/// TLS certificates are verified unless the target explicitly opts out.
/// </summary>
internal static class NotificationHttp
{
    /// <summary>Largest robot answer read (they are a few hundred bytes).</summary>
    public const long MaxResponseBytes = 1024 * 1024;

    private static readonly ConcurrentDictionary<string, HttpClient> Clients = new(StringComparer.Ordinal);

    public static HttpClient ClientFor(NotificationTarget target)
    {
        var credential = target.ProxyCredential;
        var key = string.Join('|', target.Proxy?.AbsoluteUri ?? "(default)",
            credential is null ? "" : Redaction.Fingerprint(credential.UserName + "\n" + credential.Password),
            target.SkipCertificateCheck ? "insecure" : "verified");
        return Clients.GetOrAdd(key, _ => Create(target.Proxy, credential, target.SkipCertificateCheck));
    }

    private static HttpClient Create(Uri? proxy, NetworkCredential? proxyCredential, bool skipCertificateCheck)
    {
        var handler = Http.HttpHandlers.Create(TimeSpan.FromSeconds(10), skipCertificateCheck,
            proxy is null ? null : new WebProxy(proxy) { Credentials = proxyCredential });
        // Per-request timeouts come from the sender's cancellation, which covers reading the body too; the client's
        // own is disabled. Robot answers are tiny: the shared bounds handler cuts an answer off at 1 MB.
        var bounded = new Http.BoundedResponseHandler(MaxResponseBytes, timeout: null) { InnerHandler = handler };
        return new HttpClient(bounded) { Timeout = Timeout.InfiniteTimeSpan };
    }
}
