using System.Management.Automation;
using DsOps.Engine.Models;
using DsOps.Infrastructure;

namespace DsOps.Commands.Operations.Schedules;

/// <summary>
/// Base of the schedule cmdlets: schedules from the pipeline (Get-DsSchedule) or by project and workflow names.
/// The changing cmdlets default to the InputObject set: a piped schedule also carries ProjectCode, and binding it by
/// name would act on every schedule of its project.
/// </summary>
public abstract class DsScheduleCmdlet : DsApiCmdlet
{
    protected const string ByObject = "InputObject";
    protected const string ByName = "ByName";

    /// <summary><para type="description">Schedules from Get-DsSchedule.</para></summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ByObject, HelpMessage = "Schedules from Get-DsSchedule.")]
    public DsSchedule[]? InputObject { get; set; }

    /// <summary><para type="description">Project name or code.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ByName, HelpMessage = "Project name or code.")]
    [Alias("ProjectCode")]
    [ProjectCompleter]
    public DsProjectParameter? Project { get; set; }

    /// <summary><para type="description">Workflow names (wildcards allowed); every workflow of the project when omitted.</para></summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true, ParameterSetName = ByName, HelpMessage = "Workflow names; wildcards allowed.")]
    [Alias("Name")]
    [WorkflowCompleter]
    [SupportsWildcards]
    public DsWorkflowParameter[]? Workflow { get; set; }

    /// <summary>The schedules this record names (a read when given by name).</summary>
    protected IReadOnlyList<DsSchedule> SelectedSchedules()
    {
        if (InputObject is { } given) return given;
        var project = ResolveProject(Project!);
        return Await(Client.GetSchedulesAsync(project.ProjectCode, CancellationToken))
            .Where(s => Workflow is not { Length: > 0 } || Workflow.Any(w => w.Matches(s.WorkflowName, s.WorkflowCode))).ToArray();
    }

    protected static string Describe(DsSchedule s) => $"schedule {s.Id} of workflow '{s.WorkflowName}' ({s.Crontab}, {s.ReleaseState})";
}
