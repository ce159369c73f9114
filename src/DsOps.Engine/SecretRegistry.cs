using System.Collections.Concurrent;
using System.Net;
using System.Runtime.InteropServices;
using System.Security;
using System.Text.Encodings.Web;

namespace DsOps.Engine;

/// <summary>
/// Every secret value DsOps knows of in this process: connection tokens, login passwords and session ids (DS client),
/// webhook URLs, keys and signing secrets (notifications), and the values of secret-named <c>${env:NAME}</c> variables
/// (spec loader). <see cref="Redact"/> masks them in any text, whatever its source: DS's <c>msg</c>, a proxy's HTML,
/// an exception message. DsOpsException redacts its message on construction and the cmdlet layer redacts every
/// error, warning, verbose, debug and information text, so a server or proxy that echoes a request cannot put a
/// secret into a stream, <c>$Error</c> or a transcript.
/// Values shorter than <see cref="MinLength"/> characters are not registered (masking them would mangle ordinary text).
/// Values stay registered for the life of the process: masking a secret that is no longer used costs nothing.
/// </summary>
public static class SecretRegistry
{
    public const string Mask = "***";
    public const int MinLength = 4;

    private static readonly ConcurrentDictionary<string, byte> Values = new(StringComparer.Ordinal);
    private static readonly object Gate = new();
    private static string[] _forms = Array.Empty<string>();

    /// <summary>Registers a secret (and the encoded forms it takes inside URLs, JSON and HTML).</summary>
    public static void Register(string? secret)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length < MinLength || !Values.TryAdd(secret, 0)) return;
        lock (Gate)
        {
            var forms = new HashSet<string>(_forms, StringComparer.Ordinal);
            foreach (var value in Values.Keys)
            {
                forms.Add(value);
                forms.Add(Uri.EscapeDataString(value));
                forms.Add(WebUtility.UrlEncode(value));
                forms.Add(JavaScriptEncoder.Default.Encode(value));
                forms.Add(JavaScriptEncoder.UnsafeRelaxedJsonEscaping.Encode(value));
                forms.Add(WebUtility.HtmlEncode(value));
            }
            // Longest first, so a secret containing another is masked whole.
            _forms = forms.Where(f => f.Length >= MinLength).OrderByDescending(f => f.Length).ThenBy(f => f, StringComparer.Ordinal).ToArray();
        }
    }

    /// <summary>Registers the value of a SecureString (read once, here).</summary>
    public static void Register(SecureString? secret)
    {
        if (secret is null || secret.Length < MinLength) return;
        var ptr = Marshal.SecureStringToGlobalAllocUnicode(secret);
        try { Register(Marshal.PtrToStringUni(ptr)); }
        finally { Marshal.ZeroFreeGlobalAllocUnicode(ptr); }
    }

    /// <summary>The text with every registered secret replaced by <see cref="Mask"/>.</summary>
    public static string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        var forms = _forms;
        foreach (var form in forms)
            if (text.Contains(form, StringComparison.Ordinal)) text = text.Replace(form, Mask, StringComparison.Ordinal);
        return text;
    }

    /// <summary>Whether the text holds a registered secret.</summary>
    public static bool Reveals(string? text)
    {
        if (string.IsNullOrEmpty(text)) return false;
        foreach (var form in _forms)
            if (text.Contains(form, StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>Whether the message of <paramref name="exception"/> or of any inner exception holds a registered secret.</summary>
    public static bool Reveals(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (Reveals(e.Message)) return true;
            if (e is AggregateException agg && agg.InnerExceptions.Any(Reveals)) return true;
        }
        return false;
    }
}
