using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DsOps.Emulator.Hosting;
using DsOps.Emulator.Storage;

namespace DsOps.Emulator.Api;

/// <summary>Users and project grants (admin only, 30001), enough to test DsOps as a non-admin user.</summary>
public static class UsersApi
{
    public static void Register(EmulatorContext ctx, HandlerTable t)
    {
        t.Map("POST", "/users/create", async r =>
        {
            Admin(r);
            var name = r.Required("userName").Trim();
            var password = r.Required("userPassword");
            if (name.Length == 0) throw new DsServiceException(10001, "userName");
            if (password.Length == 0) throw new DsServiceException(10001, "userPassword");
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_user WHERE user_name = @name", new { name }).ConfigureAwait(false) > 0)
                throw new DsServiceException(10003);
            var tenantId = r.Int("tenantId");
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_tenant WHERE id = @tenantId", new { tenantId }).ConfigureAwait(false) == 0)
                throw new DsServiceException(10017, tenantId);
            var now = ctx.Now;
            var id = await ctx.Db.InsertAsync("t_ds_user", new Dictionary<string, object?>
            {
                ["user_name"] = name, ["user_password"] = Md5(password), ["user_type"] = 1, ["email"] = r.Required("email"), ["phone"] = r.Str("phone"),
                ["tenant_id"] = tenantId, ["create_time"] = now, ["update_time"] = now, ["queue"] = r.Str("queue") ?? "", ["state"] = r.Int("state", 1),
            }).ConfigureAwait(false);
            return Json((await ctx.Db.QuerySingleAsync(Select + " WHERE u.id = @id", new { id }).ConfigureAwait(false))!);
        });

        t.Map("GET", "/users/list-paging", async r =>
        {
            Admin(r);
            var (pageNo, pageSize) = r.Paging();
            var args = new { search = "%" + (r.Str("searchVal") ?? "") + "%", offset = (pageNo - 1) * pageSize, pageSize };
            var total = await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_user WHERE user_name LIKE @search", args).ConfigureAwait(false);
            var rows = await ctx.Db.QueryAsync(Select + " WHERE u.user_name LIKE @search ORDER BY u.update_time DESC, u.id LIMIT @offset, @pageSize", args).ConfigureAwait(false);
            return r.PageInfo(pageNo, pageSize, total, new JsonArray(rows.Select(x => (JsonNode)Json(x)).ToArray()));
        });

        t.Map("GET", "/users/list", async r =>
        {
            Admin(r);
            var rows = await ctx.Db.QueryAsync(Select + " WHERE u.user_type = 1 ORDER BY u.id").ConfigureAwait(false);
            return new JsonArray(rows.Select(x => (JsonNode)Json(x)).ToArray());
        });

        t.Map("POST", "/users/delete", async r =>
        {
            Admin(r);
            var id = r.Int("id");
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_user WHERE id = @id", new { id }).ConfigureAwait(false) == 0)
                throw new DsServiceException(10010, id);
            await ctx.Db.InTransactionAsync(async (c, tx) =>
            {
                await ctx.Db.ExecAsync("DELETE FROM t_ds_relation_project_user WHERE user_id = @id", new { id }, c, tx).ConfigureAwait(false);
                await ctx.Db.ExecAsync("DELETE FROM t_ds_access_token WHERE user_id = @id", new { id }, c, tx).ConfigureAwait(false);
                await ctx.Db.ExecAsync("DELETE FROM t_ds_session WHERE user_id = @id", new { id }, c, tx).ConfigureAwait(false);
                await ctx.Db.ExecAsync("DELETE FROM t_ds_user WHERE id = @id", new { id }, c, tx).ConfigureAwait(false);
            }).ConfigureAwait(false);
            return null;
        });

        // grant-project replaces the user's project grants with the listed project ids (perm 7 = all).
        t.Map("POST", "/users/grant-project", async r =>
        {
            Admin(r);
            var userId = await ExistingUserAsync(ctx, r.Int("userId")).ConfigureAwait(false);
            var ids = r.Required("projectIds").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).Distinct().ToList();
            var now = ctx.Now;
            await ctx.Db.InTransactionAsync(async (c, tx) =>
            {
                await ctx.Db.ExecAsync("DELETE FROM t_ds_relation_project_user WHERE user_id = @userId", new { userId }, c, tx).ConfigureAwait(false);
                await ctx.Db.InsertAsync(c, tx, "t_ds_relation_project_user", ids.Select(p => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
                {
                    ["user_id"] = userId, ["project_id"] = p, ["perm"] = 7, ["create_time"] = now, ["update_time"] = now,
                }).ToList()).ConfigureAwait(false);
            }).ConfigureAwait(false);
            return null;
        });

        t.Map("POST", "/users/grant-project-by-code", async r =>
        {
            Admin(r);
            var userId = await ExistingUserAsync(ctx, r.Int("userId")).ConfigureAwait(false);
            var projectCode = r.Long("projectCode");
            var project = await ctx.Db.QuerySingleAsync("SELECT id FROM t_ds_project WHERE code = @projectCode", new { projectCode }).ConfigureAwait(false)
                ?? throw new DsServiceException(10018, projectCode);
            var projectId = project.Int("id");
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_relation_project_user WHERE user_id = @userId AND project_id = @projectId", new { userId, projectId }).ConfigureAwait(false) == 0)
                await ctx.Db.InsertAsync("t_ds_relation_project_user", new Dictionary<string, object?>
                {
                    ["user_id"] = userId, ["project_id"] = projectId, ["perm"] = 7, ["create_time"] = ctx.Now, ["update_time"] = ctx.Now,
                }).ConfigureAwait(false);
            return null;
        });
    }

    private const string Select = "SELECT u.*, t.tenant_code, q.queue_name FROM t_ds_user u LEFT JOIN t_ds_tenant t ON t.id = u.tenant_id LEFT JOIN t_ds_queue q ON q.queue = u.queue";

    private static void Admin(DsRequest r)
    {
        if (!r.LoginUser.IsAdmin) throw new DsServiceException(30001);
    }

    private static async Task<int> ExistingUserAsync(EmulatorContext ctx, int id) =>
        await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_user WHERE id = @id", new { id }).ConfigureAwait(false) > 0 ? id : throw new DsServiceException(10010, id);

    private static string Md5(string s) => Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes(s))).ToLowerInvariant();

    /// <summary>User JSON without the password hash.</summary>
    private static JsonObject Json(Row u) => new()
    {
        ["id"] = u.Int("id"), ["userName"] = u.Str("user_name"), ["userType"] = u.Int("user_type") == 0 ? "ADMIN_USER" : "GENERAL_USER",
        ["email"] = u.Str("email"), ["phone"] = u.Str("phone"), ["tenantId"] = u.Int("tenant_id"), ["tenantCode"] = u.Str("tenant_code"),
        ["queueName"] = u.Str("queue_name"), ["queue"] = u.Str("queue"), ["state"] = u.Int("state"), ["timeZone"] = u.Str("time_zone"),
        ["createTime"] = DsJson.Date(u.Date("create_time")), ["updateTime"] = DsJson.Date(u.Date("update_time")),
    };
}
