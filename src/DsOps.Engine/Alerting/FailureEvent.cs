using DsOps.Engine.Dialects;

namespace DsOps.Engine.Alerting;

/// <summary>Whether a failure is a task instance or a whole workflow instance.</summary>
public enum FailureScope { Task, Workflow }

/// <summary>
/// One failure to alert on. <see cref="Key"/> identifies it across sweeps: the same failure read twice
/// must produce the same key, and a new failure (a retry, a rerun) a new one.
/// </summary>
public sealed class FailureEvent
{
    /// <summary>Stable identity, e.g. "task:1234:0" (task instance id and retry count) or "workflow:88:FAILURE:2".</summary>
    public required string Key { get; init; }
    public FailureScope Scope { get; init; } = FailureScope.Task;
    /// <summary>DS task instance id (task scope) or workflow instance id (workflow scope).</summary>
    public long InstanceId { get; init; }
    public string Project { get; init; } = "";
    /// <summary>Workflow (process) instance or definition name.</summary>
    public string Workflow { get; init; } = "";
    public string? Task { get; init; }
    public string? Host { get; init; }
    public DateTime? StartTimeUtc { get; init; }
    /// <summary>When the failure happened (the instance's end time), in UTC: the sweep's window is on this.</summary>
    public required DateTime EndTimeUtc { get; init; }
    public DsRunState State { get; init; } = DsRunState.Failed;
    public int RetryTimes { get; init; }
    /// <summary>Short reason, if the feed has one.</summary>
    public string? Message { get; init; }
    public string? LogPath { get; init; }

    /// <summary>The key of a task instance failure: id plus retry count, so each retry that fails counts once.</summary>
    public static string TaskKey(long taskInstanceId, int retryTimes) => $"task:{taskInstanceId}:{retryTimes}";

    /// <summary>The key of a workflow instance failure: id, state and run count (a rerun that fails again is new).</summary>
    public static string WorkflowKey(long workflowInstanceId, DsRunState state, int runTimes) => $"workflow:{workflowInstanceId}:{state}:{runTimes}";

    public override string ToString() => $"{Project}/{Workflow}{(Task is null ? "" : "/" + Task)} {State} at {EndTimeUtc:u}";
}

/// <summary>
/// Where failures come from. Returns the failures whose <see cref="FailureEvent.EndTimeUtc"/> lies in
/// [<paramref name="sinceUtc"/>, <paramref name="untilUtc"/>); calling it twice for the same window must give
/// the same keys. The metadata-backed feed (DS database) and API-backed feeds implement this.
/// </summary>
public interface IFailureFeed
{
    Task<IReadOnlyList<FailureEvent>> GetFailuresAsync(DateTime sinceUtc, DateTime untilUtc, CancellationToken cancellationToken);
}
