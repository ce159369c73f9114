using System.Management.Automation;
using DsOps.Engine.Operations.Runs;
using DsOps.Engine.Operations.Schedules;
using DsOps.Infrastructure;

namespace DsOps.Commands.Operations.Schedules;

/// <summary>
/// <para type="synopsis">Changes schedules: cron, time zone, start and end, failure strategy, priority, alerts, worker group, environment.</para>
/// <para type="description">Changes only the given settings of each schedule and keeps the rest. DS refuses to
/// update an online schedule, so an online one is taken offline, updated and put back online (also when the update
/// is refused, so it is never left offline by this cmdlet). Start and end times are in the server's time zone.</para>
/// </summary>
/// <example><code>Set-DsSchedule -Project etl -Workflow daily_sales -Crontab '0 30 2 * * ? *'</code><para>Moves the daily run to 02:30.</para></example>
/// <example><code>Get-DsSchedule -Project etl | Set-DsSchedule -Priority HIGH -FailureStrategy END -WhatIf</code><para>Shows which schedules would get high priority and stop on the first failure, without changing them.</para></example>
[Cmdlet(VerbsCommon.Set, "DsSchedule", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByObject)]
[OutputType(typeof(DsScheduleChange))]
public sealed class SetDsScheduleCommand : DsScheduleCmdlet
{
    /// <summary><para type="description">Quartz cron: sec min hour day-of-month month day-of-week [year].</para></summary>
    [Parameter(HelpMessage = "Quartz cron: sec min hour day-of-month month day-of-week [year].")]
    public string? Crontab { get; set; }

    /// <summary><para type="description">Time zone id of the cron, e.g. Asia/Shanghai.</para></summary>
    [Parameter(HelpMessage = "Time zone id of the cron, e.g. Asia/Shanghai.")]
    [TimeZoneCompleter]
    public string? TimeZone { get; set; }

    /// <summary><para type="description">First time the schedule may fire (server time).</para></summary>
    [Parameter(HelpMessage = "First time the schedule may fire (server time).")]
    public DateTime? StartTime { get; set; }

    /// <summary><para type="description">Last time the schedule may fire (server time).</para></summary>
    [Parameter(HelpMessage = "Last time the schedule may fire (server time).")]
    public DateTime? EndTime { get; set; }

    /// <summary><para type="description">Continue or End when a task fails (DS's CONTINUE and END; either spelling binds).</para></summary>
    [Parameter(HelpMessage = "Continue or End when a task fails.")]
    public DsFailureStrategy? FailureStrategy { get; set; }

    /// <summary><para type="description">Instance priority of the scheduled runs: Highest, High, Medium, Low or Lowest.</para></summary>
    [Parameter(HelpMessage = "Instance priority of the scheduled runs: Highest, High, Medium, Low or Lowest.")]
    public DsPriority? Priority { get; set; }

    /// <summary><para type="description">When DS alerts: None, Success, Failure or All.</para></summary>
    [Parameter(HelpMessage = "When DS alerts: None, Success, Failure or All.")]
    public DsWarningType? WarningType { get; set; }

    /// <summary><para type="description">Alert group id (0 none).</para></summary>
    [Parameter(HelpMessage = "Alert group id (0 none).")]
    [AlertGroupCompleter]
    public int? WarningGroupId { get; set; }

    /// <summary><para type="description">Worker group of the scheduled runs.</para></summary>
    [Parameter(HelpMessage = "Worker group of the scheduled runs.")]
    [WorkerGroupCompleter]
    public string? WorkerGroup { get; set; }

    /// <summary><para type="description">Environment code of the scheduled runs (-1 none).</para></summary>
    [Parameter(HelpMessage = "Environment code of the scheduled runs (-1 none).")]
    [DsEnvironmentCompleter]
    public long? EnvironmentCode { get; set; }

    /// <summary><para type="description">Tenant of the scheduled runs (DS 3.2+).</para></summary>
    [Parameter(HelpMessage = "Tenant of the scheduled runs (DS 3.2+).")]
    [TenantCompleter]
    public string? TenantCode { get; set; }

    protected override void ProcessRecord()
    {
        // The same time-zone parser as every -TimeZone: an unknown id fails here (DsInvalidTimeZone), not at DS.
        if (TimeZone is not null) ResolveTimeZone(TimeZone, nameof(TimeZone));
        try
        {
            var edit = new ScheduleEdit
            {
                Crontab = Crontab, TimezoneId = TimeZone, StartTime = StartTime, EndTime = EndTime, FailureStrategy = FailureStrategy,
                Priority = Priority, WarningType = WarningType, WarningGroupId = WarningGroupId, WorkerGroup = WorkerGroup,
                EnvironmentCode = EnvironmentCode, TenantCode = TenantCode,
            };
            foreach (var s in SelectedSchedules())
            {
                if (!ShouldProcess(Describe(s), "Update schedule")) continue;
                try { WriteObject(Await(ScheduleOperations.UpdateAsync(Client, s, edit, CancellationToken))); }
                catch (Exception ex) when (ex is not PipelineStoppedException) { WriteDsError(ex, s); }
            }
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteDsError(ex, Project);
        }
    }
}
