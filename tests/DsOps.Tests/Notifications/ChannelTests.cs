using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DsOps.Engine.Notifications;
using DsOps.Engine.Notifications.Channels;
using Xunit;

namespace DsOps.Tests.Notifications;

/// <summary>WeCom, Feishu, Slack and generic webhook bodies and response codes, against local listeners.</summary>
public class ChannelTests
{
    private static JsonElement Json(ReceivedRequest r) => JsonDocument.Parse(r.Body).RootElement;

    [Fact]
    public async Task WeCom_markdown_then_a_text_message_carrying_the_mentions()
    {
        using var server = new FakeRobotServer();
        var target = new NotificationTarget(NotificationChannel.WeCom, server.Url("/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"));
        await NotificationSenderTests.Sender().SendAsync(target,
            new NotificationMessage("日报", "**3** failed") { AtMobiles = new[] { "13800000001" }, AtAll = true });

        Assert.Equal(2, server.Received.Count);
        var md = Json(server.Received[0]);
        Assert.Equal("markdown", md.GetProperty("msgtype").GetString());
        Assert.Equal("**日报**\n**3** failed", md.GetProperty("markdown").GetProperty("content").GetString());
        var text = Json(server.Received[1]);
        Assert.Equal("text", text.GetProperty("msgtype").GetString());
        Assert.Equal(new[] { "13800000001", "@all" },
            text.GetProperty("text").GetProperty("mentioned_mobile_list").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task User_id_mentions_per_channel()
    {
        using var server = new FakeRobotServer(new RobotReply(200, """{"errcode":0,"errmsg":"ok","code":0}"""));
        var sender = NotificationSenderTests.Sender();
        var message = new NotificationMessage("t", "b") { AtUserIds = new[] { "u_1" } };

        await sender.SendAsync(new NotificationTarget(NotificationChannel.DingTalk, server.Url("/robot/send?access_token=t-1234")), message);
        var ding = Json(server.Received[^1]);
        Assert.Equal("u_1", ding.GetProperty("at").GetProperty("atUserIds")[0].GetString());
        Assert.Equal("u_1", ding.GetProperty("at").GetProperty("atDingtalkIds")[0].GetString());
        Assert.Contains("@u_1", ding.GetProperty("markdown").GetProperty("text").GetString());

        await sender.SendAsync(new NotificationTarget(NotificationChannel.WeCom, server.Url("/cgi-bin/webhook/send?key=k-1234")),
            new NotificationMessage("t", "b", NotificationFormat.Text) { AtUserIds = new[] { "u_1" } });
        Assert.Equal("u_1", Json(server.Received[^1]).GetProperty("text").GetProperty("mentioned_list")[0].GetString());

        await sender.SendAsync(new NotificationTarget(NotificationChannel.Feishu, server.Url("/open-apis/bot/v2/hook/h-1234")),
            new NotificationMessage("t", "b", NotificationFormat.Text) { AtUserIds = new[] { "ou_abc" } });
        Assert.Contains("<at user_id=\"ou_abc\"></at>", Json(server.Received[^1]).GetProperty("content").GetProperty("text").GetString());

        var ex = await Assert.ThrowsAsync<DsOps.Engine.DsOpsException>(() => sender.SendAsync(
            new NotificationTarget(NotificationChannel.Feishu, server.Url("/open-apis/bot/v2/hook/h-1234")),
            new NotificationMessage("t", "b") { AtUserIds = new[] { "\"><at user_id=\"all" } }));
        Assert.Equal("DsNotifyInvalidUserId", ex.ErrorId);
        Assert.Equal(3, server.Received.Count);
    }

    [Fact]
    public async Task WeCom_markdown_content_is_split_under_4000_bytes()
    {
        using var server = new FakeRobotServer();
        var target = new NotificationTarget(NotificationChannel.WeCom, server.Url("/cgi-bin/webhook/send?key=k-123456"));
        var body = string.Join("\n", Enumerable.Range(0, 400).Select(i => $"> 任务 {i} 失败"));
        await NotificationSenderTests.Sender().SendAsync(target, new NotificationMessage("日报", body));
        Assert.True(server.Received.Count > 1);
        Assert.All(server.Received, r =>
            Assert.True(Encoding.UTF8.GetByteCount(Json(r).GetProperty("markdown").GetProperty("content").GetString()!) <= 4000));
    }

    [Fact]
    public async Task WeCom_rate_limit_then_invalid_key()
    {
        var notifier = new WeComNotifier();
        var none = new HttpResponseMessage().Headers;
        Assert.Equal(ResponseVerdict.RateLimited, notifier.Read(System.Net.HttpStatusCode.OK, """{"errcode":45009,"errmsg":"api freq out of limit"}""", none).Verdict);
        Assert.Equal(ResponseVerdict.WebhookInvalid, notifier.Read(System.Net.HttpStatusCode.OK, """{"errcode":93000,"errmsg":"invalid webhook url"}""", none).Verdict);
        Assert.Equal(ResponseVerdict.TooLarge, notifier.Read(System.Net.HttpStatusCode.OK, """{"errcode":40058,"errmsg":"x"}""", none).Verdict);
    }

    [Fact]
    public async Task Feishu_signed_post_carries_a_valid_signature_and_the_keyword()
    {
        using var server = new FakeRobotServer(new RobotReply(200, """{"code":0,"msg":"success","data":{}}"""));
        var target = new NotificationTarget(NotificationChannel.Feishu, server.Url("/open-apis/bot/v2/hook/abcdef-hook-id"), "feishu secret")
        { Keyword = "告警", AtAll = true };
        await NotificationSenderTests.Sender().SendAsync(target, new NotificationMessage("Daily", "line 1\nline 2"));

        var body = Json(Assert.Single(server.Received));
        var ts = body.GetProperty("timestamp").GetString()!;
        Assert.Matches("^[0-9]{10}$", ts);
        var expected = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(ts + "\n" + "feishu secret"), Array.Empty<byte>()));
        Assert.Equal(expected, body.GetProperty("sign").GetString());
        Assert.Equal("post", body.GetProperty("msg_type").GetString());
        var post = body.GetProperty("content").GetProperty("post").GetProperty("zh_cn");
        Assert.Equal("Daily 告警", post.GetProperty("title").GetString());
        var lines = post.GetProperty("content").EnumerateArray().Select(l => l[0]).ToList();
        Assert.Equal("line 1", lines[0].GetProperty("text").GetString());
        Assert.Equal("line 2", lines[1].GetProperty("text").GetString());
        Assert.Equal("告警", lines[2].GetProperty("text").GetString());
        Assert.Equal("all", lines[3].GetProperty("user_id").GetString());
    }

    [Fact]
    public async Task Feishu_success_falls_back_to_StatusCode_and_keyword_error_is_not_retried()
    {
        using var server = new FakeRobotServer().Reply(new RobotReply(200, """{"StatusCode":0,"StatusMessage":"success","Extra":null}"""),
            new RobotReply(200, """{"code":19024,"msg":"Key Words Not Found"}"""));
        var target = new NotificationTarget(NotificationChannel.Feishu, server.Url("/open-apis/bot/v2/hook/abcdef-hook-id"));
        var sender = NotificationSenderTests.Sender();
        Assert.True(Assert.Single(await sender.SendAsync(target, new NotificationMessage("t", "b", NotificationFormat.Text))).Succeeded);
        var ex = await Assert.ThrowsAsync<NotificationException>(() => sender.SendAsync(target, new NotificationMessage("t", "b")));
        Assert.Equal("DsNotifySecurityCheckFailed", ex.ErrorId);
        Assert.Equal("19024", ex.Code);
        Assert.Equal(2, server.Received.Count);
        Assert.DoesNotContain("abcdef-hook-id", ex.Message);
        Assert.Equal("t\nb", Json(server.Received[0]).GetProperty("content").GetProperty("text").GetString());
    }

    [Fact]
    public async Task Slack_ok_body_429_retried_and_403_not()
    {
        using var server = new FakeRobotServer(new RobotReply(200, "ok"))
            .Reply(new RobotReply(429, "rate_limited", new Dictionary<string, string> { ["Retry-After"] = "0" }));
        var target = new NotificationTarget(NotificationChannel.Slack, server.Url("/services/T000/B000/XXXXSECRETXXXX"));
        var d = Assert.Single(await NotificationSenderTests.Sender().SendAsync(target, new NotificationMessage("Report", "*1* failed")));
        Assert.Equal(2, d.Attempts);
        var body = Json(server.Received[1]);
        Assert.Equal("Report", body.GetProperty("text").GetString());
        Assert.Equal("*Report*", body.GetProperty("blocks")[0].GetProperty("text").GetProperty("text").GetString());
        Assert.Equal("*1* failed", body.GetProperty("blocks")[1].GetProperty("text").GetProperty("text").GetString());

        server.DefaultReply = new RobotReply(403, "invalid_token");
        var ex = await Assert.ThrowsAsync<NotificationException>(() => NotificationSenderTests.Sender().SendAsync(target, new NotificationMessage("t", "b")));
        Assert.Equal("DsNotifyWebhookInvalid", ex.ErrorId);
        Assert.Equal(3, server.Received.Count);
        Assert.DoesNotContain("XXXXSECRETXXXX", ex.Message);
    }

    [Fact]
    public async Task Slack_long_body_is_several_sections_in_one_message_and_very_long_several_messages()
    {
        using var server = new FakeRobotServer(new RobotReply(200, "ok"));
        var target = new NotificationTarget(NotificationChannel.Slack, server.Url("/services/T000/B000/XXXX"));
        var sender = new NotificationSender(new NotificationOptions(), new DestinationRateLimiter(() => DateTimeOffset.UtcNow, (_, _) => Task.CompletedTask));
        var lines = Enumerable.Range(0, 400).Select(i => $"• wf-{i:000} failed on worker").ToList();   // ~10,000 characters

        await sender.SendAsync(target, new NotificationMessage("Report", string.Join("\n", lines)));
        var body = Json(Assert.Single(server.Received));
        var blocks = body.GetProperty("blocks").EnumerateArray().ToList();
        Assert.Equal("*Report*", blocks[0].GetProperty("text").GetProperty("text").GetString());
        Assert.True(blocks.Count is > 4 and <= 45);
        var sections = blocks.Skip(1).Select(b => b.GetProperty("text").GetProperty("text").GetString()!).ToList();
        Assert.All(sections, s => Assert.True(s.Length <= 2900));
        Assert.Equal(lines, sections.SelectMany(s => s.Split('\n')).ToList());

        var many = Enumerable.Range(0, 6000).Select(i => $"• wf-{i:0000} failed on worker").ToList();   // ~160,000 characters
        await sender.SendAsync(target, new NotificationMessage("Report", string.Join("\n", many)));
        var messages = server.Received.Skip(1).Select(Json).ToList();
        Assert.True(messages.Count > 1);
        Assert.All(messages, m => Assert.True(m.GetProperty("blocks").GetArrayLength() <= 45));
        Assert.Equal($"Report (1/{messages.Count})", messages[0].GetProperty("text").GetString());
        Assert.Equal(many, messages.SelectMany(m => m.GetProperty("blocks").EnumerateArray().Skip(1)
            .SelectMany(b => b.GetProperty("text").GetProperty("text").GetString()!.Split('\n'))).ToList());
    }

    [Fact]
    public async Task Webhook_envelope_is_signed_in_headers()
    {
        using var server = new FakeRobotServer(new RobotReply(204, ""));
        var target = new NotificationTarget(NotificationChannel.Webhook, server.Url("/hooks/dsops"), "whsec");
        await NotificationSenderTests.Sender().SendAsync(target, new NotificationMessage("Failures", "wf-a failed") { Kind = "failure" });
        var r = Assert.Single(server.Received);
        var ts = r.Headers[WebhookNotifier.TimestampHeader];
        var expected = "sha256=" + Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes("whsec"), Encoding.UTF8.GetBytes(ts + "." + r.Body))).ToLowerInvariant();
        Assert.Equal(expected, r.Headers[WebhookNotifier.SignatureHeader]);
        var body = Json(r);
        Assert.Equal(1, body.GetProperty("schemaVersion").GetInt32());
        Assert.Equal("failure", body.GetProperty("kind").GetString());
        Assert.Equal("wf-a failed", body.GetProperty("body").GetString());
        Assert.Equal(1, body.GetProperty("part").GetInt32());
        Assert.Equal(1, body.GetProperty("parts").GetInt32());
    }
}
