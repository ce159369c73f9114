using System.Management.Automation;
using System.Text.Json;
using DsOps.Engine.Models;
using DsOps.Infrastructure;

namespace DsOps.Commands;

/// <summary>
/// <para type="synopsis">Gets workflow (process) definitions.</para>
/// <para type="description">Lists the workflow definitions of a project, or of every project when -Project is
/// omitted. -Name takes wildcards. -IncludeTasks adds each workflow's tasks and DAG edges (one request per project:
/// DS's 'all' route). Workflows pipe into Get-DsWorkflowInstance by WorkflowCode and ProjectCode.</para>
/// <example runnable="true"><code>Get-DsWorkflow -Project demo_sales -Name 'daily_*'</code><para>Lists the workflows of project demo_sales whose name starts with daily_.</para></example>
/// <example runnable="true"><code>Get-DsProject demo_sales | Get-DsWorkflow -IncludeTasks | Select-Object -First 1 -ExpandProperty Relations</code><para>Shows the task dependencies (upstream and downstream task names) of the first workflow of demo_sales.</para></example>
/// </summary>
[Cmdlet(VerbsCommon.Get, "DsWorkflow")]
[OutputType(typeof(DsWorkflow))]
public sealed class GetDsWorkflowCommand : DsApiCmdlet
{
    /// <summary>Project name or code; all projects when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true, HelpMessage = "Project name or code; all projects when omitted.")]
    [Alias("ProjectCode")]
    [ProjectCompleter]
    public DsProjectParameter? Project { get; set; }

    /// <summary>Workflow names; wildcards allowed.</summary>
    [Parameter(Position = 1, HelpMessage = "Workflow names; wildcards allowed.")]
    [SupportsWildcards]
    [WorkflowCompleter]
    public string[]? Name { get; set; }

    /// <summary>Include each workflow's tasks (with upstream task names) and relations.</summary>
    [Parameter(HelpMessage = "Include each workflow's tasks and DAG edges.")]
    public SwitchParameter IncludeTasks { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var projects = Project is null
                ? ToList(Client.GetProjectsAsync(null, CancellationToken))
                : new List<DsProject> { ResolveProject(Project) };
            var patterns = Wildcards.Compile(Name);
            foreach (var project in projects)
            {
                if (IncludeTasks)
                    // Streamed per workflow: each is written while the rest of the project's answer is still read.
                    WriteEach(Client.GetWorkflowsWithTasksAsync(project.ProjectCode, CancellationToken), w => Wildcards.Matches(patterns, w.Name));
                else
                {
                    var search = Name is [var only] && !DsOps.Engine.Text.Wildcard.HasWildcards(only) ? only : null;
                    WriteEach(Client.GetWorkflowsAsync(project.ProjectCode, search, CancellationToken), w => Wildcards.Matches(patterns, w.Name));
                }
            }
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteDsError(ex, Project?.ToString());
        }
    }
}
