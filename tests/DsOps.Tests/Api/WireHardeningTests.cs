using System.Diagnostics;
using System.Net;
using System.Text;
using DsOps.Engine;
using DsOps.Engine.Api;
using DsOps.Engine.Dialects;
using DsOps.Tests.Fakes;
using Xunit;

namespace DsOps.Tests.Api;

/// <summary>
/// Hostile and unlucky servers (issue 13): answers that drip or never end, lists with holes, servers that are not DS,
/// reads DS maps to POST under 503, writes refused with 429, and server text echoing secrets.
/// </summary>
public class WireHardeningTests
{
    private static DsHttpOptions Fast(TimeSpan? timeout = null, long? cap = null, int retries = 3) => new()
    {
        Timeout = timeout ?? TimeSpan.FromSeconds(30),
        MaxResponseBytes = cap ?? DsHttpOptions.DefaultMaxResponseBytes,
        MaxRetries = retries,
        RetryBaseDelay = TimeSpan.FromMilliseconds(1),
    };

    // ------------------------------------------------------------ item 3: deadline over the whole body, size cap

    [Fact]
    public async Task A_server_dripping_its_answer_is_cut_off_at_the_timeout_not_only_for_headers()
    {
        using var fake = new FakeDsServer("3.2.2");
        using var c = DsClientTests.Connect(fake, DsDialect.V3_2, Fast(TimeSpan.FromSeconds(1), retries: 0));
        var body = Encoding.UTF8.GetBytes("""{"code":0,"msg":"success","data":{"code":7,"name":"etl"}}""");
        var drip = new DripStream(body, TimeSpan.FromMilliseconds(250)); // 4 bytes/s: the whole answer needs ~15 s
        fake.Faults.Enqueue(new FakeResponse(HttpStatusCode.OK, "") { BodyStream = () => drip, ContentLength = body.Length });
        var clock = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<DsApiException>(() => c.Client.GetProjectAsync(7));

        Assert.Equal("DsTimeout", ex.ErrorId);
        Assert.Contains("did not arrive in full", ex.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed.TotalSeconds:F1} s with a 1 s timeout");
        Assert.True(drip.Served > 0 && drip.Served < body.Length, $"served {drip.Served} of {body.Length} bytes");
    }

    [Fact]
    public async Task A_huge_content_length_is_refused_before_reading_anything()
    {
        using var fake = new FakeDsServer("3.2.2");
        using var c = DsClientTests.Connect(fake, DsDialect.V3_2, Fast());
        var endless = new EndlessStream();
        fake.Faults.Enqueue(new FakeResponse(HttpStatusCode.OK, "") { BodyStream = () => endless, ContentLength = 2L * 1024 * 1024 * 1024 });
        var before = fake.Requests.Count;

        var ex = await Assert.ThrowsAsync<DsApiException>(() => c.Client.GetProjectAsync(7));

        Assert.Equal("DsResponseTooLarge", ex.ErrorId);
        Assert.Equal(DsErrorKind.InvalidResponse, ex.Kind);
        Assert.Contains("2,147,483,648", ex.Message);
        Assert.Contains("-MaxResponseSizeMB", ex.Message);
        Assert.Equal(0, endless.Served);
        Assert.Equal(1, fake.Requests.Count - before); // not retried: it would be as large again
    }

    [Fact]
    public async Task An_endless_body_without_length_is_cut_off_at_the_cap_without_buffering_it()
    {
        const long cap = 1024 * 1024;
        using var fake = new FakeDsServer("3.2.2");
        using var c = DsClientTests.Connect(fake, DsDialect.V3_2, Fast(cap: cap));
        var endless = new EndlessStream();
        fake.Faults.Enqueue(new FakeResponse(HttpStatusCode.OK, "") { BodyStream = () => endless });

        var ex = await Assert.ThrowsAsync<DsApiException>(() => c.Client.GetProjectAsync(7));

        Assert.Equal("DsResponseTooLarge", ex.ErrorId);
        Assert.Equal(cap + 1, endless.Served); // stopped one byte past the cap, whatever the reader's buffer size
    }

    [Fact]
    public async Task The_streamed_list_of_every_dag_is_capped_too()
    {
        const long cap = 512 * 1024;
        using var fake = new FakeDsServer("3.2.2");
        using var c = DsClientTests.Connect(fake, DsDialect.V3_2, Fast(cap: cap));
        var endless = new EndlessStream("""{"code":0,"msg":"success","data":[""", """{"processDefinition":{"name":"w","code":1},"taskDefinitionList":[]},""");
        fake.Faults.Enqueue(new FakeResponse(HttpStatusCode.OK, "") { BodyStream = () => endless });
        var seen = 0;

        var ex = await Assert.ThrowsAsync<DsApiException>(() => c.Client.ForEachWorkflowDagAsync(1, _ => seen++));

        Assert.Equal("DsResponseTooLarge", ex.ErrorId);
        Assert.True(seen > 100, $"{seen} DAGs were streamed before the cap");
        Assert.Equal(cap + 1, endless.Served);
    }

    [Fact]
    public async Task Answers_within_the_cap_and_the_timeout_read_as_before()
    {
        using var fake = new FakeDsServer("3.2.2").Answer("GET projects/{code}", new { code = 7L, name = "etl", description = new string('x', 200_000) });
        using var c = DsClientTests.Connect(fake, DsDialect.V3_2, Fast(TimeSpan.FromSeconds(5), cap: 300_000));
        var p = await c.Client.GetProjectAsync(7);
        Assert.Equal(200_000, p.Description!.Length);
    }

    [Fact]
    public async Task A_chat_robot_answering_more_than_a_megabyte_is_cut_off_by_the_same_bounds_and_not_retried()
    {
        using var server = new Notifications.FakeRobotServer().Reply(new Notifications.RobotReply(200, new string(' ', 2 * 1024 * 1024) + """{"errcode":0}"""));
        var target = Notifications.NotificationSenderTests.DingTalk(server);

        var ex = await Assert.ThrowsAsync<DsOps.Engine.Notifications.NotificationException>(() =>
            Notifications.NotificationSenderTests.Sender().SendAsync(target, new DsOps.Engine.Notifications.NotificationMessage("t", "hello")));

        Assert.Single(server.Received);
        Assert.Equal(1, ex.Attempts);
        Assert.Contains("response size cap", ex.Message);
    }

    // ------------------------------------------------------------ item 7: retries

    [Fact]
    public async Task A_read_ds_maps_to_post_is_retried_like_a_get_and_is_not_counted_as_a_write()
    {
        using var fake = new FakeDsServer("3.2.2").Answer("POST projects/{projectCode}/schedules/list", new[] { new { id = 1, processDefinitionCode = 5L, crontab = "0 0 2 * * ? *" } });
        using var c = DsClientTests.Connect(fake, DsDialect.V3_2, Fast());
        fake.Faults.Enqueue(FakeResponse.Http(HttpStatusCode.ServiceUnavailable));
        fake.Faults.Enqueue(new FakeResponse(HttpStatusCode.OK, "") { Throw = new HttpRequestException("connection reset") });
        var writesBefore = c.Statistics.Writes;

        var schedules = await c.Client.GetProjectSchedulesAsync(11);

        Assert.Equal(5L, schedules.Single().WorkflowCode);
        Assert.Equal(2, c.Statistics.Retries);
        Assert.Equal(writesBefore, c.Statistics.Writes);
    }

    [Fact]
    public async Task A_write_refused_with_429_is_retried_after_Retry_After()
    {
        using var fake = new FakeDsServer("3.2.2").Answer("POST projects", new { code = 42L, name = "etl" });
        using var c = DsClientTests.Connect(fake, DsDialect.V3_2, Fast());
        fake.Faults.Enqueue(FakeResponse.Http(HttpStatusCode.TooManyRequests) with { RetryAfterSeconds = 1 });
        var before = fake.Requests.Count;
        var clock = Stopwatch.StartNew();

        var project = await c.Client.CreateProjectAsync("etl", null);

        Assert.Equal(42L, project.ProjectCode);
        Assert.Equal(2, fake.Requests.Count - before);
        Assert.All(fake.Requests.Skip(before), r => Assert.Equal("etl", r.Form["projectName"])); // the same form, resent
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(900), $"retried after {clock.Elapsed.TotalMilliseconds:F0} ms, before Retry-After");
    }

    [Fact]
    public async Task A_write_answered_5xx_is_not_retried_and_does_not_claim_retries()
    {
        using var fake = new FakeDsServer("3.2.2");
        using var c = DsClientTests.Connect(fake, DsDialect.V3_2, Fast());
        fake.Faults.Enqueue(FakeResponse.Http(HttpStatusCode.ServiceUnavailable));
        var before = fake.Requests.Count;

        var ex = await Assert.ThrowsAsync<DsApiException>(() => c.Client.CreateProjectAsync("etl", null));

        Assert.Equal("DsServerUnavailable", ex.ErrorId);
        Assert.Equal(1, fake.Requests.Count - before);
        Assert.DoesNotContain("retries exhausted", ex.Message);
        Assert.Contains("a write is not retried", ex.Message);
    }

    [Fact]
    public async Task Retries_exhausted_is_said_only_after_retries_with_their_count()
    {
        using var fake = new FakeDsServer("3.2.2");
        using var c = DsClientTests.Connect(fake, DsDialect.V3_2, Fast(retries: 2));
        for (var i = 0; i < 3; i++) fake.Faults.Enqueue(FakeResponse.Http(HttpStatusCode.TooManyRequests));
        var read = await Assert.ThrowsAsync<DsApiException>(() => c.Client.GetProjectAsync(1));
        Assert.Equal("DsRateLimited", read.ErrorId);
        Assert.Contains("after 3 attempts (retries exhausted)", read.Message);

        using var once = DsClientTests.Connect(fake, DsDialect.V3_2, Fast(retries: 0));
        fake.Faults.Enqueue(FakeResponse.Http(HttpStatusCode.TooManyRequests));
        var single = await Assert.ThrowsAsync<DsApiException>(() => once.Client.GetProjectAsync(1));
        Assert.DoesNotContain("retries exhausted", single.Message);
    }

    // ------------------------------------------------------------ item 9: null list items

    [Fact]
    public async Task A_null_item_in_a_paged_list_is_a_stable_invalid_response_error()
    {
        using var fake = new FakeDsServer("3.2.2").Answer("GET projects", _ => new FakeResponse(HttpStatusCode.OK,
            """{"code":0,"msg":"success","data":{"totalList":[null,{"code":1,"name":"etl"}],"total":2,"totalPage":1,"pageSize":100,"currentPage":1}}"""));
        using var c = DsClientTests.Connect(fake, DsDialect.V3_2, Fast());

        var ex = await Assert.ThrowsAsync<DsApiException>(async () => { await foreach (var _ in c.Client.GetProjectsAsync()) { } });

        Assert.Equal("DsInvalidResponse", ex.ErrorId);
        Assert.Contains("Item 1", ex.Message);
        Assert.Contains("null", ex.Message);
    }

    [Theory]
    [InlineData("""[null,{"processDefinition":{"name":"w","code":1},"taskDefinitionList":[]}]""", "item 1")]
    [InlineData("""[{"processDefinition":{"name":"w","code":1},"taskDefinitionList":[{"name":"t","code":2},null]}]""", "task definitions whose item 2")]
    [InlineData("""[{"processDefinition":{"name":"w","code":1},"processTaskRelationList":[null]}]""", "task relations whose item 1")]
    public async Task A_null_dag_task_or_relation_in_the_list_of_every_dag_is_refused(string data, string expected)
    {
        using var fake = new FakeDsServer("3.2.2").Answer("GET projects/{projectCode}/process-definition/all", _ =>
            new FakeResponse(HttpStatusCode.OK, "{\"code\":0,\"msg\":\"success\",\"data\":" + data + "}"));
        using var c = DsClientTests.Connect(fake, DsDialect.V3_2, Fast());

        var streamed = await Assert.ThrowsAsync<DsApiException>(() => c.Client.ForEachWorkflowDagAsync(1, _ => { }));
        var whole = await Assert.ThrowsAsync<DsApiException>(() => c.Client.GetAllWorkflowDagsJsonAsync(1));

        Assert.Equal("DsInvalidResponse", streamed.ErrorId);
        Assert.Contains(expected, streamed.Message);
        Assert.Equal("DsInvalidResponse", whole.ErrorId);
    }

    [Fact]
    public async Task A_null_schedule_in_schedules_list_is_refused()
    {
        using var fake = new FakeDsServer("3.2.2").Answer("POST projects/{projectCode}/schedules/list", _ =>
            new FakeResponse(HttpStatusCode.OK, """{"code":0,"msg":"success","data":[null]}"""));
        using var c = DsClientTests.Connect(fake, DsDialect.V3_2, Fast());
        var ex = await Assert.ThrowsAsync<DsApiException>(() => c.Client.GetProjectSchedulesAsync(1));
        Assert.Equal("DsInvalidResponse", ex.ErrorId);
    }

    // ------------------------------------------------------------ item 11: a server that is not DS

    [Theory]
    [InlineData("text/html", "<html><body>It works!</body></html>")]
    [InlineData("application/json", """{"status":"ok","items":[]}""")]
    [InlineData("application/json", """[1,2,3]""")]
    [InlineData("text/plain", "hello")]
    public void Connecting_to_a_web_server_that_is_not_ds_fails_clearly(string contentType, string body)
    {
        using var fake = new FakeDsServer("3.2.2");
        for (var i = 0; i < 10; i++) fake.Faults.Enqueue(new FakeResponse(HttpStatusCode.OK, body, contentType));

        var ex = Assert.ThrowsAny<DsApiException>(() => DsClientTests.Connect(fake));

        Assert.Equal("DsNotDolphinScheduler", ex.ErrorId);
        Assert.Contains("does not answer like a DolphinScheduler API server", ex.Message);
    }

    [Fact]
    public void A_web_server_answering_404_to_everything_is_not_ds_either()
    {
        using var fake = new FakeDsServer("3.2.2");
        for (var i = 0; i < 10; i++) fake.Faults.Enqueue(FakeResponse.Http(HttpStatusCode.NotFound));
        var ex = Assert.ThrowsAny<DsApiException>(() => DsClientTests.Connect(fake));
        Assert.Equal("DsNotDolphinScheduler", ex.ErrorId);
    }

    [Fact]
    public void A_real_3_0_server_is_still_detected_when_every_probe_is_missing()
    {
        using var fake = new FakeDsServer("3.0.1");
        using var c = DsClientTests.Connect(fake);
        Assert.Equal("3.0.1", c.Version);
        Assert.Contains(fake.Requests, r => r.Path == "projects/list");
    }

    // ------------------------------------------------------------ item 8: server text echoing secrets

    [Fact]
    public async Task A_business_error_echoing_the_token_and_password_masks_both()
    {
        using var fake = new FakeDsServer("3.2.2") { Token = "tok-" + Guid.NewGuid().ToString("N"), Password = "pw-" + Guid.NewGuid().ToString("N") };
        fake.Answer("GET projects/{code}", r => FakeResponse.Error(10018, $"no project; you sent token={r.Headers["token"]} and {fake.Password}"));
        using var login = DsConnection.ConnectAsync(new DsConnectOptions
        {
            Uri = new Uri("http://ds.test:12345/dolphinscheduler"),
            Credential = new NetworkCredential("admin", fake.Password),
            Dialect = DsDialect.V3_2, InnerHandler = fake.Handler, Http = Fast(),
        }).GetAwaiter().GetResult();
        using var c = DsClientTests.Connect(fake, DsDialect.V3_2, Fast());

        var ex = await Assert.ThrowsAsync<DsApiException>(() => c.Client.GetProjectAsync(7));

        Assert.DoesNotContain(fake.Token, ex.Message);
        Assert.DoesNotContain(fake.Password, ex.Message);
        Assert.DoesNotContain(fake.Token, ex.DsMessage);
        Assert.Contains("token=***", ex.Message);
    }

    [Fact]
    public void The_registry_masks_every_encoded_form_of_a_secret_and_ignores_short_values()
    {
        var secret = "a+b/c d&e=" + Guid.NewGuid().ToString("N");
        SecretRegistry.Register(secret);
        SecretRegistry.Register("abc");

        foreach (var form in new[] { secret, Uri.EscapeDataString(secret), WebUtility.UrlEncode(secret), WebUtility.HtmlEncode(secret),
                     System.Text.Json.JsonSerializer.Serialize(secret).Trim('"') })
            Assert.Equal("x *** y", SecretRegistry.Redact("x " + form + " y"));
        Assert.Equal("abc", SecretRegistry.Redact("abc"));
        Assert.Equal("*** and ***", new DsOpsException(DsErrorKind.Business, "X", secret + " and " + secret).Message);
    }

    /// <summary>Serves a payload one byte per interval, honouring cancellation; counts what it served.</summary>
    internal sealed class DripStream(byte[] payload, TimeSpan interval) : ReadOnlyStream
    {
        private int _position;
        public int Served => _position;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position >= payload.Length || buffer.Length == 0) return 0;
            await Task.Delay(interval, cancellationToken);
            buffer.Span[0] = payload[_position++];
            return 1;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>A prefix then a repeated unit forever (JSON whitespace by default); counts the bytes served.</summary>
    internal sealed class EndlessStream(string prefix = "", string unit = " ") : ReadOnlyStream
    {
        private readonly byte[] _prefix = Encoding.UTF8.GetBytes(prefix);
        private readonly byte[] _unit = Encoding.UTF8.GetBytes(unit);
        private long _served;
        public long Served => Interlocked.Read(ref _served);

        public override int Read(byte[] buffer, int offset, int count)
        {
            for (var i = 0; i < count; i++)
            {
                var n = _served + i;
                buffer[offset + i] = n < _prefix.Length ? _prefix[n] : _unit[(n - _prefix.Length) % _unit.Length];
            }
            Interlocked.Add(ref _served, count);
            return count;
        }

    }

    /// <summary>The parts of a forward-only, read-only stream that the two test streams share.</summary>
    internal abstract class ReadOnlyStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
