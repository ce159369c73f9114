using System.Security.Cryptography;
using System.Text;

namespace DsOps.Engine.Notifications;

/// <summary>
/// Robot signatures exactly as in docs/chat-robots.md (test vectors §1.3 and §3.1).
/// The separator is always LF ("\n"), never Environment.NewLine.
/// </summary>
public static class Signing
{
    /// <summary>
    /// DingTalk (§1.3): Base64(HMAC-SHA256(key = secret, message = timestamp + "\n" + secret)),
    /// timestamp in milliseconds, secret including its "SEC" prefix. Returns the raw Base64 (not URL-encoded).
    /// </summary>
    public static string DingTalk(string timestampMillis, string secret)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestampMillis + "\n" + secret));
        return Convert.ToBase64String(mac);
    }

    /// <summary>
    /// Feishu (§3.1): Base64(HMAC-SHA256(key = timestamp + "\n" + secret, message = empty)), timestamp in seconds.
    /// Goes into the JSON body, not URL-encoded.
    /// </summary>
    public static string Feishu(string timestampSeconds, string secret)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(timestampSeconds + "\n" + secret), Array.Empty<byte>());
        return Convert.ToBase64String(mac);
    }

    /// <summary>
    /// DsOps's generic webhook (§5.1, Standard-Webhooks style): "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + body)).
    /// </summary>
    public static string Webhook(string timestampSeconds, string body, string secret)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestampSeconds + "." + body));
        return "sha256=" + Convert.ToHexString(mac).ToLowerInvariant();
    }

    /// <summary>
    /// The DingTalk webhook URL with &amp;timestamp=&amp;sign= appended; the Base64 is percent-encoded exactly once.
    /// </summary>
    public static string DingTalkSignedUrl(string webhookUri, string secret, DateTimeOffset now)
    {
        var ts = now.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var sign = Uri.EscapeDataString(DingTalk(ts, secret));
        var separator = webhookUri.Contains('?') ? '&' : '?';
        return $"{webhookUri}{separator}timestamp={ts}&sign={sign}";
    }
}
