using System.Management.Automation;
using DsOps.Infrastructure;
using DsOps.Engine.Specs.Model;
using DsOps.Engine.Specs.Validation;

namespace DsOps.Commands.Specs;

/// <summary>
/// <para type="synopsis">Reads workflow specs from YAML, a DS export file or pydolphinscheduler YAML.</para>
/// <para type="description">Loads every workflow declared under -Path into normalized, name-based WorkflowSpec objects
/// (no server call). Problems found while reading are written as errors carrying file:line:column; use
/// Test-DsWorkflowSpec for the full validation. With -Connection and -Project (and no -Path), reads the workflows of
/// those projects from the server instead, named as the server names them.</para>
/// <example><code>Get-DsWorkflowSpec ./specs -Environment PROD</code><para>Reads the YAML specs with the PROD names of environments.yaml applied.</para></example>
/// <example runnable="true"><code>Get-DsWorkflowSpec ./docs/examples/workflows -Environment PROD | Format-Table Project, Name, Tenant</code><para>Reads the repository's example specs with their PROD names (run from the repository root).</para></example>
/// <example><code>Get-DsWorkflowSpec -ConnectionString 'Server=db;Database=etl' -Credential $cred -ScriptRoot ./scripts</code><para>Reads the workflows kept as rows of a MySQL config table, with scripts from a folder.</para></example>
/// <example><code>Get-DsWorkflowSpec -Connection $prod -Project etl | Export-DsWorkflowSpec ./specs</code><para>Adopts the workflows already on a server: their specs, written as YAML, sync back with no changes.</para></example>
/// </summary>
[Cmdlet(VerbsCommon.Get, "DsWorkflowSpec")]
[OutputType(typeof(WorkflowSpec))]
public sealed class GetDsWorkflowSpecCommand : DsSpecCmdlet
{
    /// <summary><para type="description">Only workflows whose name matches (wildcards allowed).</para></summary>
    [Parameter(HelpMessage = "Only workflows whose name matches this pattern (wildcards allowed).")]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    /// <summary><para type="description">The projects to read from the server (names, codes or project objects; wildcards allowed) when no -Path or
    /// -ConnectionString is given; with spec files, the one project for files that do not name one.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true, HelpMessage = "Projects to read from the server (wildcards allowed); with files, the project for files that name none.")]
    [Alias("ProjectCode")]
    [ProjectCompleter]
    [SupportsWildcards]
    public DsProjectParameter[]? Project { get; set; }

    protected override string? DefaultProject => Project switch
    {
        null or [] => null,
        [var one] when !one.IsWildcard => one.ToString(),
        _ => throw new ArgumentException("-Project: spec files take one project (no wildcards) for files that do not name one.", nameof(Project)),
    };

    protected override void ProcessRecord()
    {
        try
        {
            IReadOnlyList<WorkflowSpec> workflows;
            if (Path is null && ConnectionString is null && (Connection is not null || Project is { Length: > 0 }))
            {
                // Reading from a server: -Connection, else the session's default connection (like every API cmdlet).
                var connection = ResolveConnection(Connection);
                if (Project is not { Length: > 0 })
                    throw new ArgumentException("-Project: name the project(s) to read from the server.", nameof(Project));
                var projects = Await(DsProjectParameter.ResolveAllAsync(connection.Client, Project, CancellationToken)).Select(p => p.Name).ToList();
                workflows = ReadServer(connection, projects).Workflows;
            }
            else
            {
                var set = LoadSpecs(validate: false);
                WriteLoadFindings(set.Findings);
                workflows = set.Workflows;
                // A workflow read from a file with load errors is incomplete: it is not output (so it cannot be exported half read).
                var failed = set.Findings.Where(f => f.Severity == SpecSeverity.Error && f.Location.File is not null).Select(f => f.Location.File!).ToHashSet(StringComparer.Ordinal);
                if (failed.Count > 0)
                {
                    foreach (var w in workflows.Where(w => w.Location.File is { } file && failed.Contains(file)))
                        WriteWarning($"{w.Key}: not output, because {w.Location.File} has errors (see above).");
                    workflows = workflows.Where(w => w.Location.File is not { } file || !failed.Contains(file)).ToList();
                }
            }
            var patterns = Wildcards.Compile(Name);
            foreach (var w in workflows)
                if (Wildcards.Matches(patterns, w.Name)) WriteObject(w);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteDsError(ex, SourceLabel);
        }
    }
}
