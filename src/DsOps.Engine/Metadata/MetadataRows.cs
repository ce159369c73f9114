using DsOps.Engine.Dialects;

namespace DsOps.Engine.Metadata;

// Typed rows DsOps returns from the metadata database. Times are instants shown in the caller's
// business time zone (see MetadataClock); states are version-independent with the stored code kept.

/// <summary>A task instance that ended in a failure state (FAILURE, KILL, NEED_FAULT_TOLERANCE).</summary>
public sealed class DsFailedTask
{
    public int TaskInstanceId { get; init; }
    public int WorkflowInstanceId { get; init; }
    public long WorkflowCode { get; init; }
    public long TaskCode { get; init; }
    public string Project { get; init; } = "";
    public string Workflow { get; init; } = "";
    public string Task { get; init; } = "";
    public string TaskType { get; init; } = "";
    public string? Host { get; init; }
    public DsRunState State { get; init; }
    public int StateCode { get; init; }
    /// <summary>Retries DS made before this final try (retry_times).</summary>
    public int RetryTimes { get; init; }
    public int? MaxRetryTimes { get; init; }
    public DateTimeOffset? Start { get; init; }
    public DateTimeOffset? End { get; init; }
    public TimeSpan? Duration => Start is { } s && End is { } e ? e - s : null;
    /// <summary>False for an earlier failed try that DS retried (flag = 0).</summary>
    public bool IsFinalTry { get; init; } = true;
    public string? LogPath { get; init; }
    public override string ToString() => $"{Project}/{Workflow}/{Task} #{TaskInstanceId} {State} on {Host}";
}

/// <summary>One workflow instance as reports show it.</summary>
public sealed class DsWorkflowRun
{
    public int InstanceId { get; init; }
    public long WorkflowCode { get; init; }
    public string Project { get; init; } = "";
    public string Workflow { get; init; } = "";
    public DsRunState State { get; init; }
    public int StateCode { get; init; }
    public string? Host { get; init; }
    /// <summary>How many times DS ran this instance (run_times; a rerun increments it).</summary>
    public int RunTimes { get; init; }
    public DateTimeOffset? Start { get; init; }
    public DateTimeOffset? End { get; init; }
    /// <summary>End − start, or time running so far (to the report's "as of") when not finished.</summary>
    public TimeSpan Duration { get; init; }
    /// <summary>Median duration of this workflow's successful runs in the 7 days before, when known.</summary>
    public TimeSpan? UsualDuration { get; set; }
    public double? TimesUsual => UsualDuration is { TotalSeconds: > 0 } u ? Math.Round(Duration / u, 2) : null;
    public override string ToString() => $"{Project}/{Workflow} #{InstanceId} {State} {Duration}";
}

/// <summary>A task instance still running longer than the threshold.</summary>
public sealed class DsLongRunningTask
{
    public int TaskInstanceId { get; init; }
    public int WorkflowInstanceId { get; init; }
    public long TaskCode { get; init; }
    public string Project { get; init; } = "";
    public string Workflow { get; init; } = "";
    public string Task { get; init; } = "";
    public string TaskType { get; init; } = "";
    public string? Host { get; init; }
    public DsRunState State { get; init; }
    public DateTimeOffset? Start { get; init; }
    public TimeSpan RunningFor { get; init; }
    /// <summary>Median duration of this task's successful runs in the look-back window.</summary>
    public TimeSpan? UsualDuration { get; set; }
    public double? TimesUsual => UsualDuration is { TotalSeconds: > 0 } u ? Math.Round(RunningFor / u, 2) : null;
    public override string ToString() => $"{Project}/{Workflow}/{Task} #{TaskInstanceId} running {RunningFor}";
}

/// <summary>Why an in-progress instance looks stuck.</summary>
public enum DsStuckReason
{
    /// <summary>Running with no master host: failover started but never finished (docs/ds-facts.md §7 #13355).</summary>
    NoHost,
    /// <summary>Running far longer than the workflow's usual duration.</summary>
    FarLongerThanUsual,
}

public sealed class DsStuckInstance
{
    public int InstanceId { get; init; }
    public long WorkflowCode { get; init; }
    public string Project { get; init; } = "";
    public string Workflow { get; init; } = "";
    public DsRunState State { get; init; }
    public int StateCode { get; init; }
    public string? Host { get; init; }
    public DateTimeOffset? Start { get; init; }
    public TimeSpan RunningFor { get; init; }
    public TimeSpan? UsualDuration { get; init; }
    public DsStuckReason Reason { get; init; }
    public string Detail { get; init; } = "";
    public override string ToString() => $"{Project}/{Workflow} #{InstanceId} {Reason}";
}

/// <summary>Commands of one type waiting in t_ds_command, or rejected into t_ds_error_command.</summary>
public sealed class DsCommandBacklog
{
    /// <summary>"Pending" (t_ds_command) or "Error" (t_ds_error_command).</summary>
    public string Queue { get; init; } = "";
    public int CommandTypeCode { get; init; }
    public string CommandType { get; init; } = "";
    public long Count { get; init; }
    public DateTimeOffset? Oldest { get; init; }
    public DateTimeOffset? Newest { get; init; }
    /// <summary>Age of the oldest command at the time of the query.</summary>
    public TimeSpan? OldestAge { get; init; }
    public override string ToString() => $"{Queue} {CommandType}: {Count}";
}

/// <summary>A command the master rejected (t_ds_error_command) with its message.</summary>
public sealed class DsErrorCommand
{
    public int Id { get; init; }
    public string CommandType { get; init; } = "";
    public long WorkflowCode { get; init; }
    public string Project { get; init; } = "";
    public string Workflow { get; init; } = "";
    public DateTimeOffset? Created { get; init; }
    public string Message { get; init; } = "";
    public override string ToString() => $"#{Id} {CommandType} {Workflow}: {Message}";
}
