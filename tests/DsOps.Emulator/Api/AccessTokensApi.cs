using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DsOps.Emulator.Hosting;
using DsOps.Emulator.Storage;

namespace DsOps.Emulator.Api;

/// <summary>/access-tokens (docs/ds-facts.md §1.4): only admin or the user himself (30001).</summary>
public static class AccessTokensApi
{
    public static void Register(EmulatorContext ctx, HandlerTable t)
    {
        t.Map("POST", "/access-tokens", async r =>
        {
            var userId = r.Int("userId");
            CheckPermission(r, userId);
            var expire = ParseExpire(r.Required("expireTime"));
            var token = r.Str("token") is { Length: > 0 } given ? given : Generate(userId, expire);
            var now = ctx.Now;
            var id = await ctx.Db.InsertAsync("t_ds_access_token", new Dictionary<string, object?>
            {
                ["user_id"] = userId, ["token"] = token, ["expire_time"] = expire, ["create_time"] = now, ["update_time"] = now,
            }).ConfigureAwait(false);
            return Json(await GetAsync(ctx, (int)id).ConfigureAwait(false) ?? throw new DsServiceException(70010));
        });

        t.Map("POST", "/access-tokens/generate", r =>
        {
            var userId = r.Int("userId");
            CheckPermission(r, userId);
            return Task.FromResult<object?>(JsonValue.Create(Generate(userId, ParseExpire(r.Required("expireTime")))));
        });

        t.Map("GET", "/access-tokens", async r =>
        {
            var (pageNo, pageSize) = r.Paging();
            var args = new { search = "%" + (r.Str("searchVal") ?? "") + "%", admin = r.LoginUser.IsAdmin ? 1 : 0, uid = r.LoginUser.Id, offset = (pageNo - 1) * pageSize, pageSize };
            const string where = "u.user_name LIKE @search AND (@admin = 1 OR t.user_id = @uid)";
            var total = await ctx.Db.ScalarAsync($"SELECT COUNT(*) FROM t_ds_access_token t LEFT JOIN t_ds_user u ON u.id = t.user_id WHERE {where}", args).ConfigureAwait(false);
            var rows = await ctx.Db.QueryAsync($"{Select} WHERE {where} ORDER BY t.update_time DESC, t.id DESC LIMIT @offset, @pageSize", args).ConfigureAwait(false);
            return r.PageInfo(pageNo, pageSize, total, new JsonArray(rows.Select(x => (JsonNode)Json(x)).ToArray()));
        });

        t.Map("GET", "/access-tokens/user/{userId}", async r =>
        {
            var userId = (int)r.PathLong(0);
            CheckPermission(r, userId);
            var rows = await ctx.Db.QueryAsync($"{Select} WHERE t.user_id = @userId ORDER BY t.id", new { userId }).ConfigureAwait(false);
            return new JsonArray(rows.Select(x => (JsonNode)Json(x)).ToArray());
        });

        t.Map("PUT", "/access-tokens/{id}", async r =>
        {
            var id = (int)r.PathLong(0);
            var row = await GetAsync(ctx, id).ConfigureAwait(false) ?? throw new DsServiceException(70015);
            CheckPermission(r, row.Int("user_id"));
            var userId = r.Int("userId");
            var expire = ParseExpire(r.Required("expireTime"));
            var token = r.Str("token") is { Length: > 0 } given ? given : Generate(userId, expire);
            await ctx.Db.ExecAsync("UPDATE t_ds_access_token SET user_id = @userId, expire_time = @expire, token = @token, update_time = @now WHERE id = @id",
                new { userId, expire, token, now = ctx.Now, id }).ConfigureAwait(false);
            return Json((await GetAsync(ctx, id).ConfigureAwait(false))!);
        });

        t.Map("DELETE", "/access-tokens/{id}", async r =>
        {
            var id = (int)r.PathLong(0);
            var row = await GetAsync(ctx, id).ConfigureAwait(false) ?? throw new DsServiceException(70015);
            CheckPermission(r, row.Int("user_id"));
            await ctx.Db.ExecAsync("DELETE FROM t_ds_access_token WHERE id = @id", new { id }).ConfigureAwait(false);
            return null;
        });
    }

    private const string Select = "SELECT t.*, u.user_name FROM t_ds_access_token t LEFT JOIN t_ds_user u ON u.id = t.user_id";

    private static Task<Row?> GetAsync(EmulatorContext ctx, int id) => ctx.Db.QuerySingleAsync($"{Select} WHERE t.id = @id", new { id });

    private static void CheckPermission(DsRequest r, int userId)
    {
        if (!r.LoginUser.IsAdmin && r.LoginUser.Id != userId) throw new DsServiceException(30001);
    }

    private static DateTime ParseExpire(string text) => DsJson.TryParseDate(text, out var v) ? v : throw new DsServiceException(10001, "expireTime");

    /// <summary>DS generates an MD5 hex of user id, expiry and the current time when no token is given.</summary>
    private static string Generate(int userId, DateTime expire) =>
        Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes($"{userId}{DsJson.Format(expire)}{DateTime.UtcNow.Ticks}{Guid.NewGuid()}"))).ToLowerInvariant();

    /// <summary>The AccessToken object, token included (DS returns it; it is how a client learns a generated token).</summary>
    private static JsonObject Json(Row t) => new()
    {
        ["id"] = t.Int("id"), ["userId"] = t.Int("user_id"), ["token"] = t.Str("token"), ["expireTime"] = DsJson.Date(t.Date("expire_time")),
        ["createTime"] = DsJson.Date(t.Date("create_time")), ["updateTime"] = DsJson.Date(t.Date("update_time")), ["userName"] = t.Str("user_name"),
    };
}
