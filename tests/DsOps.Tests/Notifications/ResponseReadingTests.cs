using System.Net;
using System.Net.Http.Headers;
using DsOps.Engine.Notifications;
using DsOps.Engine.Notifications.Channels;
using Xunit;

namespace DsOps.Tests.Notifications;

/// <summary>Each channel's success and retry decisions (docs/chat-robots.md §1.7, §2.3, §3.3, §4, §7.1-7.2).</summary>
public class ResponseReadingTests
{
    private static HttpResponseHeaders Headers(params (string Name, string Value)[] headers)
    {
        var h = new HttpResponseMessage().Headers;
        foreach (var (n, v) in headers) h.TryAddWithoutValidation(n, v);
        return h;
    }

    [Theory]
    [InlineData(200, """{"errcode":0,"errmsg":"ok"}""", ResponseVerdict.Success)]
    [InlineData(200, """{"errcode":-1,"errmsg":"系统繁忙"}""", ResponseVerdict.Transient)]
    [InlineData(200, """{"errcode":130101,"errmsg":"send too fast"}""", ResponseVerdict.RateLimited)]
    [InlineData(200, """{"errcode":310000,"errmsg":"sign not match"}""", ResponseVerdict.SecurityRejected)]
    [InlineData(200, """{"errcode":300001,"errmsg":"token is not exist"}""", ResponseVerdict.WebhookInvalid)]
    [InlineData(200, """{"errcode":300005,"errmsg":"token is not exist"}""", ResponseVerdict.WebhookInvalid)]
    [InlineData(200, """{"errcode":460101,"errmsg":"body 大小不合法"}""", ResponseVerdict.TooLarge)]
    [InlineData(200, """{"errcode":400105,"errmsg":"不支持的消息类型"}""", ResponseVerdict.Rejected)]
    [InlineData(200, "<html>login</html>", ResponseVerdict.InvalidResponse)]
    [InlineData(502, "<html>bad gateway</html>", ResponseVerdict.Transient)]
    [InlineData(408, "", ResponseVerdict.Transient)]
    [InlineData(429, "", ResponseVerdict.RateLimited)]
    [InlineData(400, "", ResponseVerdict.Rejected)]
    public void DingTalk(int status, string body, object expected) => // object: the enum is internal and a test method is public
        Assert.Equal(expected, new DingTalkNotifier().Read((HttpStatusCode)status, body, Headers()).Verdict);

    [Fact]
    public void DingTalk_rate_limit_parks_the_robot_for_ten_minutes() =>
        Assert.Equal(TimeSpan.FromMinutes(10), new DingTalkNotifier().Read(HttpStatusCode.OK, """{"errcode":130101,"errmsg":"x"}""", Headers()).RetryAfter);

    [Theory]
    [InlineData("""{"code":0,"msg":"success","data":{}}""", ResponseVerdict.Success)]
    [InlineData("""{"StatusCode":0,"StatusMessage":"success","Extra":null}""", ResponseVerdict.Success)]
    [InlineData("""{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}""", ResponseVerdict.SecurityRejected)]
    [InlineData("""{"code":19022,"msg":"Ip Not Allowed"}""", ResponseVerdict.SecurityRejected)]
    [InlineData("""{"code":19001,"msg":"param invalid: incoming webhook access token invalid"}""", ResponseVerdict.WebhookInvalid)]
    [InlineData("""{"code":11232,"msg":"frequency limited"}""", ResponseVerdict.RateLimited)]
    [InlineData("""{"code":9499,"msg":"Bad Request"}""", ResponseVerdict.Rejected)]
    public void Feishu(string body, object expected) => // object: the enum is internal and a test method is public
        Assert.Equal(expected, new FeishuNotifier().Read(HttpStatusCode.OK, body, Headers()).Verdict);

    [Fact]
    public void Feishu_gateway_429_honours_the_reset_header()
    {
        var r = new FeishuNotifier().Read(HttpStatusCode.TooManyRequests, """{"code":99991400,"msg":"request trigger frequency limit"}""",
            Headers(("x-ogw-ratelimit-reset", "7")));
        Assert.Equal(ResponseVerdict.RateLimited, r.Verdict);
        Assert.Equal(TimeSpan.FromSeconds(7), r.RetryAfter);
    }

    [Theory]
    [InlineData(200, "ok", ResponseVerdict.Success)]
    [InlineData(200, "not ok", ResponseVerdict.InvalidResponse)]
    [InlineData(400, "invalid_payload", ResponseVerdict.Rejected)]
    [InlineData(404, "no_service", ResponseVerdict.WebhookInvalid)]
    [InlineData(410, "channel_is_archived", ResponseVerdict.WebhookInvalid)]
    [InlineData(500, "rollup_error", ResponseVerdict.Transient)]
    public void Slack(int status, string body, object expected) => // object: the enum is internal and a test method is public
        Assert.Equal(expected, new SlackNotifier().Read((HttpStatusCode)status, body, Headers()).Verdict);

    [Fact]
    public void Slack_429_honours_retry_after()
    {
        var r = new SlackNotifier().Read(HttpStatusCode.TooManyRequests, "rate_limited", Headers(("Retry-After", "3")));
        Assert.Equal(TimeSpan.FromSeconds(3), r.RetryAfter);
    }

    [Theory]
    [InlineData(204, ResponseVerdict.Success)]
    [InlineData(202, ResponseVerdict.Success)]
    [InlineData(503, ResponseVerdict.Transient)]
    [InlineData(422, ResponseVerdict.Rejected)]
    public void Webhook(int status, object expected) => // object: the enum is internal and a test method is public
        Assert.Equal(expected, new WebhookNotifier().Read((HttpStatusCode)status, "", Headers()).Verdict);
}
