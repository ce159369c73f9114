using System.Net;

namespace DsOps.Engine.Notifications;

/// <summary>
/// What a caller asks for when it builds a target: the bound parameters of New-DsNotificationTarget or of a
/// sending cmdlet's ad-hoc -Channel/-WebhookUri set, with secrets already unwrapped from SecureString.
/// </summary>
internal sealed record NotificationTargetRequest(NotificationChannel Channel, string WebhookUri)
{
    public string? Secret { get; init; }
    public string? Name { get; init; }
    public string? Keyword { get; init; }
    public IReadOnlyList<string>? AtMobiles { get; init; }
    public IReadOnlyList<string>? AtUserIds { get; init; }
    public bool AtAll { get; init; }
    public NotificationFormat Format { get; init; } = NotificationFormat.Markdown;
    public Uri? Proxy { get; init; }
    public NetworkCredential? ProxyCredential { get; init; }
    public bool SkipCertificateCheck { get; init; }
}

/// <summary>
/// The rules that turn parameters into a <see cref="NotificationTarget"/>, the same for every notification cmdlet:
/// which channels accept a secret, what a phone number is, where proxy credentials go, the environment-variable
/// convention, and the warnings a caller must show. Cmdlets bind parameters and call this.
/// </summary>
internal static class NotificationTargetFactory
{
    /// <summary>Builds the target; <paramref name="warn"/> receives each warning (keyword mode, TLS off) in order.</summary>
    public static NotificationTarget Create(NotificationTargetRequest request, Action<string> warn)
    {
        var channel = request.Channel;
        if (request.Secret is not null && channel is NotificationChannel.WeCom or NotificationChannel.Slack)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsNotifySecretNotSupported",
                $"-Secret: {channel} webhooks have no signing; the key in the URL is the only credential.");
        if (!string.IsNullOrEmpty(request.Keyword) && channel is NotificationChannel.WeCom or NotificationChannel.Slack or NotificationChannel.Webhook)
            warn($"-Keyword: {channel} has no keyword mode; the keyword is only added to the text.");
        var mobiles = request.AtMobiles ?? Array.Empty<string>();
        ValidateMobiles(mobiles);
        var proxy = request.Proxy;
        var proxyCredential = request.ProxyCredential;
        // user:password inside a proxy URI would be printed with the target: move it into the credential.
        if (proxy is not null && !string.IsNullOrEmpty(proxy.UserInfo))
        {
            if (proxyCredential is null)
            {
                var parts = proxy.UserInfo.Split(':', 2);
                proxyCredential = new NetworkCredential(Uri.UnescapeDataString(parts[0]), Uri.UnescapeDataString(parts.Length > 1 ? parts[1] : ""));
            }
            proxy = new UriBuilder(proxy) { UserName = "", Password = "" }.Uri;
        }
        var target = new NotificationTarget(channel, request.WebhookUri, request.Secret, request.Name)
        {
            Keyword = string.IsNullOrWhiteSpace(request.Keyword) ? null : request.Keyword,
            AtMobiles = mobiles,
            AtUserIds = request.AtUserIds ?? Array.Empty<string>(),
            AtAll = request.AtAll,
            Format = request.Format,
            Proxy = proxy,
            SkipCertificateCheck = request.SkipCertificateCheck,
        };
        if (request.SkipCertificateCheck)
            warn($"TLS certificate validation is off for notification target '{target.Name}'.");
        return proxyCredential is null ? target : target.WithProxyCredential(proxyCredential);
    }

    /// <summary>
    /// Fills URL, secret and keyword from &lt;prefix&gt;_URL (required), &lt;prefix&gt;_SECRET and &lt;prefix&gt;_KEYWORD, as a
    /// scheduler's protected environment file provides them. An explicit keyword wins over the variable.
    /// </summary>
    public static NotificationTargetRequest FromEnvironment(NotificationTargetRequest request, string prefix, Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        var upper = prefix.ToUpperInvariant();
        var uri = getVariable(upper + "_URL") ?? "";
        if (string.IsNullOrWhiteSpace(uri))
            throw new DsOpsException(DsErrorKind.NotFound, "DsNotifyEnvironmentMissing",
                $"-FromEnvironment: the environment variable {upper}_URL is not set.");
        var secret = getVariable(upper + "_SECRET");
        return request with
        {
            WebhookUri = uri,
            Secret = string.IsNullOrEmpty(secret) ? request.Secret : secret,
            Keyword = request.Keyword ?? getVariable(upper + "_KEYWORD"),
        };
    }

    /// <summary>-AtMobile values: digits, '+' and '-' only (DingTalk and WeCom match on the number as typed).</summary>
    public static bool IsPhoneNumber(string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.All(c => char.IsDigit(c) || c is '+' or '-');

    /// <summary>Throws DsNotifyInvalidMobile for the first value that is not a phone number.</summary>
    public static void ValidateMobiles(IEnumerable<string> mobiles)
    {
        foreach (var m in mobiles)
            if (!IsPhoneNumber(m))
                throw new DsOpsException(DsErrorKind.InvalidInput, "DsNotifyInvalidMobile",
                    $"-AtMobile: '{m}' is not a phone number (digits, '+' and '-' only).");
    }
}
