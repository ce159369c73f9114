using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DsOps.Emulator.Hosting;

namespace DsOps.Emulator.Api;

/// <summary>
/// The admin routes cluster resources as config needs beyond ResourcesApi/UsersApi: queue update and delete, user
/// update, a user's authorized projects, and the path-based resource center of 3.2+ (docs/ds-facts.md §3.9). Routes
/// answer only where the dialect's endpoint list has them. Resource-center files are kept in memory per emulator
/// (DS keeps them in its storage backend, not the database); the base folder is
/// <c>file:/dolphinscheduler/&lt;tenant&gt;/resources/</c> (the full-name format depends on DS's storage config: unverified).
/// </summary>
public static partial class ClusterAdminApi
{
    private sealed class Storage
    {
        public readonly ConcurrentDictionary<string, (byte[] Bytes, DateTime Updated, string Description)> Files = new(StringComparer.Ordinal);
        public readonly ConcurrentDictionary<string, DateTime> Folders = new(StringComparer.Ordinal);
    }

    private static readonly ConditionalWeakTable<EmulatorContext, Storage> Stores = new();

    public static void Register(EmulatorContext ctx, HandlerTable t)
    {
        RegisterQueuesAndUsers(ctx, t);
        // 3.0's namespaces name their cluster as free text (no /cluster routes): not emulated there.
        if (ctx.Dialect.K8sClustersAsResources) RegisterK8s(ctx, t);
        // 3.0/3.1's resource center is id based (and DELETE /queues/{id} arrived in 3.2): not emulated there.
        if (ctx.V32Plus) RegisterResourceCenter(ctx, t);
    }

    private static void Admin(DsRequest r)
    {
        if (!r.LoginUser.IsAdmin) throw new DsServiceException(30001);
    }

    private static void RegisterQueuesAndUsers(EmulatorContext ctx, HandlerTable t)
    {
        t.Map("PUT", "/queues/{id}", async r =>
        {
            Admin(r);
            var id = (int)r.PathLong(0);
            var queue = r.Required("queue");
            var name = r.Required("queueName");
            var old = await ctx.Db.QuerySingleAsync("SELECT * FROM t_ds_queue WHERE id = @id", new { id }).ConfigureAwait(false)
                ?? throw new DsServiceException("QUEUE_NOT_EXIST", id);
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_queue WHERE queue_name = @name AND id <> @id", new { name, id }).ConfigureAwait(false) > 0)
                throw new DsServiceException("QUEUE_NAME_EXIST", name);
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_queue WHERE queue = @queue AND id <> @id", new { queue, id }).ConfigureAwait(false) > 0)
                throw new DsServiceException("QUEUE_VALUE_EXIST", queue);
            await ctx.Db.InTransactionAsync(async (c, tx) =>
            {
                await ctx.Db.ExecAsync("UPDATE t_ds_queue SET queue = @queue, queue_name = @name, update_time = @now WHERE id = @id", new { queue, name, now = ctx.Now, id }, c, tx).ConfigureAwait(false);
                // DS moves the users of the old queue value to the new one.
                await ctx.Db.ExecAsync("UPDATE t_ds_user SET queue = @queue WHERE queue = @old", new { queue, old = old.Str("queue") }, c, tx).ConfigureAwait(false);
            }).ConfigureAwait(false);
            var row = await ctx.Db.QuerySingleAsync("SELECT * FROM t_ds_queue WHERE id = @id", new { id }).ConfigureAwait(false);
            return new JsonObject { ["id"] = id, ["queueName"] = row!.Str("queue_name"), ["queue"] = row.Str("queue") };
        });

        if (ctx.V32Plus) t.Map("DELETE", "/queues/{id}", async r =>
        {
            Admin(r);
            var id = (int)r.PathLong(0);
            _ = await ctx.Db.QuerySingleAsync("SELECT id FROM t_ds_queue WHERE id = @id", new { id }).ConfigureAwait(false) ?? throw new DsServiceException("QUEUE_NOT_EXIST", id);
            var queue = (await ctx.Db.QuerySingleAsync("SELECT queue FROM t_ds_queue WHERE id = @id", new { id }).ConfigureAwait(false))!.Str("queue");
            var users = await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_user WHERE queue = @queue", new { queue }).ConfigureAwait(false);
            if (users > 0) throw new DsServiceException(10308, users);
            await ctx.Db.ExecAsync("DELETE FROM t_ds_queue WHERE id = @id", new { id }).ConfigureAwait(false);
            return null;
        });

        t.Map("POST", "/users/update", async r =>
        {
            Admin(r);
            var id = r.Int("id");
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_user WHERE id = @id", new { id }).ConfigureAwait(false) == 0)
                throw new DsServiceException(10010, id);
            var name = r.Required("userName").Trim();
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_user WHERE user_name = @name AND id <> @id", new { name, id }).ConfigureAwait(false) > 0)
                throw new DsServiceException(10003);
            var tenantId = r.Int("tenantId");
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_tenant WHERE id = @tenantId", new { tenantId }).ConfigureAwait(false) == 0)
                throw new DsServiceException(10017, tenantId);
            var password = r.Required("userPassword");
            await ctx.Db.ExecAsync("UPDATE t_ds_user SET user_name = @name, user_password = @pw, email = @email, phone = @phone, tenant_id = @tenantId, queue = @queue, " +
                                   "state = @state, update_time = @now WHERE id = @id",
                new
                {
                    name, pw = Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes(password))).ToLowerInvariant(), email = r.Required("email"), phone = r.Str("phone"),
                    tenantId, queue = r.Str("queue") ?? "", state = r.Int("state", 1), now = ctx.Now, id,
                }).ConfigureAwait(false);
            return null;
        });

        // Projects the user was granted (t_ds_relation_project_user), as DS lists them for the authorize dialog.
        t.Map("GET", "/projects/authed-project", async r =>
        {
            Admin(r);
            var rows = await ctx.Db.QueryAsync("SELECT p.* FROM t_ds_project p JOIN t_ds_relation_project_user rel ON rel.project_id = p.id WHERE rel.user_id = @userId ORDER BY p.id",
                new { userId = r.Int("userId") }).ConfigureAwait(false);
            return new JsonArray(rows.Select(p => (JsonNode)new JsonObject
            {
                ["id"] = p.Int("id"), ["code"] = p.Long("code"), ["name"] = p.Str("name"), ["description"] = p.Str("description"),
            }).ToArray());
        });
    }

    private static async Task<string> BaseDirAsync(EmulatorContext ctx, DsRequest r)
    {
        var tenant = await ctx.Db.QuerySingleAsync("SELECT t.tenant_code FROM t_ds_user u JOIN t_ds_tenant t ON t.id = u.tenant_id WHERE u.id = @id", new { id = r.LoginUser.Id }).ConfigureAwait(false);
        return $"file:/dolphinscheduler/{tenant?.Str("tenant_code") ?? "default"}/resources/";
    }

    private static void RegisterResourceCenter(EmulatorContext ctx, HandlerTable t)
    {
        var store = Stores.GetValue(ctx, _ => new Storage());

        t.Map("GET", "/resources/base-dir", async r =>
        {
            r.Enum("type", "FILE", "UDF", "ALL");
            return JsonValue.Create(await BaseDirAsync(ctx, r).ConfigureAwait(false));
        });

        t.Map("POST", "/resources/directory", async r =>
        {
            var dir = await CheckedDirAsync(ctx, r, r.Required("currentDir")).ConfigureAwait(false);
            var full = dir + r.Required("name").Trim('/');
            if (store.Folders.ContainsKey(full) || store.Files.ContainsKey(full)) throw new DsServiceException(20005);
            store.Folders[full] = ctx.Now;
            return null;
        });

        t.Map("POST", "/resources", async r =>
        {
            var dir = await CheckedDirAsync(ctx, r, r.Required("currentDir")).ConfigureAwait(false);
            var file = r.Files?.GetFile("file") ?? throw new DsBindingException("Required request part 'file' is not present");
            var full = dir + r.Required("name").Trim('/');
            if (store.Files.ContainsKey(full) || store.Folders.ContainsKey(full)) throw new DsServiceException(20005);
            store.Files[full] = (await ReadAsync(file).ConfigureAwait(false), ctx.Now, r.Str("description") ?? "");
            return null;
        });

        t.Map("PUT", "/resources", async r =>
        {
            var full = r.Required("fullName");
            if (!store.Files.TryGetValue(full, out var old)) throw new DsServiceException(20004);
            var file = r.Files?.GetFile("file");
            var target = full[..(full.LastIndexOf('/') + 1)] + r.Required("name").Trim('/');
            var bytes = file is null ? old.Bytes : await ReadAsync(file).ConfigureAwait(false);
            if (target != full)
            {
                if (store.Files.ContainsKey(target)) throw new DsServiceException(20005);
                store.Files.TryRemove(full, out _);
            }
            store.Files[target] = (bytes, ctx.Now, old.Description);
            return null;
        });

        t.Map("DELETE", "/resources", r =>
        {
            var full = r.Required("fullName");
            if (store.Files.TryRemove(full, out _)) return Task.FromResult<object?>(null);
            if (!store.Folders.ContainsKey(full)) throw new DsServiceException(20004);
            foreach (var k in store.Files.Keys.Where(k => k.StartsWith(full + "/", StringComparison.Ordinal))) store.Files.TryRemove(k, out _);
            foreach (var k in store.Folders.Keys.Where(k => k == full || k.StartsWith(full + "/", StringComparison.Ordinal))) store.Folders.TryRemove(k, out _);
            return Task.FromResult<object?>(null);
        });

        t.Map("GET", "/resources", async r =>
        {
            var (pageNo, pageSize) = r.Paging();
            var dir = r.Required("fullName");
            var baseDir = await BaseDirAsync(ctx, r).ConfigureAwait(false);
            if (dir.Length == 0) dir = baseDir;
            if (!dir.EndsWith('/')) dir += "/";
            var search = r.Str("searchVal") ?? "";
            static bool Child(string key, string dir) => key.StartsWith(dir, StringComparison.Ordinal) && key.IndexOf('/', dir.Length) < 0;
            var items = store.Folders.Where(f => Child(f.Key, dir)).Select(f => (Full: f.Key, Dir: true, Size: 0L, Updated: f.Value))
                .Concat(store.Files.Where(f => Child(f.Key, dir)).Select(f => (Full: f.Key, Dir: false, Size: (long)f.Value.Bytes.Length, Updated: f.Value.Updated)))
                .Where(i => i.Full[dir.Length..].Contains(search, StringComparison.OrdinalIgnoreCase))
                .OrderBy(i => i.Full, StringComparer.Ordinal).ToList();
            var page = items.Skip((pageNo - 1) * pageSize).Take(pageSize).Select(i => (JsonNode)new JsonObject
            {
                ["alias"] = i.Full[(i.Full.LastIndexOf('/') + 1)..], ["fileName"] = i.Full[(i.Full.LastIndexOf('/') + 1)..], ["fullName"] = i.Full,
                ["isDirectory"] = i.Dir, ["directory"] = i.Dir, ["type"] = "FILE", ["size"] = i.Size, ["updateTime"] = DsJson.Date(i.Updated),
            }).ToArray();
            return r.PageInfo(pageNo, pageSize, items.Count, new JsonArray(page));
        });

        t.Map("GET", "/resources/download", r =>
        {
            var full = r.Required("fullName");
            if (!store.Files.TryGetValue(full, out var f)) throw new DsServiceException(20004);
            // Text only: the emulator's raw replies are strings (the example files are scripts).
            return Task.FromResult<object?>(new RawReply("application/octet-stream", Encoding.UTF8.GetString(f.Bytes), full[(full.LastIndexOf('/') + 1)..]));
        });
    }

    private static async Task<string> CheckedDirAsync(EmulatorContext ctx, DsRequest r, string currentDir)
    {
        r.Enum("type", "FILE", "UDF", "ALL");
        var baseDir = await BaseDirAsync(ctx, r).ConfigureAwait(false);
        var dir = currentDir.EndsWith('/') ? currentDir : currentDir + "/";
        // DS refuses paths outside the user's own resource folder (RESOURCE_NOT_EXIST / ILLEGAL_RESOURCE_PATH; the exact code is unverified).
        if (!dir.StartsWith(baseDir, StringComparison.Ordinal) || dir.Contains("/../", StringComparison.Ordinal)) throw new DsServiceException(20004);
        var store = Stores.GetValue(ctx, _ => new Storage());
        if (dir != baseDir && !store.Folders.ContainsKey(dir.TrimEnd('/'))) throw new DsServiceException(20004);
        return dir;
    }

    private static async Task<byte[]> ReadAsync(Microsoft.AspNetCore.Http.IFormFile file)
    {
        using var ms = new MemoryStream();
        await file.CopyToAsync(ms).ConfigureAwait(false);
        return ms.ToArray();
    }
}
