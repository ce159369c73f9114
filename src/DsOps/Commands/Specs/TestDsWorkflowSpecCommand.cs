using System.Management.Automation;
using DsOps.Infrastructure;
using DsOps.Engine.Specs.Validation;

namespace DsOps.Commands.Specs;

/// <summary>
/// <para type="synopsis">Validates workflow specs offline: DAG, references, cron, parameters, task types.</para>
/// <para type="description">Loads the specs under -Path and runs every validation rule without contacting a server.
/// Writes one SpecFinding per problem (severity, rule id, file:line:column, message). With -Quiet it returns only
/// $true (no errors) or $false. With -ErrorOnFailure it ends with a terminating error when any finding is an error,
/// so a CI step fails.</para>
/// <example><code>Test-DsWorkflowSpec ./specs -ErrorOnFailure</code><para>Checks every spec offline and fails (for a CI gate) on any error.</para></example>
/// <example runnable="true"><code>Test-DsWorkflowSpec ./docs/examples/workflows -ErrorOnFailure</code><para>Checks the repository's example specs and fails on any error (run from the repository root).</para></example>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "DsWorkflowSpec", DefaultParameterSetName = "Findings")]
[OutputType(typeof(SpecFinding), ParameterSetName = new[] { "Findings" })]
[OutputType(typeof(bool), ParameterSetName = new[] { "Quiet" })]
public sealed class TestDsWorkflowSpecCommand : DsSpecCmdlet
{
    /// <summary><para type="description">Project for spec files that do not name one (a name; a code or project object is read as the project's name).</para></summary>
    [Parameter(HelpMessage = "Project for spec files that do not name one.")]
    [ProjectCompleter]
    public DsProjectParameter? Project { get; set; }

    protected override string? DefaultProject => Project?.ToString();

    /// <summary><para type="description">Return $true when there are no errors, $false otherwise, instead of findings.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = "Quiet", HelpMessage = "Return only $true (no errors) or $false.")]
    public SwitchParameter Quiet { get; set; }

    /// <summary><para type="description">End with a terminating error (DsSpecInvalid) when any finding is an error.</para></summary>
    [Parameter(ParameterSetName = "Findings", HelpMessage = "End with a terminating error when any finding is an error (for CI).")]
    public SwitchParameter ErrorOnFailure { get; set; }

    /// <summary><para type="description">Lowest severity to output: Error, Warning (default) or Information.</para></summary>
    [Parameter(ParameterSetName = "Findings", HelpMessage = "Lowest severity to output: Error, Warning (default) or Information.")]
    public SpecSeverity MinimumSeverity { get; set; } = SpecSeverity.Warning;

    protected override void ProcessRecord()
    {
        SpecSet set;
        try
        {
            set = LoadSpecs(validate: true);
        }
        catch (Engine.DsOpsException ex) when (Quiet && ex.Kind == Engine.DsErrorKind.InvalidInput)
        {
            // Unreadable specs (e.g. a broken environments file) are a "no" for -Quiet; misuse still throws.
            WriteVerbose(ex.Message);
            WriteObject(false);
            return;
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowDsError(ex, SourceLabel);
            return;
        }
        var all = set.Findings;
        if (Connection is not null && !set.HasErrors)
        {
            var (version, names) = ValidateAgainstServer(set.Workflows, Connection);
            all = all.Concat(version).Concat(names).ToList();
        }
        var findings = all
            .OrderBy(f => f.Location.File, StringComparer.Ordinal).ThenBy(f => f.Location.Line).ThenBy(f => f.Location.Column)
            .ThenBy(f => f.RuleId, StringComparer.Ordinal).ToList();
        var errors = findings.Count(f => f.Severity == SpecSeverity.Error);
        if (Quiet)
        {
            WriteObject(errors == 0);
            return;
        }
        foreach (var f in findings)
            if (f.Severity <= MinimumSeverity) WriteObject(f);
        var warnings = findings.Count(f => f.Severity == SpecSeverity.Warning);
        WriteVerbose($"{set.Workflows.Count} workflow(s), {set.Workflows.Sum(w => w.Tasks.Length)} task(s): {errors} error(s), {warnings} warning(s).");
        if (ErrorOnFailure && errors > 0)
            ThrowDsError("DsSpecInvalid", ErrorCategory.InvalidData,
                $"{errors} error(s) in the specs from {SourceLabel}. First: {findings.First(f => f.Severity == SpecSeverity.Error)}", SourceLabel);
    }
}
