using System.Diagnostics;
using DsOps.Emulator;
using DsOps.Testing;

namespace DsOps.Benchmarks;

/// <summary>
/// Initialize-DsCluster as users run it: real PowerShell (the pinned <c>dotnet pwsh</c>) with the published module,
/// against an EMPTY DS emulator (fresh schema, admin only) running in this process. One command takes it to every
/// resource of docs/examples/cluster/cluster.yaml plus the example workflows and N generated workflows x M tasks
/// (the specs of plan-at-scale, project 'scale'); then the same command again, which must change nothing. Each run is
/// a fresh pwsh process that reports its own time, peak working set, result counts and the requests it sent; the
/// emulator counts the requests it answered and those that wrote. The load average is printed before and after each
/// run (the machine may be shared).
/// Run: dotnet run -c Release --project tests/DsOps.Benchmarks -- bootstrap-in-pwsh [workflows=4000] [tasks=10] [dialect=3.2] [reruns=1]
/// </summary>
public sealed class BootstrapInPwshScenario : IScenario
{
    public string Name => "bootstrap-in-pwsh";

    public int Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    // The secret references of the example config get benchmark values (not secrets; they only have to be set).
    private static readonly string[] SecretVariables =
    {
        "DSOPS_EXAMPLE_USER_PASSWORD", "DSOPS_EXAMPLE_ODS_PASSWORD", "DSOPS_EXAMPLE_DW_PASSWORD", "DSOPS_EXAMPLE_DINGTALK_WEBHOOK", "DSOPS_EXAMPLE_DINGTALK_SECRET",
    };

    private const string Script = """
        $ErrorActionPreference = 'Stop'
        $ProgressPreference = 'SilentlyContinue'
        Import-Module $env:DSOPS_BENCH_MODULE
        $token = ConvertTo-SecureString $env:DSOPS_BENCH_TOKEN -AsPlainText -Force
        $c = Connect-DsServer -Uri $env:DSOPS_BENCH_URI -Token $token -NoDefault -TimeoutSec 300
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $r = Initialize-DsCluster -Config $env:DSOPS_BENCH_CONFIG -Workflows $env:DSOPS_BENCH_SPECS -Environment PROD -Connection $c -ThrottleLimit 8 -ErrorAction Continue
        $sw.Stop()
        $self = [Diagnostics.Process]::GetCurrentProcess()
        '{0:F2} s, peak working set {1} MB, resources {2} applied/{3} unchanged/{4} failed, workflows {5} applied/{6} unchanged/{7} failed, succeeded {8}, {9}' -f $sw.Elapsed.TotalSeconds, [int]($self.PeakWorkingSet64 / 1MB), $r.ResourcesApplied, $r.ResourcesUnchanged, $r.ResourcesFailed, $r.WorkflowsApplied, $r.WorkflowsUnchanged, $r.WorkflowsFailed, $r.Succeeded, $c.Statistics
        """;

    private static async Task<int> RunAsync(string[] args)
    {
        var workflows = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 4000;
        var tasks = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10;
        var dialect = args.Length > 2 ? args[2] : "3.2";
        var reruns = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 1;
        if (!File.Exists(RepoPaths.ModuleManifest))
        {
            Console.Error.WriteLine($"{RepoPaths.ModuleManifest} does not exist: run 'dotnet publish src/DsOps -c Release' first.");
            return 2;
        }
        var dir = Path.Combine(Path.GetTempPath(), "dsops-bootstrap-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            // docs/examples/cluster and docs/examples/workflows side by side (the config's file refers to ../workflows/...),
            // plus the generated project in the workflow folder.
            Copy(Path.Combine(RepoPaths.RepoRoot, "docs", "examples", "cluster"), Path.Combine(dir, "cluster"));
            Copy(Path.Combine(RepoPaths.RepoRoot, "docs", "examples", "workflows"), Path.Combine(dir, "workflows"));
            PlanAtScaleScenario.WriteSpecs(Path.Combine(dir, "workflows"), workflows, tasks, changedWorkflow: null);
            await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
            Console.WriteLine($"DS {dialect} emulator at {emu.BaseUri} (empty: schema and admin only); example cluster + 2 example workflows + " +
                              $"{workflows} workflows x {tasks} tasks; pwsh with {RepoPaths.ModuleManifest}; {Environment.ProcessorCount} cores");
            for (var run = 0; run <= reruns; run++)
            {
                var (total, writes) = (emu.RequestLog.Total, emu.RequestLog.WritingRequests);
                var uploads = emu.RequestLog.Count("POST", "/resources") + emu.RequestLog.Count("PUT", "/resources");
                var load = LoadAverage();
                var line = Pwsh(emu, dir);
                Console.WriteLine($"{(run == 0 ? "bootstrap (empty DS)" : $"rerun #{run}")}: {line}; emulator answered {emu.RequestLog.Total - total} requests, " +
                                  $"{emu.RequestLog.WritingRequests - writes} database writes, " +
                                  $"{emu.RequestLog.Count("POST", "/resources") + emu.RequestLog.Count("PUT", "/resources") - uploads} uploads; load average {load} -> {LoadAverage()}");
            }
            return 0;
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        foreach (var d in Directory.GetDirectories(from)) Copy(d, Path.Combine(to, Path.GetFileName(d)));
    }

    /// <summary>The 1/5/15-minute load averages (Linux), or "n/a".</summary>
    internal static string LoadAverage()
    {
        try { return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ')[..3]); }
        catch (IOException) { return "n/a"; }
        catch (UnauthorizedAccessException) { return "n/a"; }
    }

    /// <summary>Runs the bootstrap in a fresh pwsh; returns its report line and the process's wall time.</summary>
    private static string Pwsh(DsEmulator emu, string dir)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepoPaths.RepoRoot,
        };
        foreach (var a in new[] { "pwsh", "-NoProfile", "-NonInteractive", "-Command", Script }) psi.ArgumentList.Add(a);
        psi.Environment["DSOPS_BENCH_MODULE"] = RepoPaths.ModuleManifest;
        psi.Environment["DSOPS_BENCH_URI"] = emu.BaseUri.ToString();
        psi.Environment["DSOPS_BENCH_TOKEN"] = emu.AdminToken; // not on the command line
        psi.Environment["DSOPS_BENCH_CONFIG"] = Path.Combine(dir, "cluster", "cluster.yaml");
        psi.Environment["DSOPS_BENCH_SPECS"] = Path.Combine(dir, "workflows");
        foreach (var v in SecretVariables) psi.Environment[v] = "bench-" + v.ToLowerInvariant();
        var wall = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var error = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        wall.Stop();
        return p.ExitCode == 0 ? $"{output.Trim()} (pwsh process {wall.Elapsed.TotalSeconds:F1} s)" : $"pwsh failed ({p.ExitCode}): {output}{error.Result}";
    }
}
