using System.Management.Automation;
using DsOps.Commands.Notifications;
using DsOps.Engine.Alerting;
using DsOps.Engine.Metadata;
using DsOps.Infrastructure;
using DsOps.Engine.Notifications;

namespace DsOps.Commands.Alerting;

/// <summary>
/// <para type="synopsis">Sends each new DolphinScheduler failure to chat robots exactly once across scheduled runs.</para>
/// <para type="description">Run it from a scheduler every few minutes. Each run reads failures since the last
/// run (minus an overlap for late rows) and groups everything new into one message per target, split by size
/// only if needed. A state file remembers the high-water mark and the failures already sent, so a rerun
/// sends nothing twice and a skipped or crashed run misses nothing. Delivery is at-least-once: if the process
/// dies after the robot accepted a message but before the state was saved, the next run sends those failures
/// again and says they may be repeats. A failed send records nothing, so the next run retries it. A lock
/// file next to the state file stops overlapping runs.</para>
/// <example><code>$robot = New-DsNotificationTarget -Channel DingTalk -FromEnvironment DSOPS_DINGTALK; Invoke-DsAlertSweep -StateFile /var/lib/dsops/alerts.json -Target $robot</code><para>Alerts each new failure in the session's metadata database once, remembering what was sent in the state file.</para></example>
/// <example runnable="true"><code>$robot = New-DsNotificationTarget -Name ops -Channel DingTalk -WebhookUri 'https://oapi.dingtalk.com/robot/send?access_token=example'; Invoke-DsAlertSweep -StateFile ./alerts.json -Target $robot -InitialLookback 2.00:00:00 -WhatIf</code><para>Shows which failures of the last two days a first sweep would send, without sending anything or writing the state file.</para></example>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "DsAlertSweep", SupportsShouldProcess = true)]
[OutputType(typeof(AlertSweepResult))]
public sealed class InvokeDsAlertSweepCommand : DsCmdlet
{
    /// <summary><para type="description">The state file (JSON), created on the first run. Keep one per sweep job.</para></summary>
    [Parameter(Mandatory = true, Position = 0, HelpMessage = "The sweep's state file (created on the first run).")]
    [ValidateNotNullOrEmpty]
    public string StateFile { get; set; } = "";

    /// <summary><para type="description">Where to send alerts (from New-DsNotificationTarget). Each target is tracked separately.</para></summary>
    [Parameter(Mandatory = true, HelpMessage = "Targets from New-DsNotificationTarget.")]
    [ValidateNotNullOrEmpty]
    public NotificationTarget[] Target { get; set; } = Array.Empty<NotificationTarget>();

    /// <summary><para type="description">Where failures come from. Defaults to failed task instances in the DS metadata database of -MetadataConnection or of the session (Connect-DsMetadata).</para></summary>
    [Parameter(HelpMessage = "The failure feed; defaults to the metadata database (Connect-DsMetadata).")]
    public IFailureFeed? Feed { get; set; }

    /// <summary><para type="description">The metadata connection to read failures from; defaults to the session's (Connect-DsMetadata).</para></summary>
    [Parameter(HelpMessage = "The metadata connection to read failures from; defaults to the session's.")]
    public DsMetadataConnection? MetadataConnection { get; set; }

    /// <summary><para type="description">Start of the window instead of the state's high-water mark. Failures still
    /// inside the remembered window (the overlap) are not sent twice; older ones are alerted again.</para></summary>
    [Parameter(HelpMessage = "Start of the window instead of the high-water mark; failures older than the overlap are alerted again.")]
    public DateTime? Since { get; set; }

    /// <summary><para type="description">How far before the high-water mark each run looks again for late rows (default 15 minutes).</para></summary>
    [Parameter(HelpMessage = "Overlap before the high-water mark (default 00:15:00).")]
    public TimeSpan? Overlap { get; set; }

    /// <summary><para type="description">Window of the first run, when there is no state yet (default 24 hours).</para></summary>
    [Parameter(HelpMessage = "Window of the first run (default 1.00:00:00).")]
    public TimeSpan? InitialLookback { get; set; }

    /// <summary><para type="description">Failures listed one per line; the rest are counted per workflow (default 30).</para></summary>
    [Parameter(HelpMessage = "Failures listed one per line (default 30).")]
    [ValidateRange(1, 500)]
    public int? MaxDetailed { get; set; }

    /// <summary><para type="description">Message title (default "DolphinScheduler failures").</para></summary>
    [Parameter(HelpMessage = "Message title.")]
    public string? Title { get; set; }

    protected override void ProcessRecord()
    {
        var metadata = MetadataConnection ?? SessionDefaults.Metadata.Get(SessionState);
        var feed = Feed ?? (metadata is null ? null : new MetadataFailureFeed(new DsMetadataReader(metadata)));
        if (feed is null)
            ThrowDsError("DsAlertFeedMissing", ErrorCategory.InvalidArgument,
                "-Feed: no failure feed was given and there is no metadata connection (run Connect-DsMetadata or pass -MetadataConnection).", StateFile);

        var defaults = new AlertSweepOptions();
        var options = new AlertSweepOptions
        {
            Overlap = Overlap ?? defaults.Overlap,
            InitialLookback = InitialLookback ?? defaults.InitialLookback,
            MaxDetailed = MaxDetailed ?? defaults.MaxDetailed,
            Title = string.IsNullOrWhiteSpace(Title) ? defaults.Title : Title,
        };
        var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(StateFile);

        AlertSweepSession session;
        try
        {
            session = AlertSweepSession.Open(path, options, preview: OperationHost.WhatIf);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowDsError(ex, StateFile);
            return;
        }
        using (session)
        {
            IReadOnlyList<TargetSweepPlan> plans;
            try
            {
                plans = Await(session.PlanAsync(feed!, Target, Since, CancellationToken));
            }
            catch (Exception ex) when (ex is not PipelineStoppedException)
            {
                ThrowDsError(ex, StateFile);
                return;
            }
            var first = plans[0].Result;
            WriteVerbose($"Window {first.SinceUtc:u} .. {first.UntilUtc:u}: {first.Found} failure(s) found.");
            if (first.WindowTruncated)
                WriteWarning($"The window was cut to start at {first.SinceUtc:u}; older failures were not alerted.");

            for (var i = 0; i < plans.Count; i++)
            {
                var plan = plans[i];
                WriteProgressPercent(1, "Sending failure alerts", plan.Target.Name, i, plans.Count);
                if (plan.Message is null)
                {
                    session.Skip(plan);
                    continue;
                }
                var resent = plan.Result.Resent > 0 ? $" ({plan.Result.Resent} possibly sent before)" : "";
                if (!ShouldProcess($"{plan.Target.Name} ({plan.Target.Channel} {plan.Target.Destination})",
                        $"Send {plan.Result.New} new failure(s){resent} in one message"))
                {
                    session.Skip(plan);
                    continue;
                }
                try
                {
                    Await(session.SendAsync(plan, DsNotificationCmdlet.Sender, CancellationToken));
                    WriteVerbose($"'{plan.Target.Name}': {plan.Result.New} failure(s) sent in {plan.Result.Parts} part(s).");
                }
                catch (Exception ex) when (ex is not PipelineStoppedException)
                {
                    WriteDsError(ex, plan.Target.Name);
                }
            }
            WriteProgressPercent(1, "Sending failure alerts", "Done", plans.Count, plans.Count);

            if (ShouldProcess(path, "Record the sweep's high-water mark and sent failures"))
            {
                try
                {
                    session.Complete();
                }
                catch (Exception ex) when (ex is not PipelineStoppedException)
                {
                    WriteDsError(ex, StateFile);
                }
            }
            foreach (var plan in plans) WriteObject(plan.Result);
        }
    }
}
