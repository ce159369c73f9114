using System.Text.Json.Nodes;
using DsOps.Emulator.Hosting;

namespace DsOps.Emulator.Api;

/// <summary>/projects/{p}/task-definition (docs/ds-facts.md §3.3).</summary>
public static class TaskDefinitionApi
{
    public static void Register(EmulatorContext ctx, HandlerTable t)
    {
        var store = new WorkflowStore(ctx);
        const string seg = "/projects/{projectCode}/task-definition";

        // The project code in the path is not checked (all versions).
        t.Map("GET", seg + "/gen-task-codes", r =>
        {
            var n = r.Int("genNum");
            if (n is < 1 or > 100) throw new DsServiceException("DATA_IS_NOT_VALID", "genNum");
            var codes = new JsonArray();
            for (var i = 0; i < n; i++) codes.Add(ctx.Codes.Next());
            return Task.FromResult<object?>(codes);
        });

        t.Map("GET", seg + "/{code}", async r =>
        {
            var projectCode = r.PathLong(0);
            await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
            var code = r.PathLong(1);
            var row = await ctx.Db.QuerySingleAsync("SELECT t.*, u.user_name FROM t_ds_task_definition t LEFT JOIN t_ds_user u ON u.id = t.user_id " +
                "WHERE t.code = @code AND t.project_code = @projectCode", new { code, projectCode }).ConfigureAwait(false)
                ?? throw new DsServiceException(50030, code);
            return store.TaskJson(row);
        });

        if (ctx.Dialect.HasStandaloneTaskDefinitionRoutes)
        {
            // DELETE …/task-definition/{code} (3.0-3.2): refused while a relation still points at the task from
            // an online workflow (TASK_DEFINE_STATE_ONLINE) or while it has downstream tasks (TASK_HAS_DOWNSTREAM);
            // otherwise the definition and its upstream edges go (DS TaskDefinitionServiceImpl, read via search).
            t.Map("DELETE", seg + "/{code}", async r =>
            {
                var projectCode = r.PathLong(0);
                await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
                var code = r.PathLong(1);
                if (code == 0) throw new DsServiceException("DELETE_TASK_DEFINE_BY_CODE_ERROR");
                var row = await ctx.Db.QuerySingleAsync("SELECT * FROM t_ds_task_definition WHERE code = @code AND project_code = @projectCode",
                    new { code, projectCode }).ConfigureAwait(false) ?? throw new DsServiceException(50030, code);
                var online = await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_process_task_relation r JOIN t_ds_process_definition d " +
                    "ON d.code = r.process_definition_code WHERE r.post_task_code = @code AND d.release_state = 1", new { code }).ConfigureAwait(false);
                if (online > 0 && row.Long("flag") == 1) throw new DsServiceException(50050, code);
                var downstream = await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_process_task_relation WHERE pre_task_code = @code", new { code }).ConfigureAwait(false);
                if (downstream > 0) throw new DsServiceException(50051, code);
                await ctx.Db.ExecAsync("DELETE FROM t_ds_task_definition WHERE code = @code", new { code }).ConfigureAwait(false);
                await ctx.Db.ExecAsync("DELETE FROM t_ds_process_task_relation WHERE post_task_code = @code", new { code }).ConfigureAwait(false);
                return null;
            });

            t.Map("GET", seg, async r =>
            {
                var projectCode = r.PathLong(0);
                await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
                var (pageNo, pageSize) = r.Paging();
                var args = new
                {
                    projectCode, task = "%" + (r.Str("searchTaskName") ?? "") + "%", taskType = r.Str("taskType") ?? "",
                    wf = "%" + (r.Str("searchWorkflowName") ?? "") + "%", offset = (pageNo - 1) * pageSize, pageSize,
                };
                const string where = "t.project_code = @projectCode AND t.name LIKE @task AND (@taskType = '' OR t.task_type = @taskType) " +
                    "AND (d.name IS NULL OR d.name LIKE @wf)";
                const string from = "FROM t_ds_task_definition t LEFT JOIN t_ds_process_task_relation r ON r.post_task_code = t.code " +
                    "LEFT JOIN t_ds_process_definition d ON d.code = r.process_definition_code LEFT JOIN t_ds_user u ON u.id = t.user_id";
                var total = await ctx.Db.ScalarAsync($"SELECT COUNT(*) {from} WHERE {where}", args).ConfigureAwait(false);
                var rows = await ctx.Db.QueryAsync($"SELECT t.*, u.user_name, d.code AS workflow_code, d.name AS workflow_name {from} WHERE {where} " +
                    "ORDER BY t.update_time DESC, t.id DESC LIMIT @offset, @pageSize", args).ConfigureAwait(false);
                var items = new JsonArray();
                foreach (var row in rows)
                {
                    var j = store.TaskJson(row);
                    j[ctx.V33 ? "workflowDefinitionCode" : "processDefinitionCode"] = row["workflow_code"] is null ? null : row.Long("workflow_code");
                    j[ctx.V33 ? "workflowDefinitionName" : "processDefinitionName"] = row.Str("workflow_name");
                    items.Add(j);
                }
                return r.PageInfo(pageNo, pageSize, total, items);
            });
        }

        t.Map("GET", seg + "/{code}/versions", async r =>
        {
            var projectCode = r.PathLong(0);
            await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
            var code = r.PathLong(1);
            var (pageNo, pageSize) = r.Paging();
            var total = await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_task_definition_log WHERE code = @code", new { code }).ConfigureAwait(false);
            var rows = await ctx.Db.QueryAsync("SELECT l.*, u.user_name FROM t_ds_task_definition_log l LEFT JOIN t_ds_user u ON u.id = l.operator " +
                "WHERE l.code = @code ORDER BY l.version DESC LIMIT @offset, @pageSize", new { code, offset = (pageNo - 1) * pageSize, pageSize }).ConfigureAwait(false);
            return r.PageInfo(pageNo, pageSize, total, new JsonArray(rows.Select(x => (JsonNode)store.TaskJson(x)).ToArray()));
        });
    }
}
