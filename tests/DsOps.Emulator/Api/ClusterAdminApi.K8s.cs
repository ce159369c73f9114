using System.Text.Json.Nodes;
using DsOps.Emulator.Hosting;
using DsOps.Emulator.Storage;

namespace DsOps.Emulator.Api;

// k8s clusters and namespaces (DS 3.1+, docs/ds-facts.md §3.10): t_ds_cluster (unique name and code) and
// t_ds_k8s_namespace (unique namespace per cluster code). The status names are DS's own; the reply shapes follow the
// endpoint list (create cluster answers the new code, create namespace the entity). That only an admin may manage
// them is unverified.
public static partial class ClusterAdminApi
{
    private static void RegisterK8s(EmulatorContext ctx, HandlerTable t)
    {
        async Task<Row> ClusterAsync(long code) =>
            await ctx.Db.QuerySingleAsync("SELECT * FROM t_ds_cluster WHERE code = @code", new { code }).ConfigureAwait(false)
            ?? throw new DsServiceException("CLUSTER_NOT_EXISTS");

        (string Name, string Config) Checked(DsRequest r)
        {
            var name = r.Str("name") ?? "";
            var config = r.Str("config") ?? "";
            if (name.Trim().Length == 0) throw new DsServiceException("CLUSTER_NAME_IS_NULL");
            if (config.Trim().Length == 0) throw new DsServiceException("CLUSTER_CONFIG_IS_NULL");
            return (name, config);
        }

        JsonObject ClusterJson(Row k) => new()
        {
            ["id"] = k.Long("id"), ["code"] = k.Long("code"), ["name"] = k.Str("name"), ["config"] = k.Str("config"), ["description"] = k.Str("description"),
            ["operator"] = k.Int("operator"), ["createTime"] = DsJson.Date(k.Date("create_time")), ["updateTime"] = DsJson.Date(k.Date("update_time")),
        };

        t.Map("POST", "/cluster/create", async r =>
        {
            Admin(r);
            var (name, config) = Checked(r);
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_cluster WHERE name = @name", new { name }).ConfigureAwait(false) > 0)
                throw new DsServiceException("CLUSTER_NAME_EXISTS", name);
            var code = ctx.Codes.Next();
            await ctx.Db.InsertAsync("t_ds_cluster", new Dictionary<string, object?>
            {
                ["code"] = code, ["name"] = name, ["config"] = config, ["description"] = r.Str("description"), ["operator"] = r.LoginUser.Id,
                ["create_time"] = ctx.Now, ["update_time"] = ctx.Now,
            }).ConfigureAwait(false);
            return JsonValue.Create(code);
        });

        t.Map("POST", "/cluster/update", async r =>
        {
            Admin(r);
            var code = r.Long("code");
            await ClusterAsync(code).ConfigureAwait(false);
            var (name, config) = Checked(r);
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_cluster WHERE name = @name AND code <> @code", new { name, code }).ConfigureAwait(false) > 0)
                throw new DsServiceException("CLUSTER_NAME_EXISTS", name);
            await ctx.Db.ExecAsync("UPDATE t_ds_cluster SET name = @name, config = @config, description = @d, operator = @op, update_time = @now WHERE code = @code",
                new { name, config, d = r.Str("description"), op = r.LoginUser.Id, now = ctx.Now, code }).ConfigureAwait(false);
            return ClusterJson(await ClusterAsync(code).ConfigureAwait(false));
        });

        t.Map("POST", "/cluster/delete", async r =>
        {
            Admin(r);
            var code = r.Long("clusterCode");
            await ClusterAsync(code).ConfigureAwait(false);
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_k8s_namespace WHERE cluster_code = @code", new { code }).ConfigureAwait(false) > 0)
                throw new DsServiceException("DELETE_CLUSTER_RELATED_NAMESPACE_EXISTS");
            await ctx.Db.ExecAsync("DELETE FROM t_ds_cluster WHERE code = @code", new { code }).ConfigureAwait(false);
            return JsonValue.Create(true);
        });

        t.Map("GET", "/cluster/query-cluster-list", async r =>
            new JsonArray((await ctx.Db.QueryAsync("SELECT * FROM t_ds_cluster ORDER BY id", new { }).ConfigureAwait(false)).Select(k => (JsonNode)ClusterJson(k)).ToArray()));

        t.Map("GET", "/cluster/query-by-code", async r => ClusterJson(await ClusterAsync(r.Long("clusterCode")).ConfigureAwait(false)));

        t.Map("GET", "/cluster/list-paging", async r =>
        {
            var (pageNo, pageSize) = r.Paging();
            var args = new { search = "%" + (r.Str("searchVal") ?? "") + "%", offset = (pageNo - 1) * pageSize, pageSize };
            var total = await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_cluster WHERE name LIKE @search", args).ConfigureAwait(false);
            var rows = await ctx.Db.QueryAsync("SELECT * FROM t_ds_cluster WHERE name LIKE @search ORDER BY update_time DESC, id DESC LIMIT @offset, @pageSize", args).ConfigureAwait(false);
            return r.PageInfo(pageNo, pageSize, total, new JsonArray(rows.Select(k => (JsonNode)ClusterJson(k)).ToArray()));
        });

        JsonObject NamespaceJson(Row n) => new()
        {
            ["id"] = n.Int("id"), ["code"] = n.Long("code"), ["namespace"] = n.Str("namespace"), ["clusterCode"] = n.Long("cluster_code"),
            ["clusterName"] = n.Str("cluster_name"), ["userId"] = n.Int("user_id"),
            ["createTime"] = DsJson.Date(n.Date("create_time")), ["updateTime"] = DsJson.Date(n.Date("update_time")),
        };

        t.Map("GET", "/k8s-namespace", async r =>
        {
            Admin(r);
            var (pageNo, pageSize) = r.Paging();
            var args = new { search = "%" + (r.Str("searchVal") ?? "") + "%", offset = (pageNo - 1) * pageSize, pageSize };
            var total = await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_k8s_namespace WHERE namespace LIKE @search", args).ConfigureAwait(false);
            var rows = await ctx.Db.QueryAsync("SELECT n.*, c.name AS cluster_name FROM t_ds_k8s_namespace n LEFT JOIN t_ds_cluster c ON c.code = n.cluster_code " +
                                               "WHERE n.namespace LIKE @search ORDER BY n.id LIMIT @offset, @pageSize", args).ConfigureAwait(false);
            return r.PageInfo(pageNo, pageSize, total, new JsonArray(rows.Select(n => (JsonNode)NamespaceJson(n)).ToArray()));
        });

        t.Map("POST", "/k8s-namespace", async r =>
        {
            Admin(r);
            var ns = r.Required("namespace");
            var clusterCode = r.Long("clusterCode");
            await ClusterAsync(clusterCode).ConfigureAwait(false);
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_k8s_namespace WHERE namespace = @ns AND cluster_code = @clusterCode", new { ns, clusterCode }).ConfigureAwait(false) > 0)
                throw new DsServiceException("K8S_NAMESPACE_EXIST", ns);
            var id = await ctx.Db.InsertAsync("t_ds_k8s_namespace", new Dictionary<string, object?>
            {
                ["code"] = ctx.Codes.Next(), ["namespace"] = ns, ["user_id"] = r.LoginUser.Id, ["cluster_code"] = clusterCode, ["create_time"] = ctx.Now, ["update_time"] = ctx.Now,
            }).ConfigureAwait(false);
            var row = await ctx.Db.QuerySingleAsync("SELECT n.*, c.name AS cluster_name FROM t_ds_k8s_namespace n LEFT JOIN t_ds_cluster c ON c.code = n.cluster_code WHERE n.id = @id",
                new { id }).ConfigureAwait(false);
            return NamespaceJson(row!);
        });

        t.Map("POST", "/k8s-namespace/delete", async r =>
        {
            Admin(r);
            var id = r.Int("id");
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_k8s_namespace WHERE id = @id", new { id }).ConfigureAwait(false) == 0)
                throw new DsServiceException("K8S_NAMESPACE_NOT_EXIST", id);
            await ctx.Db.ExecAsync("DELETE FROM t_ds_k8s_namespace WHERE id = @id", new { id }).ConfigureAwait(false);
            return null;
        });
    }
}
