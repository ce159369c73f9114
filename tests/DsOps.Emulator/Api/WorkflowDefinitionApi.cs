using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DsOps.Emulator.Hosting;
using DsOps.Emulator.Storage;

namespace DsOps.Emulator.Api;

/// <summary>/projects/{p}/process-definition (3.3: workflow-definition), docs/ds-facts.md §3.2.</summary>
public static class WorkflowDefinitionApi
{
    /// <summary>Workflow-instance states that block delete (still executing).</summary>
    public const string InProgressStates = "0, 1, 2, 4, 10, 11, 12, 14, 15, 17";

    public static void Register(EmulatorContext ctx, HandlerTable t)
    {
        var store = new WorkflowStore(ctx);
        var seg = "/projects/{projectCode}/" + ctx.Dialect.WorkflowDefinitionSegment;
        var v33 = ctx.V33;

        t.Map("POST", seg, async r =>
        {
            var projectCode = r.PathLong(0);
            await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
            var name = r.Required("name");
            await CheckNameFreeAsync(ctx, projectCode, name, 0).ConfigureAwait(false);
            var fields = await FieldsAsync(ctx, r, name).ConfigureAwait(false);
            var tasks = WorkflowDag.ParseTasks(r.Str("taskDefinitionJson"), v33);
            var relations = WorkflowDag.ParseRelations(r.Str("taskRelationJson"));
            WorkflowDag.CheckRelations(tasks, relations, v33);
            if (tasks.Select(x => x.Code).Distinct().Count() != tasks.Count)
                throw new DsServiceException(10105); // DS: Java "Duplicate key" surfaces as the create error
            var (code, _) = await ctx.Db.InTransactionAsync((c, tx) =>
                store.SaveAsync(c, tx, projectCode, null, fields, tasks, relations, r.LoginUser.Id)).ConfigureAwait(false);
            var def = await store.FindAsync(projectCode, code).ConfigureAwait(false);
            return await store.DefinitionJsonAsync(def!, null).ConfigureAwait(false);
        });

        t.Map("PUT", seg + "/{code}", async r =>
        {
            var projectCode = r.PathLong(0);
            var code = r.PathLong(1);
            await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
            var def = await store.FindAsync(projectCode, code).ConfigureAwait(false) ?? throw new DsServiceException(50003, code);
            if (def.Int("release_state") == 1) throw new DsServiceException(50008, def.Str("name"));
            var name = r.Required("name");
            await CheckNameFreeAsync(ctx, projectCode, name, code).ConfigureAwait(false);
            var fields = await FieldsAsync(ctx, r, name).ConfigureAwait(false);
            var tasks = WorkflowDag.ParseTasks(r.Str("taskDefinitionJson"), v33);
            var relations = WorkflowDag.ParseRelations(r.Str("taskRelationJson"));
            WorkflowDag.CheckRelations(tasks, relations, v33);
            if (tasks.Select(x => x.Code).Distinct().Count() != tasks.Count) throw new DsServiceException(10107);
            await ctx.Db.InTransactionAsync((c, tx) =>
                store.SaveAsync(c, tx, projectCode, def, fields, tasks, relations, r.LoginUser.Id)).ConfigureAwait(false);
            if (r.Str("releaseState") == "ONLINE") await ReleaseAsync(ctx, store, r, projectCode, code, "ONLINE").ConfigureAwait(false);
            var updated = await store.FindAsync(projectCode, code).ConfigureAwait(false);
            return await store.DefinitionJsonAsync(updated!, null).ConfigureAwait(false);
        });

        t.Map("POST", seg + "/{code}/release", async r =>
        {
            var projectCode = r.PathLong(0);
            await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
            var state = r.Enum("releaseState", DsEnums.ReleaseState) ?? throw new DsServiceException(10001, "releaseState");
            await ReleaseAsync(ctx, store, r, projectCode, r.PathLong(1), state).ConfigureAwait(false);
            return null;
        });

        t.Map("DELETE", seg + "/{code}", async r =>
        {
            var projectCode = r.PathLong(0);
            var code = r.PathLong(1);
            await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
            var def = await store.FindAsync(projectCode, code).ConfigureAwait(false) ?? throw new DsServiceException(50003, code);
            await DeleteAsync(ctx, r, def).ConfigureAwait(false);
            return null;
        });

        t.Map("POST", seg + "/batch-delete", async r =>
        {
            var projectCode = r.PathLong(0);
            await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
            var failed = new List<string>();
            foreach (var code in ParseCodes(r.Required("codes")))
            {
                var def = await store.FindAsync(projectCode, code).ConfigureAwait(false);
                try
                {
                    if (def is null) throw new DsServiceException(50003, code);
                    await DeleteAsync(ctx, r, def).ConfigureAwait(false);
                }
                catch (DsServiceException) { failed.Add(code.ToString(CultureInfo.InvariantCulture)); }
            }
            if (failed.Count > 0) throw new DsServiceException(v33 ? "BATCH_DELETE_WORKFLOW_DEFINE_BY_CODES_ERROR" : "BATCH_DELETE_PROCESS_DEFINE_BY_CODES_ERROR", string.Join(",", failed));
            return null;
        });

        t.Map("GET", seg, async r =>
        {
            var projectCode = r.PathLong(0);
            await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
            var (pageNo, pageSize) = r.Paging();
            var args = new Dictionary<string, object?>
            {
                ["projectCode"] = projectCode, ["search"] = "%" + (r.Str("searchVal") ?? "") + "%", ["userId"] = r.Int("userId"),
                ["offset"] = (pageNo - 1) * pageSize, ["pageSize"] = pageSize,
            };
            const string where = "d.project_code = @projectCode AND d.name LIKE @search AND (@userId = 0 OR d.user_id = @userId)";
            var total = await ctx.Db.ScalarAsync($"SELECT COUNT(*) FROM t_ds_process_definition d WHERE {where}", args).ConfigureAwait(false);
            var rows = await ctx.Db.QueryAsync(
                "SELECT d.*, u.user_name, p.name AS project_name, s.release_state AS schedule_release_state FROM t_ds_process_definition d " +
                "LEFT JOIN t_ds_user u ON u.id = d.user_id LEFT JOIN t_ds_project p ON p.code = d.project_code " +
                $"LEFT JOIN t_ds_schedules s ON s.process_definition_code = d.code WHERE {where} " +
                "ORDER BY d.update_time DESC, d.id DESC LIMIT @offset, @pageSize", args).ConfigureAwait(false);
            var items = new JsonArray();
            foreach (var row in rows)
            {
                var sched = row["schedule_release_state"] is null ? null : new Row { ["release_state"] = row["schedule_release_state"] };
                items.Add(await store.DefinitionJsonAsync(row, sched).ConfigureAwait(false));
            }
            return r.PageInfo(pageNo, pageSize, total, items);
        });

        t.Map("GET", seg + "/{code}", async r =>
        {
            var projectCode = r.PathLong(0);
            await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
            var def = await store.FindAsync(projectCode, r.PathLong(1)).ConfigureAwait(false) ?? throw new DsServiceException(50003, r.PathLong(1));
            return await store.DagDataAsync(def).ConfigureAwait(false);
        });

        t.Map("GET", seg + "/query-by-name", async r =>
        {
            var projectCode = r.PathLong(0);
            await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
            var name = r.Required("name");
            var row = await ctx.Db.QuerySingleAsync("SELECT code FROM t_ds_process_definition WHERE project_code = @projectCode AND name = @name", new { projectCode, name }).ConfigureAwait(false)
                ?? throw new DsServiceException(50003, name);
            return await store.DagDataAsync((await store.FindAsync(projectCode, row.Long("code")).ConfigureAwait(false))!).ConfigureAwait(false);
        });

        t.Map("GET", seg + "/all", async r =>
        {
            var projectCode = r.PathLong(0);
            await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
            return await store.AllDagDataAsync(projectCode).ConfigureAwait(false);
        });

        t.Map("GET", seg + "/list", async r =>
        {
            var projectCode = r.PathLong(0);
            await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
            var rows = await ctx.Db.QueryAsync("SELECT d.*, u.user_name, p.name AS project_name FROM t_ds_process_definition d LEFT JOIN t_ds_user u ON u.id = d.user_id " +
                "LEFT JOIN t_ds_project p ON p.code = d.project_code WHERE d.project_code = @projectCode ORDER BY d.id", new { projectCode }).ConfigureAwait(false);
            var list = new JsonArray();
            foreach (var row in rows) list.Add(await store.DefinitionJsonAsync(row, null).ConfigureAwait(false));
            return list;
        });

        t.Map("GET", seg + "/simple-list", async r =>
        {
            var projectCode = r.PathLong(0);
            await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
            var rows = await ctx.Db.QueryAsync("SELECT id, code, name, project_code FROM t_ds_process_definition WHERE project_code = @projectCode ORDER BY id", new { projectCode }).ConfigureAwait(false);
            return new JsonArray(rows.Select(x => (JsonNode)new JsonObject
            {
                ["id"] = x.Int("id"), ["code"] = x.Long("code"), ["name"] = x.Str("name"), ["projectCode"] = x.Long("project_code"),
            }).ToArray());
        });

        t.Map("GET", seg + "/verify-name", async r =>
        {
            var projectCode = r.PathLong(0);
            await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
            await CheckNameFreeAsync(ctx, projectCode, r.Required("name"), r.Long(v33 ? "workflowDefinitionCode" : "code")).ConfigureAwait(false);
            return null;
        });

        t.Map("GET", seg + "/{code}/versions", async r =>
        {
            var projectCode = r.PathLong(0);
            var code = r.PathLong(1);
            await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
            var (pageNo, pageSize) = r.Paging();
            var total = await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_process_definition_log WHERE code = @code", new { code }).ConfigureAwait(false);
            var rows = await ctx.Db.QueryAsync("SELECT l.*, u.user_name FROM t_ds_process_definition_log l LEFT JOIN t_ds_user u ON u.id = l.operator " +
                "WHERE l.code = @code ORDER BY l.version DESC LIMIT @offset, @pageSize", new { code, offset = (pageNo - 1) * pageSize, pageSize }).ConfigureAwait(false);
            var items = new JsonArray();
            foreach (var row in rows)
            {
                var j = await store.DefinitionJsonAsync(row, null).ConfigureAwait(false);
                j["operator"] = row.Int("operator");
                j["operateTime"] = DsJson.Date(row.Date("operate_time"));
                items.Add(j);
            }
            return r.PageInfo(pageNo, pageSize, total, items);
        });

        t.Map("GET", seg + "/{code}/versions/{version}", async r =>
        {
            var projectCode = r.PathLong(0);
            var code = r.PathLong(1);
            var version = (int)r.PathLong(2);
            await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
            var def = await store.FindAsync(projectCode, code).ConfigureAwait(false)
                ?? throw new DsServiceException(v33 ? "SWITCH_WORKFLOW_DEFINITION_VERSION_NOT_EXIST_WORKFLOW_DEFINITION_ERROR" : "SWITCH_PROCESS_DEFINITION_VERSION_NOT_EXIST_PROCESS_DEFINITION_ERROR", code);
            await SwitchVersionAsync(ctx, def, version).ConfigureAwait(false);
            return null;
        });

        t.Map("DELETE", seg + "/{code}/versions/{version}", async r =>
        {
            var projectCode = r.PathLong(0);
            var code = r.PathLong(1);
            var version = (int)r.PathLong(2);
            await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
            var def = await store.FindAsync(projectCode, code).ConfigureAwait(false) ?? throw new DsServiceException(50003, code);
            if (def.Int("version") == version) throw new DsServiceException(50053);
            await ctx.Db.InTransactionAsync(async (c, tx) =>
            {
                await ctx.Db.ExecAsync("DELETE FROM t_ds_process_definition_log WHERE code = @code AND version = @version", new { code, version }, c, tx).ConfigureAwait(false);
                await ctx.Db.ExecAsync("DELETE FROM t_ds_process_task_relation_log WHERE process_definition_code = @code AND process_definition_version = @version", new { code, version }, c, tx).ConfigureAwait(false);
            }).ConfigureAwait(false);
            return null;
        });

        if (ctx.Dialect.HasImportExport)
        {
            // Removed in 3.4.1 (DSIP-104): the route then answers like any unmapped path.
            t.Map("POST", seg + "/batch-export", r => ImportExport.ExportAsync(ctx, store, r));
            t.Map("POST", seg + "/import", r => ImportExport.ImportAsync(ctx, store, r));
        }
    }

    public static IEnumerable<long> ParseCodes(string csv) => csv.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(s => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new DsBindingException($"'{s}' is not a code"));

    private static async Task CheckNameFreeAsync(EmulatorContext ctx, long projectCode, string name, long exceptCode)
    {
        if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_process_definition WHERE project_code = @projectCode AND name = @name AND code <> @exceptCode",
                new { projectCode, name, exceptCode }).ConfigureAwait(false) > 0)
            throw new DsServiceException(10168, name);
    }

    private static async Task<WorkflowFields> FieldsAsync(EmulatorContext ctx, DsRequest r, string name)
    {
        var globalParams = r.Str("globalParams") is { Length: > 0 } gp ? gp : "[]";
        try { JsonNode.Parse(globalParams); }
        catch (JsonException) { throw new DsServiceException("DATA_IS_NOT_VALID", globalParams); }
        var tenantId = -1;
        if (ctx.Dialect.TenantOnWorkflowDefinition)
        {
            // 3.0.x/3.1.x: tenantCode must name an existing tenant unless it is "default" (10017).
            var tenantCode = r.Required("tenantCode");
            if (tenantCode != "default")
            {
                var tenant = await ctx.Db.QuerySingleAsync("SELECT id FROM t_ds_tenant WHERE tenant_code = @tenantCode", new { tenantCode }).ConfigureAwait(false)
                    ?? throw new DsServiceException(10017, tenantCode);
                tenantId = tenant.Int("id");
            }
        }
        var locations = r.Str("locations");
        return new WorkflowFields(name, r.Str("description") ?? "", globalParams, string.IsNullOrEmpty(locations) ? null : locations,
            r.Int("timeout"), DsEnums.Code(DsEnums.ExecutionType, r.Str("executionType"), 0), tenantId);
    }

    private static async Task ReleaseAsync(EmulatorContext ctx, WorkflowStore store, DsRequest r, long projectCode, long code, string state)
    {
        var def = await store.FindAsync(projectCode, code).ConfigureAwait(false) ?? throw new DsServiceException(50003, code);
        var now = ctx.Now;
        if (state == "ONLINE")
        {
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_process_task_relation WHERE project_code = @projectCode AND process_definition_code = @code",
                    new { projectCode, code }).ConfigureAwait(false) == 0)
                throw new DsServiceException(ctx.V33 ? "WORKFLOW_DAG_IS_EMPTY" : "PROCESS_DAG_IS_EMPTY");
            await ctx.Db.ExecAsync("UPDATE t_ds_process_definition SET release_state = 1, update_time = @now WHERE code = @code", new { code, now }).ConfigureAwait(false);
        }
        else
        {
            await ctx.Db.InTransactionAsync(async (c, tx) =>
            {
                await ctx.Db.ExecAsync("UPDATE t_ds_process_definition SET release_state = 0, update_time = @now WHERE code = @code", new { code, now }, c, tx).ConfigureAwait(false);
                // Offlining a workflow also offlines its schedule.
                await ctx.Db.ExecAsync("UPDATE t_ds_schedules SET release_state = 0, update_time = @now WHERE process_definition_code = @code AND release_state = 1", new { code, now }, c, tx).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
    }

    private static async Task DeleteAsync(EmulatorContext ctx, DsRequest r, Row def)
    {
        var code = def.Long("code");
        if (!r.LoginUser.IsAdmin && def.Int("user_id") != r.LoginUser.Id) throw new DsServiceException(30001);
        if (def.Int("release_state") == 1) throw new DsServiceException(50021, def.Str("name"));
        var running = await ctx.Db.ScalarAsync($"SELECT COUNT(*) FROM t_ds_process_instance WHERE process_definition_code = @code AND state IN ({InProgressStates})", new { code }).ConfigureAwait(false);
        if (running > 0) throw new DsServiceException(10163, running);
        var schedule = await ctx.Db.QuerySingleAsync("SELECT id, release_state FROM t_ds_schedules WHERE process_definition_code = @code", new { code }).ConfigureAwait(false);
        if (schedule is not null && schedule.Int("release_state") == 1) throw new DsServiceException(50023, schedule.Int("id"));
        var projectCode = def.Long("project_code");
        await ctx.Db.InTransactionAsync(async (c, tx) =>
        {
            // 3.1+ delete the task definitions of the workflow's relations with it; 3.0.x deletes only the definition and
            // its relations and leaves the task definitions behind (DS 3.0.0 and 3.0.6 deleteProcessDefinitionByCode read).
            if (ctx.Dialect.Version >= new Version(3, 1, 0))
            {
                var taskCodes = (await ctx.Db.QueryAsync("SELECT pre_task_code, post_task_code FROM t_ds_process_task_relation WHERE project_code = @projectCode AND process_definition_code = @code",
                        new { projectCode, code }, c, tx).ConfigureAwait(false))
                    .SelectMany(r => new[] { r.Long("pre_task_code"), r.Long("post_task_code") }).Where(x => x != 0).Distinct().ToList();
                if (taskCodes.Count > 0)
                    await ctx.Db.ExecAsync($"DELETE FROM t_ds_task_definition WHERE code IN ({string.Join(",", taskCodes.Select((_, i) => "@t" + i))})",
                        taskCodes.Select((x, i) => new KeyValuePair<string, object?>("t" + i, x)).ToList(), c, tx).ConfigureAwait(false);
            }
            await ctx.Db.ExecAsync("DELETE FROM t_ds_process_task_relation WHERE project_code = @projectCode AND process_definition_code = @code", new { projectCode, code }, c, tx).ConfigureAwait(false);
            await ctx.Db.ExecAsync("DELETE FROM t_ds_schedules WHERE process_definition_code = @code", new { code }, c, tx).ConfigureAwait(false);
            await ctx.Db.ExecAsync("DELETE FROM t_ds_process_definition WHERE code = @code", new { code }, c, tx).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>Makes a logged version current again: definition fields, relations and the task versions they name.</summary>
    private static async Task SwitchVersionAsync(EmulatorContext ctx, Row def, int version)
    {
        var code = def.Long("code");
        var log = await ctx.Db.QuerySingleAsync("SELECT * FROM t_ds_process_definition_log WHERE code = @code AND version = @version", new { code, version }).ConfigureAwait(false)
            ?? throw new DsServiceException(ctx.V33 ? "SWITCH_WORKFLOW_DEFINITION_VERSION_NOT_EXIST_WORKFLOW_DEFINITION_VERSION_ERROR" : "SWITCH_PROCESS_DEFINITION_VERSION_NOT_EXIST_PROCESS_DEFINITION_VERSION_ERROR", code, version);
        var now = ctx.Now;
        await ctx.Db.InTransactionAsync(async (c, tx) =>
        {
            await ctx.Db.ExecAsync("UPDATE t_ds_process_definition SET name = @name, version = @version, description = @description, global_params = @gp, " +
                "locations = @locations, timeout = @timeout, execution_type = @et, update_time = @now WHERE code = @code",
                new { name = log.Str("name"), version, description = log.Str("description"), gp = log.Str("global_params"), locations = log.Str("locations"),
                    timeout = log.Int("timeout"), et = log.Int("execution_type"), now, code }, c, tx).ConfigureAwait(false);
            var rels = await ctx.Db.QueryAsync("SELECT * FROM t_ds_process_task_relation_log WHERE process_definition_code = @code AND process_definition_version = @version", new { code, version }, c, tx).ConfigureAwait(false);
            await ctx.Db.ExecAsync("DELETE FROM t_ds_process_task_relation WHERE project_code = @projectCode AND process_definition_code = @code",
                new { projectCode = def.Long("project_code"), code }, c, tx).ConfigureAwait(false);
            var relRows = rels.Select(x => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
            {
                ["name"] = x.Str("name"), ["project_code"] = x.Long("project_code"), ["process_definition_code"] = code, ["process_definition_version"] = version,
                ["pre_task_code"] = x.Long("pre_task_code"), ["pre_task_version"] = x.Int("pre_task_version"), ["post_task_code"] = x.Long("post_task_code"),
                ["post_task_version"] = x.Int("post_task_version"), ["condition_type"] = x.Int("condition_type"), ["condition_params"] = x.Str("condition_params"),
                ["create_time"] = now, ["update_time"] = now,
            }).ToList();
            await ctx.Db.InsertAsync(c, tx, "t_ds_process_task_relation", relRows).ConfigureAwait(false);
            foreach (var x in rels)
            {
                var tl = await ctx.Db.QuerySingleAsync("SELECT * FROM t_ds_task_definition_log WHERE code = @tc AND version = @tv",
                    new { tc = x.Long("post_task_code"), tv = x.Int("post_task_version") }, c, tx).ConfigureAwait(false);
                if (tl is null) continue;
                await ctx.Db.ExecAsync("DELETE FROM t_ds_task_definition WHERE code = @tc", new { tc = tl.Long("code") }, c, tx).ConfigureAwait(false);
                var row = tl.Where(kv => kv.Key is not ("id" or "operator" or "operate_time")).ToDictionary(kv => kv.Key, kv => kv.Value);
                row["update_time"] = now;
                await ctx.Db.InsertAsync(c, tx, "t_ds_task_definition", row).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
    }
}
