using System.Diagnostics;
using DsOps.Engine.Planning;
using DsOps.Testing;

namespace DsOps.Benchmarks.Planning;

/// <summary>
/// `dotnet run -c Release --project tests/DsOps.Benchmarks -- plan-at-scale [workflows] [tasks]`:
/// a no-change plan of 4,000 x 10 (default) in one process, checked against the target
/// (under 5 s, under 200 MB, no writes: the planner has no I/O). Exit code 1 when the target is missed.
/// </summary>
public sealed class PlanAtScaleScenario : IScenario
{
    public string Name => "plan-at-scale";

    public int Run(string[] args)
    {
        var workflows = args.Length > 0 ? int.Parse(args[0]) : 4000;
        var tasks = args.Length > 1 ? int.Parse(args[1]) : 10;
        var desired = SyntheticWorkflows.Create(workflows, tasks);
        var current = SyntheticWorkflows.Create(workflows, tasks);
        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var sw = Stopwatch.StartNew();
        var plan = WorkflowPlanner.Plan(desired, current);
        sw.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        var peak = Process.GetCurrentProcess().PeakWorkingSet64;
        Console.WriteLine($"plan {workflows}x{tasks}: {sw.Elapsed.TotalMilliseconds:F0} ms, {allocated / 1048576.0:F1} MB allocated, peak working set {peak / 1048576.0:F0} MB, changes: {plan.HasChanges}");
        var ok = sw.Elapsed < TimeSpan.FromSeconds(5) && peak < 200L * 1024 * 1024 && !plan.HasChanges;
        Console.WriteLine(ok ? "target met" : "TARGET MISSED");
        return ok ? 0 : 1;
    }
}
