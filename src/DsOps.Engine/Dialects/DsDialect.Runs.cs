namespace DsOps.Engine.Dialects;

/// <summary>What POST …/executors/execute is asked to do with a workflow instance (DS's ExecuteType names).</summary>
internal enum DsExecuteType
{
    /// <summary>Run the whole instance again (command REPEAT_RUNNING).</summary>
    RepeatRunning,
    /// <summary>Run the failed and killed tasks again, keeping what succeeded (START_FAILURE_TASK_PROCESS).</summary>
    StartFailureTaskProcess,
    /// <summary>Continue a paused or stopped instance (RECOVER_SUSPENDED_PROCESS).</summary>
    RecoverSuspendedProcess,
    /// <summary>Stop: DS marks READY_STOP and the master kills the running tasks (STOP).</summary>
    Stop,
    /// <summary>Pause: DS marks READY_PAUSE; running tasks finish, no new task starts (PAUSE).</summary>
    Pause,
    /// <summary>Run chosen tasks of a finished instance again (EXECUTE_TASK, 3.2+).</summary>
    ExecuteTask,
}

// Run control per version: execute types, start flags, task-instance actions (docs/operations.md "Run control";
// docs/ds-facts.md §3.5, §3.7).
public sealed partial class DsDialect
{
    /// <summary>DS's wire name of an execute type.</summary>
    internal static string ExecuteTypeName(DsExecuteType type) => type switch
    {
        DsExecuteType.RepeatRunning => "REPEAT_RUNNING",
        DsExecuteType.StartFailureTaskProcess => "START_FAILURE_TASK_PROCESS",
        DsExecuteType.RecoverSuspendedProcess => "RECOVER_SUSPENDED_PROCESS",
        DsExecuteType.Stop => "STOP",
        DsExecuteType.Pause => "PAUSE",
        DsExecuteType.ExecuteTask => "EXECUTE_TASK",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>The execute types this version's ExecuteType enum has: EXECUTE_TASK came with 3.2.0.</summary>
    internal IReadOnlyList<DsExecuteType> ExecuteTypes => AtLeast(2)
        ? Enum.GetValues<DsExecuteType>()
        : Enum.GetValues<DsExecuteType>().Where(t => t != DsExecuteType.ExecuteTask).ToArray();

    internal bool AcceptsExecuteType(DsExecuteType type) => ExecuteTypes.Contains(type);

    /// <summary>Every version takes dryRun (0/1) on start: tasks are dispatched but not executed.</summary>
    public bool StartTakesDryRun => true;

    /// <summary>The instances a 3.2 start call created: GET …/process-instances/trigger?triggerCode= (3.2.x only).</summary>
    public string? TriggeredInstancesPath => StartResult == StartResultShape.TriggerCode ? "trigger" : null;

    /// <summary>POST task-instances/{id}/stop and /savepoint exist from 3.1.0 (absent from 3.0.1's routes).</summary>
    public bool HasTaskInstanceStop => AtLeast(1);

    /// <summary>
    /// Force success is refused from 3.2.0 while the task's workflow instance is still running (3.0/3.1 only check the
    /// task's own state: failed or killed).
    /// </summary>
    public bool ForceSuccessNeedsFinishedWorkflow => AtLeast(2);
}
