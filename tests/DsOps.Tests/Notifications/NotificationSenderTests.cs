using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DsOps.Engine;
using DsOps.Engine.Notifications;
using Xunit;

namespace DsOps.Tests.Notifications;

/// <summary>The shared sending path against local fake robots: signatures, bodies, splitting, retries, errors.</summary>
public class NotificationSenderTests
{
    internal const string Secret = "SECd5a4b3c2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4";
    internal const string Token = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    internal static NotificationSender Sender(int maxRetries = 3, TimeSpan? maxRateLimitWait = null, TimeSpan? requestTimeout = null) =>
        new(new NotificationOptions
        {
            RetryBaseDelay = TimeSpan.FromMilliseconds(1), MaxRetries = maxRetries,
            MaxRateLimitWait = maxRateLimitWait ?? TimeSpan.FromMinutes(11),
            RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(10),
        }, new DestinationRateLimiter());

    internal static NotificationTarget DingTalk(FakeRobotServer server, string? keyword = "DsOps", params string[] mobiles) =>
        new(NotificationChannel.DingTalk, server.Url($"/robot/send?access_token={Token}"), Secret, "ops-robot")
        { Keyword = keyword, AtMobiles = mobiles };

    private static JsonElement Json(ReceivedRequest r) => JsonDocument.Parse(r.Body).RootElement;

    /// <summary>Independent re-implementation of docs/chat-robots.md §1.3, as DingTalk's server would check it.</summary>
    private static void AssertDingTalkSignature(ReceivedRequest r, string secret)
    {
        var ts = r.Query["timestamp"];
        Assert.Matches("^[0-9]{13}$", ts);
        Assert.True(Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - long.Parse(ts)) < 60_000, "timestamp is not now in ms");
        var expected = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(ts + "\n" + secret)));
        Assert.Equal(expected, r.Query["sign"]);
    }

    [Fact]
    public async Task DingTalk_signed_markdown_with_keyword_and_mobiles()
    {
        using var server = new FakeRobotServer();
        var target = DingTalk(server, "DsOps", "13800000001");
        var message = new NotificationMessage("Daily report", "- wf-a **failed**\n- wf-b ok") { AtMobiles = new[] { "13800000002" } };

        var deliveries = await Sender().SendAsync(target, message);

        var r = Assert.Single(server.Received);
        Assert.Equal("POST", r.Method);
        Assert.Equal(Token, r.Query["access_token"]);
        AssertDingTalkSignature(r, Secret);
        Assert.StartsWith("application/json", r.ContentType);
        Assert.Contains("charset=utf-8", r.ContentType);
        var body = Json(r);
        Assert.Equal("markdown", body.GetProperty("msgtype").GetString());
        var title = body.GetProperty("markdown").GetProperty("title").GetString()!;
        var text = body.GetProperty("markdown").GetProperty("text").GetString()!;
        Assert.Contains("DsOps", title);
        Assert.Contains("DsOps", text);
        Assert.Contains("- wf-a **failed**\n- wf-b ok", text);
        Assert.Contains("@13800000002", text);
        Assert.Contains("@13800000001", text);
        var mobiles = body.GetProperty("at").GetProperty("atMobiles").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(new[] { "13800000002", "13800000001" }, mobiles);
        Assert.False(body.GetProperty("at").GetProperty("isAtAll").GetBoolean());

        var d = Assert.Single(deliveries);
        Assert.True(d.Succeeded);
        Assert.Equal("0", d.Code);
        Assert.Equal(1, d.Attempts);
        Assert.Equal(Encoding.UTF8.GetByteCount(r.Body), d.Bytes);
        Assert.DoesNotContain(Token, d.Destination);
    }

    [Fact]
    public async Task DingTalk_text_message_unsigned_has_no_sign_parameters()
    {
        using var server = new FakeRobotServer();
        var target = new NotificationTarget(NotificationChannel.DingTalk, server.Url($"/robot/send?access_token={Token}"));
        await Sender().SendAsync(target, new NotificationMessage("t", "hello", NotificationFormat.Text) { AtAll = true });
        var r = Assert.Single(server.Received);
        Assert.False(r.Query.ContainsKey("sign"));
        var body = Json(r);
        Assert.Equal("text", body.GetProperty("msgtype").GetString());
        Assert.Equal("t\nhello", body.GetProperty("text").GetProperty("content").GetString());
        Assert.True(body.GetProperty("at").GetProperty("isAtAll").GetBoolean());
    }

    [Fact]
    public async Task Long_chinese_report_is_split_under_the_byte_limit_with_numbered_parts()
    {
        using var server = new FakeRobotServer();
        var lines = Enumerable.Range(1, 700).Select(i => $"- 工作流 每日汇总-{i:0000} 失败：任务 抽取订单数据 在 worker-{i % 9} 上退出码 1").ToList();
        var target = DingTalk(server, "调度告警", "13800000001");

        var deliveries = await Sender().SendAsync(target, new NotificationMessage("调度日报 2026-01-01", string.Join("\n", lines)));

        var received = server.Received;
        Assert.True(received.Count >= 3, $"expected several parts, got {received.Count}");
        Assert.Equal(received.Count, deliveries.Count);
        var recovered = new List<string>();
        for (var i = 0; i < received.Count; i++)
        {
            var r = received[i];
            Assert.True(Encoding.UTF8.GetByteCount(r.Body) <= 19_000, $"part {i + 1} is {Encoding.UTF8.GetByteCount(r.Body)} bytes");
            Assert.DoesNotContain("\\u", r.Body);   // CJK is not \u-escaped
            AssertDingTalkSignature(r, Secret);
            var md = Json(r).GetProperty("markdown");
            var title = md.GetProperty("title").GetString()!;
            Assert.EndsWith($"({i + 1}/{received.Count})", title);
            Assert.Contains("调度告警", md.GetProperty("text").GetString());   // keyword in every part
            Assert.Equal(i == 0, Json(r).TryGetProperty("at", out _));        // mentions only in the first part
            recovered.AddRange(md.GetProperty("text").GetString()!.Split('\n').Where(l => l.StartsWith("- 工作流")));
        }
        Assert.Equal(lines, recovered);
    }

    [Fact]
    public async Task Transient_500_is_retried_and_delivered_once()
    {
        using var server = new FakeRobotServer().Reply(new RobotReply(500, "<html>bad gateway</html>"));
        var deliveries = await Sender().SendAsync(DingTalk(server), new NotificationMessage("t", "b"));
        Assert.Equal(2, server.Received.Count);
        var d = Assert.Single(deliveries);
        Assert.Equal(2, d.Attempts);
        Assert.Equal(200, d.HttpStatus);
        AssertDingTalkSignature(server.Received[1], Secret);
    }

    [Fact]
    public async Task System_busy_body_code_is_retried()
    {
        using var server = new FakeRobotServer().Reply(RobotReply.Errcode(-1, "系统繁忙"), RobotReply.Errcode(-1, "系统繁忙"));
        var d = Assert.Single(await Sender().SendAsync(DingTalk(server), new NotificationMessage("t", "b")));
        Assert.Equal(3, d.Attempts);
    }

    [Fact]
    public async Task Security_error_310000_is_not_retried_and_surfaces_code_and_message_without_secrets()
    {
        using var server = new FakeRobotServer(RobotReply.Errcode(310000, "keywords not in content"));
        var ex = await Assert.ThrowsAsync<NotificationException>(() => Sender().SendAsync(DingTalk(server), new NotificationMessage("t", "b")));
        Assert.Single(server.Received);
        Assert.Equal("DsNotifySecurityCheckFailed", ex.ErrorId);
        Assert.Equal(DsErrorKind.Permission, ex.Kind);
        Assert.Equal("310000", ex.Code);
        Assert.Equal(1, ex.Attempts);
        Assert.Contains("310000", ex.Message);
        Assert.Contains("keywords not in content", ex.Message);
        Assert.DoesNotContain(Token, ex.ToString());
        Assert.DoesNotContain(Secret, ex.ToString());
    }

    [Fact]
    public async Task Retries_are_bounded_and_the_last_failure_is_reported()
    {
        using var server = new FakeRobotServer(new RobotReply(503, "unavailable"));
        var ex = await Assert.ThrowsAsync<NotificationException>(() => Sender(maxRetries: 2).SendAsync(DingTalk(server), new NotificationMessage("t", "b")));
        Assert.Equal(3, server.Received.Count);
        Assert.Equal("DsNotifyUnavailable", ex.ErrorId);
        Assert.Equal(503, ex.HttpStatus);
    }

    [Fact]
    public async Task Rate_limit_code_that_needs_a_longer_wait_than_allowed_fails_fast()
    {
        using var server = new FakeRobotServer(RobotReply.Errcode(130101, "send too fast, exceed 20 times per minute"));
        var ex = await Assert.ThrowsAsync<NotificationException>(() =>
            Sender(maxRateLimitWait: TimeSpan.FromSeconds(30)).SendAsync(DingTalk(server), new NotificationMessage("t", "b")));
        Assert.Single(server.Received);
        Assert.Equal("DsNotifyRateLimited", ex.ErrorId);
        Assert.Equal(DsErrorKind.RateLimited, ex.Kind);
    }

    /// <summary>Real clock, but every timer fires at once: Polly's backoff and cooldown waits take no time.</summary>
    private sealed class InstantTimers : TimeProvider
    {
        public List<TimeSpan> Delays { get; } = new();
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            lock (Delays) Delays.Add(dueTime);
            ThreadPool.QueueUserWorkItem(_ => callback(state));
            return new NoTimer();
        }
        private sealed class NoTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;
            public void Dispose() { }
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task Dingtalk_cooldown_is_waited_out_once_then_the_send_fails()
    {
        using var server = new FakeRobotServer(RobotReply.Errcode(130101, "send too fast"));
        var time = new InstantTimers();
        var clock = DateTimeOffset.UtcNow;   // the limiter's clock: its waits advance it instead of sleeping
        var sender = new NotificationSender(new NotificationOptions { Time = time },
            new DestinationRateLimiter(() => clock, (d, _) => { clock += d; return Task.CompletedTask; }));
        var ex = await Assert.ThrowsAsync<NotificationException>(() => sender.SendAsync(DingTalk(server), new NotificationMessage("t", "b")));
        Assert.Equal("DsNotifyRateLimited", ex.ErrorId);
        Assert.Equal(2, server.Received.Count);                  // the first try and one after the cooldown
        Assert.Contains(TimeSpan.FromMinutes(10), time.Delays);  // Polly waited the platform's 10-minute cooldown
    }

    [Fact]
    public async Task A_failed_part_stops_the_message_and_reports_what_was_delivered()
    {
        using var server = new FakeRobotServer().Reply(RobotReply.DingTalkOk, RobotReply.Errcode(460101, "body too large"));
        var body = string.Join("\n", Enumerable.Range(0, 2000).Select(i => $"line {i} " + new string('x', 40)));
        var ex = await Assert.ThrowsAsync<NotificationException>(() => Sender().SendAsync(DingTalk(server), new NotificationMessage("t", body)));
        Assert.Equal(2, server.Received.Count);
        Assert.Equal(2, ex.Part);
        Assert.Single(ex.Delivered);
        Assert.Equal("DsNotifyTooLarge", ex.ErrorId);
    }

    [Fact]
    public async Task Html_page_with_200_is_an_invalid_response_not_success()
    {
        using var server = new FakeRobotServer(new RobotReply(200, "<html>proxy login</html>"));
        var ex = await Assert.ThrowsAsync<NotificationException>(() => Sender().SendAsync(DingTalk(server), new NotificationMessage("t", "b")));
        Assert.Equal("DsNotifyInvalidResponse", ex.ErrorId);
        Assert.Single(server.Received);
        Assert.Contains("proxy login", ex.Message);
    }

    [Fact]
    public async Task Too_many_parts_fails_before_sending_anything()
    {
        using var server = new FakeRobotServer();
        var sender = new NotificationSender(new NotificationOptions { MaxParts = 2 }, new DestinationRateLimiter());
        var body = string.Join("\n", Enumerable.Range(0, 3000).Select(i => $"line {i} " + new string('x', 40)));
        var ex = await Assert.ThrowsAsync<DsOpsException>(() => sender.SendAsync(DingTalk(server), new NotificationMessage("t", body)));
        Assert.Equal("DsNotifyTooManyParts", ex.ErrorId);
        Assert.Empty(server.Received);
    }

    [Fact]
    public async Task Connection_refused_is_retried_then_reported_as_unavailable_without_the_url()
    {
        var port = ClosedPort();
        var target = new NotificationTarget(NotificationChannel.DingTalk, $"http://127.0.0.1:{port}/robot/send?access_token={Token}", Secret);
        var ex = await Assert.ThrowsAsync<NotificationException>(() => Sender(maxRetries: 1).SendAsync(target, new NotificationMessage("t", "b")));
        Assert.Equal("DsNotifyUnavailable", ex.ErrorId);
        Assert.Equal(2, ex.Attempts);
        Assert.DoesNotContain(Token, ex.ToString());
    }

    [Fact]
    public async Task A_robot_that_never_answers_times_out()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var target = new NotificationTarget(NotificationChannel.DingTalk, $"http://127.0.0.1:{port}/robot/send?access_token={Token}");
            var ex = await Assert.ThrowsAsync<NotificationException>(() =>
                Sender(maxRetries: 0, requestTimeout: TimeSpan.FromMilliseconds(300)).SendAsync(target, new NotificationMessage("t", "b")));
            Assert.Equal("DsNotifyTimeout", ex.ErrorId);
            Assert.Equal(DsErrorKind.Timeout, ex.Kind);
        }
        finally { listener.Stop(); }
    }

    [Fact]
    public async Task Explicit_proxy_receives_the_request_in_absolute_form()
    {
        var proxy = new TcpListener(IPAddress.Loopback, 0);
        proxy.Start();
        var port = ((IPEndPoint)proxy.LocalEndpoint).Port;
        var requestLine = Task.Run(async () =>
        {
            using var client = await proxy.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var buffer = new byte[65536];
            var read = 0;
            while (!Encoding.ASCII.GetString(buffer, 0, read).Contains("\r\n\r\n"))
                read += await stream.ReadAsync(buffer.AsMemory(read));
            var ok = "{\"errcode\":0,\"errmsg\":\"ok\"}";
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {ok.Length}\r\nConnection: close\r\n\r\n{ok}"));
            return Encoding.ASCII.GetString(buffer, 0, read).Split("\r\n")[0];
        });
        try
        {
            var target = new NotificationTarget(NotificationChannel.DingTalk, $"http://robot.example.invalid/robot/send?access_token={Token}")
            { Proxy = new Uri($"http://127.0.0.1:{port}") };
            var d = Assert.Single(await Sender().SendAsync(target, new NotificationMessage("t", "b")));
            Assert.True(d.Succeeded);
            Assert.Equal($"POST http://robot.example.invalid/robot/send?access_token={Token} HTTP/1.1", await requestLine);
        }
        finally { proxy.Stop(); }
    }

    private static int ClosedPort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
