using System.Text.Json.Nodes;
using DsOps.Emulator.Hosting;
using DsOps.Emulator.Storage;

namespace DsOps.Emulator.Api;

/// <summary>/projects (docs/ds-facts.md §3.1).</summary>
public static class ProjectsApi
{
    /// <summary>
    /// checkProjectAndAuth: unknown project → <paramref name="notFoundCode"/> (10190 on most workflow/executor
    /// routes, 10018 "project {0} not found" on GET/PUT /projects/{code} and schedules, per §2.3 for 3.0.1;
    /// the same split is assumed for 3.2/3.3 — unverified); no permission → 30002.
    /// </summary>
    public static async Task<Row> RequireAsync(EmulatorContext ctx, DsRequest r, long projectCode, int notFoundCode = 10190)
    {
        var p = await ctx.Db.QuerySingleAsync(
            "SELECT p.*, u.user_name FROM t_ds_project p LEFT JOIN t_ds_user u ON u.id = p.user_id WHERE p.code = @projectCode",
            new { projectCode }).ConfigureAwait(false);
        if (p is null) throw notFoundCode == 10018 ? new DsServiceException(10018, "") : new DsServiceException(notFoundCode);
        var user = r.LoginUser;
        if (!user.IsAdmin && p.Int("user_id") != user.Id)
        {
            var granted = await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_relation_project_user WHERE project_id = @id AND user_id = @uid",
                new { id = p.Int("id"), uid = user.Id }).ConfigureAwait(false);
            if (granted == 0) throw new DsServiceException(30002, user.Name, p.Str("name"));
        }
        return p;
    }

    public static void Register(EmulatorContext ctx, HandlerTable t)
    {
        t.Map("POST", "/projects", async r =>
        {
            var name = r.Required("projectName").Trim();
            var description = r.Str("description") ?? "";
            if (name.Length == 0 || name.Length > 64) throw new DsServiceException(10001, "projectName");
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_project WHERE name = @name", new { name }).ConfigureAwait(false) > 0)
                throw new DsServiceException(10019, name);
            var now = ctx.Now;
            var code = ctx.Codes.Next();
            await ctx.Db.InsertAsync("t_ds_project", new Dictionary<string, object?>
            {
                ["name"] = name, ["code"] = code, ["description"] = description, ["user_id"] = r.LoginUser.Id, ["flag"] = 1,
                ["create_time"] = now, ["update_time"] = now,
            }).ConfigureAwait(false);
            return await GetJsonAsync(ctx, code).ConfigureAwait(false);
        });

        t.Map("GET", "/projects/{code}", async r =>
        {
            await RequireAsync(ctx, r, r.PathLong(0), 10018).ConfigureAwait(false);
            return await GetJsonAsync(ctx, r.PathLong(0)).ConfigureAwait(false);
        });

        t.Map("PUT", "/projects/{code}", async r =>
        {
            var code = r.PathLong(0);
            var p = await RequireAsync(ctx, r, code, 10018).ConfigureAwait(false);
            var name = r.Required("projectName").Trim();
            if (name.Length == 0 || name.Length > 64) throw new DsServiceException(10001, "projectName");
            var ownerId = p.Int("user_id");
            if (ctx.Dialect.ProjectUpdateRequiresUserName)
            {
                var userName = r.Required("userName");
                var owner = await ctx.Db.QuerySingleAsync("SELECT id FROM t_ds_user WHERE user_name = @userName", new { userName }).ConfigureAwait(false)
                    ?? throw new DsServiceException(10010, userName);
                ownerId = owner.Int("id");
            }
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_project WHERE name = @name AND code <> @code", new { name, code }).ConfigureAwait(false) > 0)
                throw new DsServiceException(10019, name);
            await ctx.Db.ExecAsync("UPDATE t_ds_project SET name = @name, description = @description, user_id = @ownerId, update_time = @now WHERE code = @code",
                new { name, description = r.Str("description") ?? "", ownerId, now = ctx.Now, code }).ConfigureAwait(false);
            return await GetJsonAsync(ctx, code).ConfigureAwait(false);
        });

        t.Map("DELETE", "/projects/{code}", async r =>
        {
            var code = r.PathLong(0);
            var p = await RequireAsync(ctx, r, code).ConfigureAwait(false);
            if (!r.LoginUser.IsAdmin && p.Int("user_id") != r.LoginUser.Id) throw new DsServiceException(30001);
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_process_definition WHERE project_code = @code", new { code }).ConfigureAwait(false) > 0)
                throw new DsServiceException(10137);
            await ctx.Db.ExecAsync("DELETE FROM t_ds_project WHERE code = @code", new { code }).ConfigureAwait(false);
            return null;
        });

        t.Map("GET", "/projects", async r =>
        {
            var (pageNo, pageSize) = r.Paging();
            var search = "%" + (r.Str("searchVal") ?? "") + "%";
            var user = r.LoginUser;
            const string visible = "(@admin = 1 OR p.user_id = @uid OR p.id IN (SELECT project_id FROM t_ds_relation_project_user WHERE user_id = @uid))";
            var args = new { search, admin = user.IsAdmin ? 1 : 0, uid = user.Id, offset = (pageNo - 1) * pageSize, pageSize };
            var total = await ctx.Db.ScalarAsync($"SELECT COUNT(*) FROM t_ds_project p WHERE p.name LIKE @search AND {visible}", args).ConfigureAwait(false);
            var rows = await ctx.Db.QueryAsync(
                $"SELECT p.*, u.user_name FROM t_ds_project p LEFT JOIN t_ds_user u ON u.id = p.user_id WHERE p.name LIKE @search AND {visible} " +
                "ORDER BY p.update_time DESC, p.id DESC LIMIT @offset, @pageSize", args).ConfigureAwait(false);
            var items = new JsonArray();
            foreach (var row in rows) items.Add(await ToJsonAsync(ctx, row).ConfigureAwait(false));
            return r.PageInfo(pageNo, pageSize, total, items);
        });

        t.Map("GET", "/projects/list", async r =>
        {
            var user = r.LoginUser;
            var rows = await ctx.Db.QueryAsync(
                "SELECT p.*, u.user_name FROM t_ds_project p LEFT JOIN t_ds_user u ON u.id = p.user_id " +
                "WHERE @admin = 1 OR p.user_id = @uid OR p.id IN (SELECT project_id FROM t_ds_relation_project_user WHERE user_id = @uid) ORDER BY p.id",
                new { admin = user.IsAdmin ? 1 : 0, uid = user.Id }).ConfigureAwait(false);
            var items = new JsonArray();
            foreach (var row in rows) items.Add(await ToJsonAsync(ctx, row).ConfigureAwait(false));
            return items;
        });
    }

    private static async Task<JsonNode> GetJsonAsync(EmulatorContext ctx, long code)
    {
        var row = await ctx.Db.QuerySingleAsync("SELECT p.*, u.user_name FROM t_ds_project p LEFT JOIN t_ds_user u ON u.id = p.user_id WHERE p.code = @code", new { code }).ConfigureAwait(false);
        return await ToJsonAsync(ctx, row!).ConfigureAwait(false);
    }

    private static async Task<JsonObject> ToJsonAsync(EmulatorContext ctx, Row p)
    {
        var code = p.Long("code");
        var json = new JsonObject
        {
            ["id"] = p.Int("id"), ["userId"] = p.Int("user_id"), ["userName"] = p.Str("user_name"), ["code"] = code,
            ["name"] = p.Str("name"), ["description"] = p.Str("description"),
            ["createTime"] = DsJson.Date(p.Date("create_time")), ["updateTime"] = DsJson.Date(p.Date("update_time")),
            ["perm"] = 7,
            ["defCount"] = await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_process_definition WHERE project_code = @code", new { code }).ConfigureAwait(false),
        };
        if (!ctx.V33)
        {
            // 3.0–3.2 count running instances of the project's workflows; 3.3-dev dropped the field.
            json["instRunningCount"] = await ctx.Db.ScalarAsync(
                "SELECT COUNT(*) FROM t_ds_process_instance i JOIN t_ds_process_definition d ON d.code = i.process_definition_code " +
                "WHERE d.project_code = @code AND i.state IN (0, 1, 2, 4, 14, 17)", new { code }).ConfigureAwait(false);
        }
        return json;
    }
}
