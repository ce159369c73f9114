using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace DsOps.Emulator.Tests;

/// <summary>Data sources, environments, worker groups, tenants, alert groups, plugin instances, monitor (docs/ds-facts.md §3.8–3.9).</summary>
public class ResourcesTests
{
    public static TheoryData<string> Dialects => new() { "3.0", "3.2", "3.3" };

    private static async Task<JsonObject> PostJsonAsync(DsTestClient c, string path, JsonObject body, HttpMethod? method = null)
    {
        using var req = new HttpRequestMessage(method ?? HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        using var res = await c.Http.SendAsync(req);
        return JsonNode.Parse(await res.Content.ReadAsStringAsync())!.AsObject();
    }

    [Theory, MemberData(nameof(Dialects))]
    public async Task Datasource_json_body_unique_name_masked_password_and_connection_test(string dialect)
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        using var c = new DsTestClient(emu);
        JsonObject Body(string name, string host) => new()
        {
            ["type"] = "MYSQL", ["name"] = name, ["note"] = "n", ["host"] = host, ["port"] = 3306, ["database"] = "sales",
            ["userName"] = "etl", ["password"] = "s3cret", ["other"] = new JsonObject(),
        };
        DsTestClient.Ok(await PostJsonAsync(c, "datasources", Body("sales", "db.example.com")));
        DsTestClient.Code(10015, await PostJsonAsync(c, "datasources", Body("sales", "db.example.com")));
        DsTestClient.Code(10016, await PostJsonAsync(c, "datasources", Body("down", "db.invalid")));
        var id = await c.ScalarAsync("SELECT id FROM t_ds_datasource WHERE name = 'sales' AND type = 0");
        Assert.True(id > 0);

        var one = DsTestClient.Ok(await c.GetAsync($"datasources/{id}"))!;
        Assert.Equal("db.example.com", one["host"]!.GetValue<string>());
        Assert.Equal(3306, one["port"]!.GetValue<int>());
        Assert.NotEqual("s3cret", one["password"]!.GetValue<string>());

        var page = DsTestClient.Ok(await c.GetAsync("datasources", new { pageNo = 1, pageSize = 10 }))!;
        Assert.Equal(1, page["total"]!.GetValue<long>());
        var list = DsTestClient.Ok(await c.GetAsync("datasources/list", new { type = "MYSQL" }))!.AsArray();
        Assert.Single(list);
        DsTestClient.Ok(await c.DeleteAsync($"datasources/{id}"));
        Assert.Equal(0, await c.ScalarAsync("SELECT COUNT(*) FROM t_ds_datasource"));
    }

    [Theory, MemberData(nameof(Dialects))]
    public async Task Environment_code_worker_group_relation_and_unique_name(string dialect)
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        using var c = new DsTestClient(emu);
        var code = DsTestClient.Ok(await c.PostAsync("environment/create", new { name = "py3", config = "export PYTHON_HOME=/opt/py", workerGroups = "[\"default\"]" }))!.GetValue<long>();
        DsTestClient.Code(120002, await c.PostAsync("environment/create", new { name = "py3", config = "x" }));
        Assert.Equal(1, await c.ScalarAsync("SELECT COUNT(*) FROM t_ds_environment_worker_group_relation WHERE environment_code = @c AND worker_group = 'default'", ("c", code)));
        var env = DsTestClient.Ok(await c.GetAsync("environment/query-by-code", new { environmentCode = code }))!;
        Assert.Equal("py3", env["name"]!.GetValue<string>());
        Assert.Equal("default", env["workerGroups"]![0]!.GetValue<string>());
        DsTestClient.Ok(await c.PostAsync("environment/delete", new { environmentCode = code }));
        Assert.Equal(0, await c.ScalarAsync("SELECT COUNT(*) FROM t_ds_environment"));
    }

    [Theory, MemberData(nameof(Dialects))]
    public async Task Worker_groups_check_registered_addresses_and_names(string dialect)
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        using var c = new DsTestClient(emu);
        var workers = DsTestClient.Ok(await c.GetAsync("worker-groups/worker-address-list"))!.AsArray();
        var addr = workers[0]!.GetValue<string>();
        DsTestClient.Ok(await c.PostAsync("worker-groups", new { name = "gpu", addrList = addr }));
        DsTestClient.Code(10135, await c.PostAsync("worker-groups", new { name = "gpu", addrList = addr }));
        DsTestClient.Code(10177, await c.PostAsync("worker-groups", new { name = "ghost", addrList = "10.9.9.9:1234" }));
        var all = DsTestClient.Ok(await c.GetAsync("worker-groups/all"))!.AsArray().Select(x => x!.GetValue<string>()).ToList();
        Assert.Equal(new[] { "default", "gpu" }, all);
        var id = await c.ScalarAsync("SELECT id FROM t_ds_worker_group WHERE name = 'gpu'");
        DsTestClient.Ok(await c.DeleteAsync($"worker-groups/{id}"));
    }

    [Theory, MemberData(nameof(Dialects))]
    public async Task Tenants_alert_groups_and_plugin_instances(string dialect)
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        using var c = new DsTestClient(emu);
        var tenant = DsTestClient.Ok(await c.PostAsync("tenants", new { tenantCode = "etl", queueId = 1, description = "d" }))!;
        Assert.Equal("etl", tenant["tenantCode"]!.GetValue<string>());
        DsTestClient.Code(10009, await c.PostAsync("tenants", new { tenantCode = "etl", queueId = 1 }));
        DsTestClient.Code(10128, await c.PostAsync("tenants", new { tenantCode = "x", queueId = 99 }));

        var plugins = DsTestClient.Ok(await c.GetAsync("ui-plugins/query-by-type", new { pluginType = "ALERT" }))!.AsArray();
        var ding = plugins.Single(p => p!["pluginName"]!.GetValue<string>() == "DingTalk")!;
        var form = JsonNode.Parse(ding["pluginParams"]!.GetValue<string>())!.AsArray();
        foreach (var item in form) if (item!["field"]!.GetValue<string>() == "WebHook") item["value"] = "https://robot.example/send";
        var instanceForm = new Dictionary<string, string>
        {
            ["pluginDefineId"] = ding["id"]!.ToString(), ["instanceName"] = "ops-ding", ["pluginInstanceParams"] = form.ToJsonString(),
            ["instanceType"] = "NORMAL", ["warningType"] = "ALL",
        };
        var inst = DsTestClient.Ok(await c.PostAsync("alert-plugin-instances", instanceForm))!;
        // DS stores a field → value map and answers with the form filled in.
        Assert.Contains("\"WebHook\":\"https://robot.example/send\"", (await c.RowsAsync("SELECT plugin_instance_params FROM t_ds_alert_plugin_instance"))[0]["plugin_instance_params"]!.ToString());
        Assert.Contains("https://robot.example/send", inst["pluginInstanceParams"]!.GetValue<string>());

        var instanceId = inst["id"]!.GetValue<int>();
        var group = DsTestClient.Ok(await c.PostAsync("alert-groups", new { groupName = "ops", alertInstanceIds = instanceId.ToString(), description = "" }))!;
        DsTestClient.Code(10012, await c.PostAsync("alert-groups", new { groupName = "ops", alertInstanceIds = "" }));
        DsTestClient.Code(110012, await c.DeleteAsync($"alert-plugin-instances/{instanceId}"));
        var names = DsTestClient.Ok(await c.GetAsync("alert-groups/list"))!.AsArray().Select(g => g!["groupName"]!.GetValue<string>()).ToList();
        Assert.Contains("default admin warning group", names);
        Assert.Contains("ops", names);
        var byId = DsTestClient.Ok(await c.PostAsync("alert-groups/query", new { id = group["id"]!.GetValue<int>() }))!;
        Assert.Equal("ops", byId["groupName"]!.GetValue<string>());
    }

    [Theory, MemberData(nameof(Dialects))]
    public async Task Monitor_routes_follow_the_version(string dialect)
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        using var c = new DsTestClient(emu);
        if (dialect == "3.0")
        {
            var masters = DsTestClient.Ok(await c.GetAsync("monitor/masters"))!.AsArray();
            Assert.Single(masters);
            Assert.Equal(0, JsonNode.Parse(masters[0]!["resInfo"]!.GetValue<string>())!["serverStatus"]!.GetValue<int>());
            Assert.Single(DsTestClient.Ok(await c.GetAsync("monitor/workers"))!.AsArray());
            using var html = await c.SendAsync(HttpMethod.Get, "monitor/MASTER");
            Assert.Equal("text/html", html.Content.Headers.ContentType!.MediaType);
        }
        else
        {
            foreach (var role in new[] { "MASTER", "WORKER", "ALERT_SERVER" })
            {
                var servers = DsTestClient.Ok(await c.GetAsync($"monitor/{role}"))!.AsArray();
                Assert.Equal("NORMAL", JsonNode.Parse(servers[0]!["resInfo"]!.GetValue<string>())!["serverStatus"]!.GetValue<string>());
            }
            using var html = await c.SendAsync(HttpMethod.Get, "monitor/masters");
            // /monitor/masters now matches /monitor/{nodeType} and fails enum conversion (not an envelope with data).
            var env = JsonNode.Parse(await html.Content.ReadAsStringAsync())!.AsObject();
            Assert.NotEqual(0, env["code"]!.GetValue<int>());
        }
        var db = DsTestClient.Ok(await c.GetAsync("monitor/databases"))!.AsArray()[0]!;
        Assert.Equal("MYSQL", db["dbType"]!.GetValue<string>());
        Assert.True(db["maxConnections"]!.GetValue<long>() > 0);

        using var product = await c.SendAsync(HttpMethod.Get, "ui-plugins/query-product-info");
        var text = await product.Content.ReadAsStringAsync();
        if (dialect == "3.3") Assert.Equal("3.3.0", JsonNode.Parse(text)!["data"]!["version"]!.GetValue<string>());
        else
        {
            // Before 3.3 the path matches /ui-plugins/{id}; "query-product-info" fails int conversion → QUERY_PLUGINS_ERROR.
            var env = JsonNode.Parse(text)!.AsObject();
            DsTestClient.Code(110003, env);
            Assert.StartsWith("query plugins", env["msg"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        }
    }
}
