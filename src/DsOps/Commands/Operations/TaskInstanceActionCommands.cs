using System.Management.Automation;
using DsOps.Engine.Models;
using DsOps.Engine.Operations.Runs;
using DsOps.Infrastructure;

namespace DsOps.Commands.Operations;

/// <summary>Base of Stop-DsTaskInstance and Complete-DsTaskInstance: task instances from the pipeline or by -Project/-Id.</summary>
public abstract class DsTaskInstanceActionCmdlet : DsRunCmdlet
{
    /// <summary><para type="description">Task instances from Get-DsTaskInstance.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = "InputObject", HelpMessage = "Task instances from Get-DsTaskInstance.")]
    public DsTaskInstance InputObject { get; set; } = null!;

    /// <summary><para type="description">Project name or code of the task instance given by -Id.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Id", HelpMessage = "Project name or code.")]
    [Alias("ProjectCode")]
    [ProjectCompleter]
    public DsProjectParameter Project { get; set; } = null!;

    /// <summary><para type="description">Task instance id.</para></summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = "Id", HelpMessage = "Task instance id.")]
    [Alias("TaskInstanceId")]
    public int Id { get; set; }

    protected abstract DsRunAction Action { get; }
    protected abstract string ActionText { get; }

    protected override void ProcessRecord()
    {
        object target = ParameterSetName == "Id" ? Id : InputObject;
        try
        {
            var connection = Connection ?? (ParameterSetName == "Id" ? null : InputObject.Connection) ?? ResolvedConnection;
            var client = connection.Client;
            var task = ParameterSetName == "Id"
                ? new DsTaskInstance { ProjectCode = ProjectCodeOf(client, Project), TaskInstanceId = Id }
                : InputObject;
            var project = ProjectLabel(client, task.ProjectCode);
            var label = task.Name is null
                ? $"task instance #{task.TaskInstanceId} in project '{project}'"
                : $"task instance '{task.Name}' (#{task.TaskInstanceId}, {task.DsState ?? task.State.ToString()}) of workflow instance #{task.WorkflowInstanceId} in project '{project}'";
            if (!ShouldProcess(label, ActionText)) return;
            WriteObject(Await(RunControlFor(client).TaskActionAsync(task, Action, CancellationToken)));
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteDsError(ex, target);
        }
    }
}

/// <summary>
/// <para type="synopsis">Stops (kills) one running task instance (DS 3.1 and later).</para>
/// <para type="description">Asks DS to kill the task on its worker (POST task-instances/{id}/stop). DS documents this
/// route as meant for stream tasks; for a batch task the worker kills the process and the master treats the task as
/// killed, so the workflow instance goes on as after a failed task (failure strategy; unverified in detail). DS does
/// not check the task's state. DS 3.0 has no such route: stop the workflow instance instead.</para>
/// <example><code>Get-DsTaskInstance etl -WorkflowInstanceId 1201 -State Running | Stop-DsTaskInstance</code><para>Kills the running tasks of one workflow instance after confirmation.</para></example>
/// <example><code>Stop-DsTaskInstance -Project etl -Id 88812 -Confirm:$false</code><para>Kills one task instance by id without asking.</para></example>
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "DsTaskInstance", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "InputObject")]
[OutputType(typeof(DsRunActionResult))]
public sealed class StopDsTaskInstanceCommand : DsTaskInstanceActionCmdlet
{
    protected override DsRunAction Action => DsRunAction.StopTask;
    protected override string ActionText => "Stop (kill the task)";
}

/// <summary>
/// <para type="synopsis">Marks a failed or killed task instance as succeeded (DS's force success).</para>
/// <para type="description">Sets the task instance to FORCED_SUCCESS (POST task-instances/{id}/force-success). When it
/// was the only failed task of a failed or stopped workflow instance whose every task ran, DS marks the workflow instance
/// SUCCESS too. DS refuses tasks that are not failed or killed (DsTaskInstanceStateRefused) and, from 3.2, tasks whose
/// workflow instance is still running. Use it when the task's work was done by hand; downstream tasks do not run by
/// this (restart the instance from failure for that).</para>
/// <example><code>Get-DsTaskInstance etl -WorkflowInstanceId 1201 -State Failed | Complete-DsTaskInstance</code><para>Marks the failed tasks of one instance as forced success after confirmation.</para></example>
/// <example><code>Complete-DsTaskInstance -Project etl -Id 88812 -WhatIf</code><para>Shows which task instance would be marked, without changing it.</para></example>
/// </summary>
[Cmdlet(VerbsLifecycle.Complete, "DsTaskInstance", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "InputObject")]
[OutputType(typeof(DsRunActionResult))]
public sealed class CompleteDsTaskInstanceCommand : DsTaskInstanceActionCmdlet
{
    protected override DsRunAction Action => DsRunAction.ForceTaskSuccess;
    protected override string ActionText => "Force success";
}
