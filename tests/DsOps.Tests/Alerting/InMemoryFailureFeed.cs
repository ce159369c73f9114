using DsOps.Engine.Alerting;

namespace DsOps.Tests.Alerting;

/// <summary>A feed over a list, honouring the [since, until) contract; records the windows asked for.</summary>
public sealed class InMemoryFailureFeed : IFailureFeed
{
    public List<FailureEvent> Events { get; } = new();
    public List<(DateTime Since, DateTime Until)> Windows { get; } = new();
    public Exception? FailWith { get; set; }

    public InMemoryFailureFeed Add(long id, DateTime endUtc, string workflow = "wf-daily", string task = "extract", int retry = 0)
    {
        Events.Add(new FailureEvent
        {
            Key = FailureEvent.TaskKey(id, retry), InstanceId = id, Project = "etl", Workflow = workflow, Task = task,
            Host = "worker-1:1234", EndTimeUtc = endUtc, StartTimeUtc = endUtc.AddMinutes(-3), RetryTimes = retry,
            Message = "exit code 1",
        });
        return this;
    }

    public Task<IReadOnlyList<FailureEvent>> GetFailuresAsync(DateTime sinceUtc, DateTime untilUtc, CancellationToken cancellationToken)
    {
        Windows.Add((sinceUtc, untilUtc));
        if (FailWith is not null) throw FailWith;
        return Task.FromResult<IReadOnlyList<FailureEvent>>(Events.Where(e => e.EndTimeUtc >= sinceUtc && e.EndTimeUtc < untilUtc).ToList());
    }
}

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualTime : TimeProvider
{
    public DateTimeOffset Now { get; set; } = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
    public override DateTimeOffset GetUtcNow() => Now;
    public DateTime Utc(int hour, int minute) => new(Now.Year, Now.Month, Now.Day, hour, minute, 0, DateTimeKind.Utc);
    public void At(int hour, int minute) => Now = new DateTimeOffset(Utc(hour, minute));
}
