using System.Management.Automation;
using DsOps.Engine.Notifications;

namespace DsOps.Commands.Notifications;

/// <summary>
/// <para type="synopsis">Renders a run report and sends it to chat robots or a webhook.</para>
/// <para type="description">Takes any report object that can render itself as Markdown and text (the run
/// report from Get-DsRunReport), picks the rendering from -Format or the target's format, and sends it
/// through the same path as Send-DsNotification: split by size, numbered, rate limited, retried only on
/// transient failures.</para>
/// <example><code>Get-DsRunReport | Send-DsRunReport -Target $robot</code><para>Sends yesterday's run report to a chat robot.</para></example>
/// <example runnable="true"><code>$robot = New-DsNotificationTarget -Name ops -Channel DingTalk -WebhookUri 'https://oapi.dingtalk.com/robot/send?access_token=example'; Get-DsRunReport | Send-DsRunReport -Target $robot -WhatIf</code><para>Renders yesterday's report for DingTalk and says what would be sent, without sending.</para></example>
/// </summary>
[Cmdlet(VerbsCommunications.Send, "DsRunReport", SupportsShouldProcess = true, DefaultParameterSetName = TargetSet)]
[OutputType(typeof(NotificationDelivery))]
public sealed class SendDsRunReportCommand : DsNotificationCmdlet
{
    /// <summary><para type="description">The report to send (from the pipeline).</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, HelpMessage = "The run report to send.")]
    [ValidateNotNull]
    public IRenderableReport Report { get; set; } = null!;

    /// <summary><para type="description">Overrides the report's own title.</para></summary>
    [Parameter(HelpMessage = "Overrides the report's title.")]
    public string? Title { get; set; }

    protected override void ProcessRecord()
    {
        var title = string.IsNullOrWhiteSpace(Title) ? Report.Title : Title;
        Deliver(target =>
        {
            var format = FormatFor(target);
            var body = format == NotificationFormat.Markdown ? Report.ToMarkdown() : Report.ToText();
            return new NotificationMessage(title, body, format) { AtMobiles = AtMobile, AtUserIds = AtUserId, AtAll = AtAll, Kind = "report" };
        }, $"report '{title}'");
    }
}
