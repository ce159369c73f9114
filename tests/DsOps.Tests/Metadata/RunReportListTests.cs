using DsOps.Engine.Metadata;
using DsOps.Engine.Reports;
using DsOps.Testing;
using DsOps.Testing.History;
using MySqlConnector;
using Xunit;

namespace DsOps.Tests.Metadata;

/// <summary>
/// Report lists on a generated history of their own (real MariaDB), changed with plain SQL the way DS would:
/// a workflow run twice on the day (a re-run) and a schedule created after its only fire of the day.
/// </summary>
public class RunReportListTests
{
    private static readonly DateOnly Day = new(2026, 3, 10);
    private static readonly DateTimeOffset AsOf = new(2026, 3, 11, 8, 0, 0, TimeSpan.Zero);

    private static async Task<(string Cs, HistoryFacts Facts, DsMetadataConnection Connection)> HistoryAsync(string schema)
    {
        var server = await MariaDbFixture.Shared;
        var cs = await server.CreateDsDatabaseAsync(schema);
        var facts = await HistoryGenerator.GenerateAsync(cs, schema, new HistoryOptions
        {
            Days = 2, Workflows = 20, Projects = 2, TasksPerDay = 100, FailureRate = 0.1, Seed = 11, LastDay = Day,
            StuckInstances = 0, StillRunning = 0, NotStarted = 3, Commands = 0, ErrorCommands = 0,
        });
        return (cs, facts, await DsMetadataConnection.ConnectAsync(cs, schema, TimeZoneInfo.Utc));
    }

    private static async Task SqlAsync(string cs, string sql)
    {
        await using var conn = new MySqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new MySqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    private static Task<RunReport> ReportAsync(DsMetadataConnection c) => new RunReportBuilder(c).BuildAsync(new RunReportOptions
    {
        Date = Day, TimeZone = TimeZoneInfo.Utc, AsOf = AsOf, UseClosedDayCache = false,
    });

    [Fact]
    public async Task Longest_runs_list_each_workflow_once_even_when_it_ran_twice()
    {
        var (cs, facts, connection) = await HistoryAsync("3.2.2");
        var d = facts.Dialect;
        var before = await ReportAsync(connection);
        var top = before.LongestRuns[0];
        // A re-run of the longest workflow later the same day that took a little less long: both rows are among the longest.
        await SqlAsync(cs,
            $"CREATE TEMPORARY TABLE rerun AS SELECT * FROM {d.WorkflowInstanceTable} WHERE id = {top.InstanceId}; " +
            $"UPDATE rerun SET id = (SELECT MAX(id) + 1 FROM {d.WorkflowInstanceTable}), start_time = '2026-03-10 23:00:00', " +
            $"end_time = DATE_ADD('2026-03-10 23:00:00', INTERVAL {(int)top.Duration.TotalSeconds - 1} SECOND); " +
            $"INSERT INTO {d.WorkflowInstanceTable} SELECT * FROM rerun;");

        var report = await ReportAsync(connection);
        Assert.Equal(before.Totals.Instances + 1, report.Totals.Instances);
        Assert.Equal(top.InstanceId, report.LongestRuns[0].InstanceId);
        Assert.Equal(report.LongestRuns.Count, report.LongestRuns.Select(r => r.WorkflowCode).Distinct().Count());
        Assert.Equal(Math.Min(10, report.Projects.Sum(p => p.Workflows.Count)), report.LongestRuns.Count);
    }

    [Fact]
    public async Task Not_started_ignores_fires_from_before_the_schedule_was_created()
    {
        var (cs, facts, connection) = await HistoryAsync("3.2.2");
        var d = facts.Dialect;
        var codes = facts.NotStartedWorkflowCodes;
        Assert.Equal(codes, (await ReportAsync(connection)).NotStarted.Select(n => n.WorkflowCode).Order());

        // The first: created at 23:59:30, after its only fire of the day (every generated fire is HH:MM:00), start_time unchanged.
        // The second: created at midnight, start_time moved to 23:59:30 (the fire is before the start).
        await SqlAsync(cs, $"UPDATE {d.ScheduleTable} SET create_time = '2026-03-10 23:59:30' WHERE {d.WorkflowCodeColumn} = {codes[0]}; " +
                           $"UPDATE {d.ScheduleTable} SET create_time = '2026-03-10 00:00:00', start_time = '2026-03-10 23:59:30' " +
                           $"WHERE {d.WorkflowCodeColumn} = {codes[1]};");
        var report = await ReportAsync(connection);
        Assert.Equal(codes.Skip(2), report.NotStarted.Select(n => n.WorkflowCode).Order());

        // Created in the morning, before a fire late in the day: still counted.
        await SqlAsync(cs, $"UPDATE {d.ScheduleTable} SET crontab = '0 30 23 * * ? *', create_time = '2026-03-10 06:00:00' " +
                           $"WHERE {d.WorkflowCodeColumn} = {codes[0]}");
        Assert.Contains(codes[0], (await ReportAsync(connection)).NotStarted.Select(n => n.WorkflowCode));
    }

    [Fact]
    public void Cron_fires_inside_a_time_window_of_the_day()
    {
        var date = new DateOnly(2026, 3, 10);
        Assert.True(QuartzCronCalendar.FiresOn("0 30 2 * * ? *", date, new TimeOnly(2, 0), TimeOnly.MaxValue));
        Assert.False(QuartzCronCalendar.FiresOn("0 30 2 * * ? *", date, new TimeOnly(2, 31), TimeOnly.MaxValue));
        Assert.True(QuartzCronCalendar.FiresOn("0 0/15 * * * ? *", date, new TimeOnly(23, 40), TimeOnly.MaxValue));
        Assert.False(QuartzCronCalendar.FiresOn("0 0/15 * * * ? *", date, new TimeOnly(23, 50), TimeOnly.MaxValue));
        Assert.False(QuartzCronCalendar.FiresOn("0 0 5 ? * SUN *", date, TimeOnly.MinValue, TimeOnly.MaxValue)); // a Tuesday
        Assert.Null(QuartzCronCalendar.FiresOn("0 0 5 L * ? *", date, TimeOnly.MinValue, TimeOnly.MaxValue));
    }
}
