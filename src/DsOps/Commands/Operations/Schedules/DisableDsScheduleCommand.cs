using System.Management.Automation;
using DsOps.Engine.Models;
using DsOps.Engine.Operations.Schedules;

namespace DsOps.Commands.Operations.Schedules;

/// <summary>
/// <para type="synopsis">Takes schedules offline, optionally saving which ones were online.</para>
/// <para type="description">Puts every given schedule offline (DS stops firing it). With -SaveTo, the schedules
/// that were online are written to that file before the first one goes offline (added to it when it exists), so
/// Enable-DsSchedule -FromFile after the maintenance puts back exactly that set and nothing that was already
/// offline. Schedules already offline are reported as Unchanged.</para>
/// </summary>
/// <example><code>Get-DsSchedule -Project etl -ReleaseState Online | Disable-DsSchedule -SaveTo ./etl-online.json</code><para>Takes every online schedule of etl offline for maintenance and remembers which ones they were.</para></example>
/// <example><code>Disable-DsSchedule -Project etl -Workflow 'daily_*' -WhatIf</code><para>Shows which daily schedules would go offline without changing anything.</para></example>
[Cmdlet(VerbsLifecycle.Disable, "DsSchedule", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByObject)]
[OutputType(typeof(DsScheduleChange))]
public sealed class DisableDsScheduleCommand : DsScheduleCmdlet
{
    /// <summary><para type="description">File that records the schedules that were online (for Enable-DsSchedule -FromFile).</para></summary>
    [Parameter(HelpMessage = "File that records the schedules that were online.")]
    public string? SaveTo { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var schedules = SelectedSchedules();
            var online = schedules.Where(s => s.IsOnline).ToList();
            var chosen = online.Where(s => ShouldProcess(Describe(s), "Take schedule offline")).ToList();
            if (SaveTo is { Length: > 0 } && chosen.Count > 0)
                ScheduleOperations.RecordOnline(SessionState.Path.GetUnresolvedProviderPathFromPSPath(SaveTo), Client, chosen, DateTime.UtcNow);
            foreach (var s in schedules.Where(s => !s.IsOnline)) WriteObject(new DsScheduleChange { Schedule = s, Action = "Unchanged" });
            foreach (var s in chosen)
            {
                try { WriteObject(Await(ScheduleOperations.SetOnlineAsync(Client, s, false, null, CancellationToken))); }
                catch (Exception ex) when (ex is not PipelineStoppedException) { WriteDsError(ex, s); }
            }
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteDsError(ex, Project);
        }
    }
}
