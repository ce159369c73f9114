using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DsOps.Emulator.Hosting;

namespace DsOps.Emulator.Api;

/// <summary>batch-export (raw JSON file, no envelope) and import (multipart "file"), docs/ds-facts.md §4.6.</summary>
public static class ImportExport
{
    public static async Task<object?> ExportAsync(EmulatorContext ctx, WorkflowStore store, DsRequest r)
    {
        var projectCode = r.PathLong(0);
        await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
        var list = new JsonArray();
        foreach (var code in WorkflowDefinitionApi.ParseCodes(r.Required("codes")))
        {
            var def = await store.FindAsync(projectCode, code).ConfigureAwait(false);
            if (def is null) continue; // DS skips codes it cannot find
            var dag = await store.DagDataAsync(def).ConfigureAwait(false);
            var tasks = await ctx.Db.QueryAsync(
                "SELECT l.*, u.user_name FROM t_ds_task_definition_log l JOIN t_ds_process_task_relation r ON r.post_task_code = l.code AND r.post_task_version = l.version " +
                "LEFT JOIN t_ds_user u ON u.id = l.user_id WHERE r.process_definition_code = @code ORDER BY l.id", new { code }).ConfigureAwait(false);
            dag["taskDefinitionList"] = new JsonArray(tasks.Select(t => (JsonNode)store.TaskJson(t)).ToArray());
            var schedule = await ctx.Db.QuerySingleAsync("SELECT * FROM t_ds_schedules WHERE process_definition_code = @code", new { code }).ConfigureAwait(false);
            if (schedule is not null)
            {
                var s = SchedulesApi.ToJson(ctx, schedule, def);
                s["releaseState"] = "OFFLINE"; // always exported offline
                dag["schedule"] = s;
            }
            list.Add(dag);
        }
        return new RawReply("application/json", list.ToJsonString(DsJson.Options), "workflow_" + ctx.Now.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + ".json");
    }

    public static async Task<object?> ImportAsync(EmulatorContext ctx, WorkflowStore store, DsRequest r)
    {
        var projectCode = r.PathLong(0);
        await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
        var file = r.Files?.GetFile("file") ?? throw new DsBindingException("Required request part 'file' is not present");
        string text;
        using (var reader = new StreamReader(file.OpenReadStream())) text = await reader.ReadToEndAsync().ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(text)) throw new DsServiceException("DATA_IS_NULL", "fileContent");
        JsonArray items;
        try { items = JsonNode.Parse(text) as JsonArray ?? throw new DsServiceException(50029); }
        catch (JsonException) { throw new DsServiceException(50029); }

        var stamp = ctx.Now.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "000";
        var defKey = ctx.Dialect.DagDefinitionKey;
        var relKey = ctx.Dialect.DagRelationListKey;
        await ctx.Db.InTransactionAsync(async (conn, tx) =>
        {
            foreach (var item in items.OfType<JsonObject>())
            {
                var def = item[defKey] as JsonObject ?? throw new DsServiceException("DATA_IS_NULL", ctx.V33 ? "WorkflowDefinition" : "ProcessDefinition");
                var taskList = item["taskDefinitionList"] as JsonArray;
                if (taskList is null || taskList.Count == 0) throw new DsServiceException("DATA_IS_NULL", "TaskDefinitionList");
                var relList = item[relKey] as JsonArray;
                if (relList is null || relList.Count == 0) throw new DsServiceException("DATA_IS_NULL", ctx.V33 ? "WorkflowTaskRelationList" : "ProcessTaskRelationList");

                // New codes for every task; relations and locations follow them.
                var remap = new Dictionary<long, long>();
                var newTasks = new JsonArray();
                foreach (var t in taskList.OfType<JsonObject>())
                {
                    var copy = (JsonObject)t.DeepClone();
                    var newCode = ctx.Codes.Next();
                    remap[WorkflowDag.Long(t["code"])] = newCode;
                    copy["code"] = newCode;
                    copy["version"] = 0;
                    // 3.0.1 also renames every task (3.3-dev keeps task names; 3.2 assumed like 3.3 — unverified).
                    if (!ctx.V32Plus) copy["name"] = WorkflowDag.Str(t["name"]) + "_import_" + stamp;
                    newTasks.Add(copy);
                }
                var newRelations = new JsonArray();
                foreach (var rel in relList.OfType<JsonObject>())
                {
                    var pre = WorkflowDag.Long(rel["preTaskCode"]);
                    var post = WorkflowDag.Long(rel["postTaskCode"]);
                    newRelations.Add(new JsonObject
                    {
                        ["name"] = WorkflowDag.Str(rel["name"]) ?? "",
                        ["preTaskCode"] = pre == 0 ? 0 : remap.GetValueOrDefault(pre, pre),
                        ["postTaskCode"] = remap.GetValueOrDefault(post, post),
                        ["conditionType"] = WorkflowDag.Str(rel["conditionType"]) ?? "NONE",
                        ["conditionParams"] = rel["conditionParams"]?.DeepClone() ?? new JsonObject(),
                    });
                }
                var tasks = WorkflowDag.ParseTasks(newTasks.ToJsonString(), ctx.V33);
                var relations = WorkflowDag.ParseRelations(newRelations.ToJsonString());
                WorkflowDag.CheckRelations(tasks, relations, ctx.V33);

                var baseName = (WorkflowDag.Str(def["name"]) ?? "workflow") + "_import_" + stamp;
                var name = baseName;
                for (var n = 1; await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_process_definition WHERE project_code = @projectCode AND name = @name",
                         new { projectCode, name }, conn, tx).ConfigureAwait(false) > 0; n++)
                    name = $"{baseName}({n})";

                var locations = WorkflowDag.Str(def["locations"]);
                if (!string.IsNullOrEmpty(locations) && JsonNode.Parse(locations) is JsonArray locs)
                {
                    foreach (var l in locs.OfType<JsonObject>())
                        if (remap.TryGetValue(WorkflowDag.Long(l["taskCode"]), out var nc)) l["taskCode"] = nc;
                    locations = locs.ToJsonString();
                }
                var fields = new WorkflowFields(name, WorkflowDag.Str(def["description"]) ?? "", WorkflowDag.Str(def["globalParams"]) ?? "[]",
                    string.IsNullOrEmpty(locations) ? null : locations, (int)WorkflowDag.Long(def["timeout"]),
                    DsEnums.Code(DsEnums.ExecutionType, WorkflowDag.Str(def["executionType"]), 0), -1);
                var (code, _) = await store.SaveAsync(conn, tx, projectCode, null, fields, tasks, relations, r.LoginUser.Id).ConfigureAwait(false);

                if (item["schedule"] is JsonObject s)
                {
                    var now = ctx.Now;
                    await ctx.Db.InsertAsync(conn, tx, "t_ds_schedules", new Dictionary<string, object?>
                    {
                        ["process_definition_code"] = code,
                        ["start_time"] = ParseDate(s["startTime"]) ?? now, ["end_time"] = ParseDate(s["endTime"]) ?? now.AddYears(100),
                        ["timezone_id"] = WorkflowDag.Str(s["timezoneId"]), ["crontab"] = WorkflowDag.Str(s["crontab"]),
                        ["failure_strategy"] = DsEnums.Code(DsEnums.FailureStrategy, WorkflowDag.Str(s["failureStrategy"]), 1),
                        ["user_id"] = r.LoginUser.Id, ["release_state"] = 0,
                        ["warning_type"] = DsEnums.Code(DsEnums.WarningType, WorkflowDag.Str(s["warningType"]), 0),
                        ["warning_group_id"] = (int)WorkflowDag.Long(s["warningGroupId"]),
                        ["process_instance_priority"] = DsEnums.Code(DsEnums.Priority, WorkflowDag.Str(s[ctx.V33 ? "workflowInstancePriority" : "processInstancePriority"]), 2),
                        ["worker_group"] = WorkflowDag.Str(s["workerGroup"]) ?? "default",
                        ["tenant_code"] = WorkflowDag.Str(s["tenantCode"]) ?? "default",
                        ["environment_code"] = s["environmentCode"] is null ? -1 : WorkflowDag.Long(s["environmentCode"]),
                        ["create_time"] = now, ["update_time"] = now,
                    }).ConfigureAwait(false);
                }
            }
        }).ConfigureAwait(false);
        return null;
    }

    private static DateTime? ParseDate(JsonNode? n) => DsJson.TryParseDate(WorkflowDag.Str(n), out var d) ? d : null;
}
