using System.Text.Json.Nodes;

namespace DsOps.Emulator.Tests;

/// <summary>Workflow definition rules (docs/ds-facts.md §3.2): uniqueness, online locks, DAG checks, versioning.</summary>
public class WorkflowDefinitionTests
{
    public static TheoryData<string> Dialects => new() { "3.0", "3.2", "3.3" };

    [Theory, MemberData(nameof(Dialects))]
    public async Task Create_writes_definition_tasks_relations_and_their_logs(string dialect)
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        using var c = new DsTestClient(emu);
        var s = new Scenario(c);
        var project = await s.CreateProjectAsync();
        var (code, tasks) = await s.CreateChainAsync(project, "wf", "echo a", "echo b", "echo c");

        Assert.Equal(1, await c.ScalarAsync($"SELECT version FROM {c.T("t_ds_process_definition")} WHERE code = @c AND release_state = 0", ("c", code)));
        Assert.Equal(1, await c.ScalarAsync($"SELECT COUNT(*) FROM {c.T("t_ds_process_definition_log")} WHERE code = @c AND version = 1", ("c", code)));
        Assert.Equal(3, await c.ScalarAsync("SELECT COUNT(*) FROM t_ds_task_definition WHERE project_code = @p AND version = 1", ("p", project)));
        Assert.Equal(3, await c.ScalarAsync("SELECT COUNT(*) FROM t_ds_task_definition_log WHERE project_code = @p", ("p", project)));
        var col = dialect == "3.3" ? "workflow_definition_code" : "process_definition_code";
        Assert.Equal(3, await c.ScalarAsync($"SELECT COUNT(*) FROM {c.T("t_ds_process_task_relation")} WHERE {col} = @c", ("c", code)));
        Assert.Equal(3, await c.ScalarAsync($"SELECT COUNT(*) FROM {c.T("t_ds_process_task_relation_log")} WHERE {col} = @c", ("c", code)));
        // The root is stored as preTaskCode 0.
        Assert.Equal(tasks[0], await c.ScalarAsync($"SELECT post_task_code FROM {c.T("t_ds_process_task_relation")} WHERE {col} = @c AND pre_task_code = 0", ("c", code)));

        var dag = DsTestClient.Ok(await c.GetAsync(string.Format(s.Wf, project) + "/" + code))!.AsObject();
        var defKey = dialect == "3.3" ? "workflowDefinition" : "processDefinition";
        Assert.Equal("wf", dag[defKey]!["name"]!.GetValue<string>());
        Assert.Equal("OFFLINE", dag[defKey]!["releaseState"]!.GetValue<string>());
        Assert.Equal(dialect == "3.0", dag[defKey]!.AsObject().ContainsKey("tenantCode"));
        Assert.Equal(3, dag[dialect == "3.3" ? "workflowTaskRelationList" : "processTaskRelationList"]!.AsArray().Count);
        var taskList = dag["taskDefinitionList"]!.AsArray();
        Assert.Equal(3, taskList.Count);
        Assert.Equal("echo a", taskList.Single(t => t!["code"]!.GetValue<long>() == tasks[0])!["taskParams"]!["rawScript"]!.GetValue<string>());
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", dag[defKey]!["createTime"]!.GetValue<string>());
    }

    [Theory, MemberData(nameof(Dialects))]
    public async Task Names_are_unique_per_project_10168(string dialect)
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        using var c = new DsTestClient(emu);
        var s = new Scenario(c);
        var project = await s.CreateProjectAsync();
        await s.CreateChainAsync(project, "dup", "echo 1");
        var codes = await s.GenCodesAsync(project, 1);
        var env = await c.PostAsync(string.Format(s.Wf, project),
            s.WorkflowForm("dup", new JsonArray(Scenario.ShellTask(codes[0], "x", "echo")), new JsonArray(Scenario.Edge(0, codes[0]))));
        DsTestClient.Code(10168, env);
        Assert.Equal((dialect == "3.3" ? "workflow" : "process") + " definition name dup already exists", env["msg"]!.GetValue<string>());
        DsTestClient.Code(10168, await c.GetAsync(string.Format(s.Wf, project) + "/verify-name", new { name = "dup" }));
    }

    [Theory, MemberData(nameof(Dialects))]
    public async Task Online_workflow_cannot_be_edited_50008_or_deleted_50021(string dialect)
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        using var c = new DsTestClient(emu);
        var s = new Scenario(c);
        var project = await s.CreateProjectAsync();
        var (code, tasks) = await s.CreateChainAsync(project, "wf", "echo 1");
        await s.ReleaseAsync(project, code, "ONLINE");
        Assert.Equal(1, await c.ScalarAsync($"SELECT release_state FROM {c.T("t_ds_process_definition")} WHERE code = @c", ("c", code)));

        var form = s.WorkflowForm("wf", new JsonArray(Scenario.ShellTask(tasks[0], "t0", "echo 2")), new JsonArray(Scenario.Edge(0, tasks[0])));
        DsTestClient.Code(50008, await c.PutAsync(string.Format(s.Wf, project) + "/" + code, form));
        DsTestClient.Code(50021, await c.DeleteAsync(string.Format(s.Wf, project) + "/" + code));

        await s.ReleaseAsync(project, code, "OFFLINE");
        DsTestClient.Ok(await c.DeleteAsync(string.Format(s.Wf, project) + "/" + code));
        Assert.Equal(0, await c.ScalarAsync($"SELECT COUNT(*) FROM {c.T("t_ds_process_definition")} WHERE code = @c", ("c", code)));
    }

    [Theory, MemberData(nameof(Dialects))]
    public async Task Dag_rules_cycle_50019_unknown_task_50030_empty_50017(string dialect)
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        using var c = new DsTestClient(emu);
        var s = new Scenario(c);
        var project = await s.CreateProjectAsync();
        var k = await s.GenCodesAsync(project, 3);
        var tasks = new JsonArray(Scenario.ShellTask(k[0], "a", "echo"), Scenario.ShellTask(k[1], "b", "echo"));
        var url = string.Format(s.Wf, project);

        var cycle = new JsonArray(Scenario.Edge(0, k[0]), Scenario.Edge(k[0], k[1]), Scenario.Edge(k[1], k[0]));
        DsTestClient.Code(50019, await c.PostAsync(url, s.WorkflowForm("cyc", tasks, cycle)));

        var unknown = new JsonArray(Scenario.Edge(0, k[0]), Scenario.Edge(k[0], k[2]));
        var env = await c.PostAsync(url, s.WorkflowForm("unk", (JsonArray)tasks.DeepClone(), unknown));
        DsTestClient.Code(50030, env);
        Assert.Contains(k[2].ToString(), env["msg"]!.GetValue<string>());

        DsTestClient.Code(50017, await c.PostAsync(url, s.WorkflowForm("empty", new JsonArray(), new JsonArray(Scenario.Edge(0, k[0])))));
        // A SHELL task without a script fails its plugin check (50020) and names the task.
        var noScript = new JsonArray(Scenario.ShellTask(k[0], "blank", ""));
        var env2 = await c.PostAsync(url, s.WorkflowForm("bad", noScript, new JsonArray(Scenario.Edge(0, k[0]))));
        DsTestClient.Code(50020, env2);
        Assert.Contains("blank", env2["msg"]!.GetValue<string>());
        // Nothing was half written.
        Assert.Equal(0, await c.ScalarAsync($"SELECT COUNT(*) FROM {c.T("t_ds_process_definition")}"));
        Assert.Equal(0, await c.ScalarAsync("SELECT COUNT(*) FROM t_ds_task_definition"));
    }

    [Theory, MemberData(nameof(Dialects))]
    public async Task Update_versions_only_what_changed(string dialect)
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        using var c = new DsTestClient(emu);
        var s = new Scenario(c);
        var project = await s.CreateProjectAsync();
        var (code, k) = await s.CreateChainAsync(project, "wf", "echo a", "echo b");
        var url = string.Format(s.Wf, project) + "/" + code;
        JsonArray Tasks(string b) => new(Scenario.ShellTask(k[0], "t0", "echo a"), Scenario.ShellTask(k[1], "t1", b));
        JsonArray Rels() => new(Scenario.Edge(0, k[0]), Scenario.Edge(k[0], k[1]));

        // Same content: no new workflow or task version, no new log rows.
        var writesBefore = await c.ScalarAsync($"SELECT COUNT(*) FROM {c.T("t_ds_process_definition_log")}");
        var same = DsTestClient.Ok(await c.PutAsync(url, s.WorkflowForm("wf", Tasks("echo b"), Rels())))!;
        Assert.Equal(1, same["version"]!.GetValue<int>());
        Assert.Equal(writesBefore, await c.ScalarAsync($"SELECT COUNT(*) FROM {c.T("t_ds_process_definition_log")}"));
        Assert.Equal(2, await c.ScalarAsync("SELECT COUNT(*) FROM t_ds_task_definition_log"));

        // One task changed: that task gets version 2, the other stays 1, the workflow gets version 2.
        var changed = DsTestClient.Ok(await c.PutAsync(url, s.WorkflowForm("wf", Tasks("echo B"), Rels())))!;
        Assert.Equal(2, changed["version"]!.GetValue<int>());
        Assert.Equal(2, await c.ScalarAsync("SELECT version FROM t_ds_task_definition WHERE code = @c", ("c", k[1])));
        Assert.Equal(1, await c.ScalarAsync("SELECT version FROM t_ds_task_definition WHERE code = @c", ("c", k[0])));
        Assert.Equal(3, await c.ScalarAsync("SELECT COUNT(*) FROM t_ds_task_definition_log"));
        var post = dialect == "3.3" ? "workflow_definition_version" : "process_definition_version";
        Assert.Equal(2, await c.ScalarAsync($"SELECT MAX(post_task_version) FROM {c.T("t_ds_process_task_relation")} WHERE {post} = 2"));

        // Only the description changed: a new workflow version, no new task versions.
        var described = DsTestClient.Ok(await c.PutAsync(url, s.WorkflowForm("wf", Tasks("echo B"), Rels(), description: "new")))!;
        Assert.Equal(3, described["version"]!.GetValue<int>());
        Assert.Equal(3, await c.ScalarAsync("SELECT COUNT(*) FROM t_ds_task_definition_log"));

        var versions = DsTestClient.Ok(await c.GetAsync(url + "/versions", new { pageNo = 1, pageSize = 10 }))!;
        Assert.Equal(3, versions["total"]!.GetValue<long>());
        Assert.Equal(3, versions["totalList"]![0]!["version"]!.GetValue<int>());

        // Switching back to version 1 restores its task versions.
        DsTestClient.Ok(await c.GetAsync(url + "/versions/1"));
        Assert.Equal(1, await c.ScalarAsync($"SELECT version FROM {c.T("t_ds_process_definition")} WHERE code = @c", ("c", code)));
        Assert.Equal(1, await c.ScalarAsync("SELECT version FROM t_ds_task_definition WHERE code = @c", ("c", k[1])));
        DsTestClient.Code(50053, await c.DeleteAsync(url + "/versions/1"));
        DsTestClient.Ok(await c.DeleteAsync(url + "/versions/2"));
    }

    [Theory, MemberData(nameof(Dialects))]
    public async Task List_query_all_and_release_of_empty_dag(string dialect)
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        using var c = new DsTestClient(emu);
        var s = new Scenario(c);
        var project = await s.CreateProjectAsync();
        for (var i = 0; i < 3; i++) await s.CreateChainAsync(project, "wf" + i, "echo " + i);
        var url = string.Format(s.Wf, project);
        var page = DsTestClient.Ok(await c.GetAsync(url, new { pageNo = 1, pageSize = 2, searchVal = "wf" }))!;
        Assert.Equal(3, page["total"]!.GetValue<long>());
        Assert.Equal(2, page["totalList"]!.AsArray().Count);
        Assert.Equal("admin", page["totalList"]![0]!["userName"]!.GetValue<string>());
        var all = DsTestClient.Ok(await c.GetAsync(url + "/all"))!.AsArray();
        Assert.Equal(3, all.Count);
        Assert.All(all, d => Assert.Single(d!["taskDefinitionList"]!.AsArray()));
        DsTestClient.Code(50003, await c.GetAsync(url + "/123"));
        // Unknown project on workflow routes: 10190 PROJECT_NOT_EXIST.
        DsTestClient.Code(10190, await c.GetAsync(string.Format(s.Wf, 42), new { pageNo = 1, pageSize = 10 }));
    }

    [Theory, MemberData(nameof(Dialects))]
    public async Task Gen_task_codes_range_and_uniqueness(string dialect)
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        using var c = new DsTestClient(emu);
        var s = new Scenario(c);
        var codes = await s.GenCodesAsync(999, 100); // the project code is not checked
        Assert.Equal(100, codes.Distinct().Count());
        Assert.All(codes, x => Assert.InRange(x.ToString().Length, 12, 16));
        DsTestClient.Code(50017, await c.GetAsync("projects/1/task-definition/gen-task-codes", new { genNum = 101 }));
        DsTestClient.Code(50017, await c.GetAsync("projects/1/task-definition/gen-task-codes", new { genNum = 0 }));
    }

    [Theory, MemberData(nameof(Dialects))]
    public async Task Tenant_code_on_create_is_checked_in_3_0_only(string dialect)
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        using var c = new DsTestClient(emu);
        var s = new Scenario(c);
        var project = await s.CreateProjectAsync();
        var k = await s.GenCodesAsync(project, 1);
        var form = s.WorkflowForm("wf", new JsonArray(Scenario.ShellTask(k[0], "a", "echo")), new JsonArray(Scenario.Edge(0, k[0])));
        form["tenantCode"] = "nobody";
        var env = await c.PostAsync(string.Format(s.Wf, project), form);
        if (dialect == "3.0") DsTestClient.Code(10017, env);
        else DsTestClient.Ok(env); // 3.2+ has no tenantCode on create; an extra parameter is ignored
    }
}
