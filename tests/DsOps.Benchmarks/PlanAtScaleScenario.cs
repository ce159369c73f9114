using System.Diagnostics;
using System.Security;
using System.Text;
using DsOps.Emulator;
using DsOps.Engine.Api;
using DsOps.Engine.Apply;
using DsOps.Engine.Planning;
using DsOps.Engine.Specs.Sources;
using DsOps.Testing;

namespace DsOps.Benchmarks;

/// <summary>
/// Workflows as config at scale, against the DS emulator on MariaDB:
/// 1. first apply of N workflows x M tasks; 2. a no-change plan (specs loaded, server read, compared) measured in
/// a fresh child process so its memory is DsOps's alone; 3. an apply with one workflow changed.
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
            Console.WriteLine($"DS {dialect} emulator at {emu.BaseUri}; {workflows} workflows x {tasks} tasks; specs in {dir}");

            // 1. First apply (in this process: setup, timed for information).
            using (var c = await Connect(emu))
            {
                var sw = Stopwatch.StartNew();
                var specs = new SpecSourceRequest(dir).Load();
                var snapshot = await DsServerSnapshot.ReadAsync(c.Client, new[] { "scale" });
                var plan = WorkflowPlanner.Plan(specs.Workflows, snapshot.Workflows);
                var results = await new WorkflowApplier(c.Client, snapshot).ApplyAsync(plan, new ApplyOptions { ThrottleLimit = 8 });
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

            // 2. No-change plan, three times in fresh processes.
            for (var run = 1; run <= 3; run++)
            {
                var writesBefore = emu.RequestLog.WritingRequests;
                Console.WriteLine($"no-change plan #{run}: " + Child("plan-at-scale-child", emu, dir, "plan") +
                                  $"; emulator saw {emu.RequestLog.WritingRequests - writesBefore} writes");
            }

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
        foreach (var a in new[] { typeof(PlanAtScaleScenario).Assembly.Location, scenario, emu.BaseUri.ToString(), emu.AdminToken, dir, mode }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 ? output.Trim() : $"child failed ({p.ExitCode}): {output}{error}";
    }

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
        var sw = Stopwatch.StartNew();
        var a0 = GC.GetTotalAllocatedBytes(true);
        var specs = new SpecSourceRequest(dir).Load();
        var load = sw.Elapsed;
        var a1 = GC.GetTotalAllocatedBytes(true);
        sw.Restart();
        var snapshot = DsServerSnapshot.ReadAsync(c.Client, new[] { "scale" }).GetAwaiter().GetResult();
        var read = sw.Elapsed;
        var a2 = GC.GetTotalAllocatedBytes(true);
        sw.Restart();
        var plan = WorkflowPlanner.Plan(specs.Workflows, snapshot.Workflows);
        var compare = sw.Elapsed;
        var a3 = GC.GetTotalAllocatedBytes(true);
        var applied = 0;
        if (args[3] == "apply")
        {
            var results = new WorkflowApplier(c.Client, snapshot).ApplyAsync(plan, new ApplyOptions()).GetAwaiter().GetResult();
            applied = results.Count(r => r.Status == ApplyStatus.Applied);
        }
        total.Stop();
        using var self = Process.GetCurrentProcess();
        Console.WriteLine($"{mode}: total {total.Elapsed.TotalSeconds:F2} s (load specs {load.TotalSeconds:F2} s, read server {read.TotalSeconds:F2} s, " +
                          $"compare {compare.TotalMilliseconds:F0} ms; allocated {(a1 - a0) >> 20}/{(a2 - a1) >> 20}/{(a3 - a2) >> 20} MB), peak working set {self.PeakWorkingSet64 / 1048576} MB, " +
                          $"allocated {GC.GetTotalAllocatedBytes() / 1048576} MB, {c.Statistics.Requests} requests, {c.Statistics.Writes} writes, " +
                          $"{plan.Summary}" + (mode == "apply" ? $", {applied} applied" : ""));
        return 0;
    }
}
