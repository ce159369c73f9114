using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace DsOps.Engine.Notifications;

/// <summary>
/// Removes webhook credentials from any text before it reaches output, errors or logs
/// (docs/chat-robots.md §7.7): query values of access_token, key, sign, timestamp and secret,
/// the path after /hook/ and /services/, and any exact secret the caller names.
/// </summary>
internal static partial class Redaction
{
    public const string Mask = "***";

    [GeneratedRegex(@"(?i)([?&](?:access_token|key|sign|timestamp|secret|token)=)[^&#\s""'<>]*")]
    private static partial Regex SecretQuery();

    [GeneratedRegex(@"(?i)(/(?:hook|services)/)[^?#\s""'<>]+")]
    private static partial Regex SecretPath();

    /// <summary>Redacts credential-shaped parts of URLs in <paramref name="text"/> and every listed secret.</summary>
    public static string Redact(string? text, params string?[] secrets)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        foreach (var secret in secrets.Where(s => !string.IsNullOrEmpty(s) && s.Length >= 4).OrderByDescending(s => s!.Length))
        {
            text = text.Replace(secret!, Mask, StringComparison.Ordinal);
            // Also the percent-encoded form, as it would appear inside a URL.
            var escaped = Uri.EscapeDataString(secret!);
            if (escaped != secret) text = text.Replace(escaped, Mask, StringComparison.Ordinal);
        }
        text = SecretQuery().Replace(text, "$1" + Mask);
        return SecretPath().Replace(text, "$1" + Mask);
    }

    /// <summary>A short, stable, non-reversible id of a secret (first 8 hex digits of SHA-256), to tell robots apart.</summary>
    public static string Fingerprint(string secret) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)))[..8].ToLowerInvariant();
}
