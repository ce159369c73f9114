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
        // For scale: PowerShell's own cost of a first Import-Module, which the bare start does not pay, measured with a
        // one-function script module.
        var tiny = Path.Combine(Path.GetTempPath(), "dsops-startup-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(tiny);
        File.WriteAllText(Path.Combine(tiny, "Tiny.psm1"), "function Get-Tiny { 1 }\n");
        File.WriteAllText(Path.Combine(tiny, "Tiny.psd1"),
            "@{ RootModule = 'Tiny.psm1'; ModuleVersion = '1.0.0'; GUID = '5d0c8f0e-7a53-4c55-9b1e-2f1f0c7d9a11'; FunctionsToExport = @('Get-Tiny') }\n");
        var bare = new List<double>();
        var module = new List<double>();
        var scriptModule = new List<double>();
        try
        {
            for (var i = 0; i < runs + 1; i++)
            {
                var b = Child(host, "bare");
                var m = Child(host, "module", RepoPaths.ModuleManifest);
                var t = Child(host, "import", Path.Combine(tiny, "Tiny.psd1"));
                if (i == 0) continue; // first round warms the disk cache
                bare.Add(b);
                module.Add(m);
                scriptModule.Add(t);
            }
        }
        finally
        {
            Directory.Delete(tiny, recursive: true);
        }
        double Median(List<double> xs) => xs.OrderBy(x => x).ElementAt(xs.Count / 2);
        var ratio = Median(module) / Median(bare);
        Console.WriteLine($"bare engine start          median {Median(bare),7:F0} ms  (min {bare.Min():F0}, max {bare.Max():F0}, n={runs})");
        Console.WriteLine($"import DsOps + 1st command median {Median(module),7:F0} ms  (min {module.Min():F0}, max {module.Max():F0}, n={runs})");
        Console.WriteLine($"ratio {ratio:F2} (goal <= 1.30)");
        Console.WriteLine($"for scale: importing a one-function script module, median {Median(scriptModule),7:F0} ms (min {scriptModule.Min():F0}, max {scriptModule.Max():F0}), " +
                          $"ratio {Median(scriptModule) / Median(bare):F2}: PowerShell's own first-import cost, in every module's start");
        return 0;
    }

    private static double Child(string host, string mode, string? manifest = null)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(host);
        psi.ArgumentList.Add(mode);
        if (manifest is not null) psi.ArgumentList.Add(manifest);
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
