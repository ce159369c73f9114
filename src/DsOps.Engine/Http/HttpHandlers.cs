using System.Net;

namespace DsOps.Engine.Http;

/// <summary>
/// The one place DsOps builds sockets handlers, for the DS API and for chat robots alike: TLS verification on unless
/// the caller opts out, an explicit or the default proxy, and no automatic redirects (a redirect would carry a token
/// header or a credentialed webhook URL to another place).
/// </summary>
internal static class HttpHandlers
{
    public static SocketsHttpHandler Create(TimeSpan connectTimeout, bool skipCertificateCheck, IWebProxy? proxy)
    {
        var handler = new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.All,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = connectTimeout,
            AllowAutoRedirect = false,
            UseCookies = false, // credentials travel in headers or URLs, never in cookies
        };
        if (proxy is not null)
        {
            handler.Proxy = proxy;
            handler.UseProxy = true;
        }
        // else: UseProxy stays true with the default proxy (HTTPS_PROXY / HTTP_PROXY / NO_PROXY, or the system proxy).
        if (skipCertificateCheck)
            handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
        return handler;
    }
}
