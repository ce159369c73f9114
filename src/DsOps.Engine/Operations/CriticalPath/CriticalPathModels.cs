using DsOps.Engine.Dialects;

namespace DsOps.Engine.Operations.CriticalPath;

/// <summary>Whether a step is a whole workflow run or one task run.</summary>
public enum CriticalStepKind { Workflow, Task }

/// <summary>Why a step is on the chain: how it gates the step after it.</summary>
public enum CriticalLink
{
    /// <summary>The selected (T+1) workflow run itself.</summary>
    Target,
    /// <summary>The task of a run that finished last, so it set the run's end.</summary>
    LastTask,
    /// <summary>The upstream task (DAG relation) that finished last before the next task could start.</summary>
    UpstreamTask,
    /// <summary>A run of another workflow that a DEPENDENT task waited for.</summary>
    Dependency,
    /// <summary>A task of another workflow that a DEPENDENT task waited for (depTaskCode set).</summary>
    DependencyTask,
    /// <summary>The child run of a sub-workflow task.</summary>
    SubWorkflow,
}

/// <summary>One workflow or task run on the critical chain of a T+1 workflow.</summary>
public sealed class DsCriticalStep
{
    /// <summary>The selected workflow whose finish this chain explains ("project/workflow").</summary>
    public string Target { get; init; } = "";
    /// <summary>Position on the chain, 1 = earliest.</summary>
    public int Order { get; set; }
    public CriticalStepKind Kind { get; init; }
    public CriticalLink Link { get; init; }
    public string Project { get; init; } = "";
    public string Workflow { get; init; } = "";
    public string? Task { get; init; }
    public string? TaskType { get; init; }
    public int WorkflowInstanceId { get; init; }
    public int? TaskInstanceId { get; init; }
    public DsRunState State { get; init; }
    public DateTimeOffset? Start { get; init; }
    public DateTimeOffset? End { get; init; }
    /// <summary>End − start (to the analysis time when still running).</summary>
    public TimeSpan? Duration { get; init; }
    /// <summary>Idle time between the previous task on the chain ending and this task starting (queue, dispatch, dependency polling).</summary>
    public TimeSpan? Wait { get; set; }
    /// <summary>
    /// How much earlier this step would have to finish before another run gated the next step instead: its end minus the
    /// end of the runner-up (the other upstream tasks, the other last tasks of the run, or for a dependency the other
    /// dependencies and the DEPENDENT task's own start). Null when nothing else competes: the step gates alone.
    /// </summary>
    public TimeSpan? Slack { get; init; }
    public override string ToString() => Task is null ? $"{Order}. {Project}/{Workflow} #{WorkflowInstanceId}" : $"{Order}. {Workflow}/{Task} #{TaskInstanceId}";
}

/// <summary>The chain of runs that set the finish time of one selected workflow on one business date.</summary>
public sealed class DsCriticalPath
{
    public string Project { get; init; } = "";
    public string Workflow { get; init; } = "";
    public long WorkflowCode { get; init; }
    public DateOnly Date { get; init; }
    public int WorkflowInstanceId { get; init; }
    public DsRunState State { get; init; }
    public DateTimeOffset? Start { get; init; }
    public DateTimeOffset? Finish { get; init; }
    public IReadOnlyList<DsCriticalStep> Steps { get; init; } = Array.Empty<DsCriticalStep>();
    public override string ToString() => $"{Project}/{Workflow} {Date:yyyy-MM-dd}: {Steps.Count} steps, finish {Finish:HH:mm}";
}

/// <summary>Whether a workflow will make its deadline.</summary>
public enum DsDeadlineStatus
{
    /// <summary>Finished successfully by the deadline.</summary>
    Met,
    /// <summary>Not finished and predicted to finish by the deadline.</summary>
    OnTrack,
    /// <summary>Predicted to finish after the deadline, or it or a workflow it waits for failed.</summary>
    AtRisk,
    /// <summary>Finished after the deadline, or the deadline passed without a successful finish.</summary>
    Missed,
    /// <summary>No successful run in the last 7 days to predict from.</summary>
    Unknown,
}

/// <summary>A finish-time prediction for one workflow on one business date against its deadline.</summary>
public sealed class DsDeadlineForecast
{
    public string Project { get; init; } = "";
    public string Workflow { get; init; } = "";
    public long WorkflowCode { get; init; }
    public DateOnly Date { get; init; }
    public DateTimeOffset Deadline { get; init; }
    public DateTimeOffset AsOf { get; init; }
    public DsDeadlineStatus Status { get; init; }
    /// <summary>The actual finish when the run has finished, else the predicted one (null when unknown).</summary>
    public DateTimeOffset? PredictedFinish { get; init; }
    public bool Finished { get; init; }
    /// <summary>Predicted finish minus deadline (negative = time to spare).</summary>
    public TimeSpan? Lateness => PredictedFinish is { } p ? p - Deadline : null;
    /// <summary>The workflows whose predicted finishes set this one, earliest first ("project/workflow HH:mm").</summary>
    public IReadOnlyList<string> Drivers { get; init; } = Array.Empty<string>();
    public string Reason { get; init; } = "";
    public override string ToString() => $"{Project}/{Workflow} {Status}: {Reason}";
}
