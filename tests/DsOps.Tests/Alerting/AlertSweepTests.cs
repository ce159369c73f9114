using System.Text.Json;
using DsOps.Engine;
using DsOps.Engine.Alerting;
using DsOps.Engine.Notifications;
using DsOps.Tests.Notifications;
using Xunit;

namespace DsOps.Tests.Alerting;

/// <summary>The sweep's state machine: exactly-once per key across runs, skipped and crashed runs, grouping, locking.</summary>
public sealed class AlertSweepTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dsops-sweep-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly ManualTime _time = new();
    private readonly FakeRobotServer _robot = new();
    private readonly InMemoryFailureFeed _feed = new();

    private string StateFile => Path.Combine(_dir, "alerts.json");
    private NotificationTarget Robot => NotificationSenderTests.DingTalk(_robot);
    private AlertSweepOptions Options(Action? afterDelivered = null) => new() { Time = _time, AfterDelivered = afterDelivered };

    private Task<IReadOnlyList<AlertSweepResult>> Sweep(AlertSweepOptions? options = null, params NotificationTarget[] targets) =>
        AlertSweeper.RunAsync(StateFile, _feed, targets.Length > 0 ? targets : new[] { Robot }, NotificationSenderTests.Sender(), options ?? Options());

    /// <summary>The failure lines ("- **etl / …**") of every message the robot received, in order.</summary>
    private List<List<string>> Messages() => _robot.Received.Select(r =>
        JsonDocument.Parse(r.Body).RootElement.GetProperty("markdown").GetProperty("text").GetString()!
            .Split('\n').Where(l => l.StartsWith("- **")).ToList()).ToList();

    [Fact]
    public async Task A_burst_is_one_message_and_a_rerun_sends_nothing()
    {
        for (var i = 1; i <= 12; i++) _feed.Add(i, _time.Utc(9, 30 + i));
        var first = Assert.Single(await Sweep());
        Assert.Equal(AlertSweepStatus.Sent, first.Status);
        Assert.Equal(12, first.New);
        Assert.Single(_robot.Received);                  // grouped: one message for the burst
        Assert.Equal(12, Messages()[0].Count);
        Assert.Contains("12 new", JsonDocument.Parse(_robot.Received[0].Body).RootElement.GetProperty("markdown").GetProperty("title").GetString());

        _time.At(10, 5);
        var second = Assert.Single(await Sweep());
        Assert.Equal(AlertSweepStatus.NothingNew, second.Status);
        Assert.Equal(0, second.New);
        Assert.Single(_robot.Received);
    }

    [Fact]
    public async Task Only_new_failures_are_sent_on_the_next_run_and_the_overlap_catches_late_rows()
    {
        _feed.Add(1, _time.Utc(9, 50)).Add(2, _time.Utc(9, 58));
        await Sweep();
        _time.At(10, 5);
        _feed.Add(3, _time.Utc(10, 2));
        _feed.Add(4, _time.Utc(9, 55));   // ended before the last run but written late: inside the overlap
        var r = Assert.Single(await Sweep());
        Assert.Equal(new DateTime(2026, 3, 2, 9, 45, 0, DateTimeKind.Utc), r.SinceUtc);   // high-water mark 10:00 minus 15 min
        Assert.Equal(2, r.New);
        Assert.Equal(2, _robot.Received.Count);
        var lines = Messages()[1];
        Assert.Equal(2, lines.Count);
        Assert.Contains(lines, l => l.Contains("09:55:00"));
        Assert.Contains(lines, l => l.Contains("10:02:00"));
    }

    [Fact]
    public async Task Skipped_and_crashed_runs_lose_nothing()
    {
        await Sweep();                                            // 10:00, nothing yet
        _feed.Add(1, _time.Utc(10, 3)).Add(2, _time.Utc(10, 7));
        _time.At(10, 5);                                          // run at 10:05 crashes reading the feed
        _feed.FailWith = new InvalidOperationException("db down");
        await Assert.ThrowsAsync<InvalidOperationException>(() => Sweep());
        _feed.FailWith = null;
        // 10:10 run skipped entirely (host asleep); next run at 10:40.
        _time.At(10, 40);
        _feed.Add(3, _time.Utc(10, 30));
        var r = Assert.Single(await Sweep());
        Assert.Equal(new DateTime(2026, 3, 2, 9, 45, 0, DateTimeKind.Utc), r.SinceUtc);
        Assert.Equal(3, r.New);
        Assert.Single(_robot.Received);
        Assert.Equal(3, Messages()[0].Count);
    }

    [Fact]
    public async Task Crash_after_delivery_before_saving_resends_once_marked_as_possible_repeat()
    {
        _feed.Add(1, _time.Utc(9, 40)).Add(2, _time.Utc(9, 41));
        await Assert.ThrowsAsync<IOException>(() => Sweep(Options(() => throw new IOException("process killed"))));
        Assert.Single(_robot.Received);

        _time.At(10, 5);
        var r = Assert.Single(await Sweep());
        Assert.Equal(2, r.New);
        Assert.Equal(2, r.Resent);
        Assert.Equal(2, _robot.Received.Count);
        Assert.Contains("may have been sent already", _robot.Received[1].Body);

        _time.At(10, 10);
        Assert.Equal(AlertSweepStatus.NothingNew, Assert.Single(await Sweep()).Status);
        Assert.Equal(2, _robot.Received.Count);
    }

    [Fact]
    public async Task A_failed_send_records_nothing_and_the_next_run_delivers()
    {
        _feed.Add(1, _time.Utc(9, 40));
        _robot.DefaultReply = RobotReply.Errcode(310000, "keywords not in content");
        var failed = Assert.Single(await Sweep());
        Assert.Equal(AlertSweepStatus.Failed, failed.Status);
        Assert.Contains("310000", failed.Error);
        Assert.DoesNotContain(NotificationSenderTests.Token, failed.Error);
        // The high-water mark is anchored at the first window start (10:00 the day before + overlap), not moved to the run time.
        Assert.Equal("2026-03-01T10:15:00Z", JsonDocument.Parse(File.ReadAllText(StateFile)).RootElement.GetProperty("highWaterMarkUtc").GetString());

        _robot.DefaultReply = RobotReply.DingTalkOk;
        _time.At(12, 0);   // long after: still inside the window because the high-water mark did not move
        var ok = Assert.Single(await Sweep());
        Assert.Equal(AlertSweepStatus.Sent, ok.Status);
        Assert.Equal(0, ok.Resent);   // nothing reached the robot the first time
        Assert.Equal(2, _robot.Received.Count);
    }

    [Fact]
    public async Task Each_target_gets_each_failure_once_even_when_another_target_fails()
    {
        using var broken = new FakeRobotServer(RobotReply.Errcode(300001, "token is not exist"));
        var good = Robot;
        var bad = new NotificationTarget(NotificationChannel.DingTalk, broken.Url("/robot/send?access_token=other-token-value"), null, "broken");
        _feed.Add(1, _time.Utc(9, 40));
        var results = await Sweep(null, good, bad);
        Assert.Equal(new[] { AlertSweepStatus.Sent, AlertSweepStatus.Failed }, results.Select(r => r.Status));

        broken.DefaultReply = RobotReply.DingTalkOk;
        _time.At(10, 30);
        _feed.Add(2, _time.Utc(10, 20));
        results = await Sweep(null, good, bad);
        Assert.Equal(1, results[0].New);   // only the new one for the good robot
        Assert.Equal(2, results[1].New);   // both for the one that failed before
        Assert.Equal(2, _robot.Received.Count);
        Assert.Equal(2, broken.Received.Count);   // one grouped message per run
        Assert.Equal(2, JsonDocument.Parse(broken.Received[1].Body).RootElement.GetProperty("markdown").GetProperty("text").GetString()!.Split('\n').Count(l => l.StartsWith("- **")));
    }

    [Fact]
    public async Task The_same_robot_listed_twice_gets_one_message()
    {
        _feed.Add(1, _time.Utc(9, 40));
        var results = await Sweep(null, Robot, NotificationSenderTests.DingTalk(_robot));
        Assert.Single(results);
        Assert.Single(_robot.Received);
    }

    [Fact]
    public async Task A_large_burst_lists_the_first_failures_and_counts_the_rest_per_workflow()
    {
        for (var i = 1; i <= 100; i++) _feed.Add(i, _time.Utc(9, 0).AddSeconds(i * 10), workflow: i % 2 == 0 ? "wf-even" : "wf-odd");
        var r = Assert.Single(await Sweep(new AlertSweepOptions { Time = _time, MaxDetailed = 30 }));
        Assert.Equal(100, r.New);
        Assert.Single(_robot.Received);
        var text = JsonDocument.Parse(_robot.Received[0].Body).RootElement.GetProperty("markdown").GetProperty("text").GetString()!;
        Assert.Equal(30, Messages()[0].Count);
        Assert.Contains("… and 70 more:", text);
        Assert.Contains("- etl/wf-even ×35", text);
        Assert.Contains("- etl/wf-odd ×35", text);
    }

    [Fact]
    public async Task Concurrent_runs_are_refused_by_the_lock()
    {
        using var held = AlertSweepSession.Open(StateFile, Options());
        var ex = await Assert.ThrowsAsync<DsOpsException>(() => Sweep());
        Assert.Equal("DsAlertSweepLocked", ex.ErrorId);
        Assert.Contains($"by process {Environment.ProcessId} on {Environment.MachineName}", ex.Message);
        Assert.Empty(_robot.Received);
    }

    [Fact]
    public async Task A_preview_plans_without_the_lock_creates_nothing_and_cannot_send_or_record()
    {
        _feed.Add(1, _time.Utc(9, 40));
        using (var preview = AlertSweepSession.Open(StateFile, Options(), preview: true))
        {
            var plan = Assert.Single(await preview.PlanAsync(_feed, new[] { Robot }));
            Assert.Equal(1, plan.Result.New);
            await Assert.ThrowsAsync<InvalidOperationException>(() => preview.SendAsync(plan, NotificationSenderTests.Sender()));
            Assert.Throws<InvalidOperationException>(preview.Complete);
        }
        Assert.False(Directory.Exists(_dir), "a preview creates no folder, lock or state file");

        // A running sweep does not refuse a preview (it writes nothing), as a running sync does not refuse -WhatIf.
        using var held = AlertSweepSession.Open(StateFile, Options());
        using var second = AlertSweepSession.Open(StateFile, Options(), preview: true);
        Assert.Single(await second.PlanAsync(_feed, new[] { Robot }));
        Assert.Empty(_robot.Received);
    }

    [Fact]
    public async Task A_damaged_state_file_is_reported_with_its_line_and_left_untouched()
    {
        Directory.CreateDirectory(_dir);
        const string damaged = "{\n  \"schemaVersion\": 1,\n  \"highWaterMarkUtc\": oops\n}";
        File.WriteAllText(StateFile, damaged);
        var ex = await Assert.ThrowsAsync<DsOpsException>(() => Sweep());
        Assert.Equal("DsAlertStateCorrupt", ex.ErrorId);
        Assert.Contains(StateFile, ex.Message);
        Assert.Contains("line 3", ex.Message);
        Assert.Equal(damaged, File.ReadAllText(StateFile));
    }

    [Fact]
    public async Task State_is_written_atomically_and_stays_bounded()
    {
        _feed.Add(1, _time.Utc(9, 40));
        await Sweep();
        for (var hour = 11; hour <= 14; hour++)
        {
            _time.At(hour, 0);
            _feed.Add(hour * 100, _time.Utc(hour, 0).AddMinutes(-1));
            await Sweep();
        }
        // No temporary file is left behind: the state, the lock and the note of who holds (held) it.
        Assert.Equal(new[] { "alerts.json", "alerts.json.lock", "alerts.json.lock.owner" }, Directory.GetFiles(_dir).Select(Path.GetFileName).Order().ToArray());
        var state = JsonDocument.Parse(File.ReadAllText(StateFile)).RootElement;
        var sent = state.GetProperty("targets").EnumerateObject().Single().Value.GetProperty("sent");
        // Only keys inside the next window (high-water mark 14:00 minus 15 min) are kept.
        Assert.Equal(new[] { FailureEvent.TaskKey(1400, 0) }, sent.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.DoesNotContain(NotificationSenderTests.Token, File.ReadAllText(StateFile));
        Assert.Equal(5, _robot.Received.Count);
    }

    public void Dispose()
    {
        _robot.Dispose();
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }
}
