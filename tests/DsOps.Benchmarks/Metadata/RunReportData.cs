using System.Diagnostics;
using DsOps.Engine.Metadata;
using DsOps.Testing;
using DsOps.Testing.History;

namespace DsOps.Benchmarks.Metadata;

/// <summary>
/// The benchmark's data set, generated once per process: a throwaway MariaDB with the 3.2.2 schema and
/// 30 days of 20,000 task instances a day over 4,000 workflows (LOAD DATA LOCAL INFILE).
/// </summary>
public static class RunReportData
{
    public static readonly DateOnly LastDay = new(2026, 3, 30);
    public static readonly DateOnly ReportDay = LastDay.AddDays(-1);

    public static readonly HistoryOptions Options = new()
    {
        Days = 30, Workflows = 4000, TasksPerDay = 20_000, FailureRate = 0.03, Seed = 2026, LastDay = LastDay,
    };

    private static readonly Lazy<Task<(MariaDbServer Server, DsMetadataConnection Connection, HistoryFacts Facts, TimeSpan Generation)>> Data =
        new(async () =>
        {
            var server = await MariaDbServer.StartAsync();
            AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Dispose();
            var cs = await server.CreateDsDatabaseAsync("3.2.2");
            var sw = Stopwatch.StartNew();
            var facts = await HistoryGenerator.GenerateAsync(cs, "3.2.2", Options);
            sw.Stop();
            var connection = await DsMetadataConnection.ConnectAsync(cs, "bench", TimeZoneInfo.Utc);
            return (server, connection, facts, sw.Elapsed);
        });

    public static (MariaDbServer Server, DsMetadataConnection Connection, HistoryFacts Facts, TimeSpan Generation) Get() =>
        Data.Value.GetAwaiter().GetResult();

    /// <summary>
    /// Statistics queries in the shape of DS's project analysis page (our own SQL, not DS's): task states of the
    /// day filtered by the task's own start_time (t_ds_task_instance has no time index: a full scan), and
    /// workflow states joined to definitions and projects by code.
    /// </summary>
    public static readonly string[] StatisticsStyleSql =
    {
        "SELECT t.state, COUNT(*) FROM t_ds_task_instance t JOIN t_ds_project p ON p.code = t.project_code " +
        "WHERE t.start_time >= @from AND t.start_time < @to GROUP BY t.state",
        "SELECT i.state, COUNT(*) FROM t_ds_process_instance i JOIN t_ds_process_definition d ON d.code = i.process_definition_code " +
        "JOIN t_ds_project p ON p.code = d.project_code WHERE i.start_time >= @from AND i.start_time < @to GROUP BY i.state",
    };

    /// <summary>The bare range on start_time_index: the floor for any report over the day's instances.</summary>
    public const string RangeScanSql =
        "SELECT id, process_definition_code, state, start_time, end_time, host FROM t_ds_process_instance FORCE INDEX (start_time_index) " +
        "WHERE start_time >= @from AND start_time < @to";
}
