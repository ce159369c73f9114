using System.Management.Automation;
using DsOps.Emulator;
using DsOps.Engine.Api;
using DsOps.Engine.Dialects;
using DsOps.Engine.Models;
using DsOps.Engine.Operations.Runs;
using DsOps.Tests.Api;
using DsOps.Tests.Hosting;
using MySqlConnector;
using Xunit;

namespace DsOps.Tests.Operations;

/// <summary>
/// Start, wait, rerun from failure, stop, pause, resume and task actions through the cmdlets against the emulator of
/// each line (its simulated master runs on its own, 600 simulated seconds per real second).
/// </summary>
public sealed class RunControlTests : IAsyncLifetime
{
    private readonly HostedEngine _engine = new();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dsops-runs-" + Guid.NewGuid().ToString("N")[..8]);

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "runs.yaml"), """
            project: runs
            workflows:
              - name: nightly
                tasks:
                  - name: extract
                    type: SHELL
                    script: echo extract
                  - name: load
                    type: SHELL
                    dependsOn: [extract]
                    script: |
                      # dsops emulator: fail-until-fixed nightly_load
                      echo load
                  - name: report
                    type: SHELL
                    dependsOn: [load]
                    script: echo report
              - name: fine
                tasks:
                  - name: only
                    type: SHELL
                    script: echo fine
              - name: long
                tasks:
                  - name: first
                    type: SHELL
                    script: sleep 20m
                  - name: second
                    type: SHELL
                    dependsOn: [first]
                    script: sleep 20m
              - name: single
                tasks:
                  - name: broken
                    type: SHELL
                    script: exit 3
            """);
        return Task.CompletedTask;
    }

    private async Task<DsEmulator> StartAsync(string dialect)
    {
        var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect, AutoRun = true, Acceleration = 600 });
        _engine.Run("Connect-DsServer", new { Uri = emu.BaseUri, Token = DsClientTests.Secure(emu.AdminToken) });
        var sync = _engine.Run("Sync-DsWorkflow", new { Path = _dir, NoState = true, Confirm = false });
        Assert.Empty(sync.Errors);
        return emu;
    }

    private DsWorkflowInstance StartOne(string workflow)
    {
        var started = _engine.Run("Start-DsWorkflow", new { Project = "runs", Workflow = workflow });
        Assert.Empty(started.Errors);
        return Assert.Single(started.Objects<DsWorkflowInstance>());
    }

    private HostedResult Wait(IEnumerable<object> input, bool errorOnFailure = false) =>
        _engine.Run("Wait-DsWorkflowInstance", new Dictionary<string, object> { ["PollInterval"] = 0.2, ["Timeout"] = 120, ["ErrorOnFailure"] = new SwitchParameter(errorOnFailure) }, input);

    [Theory]
    [InlineData("3.0")]
    [InlineData("3.2")]
    [InlineData("3.3")]
    public async Task Start_wait_fail_fix_restart_from_failure_succeeds(string dialect)
    {
        await using var emu = await StartAsync(dialect);

        var run = StartOne("nightly");
        Assert.Equal("START_PROCESS", run.CommandType);
        Assert.Equal(1, run.RunTimes);

        var failed = Wait(new object[] { run }, errorOnFailure: true);
        var final = Assert.Single(failed.Objects<DsWorkflowInstance>());
        Assert.Equal(run.WorkflowInstanceId, final.WorkflowInstanceId);
        Assert.Equal(DsRunState.Failed, final.State);
        Assert.Equal("DsWorkflowInstanceUnsuccessful,DsOps.Commands.Operations.WaitDsWorkflowInstanceCommand", Assert.Single(failed.Errors).FullyQualifiedErrorId);

        // A second, successful instance in the same pipeline: DS refuses to rerun it from failure, the failed one still goes.
        var ok = StartOne("fine");
        Assert.Equal(DsRunState.Succeeded, Assert.Single(Wait(new object[] { ok }).Objects<DsWorkflowInstance>()).State);

        emu.Master.MarkFixed("nightly_load");
        var restarted = _engine.Script("Get-DsWorkflowInstance -Project runs | Restart-DsWorkflowInstance -FromFailure");
        var refusal = Assert.Single(restarted.Errors);
        Assert.Equal("DsInstanceStateRefused,DsOps.Commands.Operations.RestartDsWorkflowInstanceCommand", refusal.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidOperation, refusal.CategoryInfo.Category);
        Assert.Contains("'" + ok.Name + "'", refusal.Exception.Message);
        Assert.Equal(50006, ((DsApiException)refusal.Exception).DsCode);
        var action = Assert.Single(restarted.Objects<DsRunActionResult>());
        Assert.Equal(run.WorkflowInstanceId, action.WorkflowInstanceId);
        Assert.Equal(DsRunAction.RestartFromFailure, action.Action);
        Assert.Equal("START_FAILURE_TASK_PROCESS", action.DsAction);

        var after = Assert.Single(Wait(new object[] { action }, errorOnFailure: true).Objects<DsWorkflowInstance>());
        Assert.Equal(DsRunState.Succeeded, after.State);
        Assert.Equal(2, after.RunTimes);
        Assert.Equal(run.WorkflowInstanceId, after.WorkflowInstanceId);

        // The rerun kept extract's success (one valid try) and ran load and report again.
        var tasks = _engine.Run("Get-DsTaskInstance", new { Project = "runs", WorkflowInstanceId = run.WorkflowInstanceId }).Objects<DsTaskInstance>();
        // The list shows every try: load's failed one and its rerun; the newest try of each task succeeded.
        Assert.Equal(new[] { "extract", "load", "load", "report" }, tasks.Select(t => t.Name).Order().ToArray());
        Assert.All(tasks.GroupBy(t => t.Name), g => Assert.Equal(DsRunState.Succeeded, g.MaxBy(t => t.TaskInstanceId)!.State));
        Assert.Equal(DsRunState.Failed, tasks.Where(t => t.Name == "load").MinBy(t => t.TaskInstanceId)!.State);
        await using var db = new MySqlConnection(emu.ConnectionString);
        await db.OpenAsync();
        var table = emu.Dialect.UsesWorkflowNaming ? "workflow_instance_id" : "process_instance_id";
        await using var count = new MySqlCommand($"SELECT COUNT(*) FROM t_ds_task_instance WHERE {table} = @id AND name = 'extract'", db);
        count.Parameters.AddWithValue("@id", run.WorkflowInstanceId);
        Assert.Equal(1L, Convert.ToInt64(await count.ExecuteScalarAsync()));
    }

    [Theory]
    [InlineData("3.0")]
    [InlineData("3.2")]
    [InlineData("3.3")]
    public async Task Suspend_resume_and_stop_follow_DS_state_transitions(string dialect)
    {
        await using var emu = await StartAsync(dialect);
        var run = StartOne("long");

        var paused = _engine.Run("Suspend-DsWorkflowInstance", new { Project = run.ProjectCode.ToString(), Id = run.WorkflowInstanceId });
        Assert.Empty(paused.Errors);
        var pause = Assert.Single(paused.Objects<DsRunActionResult>());
        Assert.Equal(DsRunState.ReadyPause, pause.State);
        Assert.Equal(DsRunState.Paused, Assert.Single(Wait(new object[] { pause }).Objects<DsWorkflowInstance>()).State);
        var firstOnly = _engine.Run("Get-DsTaskInstance", new { Project = "runs", WorkflowInstanceId = run.WorkflowInstanceId }).Objects<DsTaskInstance>();
        Assert.Equal("first", Assert.Single(firstOnly).Name); // the running task finished; the next one did not start

        // Pausing a paused instance is refused; resuming continues with the second task.
        var again = _engine.Run("Suspend-DsWorkflowInstance", new { Project = "runs", Id = run.WorkflowInstanceId });
        Assert.Equal("DsInstanceStateRefused,DsOps.Commands.Operations.SuspendDsWorkflowInstanceCommand", Assert.Single(again.Errors).FullyQualifiedErrorId);
        var resumed = Assert.Single(_engine.Run("Resume-DsWorkflowInstance", new { Project = "runs", Id = run.WorkflowInstanceId }).Objects<DsRunActionResult>());
        Assert.Equal("RECOVER_SUSPENDED_PROCESS", resumed.DsAction);
        await WaitForAsync(() => _engine.Run("Get-DsTaskInstance", new { Project = "runs", WorkflowInstanceId = run.WorkflowInstanceId })
            .Objects<DsTaskInstance>().Any(t => t.Name == "second" && t.State == DsRunState.Running));

        var stopped = _engine.Run("Stop-DsWorkflowInstance", new { Project = "runs", Id = run.WorkflowInstanceId, Confirm = false });
        Assert.Empty(stopped.Errors);
        Assert.Equal(DsRunState.Stopped, Assert.Single(Wait(stopped.Objects<DsRunActionResult>()).Objects<DsWorkflowInstance>()).State);
        var second = _engine.Run("Get-DsTaskInstance", new { Project = "runs", WorkflowInstanceId = run.WorkflowInstanceId, TaskName = "second" }).Objects<DsTaskInstance>();
        Assert.Equal(DsRunState.Killed, Assert.Single(second).State);
        var stopAgain = _engine.Run("Stop-DsWorkflowInstance", new { Project = "runs", Id = run.WorkflowInstanceId, Confirm = false });
        Assert.Equal("DsInstanceStateRefused,DsOps.Commands.Operations.StopDsWorkflowInstanceCommand", Assert.Single(stopAgain.Errors).FullyQualifiedErrorId);
    }

    [Theory]
    [InlineData("3.0")]
    [InlineData("3.2")]
    [InlineData("3.3")]
    public async Task Task_instances_are_stopped_where_the_line_can_and_forced_to_success(string dialect)
    {
        await using var emu = await StartAsync(dialect);
        var run = StartOne("long");
        await WaitForAsync(() => _engine.Run("Get-DsTaskInstance", new { Project = "runs", WorkflowInstanceId = run.WorkflowInstanceId })
            .Objects<DsTaskInstance>().Any(t => t.State == DsRunState.Running));
        var stop = _engine.Script($"Get-DsTaskInstance -Project runs -WorkflowInstanceId {run.WorkflowInstanceId} -State Running | Stop-DsTaskInstance -Confirm:$false");
        if (!emu.Dialect.HasTaskInstanceStop)
        {
            Assert.Equal("DsActionNotSupported,DsOps.Commands.Operations.StopDsTaskInstanceCommand", Assert.Single(stop.Errors).FullyQualifiedErrorId);
            _engine.Run("Stop-DsWorkflowInstance", new { Project = "runs", Id = run.WorkflowInstanceId, Confirm = false });
        }
        else
        {
            Assert.Empty(stop.Errors);
            Assert.Equal(DsRunState.Failed, Assert.Single(Wait(new object[] { run }).Objects<DsWorkflowInstance>()).State);
            Assert.Equal(DsRunState.Killed, _engine.Run("Get-DsTaskInstance", new { Project = "runs", WorkflowInstanceId = run.WorkflowInstanceId, TaskName = "first" })
                .Objects<DsTaskInstance>().Single().State);
        }

        // Force success: refused for a task that succeeded, accepted for the failed one; its workflow becomes SUCCESS.
        var single = StartOne("single");
        Assert.Equal(DsRunState.Failed, Assert.Single(Wait(new object[] { single }).Objects<DsWorkflowInstance>()).State);
        var fine = StartOne("fine");
        Wait(new object[] { fine });
        var okTask = _engine.Run("Get-DsTaskInstance", new { Project = "runs", WorkflowInstanceId = fine.WorkflowInstanceId }).Objects<DsTaskInstance>().Single();
        var refused = _engine.Run("Complete-DsTaskInstance", new { InputObject = okTask, Confirm = false });
        Assert.Equal("DsTaskInstanceStateRefused,DsOps.Commands.Operations.CompleteDsTaskInstanceCommand", Assert.Single(refused.Errors).FullyQualifiedErrorId);
        var forced = _engine.Script($"Get-DsTaskInstance -Project runs -WorkflowInstanceId {single.WorkflowInstanceId} -State Failed | Complete-DsTaskInstance -Confirm:$false");
        Assert.Empty(forced.Errors);
        Assert.Equal(DsRunState.ForcedSuccess, Assert.Single(forced.Objects<DsRunActionResult>()).State);
        Assert.Equal(DsRunState.ForcedSuccess, _engine.Run("Get-DsTaskInstance", new { Project = "runs", WorkflowInstanceId = single.WorkflowInstanceId })
            .Objects<DsTaskInstance>().Single().State);
        Assert.Equal(DsRunState.Succeeded, _engine.Run("Get-DsWorkflowInstance", new { Project = "runs", Workflow = "single" }).Objects<DsWorkflowInstance>().Single().State);
    }

    [Fact]
    public async Task WhatIf_sends_nothing_and_a_wait_that_runs_out_says_which_instance()
    {
        await using var emu = await StartAsync("3.2");
        var writesBefore = emu.RequestLog.WritingRequests;
        var whatIf = _engine.Run("Start-DsWorkflow", new { Project = "runs", Workflow = "long", WhatIf = true });
        Assert.Empty(whatIf.Errors);
        Assert.Empty(whatIf.Output);
        Assert.Empty(_engine.Run("Get-DsWorkflowInstance", new { Project = "runs" }).Output);

        var run = StartOne("long");
        var writesAfterStart = emu.RequestLog.WritingRequests;
        Assert.True(writesAfterStart > writesBefore);
        var stopWhatIf = _engine.Run("Stop-DsWorkflowInstance", new { Project = "runs", Id = run.WorkflowInstanceId, WhatIf = true });
        Assert.Empty(stopWhatIf.Output);
        Assert.Equal(writesAfterStart, emu.RequestLog.WritingRequests);

        var timedOut = _engine.Run("Wait-DsWorkflowInstance", new { Project = "runs", Id = new[] { run.WorkflowInstanceId }, Timeout = 1, PollInterval = 0.2 });
        Assert.Empty(timedOut.Output);
        var error = Assert.Single(timedOut.Errors);
        Assert.Equal("DsWaitTimeout,DsOps.Commands.Operations.WaitDsWorkflowInstanceCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.OperationTimeout, error.CategoryInfo.Category);
        Assert.Contains($"#{run.WorkflowInstanceId}", error.Exception.Message);
        Assert.NotEmpty(timedOut.Progress);

        var testFlag = _engine.Run("Start-DsWorkflow", new { Project = "runs", Workflow = "fine", TestRun = true, WhatIf = true });
        Assert.Empty(testFlag.Errors); // 3.2 has testFlag
        _engine.Run("Stop-DsWorkflowInstance", new { Project = "runs", Id = run.WorkflowInstanceId, Confirm = false });
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 60 s");
            await Task.Delay(100);
        }
    }

    public Task DisposeAsync()
    {
        _engine.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}
