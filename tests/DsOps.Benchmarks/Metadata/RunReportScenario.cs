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
        var rp = new Dictionary<string, object?>(w) { ["@span"] = bounds[0] };
        var ranges = Session(data.Connection, s => s.QueryAsync(builder.IdRangesSql(), rp, r => Enumerable.Range(0, 4).Select(i => Convert.ToInt64(r.GetValue(i))).ToArray()))
            .GetAwaiter().GetResult();
        var history = new RunReportBuilder.IdRange(ranges[0][1], ranges[0][2], ranges[0][3]);
        var day = new RunReportBuilder.IdRange(ranges[1][1], ranges[1][2], ranges[1][3]);
        Console.WriteLine($"  id ranges: history {history} dense={history.Dense}; day {day} dense={day.Dense}");
        Measure("  part: catalog", iterations, () => Session(data.Connection, s => MetadataCatalog.LoadAsync(s, true, default)));
        Measure("  part: id ranges (index only)", iterations, () => Session(data.Connection, s => s.QueryAsync(builder.IdRangesSql(), rp, r => r.GetValue(0))));
        foreach (var (label, range) in new[] { ("by id", day), ("by start_time_index", (RunReportBuilder.IdRange?)null) })
        {
            var ip = new Dictionary<string, object?>(w); var isql = builder.DayInstancesSql(ip, range);
            var tp = new Dictionary<string, object?>(w); var tsql = builder.DayTasksSql(tp, range);
            var cp = new Dictionary<string, object?>(w); var csql = builder.TaskCountsSql(cp, range);
            var hp = new Dictionary<string, object?>(); var hsql = builder.HistorySql(hp, bounds, null, range is null ? null : history);
            Measure($"  part: day instances {label}", iterations, () => Session(data.Connection, s => s.QueryAsync(isql, ip, r => r.GetInt32(0))));
            Measure($"  part: day tasks {label}", iterations, () => Session(data.Connection, s => s.QueryAsync(tsql, tp, r => r.GetInt32(0))));
            Measure($"  part: task counts {label}", iterations, () => Session(data.Connection, s => s.QueryAsync(csql, cp, r => r.GetInt32(0))));
            Measure($"  part: 7-day history {label}", iterations, () => Session(data.Connection, s => s.QueryAsync(hsql, hp, r => r.GetInt64(1))));
        }

        // Integrity checks and inspection queries on the same data (one run each, for orientation).
        var reader = new DsMetadataReader(data.Connection, TimeZoneInfo.Utc);
        var asOf = new DateTimeOffset(RunReportData.LastDay.AddDays(1).ToDateTime(new TimeOnly(8, 0)), TimeSpan.Zero);
        Measure("Test-DsMetadataIntegrity (all checks)", 3, () => new IntegrityChecker(data.Connection).RunAsync());
        Measure("Get-DsFailedTask (24 h)", 5, () => reader.GetFailedTasksAsync(asOf.UtcDateTime.AddDays(-1), asOf.UtcDateTime));
        Measure("Get-DsStuckInstance (7 days)", 5, () => reader.GetStuckInstancesAsync(asOf, TimeSpan.FromDays(7), 3, TimeSpan.FromMinutes(30)));
        Measure("Get-DsLongRunningTask (7 days)", 5, () => reader.GetLongRunningTasksAsync(TimeSpan.FromHours(1), asOf, TimeSpan.FromDays(7)));

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
        Console.WriteLine($"{name,-44} min {times[0],8:0.0} ms  median {times[times.Count / 2],8:0.0} ms  max {times[^1],8:0.0} ms  (n={iterations})");
    }
}
