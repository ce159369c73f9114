using System.Text.Json.Nodes;
using DsOps.Emulator.Hosting;
using DsOps.Emulator.Simulation;
using DsOps.Emulator.Storage;
using DsOps.Engine.Dialects;

namespace DsOps.Emulator.Api;

/// <summary>Workflow (process) instances and task instances with DS's filters and paging (docs/ds-facts.md §3.6–3.7).</summary>
public static class InstancesApi
{
    public static void Register(EmulatorContext ctx, HandlerTable t)
    {
        var d = ctx.Dialect;
        var seg = "/projects/{projectCode}/" + d.WorkflowInstanceSegment;

        t.Map("GET", seg, async r =>
        {
            var projectCode = r.PathLong(0);
            await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
            var (pageNo, pageSize) = r.Paging();
            var args = new Dictionary<string, object?>
            {
                ["projectCode"] = projectCode, ["code"] = r.Long(d.InstanceListDefinitionParameter), ["search"] = "%" + (r.Str("searchVal") ?? "") + "%",
                ["executor"] = r.Str("executorName") ?? "", ["host"] = "%" + (r.Str("host") ?? "") + "%",
                ["state"] = StateFilter(ctx, r.Str("stateType"), DsStateScope.Workflow),
                ["startDate"] = DateFilter(r.Str("startDate"), "startDate"), ["endDate"] = DateFilter(r.Str("endDate"), "endDate"),
                ["offset"] = (pageNo - 1) * pageSize, ["pageSize"] = pageSize,
            };
            const string where = "d.project_code = @projectCode AND i.is_sub_process = 0 AND (@code = 0 OR i.process_definition_code = @code) " +
                "AND i.name LIKE @search AND (@executor = '' OR u.user_name = @executor) AND COALESCE(i.host, '') LIKE @host " +
                "AND (@state IS NULL OR i.state = @state) AND (@startDate IS NULL OR i.start_time >= @startDate) AND (@endDate IS NULL OR i.start_time <= @endDate)";
            const string from = "FROM t_ds_process_instance i JOIN t_ds_process_definition d ON d.code = i.process_definition_code LEFT JOIN t_ds_user u ON u.id = i.executor_id";
            var total = await ctx.Db.ScalarAsync($"SELECT COUNT(*) {from} WHERE {where}", args).ConfigureAwait(false);
            var rows = await ctx.Db.QueryAsync($"SELECT i.*, u.user_name AS executor_user {from} WHERE {where} ORDER BY i.start_time DESC, i.end_time DESC, i.id DESC LIMIT @offset, @pageSize", args).ConfigureAwait(false);
            return r.PageInfo(pageNo, pageSize, total, new JsonArray(rows.Select(x => (JsonNode)InstanceJson(ctx, x)).ToArray()));
        });

        t.Map("GET", seg + "/{id}", async r =>
        {
            var projectCode = r.PathLong(0);
            await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
            return InstanceJson(ctx, await FindAsync(ctx, projectCode, (int)r.PathLong(1)).ConfigureAwait(false));
        });

        t.Map("GET", seg + "/{id}/tasks", async r =>
        {
            var projectCode = r.PathLong(0);
            await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
            var inst = await FindAsync(ctx, projectCode, (int)r.PathLong(1)).ConfigureAwait(false);
            var tasks = await ctx.Db.QueryAsync("SELECT ti.*, u.user_name AS executor_user FROM t_ds_task_instance ti LEFT JOIN t_ds_user u ON u.id = ti.executor_id " +
                "WHERE ti.process_instance_id = @id AND ti.flag = 1 ORDER BY ti.id", new { id = inst.Int("id") }).ConfigureAwait(false);
            return new JsonObject
            {
                ["taskList"] = new JsonArray(tasks.Select(x => (JsonNode)TaskInstanceJson(ctx, x)).ToArray()),
                [(ctx.V33 ? "workflow" : "process") + "InstanceState"] = d.StateName(inst.Int("state"), DsStateScope.Workflow),
            };
        });

        t.Map("DELETE", seg + "/{id}", async r =>
        {
            var projectCode = r.PathLong(0);
            await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
            await DeleteAsync(ctx, await FindAsync(ctx, projectCode, (int)r.PathLong(1)).ConfigureAwait(false)).ConfigureAwait(false);
            return null;
        });

        t.Map("POST", seg + "/batch-delete", async r =>
        {
            var projectCode = r.PathLong(0);
            await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
            var failed = new List<long>();
            foreach (var id in WorkflowDefinitionApi.ParseCodes(r.Required(d.WorkflowInstanceIdsParameter)))
            {
                try { await DeleteAsync(ctx, await FindAsync(ctx, projectCode, (int)id).ConfigureAwait(false)).ConfigureAwait(false); }
                catch (DsServiceException) { failed.Add(id); }
            }
            if (failed.Count > 0) throw new DsServiceException("BATCH_DELETE_PROCESS_INSTANCE_BY_IDS_ERROR", string.Join(",", failed));
            return null;
        });

        if (d.StartResult == StartResultShape.TriggerCode)
        {
            t.Map("GET", seg + "/trigger", async r =>
            {
                var projectCode = r.PathLong(0);
                await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
                var rows = await ctx.Db.QueryAsync("SELECT i.*, u.user_name AS executor_user FROM t_ds_trigger_relation tr JOIN t_ds_process_instance i ON i.id = tr.job_id " +
                    "LEFT JOIN t_ds_user u ON u.id = i.executor_id WHERE tr.trigger_type = 0 AND tr.trigger_code = @code ORDER BY i.id", new { code = r.Long("triggerCode") }).ConfigureAwait(false);
                return new JsonArray(rows.Select(x => (JsonNode)InstanceJson(ctx, x)).ToArray());
            });
        }

        // ---------------- task instances ----------------
        const string tseg = "/projects/{projectCode}/task-instances";
        t.Map("GET", tseg, async r =>
        {
            var projectCode = r.PathLong(0);
            await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
            var (pageNo, pageSize) = r.Paging();
            var args = new Dictionary<string, object?>
            {
                ["projectCode"] = projectCode, ["instanceId"] = r.Int(d.WorkflowInstanceIdParameter),
                ["instanceName"] = r.Str(d.WorkflowInstanceNameParameter) ?? "", ["definitionName"] = r.Str(d.WorkflowDefinitionNameParameter) ?? "",
                ["search"] = "%" + (r.Str("searchVal") ?? "") + "%", ["taskName"] = r.Str("taskName") ?? "", ["taskCode"] = r.Long("taskCode"),
                ["executor"] = r.Str("executorName") ?? "", ["host"] = "%" + (r.Str("host") ?? "") + "%",
                ["state"] = StateFilter(ctx, r.Str("stateType"), DsStateScope.Task),
                ["startDate"] = DateFilter(r.Str("startDate"), "startDate"), ["endDate"] = DateFilter(r.Str("endDate"), "endDate"),
                ["offset"] = (pageNo - 1) * pageSize, ["pageSize"] = pageSize,
            };
            // DS joins t_ds_task_definition_log on (code, version) to scope task instances to the project.
            const string from = "FROM t_ds_task_instance ti JOIN t_ds_task_definition_log tl ON tl.code = ti.task_code AND tl.version = ti.task_definition_version " +
                "JOIN t_ds_process_instance i ON i.id = ti.process_instance_id JOIN t_ds_process_definition d ON d.code = i.process_definition_code " +
                "LEFT JOIN t_ds_user u ON u.id = ti.executor_id";
            const string where = "tl.project_code = @projectCode AND (@instanceId = 0 OR ti.process_instance_id = @instanceId) " +
                "AND (@instanceName = '' OR i.name = @instanceName) AND (@definitionName = '' OR d.name = @definitionName) AND ti.name LIKE @search " +
                "AND (@taskName = '' OR ti.name = @taskName) AND (@taskCode = 0 OR ti.task_code = @taskCode) AND (@executor = '' OR u.user_name = @executor) " +
                "AND COALESCE(ti.host, '') LIKE @host AND (@state IS NULL OR ti.state = @state) " +
                "AND (@startDate IS NULL OR ti.start_time >= @startDate) AND (@endDate IS NULL OR ti.start_time <= @endDate)";
            var total = await ctx.Db.ScalarAsync($"SELECT COUNT(*) {from} WHERE {where}", args).ConfigureAwait(false);
            var rows = await ctx.Db.QueryAsync($"SELECT ti.*, i.name AS instance_name, u.user_name AS executor_user {from} WHERE {where} " +
                "ORDER BY ti.start_time DESC, ti.id DESC LIMIT @offset, @pageSize", args).ConfigureAwait(false);
            return r.PageInfo(pageNo, pageSize, total, new JsonArray(rows.Select(x => (JsonNode)TaskInstanceJson(ctx, x)).ToArray()));
        });

        // Task-instance actions (force-success, stop): RunControlApi.
    }

    private static async Task<Row> FindAsync(EmulatorContext ctx, long projectCode, int id) =>
        await ctx.Db.QuerySingleAsync("SELECT i.*, u.user_name AS executor_user FROM t_ds_process_instance i JOIN t_ds_process_definition d ON d.code = i.process_definition_code " +
            "LEFT JOIN t_ds_user u ON u.id = i.executor_id WHERE i.id = @id AND d.project_code = @projectCode", new { id, projectCode }).ConfigureAwait(false)
        ?? throw new DsServiceException(50001, id);

    /// <summary>DS refuses to delete an instance that is still executing (50006-style state check; code per status table).</summary>
    private static async Task DeleteAsync(EmulatorContext ctx, Row inst)
    {
        var state = inst.Int("state");
        if (state is SimulatedMaster.Submitted or SimulatedMaster.Running or SimulatedMaster.ReadyPause or SimulatedMaster.ReadyStop or SimulatedMaster.Delay or 14 or 17)
            throw new DsServiceException(50006, inst.Str("name"), ctx.Dialect.StateName(state, DsStateScope.Workflow), "DELETE");
        var id = inst.Int("id");
        await ctx.Db.InTransactionAsync(async (c, tx) =>
        {
            await ctx.Db.ExecAsync("DELETE FROM t_ds_task_instance WHERE process_instance_id = @id", new { id }, c, tx).ConfigureAwait(false);
            await ctx.Db.ExecAsync("DELETE FROM t_ds_relation_process_instance WHERE process_instance_id = @id OR parent_process_instance_id = @id", new { id }, c, tx).ConfigureAwait(false);
            await ctx.Db.ExecAsync("DELETE FROM t_ds_process_instance WHERE id = @id", new { id }, c, tx).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>stateType is a DS enum name for this version; an unknown name fails conversion like Spring does.</summary>
    private static int? StateFilter(EmulatorContext ctx, string? name, DsStateScope scope)
    {
        if (string.IsNullOrEmpty(name)) return null;
        foreach (var code in ctx.Dialect.StateCodes(scope))
            if (ctx.Dialect.StateName(code, scope) == name) return code;
        throw new DsBindingException($"Failed to convert value '{name}' to the {scope} execution status enum");
    }

    private static DateTime? DateFilter(string? text, string name) =>
        string.IsNullOrEmpty(text) ? null : DsJson.TryParseDate(text, out var v) ? v : throw new DsServiceException(10001, name);

    /// <summary>DS's duration text ("1m 5s" style, largest unit first; unverified exact spacing).</summary>
    public static string? Duration(DateTime? start, DateTime? end)
    {
        if (start is null) return null;
        if (end is null) return null;
        var span = end.Value - start.Value;
        var parts = new List<string>();
        if (span.Days > 0) parts.Add(span.Days + "d");
        if (span.Hours > 0) parts.Add(span.Hours + "h");
        if (span.Minutes > 0) parts.Add(span.Minutes + "m");
        if (span.Seconds > 0 || parts.Count == 0) parts.Add(span.Seconds + "s");
        return string.Join(" ", parts);
    }

    public static JsonObject InstanceJson(EmulatorContext ctx, Row i)
    {
        var wf = ctx.V33 ? "workflow" : "process";
        var json = new JsonObject
        {
            ["id"] = i.Int("id"), [wf + "DefinitionCode"] = i.Long("process_definition_code"), [wf + "DefinitionVersion"] = i.Int("process_definition_version"),
            ["state"] = ctx.Dialect.StateName(i.Int("state"), DsStateScope.Workflow),
            ["recovery"] = DsEnums.Name(DsEnums.Flag, i.IntOrNull("recovery")) ?? "NO",
            ["startTime"] = DsJson.Date(i.Date("start_time")), ["endTime"] = DsJson.Date(i.Date("end_time")), ["runTimes"] = i.Int("run_times"),
            ["name"] = i.Str("name"), ["host"] = i.Str("host"), ["commandType"] = DsEnums.Name(DsEnums.CommandType, i.IntOrNull("command_type")),
            ["commandParam"] = i.Str("command_param"), ["taskDependType"] = DsEnums.Name(DsEnums.TaskDependType, i.IntOrNull("task_depend_type")),
            ["maxTryTimes"] = i.Int("max_try_times"), ["failureStrategy"] = DsEnums.Name(DsEnums.FailureStrategy, i.IntOrNull("failure_strategy")),
            ["warningType"] = DsEnums.Name(DsEnums.WarningType, i.IntOrNull("warning_type")), ["warningGroupId"] = i.IntOrNull("warning_group_id"),
            ["scheduleTime"] = DsJson.Date(i.Date("schedule_time")), ["commandStartTime"] = DsJson.Date(i.Date("command_start_time")),
            ["globalParams"] = i.Str("global_params"), ["executorId"] = i.Int("executor_id"),
            ["executorName"] = i.Str(i.Has("executor_user") ? "executor_user" : "executor_name"),
            [ctx.V33 ? "isSubWorkflow" : "isSubProcess"] = DsEnums.Name(DsEnums.Flag, i.IntOrNull("is_sub_process")) ?? "NO",
            ["historyCmd"] = i.Str("history_cmd"), ["duration"] = Duration(i.Date("start_time"), i.Date("end_time")),
            [wf + "InstancePriority"] = DsEnums.Name(DsEnums.Priority, i.IntOrNull("process_instance_priority")),
            ["workerGroup"] = i.Str("worker_group"), ["environmentCode"] = i.Long("environment_code"), ["timeout"] = i.Int("timeout"),
            ["varPool"] = i.Str("var_pool"), ["dryRun"] = i.Int("dry_run"), ["restartTime"] = DsJson.Date(i.Date("restart_time")),
        };
        if (i.Has("project_code")) json["projectCode"] = i.Long("project_code");
        if (i.Has("tenant_code")) json["tenantCode"] = i.Str("tenant_code");
        if (i.Has("tenant_id")) json["tenantId"] = i.Int("tenant_id");
        if (i.Has("state_history")) json["stateHistory"] = i.Str("state_history");
        if (i.Has("test_flag")) json["testFlag"] = i.IntOrNull("test_flag") ?? 0;
        return json;
    }

    public static JsonObject TaskInstanceJson(EmulatorContext ctx, Row t)
    {
        var wf = ctx.V33 ? "workflow" : "process";
        var json = new JsonObject
        {
            ["id"] = t.Int("id"), ["name"] = t.Str("name"), ["taskType"] = t.Str("task_type"), [wf + "InstanceId"] = t.Int("process_instance_id"),
            ["taskCode"] = t.Long("task_code"), ["taskDefinitionVersion"] = t.Int("task_definition_version"),
            [wf + "InstanceName"] = t.Str(t.Has("instance_name") ? "instance_name" : "process_instance_name"),
            ["state"] = ctx.Dialect.StateName(t.Int("state"), DsStateScope.Task),
            ["firstSubmitTime"] = DsJson.Date(t.Date("first_submit_time")), ["submitTime"] = DsJson.Date(t.Date("submit_time")),
            ["startTime"] = DsJson.Date(t.Date("start_time")), ["endTime"] = DsJson.Date(t.Date("end_time")), ["host"] = t.Str("host"),
            ["executePath"] = t.Str("execute_path"), ["logPath"] = t.Str("log_path"), ["retryTimes"] = t.Int("retry_times"),
            ["alertFlag"] = DsEnums.Name(DsEnums.Flag, t.IntOrNull("alert_flag")) ?? "NO", ["pid"] = t.Int("pid"), ["appLink"] = t.Str("app_link"),
            ["flag"] = DsEnums.Name(DsEnums.Flag, t.IntOrNull("flag")), ["duration"] = Duration(t.Date("start_time"), t.Date("end_time")),
            ["maxRetryTimes"] = t.Int("max_retry_times"), ["retryInterval"] = t.Int("retry_interval"),
            ["taskInstancePriority"] = DsEnums.Name(DsEnums.Priority, t.IntOrNull("task_instance_priority")), ["workerGroup"] = t.Str("worker_group"),
            ["environmentCode"] = t.Long("environment_code"), ["executorId"] = t.IntOrNull("executor_id"),
            ["executorName"] = t.Str(t.Has("executor_user") ? "executor_user" : "executor_name"), ["varPool"] = t.Str("var_pool"),
            ["delayTime"] = t.Int("delay_time"), ["dryRun"] = t.Int("dry_run"), ["taskGroupId"] = t.IntOrNull("task_group_id"),
            ["taskParams"] = t.Str("task_params"),
        };
        if (t.Has("project_code")) json["projectCode"] = t.Long("project_code");
        return json;
    }
}
