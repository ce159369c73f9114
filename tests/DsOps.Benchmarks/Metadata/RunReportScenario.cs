using System.Diagnostics;
using DsOps.Engine.Metadata;
using DsOps.Engine.Reports;

namespace DsOps.Benchmarks.Metadata;

/// <summary>
/// Quick whole-process measurement of the same comparison as <see cref="RunReportBenchmarks"/>, with the
/// generator's time: `dotnet run -c Release --project tests/DsOps.Benchmarks -- run-report [iterations]`.
/// Prints generation time, then min/median/max of warm runs for each query, and EXPLAIN of the report's reads.
/// </summary>
public sealed class RunReportScenario : IScenario
{
    public string Name => "run-report";

    public int Run(string[] args)
    {
        var iterations = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 20;
        var data = RunReportData.Get();
        Console.WriteLine($"Generated {data.Facts.TotalInstances:N0} workflow instances and {data.Facts.TotalTaskRows:N0} task instances " +
                          $"({RunReportData.Options.Days} days, {RunReportData.Options.Workflows:N0} workflows) in {data.Generation.TotalSeconds:0.0} s");
        var bench = new RunReportBenchmarks();
        bench.Setup();
        Measure("Get-DsRunReport engine (warm)", iterations, () => bench.DailyReport());
        Measure("Get-DsRunReport (no day cache)", iterations, () => bench.DailyReportUncached());
        Measure("DS statistics-style SQL", Math.Max(3, iterations / 4), () => bench.StatisticsStyle());
        Measure("start_time_index range scan", iterations, () => bench.RangeScan());

        // Breakdown: each read of the report alone, same window.
        var builder = new RunReportBuilder(data.Connection);
        var clock = new MetadataClock(TimeZoneInfo.Utc, TimeZoneInfo.Utc);
        var (from, to) = clock.DayWindow(RunReportData.ReportDay);
        var bounds = Enumerable.Range(0, 8).Select(k => clock.DayWindow(RunReportData.ReportDay.AddDays(k - 7)).From).ToArray();
        var w = new Dictionary<string, object?> { ["@from"] = from, ["@to"] = to };
        var tp = new Dictionary<string, object?>(w);
        var tasksSql = builder.DayTasksSql(tp);
        var hp = new Dictionary<string, object?>();
        var historySql = builder.HistorySql(hp, bounds, null);
        Measure("  part: catalog", iterations, () => Session(data.Connection, s => MetadataCatalog.LoadAsync(s, true, default)));
        Measure("  part: day instances", iterations, () => Session(data.Connection, s => s.QueryAsync(builder.DayInstancesSql(), w, r => r.GetInt32(0))));
        Measure("  part: day tasks", iterations, () => Session(data.Connection, s => s.QueryAsync(tasksSql, tp, r => r.GetInt32(0))));
        Measure("  part: day task counts", iterations, () => Session(data.Connection, s => s.QueryAsync(builder.TaskCountsSql(), w, r => r.GetInt32(0))));
        Measure("  part: 7-day history", iterations, () => Session(data.Connection, s => s.QueryAsync(historySql, hp, r => r.GetInt64(1))));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var report = bench.DailyReport().GetAwaiter().GetResult();
        Console.WriteLine($"Report: {report:N0} runs; allocated on the calling thread ~{(GC.GetAllocatedBytesForCurrentThread() - before) / 1024.0 / 1024:0.0} MB");
        return 0;
    }

    private static async Task<T> Session<T>(DsMetadataConnection c, Func<DsMetadataSession, Task<T>> work)
    {
        await using var s = await c.OpenSessionAsync();
        return await work(s);
    }

    private static void Measure<T>(string name, int iterations, Func<Task<T>> work)
    {
        for (var i = 0; i < 3; i++) work().GetAwaiter().GetResult(); // warm-up: buffer pool, pool, JIT
        var times = new List<double>();
        for (var i = 0; i < iterations; i++)
        {
            var sw = Stopwatch.StartNew();
            work().GetAwaiter().GetResult();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        Console.WriteLine($"{name,-32} min {times[0],8:0.0} ms  median {times[times.Count / 2],8:0.0} ms  max {times[^1],8:0.0} ms  (n={iterations})");
    }
}
