using DsOps.Engine.Alerting;
using DsOps.Engine.Dialects;
using DsOps.Engine.Notifications;
using Xunit;

namespace DsOps.Tests.Alerting;

public class FailureAlertMessageTests
{
    private static readonly DateTime Since = new(2026, 3, 2, 9, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Workflow_and_task_failures_are_listed_oldest_first_with_long_reasons_cut()
    {
        var events = new[]
        {
            new FailureEvent
            {
                Key = FailureEvent.TaskKey(5, 2), Project = "etl", Workflow = "wf-b", Task = "load", State = DsRunState.Killed, RetryTimes = 2,
                Host = "worker-2", EndTimeUtc = Since.AddMinutes(20), Message = new string('x', 500), LogPath = "/logs/5.log",
            },
            new FailureEvent
            {
                Key = FailureEvent.WorkflowKey(9, DsRunState.Failed, 1), Scope = FailureScope.Workflow, Project = "etl", Workflow = "wf-a",
                EndTimeUtc = Since.AddMinutes(10),
            },
        };
        var m = FailureAlertMessage.Build(events, 0, Since, Since.AddHours(1), NotificationFormat.Text, new AlertSweepOptions { MaxReasonLength = 50 });
        var lines = m.Body.Split('\n');
        Assert.Equal("failure", m.Kind);
        Assert.Equal("DolphinScheduler failures: 2 new", m.Title);
        Assert.Equal("2 failure(s) in 2 workflow(s), 2026-03-02 09:00 to 2026-03-02 10:00 UTC", lines[0]);
        Assert.Equal("", lines[1]);
        Assert.Equal("- etl / wf-a FAILED at 2026-03-02 09:10:00 UTC", lines[2]);
        Assert.Equal($"- etl / wf-b / load KILLED (retry 2) on worker-2 at 2026-03-02 09:20:00 UTC: {new string('x', 50)}… (see DS log: /logs/5.log)", lines[3]);
        Assert.Equal("workflow:9:Failed:1", events[1].Key);
    }
}
