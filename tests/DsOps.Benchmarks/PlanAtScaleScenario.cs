using System.Diagnostics;
using System.Security;
using System.Text;
using DsOps.Emulator;
using DsOps.Engine.Api;
using DsOps.Engine.Apply;
using DsOps.Engine.Orchestration;
using DsOps.Engine.Planning;
using DsOps.Engine.Specs.Sources;
using DsOps.Testing;

namespace DsOps.Benchmarks;

/// <summary>
/// Workflows as config at scale, against the DS emulator on MariaDB, through the engine's own orchestration
/// (<see cref="WorkflowSyncService"/>: what Sync-DsWorkflow and Compare-DsWorkflow run, without PowerShell):
/// 1. first apply of N workflows x M tasks (with the state file a sync keeps); 2. a no-change plan (specs loaded while
/// the state file's projects are read ahead, compared) measured in a fresh child process so its memory is DsOps's
/// alone, and once the older way for comparison (specs loaded, then the server read, then compared); 3. an apply with
/// one workflow changed.
/// Run: dotnet run -c Release --project tests/DsOps.Benchmarks -- plan-at-scale [workflows=4000] [tasks=10] [dialect=3.2]
/// </summary>
public sealed class PlanAtScaleScenario : IScenario
{
    public string Name => "plan-at-scale";

    public int Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(string[] args)
    {
        var workflows = args.Length > 0 ? int.Parse(args[0]) : 4000;
        var tasks = args.Length > 1 ? int.Parse(args[1]) : 10;
        var dialect = args.Length > 2 ? args[2] : "3.2";
        var dir = Path.Combine(Path.GetTempPath(), "dsops-scale-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            WriteSpecs(dir, workflows, tasks, changedWorkflow: null);
            await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
            Console.WriteLine($"DS {dialect} emulator at {emu.BaseUri}; {workflows} workflows x {tasks} tasks; specs in {dir}; child runs {ChildProgram.Value.Engine}");

            // 1. First apply (in this process: setup, timed for information), as Sync-DsWorkflow makes it: with a state file.
            using (var c = await Connect(emu))
            {
                var sw = Stopwatch.StartNew();
                var outcome = await new WorkflowSyncService(c, new SilentOperationHost()).SyncAsync(Loaded(new SpecSourceRequest(dir).LoadAndValidate(), dir),
                    new WorkflowSyncOptions { ThrottleLimit = 8, StatePath = StatePath(dir) }, CancellationToken.None);
                var results = outcome.Results;
                sw.Stop();
                var failed = results.Count(r => r.Status == ApplyStatus.Failed);
                Console.WriteLine($"first apply: {sw.Elapsed.TotalSeconds:F1} s, {results.Count(r => r.Status == ApplyStatus.Applied)} applied, {failed} failed, " +
                                  $"{c.Statistics.Requests} requests ({c.Statistics.Writes} writes)");
                if (failed > 0) Console.WriteLine(results.First(r => r.Status == ApplyStatus.Failed));
            }

            // The emulator's own share: answering GET …/all for the project, body read and discarded.
            using (var c = await Connect(emu))
            using (var http = new HttpClient { BaseAddress = emu.BaseUri, Timeout = TimeSpan.FromMinutes(5) })
            {
                http.DefaultRequestHeaders.Add("token", emu.AdminToken);
                var project = (await c.Client.ResolveProjectAsync("scale")).ProjectCode;
                var segment = c.Dialect.WorkflowDefinitionSegment;
                for (var i = 0; i < 3; i++)
                {
                    var sw = Stopwatch.StartNew();
                    using var response = await http.GetAsync($"projects/{project}/{segment}/all", HttpCompletionOption.ResponseHeadersRead);
                    await using var body = await response.Content.ReadAsStreamAsync();
                    var bytes = 0L;
                    var chunk = new byte[81920];
                    for (int n; (n = await body.ReadAsync(chunk)) > 0;) bytes += n;
                    Console.WriteLine($"emulator answers GET …/all ({bytes >> 20} MB) in {sw.Elapsed.TotalSeconds:F2} s");
                }
            }

            // 2. No-change plan, three times in fresh processes; then once the older, sequential way.
            for (var run = 1; run <= 3; run++)
            {
                var writesBefore = emu.RequestLog.WritingRequests;
                Console.WriteLine($"no-change plan #{run}: " + Child("plan-at-scale-child", emu, dir, "plan") +
                                  $"; emulator saw {emu.RequestLog.WritingRequests - writesBefore} writes");
            }
            Console.WriteLine("no-change plan, sequential (no read-ahead): " + Child("plan-at-scale-child", emu, dir, "plan-sequential"));

            // 3. One workflow changed: only it is written.
            WriteSpecs(dir, workflows, tasks, changedWorkflow: workflows / 2);
            var before = emu.RequestLog.WritingRequests;
            Console.WriteLine("apply with one workflow changed: " + Child("plan-at-scale-child", emu, dir, "apply") +
                              $"; emulator saw {emu.RequestLog.WritingRequests - before} writes");
            return 0;
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    internal static string StatePath(string dir) => Path.Combine(dir, AppliedState.DefaultFileName);

    internal static LoadedSpecs Loaded(DsOps.Engine.Specs.Validation.SpecSet set, string dir) => new() { Set = set, SourceLabel = dir };

    internal static Task<DsConnection> Connect(DsEmulator emu) => DsConnection.ConnectAsync(new DsConnectOptions
    {
        Uri = emu.BaseUri, Token = Secure(emu.AdminToken), Http = new DsHttpOptions { Timeout = TimeSpan.FromMinutes(5) },
    });

    internal static SecureString Secure(string s)
    {
        var ss = new SecureString();
        foreach (var ch in s) ss.AppendChar(ch);
        ss.MakeReadOnly();
        return ss;
    }

    private static string Child(string scenario, DsEmulator emu, string dir, string mode)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { ChildProgram.Value.Path, scenario, emu.BaseUri.ToString(), emu.AdminToken, dir, mode }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 ? output.Trim() : $"child failed ({p.ExitCode}): {output}{error}";
    }

    /// <summary>
    /// The child runs the engine as it ships: the published module's ahead-of-time compiled assemblies (out/DsOps, from
    /// <c>dotnet publish src/DsOps -c Release</c>) laid over a copy of this program's folder, each only where its
    /// version is the same. Without the published module the child runs this build's IL, compiled on first use.
    /// </summary>
    internal static readonly Lazy<(string Path, string Engine)> ChildProgram = new(() =>
    {
        var self = typeof(PlanAtScaleScenario).Assembly.Location;
        var published = Path.GetDirectoryName(RepoPaths.ModuleManifest)!;
        if (!File.Exists(Path.Combine(published, "DsOps.Engine.dll"))) return (self, "this build's IL (no published module)");
        var bin = Path.GetDirectoryName(self)!;
        var copy = Path.Combine(Path.GetTempPath(), "dsops-bench-child-" + Guid.NewGuid().ToString("N")[..8]);
        foreach (var file in Directory.EnumerateFiles(bin, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(bin, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        var laid = new List<string>();
        foreach (var dll in Directory.EnumerateFiles(published, "*.dll"))
        {
            var target = Path.Combine(copy, Path.GetFileName(dll));
            if (!File.Exists(target) || System.Reflection.AssemblyName.GetAssemblyName(dll).Version != System.Reflection.AssemblyName.GetAssemblyName(target).Version) continue;
            File.Copy(dll, target, overwrite: true);
            laid.Add(Path.GetFileNameWithoutExtension(dll));
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(copy, true); } catch (IOException) { } };
        return (Path.Combine(copy, Path.GetFileName(self)), "the published module's compiled " + string.Join(", ", laid));
    });

    /// <summary>One YAML file per 100 workflows; each workflow a chain with a fan-out, a schedule on every tenth.</summary>
    internal static void WriteSpecs(string dir, int workflows, int tasks, int? changedWorkflow)
    {
        for (var file = 0; file * 100 < workflows; file++)
        {
            var sb = new StringBuilder("project: scale\nworkflows:\n");
            for (var w = file * 100; w < Math.Min(workflows, (file + 1) * 100); w++)
            {
                sb.Append($"  - name: wf_{w:D5}\n    description: generated workflow {w}\n");
                if (w % 10 == 0)
                    sb.Append("    schedule:\n      cron: \"0 0 2 * * ? *\"\n      timezone: Asia/Shanghai\n      start: \"2024-01-01 00:00:00\"\n      end: \"2099-12-31 23:59:59\"\n");
                sb.Append("    tasks:\n");
                for (var t = 0; t < tasks; t++)
                {
                    var script = w == changedWorkflow && t == 0 ? "echo changed" : $"echo task {t} of {w}";
                    sb.Append($"      - name: t{t:D2}\n        type: SHELL\n        script: {script}\n");
                    if (t > 0) sb.Append($"        dependsOn: [t{(t - 1) / 2:D2}]\n");
                }
            }
            File.WriteAllText(Path.Combine(dir, $"scale_{file:D3}.yaml"), sb.ToString());
        }
    }
}

/// <summary>The measured child: a no-change plan (mode plan) or a sync (mode apply), reporting time, memory and requests.</summary>
public sealed class PlanAtScaleChildScenario : IScenario
{
    public string Name => "plan-at-scale-child";

    public int Run(string[] args)
    {
        var (uri, token, dir, mode) = (new Uri(args[0]), args[1], args[2], args[3]);
        var total = Stopwatch.StartNew();
        using var c = DsConnection.ConnectAsync(new DsConnectOptions
        {
            Uri = uri, Token = PlanAtScaleScenario.Secure(token), Http = new DsHttpOptions { Timeout = TimeSpan.FromMinutes(5) },
        }).GetAwaiter().GetResult();
        return mode == "plan-sequential" ? Sequential(c, dir, total) : Service(c, dir, mode, total);
    }

    /// <summary>The engine's orchestration, as Compare-DsWorkflow (plan) and Sync-DsWorkflow (apply) run it: the read-ahead starts first.</summary>
    private static int Service(DsConnection c, string dir, string mode, Stopwatch total)
    {
        var none = CancellationToken.None;
        var service = new WorkflowSyncService(c, new SilentOperationHost());
        var statePath = PlanAtScaleScenario.StatePath(dir);
        var sw = Stopwatch.StartNew();
        var a0 = GC.GetTotalAllocatedBytes(true);
        using var ahead = service.StartReadAhead(statePath, forSync: mode == "apply", none);
        var specs = PlanAtScaleScenario.Loaded(new SpecSourceRequest(dir).LoadAndValidate(), dir);
        var load = sw.Elapsed;
        var a1 = GC.GetTotalAllocatedBytes(true);
        sw.Restart();
        string summary;
        var applied = 0;
        if (mode == "apply")
        {
            var outcome = service.SyncAsync(specs, new WorkflowSyncOptions { StatePath = statePath, ReadAhead = ahead }, none).GetAwaiter().GetResult();
            applied = outcome.Results.Count(r => r.Status == ApplyStatus.Applied);
            summary = outcome.Summary;
        }
        else summary = service.PlanAgainstServerAsync(specs, new WorkflowPlanOptions { StatePath = statePath, ReadAhead = ahead }, none).GetAwaiter().GetResult().Summary;
        var rest = sw.Elapsed;
        var a2 = GC.GetTotalAllocatedBytes(true);
        total.Stop();
        using var self = Process.GetCurrentProcess();
        Console.WriteLine($"{mode}: total {total.Elapsed.TotalSeconds:F2} s (load specs {load.TotalSeconds:F2} s while the server read began, " +
                          $"then read and compare {rest.TotalSeconds:F2} s; allocated {(a1 - a0) >> 20}/{(a2 - a1) >> 20} MB), peak working set {self.PeakWorkingSet64 / 1048576} MB, " +
                          $"allocated {GC.GetTotalAllocatedBytes() / 1048576} MB, {c.Statistics.Requests} requests, {c.Statistics.Writes} writes, read ahead: {(ahead is null ? "no" : "yes")}, " +
                          summary + (mode == "apply" ? $", {applied} applied" : ""));
        return 0;
    }

    /// <summary>The calls one after the other, as before the read-ahead (and as a plan without a state file still runs).</summary>
    private static int Sequential(DsConnection c, string dir, Stopwatch total)
    {
        var sw = Stopwatch.StartNew();
        var specs = new SpecSourceRequest(dir).Load();
        var load = sw.Elapsed;
        sw.Restart();
        var snapshot = DsServerSnapshot.ReadAsync(c.Client, new[] { "scale" }).GetAwaiter().GetResult();
        var read = sw.Elapsed;
        sw.Restart();
        var plan = WorkflowPlanner.Plan(specs.Workflows, snapshot.Workflows);
        var compare = sw.Elapsed;
        total.Stop();
        using var self = Process.GetCurrentProcess();
        Console.WriteLine($"plan: total {total.Elapsed.TotalSeconds:F2} s (load specs {load.TotalSeconds:F2} s, read server {read.TotalSeconds:F2} s, " +
                          $"compare {compare.TotalMilliseconds:F0} ms), peak working set {self.PeakWorkingSet64 / 1048576} MB, " +
                          $"{c.Statistics.Requests} requests, {c.Statistics.Writes} writes, {plan.Summary}");
        return 0;
    }
}
