using DsOps.Engine.Specs.Loading;
using DsOps.Engine.Specs.Sources;
using DsOps.Engine.Specs.Validation;
using DsOps.Testing;
using Xunit;

namespace DsOps.Tests.Specs;

public class SpecFormatDetectionTests
{
    [Fact]
    public void A_folder_of_pyds_files_is_read_as_pyds_and_loads_without_errors()
    {
        Assert.Equal(SpecFormat.PyDolphinScheduler, SpecSources.Detect(RepoPaths.PyDsExamples));
        var set = SpecSources.LoadAndValidate(RepoPaths.PyDsExamples, SpecFormat.Auto, new SpecLoadOptions { EnvironmentVariables = n => n == "HOME" ? "/home/ds" : null });
        Assert.False(set.HasErrors, string.Join("\n", set.Findings.Where(f => f.Severity == SpecSeverity.Error)));
        // 23 files, 23 workflows: the files $WORKFLOW{...} refers to are read once.
        Assert.Equal(23, set.Workflows.Count);
        Assert.Equal(23, set.Workflows.Select(w => w.Name).Distinct().Count());
    }

    [Fact]
    public void A_pyds_file_in_a_folder_of_DsOps_yaml_is_an_error_that_names_the_format_to_use()
    {
        using var files = new SpecTestFiles();
        files.Write("a.yaml", "project: p\nworkflow:\n  name: w\n  tasks:\n    - { name: t, type: SHELL, script: x }\n");
        var pyds = files.Write("b.yaml", "workflow:\n  name: flow\ntasks:\n  - { name: t, task_type: Shell, command: x }\n");
        Assert.Equal(SpecFormat.Yaml, SpecSources.Detect(files.Root));
        var set = SpecSources.LoadAndValidate(files.Root);
        var f = Assert.Single(set.Findings, x => x.Severity == SpecSeverity.Error);
        Assert.Equal(("PyDsFileInYamlFolder", pyds), (f.RuleId, f.Location.File));
        Assert.Contains("-Format PyDolphinScheduler", f.Message);
        Assert.Single(set.Workflows);
    }

    [Fact]
    public void Json_files_are_told_apart_by_their_root()
    {
        using var files = new SpecTestFiles();
        var dsops = files.Write("dsops.json", """{ "project": "p", "workflows": [ { "name": "w", "tasks": [ { "name": "t", "type": "SHELL", "script": "x" } ] } ] }""");
        var element = files.Write("element.json", """{ "processDefinition": { "name": "w" }, "taskDefinitionList": [] }""");
        var array = files.Write("array.json", "[]");
        var broken = files.Write("broken.json", "[ { \"processDefinition\": ");
        Assert.Equal(SpecFormat.Yaml, SpecSources.Detect(dsops));
        Assert.Equal(SpecFormat.DsExport, SpecSources.Detect(element));
        Assert.Equal(SpecFormat.DsExport, SpecSources.Detect(array));
        Assert.Equal(SpecFormat.DsExport, SpecSources.Detect(broken));   // the export reader reports the syntax error with its position
        var set = SpecSources.LoadAndValidate(dsops);
        Assert.False(set.HasErrors, string.Join("\n", set.Findings));
        Assert.Equal("p/w", set.Workflows.Single().Key);
        Assert.Contains(SpecSources.Load(broken).Findings, f => f.RuleId == "JsonSyntax");
    }
}
