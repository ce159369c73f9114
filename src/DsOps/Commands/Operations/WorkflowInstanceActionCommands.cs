using System.Management.Automation;
using DsOps.Engine.Api;
using DsOps.Engine.Models;
using DsOps.Engine.Operations.Runs;
using DsOps.Infrastructure;

namespace DsOps.Commands.Operations;

/// <summary>
/// Base of Restart-, Stop-, Suspend- and Resume-DsWorkflowInstance: takes instances by property name (objects from
/// Get-DsWorkflowInstance, task instances, action results; any project, any connection), reads each one, asks
/// ShouldProcess with its name and state, sends the action and writes the result. A refusal by DS is an error for
/// that instance; the rest of the pipeline goes on. An instance named twice in one pipeline is acted on once.
/// </summary>
public abstract class DsWorkflowInstanceActionCmdlet : DsRunCmdlet
{
    private readonly HashSet<(DsClient, long, int)> _done = new();

    /// <summary><para type="description">Project name or code of the instance.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, HelpMessage = "Project name or code.")]
    [Alias("ProjectCode")]
    [ProjectCompleter]
    public DsProjectParameter Project { get; set; } = null!;

    /// <summary><para type="description">Workflow instance id.</para></summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true, HelpMessage = "Workflow instance id.")]
    [Alias("WorkflowInstanceId")]
    public int Id { get; set; }

    /// <summary>The action this cmdlet sends.</summary>
    protected abstract DsRunAction Action { get; }

    /// <summary>The ShouldProcess action text.</summary>
    protected abstract string ActionText { get; }

    protected override void ProcessRecord()
    {
        DsWorkflowInstance? instance = null;
        try
        {
            var client = Client;
            var projectCode = ProjectCodeOf(client, Project);
            if (!_done.Add((client, projectCode, Id)))
            {
                WriteVerbose($"Workflow instance #{Id} of project '{ProjectLabel(client, projectCode)}' was already handled in this pipeline.");
                return;
            }
            instance = Await(client.GetWorkflowInstanceAsync(projectCode, Id, CancellationToken));
            if (!ShouldProcess($"workflow instance {RunControl.Describe(instance)} in project '{ProjectLabel(client, projectCode)}'", ActionText)) return;
            WriteObject(Await(RunControlFor(client).ControlAsync(instance, Action, CancellationToken)));
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteDsError(ex, (object?)instance ?? Id);
        }
    }
}

/// <summary>
/// <para type="synopsis">Runs a finished workflow instance again: whole (repeat running) or from its failed tasks.</para>
/// <para type="description">Sends REPEAT_RUNNING (the whole instance again) or, with -FromFailure,
/// START_FAILURE_TASK_PROCESS (only the failed and killed tasks and what follows them; successful tasks are kept). DS
/// reruns the same instance (same id, run count plus one) with the workflow version it was started with. DS refuses a
/// rerun of an instance that is still running, or -FromFailure of one that did not fail (DsInstanceStateRefused), and
/// any action while a command for the instance is still queued (DsInstanceCommandPending). The result pipes into
/// Wait-DsWorkflowInstance, which then waits for the new run.</para>
/// <example><code>Get-DsProject | Get-DsWorkflowInstance -State Failed -Since (Get-Date).Date.AddDays(-1) | Restart-DsWorkflowInstance -FromFailure</code><para>After a fix: reruns the failed tasks of every run that failed since yesterday, in all projects.</para></example>
/// <example><code>Restart-DsWorkflowInstance -Project etl -Id 1201 -FromFailure | Wait-DsWorkflowInstance -ErrorOnFailure</code><para>Reruns one instance from its failed tasks and waits for the outcome.</para></example>
/// <example><code>Restart-DsWorkflowInstance etl 1201 -WhatIf</code><para>Shows which instance would run again, in which state, without sending anything.</para></example>
/// </summary>
[Cmdlet(VerbsLifecycle.Restart, "DsWorkflowInstance", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(DsRunActionResult))]
public sealed class RestartDsWorkflowInstanceCommand : DsWorkflowInstanceActionCmdlet
{
    /// <summary><para type="description">Rerun only the failed and killed tasks (and what follows them) instead of the whole instance.</para></summary>
    [Parameter(HelpMessage = "Rerun only the failed tasks and what follows them.")]
    public SwitchParameter FromFailure { get; set; }

    protected override DsRunAction Action => FromFailure ? DsRunAction.RestartFromFailure : DsRunAction.Restart;
    protected override string ActionText => FromFailure ? "Restart from the failed tasks" : "Restart (repeat running)";
}

/// <summary>
/// <para type="synopsis">Stops a running workflow instance.</para>
/// <para type="description">Sends STOP: DS marks the instance READY_STOP, the master kills its running tasks and the
/// instance ends STOP. Only running instances can be stopped (DsInstanceStateRefused otherwise; DsInstanceAlreadyChanging
/// when a stop or pause is already under way). A stopped instance can be continued with Resume-DsWorkflowInstance.</para>
/// <example><code>Stop-DsWorkflowInstance -Project etl -Id 1201</code><para>Stops one runaway instance after confirmation.</para></example>
/// <example><code>Get-DsWorkflowInstance etl -State Running | Where-Object { $_.Duration -gt [timespan]'06:00:00' } | Stop-DsWorkflowInstance -Confirm:$false</code><para>Stops every instance of the project that has run for more than six hours, without asking.</para></example>
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "DsWorkflowInstance", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(DsRunActionResult))]
public sealed class StopDsWorkflowInstanceCommand : DsWorkflowInstanceActionCmdlet
{
    protected override DsRunAction Action => DsRunAction.Stop;
    protected override string ActionText => "Stop (kill running tasks)";
}

/// <summary>
/// <para type="synopsis">Pauses a running workflow instance.</para>
/// <para type="description">Sends PAUSE: DS marks the instance READY_PAUSE; tasks already running finish, no new task
/// starts, and the instance ends PAUSE. Resume-DsWorkflowInstance continues it. Only running instances can be paused.</para>
/// <example><code>Suspend-DsWorkflowInstance -Project etl -Id 1201</code><para>Pauses one instance: running tasks finish, nothing new starts.</para></example>
/// <example><code>Get-DsWorkflowInstance etl -State Running | Suspend-DsWorkflowInstance | Wait-DsWorkflowInstance</code><para>Pauses every running instance of the project and waits until all are paused.</para></example>
/// </summary>
[Cmdlet(VerbsLifecycle.Suspend, "DsWorkflowInstance", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(DsRunActionResult))]
public sealed class SuspendDsWorkflowInstanceCommand : DsWorkflowInstanceActionCmdlet
{
    protected override DsRunAction Action => DsRunAction.Suspend;
    protected override string ActionText => "Suspend (pause)";
}

/// <summary>
/// <para type="synopsis">Continues a paused or stopped workflow instance.</para>
/// <para type="description">Sends RECOVER_SUSPENDED_PROCESS: the instance runs on from where it was paused or stopped;
/// successful tasks are kept. DS accepts it for PAUSE, STOP and KILL states only.</para>
/// <example><code>Resume-DsWorkflowInstance -Project etl -Id 1201 | Wait-DsWorkflowInstance</code><para>Continues a paused instance and waits for it to end.</para></example>
/// <example><code>Get-DsWorkflowInstance etl -State Paused | Resume-DsWorkflowInstance</code><para>Continues every paused instance of the project.</para></example>
/// </summary>
[Cmdlet(VerbsLifecycle.Resume, "DsWorkflowInstance", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(DsRunActionResult))]
public sealed class ResumeDsWorkflowInstanceCommand : DsWorkflowInstanceActionCmdlet
{
    protected override DsRunAction Action => DsRunAction.Resume;
    protected override string ActionText => "Resume";
}
