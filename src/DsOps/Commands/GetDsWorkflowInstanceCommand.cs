using System.Management.Automation;
using DsOps.Engine.Api;
using DsOps.Engine.Dialects;
using DsOps.Engine.Models;
using DsOps.Infrastructure;

namespace DsOps.Commands;

/// <summary>
/// <para type="synopsis">Gets workflow instances (runs) of a project.</para>
/// <para type="description">Lists top-level workflow instances newest first, filtered on the server by workflow,
/// state, host and start-time window. -State takes DsOps's version-independent states (Failed, Running, ...), which
/// are translated to the connected version's DS state names. Instances pipe into Get-DsTaskInstance.</para>
/// <example runnable="true"><code>Get-DsWorkflowInstance -Project demo_sales -State Failed -Since (Get-Date).Date.AddDays(-1)</code><para>Lists the failed runs of project demo_sales since yesterday midnight.</para></example>
/// <example runnable="true"><code>Get-DsWorkflow -Project demo_sales -Name 'daily_*' | Get-DsWorkflowInstance -State Running</code><para>Lists the running instances of the daily workflows of demo_sales.</para></example>
/// </summary>
[Cmdlet(VerbsCommon.Get, "DsWorkflowInstance")]
[OutputType(typeof(DsWorkflowInstance))]
public sealed class GetDsWorkflowInstanceCommand : DsApiCmdlet
{
    /// <summary>Project name or code.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, HelpMessage = "Project name or code.")]
    [Alias("ProjectCode")]
    [ProjectCompleter]
    public DsProjectParameter Project { get; set; } = null!;

    /// <summary>Workflow name or code.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true, HelpMessage = "Workflow name or code.")]
    [Alias("WorkflowCode")]
    [WorkflowCompleter]
    public DsWorkflowParameter? Workflow { get; set; }

    /// <summary>Only instances in these states.</summary>
    [Parameter(HelpMessage = "Only instances in these states, e.g. Failed, Running, Succeeded.")]
    public DsRunState[]? State { get; set; }

    /// <summary>Only instances that started at or after this time (local time unless the value is UTC).</summary>
    [Parameter(HelpMessage = "Only instances started at or after this time.")]
    public DateTime? Since { get; set; }

    /// <summary>Only instances that started before this time.</summary>
    [Parameter(HelpMessage = "Only instances started before this time.")]
    public DateTime? Until { get; set; }

    /// <summary>Only instances run by this master host (ip:port, substring match as DS does).</summary>
    [Parameter(HelpMessage = "Only instances owned by this master host (substring).")]
    public string? HostName { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var project = ResolveProject(Project);
            long? workflowCode = Workflow is null ? null : Await(Workflow.ResolveAsync(Client, project.ProjectCode, CancellationToken)).WorkflowCode;
            foreach (var stateName in StateNames.For(Client.Dialect, State, DsStateScope.Workflow, this))
            {
                var filter = new DsInstanceFilter { WorkflowCode = workflowCode, StateName = stateName, Since = Since, Until = Until, Host = HostName };
                WriteEach(Client.GetWorkflowInstancesAsync(project.ProjectCode, filter, CancellationToken));
            }
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteDsError(ex, (Workflow?.ToString() ?? Project.ToString()));
        }
    }
}

/// <summary>
/// <para type="synopsis">Gets task instances (task runs) of a project or of one workflow instance.</para>
/// <para type="description">Lists task instances newest first, filtered on the server by workflow instance, task name,
/// state, host and start-time window.</para>
/// <example runnable="true"><code>Get-DsWorkflowInstance -Project demo_sales -State Failed | Select-Object -First 3 | Get-DsTaskInstance -State Failed</code><para>Lists the failed tasks of the three most recent failed runs of demo_sales.</para></example>
/// </summary>
[Cmdlet(VerbsCommon.Get, "DsTaskInstance")]
[OutputType(typeof(DsTaskInstance))]
public sealed class GetDsTaskInstanceCommand : DsApiCmdlet
{
    /// <summary>Project name or code.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, HelpMessage = "Project name or code.")]
    [Alias("ProjectCode")]
    [ProjectCompleter]
    public DsProjectParameter Project { get; set; } = null!;

    /// <summary>Only tasks of this workflow instance.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, HelpMessage = "Only tasks of this workflow instance id.")]
    public int? WorkflowInstanceId { get; set; }

    /// <summary>Only tasks with this exact name.</summary>
    [Parameter(HelpMessage = "Only tasks with this exact name.")]
    public string? TaskName { get; set; }

    /// <summary>Only task instances in these states.</summary>
    [Parameter(HelpMessage = "Only task instances in these states, e.g. Failed, Running.")]
    public DsRunState[]? State { get; set; }

    /// <summary>Only task instances started at or after this time.</summary>
    [Parameter(HelpMessage = "Only task instances started at or after this time.")]
    public DateTime? Since { get; set; }

    /// <summary>Only task instances started before this time.</summary>
    [Parameter(HelpMessage = "Only task instances started before this time.")]
    public DateTime? Until { get; set; }

    /// <summary>Only task instances run by this worker host (substring).</summary>
    [Parameter(HelpMessage = "Only task instances run on this worker host (substring).")]
    public string? HostName { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var project = ResolveProject(Project);
            foreach (var stateName in StateNames.For(Client.Dialect, State, DsStateScope.Task, this))
            {
                var filter = new DsInstanceFilter
                {
                    WorkflowInstanceId = WorkflowInstanceId, TaskName = TaskName, StateName = stateName, Since = Since, Until = Until, Host = HostName,
                };
                WriteEach(Client.GetTaskInstancesAsync(project.ProjectCode, filter, CancellationToken));
            }
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteDsError(ex, WorkflowInstanceId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? Project.ToString());
        }
    }
}

/// <summary>Binds -State to the dialect's filter names (<see cref="DsDialect.StateFilterNames"/>) and warns about skipped states.</summary>
internal static class StateNames
{
    public static IReadOnlyList<string?> For(DsDialect dialect, DsRunState[]? states, DsStateScope scope, DsCmdlet cmdlet)
    {
        var names = dialect.StateFilterNames(states, scope, out var skipped);
        foreach (var state in skipped)
            cmdlet.WriteWarning($"DS {dialect.Version} has no {scope.ToString().ToLowerInvariant()} state {state}; it is skipped.");
        return names;
    }
}
