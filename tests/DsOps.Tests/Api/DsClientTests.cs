using System.Net;
using System.Security;
using DsOps.Engine;
using DsOps.Engine.Api;
using DsOps.Engine.Dialects;
using DsOps.Tests.Fakes;
using Xunit;

namespace DsOps.Tests.Api;

public class DsClientTests
{
    internal static SecureString Secure(string s)
    {
        var ss = new SecureString();
        foreach (var c in s) ss.AppendChar(c);
        ss.MakeReadOnly();
        return ss;
    }

    internal static DsConnection Connect(FakeDsServer fake, DsDialect? dialect = null, DsHttpOptions? http = null) =>
        DsConnection.ConnectAsync(new DsConnectOptions
        {
            Uri = new Uri("http://ds.test:12345/dolphinscheduler"),
            Token = Secure(fake.Token),
            Dialect = dialect,
            InnerHandler = fake.Handler,
            Http = http ?? new DsHttpOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(1) },
        }).GetAwaiter().GetResult();

    [Theory]
    [InlineData("3.0.1", "3.0.1")]
    [InlineData("3.1.9", "3.1.9")]
    [InlineData("3.2.2", "3.2.2")]
    [InlineData("3.3-dev", "3.3.0")]
    public void Detects_the_version_from_the_routes_the_server_maps(string endpoints, string expected)
    {
        using var fake = new FakeDsServer(endpoints).Answer("GET ui-plugins/query-product-info", new { version = "3.3.0" });
        using var c = Connect(fake);
        Assert.Equal(expected, c.Version);
    }

    [Theory]
    [InlineData("3.2.1", "GET monitor/{nodeType}")]
    [InlineData("3.2.0", "GET monitor/{nodeType}", "GET alert-groups/normal-list")]
    public void Tells_the_3_2_patch_releases_apart(string expected, params string[] missingRoutes)
    {
        // 3.2.0 and 3.2.1 lack routes 3.2.2 added; 3.2.0 has the project-parameter controller 3.1 lacks.
        using var fake = new FakeDsServer("3.2.2", missingRoutes);
        using var c = Connect(fake);
        Assert.Equal(expected, c.Version);
        Assert.True(c.Dialect.TenantOnRun);
    }

    [Fact]
    public void Detects_3_4_from_product_info()
    {
        using var fake = new FakeDsServer("3.4.1").Answer("GET ui-plugins/query-product-info", new { version = "3.4.1" });
        using var c = Connect(fake);
        Assert.Equal("3.4.1", c.Version);
        Assert.False(c.Dialect.HasImportExport);
    }

    [Theory]
    [InlineData("3.0.1", "projects/1/process-definition")]
    [InlineData("3.2.2", "projects/1/process-definition")]
    [InlineData("3.3-dev", "projects/1/workflow-definition")]
    public async Task Lists_workflows_on_the_version_s_route_and_streams_every_page(string endpoints, string expectedPath)
    {
        using var fake = new FakeDsServer(endpoints).Answer("GET ui-plugins/query-product-info", new { version = "3.3.0" });
        var items = Enumerable.Range(1, 250).Select(i => new { code = 1000L + i, name = $"wf_{i:000}", version = 1, releaseState = "ONLINE", projectCode = 1L }).ToList();
        var segment = expectedPath.Split('/')[2];
        fake.AnswerPaged($"GET projects/{{projectCode}}/{segment}", items);
        using var c = Connect(fake);

        var names = new List<string>();
        await foreach (var w in c.Client.GetWorkflowsAsync(1)) names.Add(w.Name);

        Assert.Equal(250, names.Count);
        Assert.Equal("wf_250", names[^1]);
        var listCalls = fake.Requests.Where(r => r.Path == expectedPath).ToList();
        Assert.Equal(3, listCalls.Count); // pages of 100
        Assert.Equal(new[] { "1", "2", "3" }, listCalls.Select(r => r.Query["pageNo"]));
    }

    [Theory]
    [InlineData("3.0.1", "monitor/masters", "monitor/workers")]
    [InlineData("3.2.2", "monitor/MASTER", "monitor/WORKER")]
    [InlineData("3.3-dev", "monitor/MASTER", "monitor/WORKER")]
    public async Task Reads_server_nodes_on_the_version_s_monitor_route(string endpoints, string masters, string workers)
    {
        using var fake = new FakeDsServer(endpoints).Answer("GET ui-plugins/query-product-info", new { version = "3.3.0" });
        var resInfo30 = "{\"cpuUsage\":0.25,\"memoryUsage\":0.5,\"loadAverage\":1.5,\"serverStatus\":2,\"reportTime\":1700000000000,\"startupTime\":1690000000000}";
        var resInfo32 = "{\"cpuUsage\":0.25,\"memoryUsage\":0.5,\"diskUsage\":0.1,\"serverStatus\":\"BUSY\",\"reportTime\":1700000000000,\"startupTime\":1690000000000}";
        var resInfo = endpoints == "3.0.1" ? resInfo30 : resInfo32;
        var masterRoute = endpoints == "3.0.1" ? "GET monitor/masters" : "GET monitor/{nodeType}";
        fake.Answer(masterRoute, r => FakeResponse.Ok(new[]
        {
            new { id = 1, host = "10.0.0.1", port = r.Path.EndsWith("WORKER") || r.Path.EndsWith("workers") ? 1234 : 5678, resInfo, zkDirectories = new[] { "/nodes/worker/etl/10.0.0.1:1234" } },
        }));
        if (endpoints == "3.0.1")
            fake.Answer("GET monitor/workers", new[] { new { id = 2, host = "10.0.0.2", port = 1234, resInfo, zkDirectories = new[] { "/nodes/worker/etl/10.0.0.2:1234" } } });
        using var c = Connect(fake);

        var m = await c.Client.GetServerNodesAsync(DsServerRole.Master);
        var w = await c.Client.GetServerNodesAsync(DsServerRole.Worker);

        Assert.Contains(fake.Requests, r => r.Path == masters);
        Assert.Contains(fake.Requests, r => r.Path == workers);
        Assert.Equal("BUSY", m[0].Status);
        Assert.Equal(0.25, m[0].CpuUsage);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1700000000000).LocalDateTime, m[0].LastHeartbeat);
        Assert.Single(w);
        if (endpoints == "3.0.1") Assert.Equal(new[] { "etl" }, w[0].WorkerGroups);
    }

    [Fact]
    public void Alert_servers_are_not_listed_before_3_2_2()
    {
        Assert.Throws<NotSupportedException>(() => DsDialect.V3_0.MonitorPath(DsServerRole.AlertServer));
        Assert.Equal("monitor/ALERT_SERVER", DsDialect.V3_2.MonitorPath(DsServerRole.AlertServer));
    }

    [Fact]
    public async Task Business_error_carries_code_status_name_message_and_endpoint()
    {
        using var fake = new FakeDsServer("3.2.2");
        fake.Answer("GET projects/{code}", _ => FakeResponse.Error(10018, "project 42 not found"));
        using var c = Connect(fake, DsDialect.V3_2);

        var ex = await Assert.ThrowsAsync<DsApiException>(() => c.Client.GetProjectAsync(42));

        Assert.Equal(10018, ex.DsCode);
        Assert.Equal("PROJECT_NOT_FOUND", ex.DsStatusName);
        Assert.Equal("project 42 not found", ex.DsMessage);
        Assert.Equal("GET projects/42", ex.Endpoint);
        Assert.Equal(DsErrorKind.NotFound, ex.Kind);
        Assert.Contains("10018", ex.Message);
    }

    [Fact]
    public async Task Status_names_follow_the_version()
    {
        using var fake = new FakeDsServer("3.3-dev").Answer("GET ui-plugins/query-product-info", new { version = "3.3.0" });
        fake.Answer("GET projects/{projectCode}/workflow-definition", _ => FakeResponse.Error(50008, "workflow definition not allowed edit"));
        using var c = Connect(fake);
        var ex = await Assert.ThrowsAsync<DsApiException>(async () => { await foreach (var _ in c.Client.GetWorkflowsAsync(1)) { } });
        Assert.Equal("WORKFLOW_DEFINITION_NOT_ALLOWED_EDIT", ex.DsStatusName);
        Assert.Equal(DsErrorKind.Business, ex.Kind);
    }

    [Fact]
    public async Task Http_401_with_empty_body_is_an_authentication_error()
    {
        using var fake = new FakeDsServer("3.2.2");
        var ex = await Assert.ThrowsAsync<DsApiException>(() => DsConnection.ConnectAsync(new DsConnectOptions
        {
            Uri = new Uri("http://ds.test/dolphinscheduler"), Token = Secure("wrong-token"), InnerHandler = fake.Handler,
        }));
        Assert.Equal(DsErrorKind.Authentication, ex.Kind);
        Assert.Equal(HttpStatusCode.Unauthorized, ex.HttpStatus);
        Assert.DoesNotContain("wrong-token", ex.Message);
    }

    [Fact]
    public async Task An_unmapped_route_answered_with_html_is_reported_as_missing_on_this_version()
    {
        using var fake = new FakeDsServer("3.0.1");
        using var c = Connect(fake, DsDialect.V3_3); // wrong profile on purpose: 3.0.1 has no workflow-definition route
        var ex = await Assert.ThrowsAsync<DsApiException>(async () => { await foreach (var _ in c.Client.GetWorkflowsAsync(1)) { } });
        Assert.Equal(DsErrorKind.EndpointMissing, ex.Kind);
        Assert.Equal("DsEndpointMissing", ex.ErrorId);
        Assert.Contains("workflow-definition", ex.Message);
    }

    [Fact]
    public async Task Reads_are_retried_on_5xx_and_429_then_succeed()
    {
        using var fake = new FakeDsServer("3.2.2");
        fake.Answer("GET projects/{code}", new { code = 7L, name = "etl" });
        using var c = Connect(fake, DsDialect.V3_2);
        fake.Faults.Enqueue(FakeResponse.Http(HttpStatusCode.ServiceUnavailable));
        fake.Faults.Enqueue(FakeResponse.Http(HttpStatusCode.TooManyRequests));
        var before = fake.Requests.Count;

        var p = await c.Client.GetProjectAsync(7);

        Assert.Equal("etl", p.Name);
        Assert.Equal(3, fake.Requests.Count - before);
        Assert.Equal(2, c.Statistics.Retries);
    }

    [Fact]
    public async Task Network_errors_on_reads_are_retried()
    {
        using var fake = new FakeDsServer("3.2.2");
        fake.Answer("GET projects/{code}", new { code = 7L, name = "etl" });
        using var c = Connect(fake, DsDialect.V3_2);
        fake.Faults.Enqueue(new FakeResponse(HttpStatusCode.OK, "") { Throw = new HttpRequestException("connection reset") });
        var p = await c.Client.GetProjectAsync(7);
        Assert.Equal("etl", p.Name);
    }

    [Fact]
    public async Task Writes_are_never_retried()
    {
        using var fake = new FakeDsServer("3.2.2");
        using var c = Connect(fake, DsDialect.V3_2);
        fake.Faults.Enqueue(FakeResponse.Http(HttpStatusCode.BadGateway));
        var before = fake.Requests.Count;

        var ex = await Assert.ThrowsAsync<DsApiException>(() => c.Client.CreateProjectAsync("etl", null));

        Assert.Equal(DsErrorKind.Unavailable, ex.Kind);
        Assert.Equal(1, fake.Requests.Count - before);
    }

    [Fact]
    public async Task Retries_give_up_with_a_server_unavailable_error()
    {
        using var fake = new FakeDsServer("3.2.2");
        using var c = Connect(fake, DsDialect.V3_2, new DsHttpOptions { MaxRetries = 2, RetryBaseDelay = TimeSpan.FromMilliseconds(1) });
        for (var i = 0; i < 5; i++) fake.Faults.Enqueue(FakeResponse.Http(HttpStatusCode.InternalServerError));
        var ex = await Assert.ThrowsAsync<DsApiException>(() => c.Client.GetProjectAsync(1));
        Assert.Equal(DsErrorKind.Unavailable, ex.Kind);
        Assert.Equal(2, c.Statistics.Retries);
    }

    [Fact]
    public async Task A_slow_answer_times_out_with_a_timeout_error()
    {
        using var fake = new FakeDsServer("3.2.2");
        using var c = Connect(fake, DsDialect.V3_2, new DsHttpOptions { Timeout = TimeSpan.FromMilliseconds(100), MaxRetries = 0 });
        fake.Faults.Enqueue(FakeResponse.Ok(null) with { Delay = TimeSpan.FromSeconds(5) });
        var ex = await Assert.ThrowsAsync<DsApiException>(() => c.Client.GetProjectAsync(1));
        Assert.Equal(DsErrorKind.Timeout, ex.Kind);
    }

    [Fact]
    public async Task A_read_whose_first_attempt_times_out_is_retried()
    {
        // The first attempt runs outside Polly (DsHttpPipeline); its timeout must still count as a transient failure.
        using var fake = new FakeDsServer("3.2.2");
        fake.Answer("GET projects/{code}", new { code = 7L, name = "etl" });
        using var c = Connect(fake, DsDialect.V3_2, new DsHttpOptions { Timeout = TimeSpan.FromMilliseconds(200), MaxRetries = 2, RetryBaseDelay = TimeSpan.FromMilliseconds(1) });
        fake.Faults.Enqueue(FakeResponse.Ok(null) with { Delay = TimeSpan.FromSeconds(10) });
        var before = fake.Requests.Count;

        var p = await c.Client.GetProjectAsync(7);

        Assert.Equal("etl", p.Name);
        Assert.Equal(2, fake.Requests.Count - before);
        Assert.Equal(1, c.Statistics.Retries);
    }

    [Fact]
    public async Task Retry_After_on_the_first_answer_sets_the_wait_before_the_retry()
    {
        // The first attempt is sent outside Polly and handed to it as attempt 0: its Retry-After must still count.
        using var fake = new FakeDsServer("3.2.2");
        fake.Answer("GET projects/{code}", new { code = 7L, name = "etl" });
        using var c = Connect(fake, DsDialect.V3_2, new DsHttpOptions { MaxRetries = 2, RetryBaseDelay = TimeSpan.FromMilliseconds(1) });
        fake.Faults.Enqueue(FakeResponse.Http(HttpStatusCode.TooManyRequests) with { RetryAfterSeconds = 1 });
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var p = await c.Client.GetProjectAsync(7);

        Assert.Equal("etl", p.Name);
        Assert.Equal(1, c.Statistics.Retries);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(900), $"retried after {clock.Elapsed.TotalMilliseconds:F0} ms, before Retry-After");
    }

    [Fact]
    public async Task A_call_the_caller_cancels_is_neither_retried_nor_reported_as_a_timeout()
    {
        using var fake = new FakeDsServer("3.2.2");
        using var c = Connect(fake, DsDialect.V3_2, new DsHttpOptions { Timeout = TimeSpan.FromSeconds(30), MaxRetries = 3, RetryBaseDelay = TimeSpan.FromMilliseconds(1) });
        fake.Faults.Enqueue(FakeResponse.Ok(null) with { Delay = TimeSpan.FromSeconds(10) });
        var before = fake.Requests.Count;
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => c.Client.GetProjectAsync(7, cts.Token));

        Assert.Equal(1, fake.Requests.Count - before);
        Assert.Equal(0, c.Statistics.Retries);
    }

    [Fact]
    public async Task A_redirect_is_not_followed_so_the_token_goes_nowhere_else()
    {
        using var fake = new FakeDsServer("3.2.2");
        using var c = Connect(fake, DsDialect.V3_2);
        var redirect = new FakeResponse(HttpStatusCode.Found, "");
        fake.Faults.Enqueue(redirect);
        var before = fake.Requests.Count;
        var ex = await Assert.ThrowsAsync<DsApiException>(() => c.Client.GetProjectAsync(1));
        Assert.Equal("DsRedirected", ex.ErrorId);
        Assert.Equal(1, fake.Requests.Count - before);
    }

    [Fact]
    public async Task Token_travels_in_the_token_header()
    {
        using var fake = new FakeDsServer("3.2.2").Answer("GET projects/{code}", new { code = 1L, name = "etl" });
        using var c = Connect(fake, DsDialect.V3_2);
        await c.Client.GetProjectAsync(1);
        Assert.All(fake.Requests, r => Assert.Equal(fake.Token, r.Headers["token"]));
    }

    [Fact]
    public async Task Password_login_sends_the_session_id_header_afterwards()
    {
        using var fake = new FakeDsServer("3.0.1");
        using var c = await DsConnection.ConnectAsync(new DsConnectOptions
        {
            Uri = new Uri("http://ds.test/dolphinscheduler"),
            Credential = new NetworkCredential("admin", fake.Password),
            InnerHandler = fake.Handler,
        });
        var login = fake.Requests.First();
        Assert.Equal("login", login.Path);
        Assert.Equal("admin", login.Form["userName"]);
        Assert.All(fake.Requests.Skip(1), r => Assert.Equal(fake.SessionId, r.Headers["sessionId"]));
        Assert.Equal("3.0.1", c.Version);
        Assert.Equal("Session (admin)", c.Authentication);
        Assert.DoesNotContain(fake.SessionId, c.ToString());
    }

    [Fact]
    public async Task Wrong_password_is_an_authentication_error_naming_the_ds_code()
    {
        // A unique wrong password: every password a login sends is registered as a secret for the whole process.
        var wrong = "wrong-" + Guid.NewGuid().ToString("N")[..8];
        using var fake = new FakeDsServer("3.2.2");
        var ex = await Assert.ThrowsAsync<DsApiException>(() => DsConnection.ConnectAsync(new DsConnectOptions
        {
            Uri = new Uri("http://ds.test/dolphinscheduler"), Credential = new NetworkCredential("admin", wrong), InnerHandler = fake.Handler,
        }));
        Assert.Equal(10013, ex.DsCode);
        Assert.Equal(DsErrorKind.Authentication, ex.Kind);
        Assert.DoesNotContain(wrong, ex.Message);
    }

    [Theory]
    [InlineData("3.0.1", "processDefineCode", "processInstanceId")]
    [InlineData("3.3-dev", "workflowDefinitionCode", "workflowInstanceId")]
    public async Task Instance_filters_use_the_version_s_parameter_names(string endpoints, string definitionParam, string instanceParam)
    {
        using var fake = new FakeDsServer(endpoints).Answer("GET ui-plugins/query-product-info", new { version = "3.3.0" });
        using var c = Connect(fake);
        var segment = c.Dialect.WorkflowInstanceSegment;
        fake.AnswerPaged($"GET projects/{{projectCode}}/{segment}", new[] { new { id = 5, name = "run", state = "FAILURE", processDefinitionCode = 9L, workflowDefinitionCode = 9L, startTime = "2024-05-01 02:00:00" } });
        fake.AnswerPaged("GET projects/{projectCode}/task-instances", new[] { new { id = 50, name = "t", state = "FAILURE", processInstanceId = 5, workflowInstanceId = 5 } });

        var instances = new List<DsOps.Engine.Models.DsWorkflowInstance>();
        await foreach (var i in c.Client.GetWorkflowInstancesAsync(1, new DsInstanceFilter { WorkflowCode = 9, StateName = "FAILURE", Since = new DateTime(2024, 5, 1, 0, 0, 0, DateTimeKind.Utc) })) instances.Add(i);
        var tasks = new List<DsOps.Engine.Models.DsTaskInstance>();
        await foreach (var t in c.Client.GetTaskInstancesAsync(1, new DsInstanceFilter { WorkflowInstanceId = 5 })) tasks.Add(t);

        var list = fake.Requests.First(r => r.Path == $"projects/1/{segment}");
        Assert.Equal("9", list.Query[definitionParam]);
        Assert.Equal("FAILURE", list.Query["stateType"]);
        Assert.Equal("2024-05-01 00:00:00", list.Query["startDate"]);
        Assert.Equal("5", fake.Requests.First(r => r.Path == "projects/1/task-instances").Query[instanceParam]);
        Assert.Equal(DsRunState.Failed, instances.Single().State);
        Assert.Equal(9, instances.Single().WorkflowCode);
        Assert.Equal(5, tasks.Single().WorkflowInstanceId);
    }

    [Fact]
    public async Task Reads_a_dag_with_tasks_and_upstream_names_for_each_dialect_key()
    {
        foreach (var (endpoints, defKey, relKey) in new[] { ("3.2.2", "processDefinition", "processTaskRelationList"), ("3.3-dev", "workflowDefinition", "workflowTaskRelationList") })
        {
            using var fake = new FakeDsServer(endpoints).Answer("GET ui-plugins/query-product-info", new { version = "3.3.0" });
            var dag = new Dictionary<string, object>
            {
                [defKey] = new { code = 77L, name = "daily", version = 3, releaseState = "OFFLINE", projectCode = 1L },
                [relKey] = new object[] { new { preTaskCode = 0L, postTaskCode = 1L }, new { preTaskCode = 1L, postTaskCode = 2L } },
                ["taskDefinitionList"] = new object[]
                {
                    new { code = 1L, version = 1, name = "extract", taskType = "SHELL", taskParams = new { rawScript = "echo 1" } },
                    new { code = 2L, version = 1, name = "load", taskType = "SQL", taskParams = new { sql = "select 1" } },
                },
            };
            fake.Answer($"GET projects/{{projectCode}}/{(endpoints == "3.2.2" ? "process" : "workflow")}-definition/all", new[] { dag });
            using var c = Connect(fake);
            var all = await c.Client.GetAllWorkflowDagsJsonAsync(1);
            var wf = c.Client.MapDag(all[0], 1);
            Assert.Equal("daily", wf.Name);
            Assert.Equal(2, wf.Tasks!.Count);
            Assert.Equal(new[] { "extract" }, wf.Tasks.Single(t => t.Name == "load").Upstream);
            Assert.Contains("rawScript", wf.Tasks.Single(t => t.Name == "extract").TaskParams);
        }
    }

    [Fact]
    public async Task Generates_task_codes_in_batches_of_at_most_100()
    {
        using var fake = new FakeDsServer("3.2.2");
        long next = 1;
        fake.Answer("GET projects/{projectCode}/task-definition/gen-task-codes", r =>
            FakeResponse.Ok(Enumerable.Range(0, int.Parse(r.Query["genNum"])).Select(_ => next++).ToArray()));
        using var c = Connect(fake, DsDialect.V3_2);
        var codes = await c.Client.GenerateTaskCodesAsync(1, 250);
        Assert.Equal(250, codes.Distinct().Count());
        Assert.Equal(new[] { "100", "100", "50" }, fake.Requests.Where(r => r.Path.EndsWith("gen-task-codes")).Select(r => r.Query["genNum"]));
    }

    [Theory]
    [InlineData("http://ds:12345", "http://ds:12345/dolphinscheduler/")]
    [InlineData("http://ds:12345/dolphinscheduler", "http://ds:12345/dolphinscheduler/")]
    [InlineData("https://ds.example.com/ds/dolphinscheduler/?x=1", "https://ds.example.com/ds/dolphinscheduler/")]
    public void Base_uri_is_normalized(string input, string expected) =>
        Assert.Equal(expected, DsHttpPipeline.NormalizeBase(new Uri(input)).ToString());

    [Fact]
    public void Non_http_uri_is_refused() =>
        Assert.Throws<ArgumentException>(() => DsHttpPipeline.NormalizeBase(new Uri("ftp://ds/")));
}

public class DsJsonArrayStreamerTests
{
    [Fact]
    public async Task Streams_every_dag_in_order_including_ones_larger_than_the_read_buffer()
    {
        using var fake = new FakeDsServer("3.2.2");
        var dags = Enumerable.Range(0, 300).Select(i => new Dictionary<string, object>
        {
            ["processDefinition"] = new { code = 1000L + i, name = $"wf_{i}" },
            ["taskDefinitionList"] = new[] { new { code = 1L, name = "t", taskParams = new { rawScript = new string('x', i == 150 ? 200_000 : 500) } } },
        }).ToList();
        fake.Answer("GET projects/{projectCode}/process-definition/all", dags);
        using var c = DsClientTests.Connect(fake, DsDialect.V3_2);

        var seen = new List<(string Name, int ScriptLength)>();
        await c.Client.ForEachWorkflowDagAsync(1, dag => seen.Add((
            dag.GetProperty("processDefinition").GetProperty("name").GetString()!,
            dag.GetProperty("taskDefinitionList")[0].GetProperty("taskParams").GetProperty("rawScript").GetString()!.Length)));

        Assert.Equal(dags.Select((_, i) => $"wf_{i}"), seen.Select(s => s.Name));
        Assert.Equal(200_000, seen[150].ScriptLength);
    }

    [Fact]
    public async Task Workflows_with_tasks_stream_one_at_a_time_in_order()
    {
        using var fake = new FakeDsServer("3.2.2");
        var dags = Enumerable.Range(0, 50).Select(i => new Dictionary<string, object>
        {
            ["processDefinition"] = new { code = 1000L + i, name = $"wf_{i}" },
            ["taskDefinitionList"] = new[] { new { code = 1L, name = "t", taskParams = new { rawScript = "echo" } } },
        }).ToList();
        fake.Answer("GET projects/{projectCode}/process-definition/all", dags);
        using var c = DsClientTests.Connect(fake, DsDialect.V3_2);

        var names = new List<string>();
        await foreach (var w in c.Client.GetWorkflowsWithTasksAsync(1))
        {
            names.Add(w.Name);
            Assert.Single(w.Tasks!);
        }
        Assert.Equal(dags.Select((_, i) => $"wf_{i}"), names);

        // A reader that stops early ends the read without an error.
        await foreach (var w in c.Client.GetWorkflowsWithTasksAsync(1)) { Assert.Equal("wf_0", w.Name); break; }
    }

    [Fact]
    public async Task A_failed_streamed_read_of_workflows_keeps_its_own_error()
    {
        using var fake = new FakeDsServer("3.2.2");
        fake.Answer("GET projects/{projectCode}/process-definition/all", _ => FakeResponse.Error(10190, "project not exist"));
        using var c = DsClientTests.Connect(fake, DsDialect.V3_2);
        var ex = await Assert.ThrowsAsync<DsApiException>(async () => { await foreach (var _ in c.Client.GetWorkflowsWithTasksAsync(1)) { } });
        Assert.Equal(DsErrorKind.NotFound, ex.Kind);
    }

    [Fact]
    public async Task A_ds_error_in_a_streamed_answer_is_a_business_error()
    {
        using var fake = new FakeDsServer("3.2.2");
        fake.Answer("GET projects/{projectCode}/process-definition/all", _ => FakeResponse.Error(10190, "project not exist"));
        using var c = DsClientTests.Connect(fake, DsDialect.V3_2);
        var ex = await Assert.ThrowsAsync<DsApiException>(() => c.Client.ForEachWorkflowDagAsync(1, _ => Assert.Fail("no element expected")));
        Assert.Equal(10190, ex.DsCode);
        Assert.Equal(DsErrorKind.NotFound, ex.Kind);
    }

    [Fact]
    public async Task An_unmapped_route_in_a_streamed_read_is_reported_as_missing()
    {
        using var fake = new FakeDsServer("3.0.1");
        using var c = DsClientTests.Connect(fake, DsDialect.V3_3);
        var ex = await Assert.ThrowsAsync<DsApiException>(() => c.Client.ForEachWorkflowDagAsync(1, _ => { }));
        Assert.Equal(DsErrorKind.EndpointMissing, ex.Kind);
    }
}
