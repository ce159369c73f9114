using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DsOps.Emulator.Hosting;
using DsOps.Emulator.Simulation;
using DsOps.Emulator.Storage;
using DsOps.Engine.Dialects;

namespace DsOps.Emulator.Api;

/// <summary>/projects/{p}/executors: start (incl. complement/backfill) and execute actions (docs/ds-facts.md §3.5).</summary>
public static class ExecutorsApi
{
    /// <summary>DS's MAX_TASK_TIMEOUT (24 h in seconds) bounds the start call's timeout parameter (10002).</summary>
    private const int MaxTaskTimeout = 24 * 3600;

    public static void Register(EmulatorContext ctx, HandlerTable t)
    {
        var d = ctx.Dialect;
        var store = new WorkflowStore(ctx);
        var seg = "/projects/{projectCode}/executors/";

        t.Map("POST", seg + d.StartWorkflowAction, async r =>
        {
            var projectCode = r.PathLong(0);
            await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
            if (d.StartTakesTimeout && r.IntOrNull("timeout") is { } timeout && (timeout <= 0 || timeout > MaxTaskTimeout))
                throw new DsServiceException(10002);
            var code = r.Long(d.WorkflowCodeParameter);
            return await StartAsync(ctx, store, r, projectCode, code).ConfigureAwait(false);
        });

        t.Map("POST", seg + d.BatchStartWorkflowAction, async r =>
        {
            var projectCode = r.PathLong(0);
            await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
            var ids = new JsonArray();
            foreach (var code in WorkflowDefinitionApi.ParseCodes(r.Required(d.WorkflowDefinitionCodesParameter)))
            {
                var result = await StartAsync(ctx, store, r, projectCode, code).ConfigureAwait(false);
                if (result is JsonArray a) foreach (var id in a) ids.Add(id?.DeepClone());
            }
            return d.StartResult == StartResultShape.InstanceIds ? ids : null;
        });

        t.Map("POST", seg + "execute", async r =>
        {
            var projectCode = r.PathLong(0);
            await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
            await ExecuteAsync(ctx, r, projectCode, r.Int(d.WorkflowInstanceIdParameter), r.Required("executeType")).ConfigureAwait(false);
            return null;
        });

        // batch-execute exists from 3.1 on (not in 3.0.1's endpoint list).
        if (d.Version >= new Version(3, 1, 0)) MapBatchExecute(ctx, t, seg);
    }

    private static void MapBatchExecute(EmulatorContext ctx, HandlerTable t, string seg)
    {
        var d = ctx.Dialect;
        t.Map("POST", seg + "batch-execute", async r =>
        {
            var projectCode = r.PathLong(0);
            await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
            var failed = new List<string>();
            foreach (var id in WorkflowDefinitionApi.ParseCodes(r.Required(d.WorkflowInstanceIdsParameter)))
            {
                try { await ExecuteAsync(ctx, r, projectCode, (int)id, r.Required("executeType")).ConfigureAwait(false); }
                catch (DsServiceException) { failed.Add(id.ToString(CultureInfo.InvariantCulture)); }
            }
            if (failed.Count > 0) throw new DsServiceException("BATCH_EXECUTE_PROCESS_INSTANCE_ERROR", string.Join(",", failed));
            return null;
        });
    }

    private static readonly string[] ExecuteTypes = { "NONE", "REPEAT_RUNNING", "RECOVER_SUSPENDED_PROCESS", "START_FAILURE_TASK_PROCESS", "STOP", "PAUSE", "EXECUTE_TASK" };

    private static async Task<object?> StartAsync(EmulatorContext ctx, WorkflowStore store, DsRequest r, long projectCode, long code)
    {
        var d = ctx.Dialect;
        var def = await store.FindAsync(projectCode, code).ConfigureAwait(false) ?? throw new DsServiceException(50003, code);
        if (def.Int("release_state") != 1) throw new DsServiceException(50004, def.Str("name"), def.Int("version"));
        var tenantCode = r.Str("tenantCode") ?? "default";
        if (d.TenantOnRun && tenantCode != "default"
            && await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_tenant WHERE tenant_code = @tenantCode", new { tenantCode }).ConfigureAwait(false) == 0)
            throw new DsServiceException(50027);
        if (ctx.Master.RegisteredWorkers.Count == 0) throw new DsServiceException(10025);

        var execType = r.Enum("execType", DsEnums.CommandType) ?? "START_PROCESS";
        if (execType is not ("START_PROCESS" or "COMPLEMENT_DATA")) throw new DsServiceException(10001, "execType");
        var param = new JsonObject();
        if (r.Str("startNodeList") is { Length: > 0 } nodes) param["StartNodeList"] = nodes;
        if (r.Str("startParams") is { Length: > 0 } sp) param["StartParams"] = sp;
        var command = new Dictionary<string, object?>
        {
            ["command_type"] = execType == "COMPLEMENT_DATA" ? DsEnums.ComplementData : DsEnums.StartProcess,
            ["process_definition_code"] = code, ["process_definition_version"] = def.Int("version"), ["process_instance_id"] = 0,
            ["task_depend_type"] = DsEnums.Code(DsEnums.TaskDependType, r.Enum("taskDependType", DsEnums.TaskDependType), 2),
            ["failure_strategy"] = DsEnums.Code(DsEnums.FailureStrategy, r.Enum("failureStrategy", DsEnums.FailureStrategy), 0),
            ["warning_type"] = DsEnums.Code(DsEnums.WarningType, r.Enum("warningType", DsEnums.WarningType), 0),
            ["warning_group_id"] = r.IntOrNull("warningGroupId"), ["schedule_time"] = null, ["start_time"] = ctx.Now,
            ["executor_id"] = r.LoginUser.Id, ["update_time"] = ctx.Now,
            ["process_instance_priority"] = DsEnums.Code(DsEnums.Priority, r.Enum(d.WorkflowInstancePriorityParameter, DsEnums.Priority), 2),
            ["worker_group"] = r.Str("workerGroup") ?? "default", ["tenant_code"] = tenantCode,
            ["environment_code"] = r.Long("environmentCode", -1), ["dry_run"] = r.Int("dryRun"), ["test_flag"] = r.Int("testFlag"),
        };

        var dates = new List<DateTime>();
        var serial = true;
        if (execType == "COMPLEMENT_DATA")
        {
            var (start, end, list) = ParseComplementRange(ctx, r.Required("scheduleTime"));
            dates = list ?? await ComplementDatesAsync(ctx, code, start, end).ConfigureAwait(false);
            if (dates.Count == 0) throw new DsServiceException(10001, "scheduleTime");
            serial = r.Str("runMode") != "RUN_MODE_PARALLEL";
        }

        // Serial complement: one command covering the range (the master runs the dates one after another);
        // parallel: one command per date. Everything else: one command.
        string ParamFor(IReadOnlyList<DateTime> span)
        {
            var p = (JsonObject)param.DeepClone();
            if (span.Count > 0)
            {
                p["complementStartDate"] = DsJson.Format(span[0]);
                p["complementEndDate"] = DsJson.Format(span[^1]);
                p["complementScheduleDateList"] = string.Join(",", span.Select(DsJson.Format));
            }
            return p.ToJsonString();
        }
        var commands = execType != "COMPLEMENT_DATA"
            ? new List<Dictionary<string, object?>> { new(command) { ["command_param"] = ParamFor(Array.Empty<DateTime>()) } }
            : serial
                ? new List<Dictionary<string, object?>> { new(command) { ["schedule_time"] = dates[0], ["command_param"] = ParamFor(dates) } }
                : ComplementQueues(d, dates, r.IntOrNull("expectedParallelismNumber"))
                    .Select(q => new Dictionary<string, object?>(command) { ["schedule_time"] = q[0], ["command_param"] = ParamFor(q) }).ToList();

        if (d.StartResult == StartResultShape.InstanceIds)
        {
            // 3.3: the API asks a master over RPC; the instances exist when the call returns (no t_ds_command row).
            var ids = new JsonArray();
            foreach (var c in commands) ids.Add(await ctx.Master.TriggerNowAsync(c).ConfigureAwait(false));
            return ids;
        }

        long triggerCode = 0;
        foreach (var c in commands)
        {
            var commandId = await ctx.Db.InsertAsync("t_ds_command", c).ConfigureAwait(false);
            if (d.StartResult == StartResultShape.TriggerCode)
            {
                // 3.2: a trigger code ties the start call to the command and later to its instances (type 2 = command; unverified constant).
                if (triggerCode == 0) triggerCode = ctx.Codes.Next();
                await ctx.Db.InsertAsync("t_ds_trigger_relation", new Dictionary<string, object?>
                {
                    ["trigger_type"] = 2, ["trigger_code"] = triggerCode, ["job_id"] = commandId, ["create_time"] = ctx.Now, ["update_time"] = ctx.Now,
                }).ConfigureAwait(false);
            }
        }
        return d.StartResult == StartResultShape.TriggerCode ? JsonValue.Create(triggerCode) : null;
    }

    /// <summary>
    /// Parallel complement: min(dates, expectedParallelismNumber) commands whose dates run one after another; without
    /// the parameter one command per date. 3.2+ deal the dates round-robin into the queues, 3.0.x cuts contiguous chunks
    /// (docs/operations.md "Backfill").
    /// </summary>
    internal static List<List<DateTime>> ComplementQueues(DsDialect d, IReadOnlyList<DateTime> dates, int? expectedParallelism)
    {
        var n = expectedParallelism is { } p && p > 0 ? Math.Min(dates.Count, p) : dates.Count;
        var queues = Enumerable.Range(0, n).Select(_ => new List<DateTime>()).ToList();
        if (d.ComplementSplitsRoundRobin)
            for (var i = 0; i < dates.Count; i++) queues[i % n].Add(dates[i]);
        else
        {
            var size = (dates.Count + n - 1) / n;
            for (var i = 0; i < dates.Count; i++) queues[Math.Min(i / size, n - 1)].Add(dates[i]);
        }
        return queues.Where(q => q.Count > 0).ToList();
    }

    /// <summary>3.0.1: "start,end"; 3.1+: JSON {"complementStartDate","complementEndDate"} or {"complementScheduleDateList":"d1,d2"}.</summary>
    private static (DateTime Start, DateTime End, List<DateTime>? List) ParseComplementRange(EmulatorContext ctx, string text)
    {
        if (ctx.Dialect.ComplementRangeAsJson)
        {
            JsonObject? o;
            try { o = JsonNode.Parse(text) as JsonObject; }
            catch (JsonException) { o = null; }
            if (o is null) throw new DsServiceException(10001, "scheduleTime");
            if (WorkflowDag.Str(o["complementScheduleDateList"]) is { Length: > 0 } listText)
            {
                var list = new List<DateTime>();
                foreach (var s in listText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    list.Add(DsJson.TryParseDate(s, out var v) ? v : throw new DsServiceException(10001, "scheduleTime"));
                return (list.Min(), list.Max(), list.Distinct().OrderBy(x => x).ToList());
            }
            if (DsJson.TryParseDate(WorkflowDag.Str(o["complementStartDate"]), out var a) && DsJson.TryParseDate(WorkflowDag.Str(o["complementEndDate"]), out var b) && a <= b)
                return (a, b, null);
            throw new DsServiceException(10001, "scheduleTime");
        }
        var parts = text.Split(',');
        if (parts.Length == 2 && DsJson.TryParseDate(parts[0], out var s0) && DsJson.TryParseDate(parts[1], out var e0) && s0 <= e0) return (s0, e0, null);
        throw new DsServiceException(10001, "scheduleTime");
    }

    /// <summary>Backfill dates: the workflow's schedule cron fire times within the range, or one per day when it has
    /// no schedule (DS's behaviour as understood; unverified in detail).</summary>
    private static async Task<List<DateTime>> ComplementDatesAsync(EmulatorContext ctx, long code, DateTime start, DateTime end)
    {
        var schedule = await ctx.Db.QuerySingleAsync("SELECT crontab FROM t_ds_schedules WHERE process_definition_code = @code", new { code }).ConfigureAwait(false);
        if (schedule?.Str("crontab") is { } cron && QuartzCron.IsValid(cron))
            return QuartzCron.Parse(cron).Between(start.AddSeconds(-1), end).Take(10_000).ToList();
        var dates = new List<DateTime>();
        for (var day = start.Date; day <= end; day = day.AddDays(1)) dates.Add(day < start ? start : day);
        return dates;
    }

    /// <summary>POST …/execute: STOP/PAUSE mark READY_STOP/READY_PAUSE for the master; the others insert a command.</summary>
    private static async Task ExecuteAsync(EmulatorContext ctx, DsRequest r, long projectCode, int instanceId, string executeType)
    {
        // Each line's ExecuteType enum: EXECUTE_TASK exists from 3.2.0 (an unknown constant fails binding like Spring does).
        if (!ExecuteTypes.Contains(executeType) || (executeType == "EXECUTE_TASK" && !ctx.Dialect.AcceptsExecuteType(DsExecuteType.ExecuteTask)))
            throw new DsBindingException($"No enum constant ExecuteType.{executeType}");
        var inst = await ctx.Db.QuerySingleAsync("SELECT i.* FROM t_ds_process_instance i JOIN t_ds_process_definition d ON d.code = i.process_definition_code " +
            "WHERE i.id = @instanceId AND d.project_code = @projectCode", new { instanceId, projectCode }).ConfigureAwait(false)
            ?? throw new DsServiceException(50001, instanceId);
        var state = inst.Int("state");
        var stateName = ctx.Dialect.StateName(state, DsStateScope.Workflow);
        var name = inst.Str("name");
        if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_command WHERE process_instance_id = @instanceId", new { instanceId }).ConfigureAwait(false) > 0)
            throw new DsServiceException(50009, name);
        int[] running = { SimulatedMaster.Running, 11, SimulatedMaster.Delay };
        int[] finished = { SimulatedMaster.Pause, SimulatedMaster.Stop, SimulatedMaster.Failure, SimulatedMaster.Success, 8, SimulatedMaster.Kill, SimulatedMaster.ForcedSuccess, 16 };
        switch (executeType)
        {
            case "STOP" or "PAUSE":
                var target = executeType == "STOP" ? SimulatedMaster.ReadyStop : SimulatedMaster.ReadyPause;
                if (state == target) throw new DsServiceException(50005, name, stateName);
                if (!running.Contains(state)) throw new DsServiceException(50006, name, stateName, executeType);
                await ctx.Db.ExecAsync("UPDATE t_ds_process_instance SET state = @target WHERE id = @instanceId", new { target, instanceId }).ConfigureAwait(false);
                return;
            case "REPEAT_RUNNING":
                if (!finished.Contains(state)) throw new DsServiceException(50006, name, stateName, executeType);
                await InsertRecoveryCommandAsync(ctx, r, inst, DsEnums.RepeatRunning).ConfigureAwait(false);
                return;
            case "START_FAILURE_TASK_PROCESS":
                if (state is not (SimulatedMaster.Failure or 8)) throw new DsServiceException(50006, name, stateName, executeType);
                await InsertRecoveryCommandAsync(ctx, r, inst, DsEnums.StartFailureTask).ConfigureAwait(false);
                return;
            case "RECOVER_SUSPENDED_PROCESS":
                if (state is not (SimulatedMaster.Pause or SimulatedMaster.Kill or SimulatedMaster.Stop)) throw new DsServiceException(50006, name, stateName, executeType);
                await InsertRecoveryCommandAsync(ctx, r, inst, DsEnums.RecoverSuspended).ConfigureAwait(false);
                return;
            default:
                throw new DsServiceException(50006, name, stateName, executeType);
        }
    }

    private static async Task InsertRecoveryCommandAsync(EmulatorContext ctx, DsRequest r, Row inst, int commandType)
    {
        var command = new Dictionary<string, object?>
        {
            ["command_type"] = commandType, ["process_definition_code"] = inst.Long("process_definition_code"),
            ["process_definition_version"] = inst.Int("process_definition_version"), ["process_instance_id"] = inst.Int("id"),
            ["command_param"] = new JsonObject { ["ProcessInstanceId"] = inst.Int("id") }.ToJsonString(),
            ["task_depend_type"] = inst.Int("task_depend_type"), ["failure_strategy"] = inst.Int("failure_strategy"), ["warning_type"] = inst.Int("warning_type"),
            ["warning_group_id"] = inst.IntOrNull("warning_group_id"), ["schedule_time"] = inst.Date("schedule_time"), ["start_time"] = ctx.Now,
            ["executor_id"] = r.LoginUser.Id, ["update_time"] = ctx.Now, ["process_instance_priority"] = inst.Int("process_instance_priority"),
            ["worker_group"] = inst.Str("worker_group"), ["tenant_code"] = inst.Has("tenant_code") ? inst.Str("tenant_code") : "default",
            ["environment_code"] = inst.Long("environment_code"), ["dry_run"] = inst.Int("dry_run"), ["test_flag"] = 0,
        };
        if (ctx.Dialect.StartResult == StartResultShape.InstanceIds) await ctx.Master.TriggerNowAsync(command).ConfigureAwait(false);
        else await ctx.Db.InsertAsync("t_ds_command", command).ConfigureAwait(false);
    }
}
