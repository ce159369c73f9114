using System.Management.Automation;
using DsOps.Engine.Specs.Model;

namespace DsOps.Commands.Specs;

/// <summary>
/// <para type="synopsis">Reads workflow specs from YAML, a DS export file or pydolphinscheduler YAML.</para>
/// <para type="description">Loads every workflow declared under -Path into normalized, name-based WorkflowSpec objects
/// (no server call). Problems found while reading are written as errors carrying file:line:column; use
/// Test-DsWorkflowSpec for the full validation.</para>
/// <example><code>Get-DsWorkflowSpec ./specs -Environment PROD</code></example>
/// <example><code>Get-DsWorkflowSpec -ConnectionString 'Server=db;Database=etl' -Credential $cred -ScriptRoot ./scripts</code></example>
/// </summary>
[Cmdlet(VerbsCommon.Get, "DsWorkflowSpec")]
[OutputType(typeof(WorkflowSpec))]
public sealed class GetDsWorkflowSpecCommand : DsSpecCmdlet
{
    /// <summary><para type="description">Only workflows whose name matches (wildcards allowed).</para></summary>
    [Parameter(HelpMessage = "Only workflows whose name matches this pattern (wildcards allowed).")]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var set = LoadSpecs(validate: false);
            WriteLoadFindings(set.Findings);
            var patterns = Name?.Select(n => WildcardPattern.Get(n, WildcardOptions.IgnoreCase)).ToList();
            foreach (var w in set.Workflows)
                if (patterns is null || patterns.Any(p => p.IsMatch(w.Name))) WriteObject(w);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteDsError(ex, SourceLabel);
        }
    }
}
