using Xunit;
using System.Collections.Immutable;
using DsOps.Engine.Planning;
using DsOps.Engine.Specs.Documents;
using DsOps.Engine.Specs.Model;
using DsOps.Engine.Specs.Sources;

namespace DsOps.Tests.Specs;

public class YamlSpecWriterTests
{
    [Fact]
    public void Written_yaml_loads_back_to_the_same_specs()
    {
        var specs = SpecSources.Load(SpecTestFiles.ExampleFolder).Workflows;
        AssertRoundTrip(specs);
    }

    [Fact]
    public void Awkward_strings_survive_the_round_trip()
    {
        var task = new TaskSpec("t: odd # name", "SHELL")
        {
            Script = "#!/bin/bash\nset -e\n  indented line\necho \"quoted\" 'single' $x ${env:HOME} $${env:X}\n\ttab\n",
            Description = "123",
            Parameters = [new ParameterSpec("yes", "no"), new ParameterSpec("empty", ""), new ParameterSpec("num", "007") { Type = "INTEGER" }],
            Params = "{\"flag\":true,\"n\":1.5,\"s\":\"true\",\"z\":null,\"list\":[1,\"2\"]}",
            DependsOn = ["- dash", "null"],
        };
        var w = new WorkflowSpec("p", "w", [task, new TaskSpec("- dash", "SHELL") { Script = "x" }, new TaskSpec("null", "SHELL") { Script = "trailing space \nend" }])
        {
            Description = "line1\nline2",
        };
        AssertRoundTrip(new[] { w });
    }

    [Fact]
    public void Imported_pydolphinscheduler_examples_round_trip_as_DsOps_yaml_with_their_relations_and_cache()
    {
        var specs = SpecSources.Load(DsOps.Testing.RepoPaths.PyDsExamples, SpecFormat.Auto,
            new DsOps.Engine.Specs.Loading.SpecLoadOptions { EnvironmentVariables = n => n == "HOME" ? "/home/ds" : null }).Workflows;
        Assert.Equal(23, specs.Count);
        Assert.Contains(specs.SelectMany(w => w.Tasks), t => t.Cache);
        AssertRoundTrip(specs);
        // The cache setting is compared by plans like any other field.
        var flipped = specs.Select(w => w with { Tasks = w.Tasks.Select(t => t with { Cache = !t.Cache }).ToImmutableArray() }).ToList();
        Assert.True(WorkflowPlanner.Plan(flipped, specs).HasChanges);
    }

    private static void AssertRoundTrip(IReadOnlyList<WorkflowSpec> specs)
    {
        using var files = new SpecTestFiles();
        foreach (var g in specs.GroupBy(s => s.Project))
            files.Write(g.Key + ".yaml", YamlSpecWriter.WriteProject(g.Key, g));
        var back = YamlSpecSource.Load(files.Root);
        Assert.Empty(back.Findings);
        foreach (var w in specs)
        {
            var r = back.Workflows.Single(x => x.Key == w.Key);
            var plan = WorkflowPlanner.Plan(new[] { w }, new[] { r });
            Assert.False(plan.HasChanges, string.Join("\n", plan.Items));
            Assert.Equal(SpecFields.Fingerprint(w), SpecFields.Fingerprint(r));
        }
    }
}
