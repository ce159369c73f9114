using BenchmarkDotNet.Attributes;
using DsOps.Engine.Planning;
using DsOps.Engine.Specs.Model;
using DsOps.Testing;

namespace DsOps.Benchmarks.Planning;

/// <summary>The planner at the target scale: 4,000 workflows x 10 tasks, nothing changed.</summary>
[MemoryDiagnoser]
public class PlanBenchmarks
{
    private List<WorkflowSpec> _desired = null!;
    private List<WorkflowSpec> _current = null!;

    [GlobalSetup]
    public void Setup()
    {
        _desired = SyntheticWorkflows.Create(4000, 10);
        _current = SyntheticWorkflows.Create(4000, 10);
    }

    [Benchmark]
    public WorkflowPlan NoChangePlan_4000x10() => WorkflowPlanner.Plan(_desired, _current);

    [Benchmark]
    public string Fingerprint_4000x10()
    {
        var last = "";
        foreach (var w in _current) last = SpecFields.Fingerprint(w);
        return last;
    }
}
