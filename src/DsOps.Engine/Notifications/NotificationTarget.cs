using System.Net;

namespace DsOps.Engine.Notifications;

/// <summary>
/// Where a notification goes: a channel and its webhook URL plus optional signing secret, keyword,
/// default mentions and network settings. The URL and secret are credentials: they are held in
/// non-public members, so ToString, PowerShell formatting, Export-Clixml and JSON serialization only
/// ever see <see cref="Destination"/> (redacted) and <see cref="Fingerprint"/>.
/// </summary>
public sealed class NotificationTarget
{
    private readonly string _webhookUri;
    private readonly string? _secret;

    public NotificationTarget(NotificationChannel channel, string webhookUri, string? secret = null, string? name = null)
    {
        if (string.IsNullOrWhiteSpace(webhookUri))
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsNotifyInvalidWebhook", "The webhook URI is empty.");
        if (!Uri.TryCreate(webhookUri.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsNotifyInvalidWebhook",
                $"The webhook URI '{Redaction.Redact(webhookUri, webhookUri.Length > 12 ? webhookUri[^12..] : webhookUri)}' is not an absolute http(s) URI.");
        Channel = channel;
        _webhookUri = uri.AbsoluteUri;
        _secret = string.IsNullOrEmpty(secret) ? null : secret;
        Fingerprint = Redaction.Fingerprint(_webhookUri);
        SecretRegistry.Register(_webhookUri);
        SecretRegistry.Register(_secret);
        SecretRegistry.Register(TokenPart());
        Name = string.IsNullOrWhiteSpace(name) ? $"{channel}-{Fingerprint}" : name.Trim();
        // A generic webhook may carry its token anywhere in the path or query, so only its host is shown.
        Destination = channel == NotificationChannel.Webhook && (uri.AbsolutePath.Length > 1 || uri.Query.Length > 0)
            ? $"{uri.Scheme}://{uri.Authority}/{Redaction.Mask}"
            : Redaction.Redact($"{uri.Scheme}://{uri.Authority}{uri.AbsolutePath}{uri.Query}", _secret);
    }

    /// <summary>Label used in output and messages (defaults to channel and fingerprint).</summary>
    public string Name { get; }

    public NotificationChannel Channel { get; }

    /// <summary>The webhook URL with every credential replaced by ***.</summary>
    public string Destination { get; }

    /// <summary>First 8 hex digits of the SHA-256 of the webhook URL: tells robots apart without revealing them.</summary>
    public string Fingerprint { get; }

    /// <summary>Whether a signing secret is set (DingTalk and Feishu signing, webhook HMAC headers).</summary>
    public bool Signed => _secret is not null;

    /// <summary>Keyword the robot's keyword mode requires; added to the title and text of every part.</summary>
    public string? Keyword { get; init; }

    /// <summary>Phone numbers @-mentioned by default (DingTalk, WeCom text).</summary>
    public IReadOnlyList<string> AtMobiles { get; init; } = Array.Empty<string>();

    /// <summary>Platform user ids @-mentioned by default (see <see cref="NotificationMessage.AtUserIds"/>).</summary>
    public IReadOnlyList<string> AtUserIds { get; init; } = Array.Empty<string>();

    /// <summary>@-mention everyone by default.</summary>
    public bool AtAll { get; init; }

    /// <summary>Default body format for this target.</summary>
    public NotificationFormat Format { get; init; } = NotificationFormat.Markdown;

    /// <summary>Explicit HTTP proxy; null uses HTTPS_PROXY/HTTP_PROXY/NO_PROXY or the system proxy.</summary>
    public Uri? Proxy { get; init; }

    /// <summary>Credentials for <see cref="Proxy"/>; never printed.</summary>
    internal NetworkCredential? ProxyCredential { get; init; }

    /// <summary>Skips TLS certificate validation (explicit opt-out only).</summary>
    public bool SkipCertificateCheck { get; init; }

    /// <summary>The real webhook URL: only the sending path reads it.</summary>
    internal string WebhookUri => _webhookUri;

    /// <summary>The signing secret: only signers read it.</summary>
    internal string? Secret => _secret;

    /// <summary>Removes this target's credentials (and URL-shaped secrets in general) from <paramref name="text"/>.</summary>
    public string Redact(string? text) => Redaction.Redact(text, _webhookUri, _secret, TokenPart(), ProxyCredential?.Password);

    /// <summary>A copy with a proxy credential (kept non-public so it is never printed).</summary>
    public NotificationTarget WithProxyCredential(NetworkCredential? credential)
    {
        SecretRegistry.Register(credential?.Password);
        return WithProxyCredentialCore(credential);
    }

    private NotificationTarget WithProxyCredentialCore(NetworkCredential? credential) => new(Channel, _webhookUri, _secret, Name)
    {
        Keyword = Keyword, AtMobiles = AtMobiles, AtUserIds = AtUserIds, AtAll = AtAll, Format = Format, Proxy = Proxy,
        ProxyCredential = credential, SkipCertificateCheck = SkipCertificateCheck,
    };

    public override string ToString() => $"{Name} ({Channel} {Destination})";

    // The credential part of the URL on its own (query token or hook path), so it is masked wherever it appears.
    private string? TokenPart()
    {
        var uri = new Uri(_webhookUri);
        if (Channel == NotificationChannel.Webhook) return uri.PathAndQuery.Length > 1 ? uri.PathAndQuery : null;
        var query = uri.Query.TrimStart('?');
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            if (eq > 0 && pair[..eq] is "access_token" or "key") return Uri.UnescapeDataString(pair[(eq + 1)..]);
        }
        var path = uri.AbsolutePath;
        foreach (var marker in new[] { "/hook/", "/services/" })
        {
            var i = path.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
            if (i >= 0) return path[(i + marker.Length)..];
        }
        return null;
    }
}
