using System.Text.Json.Nodes;
using DsOps.Emulator.Cluster;
using DsOps.Emulator.Hosting;
using DsOps.Engine.Dialects;

namespace DsOps.Emulator.Api;

/// <summary>Monitor routes as each version has them, product info (3.3), UI plugin definitions and command-state-count.</summary>
public static class MonitorApi
{
    public static void Register(EmulatorContext ctx, HandlerTable t)
    {
        var d = ctx.Dialect;
        if (d.MonitorByNodeType)
        {
            t.Map("GET", "/monitor/{nodeType}", r =>
            {
                var role = r.PathAt(0) switch
                {
                    "MASTER" => DsServerRole.Master,
                    "WORKER" => DsServerRole.Worker,
                    "ALERT_SERVER" => DsServerRole.AlertServer,
                    var other => throw new DsBindingException($"No enum constant RegistryNodeType.{other}"),
                };
                return Task.FromResult<object?>(new JsonArray(Servers(ctx, role).ToArray()));
            });
        }
        else
        {
            t.Map("GET", "/monitor/masters", _ => Task.FromResult<object?>(new JsonArray(Servers(ctx, DsServerRole.Master).ToArray())));
            t.Map("GET", "/monitor/workers", _ => Task.FromResult<object?>(new JsonArray(Servers(ctx, DsServerRole.Worker).ToArray())));
        }

        // MySQL figures come from the real metadata database, as DS reads them.
        t.Map("GET", "/monitor/databases", async _ =>
        {
            var vars = await ctx.Db.QueryAsync("SHOW GLOBAL VARIABLES LIKE 'max_connections'").ConfigureAwait(false);
            var status = (await ctx.Db.QueryAsync("SHOW GLOBAL STATUS WHERE Variable_name IN ('Max_used_connections', 'Threads_connected', 'Threads_running')").ConfigureAwait(false))
                .ToDictionary(x => x.Str("Variable_name")!, x => long.Parse(x.Str("Value")!, System.Globalization.CultureInfo.InvariantCulture));
            return new JsonArray(new JsonObject
            {
                ["dbType"] = "MYSQL", ["state"] = "YES",
                ["maxConnections"] = long.Parse(vars[0].Str("Value")!, System.Globalization.CultureInfo.InvariantCulture),
                ["maxUsedConnections"] = status.GetValueOrDefault("Max_used_connections"),
                ["threadsConnections"] = ctx.Cluster.ThreadsConnectedOverride ?? status.GetValueOrDefault("Threads_connected"),
                ["threadsRunningConnections"] = status.GetValueOrDefault("Threads_running"),
                ["date"] = DsJson.Format(ctx.Now),
            });
        });

        if (d.HasProductInfo)
            t.Map("GET", "/ui-plugins/query-product-info", _ => Task.FromResult<object?>(new JsonObject { ["version"] = d.Version.ToString(3) }));

        t.Map("GET", "/ui-plugins/query-by-type", async r =>
        {
            var type = r.Required("pluginType");
            var rows = await ctx.Db.QueryAsync("SELECT * FROM t_ds_plugin_define WHERE plugin_type = @type ORDER BY id", new { type }).ConfigureAwait(false);
            return new JsonArray(rows.Select(p => (JsonNode)new JsonObject
            {
                ["id"] = p.Int("id"), ["pluginName"] = p.Str("plugin_name"), ["pluginType"] = p.Str("plugin_type"), ["pluginParams"] = p.Str("plugin_params"),
                ["createTime"] = DsJson.Date(p.Date("create_time")), ["updateTime"] = DsJson.Date(p.Date("update_time")),
            }).ToArray());
        });

        t.Map("GET", "/ui-plugins/{id}", async r =>
        {
            var p = await ctx.Db.QuerySingleAsync("SELECT * FROM t_ds_plugin_define WHERE id = @id", new { id = (int)r.PathLong(0) }).ConfigureAwait(false)
                ?? throw new DsServiceException("QUERY_PLUGIN_DETAIL_RESULT_IS_NULL");
            return new JsonObject
            {
                ["id"] = p.Int("id"), ["pluginName"] = p.Str("plugin_name"), ["pluginType"] = p.Str("plugin_type"), ["pluginParams"] = p.Str("plugin_params"),
                ["createTime"] = DsJson.Date(p.Date("create_time")), ["updateTime"] = DsJson.Date(p.Date("update_time")),
            };
        });

        // {totalCount, taskCountDtos:[{count, taskStateType}]} over the version's state enum, instances started in
        // [startDate, endDate] of visible projects (every state listed, zero counts included — unverified).
        async Task<object?> StateCount(DsRequest r, bool tasks)
        {
            var scope = tasks ? DsStateScope.Task : DsStateScope.Workflow;
            var args = new Dictionary<string, object?>
            {
                ["projectCode"] = r.Long("projectCode"),
                ["start"] = DsJson.TryParseDate(r.Str("startDate"), out var a) ? a : null,
                ["end"] = DsJson.TryParseDate(r.Str("endDate"), out var b) ? b : null,
            };
            var sql = tasks
                ? "SELECT ti.state, COUNT(*) AS n FROM t_ds_task_instance ti JOIN t_ds_process_instance i ON i.id = ti.process_instance_id " +
                  "JOIN t_ds_process_definition d ON d.code = i.process_definition_code WHERE ti.flag = 1 AND (@projectCode = 0 OR d.project_code = @projectCode) " +
                  "AND (@start IS NULL OR ti.start_time >= @start) AND (@end IS NULL OR ti.start_time <= @end) GROUP BY ti.state"
                : "SELECT i.state, COUNT(*) AS n FROM t_ds_process_instance i JOIN t_ds_process_definition d ON d.code = i.process_definition_code " +
                  "WHERE (@projectCode = 0 OR d.project_code = @projectCode) AND (@start IS NULL OR i.start_time >= @start) AND (@end IS NULL OR i.start_time <= @end) GROUP BY i.state";
            var counts = (await ctx.Db.QueryAsync(sql, args).ConfigureAwait(false)).ToDictionary(x => x.Int("state"), x => x.Long("n"));
            var dtos = new JsonArray();
            foreach (var code in d.StateCodes(scope))
                dtos.Add(new JsonObject { ["count"] = counts.GetValueOrDefault(code), ["taskStateType"] = d.StateName(code, scope) });
            return new JsonObject { ["totalCount"] = counts.Values.Sum(), ["taskCountDtos"] = dtos };
        }
        t.Map("GET", "/projects/analysis/task-state-count", r => StateCount(r, tasks: true));
        t.Map("GET", "/" + d.WorkflowStateCountPath, r => StateCount(r, tasks: false));

        // One entry per command type: rows waiting in t_ds_command and rows in t_ds_error_command (all types listed; unverified whether DS omits zero rows).
        t.Map("GET", "/projects/analysis/command-state-count", async _ =>
        {
            var normal = (await ctx.Db.QueryAsync("SELECT command_type, COUNT(*) AS n FROM t_ds_command GROUP BY command_type").ConfigureAwait(false))
                .ToDictionary(x => x.Int("command_type"), x => x.Long("n"));
            var errors = (await ctx.Db.QueryAsync("SELECT command_type, COUNT(*) AS n FROM t_ds_error_command GROUP BY command_type").ConfigureAwait(false))
                .ToDictionary(x => x.Int("command_type"), x => x.Long("n"));
            var list = new JsonArray();
            for (var i = 0; i < DsEnums.CommandType.Length; i++)
            {
                if (i == 10 && d.UsesWorkflowNaming) continue; // RECOVER_WAITING_THREAD is gone in 3.3
                if (i >= 12 && d.Version < new Version(3, 2, 0)) continue; // EXECUTE_TASK, DYNAMIC_GENERATION are 3.2+
                list.Add(new JsonObject { ["commandState"] = DsEnums.CommandType[i], ["normalCount"] = normal.GetValueOrDefault(i), ["errorCount"] = errors.GetValueOrDefault(i) });
            }
            return list;
        });
    }

    private static IEnumerable<JsonNode> Servers(EmulatorContext ctx, DsServerRole role)
    {
        var v32 = ctx.Dialect.MonitorByNodeType;
        var emulatedRole = role switch { DsServerRole.Master => EmulatedRole.Master, DsServerRole.Worker => EmulatedRole.Worker, _ => EmulatedRole.Alert };
        foreach (var node in ctx.Cluster.Registered(emulatedRole))
        {
            var dir = role switch
            {
                DsServerRole.Master => "/nodes/master/" + node.Address,
                DsServerRole.Worker => v32 ? "/nodes/worker/" + node.Address : "/nodes/worker/default/" + node.Address,
                _ => "/nodes/alert-server/" + node.Address,
            };
            var startup = new DateTimeOffset(ctx.Master.StartupTime, TimeSpan.Zero).ToUnixTimeMilliseconds();
            var beat = DateTime.UtcNow - node.HeartbeatAge;
            var report = new DateTimeOffset(beat, TimeSpan.Zero).ToUnixTimeMilliseconds();
            var busy = node.Overloaded;
            // Overload: usage above the version's protection thresholds, as DS's heartbeat would report it.
            JsonObject resInfo = v32
                ? new JsonObject
                {
                    ["processId"] = Environment.ProcessId, ["startupTime"] = startup, ["reportTime"] = report, ["jvmCpuUsage"] = busy ? 0.85 : 0.01,
                    ["cpuUsage"] = busy ? 0.95 : 0.05, ["jvmMemoryUsage"] = busy ? 0.9 : 0.2, ["memoryUsage"] = busy ? 0.92 : 0.3, ["diskUsage"] = 0.4,
                    ["serverStatus"] = busy ? "BUSY" : "NORMAL", ["host"] = node.Host, ["port"] = node.Port,
                }
                : new JsonObject
                {
                    ["startupTime"] = startup, ["reportTime"] = report, ["cpuUsage"] = busy ? 0.95 : 0.05, ["memoryUsage"] = busy ? 0.98 : 0.3,
                    ["loadAverage"] = busy ? 9.5 : 0.5, ["availablePhysicalMemorySize"] = busy ? 0.1 : 5.0, ["maxCpuloadAvg"] = 8.0, ["reservedMemory"] = 0.3,
                    ["serverStatus"] = busy ? 2 : 0, ["processId"] = Environment.ProcessId,
                    ["workerHostWeight"] = 100, ["workerWaitingTaskCount"] = 0, ["workerExecThreadCount"] = 100,
                };
            if (v32 && role == DsServerRole.Worker) { resInfo["workerHostWeight"] = 100; resInfo["threadPoolUsage"] = 0.0; }
            if (v32 && role == DsServerRole.AlertServer) resInfo["isActive"] = true;
            var server = new JsonObject
            {
                ["id"] = Environment.ProcessId, ["host"] = node.Host, ["port"] = node.Port, ["resInfo"] = resInfo.ToJsonString(),
                ["createTime"] = DsJson.Format(ctx.Master.StartupTime), ["lastHeartbeatTime"] = DsJson.Format(beat),
            };
            if (!v32 && role == DsServerRole.Worker) server["zkDirectories"] = new JsonArray(dir);
            else server["zkDirectory"] = dir;
            yield return server;
        }
    }
}
