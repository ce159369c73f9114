using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DsOps.Emulator.Hosting;
using Microsoft.AspNetCore.Http;

namespace DsOps.Emulator.Api;

/// <summary>Login, sessions and access tokens (docs/ds-facts.md §1).</summary>
public static class AuthApi
{
    /// <summary>DS's SESSION_TIME_OUT: a session is valid 7200 s after last_login_time.</summary>
    private static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(7200);

    /// <summary>The login interceptor: header "token" first, then session id from header or cookie "sessionId".</summary>
    public static async Task<DsUser?> AuthenticateAsync(EmulatorContext ctx, HttpContext http)
    {
        var now = ctx.Now;
        if (http.Request.Headers.TryGetValue("token", out var token) && token.ToString().Length > 0)
        {
            var row = await ctx.Db.QuerySingleAsync(
                "SELECT u.id, u.user_name, u.user_type, u.state FROM t_ds_access_token t JOIN t_ds_user u ON u.id = t.user_id " +
                "WHERE t.token = @token AND t.expire_time > @now", new { token = token.ToString(), now }).ConfigureAwait(false);
            return row is null || row.Int("state") != 1 ? null : new DsUser(row.Int("id"), row.Str("user_name")!, row.Int("user_type"));
        }
        var sessionId = http.Request.Headers.TryGetValue("sessionId", out var h) && h.ToString().Length > 0
            ? h.ToString()
            : http.Request.Cookies["sessionId"];
        if (string.IsNullOrEmpty(sessionId)) return null;
        var s = await ctx.Db.QuerySingleAsync(
            "SELECT u.id, u.user_name, u.user_type, u.state, s.last_login_time FROM t_ds_session s JOIN t_ds_user u ON u.id = s.user_id WHERE s.id = @sessionId",
            new { sessionId }).ConfigureAwait(false);
        if (s is null || s.Int("state") != 1 || s.Date("last_login_time") is not { } last || last + SessionTimeout < now) return null;
        return new DsUser(s.Int("id"), s.Str("user_name")!, s.Int("user_type"));
    }

    public static void Register(EmulatorContext ctx, HandlerTable t)
    {
        t.Map("POST", "/login", r => LoginAsync(ctx, r));
        t.Map("POST", "/signOut", async r =>
        {
            await ctx.Db.ExecAsync("DELETE FROM t_ds_session WHERE user_id = @id", new { id = r.LoginUser.Id }).ConfigureAwait(false);
            return null;
        });
        t.Map("GET", "/users/get-user-info", async r =>
        {
            var u = await ctx.Db.QuerySingleAsync("SELECT * FROM t_ds_user WHERE id = @id", new { id = r.LoginUser.Id }).ConfigureAwait(false);
            return new JsonObject
            {
                ["id"] = u!.Int("id"), ["userName"] = u.Str("user_name"), ["userType"] = u.Int("user_type") == 0 ? "ADMIN_USER" : "GENERAL_USER",
                ["email"] = u.Str("email"), ["phone"] = u.Str("phone"), ["tenantId"] = u.Int("tenant_id"), ["state"] = u.Int("state"),
                ["queue"] = u.Str("queue"), ["timeZone"] = u.Str("time_zone"),
                ["createTime"] = DsJson.Date(u.Date("create_time")), ["updateTime"] = DsJson.Date(u.Date("update_time")),
            };
        });
    }

    private static async Task<object?> LoginAsync(EmulatorContext ctx, DsRequest r)
    {
        var name = r.Required("userName");
        var password = r.Required("userPassword");
        if (string.IsNullOrEmpty(name)) throw new DsServiceException(10004);
        var hash = Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes(password))).ToLowerInvariant();
        var user = await ctx.Db.QuerySingleAsync("SELECT id, state FROM t_ds_user WHERE user_name = @name AND user_password = @hash",
            new { name, hash }).ConfigureAwait(false);
        if (user is null) throw new DsServiceException(10013);
        if (user.Int("state") != 1) throw new DsServiceException(10148);

        // Reuse a still-valid session of the user, otherwise create one; other sessions of the user are removed.
        var now = ctx.Now;
        var userId = user.Int("id");
        var sessions = await ctx.Db.QueryAsync("SELECT id, last_login_time FROM t_ds_session WHERE user_id = @userId", new { userId }).ConfigureAwait(false);
        var valid = sessions.FirstOrDefault(s => s.Date("last_login_time") is { } t && t + SessionTimeout >= now);
        string sessionId;
        if (valid is not null)
        {
            sessionId = valid.Str("id")!;
            await ctx.Db.ExecAsync("UPDATE t_ds_session SET last_login_time = @now WHERE id = @sessionId", new { now, sessionId }).ConfigureAwait(false);
        }
        else
        {
            sessionId = Guid.NewGuid().ToString();
            await ctx.Db.InsertAsync("t_ds_session", new Dictionary<string, object?>
            {
                ["id"] = sessionId, ["user_id"] = userId, ["ip"] = r.Http.Connection.RemoteIpAddress?.ToString() ?? "127.0.0.1", ["last_login_time"] = now,
            }).ConfigureAwait(false);
        }
        await ctx.Db.ExecAsync("DELETE FROM t_ds_session WHERE user_id = @userId AND id <> @sessionId", new { userId, sessionId }).ConfigureAwait(false);

        var data = new JsonObject { ["sessionId"] = sessionId };
        // DS's authenticator adds the security config type from 3.1.0 on.
        if (ctx.Dialect.Version >= new Version(3, 1, 0)) data["securityConfigType"] = "PASSWORD";
        foreach (var kv in data) r.Http.Response.Cookies.Append(kv.Key, kv.Value!.ToString(), new CookieOptions { HttpOnly = true, Path = "/" });
        return new EnvelopeReply("login success", data);
    }
}
