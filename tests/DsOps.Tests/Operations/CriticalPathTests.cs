using DsOps.Engine.Dialects;
using DsOps.Engine.Metadata;
using DsOps.Engine.Operations.CriticalPath;
using DsOps.Engine.Reports;
using DsOps.Testing;
using DsOps.Testing.History;
using Xunit;

namespace DsOps.Tests.Operations;

/// <summary>Critical path and deadline forecast on a generated history with a known chain, in a real MariaDB per schema.</summary>
public sealed class CriticalPathTests
{
    private static readonly DateOnly LastDay = new(2026, 5, 20);

    private static async Task<(DsMetadataConnection Connection, ChainHistoryFacts Facts)> SetUpAsync(string schema, bool withGeneralHistory)
    {
        var server = await MariaDbFixture.Shared;
        var cs = await server.CreateDsDatabaseAsync(schema);
        if (withGeneralHistory)
            await HistoryGenerator.GenerateAsync(cs, schema, new HistoryOptions
            {
                Days = 8, Workflows = 40, Projects = 2, TasksPerDay = 200, LastDay = LastDay, Seed = 3, StuckInstances = 0, StillRunning = 0,
                NotStarted = 0, Commands = 0, ErrorCommands = 0,
            });
        var facts = await CriticalChainHistory.GenerateAsync(cs, DsDialect.Parse(schema), LastDay, 8, ChainToday.UpstreamLate);
        return (await DsMetadataConnection.ConnectAsync(cs, schema, TimeZoneInfo.Utc), facts);
    }

    [Theory]
    [InlineData("3.0.1")]
    [InlineData("3.2.2")]
    [InlineData("3.3-dev")]
    public async Task The_chain_of_a_generated_history_is_exactly_the_known_chain_with_slack_and_wait(string schema)
    {
        var (connection, facts) = await SetUpAsync(schema, withGeneralHistory: true);
        var analyzer = new CriticalPathAnalyzer(connection, TimeZoneInfo.Utc);
        var date = LastDay.AddDays(-3);
        var paths = await analyzer.AnalyzeAsync(date, new[] { "chain/t1_report" }, new DateTimeOffset(2026, 5, 21, 8, 0, 0, TimeSpan.Zero));

        var path = Assert.Single(paths);
        Assert.Equal(facts.TargetRuns[date], path.WorkflowInstanceId);
        Assert.Equal(date.ToDateTime(new TimeOnly(2, 21)), path.Finish!.Value.UtcDateTime);
        var actual = path.Steps.Select(s => (s.Task is null ? s.Workflow : s.Workflow + "/" + s.Task, s.Link.ToString(), s.Slack?.TotalMinutes, s.Wait?.TotalMinutes)).ToArray();
        Assert.Equal(ChainHistoryFacts.ExpectedChain, actual);
        Assert.Equal(Enumerable.Range(1, actual.Length), path.Steps.Select(s => s.Order));
        Assert.All(path.Steps, s => Assert.Equal("chain/t1_report", s.Target));
        Assert.Equal(TimeSpan.FromMinutes(30), path.Steps.Single(s => s.Task == "c_load").Duration);

        // Names resolve by project/name, name, wildcard and code; an unknown name is an error naming it.
        Assert.Single(await analyzer.AnalyzeAsync(date, new[] { "t1_rep*" }));
        Assert.Single(await analyzer.AnalyzeAsync(date, new[] { facts.WorkflowCodes["t1_report"].ToString() }));
        var unknown = await Assert.ThrowsAsync<Engine.DsOpsException>(() => analyzer.AnalyzeAsync(date, new[] { "no_such_wf" }));
        Assert.Equal("DsWorkflowNotFound", unknown.ErrorId);
        Assert.Contains("no_such_wf", unknown.Message);
    }

    [Theory]
    [InlineData("3.0.1")]
    [InlineData("3.2.2")]
    [InlineData("3.3-dev")]
    public async Task Todays_finish_is_predicted_from_the_running_state_and_seven_days_of_history(string schema)
    {
        var (connection, _) = await SetUpAsync(schema, withGeneralHistory: false);
        var analyzer = new CriticalPathAnalyzer(connection, TimeZoneInfo.Utc);
        var today = LastDay.AddDays(1);
        var asOf = new DateTimeOffset(today.ToDateTime(new TimeOnly(2, 10)), TimeSpan.Zero);

        // up_orders: running since 02:00, usually 30 min → 02:30. t1_report: waiting since 01:00, usually ends 51 min after
        // up_orders → 03:21 (its own 81 min from 01:00 would give 02:21).
        var atRisk = Assert.Single(await analyzer.ForecastAsync(today, new[] { "t1_report" }, TimeSpan.FromHours(3), asOf));
        Assert.Equal(DsDeadlineStatus.AtRisk, atRisk.Status);
        Assert.Equal(today.ToDateTime(new TimeOnly(3, 21)), atRisk.PredictedFinish!.Value.UtcDateTime);
        Assert.Equal(TimeSpan.FromMinutes(21), atRisk.Lateness);
        Assert.Equal(new[] { "chain/up_orders 02:30" }, atRisk.Drivers);
        Assert.Contains("chain/up_orders", atRisk.Reason);

        var onTrack = Assert.Single(await analyzer.ForecastAsync(today, new[] { "t1_report" }, new TimeSpan(3, 30, 0), asOf));
        Assert.Equal(DsDeadlineStatus.OnTrack, onTrack.Status);

        var missed = Assert.Single(await analyzer.ForecastAsync(today, new[] { "t1_report" }, TimeSpan.FromHours(2), asOf));
        Assert.Equal(DsDeadlineStatus.Missed, missed.Status);

        // A finished run is judged by its real finish: up_rates ended 01:05.
        var rates = Assert.Single(await analyzer.ForecastAsync(today, new[] { "up_rates" }, TimeSpan.FromHours(1), asOf));
        Assert.Equal(DsDeadlineStatus.Missed, rates.Status);
        Assert.True(rates.Finished);
        Assert.Equal(today.ToDateTime(new TimeOnly(1, 5)), rates.PredictedFinish!.Value.UtcDateTime);

        // Earlier the same morning nothing of up_orders had started: it usually starts 01:00 and runs 30 min → 01:30, +51 → 02:21.
        var early = Assert.Single(await analyzer.ForecastAsync(today, new[] { "t1_report" }, TimeSpan.FromHours(3),
            new DateTimeOffset(today.ToDateTime(new TimeOnly(0, 30)), TimeSpan.Zero)));
        Assert.Equal(today.ToDateTime(new TimeOnly(2, 21)), early.PredictedFinish!.Value.UtcDateTime);
        Assert.Equal(DsDeadlineStatus.OnTrack, early.Status);

        // The daily run report carries the same forecast for a pending deadline, as "at risk".
        var report = await new RunReportBuilder(connection).BuildAsync(new RunReportOptions
        {
            Date = today, TimeZone = TimeZoneInfo.Utc, AsOf = asOf, UseClosedDayCache = false,
            Deadlines = new Dictionary<string, TimeSpan> { ["chain/t1_report"] = TimeSpan.FromHours(3), ["up_rates"] = TimeSpan.FromHours(2) },
        });
        var risky = Assert.Single(report.DeadlinesAtRisk);
        Assert.Equal("t1_report", risky.Workflow);
        Assert.True(risky.Pending);
        Assert.Equal(today.ToDateTime(new TimeOnly(3, 21)), risky.PredictedFinish!.Value.UtcDateTime);
        Assert.False(report.Deadlines.Single(d => d.Workflow == "up_rates").AtRisk);
        Assert.Contains("Deadlines at risk (1)", report.ToMarkdown());
        Assert.Contains("t1_report", report.ToText());
    }
}
