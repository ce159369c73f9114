using System.Net;
using System.Text.Json.Nodes;
using DsOps.Emulator.Hosting;
using DsOps.Testing;

namespace DsOps.Emulator.Tests;

/// <summary>Host, auth, envelope and status catalog (docs/ds-facts.md §1–2).</summary>
public class HostAndAuthTests
{
    public static TheoryData<string> Dialects => new() { "3.0", "3.1", "3.2", "3.3", "3.4" };

    [Theory, MemberData(nameof(Dialects))]
    public async Task Missing_or_wrong_token_gets_401_with_empty_body(string dialect)
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        Assert.EndsWith("/dolphinscheduler/", emu.BaseUri.AbsoluteUri);
        using var anonymous = new DsTestClient(emu, withToken: false);
        using var res = await anonymous.SendAsync(HttpMethod.Get, "projects", new { pageNo = 1, pageSize = 10 });
        Assert.Equal(HttpStatusCode.Unauthorized, res.StatusCode);
        Assert.Equal("", await res.Content.ReadAsStringAsync());

        using var wrong = new DsTestClient(emu, token: "not-a-token");
        using var res2 = await wrong.SendAsync(HttpMethod.Get, "projects", new { pageNo = 1, pageSize = 10 });
        Assert.Equal(HttpStatusCode.Unauthorized, res2.StatusCode);
        Assert.Empty(await res2.Content.ReadAsByteArrayAsync());
    }

    [Theory, MemberData(nameof(Dialects))]
    public async Task Expired_token_is_refused(string dialect)
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        using var admin = new DsTestClient(emu);
        await admin.ScalarAsync("INSERT INTO t_ds_access_token (user_id, token, expire_time, create_time, update_time) VALUES (1, 'old', @t, @t, @t)",
            ("t", emu.Clock.Now.AddMinutes(-1)));
        using var expired = new DsTestClient(emu, token: "old");
        using var res = await expired.SendAsync(HttpMethod.Get, "projects/list");
        Assert.Equal(HttpStatusCode.Unauthorized, res.StatusCode);
    }

    [Theory, MemberData(nameof(Dialects))]
    public async Task Login_creates_a_session_usable_by_header_and_cookie(string dialect)
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        using var anon = new DsTestClient(emu, withToken: false);
        var bad = await anon.PostAsync("login", new { userName = "admin", userPassword = "wrong" });
        DsTestClient.Code(10013, bad);
        Assert.Equal("user name or password error", bad["msg"]!.GetValue<string>());

        using var res = await anon.SendAsync(HttpMethod.Post, "login", new { userName = "admin", userPassword = "dolphinscheduler123" });
        var body = JsonNode.Parse(await res.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal("login success", body["msg"]!.GetValue<string>());
        var sessionId = body["data"]!["sessionId"]!.GetValue<string>();
        Assert.True(Guid.TryParse(sessionId, out _));
        // 3.1+ adds securityConfigType to the login data (AbstractAuthenticator from 3.1.0); 3.0.x has only sessionId.
        Assert.Equal(dialect != "3.0", body["data"]!.AsObject().ContainsKey("securityConfigType"));
        Assert.Contains(res.Headers.GetValues("Set-Cookie"), c => c.StartsWith("sessionId=" + sessionId, StringComparison.Ordinal));
        Assert.Equal(1, await anon.ScalarAsync("SELECT COUNT(*) FROM t_ds_session WHERE id = @id AND user_id = 1", ("id", sessionId)));

        using var bySession = new HttpClient { BaseAddress = emu.BaseUri };
        bySession.DefaultRequestHeaders.Add("sessionId", sessionId);
        using var ok = await bySession.GetAsync("projects/list");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        // A second login reuses the still-valid session.
        var again = await anon.PostAsync("login", new { userName = "admin", userPassword = "dolphinscheduler123" });
        Assert.Equal(sessionId, again["data"]!["sessionId"]!.GetValue<string>());
    }

    [Theory, MemberData(nameof(Dialects))]
    public async Task Unmapped_path_is_html_when_authenticated_and_401_otherwise(string dialect)
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        using var c = new DsTestClient(emu);
        using var res = await c.SendAsync(HttpMethod.Get, "no/such/route");
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        Assert.Equal("text/html", res.Content.Headers.ContentType!.MediaType);
        Assert.Contains("<html", await res.Content.ReadAsStringAsync());

        // The other dialect's workflow path is unmapped too (3.3 renamed process-definition → workflow-definition).
        var other = emu.Dialect.UsesWorkflowNaming ? "process-definition" : "workflow-definition";
        using var res2 = await c.SendAsync(HttpMethod.Get, $"projects/1/{other}", new { pageNo = 1, pageSize = 10 });
        Assert.Equal("text/html", res2.Content.Headers.ContentType!.MediaType);

        using var anon = new DsTestClient(emu, withToken: false);
        using var res3 = await anon.SendAsync(HttpMethod.Get, "no/such/route");
        Assert.Equal(HttpStatusCode.Unauthorized, res3.StatusCode);
    }

    [Theory, MemberData(nameof(Dialects))]
    public async Task Missing_required_parameter_answers_the_routes_ApiException_status(string dialect)
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        using var c = new DsTestClient(emu);
        var status = StatusCatalog.Load(RepoPaths.StatusTable(DsEmulator.StatusLabel(emu.Dialect)));
        var endpoints = DsEmulator.LoadEndpoints(RepoPaths.DsData, emu.Dialect);
        var route = endpoints.Routes.Single(r => r.Method == "POST" && r.Template == "/projects");
        var expected = status.ByName(route.ErrorStatus!);

        var env = await c.PostAsync("projects", new { description = "no name" });
        DsTestClient.Code(expected.Code, env);
        var msg = env["msg"]!.GetValue<string>();
        Assert.StartsWith(expected.Template, msg);
        // 3.3-dev appends ":" + the exception message; older versions send the status message alone.
        Assert.Equal(emu.Dialect.UsesWorkflowNaming, msg.Length > expected.Template.Length);
    }

    [Theory, MemberData(nameof(Dialects))]
    public async Task Paging_checks_pageNo_and_names_the_offset_per_version(string dialect)
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        using var c = new DsTestClient(emu);
        var s = new Scenario(c);
        for (var i = 0; i < 3; i++) await s.CreateProjectAsync("p" + i);
        DsTestClient.Code(10001, await c.GetAsync("projects", new { pageNo = 0, pageSize = 10 }));

        var page = DsTestClient.Ok(await c.GetAsync("projects", new { pageNo = 2, pageSize = 2 }))!.AsObject();
        Assert.Equal(3, page["total"]!.GetValue<long>());
        Assert.Equal(2, page["totalPage"]!.GetValue<int>());
        Assert.Equal(2, page["currentPage"]!.GetValue<int>());
        Assert.Single(page["totalList"]!.AsArray());
        // PageInfo serialises its offset as start up to 3.1.x (getStart) and as pageNo from 3.2.
        var startField = emu.Dialect.Version < new Version(3, 2, 0);
        Assert.Equal(2, page[startField ? "start" : "pageNo"]!.GetValue<int>());
        Assert.False(page.ContainsKey(startField ? "pageNo" : "start"));
    }

    [Theory, MemberData(nameof(Dialects))]
    public async Task Request_log_counts_routes_and_writes(string dialect)
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        using var c = new DsTestClient(emu);
        await c.GetAsync("projects", new { pageNo = 1, pageSize = 10 });
        await c.GetAsync("projects", new { pageNo = 1, pageSize = 10 });
        Assert.Equal(2, emu.RequestLog.Count("GET", "/projects"));
        Assert.Equal(0, emu.RequestLog.WritingRequests);
        await new Scenario(c).CreateProjectAsync();
        Assert.Equal(1, emu.RequestLog.WritingRequests);
        Assert.Equal(3, emu.RequestLog.Total);
    }
}

/// <summary>Access tokens (docs/ds-facts.md §1.4): created tokens authenticate, deleted ones stop working.</summary>
public class AccessTokenTests
{
    [Theory]
    [InlineData("3.0")]
    [InlineData("3.2")]
    [InlineData("3.3")]
    public async Task Created_token_authenticates_until_deleted(string dialect)
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        using var admin = new DsTestClient(emu);
        var expire = DsOps.Emulator.Hosting.DsJson.Format(emu.Clock.Now.AddDays(1));
        var created = DsTestClient.Ok(await admin.PostAsync("access-tokens", new { userId = 1, expireTime = expire }))!;
        var token = created["token"]!.GetValue<string>();
        Assert.Equal(32, token.Length);
        Assert.Equal(1, await admin.ScalarAsync("SELECT COUNT(*) FROM t_ds_access_token WHERE token = @t AND user_id = 1", ("t", token)));

        using var user = new DsTestClient(emu, token: token);
        DsTestClient.Ok(await user.GetAsync("projects/list"));
        DsTestClient.Code(10001, await admin.PostAsync("access-tokens", new { userId = 1, expireTime = "tomorrow" }));

        DsTestClient.Ok(await admin.DeleteAsync($"access-tokens/{created["id"]}"));
        using var res = await user.SendAsync(HttpMethod.Get, "projects/list");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, res.StatusCode);
    }
}

/// <summary>Users and grants: a general user sees only granted projects and cannot do admin work.</summary>
public class UserPermissionTests
{
    [Theory]
    [InlineData("3.0")]
    [InlineData("3.2")]
    [InlineData("3.3")]
    public async Task General_user_needs_project_grants(string dialect)
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        using var admin = new DsTestClient(emu);
        var s = new Scenario(admin);
        var granted = await s.CreateProjectAsync("granted");
        var hidden = await s.CreateProjectAsync("hidden");
        var tenant = DsTestClient.Ok(await admin.PostAsync("tenants", new { tenantCode = "ops", queueId = 1 }))!["id"]!.GetValue<int>();
        var user = DsTestClient.Ok(await admin.PostAsync("users/create", new { userName = "bob", userPassword = "Bob12345", tenantId = tenant, email = "bob@example.com" }))!;
        Assert.False(user.AsObject().ContainsKey("userPassword"));
        DsTestClient.Code(10003, await admin.PostAsync("users/create", new { userName = "bob", userPassword = "x1234567", tenantId = tenant, email = "b@example.com" }));
        DsTestClient.Ok(await admin.PostAsync("users/grant-project-by-code", new { userId = user["id"]!.GetValue<int>(), projectCode = granted }));

        using var anon = new DsTestClient(emu, withToken: false);
        var session = (await anon.PostAsync("login", new { userName = "bob", userPassword = "Bob12345" }))["data"]!["sessionId"]!.GetValue<string>();
        using var bob = new HttpClient { BaseAddress = emu.BaseUri };
        bob.DefaultRequestHeaders.Add("sessionId", session);
        async Task<JsonObject> Get(string path) => JsonNode.Parse(await bob.GetStringAsync(path))!.AsObject();

        var list = DsTestClient.Ok(await Get("projects?pageNo=1&pageSize=10"))!;
        Assert.Equal("granted", list["totalList"]!.AsArray().Single()!["name"]!.GetValue<string>());
        DsTestClient.Code(30002, await Get($"projects/{hidden}"));
        DsTestClient.Code(30001, await Get("users/list-paging?pageNo=1&pageSize=10"));
    }
}
