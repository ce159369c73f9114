using DsOps.Engine.Api;
using DsOps.Engine.Dialects;

namespace DsOps.Engine.Operations.Runs;

/// <summary>DS's instance priority (Priority enum: HIGHEST 0 … LOWEST 4).</summary>
public enum DsPriority { Highest, High, Medium, Low, Lowest }

/// <summary>What DS does with the rest of a run when a task fails (FailureStrategy).</summary>
public enum DsFailureStrategy
{
    /// <summary>END: stop the run, kill running tasks.</summary>
    End,
    /// <summary>CONTINUE: let the other branches finish.</summary>
    Continue,
}

/// <summary>When DS sends an alert for the run (WarningType).</summary>
public enum DsWarningType { None, Success, Failure, All }

/// <summary>The constants DS's API takes for the run settings above (one spelling for starts, schedules and backfills).</summary>
internal static class DsRunSettingNames
{
    public static string Of(DsPriority priority) => priority.ToString().ToUpperInvariant();
    public static string Of(DsFailureStrategy strategy) => strategy.ToString().ToUpperInvariant();
    public static string Of(DsWarningType warning) => warning.ToString().ToUpperInvariant();
}

/// <summary>Which tasks run around the start nodes (TaskDependType).</summary>
public enum DsStartNodeScope
{
    /// <summary>TASK_POST: the start nodes and everything downstream (DS's default).</summary>
    Downstream,
    /// <summary>TASK_PRE: the start nodes and everything upstream.</summary>
    Upstream,
    /// <summary>TASK_ONLY: only the start nodes.</summary>
    Only,
}

/// <summary>What a run-control cmdlet did to an instance.</summary>
public enum DsRunAction
{
    Restart,
    RestartFromFailure,
    Stop,
    Suspend,
    Resume,
    StopTask,
    ForceTaskSuccess,
}

/// <summary>A manual start of one workflow (Start-DsWorkflow). Null fields are left to DS's defaults.</summary>
public sealed record DsStartRequest
{
    public required long ProjectCode { get; init; }
    public required long WorkflowCode { get; init; }
    /// <summary>Run-time values of the workflow's global parameters (startParams).</summary>
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }
    /// <summary>Task codes to start from (startNodeList); empty = the whole DAG.</summary>
    public IReadOnlyList<long>? StartNodes { get; init; }
    public DsStartNodeScope StartNodeScope { get; init; } = DsStartNodeScope.Downstream;
    public string? WorkerGroup { get; init; }
    public long? EnvironmentCode { get; init; }
    public string? Tenant { get; init; }
    public DsPriority? Priority { get; init; }
    public DsFailureStrategy FailureStrategy { get; init; } = DsFailureStrategy.End;
    public DsWarningType WarningType { get; init; } = DsWarningType.None;
    public int? WarningGroupId { get; init; }
    /// <summary>dryRun=1: DS dispatches the tasks without executing them.</summary>
    public bool DryRun { get; init; }
    /// <summary>testFlag=1 (3.2.0–3.3.0): the run uses the test data sources.</summary>
    public bool TestRun { get; init; }
}

/// <summary>The outcome of one action on a workflow or task instance (Restart-, Stop-, Suspend-, Resume-DsWorkflowInstance,
/// Stop-DsTaskInstance, Complete-DsTaskInstance). Pipes into Wait-DsWorkflowInstance.</summary>
public sealed class DsRunActionResult
{
    public required DsRunAction Action { get; init; }
    /// <summary>DS's name of what was sent (REPEAT_RUNNING, STOP, force-success...).</summary>
    public required string DsAction { get; init; }
    public required long ProjectCode { get; init; }
    public required int WorkflowInstanceId { get; init; }
    public string? Name { get; init; }
    /// <summary>The task instance acted on (task actions only).</summary>
    public int? TaskInstanceId { get; init; }
    public string? TaskName { get; init; }
    /// <summary>The state before the action.</summary>
    public DsRunState StateBefore { get; init; }
    /// <summary>The state read back right after DS accepted the action (a command may still be queued).</summary>
    public DsRunState State { get; init; }
    /// <summary>How often the instance had run before the action; a rerun counts up.</summary>
    public int RunTimesBefore { get; init; }
    /// <summary>True for actions after which the instance runs again (restart, resume): Wait-DsWorkflowInstance
    /// then waits for that new run, not the old final state.</summary>
    public bool StartsNewRun { get; init; }
    public DateTime Time { get; init; }
    public DsConnection? Connection { get; init; }
    public override string ToString() => $"{Action} {Name ?? WorkflowInstanceId.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}

/// <summary>One instance to wait for.</summary>
internal sealed record DsWaitTarget(DsClient Client, long ProjectCode, int WorkflowInstanceId)
{
    /// <summary>For a rerun: the run count before it; the wait ends only once a newer run has finished.</summary>
    public int? RunTimesBefore { get; init; }
    public string? Name { get; init; }
}

/// <summary>Where a wait stands (Write-Progress).</summary>
public sealed record DsWaitProgress(int Finished, int Total, int Succeeded, int Unsuccessful, TimeSpan Elapsed, string? Latest);

/// <summary>The end of a wait for one instance: its final state, or the last seen state when the wait ran out.</summary>
internal sealed record DsWaitOutcome(DsWaitTarget Target, Models.DsWorkflowInstance? Instance, bool Finished, Exception? Error);
