using System.Diagnostics;
using DsOps.Emulator;
using DsOps.Emulator.Cluster;
using DsOps.Engine.Api;
using DsOps.Engine.Inspection;
using DsOps.Engine.Metadata;

namespace DsOps.Benchmarks.Metadata;

/// <summary>
/// A full Deep and a Quick inspection against the emulator (three loopback hosts with actuators) on the run-report
/// data set (30 days, ~600,000 task instances, 4,000 workflows):
/// `dotnet run -c Release --project tests/DsOps.Benchmarks -- health-check [iterations]`.
/// Each run is a fresh inspection (no fact survives between runs); pooled HTTP and database connections stay warm,
/// as in a long-running scheduler. Prints min/median/max for Quick, Deep and every check, and the slowest checks.
/// </summary>
public sealed class HealthCheckScenario : IScenario
{
    public string Name => "health-check";

    public int Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(string[] args)
    {
        var iterations = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 10;
        var data = RunReportData.Get();
        Console.WriteLine($"Data set: {data.Facts.TotalInstances:N0} workflow instances, {data.Facts.TotalTaskRows:N0} task instances (generated in {data.Generation.TotalSeconds:0.0} s)");
        var cs = ConnectionStringOf(data.Connection, data.Server);
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = "3.2", ConnectionString = cs, Cluster = EmulatedCluster.ThreeHosts() });
        emu.Cluster.ThreadsConnectedOverride = 40;
        using var api = await DsConnection.ConnectAsync(new DsConnectOptions { Uri = emu.BaseUri, Token = Secure(emu.AdminToken) });
        var config = Path.Combine(Path.GetTempPath(), "dsops-bench-health.yaml");
        await File.WriteAllTextAsync(config, emu.HealthConfigYaml());
        var health = HealthConfig.Load(config);
        // As-of the end of the data set, so the look-back windows cover generated history.
        var asOf = new DateTimeOffset(RunReportData.LastDay.AddDays(1).ToDateTime(new TimeOnly(8, 0)), TimeSpan.Zero);

        HealthInspectionOptions Options(string tag) => new()
        {
            Api = api, Metadata = data.Connection, Config = health, Tags = tag == "All" ? Array.Empty<string>() : new[] { tag }, AsOf = asOf,
            BusinessTimeZone = TimeZoneInfo.Utc,
        };

        IReadOnlyList<DsHealthResult>? last = null;
        foreach (var tag in new[] { "Quick", "Deep", "All" })
        {
            for (var i = 0; i < 2; i++) await HealthInspector.RunAsync(Options(tag)); // warm-up: JIT, pools, buffer pool
            var times = new List<double>();
            for (var i = 0; i < iterations; i++)
            {
                var sw = Stopwatch.StartNew();
                last = await HealthInspector.RunAsync(Options(tag));
                times.Add(sw.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            var checks = last.Select(r => r.CheckId).Distinct().Count();
            Console.WriteLine($"{tag,-6} inspection ({checks} checks, {last.Count} results)  min {times[0],8:0.0} ms  median {times[times.Count / 2],8:0.0} ms  max {times[^1],8:0.0} ms  (n={iterations})");
            Console.WriteLine("  outcomes: " + string.Join(", ", last.GroupBy(r => r.Status).Select(g => $"{g.Key} {g.Count()}")));
        }
        Console.WriteLine("Slowest checks of the last full (All) run:");
        foreach (var g in last!.GroupBy(r => r.CheckId).OrderByDescending(g => g.First().Duration).Take(6))
            Console.WriteLine($"  {g.Key,-44} {g.First().Duration.TotalMilliseconds,8:0.0} ms");
        File.Delete(config);
        return 0;
    }

    private static string ConnectionStringOf(DsMetadataConnection c, DsOps.Testing.MariaDbServer server) =>
        server.ConnectionString(c.Database);

    private static System.Security.SecureString Secure(string s)
    {
        var ss = new System.Security.SecureString();
        foreach (var ch in s) ss.AppendChar(ch);
        ss.MakeReadOnly();
        return ss;
    }
}
