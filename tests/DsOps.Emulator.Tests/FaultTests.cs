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
        emu.Faults.SlowEndpointDelay = TimeSpan.FromMilliseconds(600);
        var sw = Stopwatch.StartNew();
        using (await c.SendAsync(HttpMethod.Get, "projects/list")) { }
        Assert.True(sw.Elapsed >= TimeSpan.FromMilliseconds(550), $"slow endpoint answered after {sw.Elapsed}");
        sw.Restart();
        using (await c.SendAsync(HttpMethod.Get, "projects", new { pageNo = 1, pageSize = 1 })) { }
        Assert.True(sw.Elapsed < TimeSpan.FromMilliseconds(550), "other endpoints are not slowed");

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
}
