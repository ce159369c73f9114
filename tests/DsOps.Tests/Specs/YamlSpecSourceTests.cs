using Xunit;
using DsOps.Engine.Specs.Loading;
using DsOps.Engine.Specs.Sources;
using DsOps.Engine.Specs.Validation;

namespace DsOps.Tests.Specs;

public class YamlSpecSourceTests
{
    [Fact]
    public void Example_folder_loads_every_task_type_without_findings()
    {
        var set = SpecSources.LoadAndValidate(SpecTestFiles.ExampleFolder);
        Assert.DoesNotContain(set.Findings, f => f.Severity != SpecSeverity.Information);
        Assert.Equal(new[] { "daily_sales", "weekly_report" }, set.Workflows.Select(w => w.Name));
        var daily = set.Workflows[0];
        Assert.Equal("analytics", daily.Project);
        Assert.Equal(new[] { "CONDITIONS", "DATAX", "HTTP", "PROCEDURE", "PYTHON", "SHELL", "SQL" },
            daily.Tasks.Select(t => t.Type).Order());
        var extract = daily.FindTask("extract")!;
        Assert.Contains("extracting ${bizdate}", extract.Script);       // read from scriptFile
        Assert.Equal(30, extract.Timeout);
        Assert.Equal("WARNFAILED", extract.TimeoutStrategy);
        var p = daily.Parameters.Single(x => x.Name == "batch_size");
        Assert.Equal(("INTEGER", "500"), (p.Type, p.Value));
        Assert.Equal("0 0 2 * * ? *", daily.Schedule!.Cron);
        var weekly = set.Workflows[1];
        Assert.Equal("SUB_WORKFLOW", weekly.FindTask("report_eu")!.Type);
        Assert.Equal("report_all", weekly.FindTask("route")!.Switch!.Default);
        var project = Assert.Single(set.Projects);
        Assert.Equal(("analytics", "Sales analytics pipelines", 2), (project.Name, project.Description, project.Workflows.Length));
    }

    [Fact]
    public void Sub_process_is_an_alias_of_sub_workflow()
    {
        using var files = new SpecTestFiles();
        files.Write("a.yaml", "project: p\nworkflow:\n  name: w\n  tasks:\n    - { name: t, type: sub_process, subWorkflow: child }\n");
        var set = YamlSpecSource.Load(files.Root);
        Assert.Equal("SUB_WORKFLOW", set.Workflows.Single().Tasks.Single().Type);
    }

    [Fact]
    public void Environment_variables_are_interpolated_and_unset_ones_fail_with_position()
    {
        using var files = new SpecTestFiles();
        files.Write("a.yaml", "project: p\nworkflow:\n  name: w\n  tasks:\n    - name: t\n      type: SHELL\n      script: echo ${env:GREETING} $${env:LITERAL} ${bizdate}\n    - name: u\n      type: SHELL\n      script: echo ${env:NOT_SET_ANYWHERE}\n");
        var env = new Dictionary<string, string> { ["GREETING"] = "hi" };
        var set = YamlSpecSource.Load(files.Root, new SpecLoadOptions { EnvironmentVariables = n => env.GetValueOrDefault(n) });
        Assert.Equal("echo hi ${env:LITERAL} ${bizdate}", set.Workflows.Single().FindTask("t")!.Script);
        var f = Assert.Single(set.Findings);
        Assert.Equal("UnsetEnvironmentVariable", f.RuleId);
        Assert.Equal(10, f.Location.Line);
        Assert.Contains("NOT_SET_ANYWHERE", f.Message);
    }

    [Fact]
    public void Script_files_outside_the_spec_folder_are_refused()
    {
        using var files = new SpecTestFiles();
        files.Write("specs/a.yaml", "project: p\nworkflow:\n  name: w\n  tasks:\n    - { name: t, type: SHELL, scriptFile: ../secret.sh }\n");
        files.Write("secret.sh", "cat /etc/shadow");
        var set = YamlSpecSource.Load(Path.Combine(files.Root, "specs"));
        Assert.Equal("ScriptOutsideRoot", Assert.Single(set.Findings).RuleId);
        Assert.Null(set.Workflows.Single().Tasks.Single().Script);
    }

    [Fact]
    public void Unknown_fields_and_wrong_types_are_reported_with_positions_and_loading_continues()
    {
        using var files = new SpecTestFiles();
        files.Write("a.yaml", "project: p\nworkflow:\n  name: w\n  tasks:\n    - name: t\n      type: SHELL\n      script: x\n      dependson: [a]\n      retries: many\n");
        files.Write("b.yaml", "project: p\nworkflow: { name: w2, tasks: [ { name: t, type: SHELL, script: y } ] }\n");
        var set = YamlSpecSource.Load(files.Root);
        Assert.Equal(2, set.Workflows.Count);
        Assert.Contains(set.Findings, f => f.RuleId == "UnknownField" && f.Location.Line == 8 && f.Message.Contains("dependson"));
        Assert.Contains(set.Findings, f => f.RuleId == "InvalidValue" && f.Location.Line == 9 && f.Message.Contains("retries"));
    }

    [Fact]
    public void A_broken_file_becomes_a_finding_and_others_still_load()
    {
        using var files = new SpecTestFiles();
        files.Write("a.yaml", "project: p\nworkflow: { name: w, tasks: [ { name: t, type: SHELL, script: y } ] }\n");
        files.Write("b.yaml", "project: [unclosed\n");
        var set = YamlSpecSource.Load(files.Root);
        Assert.Single(set.Workflows);
        var f = Assert.Single(set.Findings);
        Assert.Equal("YamlSyntax", f.RuleId);
        Assert.EndsWith("b.yaml", f.Location.File);
    }

    [Fact]
    public void Many_files_load_in_file_order_and_conflicting_project_descriptions_are_flagged()
    {
        using var files = new SpecTestFiles();
        for (var i = 0; i < 40; i++)
            files.Write($"d{i:D2}/w.yaml", $"project: p\ndescription: {(i == 17 ? "other" : "main")}\nworkflow: {{ name: w{i:D2}, tasks: [ {{ name: t, type: SHELL, script: x }} ] }}\n");
        var set = YamlSpecSource.Load(files.Root);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"w{i:D2}"), set.Workflows.Select(w => w.Name));
        var f = Assert.Single(set.Findings);
        Assert.Equal("ConflictingProjectDescription", f.RuleId);
        Assert.Contains("d17", f.Location.File);
        Assert.Equal("main", set.Projects.Single().Description);
    }

    [Fact]
    public void Environment_overlay_maps_names_and_parameter_values()
    {
        var overlay = EnvironmentOverlay.Load(Path.Combine(SpecTestFiles.ExampleFolder, "environments.yaml"), "prod");
        var set = YamlSpecSource.Load(SpecTestFiles.ExampleFolder, new SpecLoadOptions { Overlay = overlay });
        var daily = set.Workflows[0];
        Assert.Equal("etl_prod", daily.Tenant);
        Assert.Equal("ops-prod", daily.Schedule!.WarningGroup);
        Assert.Equal("ods_prod", daily.FindTask("load")!.DataSource);
        Assert.Equal("dw_prod", daily.FindTask("sync")!.DataTarget);
        Assert.Equal("5000", daily.Parameters.Single(p => p.Name == "batch_size").Value);
        Assert.Equal("default", daily.FindTask("load")!.WorkerGroup); // PROD maps no worker groups
    }

    [Fact]
    public void Unknown_environment_lists_the_defined_ones()
    {
        var ex = Assert.Throws<DsOps.Engine.Specs.Documents.SpecLoadException>(() =>
            EnvironmentOverlay.Load(Path.Combine(SpecTestFiles.ExampleFolder, "environments.yaml"), "DEV"));
        Assert.Equal("DsSpecEnvironmentNotFound", ex.ErrorId);
        Assert.Contains("UAT, PROD", ex.Message);
    }
}
