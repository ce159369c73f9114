using System.Management.Automation;
using DsOps.Commands.Notifications;
using DsOps.Engine.Inspection;
using DsOps.Engine.Notifications;

namespace DsOps.Commands.Inspection;

/// <summary>
/// <para type="synopsis">Sends a health report (problems first, passes counted) to DingTalk, WeCom, Feishu, Slack or a webhook.</para>
/// <para type="description">Collects results from the pipeline and sends one report through the notification targets of
/// New-DsNotificationTarget (signed DingTalk robots first), split by size and rate limited like every DsOps message.
/// -OnlyWhenFailing sends nothing when every result passed, so a job every few minutes alerts only on trouble.</para>
/// <example><code>Invoke-DsHealthCheck -Tag Quick | Send-DsHealthReport -Target $robot -OnlyWhenFailing</code><para>Alerts the DingTalk robot only when a quick check fails.</para></example>
/// <example><code>Invoke-DsHealthCheck -Tag Deep | Send-DsHealthReport -Target $robot -Cluster prod</code><para>The nightly report for the prod cluster, whatever its outcome.</para></example>
/// </summary>
[Cmdlet(VerbsCommunications.Send, "DsHealthReport", SupportsShouldProcess = true, DefaultParameterSetName = TargetSet)]
[OutputType(typeof(NotificationDelivery))]
public sealed class SendDsHealthReportCommand : DsNotificationCmdlet
{
    private readonly List<DsHealthResult> _results = new();

    /// <summary><para type="description">Results from Invoke-DsHealthCheck.</para></summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, HelpMessage = "Results from Invoke-DsHealthCheck.")]
    public DsHealthResult[] InputObject { get; set; } = Array.Empty<DsHealthResult>();

    /// <summary><para type="description">A cluster name for the title (e.g. prod).</para></summary>
    [Parameter(HelpMessage = "A cluster name for the report title.")]
    public string? Cluster { get; set; }

    /// <summary><para type="description">Send only when a result is Fail, Error or Warn.</para></summary>
    [Parameter(HelpMessage = "Send only when a result is Fail, Error or Warn.")]
    public SwitchParameter OnlyWhenFailing { get; set; }

    protected override void ProcessRecord() => _results.AddRange(InputObject);

    protected override void EndProcessing()
    {
        var report = new DsHealthReport(_results, Cluster);
        if (OnlyWhenFailing && !_results.Any(r => r.IsProblem))
        {
            WriteVerbose($"Every one of {_results.Count} results passed; nothing sent (-OnlyWhenFailing).");
            return;
        }
        Deliver(target =>
        {
            var format = FormatFor(target);
            var body = format == NotificationFormat.Markdown ? report.ToMarkdown() : report.ToText();
            return new NotificationMessage(report.Title, body, format) { AtMobiles = AtMobile, AtUserIds = AtUserId, AtAll = AtAll, Kind = "health" };
        }, "health report");
    }
}
