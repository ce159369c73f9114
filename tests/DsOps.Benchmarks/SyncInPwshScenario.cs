using System.Diagnostics;
using DsOps.Emulator;
using DsOps.Testing;

namespace DsOps.Benchmarks;

/// <summary>
/// Sync-DsWorkflow as users run it: real PowerShell (the repository's pinned <c>dotnet pwsh</c>) with the published
/// module (out/DsOps, from <c>dotnet publish src/DsOps -c Release</c>), against the DS emulator running in this
/// process. Measures the first apply of N workflows x M tasks and then three no-change syncs, each in a fresh pwsh
/// process that reports its own time, peak working set and requests. The server is warmed up before the no-change
/// syncs (<see cref="WarmUpServerAsync"/>).
/// Run: dotnet run -c Release --project tests/DsOps.Benchmarks -- sync-in-pwsh [workflows=4000] [tasks=10] [dialect=3.2] [--hold FILE]
/// With <c>--hold FILE</c> the emulator stays up after the first apply (its URI, admin token and the specs folder are
/// written to FILE, one a line) until FILE is deleted, so that memory can be investigated with one's own pwsh runs.
/// </summary>
public sealed class SyncInPwshScenario : IScenario
{
    public string Name => "sync-in-pwsh";

    public int Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    private const string Script = """
        $ErrorActionPreference = 'Stop'
        $ProgressPreference = 'SilentlyContinue'
        Import-Module $env:DSOPS_BENCH_MODULE
        $token = ConvertTo-SecureString $env:DSOPS_BENCH_TOKEN -AsPlainText -Force
        $c = Connect-DsServer -Uri $env:DSOPS_BENCH_URI -Token $token -NoDefault -TimeoutSec 300
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $results = @(Sync-DsWorkflow $env:DSOPS_BENCH_SPECS -Connection $c -ThrottleLimit 8 -Force)
        $sw.Stop()
        $failed = @($results | Where-Object Status -eq 'Failed').Count
        $self = [Diagnostics.Process]::GetCurrentProcess()
        '{0:F2} s, peak working set {1} MB, {2} results ({3} failed), {4}' -f $sw.Elapsed.TotalSeconds, [int]($self.PeakWorkingSet64 / 1MB), $results.Count, $failed, $c.Statistics
        """;

    private static async Task<int> RunAsync(string[] args)
    {
        var workflows = args.Length > 0 ? int.Parse(args[0]) : 4000;
        var tasks = args.Length > 1 ? int.Parse(args[1]) : 10;
        var dialect = args.Length > 2 && !args[2].StartsWith("--", StringComparison.Ordinal) ? args[2] : "3.2";
        var holdAt = Array.IndexOf(args, "--hold");
        var hold = holdAt >= 0 && holdAt + 1 < args.Length ? Path.GetFullPath(args[holdAt + 1]) : null;
        if (!File.Exists(RepoPaths.ModuleManifest))
        {
            Console.Error.WriteLine($"{RepoPaths.ModuleManifest} does not exist: run 'dotnet publish src/DsOps -c Release' first.");
            return 2;
        }
        var dir = Path.Combine(Path.GetTempPath(), "dsops-pwsh-scale-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            PlanAtScaleScenario.WriteSpecs(dir, workflows, tasks, changedWorkflow: null);
            await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
            Console.WriteLine($"DS {dialect} emulator at {emu.BaseUri}; {workflows} workflows x {tasks} tasks; specs in {dir}; pwsh with {RepoPaths.ModuleManifest}");

            var writes = emu.RequestLog.WritingRequests;
            Console.WriteLine("first apply: " + Pwsh(emu, dir) + $"; emulator saw {emu.RequestLog.WritingRequests - writes} writes");
            if (hold is not null)
            {
                File.WriteAllLines(hold, new[] { emu.BaseUri.ToString(), emu.AdminToken, dir });
                Console.WriteLine($"holding: URI, token and specs folder in {hold}; delete it to stop");
                while (File.Exists(hold)) await Task.Delay(500);
            }
            await WarmUpServerAsync(emu);
            for (var run = 1; run <= 3; run++)
            {
                writes = emu.RequestLog.WritingRequests;
                Console.WriteLine($"no-change sync #{run}: " + Pwsh(emu, dir) + $"; emulator saw {emu.RequestLog.WritingRequests - writes} writes");
            }
            return 0;
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// A DS server in production has answered its reads many times; the emulator, started for this run, answers its
    /// first large GET …/all with code the runtime has not optimized yet (no-change syncs timed straight after the
    /// first apply got faster run by run: 5.4 / 4.6 / 3.9 s, 5.0 / 4.4 / 4.0 s, 5.2 / 4.2 / 4.0 s). So every project's
    /// DAGs are read twice before the timed runs: the times are then DsOps's and a warm server's.
    /// </summary>
    private static async Task WarmUpServerAsync(DsEmulator emu)
    {
        var sw = Stopwatch.StartNew();
        using var c = await PlanAtScaleScenario.Connect(emu);
        var projects = new List<long>();
        await foreach (var p in c.Client.GetProjectsAsync()) projects.Add(p.ProjectCode);
        for (var i = 0; i < 2; i++)
            foreach (var code in projects) await c.Client.ForEachWorkflowDagAsync(code, _ => { });
        Console.WriteLine($"server warmed up: every project's DAGs read twice ({sw.Elapsed.TotalSeconds:F1} s, not timed)");
    }

    /// <summary>Runs the sync in a fresh pwsh; returns its report line and the process's wall time.</summary>
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
        psi.Environment["DSOPS_BENCH_SPECS"] = dir;
        var wall = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var error = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        wall.Stop();
        return p.ExitCode == 0 ? $"{output.Trim()} (pwsh process {wall.Elapsed.TotalSeconds:F1} s)" : $"pwsh failed ({p.ExitCode}): {output}{error.Result}";
    }
}
