using DsOps.Engine;
using DsOps.Engine.Notifications;
using Xunit;

namespace DsOps.Tests.Notifications;

public class RedactionTests
{
    [Theory]
    [InlineData("https://oapi.dingtalk.com/robot/send?access_token=abcd1234&timestamp=1&sign=xx%2B", "https://oapi.dingtalk.com/robot/send?access_token=***&timestamp=***&sign=***")]
    [InlineData("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***")]
    [InlineData("https://open.feishu.cn/open-apis/bot/v2/hook/0f1e2d3c", "https://open.feishu.cn/open-apis/bot/v2/hook/***")]
    [InlineData("post to https://hooks.slack.com/services/T0/B0/xyz failed", "post to https://hooks.slack.com/services/*** failed")]
    public void Urls_lose_their_credentials(string input, string expected) => Assert.Equal(expected, Redaction.Redact(input));

    [Fact]
    public void Target_never_shows_token_or_secret()
    {
        var t = new NotificationTarget(NotificationChannel.DingTalk, "https://oapi.dingtalk.com/robot/send?access_token=tok-0123456789", "SECsecret-value", "ops");
        Assert.DoesNotContain("tok-0123456789", t.ToString());
        Assert.DoesNotContain("tok-0123456789", t.Destination);
        Assert.DoesNotContain("tok-0123456789", System.Text.Json.JsonSerializer.Serialize(t));
        Assert.DoesNotContain("SECsecret-value", System.Text.Json.JsonSerializer.Serialize(t));
        Assert.Equal("error at *** with *** and ***", t.Redact("error at tok-0123456789 with SECsecret-value and " + Uri.EscapeDataString("SECsecret-value")).Replace("***", "***"));
        Assert.True(t.Signed);
        Assert.Matches("^[0-9a-f]{8}$", t.Fingerprint);
    }

    [Fact]
    public void Generic_webhook_shows_only_its_host()
    {
        var t = new NotificationTarget(NotificationChannel.Webhook, "https://relay.example.com/notify/tok-abcdef123?x=1");
        Assert.Equal("https://relay.example.com/***", t.Destination);
        Assert.Equal("failed: ***", t.Redact("failed: https://relay.example.com/notify/tok-abcdef123?x=1"));
        Assert.Equal("POST *** failed", t.Redact("POST /notify/tok-abcdef123?x=1 failed"));
    }

    [Fact]
    public void Invalid_uri_is_rejected_without_echoing_it()
    {
        var ex = Assert.Throws<DsOpsException>(() => new NotificationTarget(NotificationChannel.DingTalk, "oapi.dingtalk.com/robot/send?access_token=secret-token-123"));
        Assert.Equal("DsNotifyInvalidWebhook", ex.ErrorId);
        Assert.DoesNotContain("secret-token-123", ex.Message);
    }
}
