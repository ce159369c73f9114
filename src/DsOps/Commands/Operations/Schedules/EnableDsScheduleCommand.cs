using System.Globalization;
using System.Management.Automation;
using DsOps.Engine.Models;
using DsOps.Engine.Operations.Schedules;

namespace DsOps.Commands.Operations.Schedules;

/// <summary>
/// <para type="synopsis">Puts schedules back online, warning about the runs DS would fire at once.</para>
/// <para type="description">Puts the given schedules online, or with -FromFile exactly the set a Disable-DsSchedule
/// -SaveTo recorded (schedules deleted meanwhile are reported as errors; nothing else is put online). Before DS 3.4.3
/// a schedule's missed fires can all run at once when it comes back; for each schedule DsOps estimates from the cron
/// how many fires fell in the time it was offline (since DsOps took it offline, else since its last change) and
/// refuses to enable it when that count exceeds -MissedFireLimit (default 0) unless -Force acknowledges it.</para>
/// </summary>
/// <example><code>Enable-DsSchedule -FromFile ./etl-online.json</code><para>Puts back online exactly the schedules that were online before the maintenance, refusing those with missed fires.</para></example>
/// <example><code>Enable-DsSchedule -FromFile ./etl-online.json -Force</code><para>Puts them back even though DS will fire the missed runs; the warning still states how many.</para></example>
/// <example><code>Get-DsSchedule -Project etl -Workflow daily_sales | Enable-DsSchedule -MissedFireLimit 1</code><para>Puts one schedule online, accepting at most one catch-up run.</para></example>
[Cmdlet(VerbsLifecycle.Enable, "DsSchedule", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByObject)]
[OutputType(typeof(DsScheduleChange))]
public sealed class EnableDsScheduleCommand : DsScheduleCmdlet
{
    /// <summary><para type="description">A file written by Disable-DsSchedule -SaveTo: enable exactly those schedules.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = "FromFile", HelpMessage = "A file written by Disable-DsSchedule -SaveTo.")]
    public string FromFile { get; set; } = "";

    /// <summary><para type="description">Estimated missed fires accepted without -Force (default 0).</para></summary>
    [Parameter(HelpMessage = "Estimated missed fires accepted without -Force.")]
    [ValidateRange(0, int.MaxValue)]
    public int MissedFireLimit { get; set; }

    /// <summary><para type="description">Enable even when DS would fire more missed runs than -MissedFireLimit.</para></summary>
    [Parameter(HelpMessage = "Enable even when DS would fire the missed runs at once.")]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var client = Client;
            var serverNow = ScheduleOperations.ServerNow(client, DateTimeOffset.UtcNow);
            List<(DsSchedule Schedule, DateTime? OfflineSince)> targets;
            if (ParameterSetName == "FromFile")
            {
                var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(FromFile);
                var snapshot = ScheduleSnapshot.Load(path) ?? throw new Engine.DsOpsException(Engine.DsErrorKind.InvalidInput, "DsScheduleFileNotFound",
                    $"-FromFile '{path}' does not exist.");
                targets = new();
                foreach (var project in snapshot.Schedules.GroupBy(e => e.ProjectCode))
                {
                    var current = Await(client.GetSchedulesAsync(project.Key, CancellationToken)).ToDictionary(s => s.Id);
                    foreach (var e in project)
                    {
                        if (current.TryGetValue(e.ScheduleId, out var s))
                            targets.Add((s, TimeZoneInfo.ConvertTime(DateTime.SpecifyKind(e.OfflineUtc, DateTimeKind.Utc), client.ServerTimeZone)));
                        else
                            WriteDsError("DsScheduleNotFound", ErrorCategory.ObjectNotFound,
                                $"Schedule {e.ScheduleId} of workflow '{e.Workflow}' (project {e.ProjectCode}) recorded in '{path}' no longer exists.", e.ScheduleId);
                    }
                }
            }
            else targets = SelectedSchedules().Select(s => (s, s.UpdateTime)).ToList();

            foreach (var (s, offlineSince) in targets)
            {
                if (s.IsOnline)
                {
                    WriteObject(new DsScheduleChange { Schedule = s, Action = "Unchanged" });
                    continue;
                }
                var missed = offlineSince is { } since ? ScheduleOperations.EstimateMissedFires(client, s, since, serverNow) : null;
                var note = missed switch
                {
                    null => "the missed fires could not be estimated from its cron",
                    0 => "no fire was missed",
                    _ => string.Create(CultureInfo.InvariantCulture, $"about {missed} fire(s) were missed while it was offline and {client.Dialect} runs every missed fire at once"),
                };
                if (missed > MissedFireLimit)
                {
                    WriteWarning($"{Describe(s)}: {note}.");
                    if (!Force)
                    {
                        WriteDsError("DsMissedFires", ErrorCategory.OperationStopped,
                            string.Create(CultureInfo.InvariantCulture,
                                $"{Describe(s)} was left offline: {note} (more than -MissedFireLimit {MissedFireLimit}). Pass -Force to enable it anyway, or raise -MissedFireLimit."), s);
                        continue;
                    }
                }
                if (!ShouldProcess($"{Describe(s)}; {note}", "Put schedule online")) continue;
                try { WriteObject(Await(ScheduleOperations.SetOnlineAsync(client, s, true, missed, CancellationToken))); }
                catch (Exception ex) when (ex is not PipelineStoppedException) { WriteDsError(ex, s); }
            }
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteDsError(ex, Project?.ToString() ?? FromFile);
        }
    }
}
