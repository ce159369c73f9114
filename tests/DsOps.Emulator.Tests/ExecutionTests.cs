using System.Text.Json.Nodes;

namespace DsOps.Emulator.Tests;

/// <summary>Executors, the simulated master/worker and instance endpoints (docs/ds-facts.md §3.5–3.7, §5.3–5.4).</summary>
public class ExecutionTests
{
    public static TheoryData<string> Dialects => new() { "3.0", "3.1", "3.2", "3.3", "3.4" };

    private sealed class Ctx(DsEmulator emu) : IAsyncDisposable
    {
        public DsEmulator Emu { get; } = emu;
        public DsTestClient C { get; } = new(emu);
        public Scenario S => new(C);
        public long Project { get; set; }
        public string Exec => $"projects/{Project}/executors/";
        public string Inst => $"projects/{Project}/{C.Dialect.WorkflowInstanceSegment}";
        public string Ti => $"projects/{C.T("t_ds_process_instance")}";
        public string InstTable => C.T("t_ds_process_instance");
        public string InstIdCol => C.Dialect.UsesWorkflowNaming ? "workflow_instance_id" : "process_instance_id";

        public Dictionary<string, string> StartForm(long code, string failureStrategy = "END") => new()
        {
            [C.Dialect.WorkflowCodeParameter] = code.ToString(), ["scheduleTime"] = "", ["failureStrategy"] = failureStrategy,
            ["warningType"] = "NONE", ["taskDependType"] = "TASK_POST", ["execType"] = "START_PROCESS",
        };

        public async Task<JsonNode?> StartAsync(long code, string failureStrategy = "END") =>
            DsTestClient.Ok(await C.PostAsync(Exec + C.Dialect.StartWorkflowAction, StartForm(code, failureStrategy)));

        public async Task<List<Dictionary<string, object?>>> TasksAsync() =>
            await C.RowsAsync($"SELECT * FROM t_ds_task_instance ORDER BY id");

        public async ValueTask DisposeAsync()
        {
            C.Dispose();
            await Emu.DisposeAsync();
        }
    }

    private static async Task<Ctx> StartAsync(string dialect)
    {
        var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect, ClockStart = new DateTime(2024, 3, 1, 8, 0, 0) });
        var ctx = new Ctx(emu);
        ctx.Project = await ctx.S.CreateProjectAsync();
        return ctx;
    }

    private static async Task<long> OnlineChainAsync(Ctx x, string name, params string[] scripts)
    {
        var (code, _) = await x.S.CreateChainAsync(x.Project, name, scripts);
        await x.S.ReleaseAsync(x.Project, code, "ONLINE");
        return code;
    }

    [Theory, MemberData(nameof(Dialects))]
    public async Task Start_result_shape_and_command_per_version(string dialect)
    {
        await using var x = await StartAsync(dialect);
        var code = await OnlineChainAsync(x, "wf", "echo a", "sleep 30", "echo c");
        var data = await x.StartAsync(code);
        switch (x.C.Dialect.StartResult)
        {
            case Engine.Dialects.StartResultShape.None:
                Assert.Null(data);
                Assert.Equal(1, await x.C.ScalarAsync("SELECT COUNT(*) FROM t_ds_command WHERE command_type = 0 AND process_definition_code = @c", ("c", code)));
                Assert.Equal(0, await x.C.ScalarAsync($"SELECT COUNT(*) FROM {x.InstTable}"));
                break;
            case Engine.Dialects.StartResultShape.TriggerCode:
                var trigger = data!.GetValue<long>();
                Assert.Equal(1, await x.C.ScalarAsync("SELECT COUNT(*) FROM t_ds_command"));
                await x.Emu.RunUntilIdleAsync();
                var byTrigger = DsTestClient.Ok(await x.C.GetAsync(x.Inst + "/trigger", new { triggerCode = trigger }))!.AsArray();
                Assert.Single(byTrigger);
                break;
            case Engine.Dialects.StartResultShape.InstanceIds:
                var ids = data!.AsArray();
                Assert.Single(ids);
                Assert.Equal(0, await x.C.ScalarAsync("SELECT COUNT(*) FROM t_ds_command"));
                Assert.Equal(1, await x.C.ScalarAsync($"SELECT state FROM {x.InstTable} WHERE id = @id", ("id", ids[0]!.GetValue<int>())));
                break;
        }
        await x.Emu.RunUntilIdleAsync();
        var inst = (await x.C.RowsAsync($"SELECT * FROM {x.InstTable}")).Single();
        Assert.Equal(7, Convert.ToInt32(inst["state"]));
        Assert.Equal(0, Convert.ToInt32(inst["command_type"]));
        // 1 s + 30 s + 1 s of simulated time, tasks one after another.
        Assert.Equal(TimeSpan.FromSeconds(32), (DateTime)inst["end_time"]! - (DateTime)inst["start_time"]!);
        var tasks = await x.TasksAsync();
        Assert.Equal(3, tasks.Count);
        Assert.All(tasks, t => Assert.Equal(7, Convert.ToInt32(t["state"])));
        Assert.Equal(TimeSpan.FromSeconds(30), (DateTime)tasks[1]["end_time"]! - (DateTime)tasks[1]["start_time"]!);
        Assert.Equal(0, await x.C.ScalarAsync("SELECT COUNT(*) FROM t_ds_command"));

        var detail = DsTestClient.Ok(await x.C.GetAsync(x.Inst + "/" + inst["id"] + "/tasks"))!;
        Assert.Equal("SUCCESS", detail[(x.C.Dialect.UsesWorkflowNaming ? "workflow" : "process") + "InstanceState"]!.GetValue<string>());
        Assert.Equal(3, detail["taskList"]!.AsArray().Count);
    }

    [Theory, MemberData(nameof(Dialects))]
    public async Task Failure_strategy_END_kills_parallel_work_and_CONTINUE_lets_it_finish(string dialect)
    {
        await using var x = await StartAsync(dialect);
        // root → (fail, slow) in parallel; fail → after
        var k = await x.S.GenCodesAsync(x.Project, 4);
        var tasks = new JsonArray(Scenario.ShellTask(k[0], "root", "echo"), Scenario.ShellTask(k[1], "fail", "sleep 5; exit 1"),
            Scenario.ShellTask(k[2], "slow", "sleep 60"), Scenario.ShellTask(k[3], "after", "echo"));
        var rels = new JsonArray(Scenario.Edge(0, k[0]), Scenario.Edge(k[0], k[1]), Scenario.Edge(k[0], k[2]), Scenario.Edge(k[1], k[3]));
        var code = DsTestClient.Ok(await x.C.PostAsync(string.Format(x.S.Wf, x.Project), x.S.WorkflowForm("wf", tasks, rels)))!["code"]!.GetValue<long>();
        await x.S.ReleaseAsync(x.Project, code, "ONLINE");

        await x.StartAsync(code, "END");
        await x.Emu.RunUntilIdleAsync();
        var rows = await x.TasksAsync();
        Assert.Equal(6, Convert.ToInt32((await x.C.RowsAsync($"SELECT state FROM {x.InstTable}")).Single()["state"]));
        Assert.Equal(7, Convert.ToInt32(rows.Single(r => (string)r["name"]! == "root")["state"]));
        Assert.Equal(6, Convert.ToInt32(rows.Single(r => (string)r["name"]! == "fail")["state"]));
        Assert.Equal(9, Convert.ToInt32(rows.Single(r => (string)r["name"]! == "slow")["state"]));
        Assert.DoesNotContain(rows, r => (string)r["name"]! == "after");
        // The two branches started together (parallel dispatch).
        Assert.Equal(rows.Single(r => (string)r["name"]! == "fail")["start_time"], rows.Single(r => (string)r["name"]! == "slow")["start_time"]);

        await x.C.ScalarAsync("DELETE FROM t_ds_task_instance");
        await x.StartAsync(code, "CONTINUE");
        await x.Emu.RunUntilIdleAsync();
        rows = await x.TasksAsync();
        Assert.Equal(7, Convert.ToInt32(rows.Single(r => (string)r["name"]! == "slow")["state"]));
        Assert.DoesNotContain(rows, r => (string)r["name"]! == "after");
        var states = await x.C.RowsAsync($"SELECT state FROM {x.InstTable} ORDER BY id");
        Assert.Equal(6, Convert.ToInt32(states[1]["state"]));
    }

    [Theory, MemberData(nameof(Dialects))]
    public async Task Retries_keep_failed_tries_with_flag_0(string dialect)
    {
        await using var x = await StartAsync(dialect);
        var k = await x.S.GenCodesAsync(x.Project, 1);
        var tasks = new JsonArray(Scenario.ShellTask(k[0], "flaky", "exit 2", retries: 2));
        var code = DsTestClient.Ok(await x.C.PostAsync(string.Format(x.S.Wf, x.Project), x.S.WorkflowForm("wf", tasks, new JsonArray(Scenario.Edge(0, k[0])))))!["code"]!.GetValue<long>();
        await x.S.ReleaseAsync(x.Project, code, "ONLINE");
        await x.StartAsync(code);
        await x.Emu.RunUntilIdleAsync();
        var rows = await x.TasksAsync();
        Assert.Equal(3, rows.Count);
        Assert.Equal(new[] { 0, 1, 2 }, rows.Select(r => Convert.ToInt32(r["retry_times"])));
        Assert.Equal(new[] { 0, 0, 1 }, rows.Select(r => Convert.ToInt32(r["flag"])));
        Assert.All(rows, r => Assert.Equal(6, Convert.ToInt32(r["state"])));
        // fail_retry_interval is 1 minute: the second try is submitted a minute after the first ended.
        Assert.Equal(TimeSpan.FromMinutes(1), (DateTime)rows[1]["submit_time"]! - (DateTime)rows[0]["end_time"]!);
        Assert.Equal(6, Convert.ToInt32((await x.C.RowsAsync($"SELECT state FROM {x.InstTable}")).Single()["state"]));
    }

    [Theory, MemberData(nameof(Dialects))]
    public async Task Stop_then_recover_and_state_checks(string dialect)
    {
        await using var x = await StartAsync(dialect);
        var code = await OnlineChainAsync(x, "wf", "sleep 600", "echo done");
        await x.StartAsync(code);
        await x.Emu.AdvanceAsync(TimeSpan.FromSeconds(10));
        var id = (int)await x.C.ScalarAsync($"SELECT id FROM {x.InstTable}");
        Assert.Equal(1, await x.C.ScalarAsync($"SELECT state FROM {x.InstTable} WHERE id = @id", ("id", id)));

        var idParam = x.C.Dialect.WorkflowInstanceIdParameter;
        DsTestClient.Code(50006, await x.C.PostAsync(x.Exec + "execute", new Dictionary<string, string> { [idParam] = id.ToString(), ["executeType"] = "REPEAT_RUNNING" }));
        DsTestClient.Ok(await x.C.PostAsync(x.Exec + "execute", new Dictionary<string, string> { [idParam] = id.ToString(), ["executeType"] = "STOP" }));
        Assert.Equal(4, await x.C.ScalarAsync($"SELECT state FROM {x.InstTable} WHERE id = @id", ("id", id)));
        DsTestClient.Code(50005, await x.C.PostAsync(x.Exec + "execute", new Dictionary<string, string> { [idParam] = id.ToString(), ["executeType"] = "STOP" }));
        await x.Emu.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(5, await x.C.ScalarAsync($"SELECT state FROM {x.InstTable} WHERE id = @id", ("id", id)));
        Assert.Equal(9, await x.C.ScalarAsync("SELECT state FROM t_ds_task_instance"));

        DsTestClient.Ok(await x.C.PostAsync(x.Exec + "execute", new Dictionary<string, string> { [idParam] = id.ToString(), ["executeType"] = "RECOVER_SUSPENDED_PROCESS" }));
        await x.Emu.RunUntilIdleAsync();
        Assert.Equal(7, await x.C.ScalarAsync($"SELECT state FROM {x.InstTable} WHERE id = @id", ("id", id)));
        Assert.Equal(2, await x.C.ScalarAsync($"SELECT run_times FROM {x.InstTable} WHERE id = @id", ("id", id)));
        Assert.Equal(2, await x.C.ScalarAsync("SELECT COUNT(*) FROM t_ds_task_instance WHERE flag = 1 AND state = 7"));
        Assert.Equal(1, await x.C.ScalarAsync("SELECT COUNT(*) FROM t_ds_task_instance WHERE flag = 0 AND state = 9"));
    }

    [Theory, MemberData(nameof(Dialects))]
    public async Task Offline_workflow_cannot_start_and_running_one_cannot_be_deleted(string dialect)
    {
        await using var x = await StartAsync(dialect);
        var (code, _) = await x.S.CreateChainAsync(x.Project, "wf", "sleep 100");
        DsTestClient.Code(50004, await x.C.PostAsync(x.Exec + x.C.Dialect.StartWorkflowAction, x.StartForm(code)));
        await x.S.ReleaseAsync(x.Project, code, "ONLINE");
        await x.StartAsync(code);
        await x.Emu.AdvanceAsync(TimeSpan.FromSeconds(5));
        await x.S.ReleaseAsync(x.Project, code, "OFFLINE");
        DsTestClient.Code(10163, await x.C.DeleteAsync(string.Format(x.S.Wf, x.Project) + "/" + code));
    }

    [Theory, MemberData(nameof(Dialects))]
    public async Task Schedules_validate_cron_and_fire_on_simulated_time(string dialect)
    {
        await using var x = await StartAsync(dialect);
        var code = await OnlineChainAsync(x, "hourly", "sleep 10");
        var wf = x.C.Dialect.WorkflowCodeParameter;
        var url = $"projects/{x.Project}/schedules";
        string Sched(string cron) => new JsonObject { ["startTime"] = "2024-03-01 00:00:00", ["endTime"] = "2024-12-31 00:00:00", ["crontab"] = cron, ["timezoneId"] = "UTC" }.ToJsonString();
        DsTestClient.Code(10001, await x.C.PostAsync(url, new Dictionary<string, string> { [wf] = code.ToString(), ["schedule"] = Sched("0 0 * * *") }));
        DsTestClient.Code(10001, await x.C.PostAsync(url, new Dictionary<string, string> { [wf] = code.ToString(), ["schedule"] = Sched("0 0 * * * * *") }));
        var same = new JsonObject { ["startTime"] = "2024-03-01 00:00:00", ["endTime"] = "2024-03-01 00:00:00", ["crontab"] = "0 0 * * * ? *" }.ToJsonString();
        DsTestClient.Code(10141, await x.C.PostAsync(url, new Dictionary<string, string> { [wf] = code.ToString(), ["schedule"] = same }));
        var created = DsTestClient.Ok(await x.C.PostAsync(url, new Dictionary<string, string> { [wf] = code.ToString(), ["schedule"] = Sched("0 0 * * * ? *") }))!;
        Assert.Equal("OFFLINE", created["releaseState"]!.GetValue<string>());
        var id = created["id"]!.GetValue<int>();

        var preview = DsTestClient.Ok(await x.C.PostAsync(url + "/preview", new { schedule = Sched("0 0 * * * ? *") }))!.AsArray();
        Assert.Equal("2024-03-01 09:00:00", preview[0]!.GetValue<string>());
        Assert.Equal(5, preview.Count);

        DsTestClient.Ok(await x.C.PostAsync($"{url}/{id}/online"));
        DsTestClient.Code(10126, await x.C.PostAsync($"{url}/{id}/online"));
        DsTestClient.Code(10023, await x.C.PutAsync($"{url}/{id}", new { schedule = Sched("0 30 * * * ? *") }));
        DsTestClient.Code(50023, await x.C.DeleteAsync($"{url}/{id}"));

        await x.Emu.AdvanceAsync(TimeSpan.FromHours(3)); // 08:00 → 11:00: fires at 09, 10, 11
        var rows = await x.C.RowsAsync($"SELECT * FROM {x.InstTable} ORDER BY schedule_time");
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.Equal(6, Convert.ToInt32(r["command_type"])));
        Assert.Equal(new DateTime(2024, 3, 1, 9, 0, 0), rows[0]["schedule_time"]);
        Assert.Equal(2, rows.Count(r => Convert.ToInt32(r["state"]) == 7)); // the 11:00 run is still in its 10 s task

        // Offlining the workflow also offlines its schedule; nothing fires after that.
        await x.S.ReleaseAsync(x.Project, code, "OFFLINE");
        Assert.Equal(0, await x.C.ScalarAsync("SELECT release_state FROM t_ds_schedules WHERE id = @id", ("id", id)));
        await x.Emu.AdvanceAsync(TimeSpan.FromHours(2));
        Assert.Equal(3, await x.C.ScalarAsync($"SELECT COUNT(*) FROM {x.InstTable}"));
    }

    [Theory, MemberData(nameof(Dialects))]
    public async Task Complement_runs_one_instance_per_date_serially_or_in_parallel(string dialect)
    {
        await using var x = await StartAsync(dialect);
        var code = await OnlineChainAsync(x, "daily", "sleep 60");
        var range = x.C.Dialect.ComplementRangeAsJson
            ? new JsonObject { ["complementStartDate"] = "2024-01-01 00:00:00", ["complementEndDate"] = "2024-01-03 00:00:00" }.ToJsonString()
            : "2024-01-01 00:00:00,2024-01-03 00:00:00";
        var form = x.StartForm(code);
        form["execType"] = "COMPLEMENT_DATA";
        form["scheduleTime"] = range;
        form["runMode"] = "RUN_MODE_PARALLEL";
        DsTestClient.Ok(await x.C.PostAsync(x.Exec + x.C.Dialect.StartWorkflowAction, form));
        await x.Emu.RunUntilIdleAsync();
        var rows = await x.C.RowsAsync($"SELECT * FROM {x.InstTable} ORDER BY schedule_time");
        Assert.Equal(3, rows.Count);
        Assert.Equal(new DateTime(2024, 1, 3), rows[2]["schedule_time"]);
        Assert.All(rows, r => Assert.Equal(5, Convert.ToInt32(r["command_type"])));
        Assert.Single(rows.Select(r => r["start_time"]).Distinct()); // parallel: all at once

        await x.C.ScalarAsync($"DELETE FROM {x.InstTable}");
        form["runMode"] = "RUN_MODE_SERIAL";
        DsTestClient.Ok(await x.C.PostAsync(x.Exec + x.C.Dialect.StartWorkflowAction, form));
        await x.Emu.RunUntilIdleAsync();
        rows = await x.C.RowsAsync($"SELECT * FROM {x.InstTable} ORDER BY schedule_time");
        Assert.Equal(3, rows.Count);
        Assert.True((DateTime)rows[1]["start_time"]! >= (DateTime)rows[0]["end_time"]!, "serial: the next date starts after the previous ended");
        Assert.All(rows, r => Assert.Equal(7, Convert.ToInt32(r["state"])));
    }

    [Theory, MemberData(nameof(Dialects))]
    public async Task Instance_and_task_instance_lists_filter_and_page(string dialect)
    {
        await using var x = await StartAsync(dialect);
        var ok = await OnlineChainAsync(x, "ok", "echo 1", "echo 2");
        var bad = await OnlineChainAsync(x, "bad", "exit 1");
        await x.StartAsync(ok);
        await x.StartAsync(ok);
        await x.StartAsync(bad);
        await x.Emu.RunUntilIdleAsync();

        var all = DsTestClient.Ok(await x.C.GetAsync(x.Inst, new { pageNo = 1, pageSize = 2 }))!;
        Assert.Equal(3, all["total"]!.GetValue<long>());
        Assert.Equal(2, all["totalList"]!.AsArray().Count);
        var failed = DsTestClient.Ok(await x.C.GetAsync(x.Inst, new { pageNo = 1, pageSize = 10, stateType = "FAILURE" }))!;
        Assert.Equal(1, failed["total"]!.GetValue<long>());
        Assert.StartsWith("bad-1-", failed["totalList"]![0]!["name"]!.GetValue<string>());
        var byDef = DsTestClient.Ok(await x.C.GetAsync(x.Inst, new Dictionary<string, string> { ["pageNo"] = "1", ["pageSize"] = "10", [x.C.Dialect.InstanceListDefinitionParameter] = ok.ToString() }))!;
        Assert.Equal(2, byDef["total"]!.GetValue<long>());
        DsTestClient.Code(10113, await x.C.GetAsync(x.Inst, new { pageNo = 1, pageSize = 10, stateType = "NOT_A_STATE" }));

        var tasks = DsTestClient.Ok(await x.C.GetAsync($"projects/{x.Project}/task-instances", new { pageNo = 1, pageSize = 10 }))!;
        Assert.Equal(5, tasks["total"]!.GetValue<long>());
        var failedTasks = DsTestClient.Ok(await x.C.GetAsync($"projects/{x.Project}/task-instances", new { pageNo = 1, pageSize = 10, stateType = "FAILURE" }))!;
        var failedTask = failedTasks["totalList"]!.AsArray().Single()!;
        DsTestClient.Ok(await x.C.PostAsync($"projects/{x.Project}/task-instances/{failedTask["id"]}/force-success"));
        Assert.Equal(13, await x.C.ScalarAsync("SELECT state FROM t_ds_task_instance WHERE id = @id", ("id", failedTask["id"]!.GetValue<int>())));

        var counts = DsTestClient.Ok(await x.C.GetAsync("projects/analysis/command-state-count"))!.AsArray();
        Assert.Contains(counts, c => c!["commandState"]!.GetValue<string>() == "START_PROCESS" && c["normalCount"]!.GetValue<long>() == 0);
    }

    [Theory, MemberData(nameof(Dialects))]
    public async Task Commands_for_missing_definitions_go_to_error_command(string dialect)
    {
        await using var x = await StartAsync(dialect);
        if (x.C.Dialect.StartResult == Engine.Dialects.StartResultShape.InstanceIds) return; // 3.3+ starts over RPC; no t_ds_command path from the API to check here
        var code = await OnlineChainAsync(x, "wf", "echo");
        await x.StartAsync(code);
        var counts = DsTestClient.Ok(await x.C.GetAsync("projects/analysis/command-state-count"))!.AsArray();
        Assert.Equal(1, counts.Single(c => c!["commandState"]!.GetValue<string>() == "START_PROCESS")!["normalCount"]!.GetValue<long>());
        await x.C.ScalarAsync($"DELETE FROM {x.C.T("t_ds_process_definition")}");
        await x.Emu.RunUntilIdleAsync();
        Assert.Equal(0, await x.C.ScalarAsync("SELECT COUNT(*) FROM t_ds_command"));
        Assert.Equal(1, await x.C.ScalarAsync("SELECT COUNT(*) FROM t_ds_error_command WHERE message IS NOT NULL"));
        counts = DsTestClient.Ok(await x.C.GetAsync("projects/analysis/command-state-count"))!.AsArray();
        Assert.Equal(1, counts.Single(c => c!["commandState"]!.GetValue<string>() == "START_PROCESS")!["errorCount"]!.GetValue<long>());
    }
}

/// <summary>Delay, timeout, pause and the analysis state counts.</summary>
public class TaskTimingTests
{
    [Theory]
    [InlineData("3.0")]
    [InlineData("3.2")]
    [InlineData("3.3")]
    public async Task Delay_timeout_pause_and_state_counts(string dialect)
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect, ClockStart = new DateTime(2024, 5, 1, 0, 0, 0) });
        using var c = new DsTestClient(emu);
        var s = new Scenario(c);
        var project = await s.CreateProjectAsync();
        var k = await s.GenCodesAsync(project, 3);
        var delayed = Scenario.ShellTask(k[0], "delayed", "echo");
        delayed["delayTime"] = 2;
        var slow = Scenario.ShellTask(k[1], "too_slow", "sleep 300");
        slow["timeoutFlag"] = "OPEN";
        slow["timeoutNotifyStrategy"] = "FAILED";
        slow["timeout"] = 1;
        var tasks = new JsonArray(delayed, slow);
        var rels = new JsonArray(Scenario.Edge(0, k[0]), Scenario.Edge(k[0], k[1]));
        var code = DsTestClient.Ok(await c.PostAsync(string.Format(s.Wf, project), s.WorkflowForm("timing", tasks, rels)))!["code"]!.GetValue<long>();
        await s.ReleaseAsync(project, code, "ONLINE");
        var start = new Dictionary<string, string>
        {
            [c.Dialect.WorkflowCodeParameter] = code.ToString(), ["scheduleTime"] = "", ["failureStrategy"] = "END", ["warningType"] = "NONE",
        };
        DsTestClient.Ok(await c.PostAsync($"projects/{project}/executors/{c.Dialect.StartWorkflowAction}", start));
        await emu.AdvanceAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(12, await c.ScalarAsync("SELECT state FROM t_ds_task_instance WHERE name = 'delayed'")); // DELAY_EXECUTION
        await emu.RunUntilIdleAsync();
        var rows = await c.RowsAsync("SELECT * FROM t_ds_task_instance ORDER BY id");
        Assert.Equal(7, Convert.ToInt32(rows[0]["state"]));
        Assert.Equal(TimeSpan.FromMinutes(2), (DateTime)rows[0]["start_time"]! - (DateTime)rows[0]["submit_time"]!);
        Assert.Equal(6, Convert.ToInt32(rows[1]["state"]));
        Assert.Equal(TimeSpan.FromMinutes(1), (DateTime)rows[1]["end_time"]! - (DateTime)rows[1]["start_time"]!);

        var counts = DsTestClient.Ok(await c.GetAsync("projects/analysis/task-state-count", new { projectCode = project }))!;
        Assert.Equal(2, counts["totalCount"]!.GetValue<long>());
        Assert.Equal(1, counts["taskCountDtos"]!.AsArray().Single(x => x!["taskStateType"]!.GetValue<string>() == "FAILURE")!["count"]!.GetValue<long>());
        var wfCounts = DsTestClient.Ok(await c.GetAsync(c.Dialect.WorkflowStateCountPath, new { projectCode = project }))!;
        Assert.Equal(1, wfCounts["taskCountDtos"]!.AsArray().Single(x => x!["taskStateType"]!.GetValue<string>() == "FAILURE")!["count"]!.GetValue<long>());

        // PAUSE lets the running task finish, then the instance is PAUSE (3); recovery completes it.
        var (chain, _) = await s.CreateChainAsync(project, "pausable", "sleep 60", "echo");
        await s.ReleaseAsync(project, chain, "ONLINE");
        start[c.Dialect.WorkflowCodeParameter] = chain.ToString();
        DsTestClient.Ok(await c.PostAsync($"projects/{project}/executors/{c.Dialect.StartWorkflowAction}", start));
        await emu.AdvanceAsync(TimeSpan.FromSeconds(5));
        var table = c.T("t_ds_process_instance");
        var codeCol = dialect == "3.3" ? "workflow_definition_code" : "process_definition_code";
        var id = await c.ScalarAsync($"SELECT id FROM {table} WHERE {codeCol} = @c", ("c", chain));
        DsTestClient.Ok(await c.PostAsync($"projects/{project}/executors/execute", new Dictionary<string, string> { [c.Dialect.WorkflowInstanceIdParameter] = id.ToString(), ["executeType"] = "PAUSE" }));
        await emu.AdvanceAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(3, await c.ScalarAsync($"SELECT state FROM {table} WHERE id = @id", ("id", id)));
        Assert.Equal(1, await c.ScalarAsync($"SELECT COUNT(*) FROM t_ds_task_instance WHERE {(dialect == "3.3" ? "workflow_instance_id" : "process_instance_id")} = @id", ("id", id)));
        DsTestClient.Ok(await c.PostAsync($"projects/{project}/executors/execute", new Dictionary<string, string> { [c.Dialect.WorkflowInstanceIdParameter] = id.ToString(), ["executeType"] = "RECOVER_SUSPENDED_PROCESS" }));
        await emu.RunUntilIdleAsync();
        Assert.Equal(7, await c.ScalarAsync($"SELECT state FROM {table} WHERE id = @id", ("id", id)));
    }
}
