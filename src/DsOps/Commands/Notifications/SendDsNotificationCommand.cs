using System.Management.Automation;
using System.Text;
using DsOps.Engine.Notifications;

namespace DsOps.Commands.Notifications;

/// <summary>
/// <para type="synopsis">Sends a message to DingTalk, WeCom, Feishu, Slack or a generic webhook.</para>
/// <para type="description">Success is read from the platform's body code; only transient failures (network
/// errors, 5xx, 429, "system busy" and "too fast" codes) are retried. Long messages are split at line
/// boundaries under each platform's byte limit and numbered "(k/n)"; sends to one robot respect its rate
/// limit (DingTalk 20 a minute). Piped strings are joined, one per line, into one message.</para>
/// <example><code>Get-Content ./summary.md | Send-DsNotification -Target $robot -Title 'Nightly summary' -AtMobile 13800000000</code><para>Sends a Markdown file as one message to a saved target, mentioning one mobile number.</para></example>
/// <example><code>Send-DsNotification -Channel DingTalk -WebhookUri $env:DINGTALK_URL -Secret $sec -Keyword DsOps -Message 'done'</code><para>Sends a one-off signed DingTalk message without creating a target first.</para></example>
/// <example runnable="true"><code>Send-DsNotification -Channel DingTalk -WebhookUri 'https://oapi.dingtalk.com/robot/send?access_token=example' -Message 'Nightly load finished.' -WhatIf</code><para>Says what would be sent to the robot and in how many parts, without sending.</para></example>
/// </summary>
[Cmdlet(VerbsCommunications.Send, "DsNotification", SupportsShouldProcess = true, DefaultParameterSetName = TargetSet)]
[OutputType(typeof(NotificationDelivery))]
public sealed class SendDsNotificationCommand : DsNotificationCmdlet
{
    private readonly StringBuilder _body = new();
    private int _lines;

    /// <summary><para type="description">The message text; piped strings are joined with line breaks into one message.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, HelpMessage = "The message text (piped lines are joined).")]
    [AllowEmptyString]
    public string[] Message { get; set; } = Array.Empty<string>();

    /// <summary><para type="description">The title (notification preview and heading). Defaults to "DsOps".</para></summary>
    [Parameter(HelpMessage = "The title shown in the notification preview.")]
    public string Title { get; set; } = "DsOps";

    protected override void ProcessRecord()
    {
        foreach (var line in Message)
        {
            if (_lines++ > 0) _body.Append('\n');
            _body.Append(line);
        }
    }

    protected override void EndProcessing() =>
        Deliver(target => new NotificationMessage(Title, _body.ToString(), FormatFor(target))
        {
            AtMobiles = AtMobile, AtUserIds = AtUserId, AtAll = AtAll, Kind = "message",
        }, $"'{Title}'");
}
