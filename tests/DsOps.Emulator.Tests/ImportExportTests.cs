using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace DsOps.Emulator.Tests;

/// <summary>batch-export (raw JSON file) and import (multipart), docs/ds-facts.md §4.6.</summary>
public class ImportExportTests
{
    public static TheoryData<string> Dialects => new() { "3.0", "3.2", "3.3" };

    [Theory, MemberData(nameof(Dialects))]
    public async Task Export_is_a_raw_file_and_import_creates_new_codes_and_names(string dialect)
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        using var c = new DsTestClient(emu);
        var s = new Scenario(c);
        var source = await s.CreateProjectAsync("src");
        var target = await s.CreateProjectAsync("dst");
        var (code, tasks) = await s.CreateChainAsync(source, "etl", "echo a", "echo b");
        await s.ReleaseAsync(source, code, "ONLINE");
        var sched = new JsonObject { ["startTime"] = "2024-01-01 00:00:00", ["endTime"] = "2099-01-01 00:00:00", ["crontab"] = "0 0 2 * * ? *", ["timezoneId"] = "UTC" }.ToJsonString();
        DsTestClient.Ok(await c.PostAsync($"projects/{source}/schedules", new Dictionary<string, string> { [c.Dialect.WorkflowCodeParameter] = code.ToString(), ["schedule"] = sched }));

        using var res = await c.SendAsync(HttpMethod.Post, string.Format(s.Wf, source) + "/batch-export", new { codes = code.ToString() });
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        var file = await res.Content.ReadAsStringAsync();
        var arr = JsonNode.Parse(file)!.AsArray(); // not an envelope
        var item = arr.Single()!.AsObject();
        Assert.True(item.ContainsKey(c.Dialect.DagDefinitionKey));
        Assert.True(item.ContainsKey(c.Dialect.DagRelationListKey));
        Assert.Equal(2, item["taskDefinitionList"]!.AsArray().Count);
        Assert.Equal("OFFLINE", item["schedule"]!["releaseState"]!.GetValue<string>());

        using var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(file)), "file", "export.json" } };
        using var imp = await c.Http.PostAsync(string.Format(s.Wf, target) + "/import", form);
        DsTestClient.Ok(JsonNode.Parse(await imp.Content.ReadAsStringAsync())!.AsObject());

        var defTable = c.T("t_ds_process_definition");
        var imported = (await c.RowsAsync($"SELECT * FROM {defTable} WHERE project_code = @p", ("p", target))).Single();
        Assert.StartsWith("etl_import_", (string)imported["name"]!);
        Assert.NotEqual(code, Convert.ToInt64(imported["code"]));
        var importedTasks = await c.RowsAsync("SELECT * FROM t_ds_task_definition WHERE project_code = @p", ("p", target));
        Assert.Equal(2, importedTasks.Count);
        Assert.DoesNotContain(importedTasks, t => tasks.Contains(Convert.ToInt64(t["code"])));
        // 3.0.1 renames tasks too; later versions keep task names.
        Assert.Equal(dialect == "3.0", importedTasks.All(t => ((string)t["name"]!).Contains("_import_")));
        var codeCol = dialect == "3.3" ? "workflow_definition_code" : "process_definition_code";
        Assert.Equal(0, await c.ScalarAsync($"SELECT release_state FROM t_ds_schedules WHERE {codeCol} = @c", ("c", Convert.ToInt64(imported["code"]))));

        using var empty = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes("[{}]")), "file", "bad.json" } };
        using var bad = await c.Http.PostAsync(string.Format(s.Wf, target) + "/import", empty);
        DsTestClient.Code(50018, JsonNode.Parse(await bad.Content.ReadAsStringAsync())!.AsObject());
    }
}
