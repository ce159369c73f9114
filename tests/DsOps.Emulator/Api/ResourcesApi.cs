using System.Text.Json;
using System.Text.Json.Nodes;
using DsOps.Emulator.Hosting;
using DsOps.Emulator.Storage;

namespace DsOps.Emulator.Api;

/// <summary>Data sources, environments, worker groups, tenants, alert groups and alert plugin instances (docs/ds-facts.md §3.9).</summary>
public static class ResourcesApi
{
    /// <summary>DbType codes 0–10 (all versions); later types are not emulated.</summary>
    private static readonly string[] DbTypes = { "MYSQL", "POSTGRESQL", "HIVE", "SPARK", "CLICKHOUSE", "ORACLE", "SQLSERVER", "DB2", "PRESTO", "H2", "REDSHIFT" };

    private static readonly Dictionary<string, (string Driver, string Scheme)> Jdbc = new()
    {
        ["MYSQL"] = ("com.mysql.cj.jdbc.Driver", "jdbc:mysql://"), ["POSTGRESQL"] = ("org.postgresql.Driver", "jdbc:postgresql://"),
        ["HIVE"] = ("org.apache.hive.jdbc.HiveDriver", "jdbc:hive2://"), ["SPARK"] = ("org.apache.hive.jdbc.HiveDriver", "jdbc:hive2://"),
        ["CLICKHOUSE"] = ("ru.yandex.clickhouse.ClickHouseDriver", "jdbc:clickhouse://"), ["ORACLE"] = ("oracle.jdbc.OracleDriver", "jdbc:oracle:thin:@"),
        ["SQLSERVER"] = ("com.microsoft.sqlserver.jdbc.SQLServerDriver", "jdbc:sqlserver://"), ["DB2"] = ("com.ibm.db2.jcc.DB2Driver", "jdbc:db2://"),
        ["PRESTO"] = ("com.facebook.presto.jdbc.PrestoDriver", "jdbc:presto://"), ["H2"] = ("org.h2.Driver", "jdbc:h2:"),
        ["REDSHIFT"] = ("com.amazon.redshift.jdbc42.Driver", "jdbc:redshift://"),
    };

    public static void Register(EmulatorContext ctx, HandlerTable t)
    {
        RegisterDataSources(ctx, t);
        RegisterEnvironments(ctx, t);
        RegisterWorkerGroups(ctx, t);
        RegisterTenants(ctx, t);
        RegisterQueues(ctx, t);
        RegisterAlerts(ctx, t);
    }

    // ---------------- data sources (JSON body) ----------------

    private static void RegisterDataSources(EmulatorContext ctx, HandlerTable t)
    {
        t.Map("POST", "/datasources", async r =>
        {
            var p = ParseDataSource(r.Body);
            var now = ctx.Now;
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_datasource WHERE name = @name", new { name = p.Name }).ConfigureAwait(false) > 0)
                throw new DsServiceException(10015);
            CheckConnection(p);
            var id = await ctx.Db.InsertAsync("t_ds_datasource", new Dictionary<string, object?>
            {
                ["name"] = p.Name, ["note"] = p.Note, ["type"] = p.TypeCode, ["user_id"] = r.LoginUser.Id,
                ["connection_params"] = p.ConnectionParams, ["create_time"] = now, ["update_time"] = now,
            }).ConfigureAwait(false);
            // 3.0.1 answers null data; later versions the created entity (unverified: treated alike here).
            return ctx.V32Plus ? DataSourceJson(await GetDataSourceAsync(ctx, (int)id).ConfigureAwait(false), masked: true) : null;
        });

        t.Map("PUT", "/datasources/{id}", async r =>
        {
            var id = (int)r.PathLong(0);
            var old = await GetDataSourceAsync(ctx, id).ConfigureAwait(false);
            var p = ParseDataSource(r.Body, JsonNode.Parse(old.Str("connection_params") ?? "{}")?["password"]?.GetValue<string>());
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_datasource WHERE name = @name AND id <> @id", new { name = p.Name, id }).ConfigureAwait(false) > 0)
                throw new DsServiceException(10015);
            CheckConnection(p);
            await ctx.Db.ExecAsync("UPDATE t_ds_datasource SET name = @name, note = @note, type = @type, connection_params = @cp, update_time = @now WHERE id = @id",
                new { name = p.Name, note = p.Note, type = p.TypeCode, cp = p.ConnectionParams, now = ctx.Now, id }).ConfigureAwait(false);
            return DataSourceJson(await GetDataSourceAsync(ctx, id).ConfigureAwait(false), masked: true);
        });

        t.Map("GET", "/datasources/{id}", async r => DataSourceJson(await GetDataSourceAsync(ctx, (int)r.PathLong(0)).ConfigureAwait(false), masked: true));

        t.Map("DELETE", "/datasources/{id}", async r =>
        {
            var ds = await GetDataSourceAsync(ctx, (int)r.PathLong(0)).ConfigureAwait(false);
            if (!r.LoginUser.IsAdmin && ds.Int("user_id") != r.LoginUser.Id) throw new DsServiceException(30001);
            await ctx.Db.ExecAsync("DELETE FROM t_ds_datasource WHERE id = @id", new { id = ds.Int("id") }).ConfigureAwait(false);
            return null;
        });

        t.Map("GET", "/datasources/list", async r =>
        {
            var type = Array.IndexOf(DbTypes, r.Enum("type", DbTypes));
            var rows = await ctx.Db.QueryAsync("SELECT d.*, u.user_name FROM t_ds_datasource d LEFT JOIN t_ds_user u ON u.id = d.user_id WHERE d.type = @type ORDER BY d.id", new { type }).ConfigureAwait(false);
            return new JsonArray(rows.Select(x => (JsonNode)DataSourceRowJson(x)).ToArray());
        });

        t.Map("GET", "/datasources", async r =>
        {
            var (pageNo, pageSize) = r.Paging();
            var args = new { search = "%" + (r.Str("searchVal") ?? "") + "%", offset = (pageNo - 1) * pageSize, pageSize };
            var total = await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_datasource WHERE name LIKE @search", args).ConfigureAwait(false);
            var rows = await ctx.Db.QueryAsync("SELECT d.*, u.user_name FROM t_ds_datasource d LEFT JOIN t_ds_user u ON u.id = d.user_id WHERE d.name LIKE @search " +
                "ORDER BY d.update_time DESC, d.id DESC LIMIT @offset, @pageSize", args).ConfigureAwait(false);
            return r.PageInfo(pageNo, pageSize, total, new JsonArray(rows.Select(x => (JsonNode)DataSourceRowJson(x)).ToArray()));
        });

        t.Map("GET", "/datasources/verify-name", async r =>
        {
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_datasource WHERE name = @name", new { name = r.Required("name") }).ConfigureAwait(false) > 0)
                throw new DsServiceException(10015);
            return null;
        });

        t.Map("POST", "/datasources/connect", r =>
        {
            CheckConnection(ParseDataSource(r.Body));
            return Task.FromResult<object?>(null);
        });

        t.Map("GET", "/datasources/{id}/connect-test", async r =>
        {
            var ds = await GetDataSourceAsync(ctx, (int)r.PathLong(0)).ConfigureAwait(false);
            var host = JsonNode.Parse(ds.Str("connection_params") ?? "{}")?["address"]?.GetValue<string>() ?? "";
            if (host.Contains(".invalid", StringComparison.OrdinalIgnoreCase)) throw new DsServiceException(10016);
            return null;
        });
    }

    private sealed record DataSourceParam(string Name, string? Note, int TypeCode, string ConnectionParams, string Host);

    private static DataSourceParam ParseDataSource(string? body, string? keepPassword = null)
    {
        JsonObject? o;
        try { o = JsonNode.Parse(body ?? "") as JsonObject; }
        catch (JsonException ex) { throw new DsBindingException("JSON parse error: " + ex.Message); }
        if (o is null) throw new DsBindingException("Required request body is missing");
        var type = WorkflowDag.Str(o["type"]) ?? "";
        var code = Array.IndexOf(DbTypes, type);
        if (code < 0) throw new DsServiceException(10167);
        var name = WorkflowDag.Str(o["name"]) ?? "";
        if (name.Trim().Length == 0) throw new DsServiceException(10172);
        var host = WorkflowDag.Str(o["host"]) ?? "";
        if (host.Trim().Length == 0 || host.Contains(' ')) throw new DsServiceException(10173);
        var port = WorkflowDag.Long(o["port"]);
        var database = WorkflowDag.Str(o["database"]) ?? "";
        var (driver, scheme) = Jdbc[type];
        var address = $"{scheme}{host}:{port}";
        // Stored like DS with datasource.encryption.enable=false (its default): the password is kept as given.
        var password = o["password"] is null ? keepPassword : WorkflowDag.Str(o["password"]);
        var cp = new JsonObject
        {
            ["user"] = WorkflowDag.Str(o["userName"]), ["password"] = password, ["address"] = address, ["database"] = database,
            ["jdbcUrl"] = address + "/" + database, ["driverClassName"] = driver, ["validationQuery"] = "select 1",
            ["other"] = o["other"]?.DeepClone(),
        };
        return new DataSourceParam(name.Trim(), WorkflowDag.Str(o["note"]), code, cp.ToJsonString(), host);
    }

    /// <summary>DS tests the connection before saving (10016). The emulator connects nowhere: hosts under the
    /// reserved ".invalid" TLD fail, everything else succeeds.</summary>
    private static void CheckConnection(DataSourceParam p)
    {
        if (p.Host.EndsWith(".invalid", StringComparison.OrdinalIgnoreCase)) throw new DsServiceException(10016);
    }

    private static async Task<Row> GetDataSourceAsync(EmulatorContext ctx, int id) =>
        await ctx.Db.QuerySingleAsync("SELECT d.*, u.user_name FROM t_ds_datasource d LEFT JOIN t_ds_user u ON u.id = d.user_id WHERE d.id = @id", new { id }).ConfigureAwait(false)
        ?? throw new DsServiceException(20004);

    /// <summary>GET /datasources/{id}: the parameter DTO, password masked (DS replaces it with "******"; unverified per version).</summary>
    private static JsonObject DataSourceJson(Row d, bool masked)
    {
        var cp = JsonNode.Parse(d.Str("connection_params") ?? "{}") as JsonObject ?? new JsonObject();
        var address = WorkflowDag.Str(cp["address"]) ?? "";
        var hostPort = address.Contains("//", StringComparison.Ordinal) ? address[(address.IndexOf("//", StringComparison.Ordinal) + 2)..] : address;
        var colon = hostPort.LastIndexOf(':');
        return new JsonObject
        {
            ["id"] = d.Int("id"), ["name"] = d.Str("name"), ["note"] = d.Str("note"), ["type"] = DbTypes[d.Int("type")],
            ["host"] = colon > 0 ? hostPort[..colon] : hostPort, ["port"] = colon > 0 && int.TryParse(hostPort[(colon + 1)..], out var port) ? port : 0,
            ["database"] = WorkflowDag.Str(cp["database"]), ["userName"] = WorkflowDag.Str(cp["user"]),
            ["password"] = masked ? "******" : WorkflowDag.Str(cp["password"]), ["other"] = cp["other"]?.DeepClone(),
        };
    }

    /// <summary>List rows: the DataSource entity; connectionParams is DS's stored JSON text (password included as DS stores it).</summary>
    private static JsonObject DataSourceRowJson(Row d) => new()
    {
        ["id"] = d.Int("id"), ["userId"] = d.Int("user_id"), ["userName"] = d.Str("user_name"), ["name"] = d.Str("name"), ["note"] = d.Str("note"),
        ["type"] = DbTypes[d.Int("type")], ["connectionParams"] = d.Str("connection_params"),
        ["createTime"] = DsJson.Date(d.Date("create_time")), ["updateTime"] = DsJson.Date(d.Date("update_time")),
    };

    // ---------------- environments ----------------

    private static void RegisterEnvironments(EmulatorContext ctx, HandlerTable t)
    {
        t.Map("POST", "/environment/create", async r =>
        {
            var name = r.Required("name");
            var config = r.Required("config");
            if (name.Trim().Length == 0) throw new DsServiceException(120003);
            if (config.Trim().Length == 0) throw new DsServiceException(120004);
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_environment WHERE name = @name", new { name }).ConfigureAwait(false) > 0)
                throw new DsServiceException(120002, name);
            var groups = ParseGroups(r.Str("workerGroups"));
            var code = ctx.Codes.Next();
            var now = ctx.Now;
            await ctx.Db.InTransactionAsync(async (c, tx) =>
            {
                await ctx.Db.InsertAsync(c, tx, "t_ds_environment", new Dictionary<string, object?>
                {
                    ["code"] = code, ["name"] = name, ["config"] = config, ["description"] = r.Str("description"), ["operator"] = r.LoginUser.Id,
                    ["create_time"] = now, ["update_time"] = now,
                }).ConfigureAwait(false);
                await InsertWorkerGroupRelationsAsync(ctx, c, tx, code, groups, r.LoginUser.Id, now).ConfigureAwait(false);
            }).ConfigureAwait(false);
            return JsonValue.Create(code);
        });

        t.Map("POST", "/environment/update", async r =>
        {
            var code = r.Long("code");
            await GetEnvironmentAsync(ctx, code).ConfigureAwait(false); // 1200009 when unknown
            var name = r.Required("name");
            var config = r.Required("config");
            if (name.Trim().Length == 0) throw new DsServiceException(120003);
            if (config.Trim().Length == 0) throw new DsServiceException(120004);
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_environment WHERE name = @name AND code <> @code", new { name, code }).ConfigureAwait(false) > 0)
                throw new DsServiceException(120002, name);
            var groups = ParseGroups(r.Str("workerGroups"));
            var now = ctx.Now;
            await ctx.Db.InTransactionAsync(async (c, tx) =>
            {
                await ctx.Db.ExecAsync("UPDATE t_ds_environment SET name = @name, config = @config, description = @d, operator = @op, update_time = @now WHERE code = @code",
                    new { name, config, d = r.Str("description"), op = r.LoginUser.Id, now, code }, c, tx).ConfigureAwait(false);
                await ctx.Db.ExecAsync("DELETE FROM t_ds_environment_worker_group_relation WHERE environment_code = @code", new { code }, c, tx).ConfigureAwait(false);
                await InsertWorkerGroupRelationsAsync(ctx, c, tx, code, groups, r.LoginUser.Id, now).ConfigureAwait(false);
            }).ConfigureAwait(false);
            return JsonValue.Create(code);
        });

        t.Map("GET", "/environment/query-by-code", async r => await EnvironmentJsonAsync(ctx, await GetEnvironmentAsync(ctx, r.Long("environmentCode")).ConfigureAwait(false)).ConfigureAwait(false));

        t.Map("POST", "/environment/delete", async r =>
        {
            var code = r.Long("environmentCode");
            await GetEnvironmentAsync(ctx, code).ConfigureAwait(false);
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_task_definition WHERE environment_code = @code", new { code }).ConfigureAwait(false) > 0)
                throw new DsServiceException(120007);
            await ctx.Db.InTransactionAsync(async (c, tx) =>
            {
                await ctx.Db.ExecAsync("DELETE FROM t_ds_environment_worker_group_relation WHERE environment_code = @code", new { code }, c, tx).ConfigureAwait(false);
                await ctx.Db.ExecAsync("DELETE FROM t_ds_environment WHERE code = @code", new { code }, c, tx).ConfigureAwait(false);
            }).ConfigureAwait(false);
            return null;
        });

        t.Map("GET", "/environment/list-paging", async r =>
        {
            var (pageNo, pageSize) = r.Paging();
            var args = new { search = "%" + (r.Str("searchVal") ?? "") + "%", offset = (pageNo - 1) * pageSize, pageSize };
            var total = await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_environment WHERE name LIKE @search", args).ConfigureAwait(false);
            var rows = await ctx.Db.QueryAsync("SELECT * FROM t_ds_environment WHERE name LIKE @search ORDER BY update_time DESC, id DESC LIMIT @offset, @pageSize", args).ConfigureAwait(false);
            var items = new JsonArray();
            foreach (var row in rows) items.Add(await EnvironmentJsonAsync(ctx, row).ConfigureAwait(false));
            return r.PageInfo(pageNo, pageSize, total, items);
        });

        t.Map("GET", "/environment/query-environment-list", async r =>
        {
            var rows = await ctx.Db.QueryAsync("SELECT * FROM t_ds_environment ORDER BY id").ConfigureAwait(false);
            var items = new JsonArray();
            foreach (var row in rows) items.Add(await EnvironmentJsonAsync(ctx, row).ConfigureAwait(false));
            return items;
        });
    }

    /// <summary>
    /// An environment's worker-group rows. The 3.4.3 schema adds a NOT NULL worker_group_id beside the name (no upgrade
    /// script for it was found: docs/ds-facts.md §9.4); the emulator writes the t_ds_worker_group id of that name, or 0
    /// for a group DS knows only from worker config such as 'default' (what DS 3.4 itself writes there is unverified).
    /// </summary>
    private static async Task InsertWorkerGroupRelationsAsync(EmulatorContext ctx, MySqlConnector.MySqlConnection c, MySqlConnector.MySqlTransaction tx, long code,
        IReadOnlyList<string> groups, int user, DateTime now)
    {
        var withId = ctx.Db.HasColumn("t_ds_environment_worker_group_relation", "worker_group_id");
        var rows = new List<IReadOnlyDictionary<string, object?>>();
        foreach (var g in groups)
        {
            var row = new Dictionary<string, object?> { ["environment_code"] = code, ["worker_group"] = g, ["operator"] = user, ["create_time"] = now, ["update_time"] = now };
            if (withId) row["worker_group_id"] = await ctx.Db.ScalarAsync("SELECT COALESCE(MAX(id), 0) FROM t_ds_worker_group WHERE name = @g", new { g }, c, tx).ConfigureAwait(false);
            rows.Add(row);
        }
        await ctx.Db.InsertAsync(c, tx, "t_ds_environment_worker_group_relation", rows).ConfigureAwait(false);
    }

    private static List<string> ParseGroups(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return new List<string>();
        try { return (JsonNode.Parse(json) as JsonArray ?? new JsonArray()).Select(n => WorkflowDag.Str(n) ?? "").Where(s => s.Length > 0).Distinct().ToList(); }
        catch (JsonException) { throw new DsServiceException(10001, "workerGroups"); }
    }

    private static async Task<Row> GetEnvironmentAsync(EmulatorContext ctx, long code) =>
        await ctx.Db.QuerySingleAsync("SELECT * FROM t_ds_environment WHERE code = @code", new { code }).ConfigureAwait(false)
        ?? throw new DsServiceException(1200009, code);

    private static async Task<JsonObject> EnvironmentJsonAsync(EmulatorContext ctx, Row e)
    {
        var groups = await ctx.Db.QueryAsync("SELECT worker_group FROM t_ds_environment_worker_group_relation WHERE environment_code = @code ORDER BY id", new { code = e.Long("code") }).ConfigureAwait(false);
        return new JsonObject
        {
            ["id"] = e.Int("id"), ["code"] = e.Long("code"), ["name"] = e.Str("name"), ["config"] = e.Str("config"), ["description"] = e.Str("description"),
            ["workerGroups"] = new JsonArray(groups.Select(g => (JsonNode)JsonValue.Create(g.Str("worker_group"))!).ToArray()),
            ["operator"] = e.IntOrNull("operator"), ["createTime"] = DsJson.Date(e.Date("create_time")), ["updateTime"] = DsJson.Date(e.Date("update_time")),
        };
    }

    // ---------------- worker groups ----------------

    private static void RegisterWorkerGroups(EmulatorContext ctx, HandlerTable t)
    {
        t.Map("POST", "/worker-groups", async r =>
        {
            if (!r.LoginUser.IsAdmin) throw new DsServiceException(30001);
            var id = r.Int("id");
            var name = r.Required("name").Trim();
            if (name.Length == 0) throw new DsServiceException(10001, "name");
            var addrList = r.Required("addrList");
            foreach (var addr in addrList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                if (!ctx.Master.RegisteredWorkers.Contains(addr)) throw new DsServiceException(10177, addr);
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_worker_group WHERE name = @name AND id <> @id", new { name, id }).ConfigureAwait(false) > 0)
                throw new DsServiceException(10135, name);
            var now = ctx.Now;
            if (id == 0)
            {
                id = (int)await ctx.Db.InsertAsync("t_ds_worker_group", new Dictionary<string, object?>
                {
                    ["name"] = name, ["addr_list"] = addrList, ["create_time"] = now, ["update_time"] = now,
                    ["description"] = r.Str("description") ?? "", ["other_params_json"] = r.Str("otherParamsJson") ?? "",
                }).ConfigureAwait(false);
            }
            else
            {
                await ctx.Db.ExecAsync("UPDATE t_ds_worker_group SET name = @name, addr_list = @addrList, update_time = @now WHERE id = @id", new { name, addrList, now, id }).ConfigureAwait(false);
            }
            var row = await ctx.Db.QuerySingleAsync("SELECT * FROM t_ds_worker_group WHERE id = @id", new { id }).ConfigureAwait(false);
            return WorkerGroupJson(row!);
        });

        t.Map("GET", "/worker-groups", async r =>
        {
            var (pageNo, pageSize) = r.Paging();
            var args = new { search = "%" + (r.Str("searchVal") ?? "") + "%", offset = (pageNo - 1) * pageSize, pageSize };
            var total = await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_worker_group WHERE name LIKE @search", args).ConfigureAwait(false);
            var rows = await ctx.Db.QueryAsync("SELECT * FROM t_ds_worker_group WHERE name LIKE @search ORDER BY id LIMIT @offset, @pageSize", args).ConfigureAwait(false);
            return r.PageInfo(pageNo, pageSize, total, new JsonArray(rows.Select(x => (JsonNode)WorkerGroupJson(x)).ToArray()));
        });

        // Names only, "default" first (it stands for every registered worker unless a "default" row exists).
        t.Map("GET", "/worker-groups/all", async r =>
        {
            var names = (await ctx.Db.QueryAsync("SELECT name FROM t_ds_worker_group ORDER BY id").ConfigureAwait(false)).Select(x => x.Str("name")!).ToList();
            names.Remove("default");
            names.Insert(0, "default");
            return new JsonArray(names.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray());
        });

        t.Map("DELETE", "/worker-groups/{id}", async r =>
        {
            if (!r.LoginUser.IsAdmin) throw new DsServiceException(30001);
            var id = (int)r.PathLong(0);
            var row = await ctx.Db.QuerySingleAsync("SELECT * FROM t_ds_worker_group WHERE id = @id", new { id }).ConfigureAwait(false)
                ?? throw new DsServiceException(10174);
            var running = await ctx.Db.ScalarAsync($"SELECT COUNT(*) FROM t_ds_process_instance WHERE worker_group = @name AND state IN ({WorkflowDefinitionApi.InProgressStates})",
                new { name = row.Str("name") }).ConfigureAwait(false);
            if (running > 0) throw new DsServiceException(10145, running);
            await ctx.Db.ExecAsync("DELETE FROM t_ds_worker_group WHERE id = @id", new { id }).ConfigureAwait(false);
            return null;
        });

        t.Map("GET", "/worker-groups/worker-address-list", r =>
            Task.FromResult<object?>(new JsonArray(ctx.Master.RegisteredWorkers.Select(w => (JsonNode)JsonValue.Create(w)!).ToArray())));
    }

    private static JsonObject WorkerGroupJson(Row w) => new()
    {
        ["id"] = w.Int("id"), ["name"] = w.Str("name"), ["addrList"] = w.Str("addr_list"),
        ["createTime"] = DsJson.Date(w.Date("create_time")), ["updateTime"] = DsJson.Date(w.Date("update_time")),
        ["description"] = w.Has("description") ? w.Str("description") : null, ["systemDefault"] = false,
    };

    // ---------------- tenants ----------------

    private static void RegisterTenants(EmulatorContext ctx, HandlerTable t)
    {
        async Task<int> CheckQueue(int queueId)
        {
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_queue WHERE id = @queueId", new { queueId }).ConfigureAwait(false) == 0)
                throw new DsServiceException(10128, queueId);
            return queueId;
        }

        t.Map("POST", "/tenants", async r =>
        {
            if (!r.LoginUser.IsAdmin) throw new DsServiceException(30001);
            var code = r.Required("tenantCode").Trim();
            if (code.Length == 0) throw new DsServiceException(10001, "tenantCode");
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_tenant WHERE tenant_code = @code", new { code }).ConfigureAwait(false) > 0)
                throw new DsServiceException(10009, code);
            var queueId = await CheckQueue(r.Int("queueId")).ConfigureAwait(false);
            var now = ctx.Now;
            var id = await ctx.Db.InsertAsync("t_ds_tenant", new Dictionary<string, object?>
            {
                ["tenant_code"] = code, ["description"] = r.Str("description"), ["queue_id"] = queueId, ["create_time"] = now, ["update_time"] = now,
            }).ConfigureAwait(false);
            return await TenantJsonAsync(ctx, (int)id).ConfigureAwait(false);
        });

        t.Map("PUT", "/tenants/{id}", async r =>
        {
            if (!r.LoginUser.IsAdmin) throw new DsServiceException(30001);
            var id = (int)r.PathLong(0);
            var code = r.Required("tenantCode").Trim();
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_tenant WHERE id = @id", new { id }).ConfigureAwait(false) == 0)
                throw new DsServiceException(10017, id);
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_tenant WHERE tenant_code = @code AND id <> @id", new { code, id }).ConfigureAwait(false) > 0)
                throw new DsServiceException(10009, code);
            var queueId = await CheckQueue(r.Int("queueId")).ConfigureAwait(false);
            await ctx.Db.ExecAsync("UPDATE t_ds_tenant SET tenant_code = @code, description = @d, queue_id = @queueId, update_time = @now WHERE id = @id",
                new { code, d = r.Str("description"), queueId, now = ctx.Now, id }).ConfigureAwait(false);
            return await TenantJsonAsync(ctx, id).ConfigureAwait(false);
        });

        t.Map("DELETE", "/tenants/{id}", async r =>
        {
            if (!r.LoginUser.IsAdmin) throw new DsServiceException(30001);
            var id = (int)r.PathLong(0);
            _ = await ctx.Db.QuerySingleAsync("SELECT id FROM t_ds_tenant WHERE id = @id", new { id }).ConfigureAwait(false) ?? throw new DsServiceException(10017, id);
            var users = await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_user WHERE tenant_id = @id", new { id }).ConfigureAwait(false);
            if (users > 0) throw new DsServiceException(10144, users);
            if (ctx.Db.HasColumn("t_ds_process_definition", "tenant_id"))
            {
                var defs = await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_process_definition WHERE tenant_id = @id", new { id }).ConfigureAwait(false);
                if (defs > 0) throw new DsServiceException(10143, defs);
            }
            await ctx.Db.ExecAsync("DELETE FROM t_ds_tenant WHERE id = @id", new { id }).ConfigureAwait(false);
            return null;
        });

        t.Map("GET", "/tenants", async r =>
        {
            var (pageNo, pageSize) = r.Paging();
            var args = new { search = "%" + (r.Str("searchVal") ?? "") + "%", offset = (pageNo - 1) * pageSize, pageSize };
            var total = await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_tenant WHERE tenant_code LIKE @search", args).ConfigureAwait(false);
            var rows = await ctx.Db.QueryAsync(TenantSelect + " WHERE t.tenant_code LIKE @search ORDER BY t.update_time DESC, t.id LIMIT @offset, @pageSize", args).ConfigureAwait(false);
            return r.PageInfo(pageNo, pageSize, total, new JsonArray(rows.Select(x => (JsonNode)TenantJson(x)).ToArray()));
        });

        t.Map("GET", "/tenants/list", async r =>
        {
            var rows = await ctx.Db.QueryAsync(TenantSelect + " ORDER BY t.id").ConfigureAwait(false);
            return new JsonArray(rows.Select(x => (JsonNode)TenantJson(x)).ToArray());
        });

        t.Map("GET", "/tenants/verify-code", async r =>
        {
            var code = r.Required("tenantCode");
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_tenant WHERE tenant_code = @code", new { code }).ConfigureAwait(false) > 0)
                throw new DsServiceException(10009, code);
            return null;
        });
    }

    // ---------------- queues ----------------

    private static void RegisterQueues(EmulatorContext ctx, HandlerTable t)
    {
        static JsonObject Json(Row q) => new()
        {
            ["id"] = q.Int("id"), ["queueName"] = q.Str("queue_name"), ["queue"] = q.Str("queue"),
            ["createTime"] = DsJson.Date(q.Date("create_time")), ["updateTime"] = DsJson.Date(q.Date("update_time")),
        };

        t.Map("GET", "/queues/list", async r =>
            new JsonArray((await ctx.Db.QueryAsync("SELECT * FROM t_ds_queue ORDER BY id").ConfigureAwait(false)).Select(x => (JsonNode)Json(x)).ToArray()));

        t.Map("GET", "/queues", async r =>
        {
            var (pageNo, pageSize) = r.Paging();
            var args = new { search = "%" + (r.Str("searchVal") ?? "") + "%", offset = (pageNo - 1) * pageSize, pageSize };
            var total = await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_queue WHERE queue_name LIKE @search", args).ConfigureAwait(false);
            var rows = await ctx.Db.QueryAsync("SELECT * FROM t_ds_queue WHERE queue_name LIKE @search ORDER BY update_time DESC, id LIMIT @offset, @pageSize", args).ConfigureAwait(false);
            return r.PageInfo(pageNo, pageSize, total, new JsonArray(rows.Select(x => (JsonNode)Json(x)).ToArray()));
        });

        t.Map("POST", "/queues", async r =>
        {
            if (!r.LoginUser.IsAdmin) throw new DsServiceException(30001);
            var queue = r.Required("queue");
            var name = r.Required("queueName");
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_queue WHERE queue_name = @name", new { name }).ConfigureAwait(false) > 0)
                throw new DsServiceException("QUEUE_NAME_EXIST", name);
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_queue WHERE queue = @queue", new { queue }).ConfigureAwait(false) > 0)
                throw new DsServiceException("QUEUE_VALUE_EXIST", queue);
            var id = await ctx.Db.InsertAsync("t_ds_queue", new Dictionary<string, object?>
            {
                ["queue_name"] = name, ["queue"] = queue, ["create_time"] = ctx.Now, ["update_time"] = ctx.Now,
            }).ConfigureAwait(false);
            return Json((await ctx.Db.QuerySingleAsync("SELECT * FROM t_ds_queue WHERE id = @id", new { id }).ConfigureAwait(false))!);
        });
    }

    private const string TenantSelect = "SELECT t.*, q.queue_name, q.queue FROM t_ds_tenant t LEFT JOIN t_ds_queue q ON q.id = t.queue_id";

    private static async Task<JsonObject> TenantJsonAsync(EmulatorContext ctx, int id) =>
        TenantJson((await ctx.Db.QuerySingleAsync(TenantSelect + " WHERE t.id = @id", new { id }).ConfigureAwait(false))!);

    private static JsonObject TenantJson(Row t) => new()
    {
        ["id"] = t.Int("id"), ["tenantCode"] = t.Str("tenant_code"), ["description"] = t.Str("description"), ["queueId"] = t.IntOrNull("queue_id"),
        ["queueName"] = t.Str("queue_name"), ["queue"] = t.Str("queue"),
        ["createTime"] = DsJson.Date(t.Date("create_time")), ["updateTime"] = DsJson.Date(t.Date("update_time")),
    };

    // ---------------- alert groups and plugin instances ----------------

    private static void RegisterAlerts(EmulatorContext ctx, HandlerTable t)
    {
        t.Map("POST", "/alert-groups", async r =>
        {
            if (!r.LoginUser.IsAdmin) throw new DsServiceException(30001);
            var name = r.Required("groupName");
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_alertgroup WHERE group_name = @name", new { name }).ConfigureAwait(false) > 0)
                throw new DsServiceException(10012);
            var now = ctx.Now;
            var id = await ctx.Db.InsertAsync("t_ds_alertgroup", new Dictionary<string, object?>
            {
                ["alert_instance_ids"] = r.Required("alertInstanceIds"), ["create_user_id"] = r.LoginUser.Id, ["group_name"] = name,
                ["description"] = r.Str("description"), ["create_time"] = now, ["update_time"] = now,
            }).ConfigureAwait(false);
            return AlertGroupJson((await GetAlertGroupAsync(ctx, (int)id).ConfigureAwait(false))!);
        });

        t.Map("PUT", "/alert-groups/{id}", async r =>
        {
            if (!r.LoginUser.IsAdmin) throw new DsServiceException(30001);
            var id = (int)r.PathLong(0);
            _ = await GetAlertGroupAsync(ctx, id).ConfigureAwait(false) ?? throw new DsServiceException(10011);
            var name = r.Required("groupName");
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_alertgroup WHERE group_name = @name AND id <> @id", new { name, id }).ConfigureAwait(false) > 0)
                throw new DsServiceException(10012);
            await ctx.Db.ExecAsync("UPDATE t_ds_alertgroup SET group_name = @name, description = @d, alert_instance_ids = @ids, update_time = @now WHERE id = @id",
                new { name, d = r.Str("description"), ids = r.Required("alertInstanceIds"), now = ctx.Now, id }).ConfigureAwait(false);
            return AlertGroupJson((await GetAlertGroupAsync(ctx, id).ConfigureAwait(false))!);
        });

        t.Map("DELETE", "/alert-groups/{id}", async r =>
        {
            if (!r.LoginUser.IsAdmin) throw new DsServiceException(30001);
            var id = (int)r.PathLong(0);
            if (id == 1 && ctx.Status.Contains("NOT_ALLOW_TO_DELETE_DEFAULT_ALARM_GROUP")) throw new DsServiceException("NOT_ALLOW_TO_DELETE_DEFAULT_ALARM_GROUP");
            _ = await GetAlertGroupAsync(ctx, id).ConfigureAwait(false) ?? throw new DsServiceException(10011);
            await ctx.Db.ExecAsync("DELETE FROM t_ds_alertgroup WHERE id = @id", new { id }).ConfigureAwait(false);
            return null;
        });

        t.Map("POST", "/alert-groups/query", async r =>
            AlertGroupJson(await GetAlertGroupAsync(ctx, r.Int("id")).ConfigureAwait(false) ?? throw new DsServiceException(10011)));

        t.Map("GET", "/alert-groups/list", async r =>
        {
            var rows = await ctx.Db.QueryAsync("SELECT * FROM t_ds_alertgroup ORDER BY id").ConfigureAwait(false);
            return new JsonArray(rows.Select(x => (JsonNode)AlertGroupJson(x)).ToArray());
        });

        t.Map("GET", "/alert-groups", async r =>
        {
            var (pageNo, pageSize) = r.Paging();
            var args = new { search = "%" + (r.Str("searchVal") ?? "") + "%", offset = (pageNo - 1) * pageSize, pageSize };
            var total = await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_alertgroup WHERE group_name LIKE @search", args).ConfigureAwait(false);
            var rows = await ctx.Db.QueryAsync("SELECT * FROM t_ds_alertgroup WHERE group_name LIKE @search ORDER BY update_time DESC, id LIMIT @offset, @pageSize", args).ConfigureAwait(false);
            return r.PageInfo(pageNo, pageSize, total, new JsonArray(rows.Select(x => (JsonNode)AlertGroupJson(x)).ToArray()));
        });

        t.Map("GET", "/alert-groups/verify-name", async r =>
        {
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_alertgroup WHERE group_name = @name", new { name = r.Required("groupName") }).ConfigureAwait(false) > 0)
                throw new DsServiceException(10012);
            return null;
        });

        // Plugin instances. pluginInstanceParams is stored and returned verbatim, as DS does.
        t.Map("POST", "/alert-plugin-instances", async r =>
        {
            var name = r.Required("instanceName");
            if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_alert_plugin_instance WHERE instance_name = @name", new { name }).ConfigureAwait(false) > 0)
                throw new DsServiceException(110010);
            var now = ctx.Now;
            var id = await ctx.Db.InsertAsync("t_ds_alert_plugin_instance", new Dictionary<string, object?>
            {
                ["plugin_define_id"] = r.Int("pluginDefineId"), ["plugin_instance_params"] = AlertPlugins.ToStoredParams(r.Required("pluginInstanceParams")),
                ["create_time"] = now, ["update_time"] = now, ["instance_name"] = name,
                ["instance_type"] = r.Str("instanceType") == "GLOBAL" ? 1 : 0,
                ["warning_type"] = DsEnums.Code(DsEnums.WarningType, r.Str("warningType"), 3),
            }).ConfigureAwait(false);
            return PluginInstanceJson(ctx, (await GetPluginInstanceAsync(ctx, (int)id).ConfigureAwait(false))!);
        });

        t.Map("PUT", "/alert-plugin-instances/{id}", async r =>
        {
            var id = (int)r.PathLong(0);
            _ = await GetPluginInstanceAsync(ctx, id).ConfigureAwait(false) ?? throw new DsServiceException(10001, "id");
            await ctx.Db.ExecAsync("UPDATE t_ds_alert_plugin_instance SET instance_name = @name, plugin_instance_params = @p, update_time = @now WHERE id = @id",
                new { name = r.Required("instanceName"), p = AlertPlugins.ToStoredParams(r.Required("pluginInstanceParams")), now = ctx.Now, id }).ConfigureAwait(false);
            return PluginInstanceJson(ctx, (await GetPluginInstanceAsync(ctx, id).ConfigureAwait(false))!);
        });

        t.Map("DELETE", "/alert-plugin-instances/{id}", async r =>
        {
            var id = (int)r.PathLong(0);
            var groups = await ctx.Db.QueryAsync("SELECT alert_instance_ids FROM t_ds_alertgroup WHERE alert_instance_ids IS NOT NULL").ConfigureAwait(false);
            if (groups.Any(g => (g.Str("alert_instance_ids") ?? "").Split(',').Contains(id.ToString(System.Globalization.CultureInfo.InvariantCulture))))
                throw new DsServiceException(110012);
            await ctx.Db.ExecAsync("DELETE FROM t_ds_alert_plugin_instance WHERE id = @id", new { id }).ConfigureAwait(false);
            return null;
        });

        t.Map("GET", "/alert-plugin-instances/{id}", async r =>
            PluginInstanceJson(ctx, await GetPluginInstanceAsync(ctx, (int)r.PathLong(0)).ConfigureAwait(false) ?? throw new DsServiceException(10001, "id")));

        t.Map("GET", "/alert-plugin-instances/list", async r =>
        {
            var rows = await ctx.Db.QueryAsync(PluginSelect + " ORDER BY i.id").ConfigureAwait(false);
            return new JsonArray(rows.Select(x => (JsonNode)PluginInstanceJson(ctx, x)).ToArray());
        });

        t.Map("GET", "/alert-plugin-instances", async r =>
        {
            var (pageNo, pageSize) = r.Paging();
            var args = new { search = "%" + (r.Str("searchVal") ?? "") + "%", offset = (pageNo - 1) * pageSize, pageSize };
            var total = await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_alert_plugin_instance WHERE instance_name LIKE @search", args).ConfigureAwait(false);
            var rows = await ctx.Db.QueryAsync(PluginSelect + " WHERE i.instance_name LIKE @search ORDER BY i.update_time DESC, i.id LIMIT @offset, @pageSize", args).ConfigureAwait(false);
            return r.PageInfo(pageNo, pageSize, total, new JsonArray(rows.Select(x => (JsonNode)PluginInstanceJson(ctx, x)).ToArray()));
        });
    }

    private static Task<Row?> GetAlertGroupAsync(EmulatorContext ctx, int id) => ctx.Db.QuerySingleAsync("SELECT * FROM t_ds_alertgroup WHERE id = @id", new { id });

    private static JsonObject AlertGroupJson(Row g) => new()
    {
        ["id"] = g.Int("id"), ["groupName"] = g.Str("group_name"), ["alertInstanceIds"] = g.Str("alert_instance_ids"), ["description"] = g.Str("description"),
        ["createTime"] = DsJson.Date(g.Date("create_time")), ["updateTime"] = DsJson.Date(g.Date("update_time")), ["createUserId"] = g.IntOrNull("create_user_id"),
    };

    private const string PluginSelect = "SELECT i.*, d.plugin_name, d.plugin_params FROM t_ds_alert_plugin_instance i LEFT JOIN t_ds_plugin_define d ON d.id = i.plugin_define_id";

    private static Task<Row?> GetPluginInstanceAsync(EmulatorContext ctx, int id) => ctx.Db.QuerySingleAsync(PluginSelect + " WHERE i.id = @id", new { id });

    private static JsonObject PluginInstanceJson(EmulatorContext ctx, Row i)
    {
        var json = new JsonObject
        {
            ["id"] = i.Int("id"), ["pluginDefineId"] = i.Int("plugin_define_id"), ["instanceName"] = i.Str("instance_name"),
            ["pluginInstanceParams"] = AlertPlugins.ToUiParams(i.Str("plugin_instance_params"), i.Str("plugin_params")), ["alertPluginName"] = i.Str("plugin_name"),
            ["createTime"] = DsJson.Date(i.Date("create_time")), ["updateTime"] = DsJson.Date(i.Date("update_time")),
        };
        if (ctx.Db.HasColumn("t_ds_alert_plugin_instance", "instance_type"))
        {
            json["instanceType"] = i.Int("instance_type") == 1 ? "GLOBAL" : "NORMAL";
            json["warningType"] = DsEnums.Name(DsEnums.WarningType, i.IntOrNull("warning_type"));
        }
        return json;
    }
}
