using System.Collections.Immutable;
using DsOps.Engine.Specs.Model;

namespace DsOps.Testing;

/// <summary>Generated workflow specs for scale tests and benchmarks (deterministic content).</summary>
public static class SyntheticWorkflows
{
    /// <summary><paramref name="workflows"/> chains of <paramref name="tasks"/> alternating SHELL and SQL tasks.</summary>
    public static List<WorkflowSpec> Create(int workflows, int tasks, string project = "bulk")
    {
        var list = new List<WorkflowSpec>(workflows);
        for (var w = 0; w < workflows; w++)
        {
            var t = new TaskSpec[tasks];
            for (var i = 0; i < tasks; i++)
                t[i] = new TaskSpec($"task_{i:D2}", i % 2 == 0 ? "SHELL" : "SQL")
                {
                    Script = i % 2 == 0 ? $"echo workflow {w} step {i} ${{bizdate}}" : $"insert into t{i} select * from s{i} where dt='${{bizdate}}'",
                    DataSource = i % 2 == 0 ? null : "ods",
                    DependsOn = i == 0 ? ImmutableArray<string>.Empty : ImmutableArray.Create($"task_{i - 1:D2}"),
                    Retries = 1,
                    Parameters = ImmutableArray.Create(new ParameterSpec("bizdate", "${system.biz.date}")),
                    Params = "{\"preStatements\":[]}",
                };
            list.Add(new WorkflowSpec(project, $"wf_{w:D4}", t.ToImmutableArray())
            {
                Parameters = ImmutableArray.Create(new ParameterSpec("bizdate", "$[yyyyMMdd-1]")),
                Schedule = new ScheduleSpec("0 0 2 * * ? *") { TimeZone = "UTC" },
            });
        }
        return list;
    }
}
