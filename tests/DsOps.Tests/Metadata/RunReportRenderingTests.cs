using System.Text.Json;
using System.Text.RegularExpressions;
using DsOps.Engine.Reports;
using Xunit;

namespace DsOps.Tests.Metadata;

[Collection(GeneratedHistoryCollection.Name)]
public class RunReportRenderingTests
{
    private readonly GeneratedHistoryFixture _history;
    public RunReportRenderingTests(GeneratedHistoryFixture history) => _history = history;

    private Task<RunReport> ReportAsync() => new RunReportBuilder(_history.Schemas["3.2.2"].Connection).BuildAsync(new RunReportOptions
    {
        Date = GeneratedHistoryFixture.LastDay, TimeZone = TimeZoneInfo.Utc, AsOf = GeneratedHistoryFixture.AsOf,
    });

    [Fact]
    public async Task Markdown_stays_in_the_DingTalk_subset()
    {
        var report = await ReportAsync();
        var md = report.ToMarkdown();
        Assert.StartsWith("### DolphinScheduler run report 2026-03-10", md);
        Assert.DoesNotContain("```", md);
        Assert.DoesNotMatch(new Regex(@"^\s*\|", RegexOptions.Multiline), md);      // no tables
        Assert.DoesNotContain("<", md.Replace("\\<", ""));                           // no raw HTML
        Assert.Contains($"**{report.Totals.Failed} failed**", md);
        Assert.Contains("#### Failed tasks (" + report.FailedTasks.Count + ")", md);
        Assert.Contains("#### Not started (" + report.NotStarted.Count + ")", md);
        // Lists are capped for chat messages.
        Assert.True(md.Split('\n').Count(l => l.StartsWith("- ")) < 120);
        // Names are escaped so underscores do not turn into italics.
        Assert.Contains("wf\\_", md);
        Assert.Equal("a\\*b\\_c", RunReportRenderer.Md("a*b_c"));
    }

    [Fact]
    public async Task Html_is_self_contained_with_an_svg_chart_of_the_day()
    {
        var report = await ReportAsync();
        var html = report.ToHtml();
        Assert.Contains("<svg", html);
        Assert.Equal(report.Timeline.Count(b => true), Regex.Matches(html, "class=\"runs\"").Count);
        Assert.Equal(report.Timeline.Count(b => b.Failed > 0), Regex.Matches(html, "class=\"failures\"").Count);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<link", html);
        Assert.DoesNotMatch(new Regex("(src|href)=\"https?://"), html);
        Assert.Contains("<table>", html);
    }

    [Fact]
    public async Task Json_parses_back_to_the_same_report()
    {
        var report = await ReportAsync();
        var json = report.ToJson();
        using (var doc = JsonDocument.Parse(json))
            Assert.Equal("2026-03-10", doc.RootElement.GetProperty("Date").GetString());
        var back = RunReportRenderer.FromJson(json);
        Assert.Equal(report.Totals.Instances, back.Totals.Instances);
        Assert.Equal(report.FailedTasks.Select(f => f.TaskInstanceId), back.FailedTasks.Select(f => f.TaskInstanceId));
        Assert.Equal(report.FailedTasks[0].State, back.FailedTasks[0].State);
        Assert.Equal(report.NotStarted.Count, back.NotStarted.Count);
        Assert.Equal(report.Comparison.Select(c => c.Median7Days), back.Comparison.Select(c => c.Median7Days));
    }

    [Fact]
    public async Task Text_lists_failures_with_host_and_retries()
    {
        var report = await ReportAsync();
        var text = report.ToText();
        var f = report.FailedTasks[0];
        Assert.Contains($"{f.Project}/{f.Workflow}/{f.Task}  host {f.Host}", text);
        Assert.Contains($"retries {f.RetryTimes}", text);
        Assert.Equal(report.Title, ((Engine.Notifications.IRenderableReport)report).Title);
    }

    [Theory]
    [InlineData("0 30 2 * * ? *", "2026-03-10", true)]
    [InlineData("0 0 1 ? * MON-FRI *", "2026-03-14", false)]   // Saturday
    [InlineData("0 0 1 ? * MON-FRI *", "2026-03-13", true)]
    [InlineData("0 0 1 1,15 * ? *", "2026-03-15", true)]
    [InlineData("0 0 1 1,15 * ? *", "2026-03-16", false)]
    [InlineData("0 0 1 */2 * ? *", "2026-03-03", true)]
    [InlineData("0 0 1 L * ? *", "2026-03-31", null)]
    [InlineData("garbage", "2026-03-31", null)]
    public void Quartz_cron_day_matching(string cron, string date, bool? expected) =>
        Assert.Equal(expected, QuartzCronCalendar.FiresOn(cron, DateOnly.Parse(date)));
}

public class DeadlineConfigTests
{
    [Fact]
    public void Reads_a_top_level_mapping_or_a_deadlines_section_from_yaml_or_json()
    {
        var yaml = DeadlineConfig.Parse("deadlines:\n  load_orders: '06:00'\n  dw/daily_kpi: 1.02:00\n", "d.yaml");
        Assert.Equal(TimeSpan.FromHours(6), yaml["load_orders"]);
        Assert.Equal(TimeSpan.FromHours(26), yaml["DW/DAILY_KPI"]);
        var json = DeadlineConfig.Parse("{\"a\": \"07:30\"}", "d.json");
        Assert.Equal(new TimeSpan(7, 30, 0), json["a"]);
    }

    [Fact]
    public void Bad_values_name_the_file_and_line()
    {
        var ex = Assert.Throws<Engine.DsOpsException>(() => DeadlineConfig.Parse("a: '06:00'\nb: soon\n", "team.yaml"));
        Assert.Equal("DsInvalidDeadline", ex.ErrorId);
        Assert.StartsWith("team.yaml:2:", ex.Message);
        Assert.Contains("'b'", ex.Message);
        var syntax = Assert.Throws<Engine.DsOpsException>(() => DeadlineConfig.Parse("a: [1,\n", "x.yaml"));
        Assert.StartsWith("x.yaml:", syntax.Message);
        var list = Assert.Throws<Engine.DsOpsException>(() => DeadlineConfig.Parse("- a\n- b\n", "l.yaml"));
        Assert.Contains("mapping", list.Message);
    }

    [Fact]
    public void Yaml_tags_do_not_instantiate_types()
    {
        var ex = Assert.Throws<Engine.DsOpsException>(() => DeadlineConfig.Parse("a: !!System.IO.FileInfo /etc/passwd\n", "t.yaml"));
        Assert.Equal("DsInvalidDeadline", ex.ErrorId);
    }
}
