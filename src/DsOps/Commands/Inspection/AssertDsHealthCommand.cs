using System.Management.Automation;
using DsOps.Engine.Inspection;

namespace DsOps.Commands.Inspection;

/// <summary>
/// <para type="synopsis">Runs health checks (or takes their results) and stops with a terminating error when any failed.</para>
/// <para type="description">For scheduled jobs: the job ends with a non-zero exit code (pwsh -Command or -File with
/// $ErrorActionPreference = 'Stop') when a check is Fail or Error, and with -FailOnWarning also when one is Warn. The
/// error (DsHealthCheckFailed) lists each failing check, target and message; its TargetObject holds the failing results.
/// Nothing is written on success unless -PassThru.</para>
/// <example><code>Assert-DsHealth -Tag Quick -ConfigPath /etc/dsops/health.yaml -Baseline 2026.12</code><para>A cron job that fails when a quick check fails.</para></example>
/// <example><code>Invoke-DsHealthCheck -Tag Deep | Tee-Object -Variable r | Assert-DsHealth</code><para>Keeps the results and still fails the job on a failing check.</para></example>
/// </summary>
[Cmdlet(VerbsLifecycle.Assert, "DsHealth", DefaultParameterSetName = RunSet)]
[OutputType(typeof(DsHealthResult))]
public sealed class AssertDsHealthCommand : DsHealthCmdlet
{
    private const string RunSet = "Run";
    private const string ResultsSet = "Results";
    private readonly List<DsHealthResult> _input = new();

    /// <summary><para type="description">Results from Invoke-DsHealthCheck to assert on instead of running checks.</para></summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ResultsSet, HelpMessage = "Results from Invoke-DsHealthCheck.")]
    public DsHealthResult[] InputObject { get; set; } = Array.Empty<DsHealthResult>();

    /// <summary><para type="description">Also fail on Warn results.</para></summary>
    [Parameter(HelpMessage = "Also fail on Warn results.")]
    public SwitchParameter FailOnWarning { get; set; }

    /// <summary><para type="description">Write the results to the pipeline when nothing failed.</para></summary>
    [Parameter(HelpMessage = "Write the results when nothing failed.")]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ResultsSet) _input.AddRange(InputObject);
    }

    protected override void EndProcessing()
    {
        var results = ParameterSetName == ResultsSet ? _input : RunInspection(BuildOptions());
        var failing = results.Where(r => r.Status is DsHealthStatus.Fail or DsHealthStatus.Error || (FailOnWarning && r.Status == DsHealthStatus.Warn)).ToList();
        if (failing.Count > 0)
        {
            var lines = failing.Take(20).Select(r => $"  [{r.Status}] {r.CheckId} {r.Target}: {r.Message}");
            var more = failing.Count > 20 ? $"\n  ... and {failing.Count - 20} more" : "";
            ThrowDsError("DsHealthCheckFailed", ErrorCategory.InvalidResult,
                $"{failing.Count} of {results.Count} health results failed:\n{string.Join("\n", lines)}{more}", failing.ToArray());
        }
        if (PassThru) foreach (var r in results) WriteObject(r);
    }
}
