using System.Management.Automation;
using System.Security;
using System.Text.Json;
using DsOps.Engine.Alerting;
using DsOps.Engine.Notifications;
using DsOps.Tests.Alerting;
using DsOps.Tests.Hosting;
using Xunit;

namespace DsOps.Tests.Notifications;

/// <summary>The cmdlets in a real hosted runspace: parameters, -WhatIf, typed output, error ids, and no secret in any stream.</summary>
public class NotificationCmdletTests
{
    private const string Token = NotificationSenderTests.Token;
    private const string Secret = NotificationSenderTests.Secret;

    private static SecureString Secure(string s)
    {
        var secure = new SecureString();
        foreach (var c in s) secure.AppendChar(c);
        secure.MakeReadOnly();
        return secure;
    }

    private static void AssertNoSecrets(HostedResult r)
    {
        var all = r.AllText();
        Assert.DoesNotContain(Token, all);
        Assert.DoesNotContain(Secret, all);
        foreach (var o in r.Output)
            foreach (var p in o.Properties)
                Assert.DoesNotContain(Token, p.Value?.ToString() ?? "");
    }

    /// <summary>The ErrorRecord of a terminating error (the hosted Invoke rethrows it).</summary>
    private static ErrorRecord Terminating(Func<HostedResult> run)
    {
        var ex = Assert.ThrowsAny<RuntimeException>(() => run());
        Assert.DoesNotContain(Token, ex.ToString());
        Assert.DoesNotContain(Secret, ex.ToString());
        return ex.ErrorRecord;
    }

    private static NotificationTarget NewTarget(HostedEngine e, FakeRobotServer robot, string keyword = "DsOps")
    {
        var r = e.Run("New-DsNotificationTarget", new
        {
            Name = "ops", Channel = NotificationChannel.DingTalk,
            WebhookUri = Secure(robot.Url($"/robot/send?access_token={Token}")),
            Secret = Secure(Secret), Keyword = keyword,
        });
        Assert.Empty(r.Errors);
        AssertNoSecrets(r);
        return Assert.Single(r.Objects<NotificationTarget>());
    }

    [Fact]
    public void Target_from_a_SecureString_url_sends_signed_and_prints_no_secret()
    {
        using var robot = new FakeRobotServer();
        using var e = new HostedEngine();
        var target = NewTarget(e, robot);
        Assert.Equal("ops", target.Name);
        Assert.True(target.Signed);

        var r = e.Run("Send-DsNotification", new Dictionary<string, object>
        {
            ["Target"] = target, ["Title"] = "Nightly", ["AtMobile"] = new[] { "13800000001" }, ["PassThru"] = true, ["Verbose"] = true,
        }, new[] { "line one", "line two" });

        Assert.Empty(r.Errors);
        var d = Assert.Single(r.Objects<NotificationDelivery>());
        Assert.True(d.Succeeded);
        Assert.Contains(r.Verbose, v => v.Contains("part 1/1") && v.Contains("code 0"));
        AssertNoSecrets(r);
        var req = Assert.Single(robot.Received);
        Assert.Equal(Token, req.Query["access_token"]);
        Assert.Equal(Signing.DingTalk(req.Query["timestamp"], Secret), req.Query["sign"]);
        var text = JsonDocument.Parse(req.Body).RootElement.GetProperty("markdown").GetProperty("text").GetString()!;
        Assert.Contains("line one\nline two", text);   // piped lines joined into one message
        Assert.Contains("@13800000001", text);
    }

    [Fact]
    public void Target_from_environment_variables_for_scheduled_jobs()
    {
        using var robot = new FakeRobotServer();
        using var e = new HostedEngine();
        var prefix = "DSOPS_TEST_" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        Environment.SetEnvironmentVariable(prefix + "_URL", robot.Url($"/robot/send?access_token={Token}"));
        Environment.SetEnvironmentVariable(prefix + "_SECRET", Secret);
        Environment.SetEnvironmentVariable(prefix + "_KEYWORD", "告警");
        try
        {
            var r = e.Run("New-DsNotificationTarget", new Dictionary<string, object> { ["Channel"] = NotificationChannel.DingTalk, ["FromEnvironment"] = prefix });
            var target = Assert.Single(r.Objects<NotificationTarget>());
            AssertNoSecrets(r);
            Assert.True(target.Signed);
            Assert.Equal("告警", target.Keyword);
            e.Run("Send-DsNotification", new Dictionary<string, object> { ["Target"] = target, ["Message"] = "ok" });
            var req = Assert.Single(robot.Received);
            Assert.Equal(Signing.DingTalk(req.Query["timestamp"], Secret), req.Query["sign"]);

            var missing = Terminating(() => e.Run("New-DsNotificationTarget", new Dictionary<string, object>
                { ["Channel"] = NotificationChannel.DingTalk, ["FromEnvironment"] = prefix + "_NOPE" }));
            Assert.StartsWith("DsNotifyEnvironmentMissing", missing.FullyQualifiedErrorId);
            Assert.Contains(prefix + "_NOPE_URL", missing.Exception.Message);
        }
        finally
        {
            foreach (var suffix in new[] { "_URL", "_SECRET", "_KEYWORD" }) Environment.SetEnvironmentVariable(prefix + suffix, null);
        }
    }

    [Fact]
    public void Long_messages_show_progress_per_part()
    {
        using var robot = new FakeRobotServer();
        using var e = new HostedEngine();
        var target = NewTarget(e, robot);
        var lines = Enumerable.Range(0, 1200).Select(i => $"- wf-{i:0000} failed on worker-{i % 5} with exit code 1").ToArray();
        var r = e.Run("Send-DsNotification", new Dictionary<string, object> { ["Target"] = target, ["PassThru"] = true }, lines);
        Assert.Empty(r.Errors);
        var parts = r.Objects<NotificationDelivery>();
        Assert.True(parts.Count > 1);
        Assert.Equal(parts.Count, robot.Received.Count);
        Assert.Equal(parts.Count, r.Progress.Count);
        Assert.Equal(ProgressRecordType.Completed, r.Progress[^1].RecordType);
        Assert.Equal(Enumerable.Range(1, parts.Count), parts.Select(p => p.Part));
    }

    [Fact]
    public void Proxy_credentials_in_the_uri_are_moved_out_of_sight()
    {
        using var e = new HostedEngine();
        var r = e.Run("New-DsNotificationTarget", new Dictionary<string, object>
        {
            ["Channel"] = NotificationChannel.Slack, ["WebhookUri"] = "https://hooks.slack.com/services/T0/B0/abcdefgh",
            ["Proxy"] = new Uri("http://proxyuser:pr0xy-pa55@proxy.corp:3128"),
        });
        var target = Assert.Single(r.Objects<NotificationTarget>());
        Assert.Equal(new Uri("http://proxy.corp:3128"), target.Proxy);
        Assert.DoesNotContain("pr0xy-pa55", r.AllText());
        Assert.DoesNotContain("pr0xy-pa55", string.Join(" ", r.Output[0].Properties.Select(p => p.Value?.ToString())));
        Assert.Equal("… *** …", target.Redact("… pr0xy-pa55 …"));
    }

    [Fact]
    public void WhatIf_sends_nothing()
    {
        using var robot = new FakeRobotServer();
        using var e = new HostedEngine();
        var r = e.Run("Send-DsNotification", new Dictionary<string, object>
        {
            ["Channel"] = NotificationChannel.DingTalk, ["WebhookUri"] = robot.Url($"/robot/send?access_token={Token}"),
            ["Message"] = "hello", ["WhatIf"] = true,
        });
        Assert.Empty(r.Errors);
        Assert.Empty(robot.Received);
    }

    [Fact]
    public void A_rejected_message_is_an_error_record_with_a_stable_id_and_no_secret()
    {
        using var robot = new FakeRobotServer(RobotReply.Errcode(310000, "sign not match"));
        using var e = new HostedEngine();
        var r = e.Run("Send-DsNotification", new Dictionary<string, object>
        {
            ["Channel"] = NotificationChannel.DingTalk, ["WebhookUri"] = robot.Url($"/robot/send?access_token={Token}"),
            ["Secret"] = Secure(Secret), ["Message"] = "hello", ["Verbose"] = true, ["Debug"] = true,
        });
        var error = Assert.Single(r.Errors);
        Assert.Equal("DsNotifySecurityCheckFailed,DsOps.Commands.Notifications.SendDsNotificationCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.PermissionDenied, error.CategoryInfo.Category);
        Assert.Contains("310000", error.Exception.Message);
        Assert.Single(robot.Received);   // not retried
        AssertNoSecrets(r);
    }

    [Fact]
    public void Bad_parameters_are_named_in_the_error()
    {
        using var e = new HostedEngine();
        var bad = Terminating(() => e.Run("Send-DsNotification", new Dictionary<string, object>
        {
            ["Channel"] = NotificationChannel.DingTalk, ["WebhookUri"] = $"oapi.dingtalk.com/robot/send?access_token={Token}", ["Message"] = "x",
        }));
        Assert.Equal("DsNotifyInvalidWebhook,DsOps.Commands.Notifications.SendDsNotificationCommand", bad.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, bad.CategoryInfo.Category);

        var mobile = Terminating(() => e.Run("Send-DsNotification", new Dictionary<string, object>
        {
            ["Channel"] = NotificationChannel.DingTalk, ["WebhookUri"] = "https://oapi.dingtalk.com/robot/send?access_token=x", ["Message"] = "x",
            ["AtMobile"] = new[] { "alice" },
        }));
        Assert.StartsWith("DsNotifyInvalidMobile", mobile.FullyQualifiedErrorId);
        Assert.Contains("-AtMobile", mobile.Exception.Message);

        var secret = Terminating(() => e.Run("New-DsNotificationTarget", new Dictionary<string, object>
        {
            ["Channel"] = NotificationChannel.WeCom, ["WebhookUri"] = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", ["Secret"] = Secure("s3cr3t-value"),
        }));
        Assert.StartsWith("DsNotifySecretNotSupported", secret.FullyQualifiedErrorId);
        Assert.DoesNotContain("s3cr3t-value", secret.ToString() + secret.Exception);
    }

    private sealed class SampleReport : IRenderableReport
    {
        public string Title => "Run report 2026-03-01";
        public string ToMarkdown() => "**2** failed of **40**\n- wf-a\n- wf-b";
        public string ToText() => "2 failed of 40: wf-a, wf-b";
    }

    [Fact]
    public void Run_report_is_rendered_per_format_and_sent()
    {
        using var robot = new FakeRobotServer();
        using var e = new HostedEngine();
        var target = NewTarget(e, robot);
        var r = e.Run("Send-DsRunReport", new Dictionary<string, object> { ["Target"] = target, ["PassThru"] = true }, new[] { new SampleReport() });
        Assert.Empty(r.Errors);
        Assert.Single(r.Objects<NotificationDelivery>());
        var md = JsonDocument.Parse(Assert.Single(robot.Received).Body).RootElement.GetProperty("markdown");
        Assert.Equal("Run report 2026-03-01 DsOps", md.GetProperty("title").GetString());
        Assert.Contains("**2** failed of **40**\n- wf-a\n- wf-b", md.GetProperty("text").GetString());

        e.Run("Send-DsRunReport", new Dictionary<string, object> { ["Target"] = target, ["Format"] = NotificationFormat.Text }, new[] { new SampleReport() });
        var text = JsonDocument.Parse(robot.Received[1].Body).RootElement.GetProperty("text").GetProperty("content").GetString();
        Assert.Contains("2 failed of 40: wf-a, wf-b", text);
    }

    [Fact]
    public void Alert_sweep_cmdlet_WhatIf_records_nothing_then_sends_once()
    {
        using var robot = new FakeRobotServer();
        using var e = new HostedEngine();
        var target = NewTarget(e, robot);
        var feed = new InMemoryFailureFeed().Add(1, DateTime.UtcNow.AddMinutes(-30)).Add(2, DateTime.UtcNow.AddMinutes(-20));
        var dir = Path.Combine(Path.GetTempPath(), "dsops-cmdsweep-" + Guid.NewGuid().ToString("N")[..8]);
        var state = Path.Combine(dir, "alerts.json");
        try
        {
            var whatIf = e.Run("Invoke-DsAlertSweep", new Dictionary<string, object> { ["StateFile"] = state, ["Target"] = target, ["Feed"] = feed, ["WhatIf"] = true });
            Assert.Empty(whatIf.Errors);
            Assert.Equal(AlertSweepStatus.Skipped, Assert.Single(whatIf.Objects<AlertSweepResult>()).Status);
            Assert.Empty(robot.Received);
            Assert.False(File.Exists(state));

            var run = e.Run("Invoke-DsAlertSweep", new Dictionary<string, object> { ["StateFile"] = state, ["Target"] = target, ["Feed"] = feed });
            Assert.Empty(run.Errors);
            var result = Assert.Single(run.Objects<AlertSweepResult>());
            Assert.Equal(AlertSweepStatus.Sent, result.Status);
            Assert.Equal(2, result.New);
            Assert.Single(robot.Received);
            AssertNoSecrets(run);

            var again = e.Run("Invoke-DsAlertSweep", new Dictionary<string, object> { ["StateFile"] = state, ["Target"] = target, ["Feed"] = feed });
            Assert.Equal(AlertSweepStatus.NothingNew, Assert.Single(again.Objects<AlertSweepResult>()).Status);
            Assert.Single(robot.Received);
            Assert.DoesNotContain(Token, File.ReadAllText(state));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Alert_sweep_without_a_feed_says_so()
    {
        using var robot = new FakeRobotServer();
        using var e = new HostedEngine();
        var target = NewTarget(e, robot);
        var error = Terminating(() => e.Run("Invoke-DsAlertSweep", new Dictionary<string, object> { ["StateFile"] = Path.Combine(Path.GetTempPath(), "never.json"), ["Target"] = target }));
        Assert.Equal("DsAlertFeedMissing,DsOps.Commands.Alerting.InvokeDsAlertSweepCommand", error.FullyQualifiedErrorId);
        Assert.Contains("-Feed", error.Exception.Message);
    }

    [Fact]
    public void Cmdlets_are_exported_with_help_messages_and_output_types()
    {
        using var e = new HostedEngine();
        foreach (var name in new[] { "New-DsNotificationTarget", "Send-DsNotification", "Send-DsRunReport", "Invoke-DsAlertSweep" })
        {
            var r = e.Run("Get-Command", new { Name = name });
            var info = Assert.IsType<CmdletInfo>(Assert.Single(r.Output).BaseObject);
            Assert.NotEmpty(info.OutputType);
            foreach (var p in info.Parameters.Values.Where(p => !PSCmdlet.CommonParameters.Contains(p.Name) && !PSCmdlet.OptionalCommonParameters.Contains(p.Name)))
                Assert.All(p.Attributes.OfType<ParameterAttribute>(), a => Assert.False(string.IsNullOrWhiteSpace(a.HelpMessage), $"{name} -{p.Name} has no HelpMessage"));
        }
    }
}
