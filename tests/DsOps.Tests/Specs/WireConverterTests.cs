using Xunit;
using System.Text.Json;
using System.Text.Json.Nodes;
using DsOps.Engine.Dialects;
using DsOps.Engine.Planning;
using DsOps.Engine.Specs.Model;
using DsOps.Engine.Specs.Sources;
using DsOps.Engine.Specs.Wire;
using DsOps.Testing;

namespace DsOps.Tests.Specs;

public class WireConverterTests
{
    /// <summary>Names of the objects export_3.0.1.json refers to by id/code.</summary>
    private static DsNameMap ExampleNames() => new DsNameMap()
        .AddProject("analytics", 6543100000001)
        .AddDataSource("ods", 3, "MYSQL")
        .AddDataSource("dw", 4, "MYSQL")
        .AddEnvironment("spark", 77)
        .AddAlertGroup("ops", 5)
        .AddWorkflow("analytics", "daily_sales", 6543200000777)
        .AddResource("/scripts/a.sh", 12);

    private static WorkflowSpec ExampleFromExport()
    {
        var set = DsExportFile.Load(RepoPaths.Example("export_3.0.1.json"), names: ExampleNames());
        Assert.Empty(set.Findings);
        return Assert.Single(set.Workflows);
    }

    [Fact]
    public void Export_3_0_1_reads_into_a_name_based_spec()
    {
        var w = ExampleFromExport();
        Assert.Equal(("analytics", "daily_sales"), (w.Project, w.Name));
        Assert.Equal("daily sales pipeline", w.Description);
        Assert.Equal("ONLINE", w.ReleaseState);
        Assert.Equal(("bizdate", "$[yyyyMMdd-1]"), (w.Parameters.Single().Name, w.Parameters.Single().Value));
        var sql = w.FindTask("sql_load")!;
        Assert.Equal("ods", sql.DataSource);        // id 3 resolved to its name
        Assert.Null(sql.DataSourceType);            // implied by the name
        Assert.Equal("select 1", sql.Script);
        Assert.Equal(new[] { "shell_extract" }, sql.DependsOn);
        Assert.DoesNotContain("datasource", sql.Params);
        Assert.Equal("echo hello", w.FindTask("shell_extract")!.Script);
        Assert.Empty(w.FindTask("shell_extract")!.DependsOn);
        Assert.Equal("0 0 2 * * ? *", w.Schedule!.Cron);
        Assert.Equal("Asia/Shanghai", w.Schedule.TimeZone);
        Assert.False(w.Schedule.Online); // DS exports schedules offline
    }

    [Fact]
    public void Unknown_ids_become_id_references_that_convert_back()
    {
        var set = DsExportFile.Load(RepoPaths.Example("export_3.0.1.json"));
        var w = set.Workflows.Single();
        Assert.Equal("id:6543100000001", w.Project);
        var sql = w.FindTask("sql_load")!;
        Assert.Equal(("id:3", "MYSQL"), (sql.DataSource, sql.DataSourceType));
        var wire = new DsWireConverter(DsDialect.V3_0).ToWire(w, Codes(w));
        var task = JsonNode.Parse(wire.TaskDefinitionJson)!.AsArray().Single(t => (string)t!["name"]! == "sql_load")!;
        Assert.Equal(3, (long)task["taskParams"]!["datasource"]!);
        Assert.Equal("MYSQL", (string)task["taskParams"]!["type"]!);
    }

    private static Dictionary<string, long> Codes(WorkflowSpec w) =>
        w.Tasks.Select((t, i) => (t.Name, Code: 9_000_000_000_000L + i)).ToDictionary(x => x.Name, x => x.Code);

    [Fact]
    public void Spec_to_wire_3_0_matches_the_ds_example_fields()
    {
        var w = ExampleFromExport();
        var codes = new Dictionary<string, long> { ["shell_extract"] = 6543210000001, ["sql_load"] = 6543210000002 };
        var wire = new DsWireConverter(DsDialect.V3_0, ExampleNames()).ToWire(w, codes, new Dictionary<string, int> { ["shell_extract"] = 1, ["sql_load"] = 2 });

        var original = JsonDocument.Parse(File.ReadAllText(RepoPaths.Example("export_3.0.1.json"))).RootElement[0];
        var defs = JsonNode.Parse(wire.TaskDefinitionJson)!.AsArray();
        foreach (var expected in original.GetProperty("taskDefinitionList").EnumerateArray())
        {
            var actual = defs.Single(d => (long)d!["code"]! == expected.GetProperty("code").GetInt64())!;
            foreach (var field in new[] { "name", "taskType", "flag", "taskPriority", "workerGroup", "environmentCode", "failRetryTimes", "failRetryInterval", "timeoutFlag", "timeout", "delayTime", "version" })
                Assert.Equal(expected.GetProperty(field).GetRawText(), actual[field]!.ToJsonString());
            // taskParams round-trip exactly (key order aside)
            Assert.Equal(DsOps.Engine.Specs.Documents.CanonicalJson.Canonicalize(expected.GetProperty("taskParams")),
                DsOps.Engine.Specs.Documents.CanonicalJson.Canonicalize(actual["taskParams"]));
            Assert.False(actual.AsObject().ContainsKey("cpuQuota")); // 3.1+ only
        }
        var relations = JsonNode.Parse(wire.TaskRelationJson)!.AsArray();
        Assert.Contains(relations, r => (long)r!["preTaskCode"]! == 0 && (long)r["postTaskCode"]! == 6543210000001);
        Assert.Contains(relations, r => (long)r!["preTaskCode"]! == 6543210000001 && (long)r["postTaskCode"]! == 6543210000002);
        Assert.Equal(2, relations.Count);
        Assert.Equal("default", wire.TenantCode);               // 3.0 takes the tenant on the definition
        Assert.Null(wire.Schedule!.TenantCode);
        Assert.Equal("{\"startTime\":\"2024-01-01 00:00:00\",\"endTime\":\"2099-12-31 23:59:59\",\"crontab\":\"0 0 2 * * ? *\",\"timezoneId\":\"Asia/Shanghai\"}", wire.Schedule.ScheduleJson);
    }

    [Theory]
    [InlineData("3.4.1")]
    [InlineData("3.4")]
    public void No_export_file_is_written_for_a_version_without_import(string version)
    {
        var specs = SpecSources.Load(SpecTestFiles.ExampleFolder).Workflows;
        var ex = Assert.Throws<DsOps.Engine.DsOpsException>(() => DsExportFile.Write(specs, DsDialect.Parse(version)));
        Assert.Equal("DsExportFileNotImportable", ex.ErrorId);
        Assert.Contains("Sync-DsWorkflow", ex.Message);
    }

    [Theory]
    [InlineData("3.0")]
    [InlineData("3.1")]
    [InlineData("3.2")]
    [InlineData("3.3")]
    [InlineData("3.4.0")]
    public void Specs_round_trip_through_the_export_shape_of_each_dialect(string version)
    {
        var dialect = DsDialect.Parse(version);
        var specs = SpecSources.Load(SpecTestFiles.ExampleFolder).Workflows
            .Select(w => w with { Schedule = w.Schedule is null ? null : w.Schedule with { Online = false } }).ToList(); // export is always offline
        var names = new DsNameMap().AddProject("analytics", 1).AddDataSource("ods", 3, "MYSQL").AddDataSource("dw", 4, "HIVE")
            .AddAlertGroup("ops", 9).AddWorkflow("analytics", "daily_sales", 100).AddWorkflow("analytics", "weekly_report", 101);
        var json = DsExportFile.Write(specs, dialect, names);
        var back = DsExportFile.Read(json, "mem.json", names: names);
        Assert.Empty(back.Findings);
        foreach (var w in specs)
        {
            var r = back.Workflows.Single(x => x.Name == w.Name);
            var plan = WorkflowPlanner.Plan(new[] { w }, new[] { r });
            Assert.True(!plan.HasChanges, string.Join("\n", plan.Items));
            Assert.Equal(SpecFields.Fingerprint(w), SpecFields.Fingerprint(r));
        }

        var root = JsonNode.Parse(json)!.AsArray();
        var weekly = root.Single(e => (string)e![dialect.DagDefinitionKey]!["name"]! == "weekly_report")!;
        var sub = weekly["taskDefinitionList"]!.AsArray().Single(t => (string)t!["name"]! == "report_eu")!;
        Assert.Equal(dialect.UsesWorkflowNaming ? "SUB_WORKFLOW" : "SUB_PROCESS", (string)sub["taskType"]!);
        Assert.Equal(100, (long)sub["taskParams"]![dialect.SubWorkflowCodeKey]!);
        Assert.NotNull(weekly[dialect.DagRelationListKey]);
        var daily = root.Single(e => (string)e![dialect.DagDefinitionKey]!["name"]! == "daily_sales")!;
        Assert.Equal(dialect.TenantOnWorkflowDefinition, daily[dialect.DagDefinitionKey]!.AsObject().ContainsKey("tenantCode"));
        Assert.Equal(dialect.TenantOnRun, daily["schedule"]!.AsObject().ContainsKey("tenantCode"));
    }

    [Fact]
    public void Resources_are_ids_before_3_2_and_full_names_after()
    {
        var w = new WorkflowSpec("p", "w", [new TaskSpec("t", "SHELL") { Script = "x", Resources = ["/scripts/a.sh"] }]);
        var names = new DsNameMap().AddResource("/scripts/a.sh", 12);
        string Resources(DsDialect d) => JsonNode.Parse(new DsWireConverter(d, names).ToWire(w, new Dictionary<string, long> { ["t"] = 1 }).TaskDefinitionJson)![0]!["taskParams"]!["resourceList"]!.ToJsonString();
        Assert.Equal("[{\"id\":12}]", Resources(DsDialect.V3_0));
        Assert.Equal("[{\"resourceName\":\"/scripts/a.sh\"}]", Resources(DsDialect.V3_2));
    }

    [Fact]
    public void Unresolvable_names_fail_with_a_clear_error()
    {
        var w = new WorkflowSpec("p", "w", [new TaskSpec("t", "SQL") { Script = "select 1", DataSource = "nope" }]);
        var ex = Assert.Throws<DsOps.Engine.DsOpsException>(() => new DsWireConverter(DsDialect.V3_2).ToWire(w, new Dictionary<string, long> { ["t"] = 1 }));
        Assert.Equal("DsSpecUnresolvedName", ex.ErrorId);
        Assert.Contains("'nope'", ex.Message);
    }

    [Fact]
    public void Locations_are_layered_left_to_right_by_depth()
    {
        var w = SpecSources.Load(SpecTestFiles.ExampleFolder).Workflows[0];
        var layout = DsWireConverter.Layout(w).ToDictionary(l => l.Task);
        Assert.Equal(80, layout["extract"].X);
        Assert.Equal(320, layout["load"].X);
        Assert.Equal(560, layout["stats"].X);
        Assert.Equal(560, layout["sync"].X);
        Assert.NotEqual(layout["stats"].Y, layout["sync"].Y);
        Assert.Equal(1040, layout["notify"].X);
    }

    [Fact]
    public void Logic_tasks_reference_task_codes_on_the_wire()
    {
        var w = SpecSources.Load(SpecTestFiles.ExampleFolder).Workflows[0];
        var codes = Codes(w);
        var names = new DsNameMap().AddDataSource("ods", 3, "MYSQL").AddDataSource("dw", 4, "MYSQL").AddAlertGroup("ops", 9);
        var defs = JsonNode.Parse(new DsWireConverter(DsDialect.V3_2, names).ToWire(w, codes).TaskDefinitionJson)!.AsArray();
        var check = defs.Single(d => (string)d!["name"]! == "check")!["taskParams"]!;
        Assert.Equal(codes["notify"], (long)check["conditionResult"]!["successNode"]![0]!);
        Assert.Equal(codes["cleanup"], (long)check["conditionResult"]!["failedNode"]![0]!);
        Assert.Equal(codes["sync"], (long)check["dependence"]!["dependTaskList"]![0]!["dependItemList"]![0]!["depTaskCode"]!);
        var load = defs.Single(d => (string)d!["name"]! == "load")!;
        Assert.Equal(1, (int)load["taskParams"]!["sqlType"]!); // insert: non-query
        Assert.Equal(-1, (int)load["cpuQuota"]!);                   // 3.1+
        Assert.Equal("NO", (string)load["isCache"]!);                // 3.2 only
    }
}

public class WireNoiseTests
{
    [Fact]
    public void Empty_ui_noise_keys_are_not_part_of_the_spec()
    {
        var dag = System.Text.Json.JsonDocument.Parse("""
            {"workflowDefinition":{"name":"w","projectCode":1,"releaseState":"OFFLINE","globalParams":"[]"},
             "workflowTaskRelationList":[{"preTaskCode":0,"postTaskCode":11}],
             "taskDefinitionList":[{"code":11,"name":"t","taskType":"SHELL","flag":"YES","timeoutFlag":"CLOSE",
               "taskParams":"{\"rawScript\":\"echo\",\"localParams\":[],\"resourceList\":[],\"conditionResult\":{\"successNode\":[],\"failedNode\":[]},\"dependence\":{},\"switchResult\":{},\"waitStartTimeout\":{}}"}]}
            """).RootElement;
        var w = new DsWireConverter(DsDialect.V3_3).FromDag(dag, "p");
        var t = w.Tasks.Single();
        Assert.Equal(("echo", "{}"), (t.Script, t.Params));
        Assert.Equal("OFFLINE", w.ReleaseState);
    }
}

public class WireDefaultsTests
{
    [Fact]
    public void Defaults_filled_in_on_the_wire_do_not_show_as_changes()
    {
        var names = new DsNameMap().AddDataSource("ods", 3, "MYSQL");
        var desired = new WorkflowSpec("p", "w",
        [
            new TaskSpec("a", "SHELL") { Script = "x", Timeout = 10 },                              // strategy defaults to WARN
            new TaskSpec("b", "SQL") { Script = "select 1", DataSource = "ods", DataSourceType = "MYSQL", DependsOn = ["a"] },
        ]);
        var codes = new Dictionary<string, long> { ["a"] = 1, ["b"] = 2 };
        var wire = new DsWireConverter(DsDialect.V3_2, names).ToWire(desired, codes);
        var dag = System.Text.Json.JsonDocument.Parse(
            $"{{\"processDefinition\":{{\"name\":\"w\",\"releaseState\":\"ONLINE\",\"globalParams\":{System.Text.Json.JsonSerializer.Serialize(wire.GlobalParams)}}}," +
            $"\"processTaskRelationList\":{wire.TaskRelationJson},\"taskDefinitionList\":{wire.TaskDefinitionJson}}}").RootElement;
        var current = new DsWireConverter(DsDialect.V3_2, names).FromDag(dag, "p");
        Assert.Equal("WARN", current.FindTask("a")!.TimeoutStrategy);
        var plan = WorkflowPlanner.Plan(new[] { desired }, new[] { current });
        Assert.False(plan.HasChanges, string.Join("\n", plan.Items));
    }
}
