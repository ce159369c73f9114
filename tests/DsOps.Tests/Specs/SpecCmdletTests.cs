using Xunit;
using System.Management.Automation;
using DsOps.Engine.Planning;
using DsOps.Engine.Specs.Model;
using DsOps.Engine.Specs.Validation;
using DsOps.Tests.Hosting;
using DsOps.Testing;

namespace DsOps.Tests.Specs;

/// <summary>The spec cmdlets in a real hosted runspace with the module imported.</summary>
public class SpecCmdletTests
{
    private const string Broken = "project: p\nworkflow:\n  name: w\n  schedule: { cron: '0 2 * * *' }\n  tasks:\n    - { name: a, type: SHELL, script: x, dependsOn: [b] }\n    - { name: b, type: SHELL, script: x, dependsOn: [a] }\n";

    [Fact]
    public void Cmdlets_are_exported_with_help_and_output_types()
    {
        using var e = new HostedEngine();
        foreach (var name in new[] { "Compare-DsWorkflow", "Export-DsWorkflowSpec", "Get-DsWorkflowSpec", "New-DsConfigTable", "Test-DsWorkflowSpec" })
        {
            var cmd = e.Run("Get-Command", new { Name = name }).Objects<CmdletInfo>().Single();
            Assert.NotEmpty(cmd.OutputType);
            foreach (var p in cmd.Parameters.Values.Where(p => !Cmdlet.CommonParameters.Contains(p.Name) && !Cmdlet.OptionalCommonParameters.Contains(p.Name)))
                Assert.True(p.Attributes.OfType<ParameterAttribute>().All(a => !string.IsNullOrEmpty(a.HelpMessage)), $"{name} -{p.Name} has no HelpMessage");
        }
        Assert.True(e.Run("Get-Command", new { Name = "New-DsConfigTable" }).Objects<CmdletInfo>().Single().Parameters.ContainsKey("WhatIf"));
        Assert.True(e.Run("Get-Command", new { Name = "Export-DsWorkflowSpec" }).Objects<CmdletInfo>().Single().Parameters.ContainsKey("WhatIf"));
    }

    [Fact]
    public void Test_DsWorkflowSpec_writes_findings_with_positions()
    {
        using var files = new SpecTestFiles();
        var file = files.Write("w.yaml", Broken);
        using var e = new HostedEngine();
        var findings = e.Run("Test-DsWorkflowSpec", new { Path = files.Root }).Objects<SpecFinding>();
        Assert.Contains(findings, f => f.RuleId == "Cycle" && f.Message.Contains("a -> b -> a"));
        var cron = findings.Single(f => f.RuleId == "InvalidCron");
        Assert.Equal($"{file}:4:21", cron.Position); // the cron value itself
        Assert.False(e.Run("Test-DsWorkflowSpec", new Dictionary<string, object> { ["Path"] = files.Root, ["Quiet"] = true }).Objects<bool>().Single());
        Assert.True(e.Run("Test-DsWorkflowSpec", new Dictionary<string, object> { ["Path"] = SpecTestFiles.ExampleFolder, ["Quiet"] = true }).Objects<bool>().Single());
    }

    [Fact]
    public void Test_DsWorkflowSpec_ErrorOnFailure_terminates_with_a_stable_id()
    {
        using var files = new SpecTestFiles();
        files.Write("w.yaml", Broken);
        using var e = new HostedEngine();
        var ex = Assert.ThrowsAny<RuntimeException>(() => e.Run("Test-DsWorkflowSpec", new Dictionary<string, object> { ["Path"] = files.Root, ["ErrorOnFailure"] = true }));
        Assert.StartsWith("DsSpecInvalid,DsOps.Commands.Specs.TestDsWorkflowSpecCommand", ex.ErrorRecord.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, ex.ErrorRecord.CategoryInfo.Category);
        Assert.Contains("2 error(s)", ex.Message);
    }

    [Fact]
    public void Hostile_yaml_is_reported_not_crashing()
    {
        using var files = new SpecTestFiles();
        files.Write("bomb.yaml", "a: &a [x, x, x, x, x, x, x, x, x, x]\n" +
            string.Join("", Enumerable.Range(1, 8).Select(i => $"{(char)('a' + i)}: &{(char)('a' + i)} [{string.Join(", ", Enumerable.Repeat("*" + (char)('a' + i - 1), 10))}]\n")));
        using var e = new HostedEngine();
        var f = e.Run("Test-DsWorkflowSpec", new { Path = files.Root }).Objects<SpecFinding>().Single();
        Assert.Equal("AliasBudget", f.RuleId);
        Assert.Contains("bomb.yaml:", f.Position);
    }

    [Fact]
    public void Get_DsWorkflowSpec_reads_yaml_and_export_files()
    {
        using var e = new HostedEngine();
        var specs = e.Run("Get-DsWorkflowSpec", new { Path = SpecTestFiles.ExampleFolder, Environment = "UAT" }).Objects<WorkflowSpec>();
        Assert.Equal(2, specs.Count);
        Assert.Equal("uat-workers", specs[0].Tasks[0].WorkerGroup);
        var progress = e.Run("Get-DsWorkflowSpec", new { Path = SpecTestFiles.ExampleFolder }).Progress;
        Assert.Contains(progress, p => p.Activity == "Reading workflow specs" && p.StatusDescription == "sales.yaml");
        Assert.Equal(System.Management.Automation.ProgressRecordType.Completed, progress[^1].RecordType);
        var exported = e.Run("Get-DsWorkflowSpec", new { Path = RepoPaths.Example("export_3.0.1.json") }).Objects<WorkflowSpec>();
        Assert.Equal("daily_sales", exported.Single().Name);
        var missing = e.Run("Get-DsWorkflowSpec", new { Path = "/nonexistent/specs" });
        Assert.StartsWith("DsPathNotFound", missing.Errors.Single().FullyQualifiedErrorId);
    }

    [Fact]
    public void Get_DsWorkflowSpec_imports_pydolphinscheduler_yaml_with_config_values()
    {
        using var files = new SpecTestFiles();
        files.Write("flow.yaml", "workflow:\n  name: flow\n  project: pyds\ntasks:\n  - { name: q, task_type: Sql, datasource_name: '${CONFIG.DS}', sql: select 1 }\n");
        using var e = new HostedEngine();
        var spec = e.Run("Get-DsWorkflowSpec", new { Path = Path.Combine(files.Root, "flow.yaml"), PyDsConfig = new System.Collections.Hashtable { ["DS"] = "ods" } }).Objects<WorkflowSpec>().Single();
        Assert.Equal("ods", spec.Tasks.Single().DataSource);
        var missing = e.Run("Get-DsWorkflowSpec", new { Path = Path.Combine(files.Root, "flow.yaml") });
        Assert.StartsWith("DsSpecUnknownConfigKey", missing.Errors.Single().FullyQualifiedErrorId);
    }

    [Fact]
    public void Specs_of_a_file_with_load_errors_are_not_output_and_export_refuses_a_spec_without_project()
    {
        using var files = new SpecTestFiles();
        files.Write("flow.yaml", "workflow:\n  name: flow\n  project: pyds\ntasks:\n  - { name: q, task_type: Sql, datasource_name: '${CONFIG.NOPE}', sql: select 1 }\n");
        using var e = new HostedEngine();
        var result = e.Run("Get-DsWorkflowSpec", new { Path = Path.Combine(files.Root, "flow.yaml") });
        Assert.Empty(result.Objects<WorkflowSpec>());
        Assert.StartsWith("DsSpecUnknownConfigKey", result.Errors.Single().FullyQualifiedErrorId);
        Assert.Contains(result.Warnings, w => w.Contains("pyds/flow: not output"));

        var noProject = new WorkflowSpec("", "orphan", System.Collections.Immutable.ImmutableArray.Create(new TaskSpec("t", "SHELL") { Script = "x" }));
        var dest = Path.Combine(files.Root, "out");
        var export = e.Run("Export-DsWorkflowSpec", new Dictionary<string, object> { ["InputObject"] = new[] { noProject }, ["Destination"] = dest });
        Assert.StartsWith("DsSpecIncomplete", export.Errors.Single().FullyQualifiedErrorId);
        Assert.False(Directory.Exists(dest));
    }

    [Fact]
    public void Export_as_ds_json_round_trips_a_ds_export_and_explains_unresolvable_names()
    {
        using var files = new SpecTestFiles();
        using var e = new HostedEngine();
        var fromExport = e.Run("Get-DsWorkflowSpec", new { Path = RepoPaths.Example("export_3.0.1.json") }).Objects<WorkflowSpec>().ToArray();
        var target = Path.Combine(files.Root, "export.json");
        var written = e.Run("Export-DsWorkflowSpec", new Dictionary<string, object> { ["InputObject"] = fromExport, ["Destination"] = target, ["Format"] = "DsExport", ["Dialect"] = "3.0" });
        Assert.Empty(written.Errors);
        var back = e.Run("Get-DsWorkflowSpec", new { Path = target }).Objects<WorkflowSpec>().ToArray();
        Assert.False(WorkflowPlanner.Plan(back, fromExport).HasChanges);

        var named = e.Run("Get-DsWorkflowSpec", new { Path = SpecTestFiles.ExampleFolder }).Objects<WorkflowSpec>().ToArray();
        var ex = Assert.ThrowsAny<RuntimeException>(() => e.Run("Export-DsWorkflowSpec", new Dictionary<string, object> { ["InputObject"] = named, ["Destination"] = Path.Combine(files.Root, "named.json"), ["Format"] = "DsExport" }));
        Assert.StartsWith("DsSpecUnresolvedName,", ex.ErrorRecord.FullyQualifiedErrorId);
        Assert.False(File.Exists(Path.Combine(files.Root, "named.json")));
    }

    [Fact]
    public void Compare_DsWorkflow_plans_and_saves_a_deterministic_plan()
    {
        using var files = new SpecTestFiles();
        var text = File.ReadAllText(Path.Combine(SpecTestFiles.ExampleFolder, "sales.yaml"));
        files.Write("desired/sales.yaml", text.Replace("retries: 2", "retries: 4"));
        files.Write("desired/scripts/extract.sh", File.ReadAllText(Path.Combine(SpecTestFiles.ExampleFolder, "scripts", "extract.sh")));
        using var e = new HostedEngine();
        var planFile = Path.Combine(files.Root, "plan.json");
        var items = e.Run("Compare-DsWorkflow", new { Path = Path.Combine(files.Root, "desired"), ReferencePath = SpecTestFiles.ExampleFolder, OutFile = planFile }).Objects<PlanItem>();
        Assert.Equal(new[] { "~ analytics/daily_sales", "~ analytics/daily_sales/extract: retries: 2 -> 4", "= analytics/weekly_report" }, items.Select(i => i.ToString()));
        var first = File.ReadAllText(planFile);
        e.Run("Compare-DsWorkflow", new { Path = Path.Combine(files.Root, "desired"), ReferencePath = SpecTestFiles.ExampleFolder, OutFile = planFile });
        Assert.Equal(first, File.ReadAllText(planFile));
        Assert.Equal(3, PlanFile.Load(planFile).Items.Count);
    }

    [Fact]
    public void Compare_DsWorkflow_refuses_invalid_specs()
    {
        using var files = new SpecTestFiles();
        files.Write("w.yaml", Broken);
        using var e = new HostedEngine();
        var ex = Assert.ThrowsAny<RuntimeException>(() => e.Run("Compare-DsWorkflow", new { Path = files.Root, ReferencePath = SpecTestFiles.ExampleFolder }));
        Assert.StartsWith("DsSpecInvalid,", ex.ErrorRecord.FullyQualifiedErrorId);
    }

    [Fact]
    public void Export_then_compare_shows_no_changes_and_honours_WhatIf_and_secrets()
    {
        using var files = new SpecTestFiles();
        using var e = new HostedEngine();
        var specs = e.Run("Get-DsWorkflowSpec", new { Path = SpecTestFiles.ExampleFolder }).Objects<WorkflowSpec>().ToList();
        specs[1] = specs[1] with { Parameters = [new ParameterSpec("db_password", "hunter2")] };
        var dest = Path.Combine(files.Root, "out");

        var whatIf = e.Run("Export-DsWorkflowSpec", new Dictionary<string, object> { ["InputObject"] = specs.ToArray(), ["Destination"] = dest, ["WhatIf"] = true });
        Assert.False(Directory.Exists(dest));

        var written = e.Run("Export-DsWorkflowSpec", new Dictionary<string, object> { ["InputObject"] = specs.ToArray(), ["Destination"] = dest });
        Assert.Equal(2, written.Objects<FileInfo>().Count);
        Assert.DoesNotContain("hunter2", written.AllText());
        Assert.Contains(written.Warnings, w => w.Contains("DSOPS_SECRET_WEEKLY_REPORT_GLOBAL_DB_PASSWORD"));
        Assert.DoesNotContain("hunter2", string.Join("", Directory.GetFiles(dest, "*", SearchOption.AllDirectories).Select(File.ReadAllText)));

        // Round trip: with the placeholder variable set, the exported files plan as unchanged against the source.
        System.Environment.SetEnvironmentVariable("DSOPS_SECRET_WEEKLY_REPORT_GLOBAL_DB_PASSWORD", "hunter2");
        try
        {
            var reloaded = DsOps.Engine.Specs.Sources.SpecSources.Load(dest).Workflows;
            Assert.False(WorkflowPlanner.Plan(reloaded, specs).HasChanges);
        }
        finally
        {
            System.Environment.SetEnvironmentVariable("DSOPS_SECRET_WEEKLY_REPORT_GLOBAL_DB_PASSWORD", null);
        }
        var again = e.Run("Export-DsWorkflowSpec", new Dictionary<string, object> { ["InputObject"] = specs.ToArray(), ["Destination"] = dest });
        Assert.All(again.Errors, err => Assert.StartsWith("DsFileExists", err.FullyQualifiedErrorId));
    }
}
