using System.Management.Automation;
using System.Security;
using DsOps.Engine.Notifications;
using DsOps.Infrastructure;

namespace DsOps.Commands.Notifications;

/// <summary>
/// <para type="synopsis">Creates a notification target: a chat robot or webhook with its secrets, for Send-DsNotification, Send-DsRunReport and Invoke-DsAlertSweep.</para>
/// <para type="description">The webhook URL and signing secret are credentials. The target keeps them out of
/// every output: its Destination shows the URL with the token masked, and Fingerprint (a hash) tells robots
/// apart. Pass the URL as a SecureString (for example from Get-Secret) so it never appears in a script.</para>
/// <example><code>$robot = New-DsNotificationTarget -Name ops -Channel DingTalk -WebhookUri (Get-Secret DingTalkOpsUrl) -Secret (Get-Secret DingTalkOpsSecret) -Keyword DsOps</code><para>Creates a signed DingTalk target from secrets kept in SecretManagement.</para></example>
/// <example><code>$robot = New-DsNotificationTarget -Channel DingTalk -FromEnvironment DSOPS_DINGTALK   # reads DSOPS_DINGTALK_URL, _SECRET, _KEYWORD</code><para>Creates a DingTalk target from environment variables, for example in a scheduled job.</para></example>
/// <example runnable="true"><code>New-DsNotificationTarget -Name ops -Channel DingTalk -WebhookUri 'https://oapi.dingtalk.com/robot/send?access_token=example' -Keyword DsOps</code><para>Creates a DingTalk target and shows it with the access token masked.</para></example>
/// </summary>
[Cmdlet(VerbsCommon.New, "DsNotificationTarget", DefaultParameterSetName = UriSet, SupportsShouldProcess = true)]
[OutputType(typeof(NotificationTarget))]
public sealed class NewDsNotificationTargetCommand : DsCmdlet
{
    private const string UriSet = "Uri";
    private const string EnvironmentSet = "Environment";

    /// <summary><para type="description">The platform: DingTalk, WeCom, Feishu, Slack or Webhook.</para></summary>
    [Parameter(Mandatory = true, Position = 0, HelpMessage = "The platform: DingTalk, WeCom, Feishu, Slack or Webhook.")]
    public NotificationChannel Channel { get; set; }

    /// <summary><para type="description">The webhook URL, as a string or a SecureString (e.g. from Get-Secret). It is a credential and is never printed.</para></summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = UriSet, HelpMessage = "The webhook URL (string or SecureString); never printed.")]
    [SecretArgumentTransformation]
    [ValidateNotNullOrEmpty]
    public string WebhookUri { get; set; } = "";

    /// <summary><para type="description">Signing secret: DingTalk 加签 (the whole SEC... string), Feishu signature, or the HMAC key of a generic webhook.</para></summary>
    [Parameter(ParameterSetName = UriSet, HelpMessage = "Signing secret (DingTalk SEC..., Feishu, or generic webhook HMAC key) as a SecureString.")]
    public SecureString? Secret { get; set; }

    /// <summary><para type="description">Reads the target from environment variables &lt;prefix&gt;_URL (required),
    /// &lt;prefix&gt;_SECRET and &lt;prefix&gt;_KEYWORD (optional), as a scheduler's protected environment file
    /// provides them. Keeps secrets out of the job script.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = EnvironmentSet, HelpMessage = "Prefix of <prefix>_URL, <prefix>_SECRET and <prefix>_KEYWORD environment variables.")]
    [ValidatePattern("^[A-Za-z_][A-Za-z0-9_]*$")]
    public string FromEnvironment { get; set; } = "";

    /// <summary><para type="description">A name for the target, shown in output and errors (defaults to channel and fingerprint).</para></summary>
    [Parameter(HelpMessage = "A name shown in output and errors.")]
    public string? Name { get; set; }

    /// <summary><para type="description">The keyword a robot in keyword mode requires; it is added to the title and text of every part.</para></summary>
    [Parameter(HelpMessage = "Keyword required by the robot's keyword mode; added to every part.")]
    public string? Keyword { get; set; }

    /// <summary><para type="description">Phone numbers to @-mention in every message sent to this target (DingTalk, WeCom).</para></summary>
    [Parameter(HelpMessage = "Phone numbers to @-mention by default (DingTalk, WeCom).")]
    public string[] AtMobile { get; set; } = Array.Empty<string>();

    /// <summary><para type="description">User ids to @-mention in every message: DingTalk userIds, WeCom userids, Feishu open_ids (ou_...), Slack member ids.</para></summary>
    [Parameter(HelpMessage = "User ids to @-mention by default (DingTalk userId, WeCom userid, Feishu open_id, Slack member id).")]
    public string[] AtUserId { get; set; } = Array.Empty<string>();

    /// <summary><para type="description">@-mention everyone in every message sent to this target.</para></summary>
    [Parameter(HelpMessage = "@-mention everyone by default.")]
    public SwitchParameter AtAll { get; set; }

    /// <summary><para type="description">Default body format: Markdown (default) or Text.</para></summary>
    [Parameter(HelpMessage = "Default body format: Markdown or Text.")]
    public NotificationFormat Format { get; set; } = NotificationFormat.Markdown;

    /// <summary><para type="description">HTTP proxy URI. Without it, HTTPS_PROXY / HTTP_PROXY / NO_PROXY or the system proxy apply.</para></summary>
    [Parameter(HelpMessage = "HTTP proxy URI (default: HTTPS_PROXY/HTTP_PROXY or the system proxy).")]
    public Uri? Proxy { get; set; }

    /// <summary><para type="description">Credentials for -Proxy.</para></summary>
    [Parameter(HelpMessage = "Credentials for the proxy.")]
    [Credential]
    public PSCredential? ProxyCredential { get; set; }

    /// <summary><para type="description">Skips TLS certificate validation. Only for a known intercepting proxy; verification is on by default.</para></summary>
    [Parameter(HelpMessage = "Skip TLS certificate validation (verification is on by default).")]
    public SwitchParameter SkipCertificateCheck { get; set; }

    protected override void ProcessRecord()
    {
        var request = new NotificationTargetRequest(Channel, WebhookUri)
        {
            Secret = Secret is null ? null : SecretArgumentTransformationAttribute.Plain(Secret),
            Name = Name, Keyword = Keyword, AtMobiles = AtMobile, AtUserIds = AtUserId, AtAll = AtAll, Format = Format,
            Proxy = Proxy, ProxyCredential = ProxyCredential?.GetNetworkCredential(), SkipCertificateCheck = SkipCertificateCheck,
        };
        if (ParameterSetName == EnvironmentSet)
        {
            try
            {
                request = NotificationTargetFactory.FromEnvironment(request, FromEnvironment);
            }
            catch (Exception ex) when (ex is not PipelineStoppedException)
            {
                ThrowDsError(ex, FromEnvironment);
            }
        }
        try
        {
            // Only an in-memory object is made; ShouldProcess keeps -WhatIf meaningful for the New verb.
            if (ShouldProcess(Name ?? Channel.ToString(), "Create notification target"))
                WriteObject(NotificationTargetFactory.Create(request, WriteWarning));
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowDsError(ex, Name);
        }
    }
}
