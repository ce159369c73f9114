using System.Management.Automation;
using DsOps.Engine.Inspection;

namespace DsOps.Commands.Inspection;

/// <summary>
/// <para type="synopsis">Runs DsOps's health checks against a DolphinScheduler cluster and returns one result per check and target.</para>
/// <para type="description">Each check reads facts once and shares them (one registry read serves every node check): the
/// registry and load through the DS API, each service's /actuator/health and heap, and the metadata database (command
/// backlog, rejected commands, stuck and failed runs, integrity). Results are Pass, Warn, Fail, Error or Skipped with the
/// target, the measured value, the threshold, a message and a remediation. Checks whose inputs are missing (no API or
/// metadata connection, no inventory) are Skipped, never silently passed. Tags: Quick for jobs every few minutes, Deep
/// for nightly jobs. Pin -Baseline in scheduled jobs.</para>
/// <example><code>Invoke-DsHealthCheck -Tag Quick -ConfigPath ./health.yaml</code><para>The every-five-minutes checks against the inventory in health.yaml.</para></example>
/// <example runnable="true"><code>Invoke-DsHealthCheck -Check Node.*, Command.Backlog -Threshold @{ 'Command.Backlog.maxCount' = 50 }</code><para>Node checks and the command backlog with a stricter limit.</para></example>
/// <example><code>Invoke-DsHealthCheck -Tag Deep -Baseline 2026.12 | Where-Object Status -ne Pass</code><para>The nightly checks of a pinned baseline, showing only what needs attention.</para></example>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "DsHealthCheck")]
[OutputType(typeof(DsHealthResult))]
public sealed class InvokeDsHealthCheckCommand : DsHealthCmdlet
{
    protected override void EndProcessing()
    {
        foreach (var r in RunInspection(BuildOptions())) WriteObject(r);
    }
}
