using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
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
        var self = typeof(StartupScenario).Assembly.Location;
        if (!File.Exists(SharedPaths.ModuleManifest))
        {
            Console.Error.WriteLine($"{SharedPaths.ModuleManifest} is missing: run `dotnet publish src/DsOps -c Release` first.");
            return 2;
        }
        var bare = new List<double>();
        var module = new List<double>();
        for (var i = 0; i < runs + 1; i++)
        {
            var b = Child(self, "bare");
            var m = Child(self, "module");
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

    private static double Child(string self, string mode)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(self);
        psi.ArgumentList.Add("startup-child");
        psi.ArgumentList.Add(mode);
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        sw.Stop();
        if (p.ExitCode != 0) throw new InvalidOperationException($"startup-child {mode} failed: {output}{error}");
        return sw.Elapsed.TotalMilliseconds;
    }
}

/// <summary>The measured child: opens a runspace and runs a first command, with or without DsOps.</summary>
public sealed class StartupChildScenario : IScenario
{
    public string Name => "startup-child";

    public int Run(string[] args)
    {
        // Both modes start the same local DS stand-in so the only difference is DsOps's own work.
        using var listener = StartStandIn(out var uri);
        using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        runspace.Open();
        using var ps = PowerShell.Create();
        ps.Runspace = runspace;
        // The token is handed in as a variable, as Get-Secret would return it: building a SecureString through
        // PowerShell's method binder is not DsOps's cost. Both modes get it.
        runspace.SessionStateProxy.SetVariable("t", new System.Net.NetworkCredential("", "x").SecurePassword);
        // Like `pwsh -NoProfile -Command '...'`: both modes run their first command as script text.
        if (args[0] == "module")
        {
            // Import, connect (loads Refit, Polly and the HTTP pipeline) and list projects: a typical first command.
            ps.AddScript($"Import-Module '{SharedPaths.ModuleManifest}'; $null = Connect-DsServer -Uri '{uri}' -Token $t -DsVersion 3.2; Get-DsProject");
        }
        else
        {
            ps.AddScript("Get-Command -Name Get-Command");
        }
        ps.Invoke();
        if (ps.HadErrors) throw new InvalidOperationException(string.Join("; ", ps.Streams.Error));
        return 0;
    }

    /// <summary>An HttpListener answering every DS call with an empty successful page.</summary>
    private static System.Net.HttpListener StartStandIn(out Uri uri)
    {
        while (true)
        {
            var port = Random.Shared.Next(20000, 60000);
            var listener = new System.Net.HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/dolphinscheduler/");
            try { listener.Start(); } catch (System.Net.HttpListenerException) { continue; }
            uri = new Uri($"http://127.0.0.1:{port}/dolphinscheduler/");
            var body = System.Text.Encoding.UTF8.GetBytes("{\"code\":0,\"msg\":\"success\",\"data\":{\"totalList\":[],\"total\":0,\"totalPage\":1,\"pageSize\":100,\"currentPage\":1},\"success\":true,\"failed\":false}");
            _ = Task.Run(async () =>
            {
                while (listener.IsListening)
                {
                    try
                    {
                        var ctx = await listener.GetContextAsync();
                        ctx.Response.ContentType = "application/json";
                        // HttpListener delays answers on reused connections by ~40 ms (delayed ACK); closing each one
                        // keeps the stand-in's own latency out of the measurement.
                        ctx.Response.KeepAlive = false;
                        await ctx.Response.OutputStream.WriteAsync(body);
                        ctx.Response.Close();
                    }
                    catch (Exception) { return; }
                }
            });
            return listener;
        }
    }
}
