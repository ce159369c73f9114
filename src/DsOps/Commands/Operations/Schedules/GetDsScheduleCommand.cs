using System.Management.Automation;
using DsOps.Engine.Models;

namespace DsOps.Commands.Operations.Schedules;

/// <summary>
/// <para type="synopsis">Gets workflow schedules (cron, time zone, window, release state).</para>
/// <para type="description">Lists the schedules of a project, optionally only those of the named workflows
/// (wildcards) or in one release state. Workflows from Get-DsWorkflow pipe in by project and name. The schedules
/// pipe into Disable-DsSchedule, Enable-DsSchedule and Set-DsSchedule.</para>
/// </summary>
/// <example><code>Get-DsSchedule -Project etl</code><para>Lists every schedule of project etl with its cron and whether it is online.</para></example>
/// <example><code>Get-DsWorkflow -Project etl -Name 'daily_*' | Get-DsSchedule -ReleaseState Online</code><para>Lists the online schedules of the daily workflows.</para></example>
[Cmdlet(VerbsCommon.Get, "DsSchedule", DefaultParameterSetName = ByName)]
[OutputType(typeof(DsSchedule))]
public sealed class GetDsScheduleCommand : DsScheduleCmdlet
{
    /// <summary><para type="description">Only schedules in this release state.</para></summary>
    [Parameter(HelpMessage = "Only schedules in this release state.")]
    [ValidateSet("Online", "Offline")]
    public string? ReleaseState { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            foreach (var s in SelectedSchedules())
                if (ReleaseState is null || s.IsOnline == (ReleaseState == "Online")) WriteObject(s);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteDsError(ex, Project);
        }
    }
}
