using System.Text.Json;
using DsOps.Engine.Alerting;
using DsOps.Engine.Dialects;
using DsOps.Testing;
using DsOps.Tests.Notifications;
using MySqlConnector;
using Xunit;

namespace DsOps.Tests.Alerting;

/// <summary>The sweep over real DS 3.2.2 task-instance rows in MariaDB: only failures alert, each once, retries count anew.</summary>
public sealed class MetadataSweepTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dsops-msweep-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task Failed_and_killed_task_instances_are_sent_once_and_a_failed_retry_is_new()
    {
        var server = await MariaDbFixture.Shared;
        var cs = await server.CreateDsDatabaseAsync("3.2.2");
        await MariaDbServer.ExecuteScriptAsync(cs, """
            INSERT INTO t_ds_project (id, name, code, user_id, flag, create_time, update_time)
              VALUES (1, 'etl', 1001, 1, 1, '2026-03-01 00:00:00', '2026-03-01 00:00:00');
            INSERT INTO t_ds_process_instance (id, name, process_definition_code, process_definition_version, project_code, state, start_time, end_time, run_times, host, executor_id)
              VALUES (7, 'wf-daily-20260302', 2001, 1, 1001, 6, '2026-03-02 09:00:00', '2026-03-02 09:40:00', 1, 'master-1:5678', 1);
            INSERT INTO t_ds_task_instance (id, name, task_type, task_code, task_definition_version, process_instance_id, project_code, state, submit_time, start_time, end_time, host, log_path, retry_times)
              VALUES (11, 'extract', 'SHELL', 3001, 1, 7, 1001, 6, '2026-03-02 09:00:00', '2026-03-02 09:01:00', '2026-03-02 09:30:00', 'worker-1:1234', '/logs/11.log', 0),
                     (12, 'load',    'SQL',   3002, 1, 7, 1001, 9, '2026-03-02 09:00:00', '2026-03-02 09:02:00', '2026-03-02 09:35:00', 'worker-2:1234', '/logs/12.log', 0),
                     (13, 'check',   'SHELL', 3003, 1, 7, 1001, 7, '2026-03-02 09:00:00', '2026-03-02 09:03:00', '2026-03-02 09:36:00', 'worker-1:1234', '/logs/13.log', 0);
            """);
        using var robot = new FakeRobotServer();
        var time = new ManualTime();
        var feed = new MariaDbTaskFailureFeed(cs, DsDialect.V3_2);
        var stateFile = Path.Combine(_dir, "alerts.json");
        Task<IReadOnlyList<AlertSweepResult>> Sweep() => AlertSweeper.RunAsync(stateFile, feed,
            new[] { NotificationSenderTests.DingTalk(robot) }, NotificationSenderTests.Sender(), new AlertSweepOptions { Time = time });

        var first = Assert.Single(await Sweep());
        Assert.Equal(2, first.New);
        Assert.Equal(new[] { "task:11:0", "task:12:0" }, first.Events.Select(e => e.Key).Order());
        Assert.Contains(first.Events, e => e.State == DsRunState.Killed && e.Task == "load" && e.Workflow == "wf-daily-20260302" && e.Project == "etl");
        var text = JsonDocument.Parse(Assert.Single(robot.Received).Body).RootElement.GetProperty("markdown").GetProperty("text").GetString()!;
        Assert.Contains("**etl / wf-daily-20260302 / extract** FAILED on worker-1:1234 at 2026-03-02 09:30:00 UTC", text);
        Assert.DoesNotContain("check", text);

        // DS retries the task: a new row with retry_times 1 that fails again.
        await MariaDbServer.ExecuteScriptAsync(cs, """
            INSERT INTO t_ds_task_instance (id, name, task_type, task_code, task_definition_version, process_instance_id, project_code, state, submit_time, start_time, end_time, host, retry_times)
              VALUES (14, 'extract', 'SHELL', 3001, 1, 7, 1001, 6, '2026-03-02 09:50:00', '2026-03-02 09:51:00', '2026-03-02 10:02:00', 'worker-1:1234', 1);
            """);
        time.At(10, 5);
        var second = Assert.Single(await Sweep());
        Assert.Equal(new[] { "task:14:1" }, second.Events.Select(e => e.Key));
        Assert.Equal(2, robot.Received.Count);
        Assert.Contains("(retry 1)", robot.Received[1].Body);

        time.At(10, 10);
        Assert.Equal(AlertSweepStatus.NothingNew, Assert.Single(await Sweep()).Status);
        Assert.Equal(2, robot.Received.Count);
        await server.DropDatabaseAsync(cs);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }
}
