using System.Management.Automation;
using DsOps.Engine.Inspection;
using DsOps.Infrastructure;

namespace DsOps.Commands.Inspection;

/// <summary>
/// <para type="synopsis">Lists the health-check catalogue: ids, tags, severity, rationale, remediation, thresholds and DS versions.</para>
/// <para type="description">Ids are stable, so scheduled jobs, dashboards and Pester filters can refer to them. Thresholds
/// show their defaults; a default of "version" means the DS version's own value. Since names the baseline that first
/// contains the check.</para>
/// <example runnable="true"><code>Get-DsHealthCheck -Tag Quick</code><para>The checks cheap enough for a job every few minutes.</para></example>
/// <example runnable="true"><code>Get-DsHealthCheck Node.Load | Select-Object -ExpandProperty Thresholds</code><para>The thresholds of the load check and their defaults.</para></example>
/// </summary>
[Cmdlet(VerbsCommon.Get, "DsHealthCheck")]
[OutputType(typeof(DsHealthCheckInfo))]
public sealed class GetDsHealthCheckCommand : DsCmdlet
{
    /// <summary><para type="description">Check ids (wildcards allowed); the same -Check as Invoke-DsHealthCheck and Assert-DsHealth.</para></summary>
    [Parameter(Position = 0, HelpMessage = "Check ids (wildcards allowed).")]
    [CheckCompleter]
    [SupportsWildcards]
    public string[]? Check { get; set; }

    /// <summary><para type="description">Only checks with one of these tags.</para></summary>
    [Parameter(HelpMessage = "Only checks with one of these tags (Quick, Deep, Node, ...).")]
    public string[]? Tag { get; set; }

    /// <summary><para type="description">Only the checks of this baseline (e.g. 2026.12).</para></summary>
    [Parameter(HelpMessage = "Only the checks of this baseline (e.g. 2026.12).")]
    public string? Baseline { get; set; }

    protected override void EndProcessing()
    {
        string? baseline = null;
        if (Baseline is not null)
        {
            try { baseline = DsHealthBaselines.Validate(Baseline); }
            catch (Exception ex) when (ex is not PipelineStoppedException) { ThrowDsError(ex, Baseline); }
        }
        var patterns = DsOps.Infrastructure.Wildcards.Compile(Check);
        foreach (var c in HealthInspector.Catalogue)
        {
            if (!DsOps.Infrastructure.Wildcards.Matches(patterns, c.Id)) continue;
            if (Tag is { Length: > 0 } && !c.Tags.Any(t => Tag.Contains(t, StringComparer.OrdinalIgnoreCase))) continue;
            if (baseline is not null && !DsHealthBaselines.Contains(baseline, c.Since)) continue;
            WriteObject(c);
        }
    }
}
