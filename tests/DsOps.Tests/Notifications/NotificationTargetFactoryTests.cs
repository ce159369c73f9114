using System.Net;
using DsOps.Engine;
using DsOps.Engine.Notifications;
using Xunit;

namespace DsOps.Tests.Notifications;

/// <summary>The target rules the notification cmdlets used to hold, reached without PowerShell.</summary>
public class NotificationTargetFactoryTests
{
    private const string DingTalk = "https://oapi.dingtalk.com/robot/send?access_token=factory-token-1";

    [Theory]
    [InlineData(NotificationChannel.WeCom)]
    [InlineData(NotificationChannel.Slack)]
    public void Unsigned_channels_reject_a_secret(NotificationChannel channel)
    {
        var ex = Assert.Throws<DsOpsException>(() => NotificationTargetFactory.Create(
            new NotificationTargetRequest(channel, "https://example.invalid/hook") { Secret = "s3cr3t" }, _ => { }));
        Assert.Equal("DsNotifySecretNotSupported", ex.ErrorId);
        Assert.Equal(DsErrorKind.InvalidInput, ex.Kind);
        Assert.Equal($"-Secret: {channel} webhooks have no signing; the key in the URL is the only credential.", ex.Message);
    }

    [Fact]
    public void Keyword_warns_only_where_there_is_no_keyword_mode()
    {
        var warnings = new List<string>();
        var t = NotificationTargetFactory.Create(new NotificationTargetRequest(NotificationChannel.Slack, "https://hooks.slack.com/services/T0/B0/x") { Keyword = "ops" }, warnings.Add);
        Assert.Equal("ops", t.Keyword);
        Assert.Equal("-Keyword: Slack has no keyword mode; the keyword is only added to the text.", Assert.Single(warnings));

        warnings.Clear();
        var d = NotificationTargetFactory.Create(new NotificationTargetRequest(NotificationChannel.DingTalk, DingTalk) { Keyword = "  " }, warnings.Add);
        Assert.Empty(warnings);
        Assert.Null(d.Keyword);   // blank keyword is no keyword
        Assert.Equal(NotificationFormat.Markdown, d.Format);
        Assert.Empty(d.AtMobiles);
    }

    [Theory]
    [InlineData("138-0000+1", true)]
    [InlineData("13800000001", true)]
    [InlineData("call me", false)]
    [InlineData(" ", false)]
    public void Phone_numbers_are_digits_plus_and_minus(string value, bool valid)
    {
        Assert.Equal(valid, NotificationTargetFactory.IsPhoneNumber(value));
        var request = new NotificationTargetRequest(NotificationChannel.DingTalk, DingTalk) { AtMobiles = new[] { value } };
        if (valid) Assert.Equal(value, Assert.Single(NotificationTargetFactory.Create(request, _ => { }).AtMobiles));
        else Assert.Equal("DsNotifyInvalidMobile", Assert.Throws<DsOpsException>(() => NotificationTargetFactory.Create(request, _ => { })).ErrorId);
    }

    [Fact]
    public void Proxy_user_info_moves_into_the_credential_and_skipped_tls_warns()
    {
        var warnings = new List<string>();
        var t = NotificationTargetFactory.Create(new NotificationTargetRequest(NotificationChannel.DingTalk, DingTalk)
        {
            Name = "ops", Proxy = new Uri("http://alice:pa%40ss@proxy.local:3128/"), SkipCertificateCheck = true,
        }, warnings.Add);
        Assert.Equal("http://proxy.local:3128/", t.Proxy!.AbsoluteUri);
        Assert.Equal("alice", t.ProxyCredential!.UserName);
        Assert.Equal("pa@ss", t.ProxyCredential.Password);
        Assert.DoesNotContain("pa@ss", t.Redact("proxy pa@ss"));
        Assert.Equal("TLS certificate validation is off for notification target 'ops'.", Assert.Single(warnings));

        // An explicit credential wins over user info in the URI.
        var explicitCred = NotificationTargetFactory.Create(new NotificationTargetRequest(NotificationChannel.DingTalk, DingTalk)
        {
            Proxy = new Uri("http://bob:x@proxy.local/"), ProxyCredential = new NetworkCredential("carol", "y"),
        }, _ => { });
        Assert.Equal("carol", explicitCred.ProxyCredential!.UserName);
        Assert.Equal("http://proxy.local/", explicitCred.Proxy!.AbsoluteUri);
    }

    [Fact]
    public void Environment_variables_fill_url_secret_and_keyword()
    {
        var vars = new Dictionary<string, string> { ["JOB_URL"] = DingTalk, ["JOB_SECRET"] = "SECabc", ["JOB_KEYWORD"] = "告警" };
        var request = NotificationTargetFactory.FromEnvironment(new NotificationTargetRequest(NotificationChannel.DingTalk, ""), "job",
            n => vars.GetValueOrDefault(n));
        Assert.Equal(DingTalk, request.WebhookUri);
        Assert.Equal("SECabc", request.Secret);
        Assert.Equal("告警", request.Keyword);
        Assert.True(NotificationTargetFactory.Create(request, _ => { }).Signed);

        // An explicit keyword wins; no secret variable means unsigned.
        var own = NotificationTargetFactory.FromEnvironment(new NotificationTargetRequest(NotificationChannel.DingTalk, "") { Keyword = "mine" }, "job",
            n => n == "JOB_URL" ? DingTalk : null);
        Assert.Equal("mine", own.Keyword);
        Assert.Null(own.Secret);

        var missing = Assert.Throws<DsOpsException>(() => NotificationTargetFactory.FromEnvironment(
            new NotificationTargetRequest(NotificationChannel.DingTalk, ""), "nope", _ => " "));
        Assert.Equal("DsNotifyEnvironmentMissing", missing.ErrorId);
        Assert.Equal(DsErrorKind.NotFound, missing.Kind);
        Assert.Equal("-FromEnvironment: the environment variable NOPE_URL is not set.", missing.Message);
    }
}
