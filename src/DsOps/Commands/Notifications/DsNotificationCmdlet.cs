using System.Management.Automation;
using System.Security;
using DsOps.Engine.Notifications;
using DsOps.Infrastructure;

namespace DsOps.Commands.Notifications;

/// <summary>
/// Shared by the sending cmdlets: either -Target objects (from New-DsNotificationTarget) or an ad-hoc
/// -Channel/-WebhookUri, then one delivery path with -WhatIf, progress per part, -Verbose per part
/// (sizes and codes, never bodies or URLs) and one non-terminating error per failed target.
/// </summary>
public abstract class DsNotificationCmdlet : DsCmdlet
{
    protected const string TargetSet = "Target";
    protected const string WebhookSet = "Webhook";

    /// <summary><para type="description">Targets from New-DsNotificationTarget (keeps secrets out of scripts).</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = TargetSet, HelpMessage = "Targets from New-DsNotificationTarget.")]
    [ValidateNotNullOrEmpty]
    public NotificationTarget[] Target { get; set; } = Array.Empty<NotificationTarget>();

    /// <summary><para type="description">The platform: DingTalk, WeCom, Feishu, Slack or Webhook.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = WebhookSet, HelpMessage = "The platform: DingTalk, WeCom, Feishu, Slack or Webhook.")]
    public NotificationChannel Channel { get; set; }

    /// <summary><para type="description">The webhook URL (string or SecureString); a credential, never printed.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = WebhookSet, HelpMessage = "The webhook URL (string or SecureString); never printed.")]
    [SecretArgumentTransformation]
    [ValidateNotNullOrEmpty]
    public string WebhookUri { get; set; } = "";

    /// <summary><para type="description">Signing secret (DingTalk SEC..., Feishu, generic webhook HMAC key).</para></summary>
    [Parameter(ParameterSetName = WebhookSet, HelpMessage = "Signing secret as a SecureString.")]
    public SecureString? Secret { get; set; }

    /// <summary><para type="description">Keyword required by the robot's keyword mode; added to every part.</para></summary>
    [Parameter(ParameterSetName = WebhookSet, HelpMessage = "Keyword required by the robot's keyword mode.")]
    public string? Keyword { get; set; }

    /// <summary><para type="description">HTTP proxy URI (default: HTTPS_PROXY / HTTP_PROXY or the system proxy).</para></summary>
    [Parameter(ParameterSetName = WebhookSet, HelpMessage = "HTTP proxy URI.")]
    public Uri? Proxy { get; set; }

    /// <summary><para type="description">Credentials for -Proxy.</para></summary>
    [Parameter(ParameterSetName = WebhookSet, HelpMessage = "Credentials for the proxy.")]
    [Credential]
    public PSCredential? ProxyCredential { get; set; }

    /// <summary><para type="description">Skips TLS certificate validation (on by default).</para></summary>
    [Parameter(ParameterSetName = WebhookSet, HelpMessage = "Skip TLS certificate validation.")]
    public SwitchParameter SkipCertificateCheck { get; set; }

    /// <summary><para type="description">Phone numbers to @-mention (DingTalk, WeCom), in the first part only.</para></summary>
    [Parameter(HelpMessage = "Phone numbers to @-mention (first part only).")]
    public string[] AtMobile { get; set; } = Array.Empty<string>();

    /// <summary><para type="description">User ids to @-mention (first part only): DingTalk userId, WeCom userid, Feishu open_id, Slack member id.</para></summary>
    [Parameter(HelpMessage = "User ids to @-mention (first part only).")]
    public string[] AtUserId { get; set; } = Array.Empty<string>();

    /// <summary><para type="description">@-mention everyone (first part only).</para></summary>
    [Parameter(HelpMessage = "@-mention everyone.")]
    public SwitchParameter AtAll { get; set; }

    /// <summary><para type="description">Body format: Markdown or Text (default: the target's format, Markdown).</para></summary>
    [Parameter(HelpMessage = "Body format: Markdown or Text.")]
    public NotificationFormat? Format { get; set; }

    /// <summary><para type="description">Writes a delivery result per part sent.</para></summary>
    [Parameter(HelpMessage = "Output a delivery result per part sent.")]
    public SwitchParameter PassThru { get; set; }

    /// <summary>The engine's sender; tests may not replace it, the process-wide rate limiter is the point.</summary>
    internal static NotificationSender Sender { get; } = new();

    private IReadOnlyList<NotificationTarget>? _targets;

    /// <summary>The targets of this call (built once; ad-hoc parameters are validated here).</summary>
    protected IReadOnlyList<NotificationTarget> Targets => _targets ??= ParameterSetName == TargetSet
        ? Target
        : new[]
        {
            NotificationTargetFactory.Create(new NotificationTargetRequest(Channel, WebhookUri)
            {
                Secret = Secret is null ? null : SecretArgumentTransformationAttribute.Plain(Secret),
                Keyword = Keyword, Proxy = Proxy, ProxyCredential = ProxyCredential?.GetNetworkCredential(),
                SkipCertificateCheck = SkipCertificateCheck,
            }, WriteWarning),
        };

    protected override void BeginProcessing()
    {
        try
        {
            NotificationTargetFactory.ValidateMobiles(AtMobile);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowDsError(ex, AtMobile.FirstOrDefault(m => !NotificationTargetFactory.IsPhoneNumber(m)));
        }
        try
        {
            _ = Targets;
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowDsError(ex);
        }
    }

    /// <summary>The format for <paramref name="target"/>: -Format, else the target's own.</summary>
    protected NotificationFormat FormatFor(NotificationTarget target) => Format ?? target.Format;

    /// <summary>Sends <paramref name="build"/>'s message to every target, honouring -WhatIf/-Confirm.</summary>
    protected void Deliver(Func<NotificationTarget, NotificationMessage> build, string what)
    {
        foreach (var target in Targets)
        {
            NotificationMessage message;
            IReadOnlyList<NotificationPart> parts;
            try
            {
                message = build(target);
                WarnUnsupportedMentions(target, message);
                parts = Sender.Render(target, message);
            }
            catch (Exception ex) when (ex is not PipelineStoppedException)
            {
                WriteDsError(ex, target.Name);
                continue;
            }
            var size = parts.Sum(p => p.Bytes);
            if (!ShouldProcess($"{target.Name} ({target.Channel} {target.Destination})", $"Send {what} in {parts.Count} part(s), {size} bytes"))
                continue;
            try
            {
                var activity = $"Sending {what} to {target.Name}";
                ForEach(Sender.SendPartsAsync(target, parts, message, CancellationToken), d =>
                {
                    WriteVerbose($"{d.Channel} '{d.Target}' [{d.Fingerprint}] part {d.Part}/{d.Parts}: {d.Bytes} bytes, " +
                                 $"HTTP {d.HttpStatus}, code {d.Code}, {d.Attempts} attempt(s), throttled {d.Throttled.TotalSeconds:0.#} s");
                    WriteProgressPercent(1, activity, $"Part {d.Part} of {d.Parts}", d.Part, d.Parts);
                    if (PassThru) WriteObject(d);
                });
            }
            catch (Exception ex) when (ex is not PipelineStoppedException)
            {
                WriteDsError(ex, target.Name);
            }
        }
    }

    private void WarnUnsupportedMentions(NotificationTarget target, NotificationMessage message)
    {
        var notifier = NotificationSender.NotifierFor(target.Channel);
        if ((message.AtMobiles.Count > 0 || target.AtMobiles.Count > 0) && !notifier.SupportsMobileMentions)
            WriteWarning($"{target.Channel} cannot @-mention by phone number; -AtMobile is ignored for '{target.Name}'.");
        if ((message.AtAll || target.AtAll) && !notifier.SupportsAtAll)
            WriteWarning($"{target.Channel} has no @all in DsOps; -AtAll is ignored for '{target.Name}'.");
    }
}
