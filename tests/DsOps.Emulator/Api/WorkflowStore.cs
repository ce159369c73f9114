using System.Text.Json.Nodes;
using DsOps.Emulator.Hosting;
using DsOps.Emulator.Storage;
using MySqlConnector;

namespace DsOps.Emulator.Api;

/// <summary>Definition-level fields of a workflow save.</summary>
public sealed record WorkflowFields(string Name, string Description, string GlobalParams, string? Locations, int Timeout, int ExecutionType, int TenantId);

/// <summary>
/// Saving and reading workflow definitions in DS's tables: current rows in t_ds_process_definition,
/// t_ds_task_definition, t_ds_process_task_relation and every saved version in their _log tables.
/// A task gets a new version only when its content changed; the workflow gets a new version only when its
/// fields, its tasks' versions or its relations changed ("no new version when nothing changed").
/// </summary>
public sealed class WorkflowStore(EmulatorContext ctx)
{
    private MetadataDb Db => ctx.Db;

    public async Task<(long Code, int Version)> SaveAsync(MySqlConnection conn, MySqlTransaction tx, long projectCode, Row? existing,
        WorkflowFields f, List<TaskSpec> tasks, List<RelationSpec> relations, int userId, long? newCode = null)
    {
        var now = ctx.Now;
        var codes = tasks.Select(t => t.Code).ToList();
        var inList = string.Join(",", codes.Select((_, i) => "@c" + i));
        var codeArgs = codes.Select((c, i) => new KeyValuePair<string, object?>("c" + i, c)).ToList();
        // Every saved task has log rows; the log is indexed on (code, version) while t_ds_task_definition has no
        // index on code in DS's DDL, so the current rows are only looked up for codes the log knows.
        var maxLog = (await Db.QueryAsync($"SELECT code, MAX(version) AS v FROM t_ds_task_definition_log WHERE code IN ({inList}) GROUP BY code", codeArgs, conn, tx).ConfigureAwait(false))
            .ToDictionary(r => r.Long("code"), r => r.Int("v"));
        var known = codes.Where(maxLog.ContainsKey).ToList();
        var current = known.Count == 0 ? new Dictionary<long, Row>()
            : (await Db.QueryAsync($"SELECT * FROM t_ds_task_definition WHERE code IN ({string.Join(",", known.Select((_, i) => "@k" + i))})",
                known.Select((c, i) => new KeyValuePair<string, object?>("k" + i, c)).ToList(), conn, tx).ConfigureAwait(false)).ToDictionary(r => r.Long("code"));

        var newTaskRows = new List<IReadOnlyDictionary<string, object?>>();
        var logRows = new List<IReadOnlyDictionary<string, object?>>();
        foreach (var t in tasks)
        {
            if (current.TryGetValue(t.Code, out var row))
            {
                if (TaskFromRow(row).ContentKey == t.ContentKey)
                {
                    t.Version = row.Int("version");
                    continue;
                }
                t.Version = Math.Max(maxLog.GetValueOrDefault(t.Code), row.Int("version")) + 1;
                var update = TaskColumns(t, projectCode, userId, now);
                update.Remove("create_time");
                update.Remove("code");
                var set = string.Join(", ", update.Keys.Where(k => Db.HasColumn("t_ds_task_definition", k)).Select(k => $"`{Db.Sql(k)}` = @{k}"));
                // By primary key, as DS's updateById does: t_ds_task_definition has no index on code, so a WHERE on
                // code would lock every row of the table and serialize (or deadlock) parallel saves.
                update["id"] = row.Long("id");
                await Db.ExecAsync($"UPDATE t_ds_task_definition SET {set} WHERE id = @id", update, conn, tx).ConfigureAwait(false);
            }
            else
            {
                t.Version = maxLog.GetValueOrDefault(t.Code) + 1;
                newTaskRows.Add(TaskColumns(t, projectCode, userId, now));
            }
            var log = TaskColumns(t, projectCode, userId, now);
            log["operator"] = userId;
            log["operate_time"] = now;
            logRows.Add(log);
        }
        await Db.InsertAsync(conn, tx, "t_ds_task_definition", newTaskRows).ConfigureAwait(false);
        await Db.InsertAsync(conn, tx, "t_ds_task_definition_log", logRows).ConfigureAwait(false);

        var versionOf = tasks.ToDictionary(t => t.Code, t => t.Version);
        foreach (var r in relations)
        {
            r.PreTaskVersion = r.PreTaskCode == 0 ? 0 : versionOf[r.PreTaskCode];
            r.PostTaskVersion = versionOf[r.PostTaskCode];
        }

        long code;
        int version;
        if (existing is null)
        {
            code = newCode ?? ctx.Codes.Next();
            version = 1;
            var def = DefinitionColumns(f, code, version, projectCode, userId, now);
            def["create_time"] = now;
            await Db.InsertAsync(conn, tx, "t_ds_process_definition", def).ConfigureAwait(false);
        }
        else
        {
            code = existing.Long("code");
            // DS's relation statements name the project too, so they use idx_code(project_code, process_definition_code).
            var oldRelations = await Db.QueryAsync("SELECT * FROM t_ds_process_task_relation WHERE project_code = @projectCode AND process_definition_code = @code",
                new { projectCode, code }, conn, tx).ConfigureAwait(false);
            var oldKeys = oldRelations.Select(RelationKey).OrderBy(k => k, StringComparer.Ordinal);
            var newKeys = relations.Select(r => r.Key).OrderBy(k => k, StringComparer.Ordinal);
            var fieldsChanged = existing.Str("name") != f.Name || (existing.Str("description") ?? "") != f.Description
                || (existing.Str("global_params") ?? "[]") != f.GlobalParams || existing.Str("locations") != f.Locations
                || existing.Int("timeout") != f.Timeout || existing.Int("execution_type") != f.ExecutionType
                || (existing.Has("tenant_id") && existing.Int("tenant_id") != f.TenantId);
            if (!fieldsChanged && oldKeys.SequenceEqual(newKeys, StringComparer.Ordinal))
                return (code, existing.Int("version"));

            version = (int)await Db.ScalarAsync("SELECT COALESCE(MAX(version), 0) FROM t_ds_process_definition_log WHERE code = @code", new { code }, conn, tx).ConfigureAwait(false) + 1;
            version = Math.Max(version, existing.Int("version") + 1);
            var def = DefinitionColumns(f, code, version, projectCode, userId, now);
            def.Remove("user_id"); // the creator stays; the log records who changed it
            var set = string.Join(", ", def.Keys.Where(k => k != "code" && Db.HasColumn("t_ds_process_definition", k)).Select(k => $"`{Db.Sql(k)}` = @{k}"));
            def["id"] = existing.Long("id"); // updateById, as DS does
            await Db.ExecAsync($"UPDATE t_ds_process_definition SET {set} WHERE id = @id", def, conn, tx).ConfigureAwait(false);
            // DS's deleteByCode: "WHERE project_code = ? AND process_definition_code = ?" (idx_code), which locks only
            // this workflow's relations. Without the project the delete scans and locks the whole relation table and
            // parallel saves of different workflows deadlock (DS error 10107).
            await Db.ExecAsync("DELETE FROM t_ds_process_task_relation WHERE project_code = @projectCode AND process_definition_code = @code",
                new { projectCode, code }, conn, tx).ConfigureAwait(false);
            // Tasks that left the workflow keep their t_ds_task_definition row: DS's update upserts the tasks it is
            // given and replaces the relations, and deletes no task definition (3.0.0 to 3.2.2 and dev of 2024-10
            // read; DS#6418). They are orphans until the task-definition delete route (3.0-3.2) removes them.
        }

        var defLog = await Db.QuerySingleAsync("SELECT * FROM t_ds_process_definition WHERE code = @code", new { code }, conn, tx).ConfigureAwait(false);
        var logRow = defLog!.Where(kv => kv.Key != "id").ToDictionary(kv => Unrename(kv.Key), kv => kv.Value);
        logRow["operator"] = userId;
        logRow["operate_time"] = now;
        await Db.InsertAsync(conn, tx, "t_ds_process_definition_log", logRow).ConfigureAwait(false);

        var relRows = relations.Select(r => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["name"] = r.Name, ["project_code"] = projectCode, ["process_definition_code"] = code, ["process_definition_version"] = version,
            ["pre_task_code"] = r.PreTaskCode, ["pre_task_version"] = r.PreTaskVersion, ["post_task_code"] = r.PostTaskCode,
            ["post_task_version"] = r.PostTaskVersion, ["condition_type"] = r.ConditionType, ["condition_params"] = r.ConditionParams,
            ["create_time"] = now, ["update_time"] = now,
        }).ToList();
        await Db.InsertAsync(conn, tx, "t_ds_process_task_relation", relRows).ConfigureAwait(false);
        var relLogs = relRows.Select(r => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>(r) { ["operator"] = userId, ["operate_time"] = now }).ToList();
        await Db.InsertAsync(conn, tx, "t_ds_process_task_relation_log", relLogs).ConfigureAwait(false);
        return (code, version);
    }

    private string Unrename(string physical) => ctx.V33
        ? physical.Replace("workflow_definition", "process_definition", StringComparison.Ordinal) : physical;

    private static string RelationKey(Row r) => string.Join('|', r.Long("pre_task_code"), r.Int("pre_task_version"), r.Long("post_task_code"),
        r.Int("post_task_version"), r.Int("condition_type"), r.Str("condition_params") ?? "{}");

    private static Dictionary<string, object?> DefinitionColumns(WorkflowFields f, long code, int version, long projectCode, int userId, DateTime now) => new()
    {
        ["code"] = code, ["name"] = f.Name, ["version"] = version, ["description"] = f.Description, ["project_code"] = projectCode,
        ["release_state"] = 0, ["user_id"] = userId, ["global_params"] = f.GlobalParams, ["flag"] = 1, ["locations"] = f.Locations,
        ["warning_group_id"] = null, ["timeout"] = f.Timeout, ["tenant_id"] = f.TenantId, ["execution_type"] = f.ExecutionType,
        ["update_time"] = now,
    };

    private static Dictionary<string, object?> TaskColumns(TaskSpec t, long projectCode, int userId, DateTime now) => new()
    {
        ["code"] = t.Code, ["name"] = t.Name, ["version"] = t.Version, ["description"] = t.Description, ["project_code"] = projectCode,
        ["user_id"] = userId, ["task_type"] = t.TaskType, ["task_execute_type"] = t.TaskExecuteType, ["task_params"] = t.TaskParams,
        ["flag"] = t.Flag, ["is_cache"] = t.IsCache, ["task_priority"] = t.Priority, ["worker_group"] = t.WorkerGroup,
        ["environment_code"] = t.EnvironmentCode, ["fail_retry_times"] = t.FailRetryTimes, ["fail_retry_interval"] = t.FailRetryInterval,
        ["timeout_flag"] = t.TimeoutFlag, ["timeout_notify_strategy"] = t.TimeoutNotifyStrategy, ["timeout"] = t.Timeout,
        ["delay_time"] = t.DelayTime, ["resource_ids"] = "", ["task_group_id"] = t.TaskGroupId, ["task_group_priority"] = t.TaskGroupPriority,
        ["cpu_quota"] = t.CpuQuota, ["memory_max"] = t.MemoryMax, ["create_time"] = now, ["update_time"] = now,
    };

    public static TaskSpec TaskFromRow(Row r) => new()
    {
        Code = r.Long("code"), Version = r.Int("version"), Name = r.Str("name") ?? "", Description = r.Str("description") ?? "",
        TaskType = r.Str("task_type") ?? "", TaskParams = r.Str("task_params") ?? "{}", Flag = r.Int("flag"), Priority = r.Int("task_priority"),
        WorkerGroup = r.Str("worker_group") ?? "default", EnvironmentCode = r.Long("environment_code"), FailRetryTimes = r.Int("fail_retry_times"),
        FailRetryInterval = r.Int("fail_retry_interval"), TimeoutFlag = r.Int("timeout_flag"), TimeoutNotifyStrategy = r.IntOrNull("timeout_notify_strategy"),
        Timeout = r.Int("timeout"), DelayTime = r.Int("delay_time"), TaskGroupId = r.Int("task_group_id"), TaskGroupPriority = r.Int("task_group_priority"),
        CpuQuota = r.Has("cpu_quota") ? r.Int("cpu_quota") : -1, MemoryMax = r.Has("memory_max") ? r.Int("memory_max") : -1,
        TaskExecuteType = r.Has("task_execute_type") ? r.Int("task_execute_type") : 0, IsCache = r.Has("is_cache") ? r.Int("is_cache") : 0,
    };

    // ---------------- reading ----------------

    public async Task<Row?> FindAsync(long projectCode, long code, MySqlConnection? conn = null, MySqlTransaction? tx = null) =>
        await Db.QuerySingleAsync(
            "SELECT d.*, u.user_name, p.name AS project_name FROM t_ds_process_definition d LEFT JOIN t_ds_user u ON u.id = d.user_id " +
            "LEFT JOIN t_ds_project p ON p.code = d.project_code WHERE d.code = @code AND d.project_code = @projectCode",
            new { code, projectCode }, conn, tx).ConfigureAwait(false);

    /// <summary>GET …/{code}: {processDefinition, processTaskRelationList, taskDefinitionList} (3.3: workflow* keys).</summary>
    public async Task<JsonObject> DagDataAsync(Row def)
    {
        var code = def.Long("code");
        var projectCode = def.Long("project_code");
        var relations = await Db.QueryAsync("SELECT * FROM t_ds_process_task_relation WHERE project_code = @projectCode AND process_definition_code = @code ORDER BY id",
            new { projectCode, code }).ConfigureAwait(false);
        var tasks = await Db.QueryAsync(
            "SELECT t.*, u.user_name FROM t_ds_task_definition t LEFT JOIN t_ds_user u ON u.id = t.user_id WHERE t.code IN " +
            "(SELECT post_task_code FROM t_ds_process_task_relation WHERE project_code = @projectCode AND process_definition_code = @code) ORDER BY t.id",
            new { projectCode, code }).ConfigureAwait(false);
        var schedule = await Db.QuerySingleAsync("SELECT release_state FROM t_ds_schedules WHERE process_definition_code = @code", new { code }).ConfigureAwait(false);
        return new JsonObject
        {
            [ctx.Dialect.DagDefinitionKey] = await DefinitionJsonAsync(def, schedule).ConfigureAwait(false),
            [ctx.Dialect.DagRelationListKey] = new JsonArray(relations.Select(r => (JsonNode)RelationJson(r)).ToArray()),
            ["taskDefinitionList"] = new JsonArray(tasks.Select(t => (JsonNode)TaskJson(t)).ToArray()),
        };
    }

    /// <summary>
    /// GET …/all: every DagData of a project with four queries in total (definitions, relations, task definitions,
    /// schedules) instead of several per workflow: DS's DDL has no index on t_ds_task_definition.code, so per-workflow
    /// lookups would scan the table once per workflow and make the emulator, not DsOps, dominate scale benchmarks.
    /// </summary>
    public async Task<JsonArray> AllDagDataAsync(long projectCode)
    {
        var defs = await Db.QueryAsync(
            "SELECT d.*, u.user_name, p.name AS project_name FROM t_ds_process_definition d LEFT JOIN t_ds_user u ON u.id = d.user_id " +
            "LEFT JOIN t_ds_project p ON p.code = d.project_code WHERE d.project_code = @projectCode ORDER BY d.id", new { projectCode }).ConfigureAwait(false);
        var relations = await Db.QueryAsync("SELECT * FROM t_ds_process_task_relation WHERE project_code = @projectCode ORDER BY id", new { projectCode }).ConfigureAwait(false);
        var tasks = await Db.QueryAsync("SELECT t.*, u.user_name FROM t_ds_task_definition t LEFT JOIN t_ds_user u ON u.id = t.user_id " +
            "WHERE t.project_code = @projectCode ORDER BY t.id", new { projectCode }).ConfigureAwait(false);
        var schedules = await Db.QueryAsync("SELECT s.process_definition_code, s.release_state FROM t_ds_schedules s JOIN t_ds_process_definition d " +
            "ON d.code = s.process_definition_code WHERE d.project_code = @projectCode", new { projectCode }).ConfigureAwait(false);

        var relationsByWorkflow = relations.GroupBy(r => r.Long("process_definition_code")).ToDictionary(g => g.Key, g => g.ToList());
        var taskByCode = new Dictionary<long, Row>();
        foreach (var t in tasks) taskByCode.TryAdd(t.Long("code"), t);
        var scheduleByWorkflow = new Dictionary<long, Row>();
        foreach (var sc in schedules) scheduleByWorkflow.TryAdd(sc.Long("process_definition_code"), sc);

        var list = new JsonArray();
        foreach (var def in defs)
        {
            var code = def.Long("code");
            var rels = relationsByWorkflow.GetValueOrDefault(code) ?? new List<Row>();
            var taskRows = rels.Select(r => r.Long("post_task_code")).Distinct().Select(c => taskByCode.GetValueOrDefault(c))
                .Where(t => t is not null).OrderBy(t => t!.Long("id")).ToList();
            list.Add(new JsonObject
            {
                [ctx.Dialect.DagDefinitionKey] = await DefinitionJsonAsync(def, scheduleByWorkflow.GetValueOrDefault(code)).ConfigureAwait(false),
                [ctx.Dialect.DagRelationListKey] = new JsonArray(rels.Select(r => (JsonNode)RelationJson(r)).ToArray()),
                ["taskDefinitionList"] = new JsonArray(taskRows.Select(t => (JsonNode)TaskJson(t!)).ToArray()),
            });
        }
        return list;
    }

    public async Task<JsonObject> DefinitionJsonAsync(Row d, Row? schedule)
    {
        var globalParams = d.Str("global_params") ?? "[]";
        var globalList = DsJson.Raw(globalParams) as JsonArray ?? new JsonArray();
        var globalMap = new JsonObject();
        foreach (var p in globalList.OfType<JsonObject>())
            if (WorkflowDag.Str(p["prop"]) is { } prop) globalMap[prop] = WorkflowDag.Str(p["value"]);
        var json = new JsonObject
        {
            ["id"] = d.Int("id"), ["code"] = d.Long("code"), ["name"] = d.Str("name"), ["version"] = d.Int("version"),
            ["releaseState"] = DsEnums.Name(DsEnums.ReleaseState, d.IntOrNull("release_state")),
            ["projectCode"] = d.Long("project_code"), ["description"] = d.Str("description"),
            ["globalParams"] = globalParams, ["globalParamList"] = globalList.DeepClone(), ["globalParamMap"] = globalMap,
            ["createTime"] = DsJson.Date(d.Date("create_time")), ["updateTime"] = DsJson.Date(d.Date("update_time")),
            ["flag"] = DsEnums.Name(DsEnums.Flag, d.IntOrNull("flag")), ["userId"] = d.Int("user_id"), ["userName"] = d.Str("user_name"),
            ["projectName"] = d.Str("project_name"), ["locations"] = d.Str("locations"),
            ["scheduleReleaseState"] = schedule is null ? null : DsEnums.Name(DsEnums.ReleaseState, schedule.IntOrNull("release_state")),
            ["timeout"] = d.Int("timeout"), ["modifyBy"] = d.Str("user_name"), ["warningGroupId"] = d.IntOrNull("warning_group_id"),
            ["executionType"] = DsEnums.Name(DsEnums.ExecutionType, d.IntOrNull("execution_type")),
        };
        if (d.Has("tenant_id"))
        {
            var tenantId = d.Int("tenant_id");
            json["tenantId"] = tenantId;
            json["tenantCode"] = tenantId == -1 ? "default"
                : (await Db.QuerySingleAsync("SELECT tenant_code FROM t_ds_tenant WHERE id = @tenantId", new { tenantId }).ConfigureAwait(false))?.Str("tenant_code");
        }
        return json;
    }

    public JsonObject RelationJson(Row r)
    {
        var wf = ctx.V33 ? "workflowDefinition" : "processDefinition";
        return new JsonObject
        {
            ["id"] = r.Int("id"), ["name"] = r.Str("name"), [wf + "Version"] = r.Int("process_definition_version"),
            ["projectCode"] = r.Long("project_code"), [wf + "Code"] = r.Long("process_definition_code"),
            ["preTaskCode"] = r.Long("pre_task_code"), ["preTaskVersion"] = r.Int("pre_task_version"),
            ["postTaskCode"] = r.Long("post_task_code"), ["postTaskVersion"] = r.Int("post_task_version"),
            ["conditionType"] = DsEnums.Name(DsEnums.ConditionType, r.IntOrNull("condition_type")),
            ["conditionParams"] = DsJson.Raw(r.Str("condition_params")),
            ["createTime"] = DsJson.Date(r.Date("create_time")), ["updateTime"] = DsJson.Date(r.Date("update_time")),
        };
    }

    public JsonObject TaskJson(Row t)
    {
        var json = new JsonObject
        {
            ["id"] = t.Int("id"), ["code"] = t.Long("code"), ["name"] = t.Str("name"), ["version"] = t.Int("version"),
            ["description"] = t.Str("description"), ["projectCode"] = t.Long("project_code"), ["userId"] = t.Int("user_id"),
            ["taskType"] = t.Str("task_type"), ["taskParams"] = DsJson.Raw(t.Str("task_params")),
            ["flag"] = DsEnums.Name(DsEnums.Flag, t.IntOrNull("flag")), ["taskPriority"] = DsEnums.Name(DsEnums.Priority, t.IntOrNull("task_priority")),
            ["userName"] = t.Str("user_name"), ["workerGroup"] = t.Str("worker_group"), ["environmentCode"] = t.Long("environment_code"),
            ["failRetryTimes"] = t.Int("fail_retry_times"), ["failRetryInterval"] = t.Int("fail_retry_interval"),
            ["timeoutFlag"] = DsEnums.Name(DsEnums.TimeoutFlag, t.IntOrNull("timeout_flag")),
            ["timeoutNotifyStrategy"] = DsEnums.Name(DsEnums.TimeoutStrategy, t.IntOrNull("timeout_notify_strategy")),
            ["timeout"] = t.Int("timeout"), ["delayTime"] = t.Int("delay_time"), ["resourceIds"] = t.Str("resource_ids"),
            ["createTime"] = DsJson.Date(t.Date("create_time")), ["updateTime"] = DsJson.Date(t.Date("update_time")),
            ["modifyBy"] = t.Str("user_name"), ["taskGroupId"] = t.Int("task_group_id"), ["taskGroupPriority"] = t.Int("task_group_priority"),
        };
        if (t.Has("cpu_quota"))
        {
            json["cpuQuota"] = t.Int("cpu_quota");
            json["memoryMax"] = t.Int("memory_max");
            json["taskExecuteType"] = DsEnums.Name(DsEnums.TaskExecuteType, t.IntOrNull("task_execute_type"));
        }
        if (t.Has("is_cache")) json["isCache"] = DsEnums.Name(DsEnums.Flag, t.IntOrNull("is_cache"));
        if (t.Has("operator"))
        {
            json["operator"] = t.Int("operator");
            json["operateTime"] = DsJson.Date(t.Date("operate_time"));
        }
        return json;
    }
}
