using System.Collections.Concurrent;
using System.Net;

namespace DsOps.Engine.Notifications;

/// <summary>
/// One long-lived HttpClient per network configuration (proxy, proxy user, certificate check), as
/// docs/chat-robots.md §7.3 advises: SocketsHttpHandler with a bounded connection lifetime so DNS changes are seen.
/// TLS certificates are verified unless the target explicitly opts out.
/// </summary>
public static class NotificationHttp
{
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
        // Per-request timeouts come from the sender's cancellation; the client's own is disabled.
        // Robot answers are tiny; a bounded buffer keeps a misbehaving endpoint from filling memory.
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan, MaxResponseContentBufferSize = 1024 * 1024 };
    }
}
