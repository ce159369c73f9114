using System.Management.Automation;
using DsOps.Engine.Provenance;
using DsOps.Infrastructure;

namespace DsOps.Commands.Provenance;

/// <summary>
/// <para type="synopsis">Shows which Git commit each task's script on a DS server came from.</para>
/// <para type="description">Sync-DsWorkflow keeps a marker in the description of every task whose script it read
/// from Git (a scriptFile in a Git work tree, or a Git script address of the config table): the repository, the
/// file's path and the commit that last changed the file, plus a hash of the script as applied. This command reads
/// those markers back for every task of the selected projects and workflows and tells whether the script on the
/// server is still the one applied (Status Matches) or was edited on the server since (ServerEdited). Tasks whose
/// script did not come from Git show Status NotFromGit. Read-only: one read of the projects' workflows.</para>
/// <example><code>Get-DsWorkflowProvenance -Project etl -Connection $prod</code><para>Lists, for every task of project etl on PROD, the repository, path and commit its script came from.</para></example>
/// <example><code>Get-DsWorkflowProvenance -Connection $prod | Where-Object Status -eq ServerEdited</code><para>Finds the tasks whose script was changed on PROD after DsOps applied it from Git.</para></example>
/// <example><code>Get-DsWorkflowProvenance -Project etl -Workflow 'daily_*' | Group-Object Commit</code><para>Groups the tasks of the daily workflows by the commit that runs.</para></example>
/// </summary>
[Cmdlet(VerbsCommon.Get, "DsWorkflowProvenance")]
[OutputType(typeof(DsTaskProvenance))]
public sealed class GetDsWorkflowProvenanceCommand : DsApiCmdlet
{
    /// <summary><para type="description">Project names; wildcards allowed. All projects when omitted.</para></summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true, HelpMessage = "Project names; wildcards allowed. All projects when omitted.")]
    [ProjectCompleter]
    [SupportsWildcards]
    public DsProjectParameter[]? Project { get; set; }

    /// <summary><para type="description">Workflow names (wildcards allowed) or workflow codes.</para></summary>
    [Parameter(Position = 1, HelpMessage = "Workflow names (wildcards allowed) or workflow codes.")]
    [WorkflowCompleter]
    [SupportsWildcards]
    public DsWorkflowParameter[]? Workflow { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var connection = ResolvedConnection;
            // Names, codes and wildcards resolve through the connection's name cache; a literal name that does not exist is DsProjectNotFound.
            var resolved = Project is { Length: > 0 }
                ? Await(DsProjectParameter.ResolveAllAsync(connection.Client, Project, CancellationToken))
                : Await(connection.Client.GetProjectListAsync(CancellationToken));
            var projects = resolved.Select(p => p.Name).ToList();
            // The reader sees workflows as specs (names only): a workflow code is turned into its name first.
            var workflowPatterns = Wildcards.Compile(Await(DsWorkflowParameter.NamesAsync(connection.Client, Workflow, resolved, CancellationToken)));
            WriteVerbose($"Reading {projects.Count} project(s) from {connection.Name}.");
            var tasks = Await(TaskProvenanceReader.ReadAsync(connection.Client, projects, w => Wildcards.Matches(workflowPatterns, w.Name), connection, CancellationToken));
            foreach (var t in tasks) WriteObject(t);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteDsError(ex, Project is null ? null : string.Join(",", Project.Texts()!));
        }
    }
}
