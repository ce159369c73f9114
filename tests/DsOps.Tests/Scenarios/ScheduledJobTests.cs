using System.Collections;
using System.Security;
using DsOps.Engine.Alerting;
using DsOps.Testing;
using DsOps.Testing.History;
using DsOps.Tests.Hosting;
using DsOps.Tests.Notifications;
using Xunit;

namespace DsOps.Tests.Scenarios;

/// <summary>
/// The scheduled jobs operators run, as scripts in the hosted engine, on real MariaDB with generated history and a
/// local signed DingTalk robot: a three-line daily report job, and a failure sweep that never sends twice.
/// </summary>
public sealed class ScheduledJobTests
{
    private const string Secret = "SEC-test-secret-0123456789";

    private static SecureString Secure(string s)
    {
        var ss = new SecureString();
        foreach (var c in s) ss.AppendChar(c);
        ss.MakeReadOnly();
        return ss;
    }

    [Theory]
    [InlineData("3.0.1")]
    [InlineData("3.2.2")]
    [InlineData("3.3-dev")]
    public async Task Daily_report_job_and_failure_sweep_job(string schema)
    {
        var server = await MariaDbFixture.Shared;
        var cs = await server.CreateDsDatabaseAsync(schema);
        var facts = await HistoryGenerator.GenerateAsync(cs, schema, new HistoryOptions
        {
            Days = 3, Workflows = 30, TasksPerDay = 150, FailureRate = 0.2, Seed = 11, LastDay = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1),
        });
        using var robot = new FakeRobotServer(RobotReply.DingTalkOk);
        using var engine = new HostedEngine();
        var vars = new Hashtable
        {
            ["cs"] = cs, ["url"] = robot.Url("/robot/send?access_token=tok-123"), ["secret"] = Secure(Secret),
            ["state"] = Path.Combine(Path.GetTempPath(), "dsops-sweep-" + Guid.NewGuid().ToString("N")[..8] + ".json"),
        };

        // The daily job: three lines.
        var report = engine.Script("""
            $null = Connect-DsMetadata -ConnectionString $cs -ServerTimeZone UTC
            $robot = New-DsNotificationTarget -Channel DingTalk -WebhookUri $url -Secret $secret
            Get-DsRunReport -TimeZone UTC | Send-DsRunReport -Target $robot
            """, vars);

        Assert.Empty(report.Errors);
        var posted = Assert.Single(robot.Received);
        Assert.True(posted.Query.ContainsKey("timestamp") && posted.Query.ContainsKey("sign"), "a signed robot gets timestamp and sign");
        Assert.Contains("markdown", posted.Body);
        Assert.DoesNotContain(Secret, report.AllText());
        Assert.DoesNotContain("tok-123", report.AllText());

        // The sweep job: first run alerts yesterday's failures in one grouped message, the second sends nothing new.
        var first = engine.Script("""
            $robot = New-DsNotificationTarget -Channel DingTalk -WebhookUri $url -Secret $secret
            Invoke-DsAlertSweep -StateFile $state -Target $robot -Since ([DateTime]::UtcNow.AddDays(-4))
            """, vars);
        Assert.Empty(first.Errors);
        var firstResult = first.Objects<AlertSweepResult>().Single();
        var failedTasks = facts.Days.Values.Sum(d => d.FailedTaskInstanceIds.Count);
        Assert.True(failedTasks > 0);
        Assert.True(firstResult.New > 0, "the sweep found the generated failures");
        var afterFirst = robot.Received.Count;
        Assert.True(afterFirst >= 2);

        var second = engine.Script("""
            $robot = New-DsNotificationTarget -Channel DingTalk -WebhookUri $url -Secret $secret
            Invoke-DsAlertSweep -StateFile $state -Target $robot
            """, vars);
        Assert.Empty(second.Errors);
        Assert.Equal(0, second.Objects<AlertSweepResult>().Single().New);
        Assert.Equal(afterFirst, robot.Received.Count);
        foreach (var suffix in new[] { "", ".lock", ".lock.owner" }) File.Delete((string)vars["state"]! + suffix);
    }
}
