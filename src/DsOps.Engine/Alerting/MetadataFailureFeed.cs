using DsOps.Engine.Metadata;

namespace DsOps.Engine.Alerting;

/// <summary>
/// Failures read from the DS metadata database: the final try of every task instance that ended failed
/// (FAILURE, KILL, NEED_FAULT_TOLERANCE) in the window. Keyed by task instance id and retry count, so a task
/// that DS retries and that fails again is a new failure. A failed task without an end time is placed by its start.
/// </summary>
public sealed class MetadataFailureFeed : IFailureFeed
{
    private readonly DsMetadataReader _reader;

    public MetadataFailureFeed(DsMetadataReader reader) => _reader = reader;

    public async Task<IReadOnlyList<FailureEvent>> GetFailuresAsync(DateTime sinceUtc, DateTime untilUtc, CancellationToken cancellationToken)
    {
        var rows = await _reader.GetFailedTasksAsync(sinceUtc, untilUtc, includeEarlierTries: false, cancellationToken).ConfigureAwait(false);
        return rows.Select(t => new FailureEvent
        {
            Key = FailureEvent.TaskKey(t.TaskInstanceId, t.RetryTimes),
            Scope = FailureScope.Task,
            InstanceId = t.TaskInstanceId,
            Project = t.Project,
            Workflow = t.Workflow,
            Task = t.Task,
            Host = t.Host,
            StartTimeUtc = t.Start?.UtcDateTime,
            EndTimeUtc = (t.End ?? t.Start)?.UtcDateTime ?? untilUtc,
            State = t.State,
            RetryTimes = t.RetryTimes,
            LogPath = t.LogPath,
        }).ToList();
    }
}
