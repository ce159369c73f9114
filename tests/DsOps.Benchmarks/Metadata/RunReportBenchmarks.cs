using BenchmarkDotNet.Attributes;
using DsOps.Engine.Metadata;
using DsOps.Engine.Reports;

namespace DsOps.Benchmarks.Metadata;

/// <summary>
/// Daily run report over 30 days x 20,000 task instances a day and 4,000 workflows (3.2.2 schema),
/// against DS-style statistics SQL and the bare start_time_index range scan on the same data.
/// In-process so the generated database is built once for all three benchmarks.
/// Run: dotnet run -c Release --project tests/DsOps.Benchmarks -- --filter *RunReportBenchmarks*
/// </summary>
[InProcess]
[MemoryDiagnoser]
[WarmupCount(3)]
[IterationCount(15)]
public class RunReportBenchmarks
{
    private DsMetadataConnection _connection = null!;
    private Dictionary<string, object?> _window = null!;

    [GlobalSetup]
    public void Setup()
    {
        _connection = RunReportData.Get().Connection;
        var (from, to) = new MetadataClock(TimeZoneInfo.Utc, TimeZoneInfo.Utc).DayWindow(RunReportData.ReportDay);
        _window = new Dictionary<string, object?> { ["@from"] = from, ["@to"] = to };
    }

    [Benchmark(Baseline = true, Description = "Get-DsRunReport engine (warm)")]
    public Task<int> DailyReport() => Report(useCache: true);

    [Benchmark(Description = "Get-DsRunReport engine (no closed-day cache)")]
    public Task<int> DailyReportUncached() => Report(useCache: false);

    private async Task<int> Report(bool useCache)
    {
        var report = await new RunReportBuilder(_connection).BuildAsync(new RunReportOptions
        {
            Date = RunReportData.ReportDay, TimeZone = TimeZoneInfo.Utc, AsOf = new DateTimeOffset(2026, 3, 31, 8, 0, 0, TimeSpan.Zero),
            UseClosedDayCache = useCache,
        });
        return report.Totals.Instances;
    }

    [Benchmark(Description = "DS statistics-style SQL")]
    public async Task<long> StatisticsStyle()
    {
        long n = 0;
        await using var session = await _connection.OpenSessionAsync();
        foreach (var sql in RunReportData.StatisticsStyleSql)
            n += (await session.QueryAsync(sql, _window, r => r.GetInt64(1))).Sum();
        return n;
    }

    [Benchmark(Description = "start_time_index range scan")]
    public async Task<int> RangeScan()
    {
        await using var session = await _connection.OpenSessionAsync();
        return (await session.QueryAsync(RunReportData.RangeScanSql, _window, r => r.GetInt32(0))).Count;
    }
}
