using Xunit;
using DsOps.Engine.Specs.Sources;
using DsOps.Engine.Specs.Validation;

namespace DsOps.Tests.Specs;

public class SpecValidatorTests
{
    private static IReadOnlyList<SpecFinding> Check(string tasksYaml, string workflowExtra = "")
    {
        using var files = new SpecTestFiles();
        files.Write("a.yaml", "project: p\nworkflow:\n  name: w\n" + workflowExtra + "  tasks:\n" + tasksYaml);
        return SpecSources.LoadAndValidate(files.Root).Findings;
    }

    private static SpecFinding Only(IReadOnlyList<SpecFinding> findings, string rule)
    {
        var hits = findings.Where(f => f.RuleId == rule).ToList();
        Assert.True(hits.Count == 1, $"expected one {rule}, got: {string.Join(" | ", findings)}");
        return hits[0];
    }

    [Fact]
    public void Cycle_is_reported_once_with_its_path()
    {
        var f = Only(Check(
            "    - { name: a, type: SHELL, script: x, dependsOn: [c] }\n" +
            "    - { name: b, type: SHELL, script: x, dependsOn: [a] }\n" +
            "    - { name: c, type: SHELL, script: x, dependsOn: [b] }\n" +
            "    - { name: d, type: SHELL, script: x }\n"), "Cycle");
        Assert.Contains("a -> b -> c -> a", f.Message);
        Assert.Equal(SpecSeverity.Error, f.Severity);
    }

    [Fact]
    public void Unknown_dependency_points_at_the_entry_and_suggests_a_name()
    {
        var f = Only(Check(
            "    - { name: extract, type: SHELL, script: x }\n" +
            "    - name: load\n      type: SHELL\n      script: x\n      dependsOn:\n        - extarct\n"), "UnknownDependency");
        Assert.Equal(10, f.Location.Line);
        Assert.Contains("did you mean 'extract'", f.Message);
    }

    [Fact]
    public void Duplicates_and_self_dependency_are_errors()
    {
        var findings = Check(
            "    - { name: a, type: SHELL, script: x, dependsOn: [a] }\n" +
            "    - { name: a, type: SHELL, script: y }\n");
        Only(findings, "DuplicateTask");
        Only(findings, "SelfDependency");
    }

    [Fact]
    public void Duplicate_workflows_across_files_name_the_first_location()
    {
        using var files = new SpecTestFiles();
        files.Write("a.yaml", "project: p\nworkflow: { name: w, tasks: [ { name: t, type: SHELL, script: y } ] }\n");
        files.Write("b.yaml", "project: p\nworkflow: { name: w, tasks: [ { name: t, type: SHELL, script: y } ] }\n");
        var f = Only(SpecSources.LoadAndValidate(files.Root).Findings, "DuplicateWorkflow");
        Assert.EndsWith("b.yaml", f.Location.File);
        Assert.Contains("a.yaml", f.Message);
    }

    [Fact]
    public void Invalid_cron_time_zone_and_range_are_reported()
    {
        var findings = Check("    - { name: a, type: SHELL, script: x }\n",
            "  schedule: { cron: '0 2 * * *', timezone: Mars/Olympus, start: '2030-01-01 00:00:00', end: '2020-01-01 00:00:00' }\n");
        Assert.Contains("Unix cron", Only(findings, "InvalidCron").Message);
        Only(findings, "InvalidTimeZone");
        Only(findings, "InvalidScheduleRange");
    }

    [Fact]
    public void Unknown_task_type_and_missing_type_fields()
    {
        var findings = Check(
            "    - { name: a, type: SHELLL, script: x }\n" +
            "    - { name: b, type: SQL, script: select 1 }\n" +
            "    - { name: c, type: SUB_WORKFLOW }\n");
        Only(findings, "UnknownTaskType");
        Assert.Equal(2, findings.Count(f => f.RuleId == "MissingField"));
        Assert.Contains(findings, f => f.RuleId == "MissingField" && f.Task == "b" && f.Message.Contains("dataSource"));
    }

    [Fact]
    public void Malformed_parameters_are_reported()
    {
        var findings = Check(
            "    - name: a\n      type: SHELL\n      script: x\n      parameters:\n        'bad name': 1\n        n: { value: abc, type: INTEGER }\n        m: { value: 1, type: NUMBER }\n        o: { value: 1, direction: SIDEWAYS }\n");
        Assert.Equal(4, findings.Count(f => f.RuleId == "InvalidParameter"));
    }

    [Fact]
    public void Logic_task_targets_must_exist()
    {
        var findings = Check(
            "    - { name: a, type: SHELL, script: x }\n" +
            "    - name: s\n      type: SWITCH\n      dependsOn: [a]\n      switch: { branches: [ { condition: '1 == 1', task: nope } ], default: a }\n" +
            "    - name: c\n      type: CONDITIONS\n      conditions: { groups: [ { items: [ { task: ghost, status: SUCCESS } ] } ], success: [a], failed: [] }\n");
        Assert.Equal(2, findings.Count(f => f.RuleId == "UnknownTaskReference"));
    }

    [Fact]
    public void Switch_and_condition_branches_and_condition_inputs_need_their_relation()
    {
        const string Tasks =
            "    - { name: a, type: SHELL, script: x }\n" +
            "    - { name: b, type: SHELL, script: x }\n" +
            "    - name: s\n      type: SWITCH\n      switch:\n        branches: [ { condition: '${v} > 1', task: a } ]\n        default: b\n" +
            "    - { name: ok, type: SHELL, script: x }\n" +
            "    - { name: ko, type: SHELL, script: x, dependsOn: [c] }\n" +
            "    - name: c\n      type: CONDITIONS\n      dependsOn: [a]\n      conditions:\n        groups: [ { items: [ { task: a, status: SUCCESS }, { task: b, status: FAILURE } ] } ]\n        success: [ok]\n        failed: [ko]\n";
        var findings = Check(Tasks).Where(f => f.RuleId == "MissingLogicRelation").ToList();
        // a and b are branches of s without dependsOn: [s]; ok is c's success branch without dependsOn: [c]; c checks b, which is not upstream.
        Assert.Equal(4, findings.Count);
        Assert.All(findings, f => Assert.Equal(SpecSeverity.Error, f.Severity));
        var branch = findings.Single(f => f.Message.Contains("switch branch 'a'"));
        Assert.Contains("add 's' to dependsOn of task 'a'", branch.Message);
        Assert.EndsWith("a.yaml", branch.Location.File);
        Assert.Equal(10, branch.Location.Line);                       // the switch section, file:line
        Assert.Contains(findings, f => f.Message.Contains("success branch 'ok'") && f.Message.Contains("add 'c' to dependsOn of task 'ok'"));
        Assert.Contains(findings, f => f.Message.Contains("checks task 'b', which is not upstream") && f.Message.Contains("add 'b' to dependsOn of task 'c'"));

        // With the relations the same workflow is clean.
        var fixedTasks = Tasks.Replace("{ name: a, type: SHELL, script: x }", "{ name: a, type: SHELL, script: x, dependsOn: [s] }")
            .Replace("{ name: b, type: SHELL, script: x }", "{ name: b, type: SHELL, script: x, dependsOn: [s] }")
            .Replace("{ name: ok, type: SHELL, script: x }", "{ name: ok, type: SHELL, script: x, dependsOn: [c] }")
            .Replace("dependsOn: [a]\n", "dependsOn: [a, b]\n");
        Assert.DoesNotContain(Check(fixedTasks), f => f.Severity == SpecSeverity.Error);
    }

    [Fact]
    public void Suspicious_date_pattern_is_a_warning()
    {
        var f = Only(Check("    - { name: a, type: SHELL, script: 'echo $[YYYY-MM-dd]' }\n"), "SuspiciousDatePattern");
        Assert.Equal(SpecSeverity.Warning, f.Severity);
    }

    [Fact]
    public void Self_referencing_parameter_is_a_warning()
    {
        var f = Only(Check("    - { name: a, type: SHELL, script: x, parameters: { d: '${d}-1' } }\n"), "SelfReferencingParameter");
        Assert.Equal(SpecSeverity.Warning, f.Severity);
    }

    [Fact]
    public void Version_checks_use_the_dialect()
    {
        var w = new DsOps.Engine.Specs.Model.WorkflowSpec("p", "w",
        [
            new DsOps.Engine.Specs.Model.TaskSpec("dq", "DATA_QUALITY"),
            new DsOps.Engine.Specs.Model.TaskSpec("h", "HTTP") { Params = "{\"url\":\"http://x\",\"httpMethod\":\"HEAD\"}" },
            new DsOps.Engine.Specs.Model.TaskSpec("j", "JAVA"),
            new DsOps.Engine.Specs.Model.TaskSpec("d", "DEPENDENT") { Dependence = new DsOps.Engine.Specs.Model.DependenceSpec("AND", []) { CheckInterval = 10 } },
        ]);
        var on33 = SpecValidator.ValidateForDialect([w], DsOps.Engine.Dialects.DsDialect.V3_3);
        Assert.Equal(new[] { "dq", "h" }, on33.Where(f => f.Severity == SpecSeverity.Error).Select(f => f.Task));
        var on30 = SpecValidator.ValidateForDialect([w], DsOps.Engine.Dialects.DsDialect.V3_0);
        Assert.Empty(on30.Where(f => f.Severity == SpecSeverity.Error));
        Assert.Equal(new[] { "j", "d" }, on30.Select(f => f.Task));
        Assert.Empty(SpecValidator.ValidateForDialect([w with { Tasks = [w.Tasks[2], w.Tasks[3]] }], DsOps.Engine.Dialects.DsDialect.V3_2));
        var pytorch = new DsOps.Engine.Specs.Model.WorkflowSpec("p", "w", [new DsOps.Engine.Specs.Model.TaskSpec("t", "PYTORCH")]);
        Assert.Empty(SpecValidator.ValidateForDialect([pytorch], DsOps.Engine.Dialects.DsDialect.V3_3));
        Assert.Single(SpecValidator.ValidateForDialect([pytorch], DsOps.Engine.Dialects.DsDialect.Parse("3.4.1")), f => f.RuleId == "TaskTypeNotInVersion");
    }

    [Fact]
    public async Task Connected_checks_report_names_missing_on_the_target()
    {
        var set = SpecSources.Load(SpecTestFiles.ExampleFolder);
        var target = new StaticTargetInventory("test-cluster", dataSources: new[] { "ods" }, workerGroups: new[] { "default" },
            tenants: new[] { "etl" }, alertGroups: Array.Empty<string>());
        var findings = await SpecValidator.ValidateTargetAsync(set.Workflows, target);
        Assert.Equal(new[] { "MissingAlertGroup", "MissingDataSource" }, findings.Select(f => f.RuleId).Distinct().Order());
        Assert.Contains(findings, f => f.Message == "data source 'dw' does not exist on test-cluster.");
    }
}
