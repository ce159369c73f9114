using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;

namespace DsOps.Emulator.Tests;

/// <summary>Fault injection: latency, 5xx and 429 rates, dropped connections, one slow endpoint, a restart.</summary>
public class FaultTests
{
    [Fact]
    public async Task Server_errors_rate_limits_and_forced_failures()
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = "3.2", Faults = f => f.FailNextRequests = 2 });
        using var c = new DsTestClient(emu);
        using (var r1 = await c.SendAsync(HttpMethod.Get, "projects/list")) Assert.Equal(HttpStatusCode.ServiceUnavailable, r1.StatusCode);
        using (var r2 = await c.SendAsync(HttpMethod.Get, "projects/list")) Assert.Equal(HttpStatusCode.ServiceUnavailable, r2.StatusCode);
        using (var r3 = await c.SendAsync(HttpMethod.Get, "projects/list")) Assert.Equal(HttpStatusCode.OK, r3.StatusCode);

        emu.Faults.RateLimitRate = 1;
        using (var r4 = await c.SendAsync(HttpMethod.Get, "projects/list"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, r4.StatusCode);
            Assert.Empty(await r4.Content.ReadAsByteArrayAsync());
        }
        emu.Faults.Clear();
        emu.Faults.ServerErrorRate = 0.5;
        emu.Faults.ServerErrorStatus = 502;
        emu.Faults.Reseed(7);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 40; i++)
        {
            using var r = await c.SendAsync(HttpMethod.Get, "projects/list");
            statuses.Add(r.StatusCode);
        }
        var failures = statuses.Count(s => s == HttpStatusCode.BadGateway);
        Assert.InRange(failures, 8, 32); // seeded: about half
        Assert.Equal(40 - failures, statuses.Count(s => s == HttpStatusCode.OK));
    }

    [Fact]
    public async Task Dropped_connections_latency_and_one_slow_endpoint()
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = "3.3" });
        using var c = new DsTestClient(emu);
        emu.Faults.DropRate = 1;
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => c.SendAsync(HttpMethod.Get, "projects/list"));
        emu.Faults.Clear();

        emu.Faults.SlowEndpoint = "/projects/list";
        emu.Faults.SlowEndpointDelay = TimeSpan.FromMilliseconds(2000);
        var sw = Stopwatch.StartNew();
        using (await c.SendAsync(HttpMethod.Get, "projects/list")) { }
        var slow = sw.Elapsed;
        Assert.True(slow >= TimeSpan.FromMilliseconds(1950), $"slow endpoint answered after {slow}");
        sw.Restart();
        using (await c.SendAsync(HttpMethod.Get, "projects", new { pageNo = 1, pageSize = 1 })) { }
        // Relative check, so a loaded build machine cannot make it flaky: the other route lacks the 2 s delay.
        Assert.True(sw.Elapsed + TimeSpan.FromMilliseconds(1000) < slow, $"other endpoints are not slowed ({sw.Elapsed} vs {slow})");

        emu.Faults.Clear();
        emu.Faults.Latency = TimeSpan.FromMilliseconds(300);
        sw.Restart();
        using (await c.SendAsync(HttpMethod.Get, "projects", new { pageNo = 1, pageSize = 1 })) { }
        Assert.True(sw.Elapsed >= TimeSpan.FromMilliseconds(280));
    }

    [Fact]
    public async Task Restart_refuses_connections_then_serves_again_with_sessions_intact()
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = "3.0" });
        using var anon = new DsTestClient(emu, withToken: false);
        var login = await anon.PostAsync("login", new { userName = "admin", userPassword = "dolphinscheduler123" });
        var sessionId = login["data"]!["sessionId"]!.GetValue<string>();
        var port = emu.BaseUri.Port;

        var restart = emu.RestartAsync(TimeSpan.FromMilliseconds(800));
        await Task.Delay(300);
        using (var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) })
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => probe.GetAsync(emu.BaseUri + "projects/list"));
        await restart;

        Assert.Equal(port, emu.BaseUri.Port);
        using var http = new HttpClient { BaseAddress = emu.BaseUri };
        http.DefaultRequestHeaders.Add("sessionId", sessionId);
        using var res = await http.GetAsync("projects/list");
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        Assert.Equal(0, JsonNode.Parse(await res.Content.ReadAsStringAsync())!["code"]!.GetValue<int>());
    }
    [Fact]
    public async Task A_drip_sends_the_headers_at_once_and_the_body_at_the_set_rate()
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = "3.2" });
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, emu.BaseUri + "projects/list");
        request.Headers.Add("token", emu.AdminToken);
        emu.Faults.DripBytesPerSecond = 100;
        var sw = Stopwatch.StartNew();
        using var r = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var headers = sw.Elapsed;
        var body = await r.Content.ReadAsByteArrayAsync();
        var total = sw.Elapsed;

        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.True(body.Length >= 50, $"{body.Length} bytes");
        var expected = TimeSpan.FromSeconds(body.Length / 100.0);
        Assert.True(total >= expected * 0.8, $"{body.Length} bytes at 100 B/s took {total.TotalSeconds:F2} s");
        Assert.True(headers < expected * 0.5, $"headers came after {headers.TotalSeconds:F2} s of {total.TotalSeconds:F2} s");
    }

    [Theory]
    [InlineData("--fault-error-rate", "0.1")]
    [InlineData("--fault-429-rate", "0.05")]
    [InlineData("--fault-drop-rate", "0.03")]
    [InlineData("--fault-latency-ms", "250")]
    [InlineData("--fault-drip-bytes-per-sec", "1")]
    [InlineData("--fault-seed", "7")]
    public void Command_line_fault_options_set_the_matching_property(string option, string value)
    {
        var f = new Hosting.FaultSettings();
        Assert.True(f.TrySet(option, value));
        var set = option switch
        {
            "--fault-error-rate" => f.ServerErrorRate == 0.1,
            "--fault-429-rate" => f.RateLimitRate == 0.05,
            "--fault-drop-rate" => f.DropRate == 0.03,
            "--fault-latency-ms" => f.Latency == TimeSpan.FromMilliseconds(250),
            "--fault-drip-bytes-per-sec" => f.DripBytesPerSecond == 1,
            _ => true,
        };
        Assert.True(set, option);
        Assert.False(f.TrySet("--dialect", "3.2"));
    }

    [Theory]
    [InlineData("--fault-error-rate", "1.5")]
    [InlineData("--fault-drop-rate", "-0.1")]
    [InlineData("--fault-latency-ms", "-5")]
    public void Out_of_range_fault_values_are_refused_naming_the_option(string option, string value)
    {
        var ex = Assert.Throws<ArgumentException>(() => new Hosting.FaultSettings().TrySet(option, value));
        Assert.Contains(option, ex.Message);
    }

    [Fact]
    public async Task The_standalone_emulator_takes_fault_options_on_its_command_line()
    {
        using var emu = await StandaloneProcessTests.StartAsync("--dialect", "3.2", "--fault-429-rate", "1", "--fault-seed", "3");
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, emu.Info.GetProperty("apiUri").GetString() + "projects/list");
        request.Headers.Add("token", emu.Info.GetProperty("token").GetString());
        using var r = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode);
    }

    [Fact]
    public void A_bad_fault_value_stops_the_standalone_emulator_before_it_starts_anything()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { StandaloneProcessTests.EmulatorDll, "--fault-error-rate", "2" }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(60_000));
        Assert.Equal(2, p.ExitCode);
        Assert.Contains("--fault-error-rate takes a fraction from 0 to 1", stderr);
    }
}

/// <summary>A second emulator on the same database picks up what the first left running (master restart).</summary>
public class MasterRestartTests
{
    [Theory]
    [InlineData("3.2")]
    [InlineData("3.3")]
    public async Task Instances_left_running_are_finished_by_the_next_emulator(string dialect)
    {
        string cs;
        long project;
        await using (var first = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect, ClockStart = new DateTime(2024, 6, 1) }))
        {
            using var c = new DsTestClient(first);
            var s = new Scenario(c);
            project = await s.CreateProjectAsync();
            var (code, _) = await s.CreateChainAsync(project, "long", "sleep 120", "echo");
            await s.ReleaseAsync(project, code, "ONLINE");
            DsTestClient.Ok(await c.PostAsync($"projects/{project}/executors/{c.Dialect.StartWorkflowAction}", new Dictionary<string, string>
            {
                [c.Dialect.WorkflowCodeParameter] = code.ToString(), ["scheduleTime"] = "", ["failureStrategy"] = "END", ["warningType"] = "NONE",
            }));
            await first.AdvanceAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(1, await c.ScalarAsync($"SELECT state FROM {c.T("t_ds_process_instance")}"));
            cs = first.ConnectionString;
        }
        await using var second = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect, ConnectionString = cs, ClockStart = new DateTime(2024, 6, 1, 0, 0, 30) });
        using var c2 = new DsTestClient(second);
        await second.RunUntilIdleAsync();
        Assert.Equal(7, await c2.ScalarAsync($"SELECT state FROM {c2.T("t_ds_process_instance")}"));
        Assert.Equal(2, await c2.ScalarAsync("SELECT COUNT(*) FROM t_ds_task_instance WHERE state = 7"));
        // Data and users survive; the second emulator answers the same project and both admin tokens exist.
        DsTestClient.Ok(await c2.GetAsync($"projects/{project}"));
        Assert.Equal(2, await c2.ScalarAsync("SELECT COUNT(*) FROM t_ds_access_token WHERE user_id = 1"));
        // Health and queues.
        using var health = await new HttpClient().GetAsync(second.BaseUri + "actuator/health");
        Assert.Contains("\"UP\"", await health.Content.ReadAsStringAsync());
        var queues = DsTestClient.Ok(await c2.GetAsync("queues/list"))!.AsArray();
        Assert.Equal("default", queues[0]!["queueName"]!.GetValue<string>());
        DsTestClient.Code(10130, await c2.PostAsync("queues", new { queue = "q2", queueName = "default" }));
    }

}
