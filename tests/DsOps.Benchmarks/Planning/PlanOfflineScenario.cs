using System.Diagnostics;
using DsOps.Engine.Planning;
using DsOps.Engine.Specs.Documents;
using DsOps.Engine.Specs.Sources;
using DsOps.Testing;

namespace DsOps.Benchmarks.Planning;

/// <summary>
/// `dotnet run -c Release --project tests/DsOps.Benchmarks -- plan-offline [workflows] [tasks] [--yaml]`:
/// a no-change plan of 4,000 x 10 (default) in one process, checked against the target
/// (under 5 s, under 200 MB, no writes: the planner has no I/O). With --yaml the desired specs are first
/// written as one YAML file per workflow and the timing includes loading and validating them.
/// Exit code 1 when the target is missed.
/// </summary>
public sealed class PlanOfflineScenario : IScenario
{
    public string Name => "plan-offline";

    public int Run(string[] args)
    {
        var numbers = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
        var workflows = numbers.Count > 0 ? int.Parse(numbers[0]) : 4000;
        var tasks = numbers.Count > 1 ? int.Parse(numbers[1]) : 10;
        var fromYaml = args.Contains("--yaml");
        var desired = SyntheticWorkflows.Create(workflows, tasks);
        var current = SyntheticWorkflows.Create(workflows, tasks);
        string? folder = null;
        if (fromYaml)
        {
            folder = Path.Combine(Path.GetTempPath(), "dsops-plan-at-scale-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(folder);
            foreach (var w in desired) File.WriteAllText(Path.Combine(folder, w.Name + ".yaml"), YamlSpecWriter.WriteProject(w.Project, new[] { w }));
        }
        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var sw = Stopwatch.StartNew();
        var phases = "";
        if (folder is not null)
        {
            var set = SpecSources.Load(folder);
            var loaded = sw.Elapsed;
            var findings = DsOps.Engine.Specs.Validation.SpecValidator.Validate(set.Workflows);
            if (set.HasErrors || findings.Count > 0) throw new InvalidOperationException(set.Findings.Concat(findings).First().ToString());
            desired = set.Workflows.ToList();
            phases = $" (load {loaded.TotalMilliseconds:F0} ms, validate {(sw.Elapsed - loaded).TotalMilliseconds:F0} ms)";
        }
        var plan = WorkflowPlanner.Plan(desired, current);
        sw.Stop();
        if (folder is not null) Directory.Delete(folder, recursive: true);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        var peak = Process.GetCurrentProcess().PeakWorkingSet64;
        Console.WriteLine($"plan {workflows}x{tasks}{(fromYaml ? " (load + validate YAML + plan)" : "")}: {sw.Elapsed.TotalMilliseconds:F0} ms{phases}, {allocated / 1048576.0:F1} MB allocated, peak working set {peak / 1048576.0:F0} MB, changes: {plan.HasChanges}");
        var ok = sw.Elapsed < TimeSpan.FromSeconds(5) && peak < 200L * 1024 * 1024 && !plan.HasChanges;
        Console.WriteLine(ok ? "target met" : "TARGET MISSED");
        return ok ? 0 : 1;
    }
}
