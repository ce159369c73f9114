using System.Text.Json;
using System.Text.Json.Nodes;
using DsOps.Emulator.Hosting;
using DsOps.Emulator.Simulation;
using DsOps.Emulator.Storage;

namespace DsOps.Emulator.Api;

/// <summary>/projects/{p}/schedules (docs/ds-facts.md §3.4, §4.7).</summary>
public static class SchedulesApi
{
    private sealed record ScheduleParam(DateTime Start, DateTime End, string Crontab, string? TimezoneId);

    public static void Register(EmulatorContext ctx, HandlerTable t)
    {
        var store = new WorkflowStore(ctx);
        var wfCode = ctx.Dialect.WorkflowCodeParameter;
        var priorityParam = ctx.Dialect.WorkflowInstancePriorityParameter;
        const string seg = "/projects/{projectCode}/schedules";

        t.Map("POST", seg, async r =>
        {
            var projectCode = r.PathLong(0);
            await ProjectsApi.RequireAsync(ctx, r, projectCode, 10018).ConfigureAwait(false);
            var code = r.Long(wfCode);
            var def = await store.FindAsync(projectCode, code).ConfigureAwait(false) ?? throw new DsServiceException(50003, code);
            // 3.0.1 requires the workflow to be online (verified); assumed for 3.2/3.3 too (dsctl notes the same for 3.4.1).
            if (def.Int("release_state") != 1) throw new DsServiceException(50004, def.Str("name"), def.Int("version"));
            var p = ParseSchedule(r.Required("schedule"));
            if (ctx.Status.Contains("SCHEDULE_ALREADY_EXISTS"))
            {
                var existing = await ctx.Db.QuerySingleAsync("SELECT id FROM t_ds_schedules WHERE process_definition_code = @code", new { code }).ConfigureAwait(false);
                if (existing is not null) throw new DsServiceException("SCHEDULE_ALREADY_EXISTS", code, existing.Int("id"));
            }
            var now = ctx.Now;
            var id = await ctx.Db.InsertAsync("t_ds_schedules", new Dictionary<string, object?>
            {
                ["process_definition_code"] = code, ["start_time"] = p.Start, ["end_time"] = p.End, ["timezone_id"] = p.TimezoneId,
                ["crontab"] = p.Crontab,
                ["failure_strategy"] = DsEnums.Code(DsEnums.FailureStrategy, r.Enum("failureStrategy", DsEnums.FailureStrategy), 1),
                ["user_id"] = r.LoginUser.Id, ["release_state"] = 0,
                ["warning_type"] = DsEnums.Code(DsEnums.WarningType, r.Enum("warningType", DsEnums.WarningType), 0),
                ["warning_group_id"] = r.Int("warningGroupId", 1),
                ["process_instance_priority"] = DsEnums.Code(DsEnums.Priority, r.Enum(priorityParam, DsEnums.Priority), 2),
                ["worker_group"] = r.Str("workerGroup") ?? "default", ["tenant_code"] = r.Str("tenantCode") ?? "default",
                ["environment_code"] = r.Long("environmentCode", -1), ["create_time"] = now, ["update_time"] = now,
            }).ConfigureAwait(false);
            return await GetJsonAsync(ctx, store, (int)id).ConfigureAwait(false);
        });

        async Task<object?> Update(DsRequest r, Row s)
        {
            if (s.Int("release_state") == 1) throw new DsServiceException(10023);
            var p = ParseSchedule(r.Required("schedule"));
            var id = s.Int("id");
            await ctx.Db.ExecAsync("UPDATE t_ds_schedules SET start_time = @start, end_time = @end, timezone_id = @tz, crontab = @cron, failure_strategy = @fs, " +
                "warning_type = @wt, warning_group_id = @wg, process_instance_priority = @prio, worker_group = @workerGroup, environment_code = @env, update_time = @now" +
                (ctx.Db.HasColumn("t_ds_schedules", "tenant_code") ? ", tenant_code = @tenant" : "") + " WHERE id = @id",
                new
                {
                    start = p.Start, end = p.End, tz = p.TimezoneId, cron = p.Crontab,
                    fs = DsEnums.Code(DsEnums.FailureStrategy, r.Enum("failureStrategy", DsEnums.FailureStrategy), 0),
                    wt = DsEnums.Code(DsEnums.WarningType, r.Enum("warningType", DsEnums.WarningType), 0),
                    wg = r.IntOrNull("warningGroupId") ?? s.IntOrNull("warning_group_id"),
                    prio = DsEnums.Code(DsEnums.Priority, r.Enum(priorityParam, DsEnums.Priority), 2),
                    workerGroup = r.Str("workerGroup") ?? "default", env = r.Long("environmentCode", -1), now = ctx.Now,
                    tenant = r.Str("tenantCode") ?? "default", id,
                }).ConfigureAwait(false);
            return await GetJsonAsync(ctx, store, id).ConfigureAwait(false);
        }

        t.Map("PUT", seg + "/{id}", async r =>
        {
            await ProjectsApi.RequireAsync(ctx, r, r.PathLong(0), 10018).ConfigureAwait(false);
            return await Update(r, await FindAsync(ctx, (int)r.PathLong(1)).ConfigureAwait(false)).ConfigureAwait(false);
        });

        t.Map("PUT", seg + "/update/{code}", async r =>
        {
            await ProjectsApi.RequireAsync(ctx, r, r.PathLong(0), 10018).ConfigureAwait(false);
            var code = r.PathLong(1);
            var s = await ctx.Db.QuerySingleAsync("SELECT * FROM t_ds_schedules WHERE process_definition_code = @code", new { code }).ConfigureAwait(false)
                ?? throw new DsServiceException(10022, code);
            return await Update(r, s).ConfigureAwait(false);
        });

        t.Map("POST", seg + "/{id}/online", async r =>
        {
            var projectCode = r.PathLong(0);
            await ProjectsApi.RequireAsync(ctx, r, projectCode, 10018).ConfigureAwait(false);
            var s = await FindAsync(ctx, (int)r.PathLong(1)).ConfigureAwait(false);
            if (s.Int("release_state") == 1) throw new DsServiceException(10126, "ONLINE");
            var code = s.Long("process_definition_code");
            var def = await store.FindAsync(projectCode, code).ConfigureAwait(false) ?? throw new DsServiceException(50003, code);
            if (def.Int("release_state") != 1) throw new DsServiceException(50004, def.Str("name"), def.Int("version"));
            await ctx.Db.ExecAsync("UPDATE t_ds_schedules SET release_state = 1, update_time = @now WHERE id = @id", new { now = ctx.Now, id = s.Int("id") }).ConfigureAwait(false);
            ctx.Master.ScheduleOnline(s.Int("id"));
            return null;
        });

        t.Map("POST", seg + "/{id}/offline", async r =>
        {
            await ProjectsApi.RequireAsync(ctx, r, r.PathLong(0), 10018).ConfigureAwait(false);
            var s = await FindAsync(ctx, (int)r.PathLong(1)).ConfigureAwait(false);
            if (s.Int("release_state") == 0) throw new DsServiceException(10126, "OFFLINE");
            await ctx.Db.ExecAsync("UPDATE t_ds_schedules SET release_state = 0, update_time = @now WHERE id = @id", new { now = ctx.Now, id = s.Int("id") }).ConfigureAwait(false);
            return null;
        });

        t.Map("DELETE", seg + "/{id}", async r =>
        {
            await ProjectsApi.RequireAsync(ctx, r, r.PathLong(0), 10018).ConfigureAwait(false);
            var s = await FindAsync(ctx, (int)r.PathLong(1)).ConfigureAwait(false);
            if (s.Int("release_state") == 1) throw new DsServiceException(50023, s.Int("id"));
            await ctx.Db.ExecAsync("DELETE FROM t_ds_schedules WHERE id = @id", new { id = s.Int("id") }).ConfigureAwait(false);
            return null;
        });

        t.Map("GET", seg, async r =>
        {
            var projectCode = r.PathLong(0);
            await ProjectsApi.RequireAsync(ctx, r, projectCode, 10018).ConfigureAwait(false);
            var (pageNo, pageSize) = r.Paging();
            var args = new { projectCode, code = r.Long(wfCode), search = "%" + (r.Str("searchVal") ?? "") + "%", offset = (pageNo - 1) * pageSize, pageSize };
            const string where = "d.project_code = @projectCode AND (@code = 0 OR s.process_definition_code = @code) AND d.name LIKE @search";
            var total = await ctx.Db.ScalarAsync($"SELECT COUNT(*) FROM t_ds_schedules s JOIN t_ds_process_definition d ON d.code = s.process_definition_code WHERE {where}", args).ConfigureAwait(false);
            var rows = await ctx.Db.QueryAsync(ScheduleSelect + $" WHERE {where} ORDER BY s.update_time DESC, s.id DESC LIMIT @offset, @pageSize", args).ConfigureAwait(false);
            return r.PageInfo(pageNo, pageSize, total, new JsonArray(rows.Select(x => (JsonNode)ToJson(ctx, x, x)).ToArray()));
        });

        t.Map("POST", seg + "/list", async r =>
        {
            var projectCode = r.PathLong(0);
            await ProjectsApi.RequireAsync(ctx, r, projectCode, 10018).ConfigureAwait(false);
            var rows = await ctx.Db.QueryAsync(ScheduleSelect + " WHERE d.project_code = @projectCode ORDER BY s.id", new { projectCode }).ConfigureAwait(false);
            return new JsonArray(rows.Select(x => (JsonNode)ToJson(ctx, x, x)).ToArray());
        });

        t.Map("POST", seg + "/preview", r =>
        {
            var p = ParseSchedule(r.Required("schedule"));
            var cron = QuartzCron.Parse(p.Crontab);
            var from = p.Start > ctx.Now ? p.Start.AddSeconds(-1) : ctx.Now;
            var list = new JsonArray();
            foreach (var fire in cron.Between(from, p.End).Take(5)) list.Add(DsJson.Format(fire));
            return Task.FromResult<object?>(list);
        });
    }

    private const string ScheduleSelect =
        "SELECT s.*, d.name AS definition_name, d.description AS definition_description, p.name AS project_name, u.user_name " +
        "FROM t_ds_schedules s JOIN t_ds_process_definition d ON d.code = s.process_definition_code " +
        "LEFT JOIN t_ds_project p ON p.code = d.project_code LEFT JOIN t_ds_user u ON u.id = s.user_id";

    private static async Task<Row> FindAsync(EmulatorContext ctx, int id) =>
        await ctx.Db.QuerySingleAsync("SELECT * FROM t_ds_schedules WHERE id = @id", new { id }).ConfigureAwait(false)
        ?? throw new DsServiceException(10022, id);

    private static async Task<JsonObject> GetJsonAsync(EmulatorContext ctx, WorkflowStore store, int id)
    {
        var row = await ctx.Db.QuerySingleAsync(ScheduleSelect + " WHERE s.id = @id", new { id }).ConfigureAwait(false);
        return ToJson(ctx, row!, row!);
    }

    /// <summary>The `schedule` JSON parameter: start/end "yyyy-MM-dd HH:mm:ss", a Quartz crontab (10001 if invalid),
    /// start == end → 10141, start &gt; end → 80003.</summary>
    private static ScheduleParam ParseSchedule(string json)
    {
        JsonObject? o;
        try { o = JsonNode.Parse(json) as JsonObject; }
        catch (JsonException) { o = null; }
        if (o is null) throw new DsServiceException(10001, "schedule");
        if (!DsJson.TryParseDate(WorkflowDag.Str(o["startTime"]), out var start)) throw new DsServiceException(10001, "startTime");
        if (!DsJson.TryParseDate(WorkflowDag.Str(o["endTime"]), out var end)) throw new DsServiceException(10001, "endTime");
        if (start == end) throw new DsServiceException("SCHEDULE_START_TIME_END_TIME_SAME");
        if (start > end) throw new DsServiceException(80003);
        var cron = WorkflowDag.Str(o["crontab"]) ?? "";
        if (!QuartzCron.IsValid(cron)) throw new DsServiceException(10001, cron);
        return new ScheduleParam(start, end, cron, WorkflowDag.Str(o["timezoneId"]));
    }

    public static JsonObject ToJson(EmulatorContext ctx, Row s, Row def)
    {
        var wf = ctx.V33 ? "workflow" : "process";
        var json = new JsonObject
        {
            ["id"] = s.Int("id"),
            [wf + "DefinitionCode"] = s.Long("process_definition_code"),
            [wf + "DefinitionName"] = def.Str(def.Has("definition_name") ? "definition_name" : "name"),
            ["projectName"] = s.Str("project_name"),
            ["definitionDescription"] = def.Str(def.Has("definition_description") ? "definition_description" : "description"),
            ["startTime"] = DsJson.Date(s.Date("start_time")), ["endTime"] = DsJson.Date(s.Date("end_time")),
            ["timezoneId"] = s.Str("timezone_id"), ["crontab"] = s.Str("crontab"),
            ["failureStrategy"] = DsEnums.Name(DsEnums.FailureStrategy, s.IntOrNull("failure_strategy")),
            ["warningType"] = DsEnums.Name(DsEnums.WarningType, s.IntOrNull("warning_type")),
            ["createTime"] = DsJson.Date(s.Date("create_time")), ["updateTime"] = DsJson.Date(s.Date("update_time")),
            ["userId"] = s.Int("user_id"), ["userName"] = s.Str("user_name"),
            ["releaseState"] = DsEnums.Name(DsEnums.ReleaseState, s.IntOrNull("release_state")),
            ["warningGroupId"] = s.IntOrNull("warning_group_id"),
            [wf + "InstancePriority"] = DsEnums.Name(DsEnums.Priority, s.IntOrNull("process_instance_priority")),
            ["workerGroup"] = s.Str("worker_group"), ["environmentCode"] = s.Long("environment_code"),
        };
        if (s.Has("tenant_code")) json["tenantCode"] = s.Str("tenant_code");
        return json;
    }
}
