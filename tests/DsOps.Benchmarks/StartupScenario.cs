using System.Diagnostics;
using DsOps.Testing;

namespace DsOps.Benchmarks;

/// <summary>
/// Module import plus a first command, measured side by side with the bare engine's start, each in a fresh
/// process (alternating, so machine noise hits both alike). Goal: within 1.3x of the bare engine.
/// Run: dotnet run -c Release --project tests/DsOps.Benchmarks -- startup [runs]
/// (needs the published module: dotnet publish src/DsOps -c Release)
/// </summary>
public sealed class StartupScenario : IScenario
{
    public string Name => "startup";

    public int Run(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0]) : 15;
        // A separate program that references only the PowerShell engine, like pwsh: DsOps's assemblies must load from
        // the published module folder, not from this benchmark's own dependencies (which include the IL engine).
        // Built alongside this project (same configuration and framework folder names).
        var outputDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var host = Path.Combine(RepoPaths.RepoRoot, "tests", "DsOps.StartupHost", "bin", outputDir.Parent!.Name, outputDir.Name, "DsOps.StartupHost.dll");
        if (!File.Exists(host))
        {
            Console.Error.WriteLine($"{host} is missing: build tests/DsOps.Benchmarks (it builds the host) in the same configuration.");
            return 2;
        }
        if (!File.Exists(RepoPaths.ModuleManifest))
        {
            Console.Error.WriteLine($"{RepoPaths.ModuleManifest} is missing: run `dotnet publish src/DsOps -c Release` first.");
            return 2;
        }
        var bare = new List<double>();
        var module = new List<double>();
        for (var i = 0; i < runs + 1; i++)
        {
            var b = Child(host, "bare");
            var m = Child(host, "module");
            if (i == 0) continue; // first pair warms the disk cache
            bare.Add(b);
            module.Add(m);
        }
        double Median(List<double> xs) => xs.OrderBy(x => x).ElementAt(xs.Count / 2);
        var ratio = Median(module) / Median(bare);
        Console.WriteLine($"bare engine start          median {Median(bare),7:F0} ms  (min {bare.Min():F0}, max {bare.Max():F0}, n={runs})");
        Console.WriteLine($"import DsOps + 1st command median {Median(module),7:F0} ms  (min {module.Min():F0}, max {module.Max():F0}, n={runs})");
        Console.WriteLine($"ratio {ratio:F2} (goal <= 1.30)");
        return 0;
    }

    private static double Child(string host, string mode)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(host);
        psi.ArgumentList.Add(mode);
        if (mode == "module") psi.ArgumentList.Add(RepoPaths.ModuleManifest);
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        sw.Stop();
        if (p.ExitCode != 0) throw new InvalidOperationException($"DsOps.StartupHost {mode} failed: {output}{error}");
        return sw.Elapsed.TotalMilliseconds;
    }
}
