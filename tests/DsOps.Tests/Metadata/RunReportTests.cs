using DsOps.Engine;
using DsOps.Engine.Metadata;
using DsOps.Engine.Reports;
using Xunit;

namespace DsOps.Tests.Metadata;

[Collection(GeneratedHistoryCollection.Name)]
public class RunReportTests
{
    private readonly GeneratedHistoryFixture _history;
    public RunReportTests(GeneratedHistoryFixture history) => _history = history;

    public static TheoryData<string> Schemas => new() { "3.0.1", "3.2.2", "3.3-dev" };

    private Task<RunReport> ReportAsync(string schema, DateOnly? date = null, TimeZoneInfo? zone = null,
        IReadOnlyDictionary<string, TimeSpan>? deadlines = null, IReadOnlyList<string>? projects = null) =>
        new RunReportBuilder(_history.Schemas[schema].Connection).BuildAsync(new RunReportOptions
        {
            Date = date ?? GeneratedHistoryFixture.LastDay, TimeZone = zone ?? TimeZoneInfo.Utc,
            AsOf = GeneratedHistoryFixture.AsOf, Deadlines = deadlines ?? new Dictionary<string, TimeSpan>(), Projects = projects,
        });

    [Theory, MemberData(nameof(Schemas))]
    public async Task Report_finds_exactly_the_generated_runs_failures_and_gaps(string schema)
    {
        var facts = _history.Schemas[schema].Facts;
        var day = facts.LastDay;
        var report = await ReportAsync(schema);

        Assert.Equal(day.InstanceIds.Count, report.Totals.Instances);
        Assert.Equal(day.FailedInstanceIds.Count, report.Totals.Failed);
        Assert.Equal(day.SucceededInstanceIds.Count, report.Totals.Succeeded);
        Assert.Equal(day.TaskRows, report.Totals.TaskInstances);
        Assert.Equal(day.TaskRows, report.Projects.Sum(p => p.Totals.TaskInstances));
        Assert.All(report.Projects, p => Assert.Equal(p.Workflows.Sum(w => w.TaskInstances), p.Totals.TaskInstances));
        Assert.All(report.Projects, p => Assert.True(p.Totals.TaskInstances > 0, $"{p.Project} has no task instances"));
        Assert.Equal(day.FailedTaskInstanceIds.Order(), report.FailedTasks.Select(f => f.TaskInstanceId).Order());
        Assert.Equal(day.FailedInstanceIds.Order(), report.FailedTasks.Select(f => f.WorkflowInstanceId).Distinct().Order());
        Assert.All(report.FailedTasks, f =>
        {
            Assert.StartsWith("10.0.1.", f.Host);
            Assert.NotNull(f.Start);
            Assert.NotNull(f.End);
            Assert.Equal(facts.WorkflowNames[f.WorkflowCode], f.Workflow);
            Assert.Equal(facts.WorkflowProjects[f.WorkflowCode], f.Project);
        });
        Assert.Contains(report.FailedTasks, f => f.RetryTimes > 0);
        Assert.Equal(day.RunningInstanceIds.Order(), report.StillRunning.Select(r => r.InstanceId).Order());
        Assert.Equal(facts.NotStartedWorkflowCodes, report.NotStarted.Select(n => n.WorkflowCode).Order());
        Assert.Equal(day.LongestInstanceId, report.LongestRuns[0].InstanceId);
        Assert.NotNull(report.LongestRuns[0].UsualDuration);
        Assert.Equal(report.Totals.Instances, report.Projects.Sum(p => p.Totals.Instances));
        Assert.Equal(report.Totals.Instances, report.Timeline.Sum(b => b.Started));
        Assert.Equal(24, report.Timeline.Count);
    }

    [Theory, MemberData(nameof(Schemas))]
    public async Task Report_compares_with_previous_day_and_seven_day_median(string schema)
    {
        var facts = _history.Schemas[schema].Facts;
        var report = await ReportAsync(schema);
        var previous = facts.Day(GeneratedHistoryFixture.LastDay.AddDays(-1));
        var week = Enumerable.Range(1, 7).Select(k => facts.Day(GeneratedHistoryFixture.LastDay.AddDays(-k))).ToList();
        static double Median(IEnumerable<int> v) { var s = v.Order().ToArray(); return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2.0; }

        var runs = report.Comparison.Single(c => c.Metric == "Runs");
        Assert.Equal(previous.InstanceIds.Count, runs.PreviousDay);
        Assert.Equal(Median(week.Select(d => d.InstanceIds.Count)), runs.Median7Days);
        var failed = report.Comparison.Single(c => c.Metric == "Failed");
        Assert.Equal(previous.FailedInstanceIds.Count, failed.PreviousDay);
        Assert.Equal(Median(week.Select(d => d.FailedInstanceIds.Count)), failed.Median7Days);
        Assert.Equal(report.Totals.Failed - previous.FailedInstanceIds.Count, failed.ChangeFromPreviousDay);
    }

    [Theory, MemberData(nameof(Schemas))]
    public async Task Deadlines_are_met_missed_or_unknown(string schema)
    {
        var facts = _history.Schemas[schema].Facts;
        var report0 = await ReportAsync(schema);
        var ok = report0.LongestRuns.First(r => r.State == Engine.Dialects.DsRunState.Succeeded);
        var failedCode = report0.FailedTasks[0].WorkflowCode;
        var notStarted = facts.NotStartedWorkflowCodes[0];
        var deadlines = new Dictionary<string, TimeSpan>
        {
            [ok.Workflow] = TimeSpan.FromHours(23),                                  // finished well before
            [$"{facts.WorkflowProjects[failedCode]}/{facts.WorkflowNames[failedCode]}"] = TimeSpan.FromHours(12),
            [facts.WorkflowNames[notStarted]] = TimeSpan.FromHours(9),
        };
        var report = await ReportAsync(schema, deadlines: deadlines);
        Assert.False(report.Deadlines.Single(d => d.Workflow == ok.Workflow).Missed);
        Assert.Equal("failed", report.Deadlines.Single(d => d.Workflow == facts.WorkflowNames[failedCode]).Reason);
        Assert.Equal("did not run", report.Deadlines.Single(d => d.Workflow == facts.WorkflowNames[notStarted]).Reason);
        Assert.Equal(2, report.DeadlineMisses.Count());

        var tooEarly = await ReportAsync(schema, deadlines: new Dictionary<string, TimeSpan> { [ok.Workflow] = TimeSpan.FromMinutes(1) });
        Assert.StartsWith("finished late", tooEarly.Deadlines.Single().Reason);

        var ex = await Assert.ThrowsAsync<DsOpsException>(() => ReportAsync(schema, deadlines: new Dictionary<string, TimeSpan> { ["no_such_wf"] = TimeSpan.FromHours(6) }));
        Assert.Equal("DsDeadlineUnknownWorkflow", ex.ErrorId);
        Assert.Contains("no_such_wf", ex.Message);
    }

    [Fact]
    public async Task Business_date_window_follows_the_time_zone()
    {
        var (connection, _) = _history.Schemas["3.2.2"];
        var shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        var report = await ReportAsync("3.2.2", zone: shanghai);
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 0, 0, 0, TimeSpan.FromHours(8)), report.WindowStart);
        // Stored times are UTC wall clock here: the Shanghai day is 16:00 UTC the day before to 16:00 UTC.
        await using var session = await connection.OpenSessionAsync();
        var expected = (await session.QueryAsync(
            "SELECT COUNT(*) FROM t_ds_process_instance WHERE start_time >= '2026-03-09 16:00:00' AND start_time < '2026-03-10 16:00:00'",
            null, r => r.GetInt64(0)))[0];
        Assert.Equal(expected, report.Totals.Instances);
        Assert.All(report.FailedTasks, f => Assert.Equal(TimeSpan.FromHours(8), f.Start!.Value.Offset));
    }

    [Fact]
    public async Task Project_filter_keeps_only_matching_projects()
    {
        var report = await ReportAsync("3.3-dev", projects: new[] { "project_00" });
        Assert.Equal(new[] { "project_00" }, report.Projects.Select(p => p.Project));
        Assert.All(report.FailedTasks, f => Assert.Equal("project_00", f.Project));
        var full = await ReportAsync("3.3-dev");
        Assert.Equal(full.Projects.Single(p => p.Project == "project_00").Totals.Instances, report.Totals.Instances);
        Assert.True(report.Comparison.Single(c => c.Metric == "Runs").PreviousDay < full.Comparison.Single(c => c.Metric == "Runs").PreviousDay);

        // A project code (as -Project 12345 passes it) selects the same project; a pattern selects by name.
        await using var session = await _history.Schemas["3.3-dev"].Connection.OpenSessionAsync();
        var catalog = await MetadataCatalog.LoadAsync(session, withSchedules: false, default);
        var code = catalog.Projects.Single(p => p.Value == "project_00").Key;
        var byCode = await ReportAsync("3.3-dev", projects: new[] { code.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Assert.Equal(new[] { "project_00" }, byCode.Projects.Select(p => p.Project));
        Assert.Equal(report.Totals.Instances, byCode.Totals.Instances);
        var byPattern = await ReportAsync("3.3-dev", projects: new[] { "project_0[01]" });
        Assert.Equal(new[] { "project_00", "project_01" }, byPattern.Projects.Select(p => p.Project).Order());
    }

    [Theory, MemberData(nameof(Schemas))]
    public async Task Report_queries_use_DS_indexes(string schema)
    {
        var connection = _history.Schemas[schema].Connection;
        var d = connection.Dialect;
        var builder = new RunReportBuilder(connection);
        await using var session = await connection.OpenSessionAsync();
        Dictionary<string, object?> Window() => new() { ["@from"] = new DateTime(2026, 3, 10), ["@to"] = new DateTime(2026, 3, 11), ["@span"] = new DateTime(2026, 3, 3) };

        // Step 1: id ranges from start_time_index alone.
        var ranges = await session.ExplainAsync(builder.IdRangesSql(), Window());
        Assert.Equal(2, ranges.Count(r => r.Table is not null && r.Table.StartsWith("t_ds_")));
        Assert.All(ranges.Where(r => r.Table is not null && r.Table.StartsWith("t_ds_")), r =>
        {
            Assert.Equal("start_time_index", r.Key);
            Assert.Contains("Using index", r.Extra);
        });

        // Dense range (generated ids follow start times): primary-key range scans.
        var range = new RunReportBuilder.IdRange(1, 300, 200);
        Assert.True(range.Dense);
        var p = Window();
        var byId = await session.ExplainAsync(builder.DayInstancesSql(p, range), p);
        Assert.Equal("PRIMARY", Assert.Single(byId).Key);
        Assert.Equal("range", byId[0].AccessType);
        p = Window();
        var tasksById = await session.ExplainAsync(builder.DayTasksSql(p, range), p);
        Assert.Equal("PRIMARY", tasksById.Single(r => r.Table == "i").Key);
        Assert.Equal(d.TaskInstanceByWorkflowInstanceIndex, tasksById.Single(r => r.Table == "ti").Key);
        Assert.Equal("ref", tasksById.Single(r => r.Table == "ti").AccessType);
        p = Window();
        var counts = await session.ExplainAsync(builder.TaskCountsSql(p, range), p);
        Assert.Contains("Using index", counts.Single(r => r.Table == "ti").Extra);

        // Sparse or unknown range: start_time_index lookups.
        p = Window();
        var byTime = await session.ExplainAsync(builder.DayInstancesSql(p, new RunReportBuilder.IdRange(1, 1_000_000, 10)), p);
        Assert.Equal("start_time_index", Assert.Single(byTime).Key);
        Assert.Equal("range", byTime[0].AccessType);
        p = Window();
        var tasks = await session.ExplainAsync(builder.DayTasksSql(p), p);
        Assert.Equal("start_time_index", tasks.Single(r => r.Table == "i").Key);
        Assert.Equal(d.TaskInstanceByWorkflowInstanceIndex, tasks.Single(r => r.Table == "ti").Key);

        var bounds = Enumerable.Range(0, 8).Select(k => new DateTime(2026, 3, 3).AddDays(k)).ToArray();
        var h = new Dictionary<string, object?>();
        Assert.Equal("start_time_index", Assert.Single(await session.ExplainAsync(builder.HistorySql(h, bounds, null), h)).Key);
        h = new Dictionary<string, object?>();
        Assert.Equal("PRIMARY", Assert.Single(await session.ExplainAsync(builder.HistorySql(h, bounds, null, range), h)).Key);
    }

    [Theory, MemberData(nameof(Schemas))]
    public async Task Sparse_and_dense_plans_give_the_same_report(string schema)
    {
        // The generated ids follow start times, so the builder takes the primary-key plan; the start_time_index
        // plan (forced by a sparse range) must read exactly the same instances and tasks.
        var connection = _history.Schemas[schema].Connection;
        var builder = new RunReportBuilder(connection);
        await using var session = await connection.OpenSessionAsync();
        var p = new Dictionary<string, object?> { ["@from"] = new DateTime(2026, 3, 10), ["@to"] = new DateTime(2026, 3, 11), ["@span"] = new DateTime(2026, 3, 3) };
        var row = (await session.QueryAsync(builder.IdRangesSql(), p, r => (Which: Convert.ToInt32(r.GetValue(0)), Lo: Convert.ToInt64(r.GetValue(1)),
            Hi: Convert.ToInt64(r.GetValue(2)), N: Convert.ToInt64(r.GetValue(3))))).Single(r => r.Which == 1);
        var dense = new RunReportBuilder.IdRange(row.Lo, row.Hi, row.N);
        Assert.True(dense.Dense);
        var sparse = new RunReportBuilder.IdRange(row.Lo, row.Lo + 100 * row.N, row.N);
        Assert.False(sparse.Dense);
        async Task<List<int>> Ids(RunReportBuilder.IdRange r)
        {
            var q = new Dictionary<string, object?>(p);
            return (await session.QueryAsync(builder.DayTasksSql(q, r), q, x => x.GetInt32(0))).Order().ToList();
        }
        Assert.Equal(await Ids(sparse), await Ids(dense));
        var q1 = new Dictionary<string, object?>(p);
        var q2 = new Dictionary<string, object?>(p);
        Assert.Equal((await session.QueryAsync(builder.DayInstancesSql(q1, sparse), q1, x => x.GetInt32(0))).Order(),
            (await session.QueryAsync(builder.DayInstancesSql(q2, dense), q2, x => x.GetInt32(0))).Order());
    }

    [Fact]
    public async Task Closed_days_are_cached_and_give_the_same_comparison()
    {
        var connection = _history.Schemas["3.0.1"].Connection;
        connection.ClosedDays.Clear();
        var fresh = await new RunReportBuilder(connection).BuildAsync(new RunReportOptions
        {
            Date = GeneratedHistoryFixture.LastDay, TimeZone = TimeZoneInfo.Utc, AsOf = GeneratedHistoryFixture.AsOf, UseClosedDayCache = false,
        });
        var first = await ReportAsync("3.0.1");
        var clock = new MetadataClock(TimeZoneInfo.Utc, TimeZoneInfo.Utc);
        var (from, to) = clock.DayWindow(GeneratedHistoryFixture.LastDay.AddDays(-2));
        Assert.True(connection.ClosedDays.TryGet(from, to, GeneratedHistoryFixture.AsOf, out var counts));
        Assert.Equal(_history.Schemas["3.0.1"].Facts.Day(GeneratedHistoryFixture.LastDay.AddDays(-2)).InstanceIds.Count, counts[0]);
        // A day that ended less than a day before "now" is not cached (its instances may still change).
        connection.ClosedDays.Clear();
        var midday = new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);
        await new RunReportBuilder(connection).BuildAsync(new RunReportOptions { Date = GeneratedHistoryFixture.LastDay, TimeZone = TimeZoneInfo.Utc, AsOf = midday });
        var (pf, pt) = clock.DayWindow(GeneratedHistoryFixture.LastDay.AddDays(-1));
        Assert.False(connection.ClosedDays.TryGet(pf, pt, midday, out _));
        Assert.True(connection.ClosedDays.TryGet(from, to, midday, out _));
        var second = await ReportAsync("3.0.1");
        Assert.Equal(fresh.Comparison.Select(c => (c.Today, c.PreviousDay, c.Median7Days)), first.Comparison.Select(c => (c.Today, c.PreviousDay, c.Median7Days)));
        Assert.Equal(fresh.Comparison.Select(c => (c.Today, c.PreviousDay, c.Median7Days)), second.Comparison.Select(c => (c.Today, c.PreviousDay, c.Median7Days)));
        // Entries expire.
        Assert.False(connection.ClosedDays.TryGet(from, to, GeneratedHistoryFixture.AsOf.AddHours(2), out _));
    }
}
