using BenchmarkDotNet.Running;

namespace DsOps.Benchmarks;

/// <summary>
/// Entry point. `dotnet run -c Release --project tests/DsOps.Benchmarks -- --filter *Name*` runs
/// BenchmarkDotNet suites; custom scenario runners (process start-up, plan at scale) are selected
/// by their first argument, see docs/benchmarks.md.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && Scenarios.TryRun(args[0], args[1..], out var exitCode))
            return exitCode;
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}

/// <summary>A whole-process measurement that is not a BenchmarkDotNet class (start-up, plan at scale).</summary>
public interface IScenario
{
    /// <summary>The first command-line argument that selects this scenario.</summary>
    string Name { get; }
    int Run(string[] args);
}

/// <summary>Finds scenarios by reflection, so each lives in its own file.</summary>
public static class Scenarios
{
    public static bool TryRun(string name, string[] args, out int exitCode)
    {
        var scenario = typeof(Scenarios).Assembly.GetTypes()
            .Where(t => typeof(IScenario).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => (IScenario)Activator.CreateInstance(t)!)
            .FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
        exitCode = scenario?.Run(args) ?? 0;
        return scenario is not null;
    }
}
