using System.Text.Json;
using DsOps.Engine.Notifications;
using DsOps.Engine.Reports;
using Xunit;

namespace DsOps.Tests.Notifications;

/// <summary>The title is shown once per message, and one sender reuses one retry pipeline for all its parts.</summary>
public class TitleAndRetryTests
{
    private static RunReport Report() => new()
    {
        Date = new DateOnly(2026, 3, 10), TimeZone = "UTC", DsVersion = "3.2.2",
        WindowStart = new DateTimeOffset(2026, 3, 10, 0, 0, 0, TimeSpan.Zero), WindowEnd = new DateTimeOffset(2026, 3, 11, 0, 0, 0, TimeSpan.Zero),
    };

    private static int Count(string text, string what)
    {
        var n = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal)) n++;
        return n;
    }

    [Theory]
    [InlineData(NotificationFormat.Markdown)]
    [InlineData(NotificationFormat.Text)]
    public async Task DingTalk_shows_the_run_report_title_once(NotificationFormat format)
    {
        using var server = new FakeRobotServer();
        var report = Report();
        var body = format == NotificationFormat.Markdown ? report.ToMarkdown() : report.ToText();
        Assert.Contains(report.Title, body); // the rendered report carries its own heading
        await NotificationSenderTests.Sender().SendAsync(NotificationSenderTests.DingTalk(server, keyword: null), new NotificationMessage(report.Title, body, format));

        var json = JsonDocument.Parse(Assert.Single(server.Received).Body).RootElement;
        var text = format == NotificationFormat.Markdown
            ? json.GetProperty("markdown").GetProperty("text").GetString()!
            : json.GetProperty("text").GetProperty("content").GetString()!;
        Assert.Equal(1, Count(text, report.Title));
        Assert.StartsWith(format == NotificationFormat.Markdown ? "#### " + report.Title : report.Title, text);
        Assert.Contains("2026-03-10 00:00", text); // the rest of the report is still there
        if (format == NotificationFormat.Markdown)
            Assert.Equal(report.Title, json.GetProperty("markdown").GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_body_that_does_not_start_with_the_title_is_sent_unchanged()
    {
        using var server = new FakeRobotServer();
        await NotificationSenderTests.Sender().SendAsync(NotificationSenderTests.DingTalk(server, keyword: null),
            new NotificationMessage("Nightly", "Nightly batch finished\n\nall green"));
        var text = JsonDocument.Parse(Assert.Single(server.Received).Body).RootElement.GetProperty("markdown").GetProperty("text").GetString()!;
        Assert.StartsWith("#### Nightly\n\nNightly batch finished\n\nall green", text);
    }

    [Fact]
    public async Task Every_part_is_retried_through_the_one_pipeline_of_the_sender()
    {
        using var server = new FakeRobotServer();
        var fail = new RobotReply(500, "<html>bad gateway</html>");
        var lines = Enumerable.Range(1, 1500).Select(i => $"- line {i:0000} of a long report that needs several parts to send").ToList();
        var sender = NotificationSenderTests.Sender();
        var target = NotificationSenderTests.DingTalk(server, keyword: null);
        var parts = sender.Render(target, new NotificationMessage("t", string.Join("\n", lines))).Count;
        Assert.True(parts >= 3, $"expected several parts, got {parts}");
        for (var i = 0; i < parts; i++) server.Reply(fail, RobotReply.DingTalkOk);

        var deliveries = await sender.SendAsync(target, new NotificationMessage("t", string.Join("\n", lines)));
        var again = await sender.SendAsync(target, new NotificationMessage("t2", "second message"));

        Assert.Equal(parts, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal(2, d.Attempts));
        Assert.Equal(1, Assert.Single(again).Attempts);
        Assert.Equal(2 * parts + 1, server.Received.Count);
        Assert.Equal(1, sender.RetryPipelinesBuilt);
    }
}
