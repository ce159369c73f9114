using System.Globalization;
using System.Text.Json.Nodes;
using DsOps.Emulator.Api;
using DsOps.Emulator.Hosting;
using DsOps.Emulator.Storage;
using MySqlConnector;

namespace DsOps.Emulator.Simulation;

/// <summary>
/// One simulated master with one worker. It consumes t_ds_command (ordered by priority, id, as DS masters do),
/// creates workflow instances, runs their DAG (every task whose upstream tasks succeeded starts at once, as DS
/// dispatches in parallel), moves instances and task instances through the dialect's state codes, honours
/// failure strategy (END kills running tasks, CONTINUE lets other branches finish), retries (a failed try keeps
/// its row with flag 0 and a new row is created after fail_retry_interval minutes), delay time and timeouts,
/// and fires online schedules from their Quartz cron. Everything happens on the simulated clock.
/// </summary>
public sealed class SimulatedMaster(EmulatorContext ctx)
{
    // Workflow state codes (same numbers in every version for these).
    public const int Submitted = 0, Running = 1, ReadyPause = 2, Pause = 3, ReadyStop = 4, Stop = 5, Failure = 6, Success = 7,
        Kill = 9, Delay = 12, ForcedSuccess = 13;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<int, WorkflowRun> _runs = new();
    private readonly Dictionary<int, DateTime> _scheduleCursor = new();
    private readonly List<PendingComplement> _serialComplements = new();
    private MetadataDb Db => ctx.Db;

    /// <summary>Workers registered in the simulated registry (monitor endpoints, worker-group validation).</summary>
    public IReadOnlyList<string> RegisteredWorkers => new[] { ctx.WorkerAddress };

    public DateTime StartupTime { get; } = DateTime.UtcNow;

    /// <summary>False: the master leaves t_ds_command alone, as an overloaded (BUSY) DS master does.</summary>
    public bool ConsumeCommands { get; set; } = true;

    /// <summary>Instances the master is still executing.</summary>
    public int ActiveInstances
    {
        get { lock (_runs) return _runs.Count; }
    }

    public void ScheduleOnline(int scheduleId)
    {
        lock (_scheduleCursor) _scheduleCursor[scheduleId] = ctx.Now;
    }

    public async Task AdvanceAsync(TimeSpan span)
    {
        var target = ctx.Now + span;
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            while (true)
            {
                await StepAsync().ConfigureAwait(false);
                var next = await NextEventAsync(includeSchedules: true).ConfigureAwait(false);
                if (next is null || next > target) break;
                ctx.Clock.Set(next.Value);
            }
            ctx.Clock.Set(target);
            await StepAsync().ConfigureAwait(false);
        }
        finally { _gate.Release(); }
    }

    public async Task RunUntilIdleAsync(TimeSpan limit)
    {
        var deadline = ctx.Now + limit;
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            while (true)
            {
                await StepAsync().ConfigureAwait(false);
                bool idle;
                lock (_runs) idle = _runs.Count == 0 && _serialComplements.Count == 0;
                if (idle && await Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_command").ConfigureAwait(false) == 0) return;
                var next = await NextEventAsync(includeSchedules: false).ConfigureAwait(false);
                if (next is null || next > deadline) return;
                ctx.Clock.Set(next.Value);
            }
        }
        finally { _gate.Release(); }
    }

    /// <summary>
    /// Picks up instances a previous run of the emulator left executing on this master's address (a persistent
    /// --mysql database), the way a restarted master's failover takes them back.
    /// </summary>
    public async Task RecoverAsync()
    {
        var ids = await Db.QueryAsync($"SELECT id FROM t_ds_process_instance WHERE state IN ({Submitted}, {Running}, {ReadyPause}, {ReadyStop}) AND host = @host",
            new { host = ctx.MasterAddress }).ConfigureAwait(false);
        foreach (var row in ids) await LoadRunAsync(row.Int("id")).ConfigureAwait(false);
    }

    /// <summary>3.3: the API asks a master to trigger a workflow and gets the instance id back synchronously.</summary>
    public async Task<int> TriggerNowAsync(IReadOnlyDictionary<string, object?> command)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var id = await CreateInstanceAsync(command).ConfigureAwait(false);
            await StepAsync().ConfigureAwait(false);
            return id;
        }
        finally { _gate.Release(); }
    }

    private async Task<DateTime?> NextEventAsync(bool includeSchedules)
    {
        DateTime? next = null;
        void Consider(DateTime? t)
        {
            if (t is { } v && (next is null || v < next)) next = v;
        }
        lock (_runs)
            foreach (var run in _runs.Values)
                foreach (var t in run.Tasks.Values)
                    Consider(t.Due);
        if (includeSchedules)
        {
            foreach (var s in await Db.QueryAsync("SELECT id, crontab, start_time, end_time FROM t_ds_schedules WHERE release_state = 1").ConfigureAwait(false))
            {
                var from = Cursor(s);
                try
                {
                    var fire = QuartzCron.Parse(s.Str("crontab")!).Next(from);
                    if (fire is { } f && f <= s.Date("end_time")) Consider(f);
                }
                catch (FormatException) { }
            }
        }
        return next;
    }

    private DateTime Cursor(Row schedule)
    {
        lock (_scheduleCursor)
        {
            var id = schedule.Int("id");
            if (!_scheduleCursor.TryGetValue(id, out var c)) _scheduleCursor[id] = c = ctx.Now;
            var start = schedule.Date("start_time")!.Value.AddSeconds(-1);
            return c < start ? start : c;
        }
    }

    // ---------------- one step at the current simulated time ----------------

    private async Task StepAsync()
    {
        await FireSchedulesAsync().ConfigureAwait(false);
        if (ConsumeCommands) await ConsumeCommandsAsync().ConfigureAwait(false);
        await ApplyControlRequestsAsync().ConfigureAwait(false);
        List<WorkflowRun> runs;
        lock (_runs) runs = _runs.Values.ToList();
        foreach (var run in runs) await AdvanceRunAsync(run).ConfigureAwait(false);
        await StartSerialComplementsAsync().ConfigureAwait(false);
    }

    private async Task FireSchedulesAsync()
    {
        var now = ctx.Now;
        var schedules = await Db.QueryAsync(
            "SELECT s.*, d.version AS definition_version FROM t_ds_schedules s JOIN t_ds_process_definition d ON d.code = s.process_definition_code " +
            "WHERE s.release_state = 1 AND d.release_state = 1").ConfigureAwait(false);
        foreach (var s in schedules)
        {
            QuartzCron cron;
            try { cron = QuartzCron.Parse(s.Str("crontab")!); }
            catch (FormatException) { continue; }
            var from = Cursor(s);
            var end = s.Date("end_time")!.Value;
            foreach (var fire in cron.Between(from, now < end ? now : end))
            {
                await Db.InsertAsync("t_ds_command", new Dictionary<string, object?>
                {
                    ["command_type"] = DsEnums.Scheduler, ["process_definition_code"] = s.Long("process_definition_code"),
                    ["process_definition_version"] = s.Int("definition_version"), ["process_instance_id"] = 0, ["command_param"] = "{}",
                    ["task_depend_type"] = 2, ["failure_strategy"] = s.Int("failure_strategy"), ["warning_type"] = s.Int("warning_type"),
                    ["warning_group_id"] = s.IntOrNull("warning_group_id"), ["schedule_time"] = fire, ["start_time"] = fire,
                    ["executor_id"] = s.Int("user_id"), ["update_time"] = fire, ["process_instance_priority"] = s.Int("process_instance_priority"),
                    ["worker_group"] = s.Str("worker_group"), ["tenant_code"] = s.Has("tenant_code") ? s.Str("tenant_code") : "default",
                    ["environment_code"] = s.Long("environment_code"), ["dry_run"] = 0, ["test_flag"] = 0,
                }).ConfigureAwait(false);
            }
            lock (_scheduleCursor) _scheduleCursor[s.Int("id")] = now;
        }
    }

    private async Task ConsumeCommandsAsync()
    {
        while (true)
        {
            var commands = await Db.QueryAsync("SELECT * FROM t_ds_command ORDER BY process_instance_priority, id LIMIT 10").ConfigureAwait(false);
            if (commands.Count == 0) return;
            foreach (var cmd in commands)
            {
                try
                {
                    await CreateInstanceAsync(cmd.ToDictionary(kv => Unrename(kv.Key), kv => kv.Value)).ConfigureAwait(false);
                    await Db.ExecAsync("DELETE FROM t_ds_command WHERE id = @id", new { id = cmd.Int("id") }).ConfigureAwait(false);
                }
                catch (DsServiceException ex)
                {
                    // DS moves a command it cannot handle to t_ds_error_command with the reason.
                    await Db.InTransactionAsync(async (c, tx) =>
                    {
                        var row = cmd.ToDictionary(kv => Unrename(kv.Key), kv => kv.Value);
                        row["message"] = ex.Message;
                        await Db.InsertAsync(c, tx, "t_ds_error_command", row).ConfigureAwait(false);
                        await Db.ExecAsync("DELETE FROM t_ds_command WHERE id = @id", new { id = cmd.Int("id") }, c, tx).ConfigureAwait(false);
                    }).ConfigureAwait(false);
                }
            }
        }
    }

    private string Unrename(string col) => ctx.V33
        ? col.Replace("workflow_definition", "process_definition", StringComparison.Ordinal).Replace("workflow_instance", "process_instance", StringComparison.Ordinal)
        : col;

    /// <summary>Turns a command (column → value, ≤3.2 names) into a new or re-run workflow instance. Returns its id.</summary>
    private async Task<int> CreateInstanceAsync(IReadOnlyDictionary<string, object?> cmd)
    {
        var now = ctx.Now;
        var commandType = Convert.ToInt32(cmd["command_type"] ?? 0);
        var code = Convert.ToInt64(cmd["process_definition_code"]);
        var def = await Db.QuerySingleAsync("SELECT * FROM t_ds_process_definition WHERE code = @code", new { code }).ConfigureAwait(false)
            ?? throw new DsServiceException(50003, code);
        var existingId = Convert.ToInt32(cmd.GetValueOrDefault("process_instance_id") ?? 0);
        var param = JsonNode.Parse(cmd.GetValueOrDefault("command_param") as string is { Length: > 0 } p ? p : "{}") as JsonObject ?? new JsonObject();

        if (existingId > 0)
        {
            var inst = await Db.QuerySingleAsync("SELECT * FROM t_ds_process_instance WHERE id = @existingId", new { existingId }).ConfigureAwait(false)
                ?? throw new DsServiceException(50001, existingId);
            // Which earlier task tries stay valid: none for a full re-run; successful ones when recovering.
            var keep = commandType == DsEnums.RepeatRunning ? "" : $"AND state NOT IN ({Success}, {ForcedSuccess})";
            await Db.ExecAsync($"UPDATE t_ds_task_instance SET flag = 0 WHERE process_instance_id = @existingId {keep}", new { existingId }).ConfigureAwait(false);
            var history = (inst.Str("history_cmd") ?? "") + "," + DsEnums.CommandType[commandType];
            await Db.ExecAsync("UPDATE t_ds_process_instance SET state = @running, end_time = NULL, restart_time = @now, run_times = run_times + 1, " +
                "command_type = @commandType, history_cmd = @history, host = @host WHERE id = @existingId",
                new { running = Running, now, commandType, history, host = ctx.MasterAddress, existingId }).ConfigureAwait(false);
            await LoadRunAsync(existingId).ConfigureAwait(false);
            return existingId;
        }

        var version = Convert.ToInt32(cmd.GetValueOrDefault("process_definition_version") ?? 0);
        if (version == 0) version = def.Int("version");
        var scheduleTime = cmd.GetValueOrDefault("schedule_time") as DateTime?;
        var executorId = Convert.ToInt32(cmd.GetValueOrDefault("executor_id") ?? 1);
        var executor = await Db.QuerySingleAsync("SELECT user_name FROM t_ds_user WHERE id = @executorId", new { executorId }).ConfigureAwait(false);
        var name = $"{def.Str("name")}-{version}-{now.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture)}";
        var stateHistory = new JsonArray(new JsonObject
        {
            ["time"] = DsJson.Format(now), ["state"] = ctx.Dialect.StateName(Running, Engine.Dialects.DsStateScope.Workflow), ["desc"] = "init running",
        }).ToJsonString();
        var row = new Dictionary<string, object?>
        {
            ["name"] = name, ["process_definition_code"] = code, ["process_definition_version"] = version, ["project_code"] = def.Long("project_code"),
            ["state"] = Running, ["state_history"] = stateHistory, ["recovery"] = 0, ["start_time"] = now, ["end_time"] = null, ["run_times"] = 1,
            ["host"] = ctx.MasterAddress, ["command_type"] = commandType, ["command_param"] = param.ToJsonString(),
            ["task_depend_type"] = cmd.GetValueOrDefault("task_depend_type") ?? 2, ["max_try_times"] = 0,
            ["failure_strategy"] = cmd.GetValueOrDefault("failure_strategy") ?? 0, ["warning_type"] = cmd.GetValueOrDefault("warning_type") ?? 0,
            ["warning_group_id"] = cmd.GetValueOrDefault("warning_group_id"), ["schedule_time"] = scheduleTime,
            ["command_start_time"] = cmd.GetValueOrDefault("start_time") ?? now, ["global_params"] = def.Str("global_params"), ["flag"] = 1,
            ["update_time"] = now, ["is_sub_process"] = 0, ["executor_id"] = executorId, ["executor_name"] = executor?.Str("user_name"),
            ["history_cmd"] = DsEnums.CommandType[commandType], ["process_instance_priority"] = cmd.GetValueOrDefault("process_instance_priority") ?? 2,
            ["worker_group"] = cmd.GetValueOrDefault("worker_group") ?? "default", ["environment_code"] = cmd.GetValueOrDefault("environment_code") ?? -1L,
            ["timeout"] = def.Int("timeout"), ["tenant_id"] = def.Has("tenant_id") ? def.Int("tenant_id") : -1,
            ["tenant_code"] = cmd.GetValueOrDefault("tenant_code") ?? "default", ["var_pool"] = null, ["dry_run"] = cmd.GetValueOrDefault("dry_run") ?? 0,
            ["next_process_instance_id"] = 0, ["restart_time"] = now, ["test_flag"] = cmd.GetValueOrDefault("test_flag") ?? 0,
        };
        var id = (int)await Db.InsertAsync("t_ds_process_instance", row).ConfigureAwait(false);
        if (cmd.GetValueOrDefault("id") is { } commandId && Db.HasTable("t_ds_trigger_relation"))
        {
            // 3.2: the start call registered trigger code → command (type 2, unverified); the instance joins it as type 0.
            var trigger = await Db.QuerySingleAsync("SELECT trigger_code FROM t_ds_trigger_relation WHERE trigger_type = 2 AND job_id = @commandId", new { commandId }).ConfigureAwait(false);
            if (trigger is not null)
                await Db.InsertAsync("t_ds_trigger_relation", new Dictionary<string, object?>
                {
                    ["trigger_type"] = 0, ["trigger_code"] = trigger.Long("trigger_code"), ["job_id"] = id, ["create_time"] = now, ["update_time"] = now,
                }).ConfigureAwait(false);
        }
        await LoadRunAsync(id).ConfigureAwait(false);

        // A serial complement command covers several dates: this instance takes the first, the rest follow one by one.
        if (commandType == DsEnums.ComplementData && !cmd.ContainsKey(ContinuationKey)
            && WorkflowDag.Str(param["complementScheduleDateList"]) is { } list && list.Contains(','))
        {
            var rest = list.Split(',').Skip(1).Select(x => DsJson.TryParseDate(x, out var v) ? v : (DateTime?)null).OfType<DateTime>();
            lock (_runs) _serialComplements.Add(new PendingComplement(new Dictionary<string, object?>(cmd) { [ContinuationKey] = true }, new Queue<DateTime>(rest)) { CurrentInstance = id });
        }
        return id;
    }

    private const string ContinuationKey = "__complement_continuation";

    /// <summary>Builds the in-memory DAG of an instance from the logged definition version and its valid task tries.</summary>
    private async Task LoadRunAsync(int instanceId)
    {
        var inst = (await Db.QuerySingleAsync("SELECT * FROM t_ds_process_instance WHERE id = @instanceId", new { instanceId }).ConfigureAwait(false))!;
        var code = inst.Long("process_definition_code");
        var version = inst.Int("process_definition_version");
        var relations = await Db.QueryAsync("SELECT * FROM t_ds_process_task_relation_log WHERE process_definition_code = @code AND process_definition_version = @version",
            new { code, version }).ConfigureAwait(false);
        if (relations.Count == 0)
            relations = await Db.QueryAsync("SELECT * FROM t_ds_process_task_relation WHERE process_definition_code = @code", new { code }).ConfigureAwait(false);
        var run = new WorkflowRun(instanceId, inst.Str("name")!, inst.Has("project_code") ? inst.Long("project_code") : 0,
            inst.Int("failure_strategy"), inst.IntOrNull("executor_id"), inst.Str("worker_group") ?? "default");
        foreach (var rel in relations)
        {
            var post = rel.Long("post_task_code");
            if (!run.Tasks.TryGetValue(post, out var node))
            {
                var task = await Db.QuerySingleAsync("SELECT * FROM t_ds_task_definition_log WHERE code = @post AND version = @v",
                    new { post, v = rel.Int("post_task_version") }).ConfigureAwait(false);
                if (task is null) continue;
                run.Tasks[post] = node = new TaskNode(task);
            }
            if (rel.Long("pre_task_code") != 0) node.Upstream.Add(rel.Long("pre_task_code"));
        }
        if (run.ProjectCode == 0 && run.Tasks.Count > 0) run.ProjectCode = run.Tasks.Values.First().Definition.Long("project_code");

        // Start nodes and TaskDependType narrow what runs (TASK_POST: nodes and downstream, TASK_PRE: nodes and upstream, TASK_ONLY: nodes).
        var param = JsonNode.Parse(inst.Str("command_param") is { Length: > 0 } p ? p : "{}") as JsonObject;
        if (WorkflowDag.Str(param?["StartNodeList"]) is { Length: > 0 } startNodes)
        {
            var starts = startNodes.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => long.Parse(s.Trim(), CultureInfo.InvariantCulture)).ToHashSet();
            var selected = new HashSet<long>(starts);
            var dependType = inst.Int("task_depend_type");
            bool grew;
            do
            {
                grew = false;
                foreach (var (c, n) in run.Tasks)
                {
                    if (dependType == 2 && !selected.Contains(c) && n.Upstream.Any(selected.Contains)) grew |= selected.Add(c);
                    if (dependType == 1 && selected.Contains(c)) foreach (var u in n.Upstream) grew |= selected.Add(u);
                }
            } while (grew);
            foreach (var c in run.Tasks.Keys.Where(c => !selected.Contains(c)).ToList()) run.Tasks.Remove(c);
            foreach (var n in run.Tasks.Values) n.Upstream.RemoveWhere(u => !selected.Contains(u));
        }

        // Valid earlier tries (recovery keeps successful tasks).
        foreach (var ti in await Db.QueryAsync("SELECT * FROM t_ds_task_instance WHERE process_instance_id = @instanceId AND flag = 1", new { instanceId }).ConfigureAwait(false))
            if (run.Tasks.TryGetValue(ti.Long("task_code"), out var n))
            {
                n.InstanceId = ti.Int("id");
                n.State = ti.Int("state");
                n.Attempt = ti.Int("retry_times");
                // A try still in flight (instance picked up after an emulator restart) ends when its content says.
                var (duration, succeeds) = TaskOutcome.Evaluate(n.Definition.Str("task_type")!, n.Definition.Str("task_params"), IsFixed);
                n.Duration = duration;
                n.WillSucceed = succeeds;
                if (n.State == Running && ti.Date("start_time") is { } started) n.Due = started + duration;
                else if (n.State == Delay && ti.Date("submit_time") is { } submitted) n.Due = submitted.AddMinutes(n.Definition.Int("delay_time"));
            }
        lock (_runs) _runs[instanceId] = run;
    }

    /// <summary>STOP/PAUSE from the API set READY_STOP/READY_PAUSE; the master acts on them here.</summary>
    private async Task ApplyControlRequestsAsync()
    {
        List<WorkflowRun> runs;
        lock (_runs) runs = _runs.Values.ToList();
        foreach (var run in runs)
        {
            var state = (int)await Db.ScalarAsync("SELECT state FROM t_ds_process_instance WHERE id = @id", new { id = run.InstanceId }).ConfigureAwait(false);
            if (state == ReadyStop) run.Control = ReadyStop;
            else if (state == ReadyPause) run.Control = ReadyPause;
        }
    }

    private async Task AdvanceRunAsync(WorkflowRun run)
    {
        var now = ctx.Now;
        var changed = true;
        while (changed)
        {
            changed = false;
            // Finish due work.
            foreach (var node in run.Tasks.Values)
            {
                if (node.Due is not { } due || due > now) continue;
                if (node.State == Delay)
                {
                    await StartTryAsync(run, node, due, delayed: false).ConfigureAwait(false);
                }
                else if (node.State == Submitted && node.InstanceId == 0)
                {
                    await StartTryAsync(run, node, due, delayed: false).ConfigureAwait(false);
                }
                else if (node.State == Running)
                {
                    var ok = node.WillSucceed;
                    var final = ok ? Success : Failure;
                    await SetTaskStateAsync(node, final, due).ConfigureAwait(false);
                    node.Due = null;
                    if (!ok && node.Attempt < node.Definition.Int("fail_retry_times") && run.Control == 0)
                    {
                        // The failed try stays (flag 0); a new try starts after fail_retry_interval minutes.
                        await Db.ExecAsync("UPDATE t_ds_task_instance SET flag = 0 WHERE id = @id", new { id = node.InstanceId }).ConfigureAwait(false);
                        node.Attempt++;
                        node.InstanceId = 0;
                        node.State = Submitted;
                        node.Due = due.AddMinutes(Math.Max(0, node.Definition.Int("fail_retry_interval")));
                    }
                    else if (!ok && run.FailureStrategy == 0)
                    {
                        await KillRunningAsync(run, due).ConfigureAwait(false);
                    }
                }
                changed = true;
            }

            if (run.Control == ReadyStop)
            {
                await KillRunningAsync(run, now).ConfigureAwait(false);
                await FinishRunAsync(run, Stop, now).ConfigureAwait(false);
                return;
            }

            // Start every task whose upstream tasks all succeeded (unless a stop/pause or END-failure holds new work).
            if (run.Control == 0 && !run.Failed(endStrategy: run.FailureStrategy == 0))
            {
                foreach (var node in run.Tasks.Values.Where(n => n.InstanceId == 0 && n.State == Submitted && n.Due is null).ToList())
                {
                    if (!node.Upstream.All(u => !run.Tasks.TryGetValue(u, out var un) || un.IsSucceeded)) continue;
                    if (node.Definition.Int("flag") == 0)
                    {
                        // A forbidden task is skipped: no instance, successors proceed.
                        node.State = Success;
                        node.Skipped = true;
                        changed = true;
                        continue;
                    }
                    var delayMinutes = node.Definition.Int("delay_time");
                    if (delayMinutes > 0 && node.Attempt == 0) await StartTryAsync(run, node, now, delayed: true).ConfigureAwait(false);
                    else await StartTryAsync(run, node, now, delayed: false).ConfigureAwait(false);
                    changed = true;
                }
            }
        }

        // Finished?
        var anyActive = run.Tasks.Values.Any(n => n.State is Running or Delay || (n.State == Submitted && n.Due is not null));
        if (anyActive) return;
        if (run.Control == ReadyPause)
        {
            await FinishRunAsync(run, Pause, now).ConfigureAwait(false);
            return;
        }
        var failed = run.Tasks.Values.Any(n => n.State is Failure or Kill);
        var blocked = run.Tasks.Values.Any(n => n.State == Submitted && n.InstanceId == 0);
        if (failed || !blocked) await FinishRunAsync(run, failed ? Failure : Success, now).ConfigureAwait(false);
    }

    private async Task StartTryAsync(WorkflowRun run, TaskNode node, DateTime at, bool delayed)
    {
        var d = node.Definition;
        if (node.InstanceId == 0)
        {
            var (duration, succeeds) = TaskOutcome.Evaluate(d.Str("task_type")!, d.Str("task_params"), IsFixed);
            var timeoutMinutes = d.Int("timeout_flag") == 1 ? d.Int("timeout") : 0;
            var strategy = d.IntOrNull("timeout_notify_strategy");
            // Timeout with FAILED/WARNFAILED fails the task when it runs over (final state FAILURE here; unverified whether DS shows KILL).
            if (timeoutMinutes > 0 && strategy is 1 or 2 && duration > TimeSpan.FromMinutes(timeoutMinutes))
            {
                duration = TimeSpan.FromMinutes(timeoutMinutes);
                succeeds = false;
            }
            node.Duration = duration;
            node.WillSucceed = succeeds;
            node.FirstSubmit ??= at;
            var row = new Dictionary<string, object?>
            {
                ["name"] = d.Str("name"), ["task_type"] = d.Str("task_type"), ["task_execute_type"] = d.Has("task_execute_type") ? d.Int("task_execute_type") : 0,
                ["task_code"] = d.Long("code"), ["task_definition_version"] = d.Int("version"), ["process_instance_id"] = run.InstanceId,
                ["process_instance_name"] = run.Name, ["project_code"] = run.ProjectCode, ["state"] = delayed ? Delay : Running,
                ["submit_time"] = at, ["start_time"] = delayed ? null : at, ["end_time"] = null, ["host"] = ctx.WorkerAddress,
                ["execute_path"] = $"/tmp/dolphinscheduler/exec/process/{run.ProjectCode}/{d.Long("code")}/{run.InstanceId}",
                ["log_path"] = $"/opt/dolphinscheduler/logs/{at:yyyyMMdd}/{d.Long("code")}_{run.InstanceId}.log", ["alert_flag"] = 0,
                ["retry_times"] = node.Attempt, ["pid"] = 0, ["app_link"] = null, ["task_params"] = d.Str("task_params"), ["flag"] = 1,
                ["is_cache"] = 0, ["retry_interval"] = d.Int("fail_retry_interval"), ["max_retry_times"] = d.Int("fail_retry_times"),
                ["task_instance_priority"] = d.Int("task_priority"), ["worker_group"] = d.Str("worker_group") ?? run.WorkerGroup,
                ["environment_code"] = d.Long("environment_code"), ["executor_id"] = run.ExecutorId, ["first_submit_time"] = node.FirstSubmit,
                ["delay_time"] = d.Int("delay_time"), ["var_pool"] = null, ["task_group_id"] = d.Int("task_group_id"), ["dry_run"] = 0,
                ["cpu_quota"] = d.Has("cpu_quota") ? d.Int("cpu_quota") : -1, ["memory_max"] = d.Has("memory_max") ? d.Int("memory_max") : -1, ["test_flag"] = 0,
            };
            await using var conn = await Db.ConnectAsync().ConfigureAwait(false);
            node.InstanceId = (int)await Db.InsertAsync(conn, null, "t_ds_task_instance", row).ConfigureAwait(false);
            node.State = delayed ? Delay : Running;
            node.Due = delayed ? at.AddMinutes(d.Int("delay_time")) : at + duration;
            return;
        }
        // Delay over (or a scheduled retry whose row exists): now it runs.
        await Db.ExecAsync("UPDATE t_ds_task_instance SET state = @state, start_time = @at WHERE id = @id", new { state = Running, at, id = node.InstanceId }).ConfigureAwait(false);
        node.State = Running;
        node.Due = at + node.Duration;
    }

    private async Task SetTaskStateAsync(TaskNode node, int state, DateTime at)
    {
        await Db.ExecAsync("UPDATE t_ds_task_instance SET state = @state, end_time = @at WHERE id = @id", new { state, at, id = node.InstanceId }).ConfigureAwait(false);
        node.State = state;
    }

    private async Task KillRunningAsync(WorkflowRun run, DateTime at)
    {
        foreach (var n in run.Tasks.Values.Where(n => n.State is Running or Delay && n.InstanceId != 0))
        {
            await SetTaskStateAsync(n, Kill, at).ConfigureAwait(false);
            n.Due = null;
        }
        foreach (var n in run.Tasks.Values.Where(n => n.State == Submitted && n.Due is not null)) n.Due = null;
    }

    private async Task FinishRunAsync(WorkflowRun run, int state, DateTime at)
    {
        var hasHistory = Db.HasColumn("t_ds_process_instance", "state_history"); // 3.1+
        var inst = hasHistory ? await Db.QuerySingleAsync("SELECT state_history FROM t_ds_process_instance WHERE id = @id", new { id = run.InstanceId }).ConfigureAwait(false) : null;
        var history = DsJson.Raw(inst?.Str("state_history")) as JsonArray ?? new JsonArray();
        history.Add(new JsonObject { ["time"] = DsJson.Format(at), ["state"] = ctx.Dialect.StateName(state, Engine.Dialects.DsStateScope.Workflow), ["desc"] = "finished" });
        await Db.ExecAsync("UPDATE t_ds_process_instance SET state = @state, end_time = @at, update_time = @at" +
            (hasHistory ? ", state_history = @history" : "") + " WHERE id = @id",
            new { state, at, history = history.ToJsonString(), id = run.InstanceId }).ConfigureAwait(false);
        lock (_runs) _runs.Remove(run.InstanceId);
    }

    // ---------------- complement (backfill) ----------------

    private sealed record PendingComplement(IReadOnlyDictionary<string, object?> Command, Queue<DateTime> Dates)
    {
        public int? CurrentInstance { get; set; }
    }

    private async Task StartSerialComplementsAsync()
    {
        List<PendingComplement> pending;
        lock (_runs) pending = _serialComplements.ToList();
        foreach (var p in pending)
        {
            bool running;
            lock (_runs) running = p.CurrentInstance is { } id && _runs.ContainsKey(id);
            if (running) continue;
            if (p.Dates.Count == 0)
            {
                lock (_runs) _serialComplements.Remove(p);
                continue;
            }
            var cmd = new Dictionary<string, object?>(p.Command) { ["schedule_time"] = p.Dates.Dequeue(), ["id"] = null };
            p.CurrentInstance = await CreateInstanceAsync(cmd).ConfigureAwait(false);
            WorkflowRun? run;
            lock (_runs) _runs.TryGetValue(p.CurrentInstance.Value, out run);
            if (run is not null) await AdvanceRunAsync(run).ConfigureAwait(false);
        }
    }

    // ---------------- run control: fixes and single-task kills ----------------

    private readonly HashSet<string> _fixed = new(StringComparer.Ordinal);

    /// <summary>Declares a <c>fail-until-fixed NAME</c> marker fixed: tries that start from now on succeed.</summary>
    public void MarkFixed(string marker)
    {
        lock (_fixed) _fixed.Add(marker);
    }

    private bool IsFixed(string marker)
    {
        lock (_fixed) return _fixed.Contains(marker);
    }

    /// <summary>
    /// A worker kills one running task (task-instance stop, 3.1+): the try ends KILL and the workflow goes on as after a
    /// failed task (END kills the other running tasks). False when the task is not running on this master.
    /// </summary>
    public async Task<bool> KillTaskAsync(int taskInstanceId)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            List<WorkflowRun> runs;
            lock (_runs) runs = _runs.Values.ToList();
            foreach (var run in runs)
            {
                var node = run.Tasks.Values.FirstOrDefault(n => n.InstanceId == taskInstanceId && n.State is Running or Delay);
                if (node is null) continue;
                await SetTaskStateAsync(node, Kill, ctx.Now).ConfigureAwait(false);
                node.Due = null;
                if (run.FailureStrategy == 0) await KillRunningAsync(run, ctx.Now).ConfigureAwait(false);
                await AdvanceRunAsync(run).ConfigureAwait(false);
                return true;
            }
            return false;
        }
        finally { _gate.Release(); }
    }

    // ---------------- in-memory run state ----------------

    private sealed class WorkflowRun(int instanceId, string name, long projectCode, int failureStrategy, int? executorId, string workerGroup)
    {
        public int InstanceId { get; } = instanceId;
        public string Name { get; } = name;
        public long ProjectCode { get; set; } = projectCode;
        public int FailureStrategy { get; } = failureStrategy;
        public int? ExecutorId { get; } = executorId;
        public string WorkerGroup { get; } = workerGroup;
        public Dictionary<long, TaskNode> Tasks { get; } = new();
        public int Control { get; set; }

        public bool Failed(bool endStrategy) => endStrategy && Tasks.Values.Any(n => n.State is Failure or Kill && n.Due is null);
    }

    private sealed class TaskNode(Row definition)
    {
        public Row Definition { get; } = definition;
        public HashSet<long> Upstream { get; } = new();
        public int InstanceId { get; set; }
        public int State { get; set; } = Submitted;
        public int Attempt { get; set; }
        public DateTime? Due { get; set; }
        public DateTime? FirstSubmit { get; set; }
        public TimeSpan Duration { get; set; }
        public bool WillSucceed { get; set; } = true;
        public bool Skipped { get; set; }
        public bool IsSucceeded => State is Success or ForcedSuccess;
    }
}
