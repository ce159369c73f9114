using System.Management.Automation;
using System.Net;
using DsOps.Engine.Api;
using DsOps.Engine.Dialects;
using DsOps.Engine.Models;
using DsOps.Tests.Api;
using DsOps.Tests.Fakes;
using DsOps.Tests.Hosting;
using Xunit;

namespace DsOps.Tests.Commands;

/// <summary>The read cmdlets in the real engine against a DS-shaped fake served on loopback.</summary>
public sealed class ApiCmdletTests : IDisposable
{
    private readonly FakeDsServer _fake;
    private readonly Uri _uri;
    private readonly HostedEngine _engine = new();

    public ApiCmdletTests()
    {
        _fake = new FakeDsServer("3.2.2");
        _fake.AnswerPaged("GET projects", new[]
        {
            new { code = 11L, name = "etl", userName = "admin", defCount = 2, description = "nightly" },
            new { code = 12L, name = "reports", userName = "ops", defCount = 1, description = "" },
        });
        _fake.Answer("GET projects/{code}", r => r.Path == "projects/11" ? FakeResponse.Ok(new { code = 11L, name = "etl" }) : FakeResponse.Error(10018, "project  not found"));
        _fake.AnswerPaged("GET projects/{projectCode}/process-definition", new[]
        {
            new { code = 101L, name = "daily_sales", version = 3, releaseState = "ONLINE", projectCode = 11L },
            new { code = 102L, name = "daily_stock", version = 1, releaseState = "OFFLINE", projectCode = 11L },
        });
        _fake.Answer("GET projects/{projectCode}/process-instances", r =>
        {
            var rows = new[]
            {
                new { id = 501, name = "daily_sales-3-20240501", state = "FAILURE", processDefinitionCode = 101L, host = "10.0.0.1:5678", startTime = "2024-05-01 02:00:00", endTime = "2024-05-01 02:10:00" },
                new { id = 502, name = "daily_stock-1-20240501", state = "SUCCESS", processDefinitionCode = 102L, host = "10.0.0.1:5678", startTime = "2024-05-01 03:00:00", endTime = "2024-05-01 03:01:00" },
            }.Where(x => !r.Query.TryGetValue("processDefineCode", out var c) || x.processDefinitionCode.ToString() == c)
             .Where(x => !r.Query.TryGetValue("stateType", out var s) || x.state == s).ToList();
            return FakeResponse.Ok(new { totalList = rows, total = rows.Count, totalPage = 1, pageSize = 100, currentPage = 1, pageNo = 0 });
        });
        _fake.Answer("GET projects/{projectCode}/task-instances", r =>
        {
            var rows = new[] { new { id = 9001, name = "load", state = "FAILURE", processInstanceId = int.Parse(r.Query.GetValueOrDefault("processInstanceId", "0")), host = "10.0.0.9:1234", retryTimes = 2 } };
            return FakeResponse.Ok(new { totalList = rows, total = 1, totalPage = 1, pageSize = 100, currentPage = 1, pageNo = 0 });
        });
        _fake.Answer("GET monitor/{nodeType}", r => FakeResponse.Ok(new[] { new { host = "10.0.0.1", port = r.Path.EndsWith("MASTER") ? 5678 : 1234, resInfo = "{\"cpuUsage\":0.1,\"memoryUsage\":0.2,\"serverStatus\":\"NORMAL\",\"reportTime\":1700000000000}" } }));
        _fake.AnswerPaged("GET worker-groups", new[] { new { id = 1, name = "default", addrList = "10.0.0.9:1234,10.0.0.10:1234" }, new { id = 2, name = "etl", addrList = "10.0.0.9:1234" } });
        _fake.AnswerPaged("GET tenants", new[] { new { id = 1, tenantCode = "hadoop", queueName = "default" } });
        _fake.AnswerPaged("GET datasources", new[] { new { id = 3, name = "dw_mysql", type = "MYSQL" } });
        _fake.AnswerPaged("GET environment/list-paging", new[] { new { code = 77L, name = "prod_env", workerGroups = new[] { "default" } } });
        _fake.AnswerPaged("GET alert-groups", new[] { new { id = 1, groupName = "default admin warning group", alertInstanceIds = "1,2" } });
        _uri = _fake.StartListener();
    }

    private DsConnection Connect() =>
        _engine.Run("Connect-DsServer", new { Uri = _uri, Token = DsClientTests.Secure(_fake.Token) }).Objects<DsConnection>().Single();

    [Fact]
    public void Connect_detects_the_version_and_sets_the_session_default()
    {
        var c = Connect();
        Assert.Equal("3.2.2", c.Version);
        Assert.Equal("Token", c.Authentication);
        var current = _engine.Run("Get-DsConnection").Objects<DsConnection>().Single();
        Assert.Same(c, current);
    }

    [Fact]
    public void Objects_flow_from_projects_to_workflows_to_instances_to_task_instances()
    {
        Connect();
        var result = _engine.Script("Get-DsProject -Name etl | Get-DsWorkflow -Name daily_sales | Get-DsWorkflowInstance | Get-DsTaskInstance");
        Assert.Empty(result.Errors);
        var task = result.Objects<DsTaskInstance>().Single();
        Assert.Equal(501, task.WorkflowInstanceId);
        Assert.Equal(DsRunState.Failed, task.State);
        var instanceQuery = _fake.Requests.Single(r => r.Path == "projects/11/process-instances");
        Assert.Equal("101", instanceQuery.Query["processDefineCode"]);
    }

    [Fact]
    public void Name_wildcards_filter_and_state_filters_are_sent_with_the_version_s_names()
    {
        Connect();
        var workflows = _engine.Run("Get-DsWorkflow", new { Project = "etl", Name = new[] { "*stock" } }).Objects<DsWorkflow>();
        Assert.Equal(new[] { "daily_stock" }, workflows.Select(w => w.Name));
        var failed = _engine.Run("Get-DsWorkflowInstance", new { Project = "11", State = new[] { DsRunState.Failed } }).Objects<DsWorkflowInstance>();
        Assert.Equal(new[] { 501 }, failed.Select(i => i.WorkflowInstanceId));
        Assert.Contains(_fake.Requests, r => r.Path == "projects/11/process-instances" && r.Query.GetValueOrDefault("stateType") == "FAILURE");
    }

    [Fact]
    public void Cluster_resources_are_typed_objects()
    {
        Connect();
        Assert.Equal(new[] { "default", "etl" }, _engine.Run("Get-DsWorkerGroup").Objects<DsWorkerGroup>().Select(g => g.Name));
        Assert.Equal(2, _engine.Run("Get-DsWorkerGroup", new { Name = new[] { "default" } }).Objects<DsWorkerGroup>().Single().Addresses.Count);
        Assert.Equal("hadoop", _engine.Run("Get-DsTenant").Objects<DsTenant>().Single().TenantCode);
        Assert.Equal("MYSQL", _engine.Run("Get-DsDataSource").Objects<DsDataSource>().Single().Type);
        Assert.Equal(77, _engine.Run("Get-DsEnvironment").Objects<DsEnvironment>().Single().EnvironmentCode);
        Assert.Equal(new[] { 1, 2 }, _engine.Run("Get-DsAlertGroup").Objects<DsAlertGroup>().Single().AlertInstanceIds);
        var nodes = _engine.Run("Get-DsServerNode").Objects<DsServerNode>();
        Assert.Equal(new[] { DsServerRole.Master, DsServerRole.Worker, DsServerRole.AlertServer }, nodes.Select(n => n.Role));
        Assert.All(nodes, n => Assert.Equal("NORMAL", n.Status));
    }

    [Fact]
    public void A_ds_error_becomes_an_error_record_with_a_stable_id_and_the_ds_code()
    {
        Connect();
        var result = _engine.Run("Get-DsProject", new { Code = new[] { 99L } });
        var error = Assert.Single(result.Errors);
        Assert.Equal("DsObjectNotFound,DsOps.Commands.GetDsProjectCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Contains("10018", error.Exception.Message);
        Assert.Equal(10018, ((DsApiException)error.Exception).DsCode);
    }

    [Fact]
    public void ErrorAction_Stop_stops_the_pipeline()
    {
        Connect();
        var ex = Assert.ThrowsAny<RuntimeException>(() => _engine.Run("Get-DsProject", new Dictionary<string, object> { ["Code"] = new[] { 99L }, ["ErrorAction"] = ActionPreference.Stop }));
        Assert.Equal("DsObjectNotFound,DsOps.Commands.GetDsProjectCommand", ex.ErrorRecord.FullyQualifiedErrorId);
    }

    [Fact]
    public void Without_a_connection_commands_say_so()
    {
        var ex = Assert.Throws<CmdletInvocationException>(() => _engine.Run("Get-DsProject"));
        Assert.Equal("DsNotConnected,DsOps.Commands.GetDsProjectCommand", ex.ErrorRecord.FullyQualifiedErrorId);
    }

    [Fact]
    public void Bad_token_fails_at_connect_with_an_authentication_error_and_no_secret()
    {
        var ex = Assert.Throws<CmdletInvocationException>(() => _engine.Run("Connect-DsServer", new { Uri = _uri, Token = DsClientTests.Secure("not-the-token-123") }));
        Assert.Equal("DsAuthenticationFailed,DsOps.Commands.ConnectDsServerCommand", ex.ErrorRecord.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.AuthenticationError, ex.ErrorRecord.CategoryInfo.Category);
        Assert.DoesNotContain("not-the-token-123", ex.ErrorRecord.ToString());
    }

    [Fact]
    public void Secrets_never_appear_in_any_stream()
    {
        var token = DsClientTests.Secure(_fake.Token);
        var parameters = new Dictionary<string, object> { ["Uri"] = _uri, ["Token"] = token, ["Verbose"] = true, ["Debug"] = true };
        var connect = _engine.Run("Connect-DsServer", parameters);
        var list = _engine.Run("Get-DsProject", new Dictionary<string, object> { ["Code"] = new[] { 99L }, ["Verbose"] = true });
        var login = _engine.Run("Connect-DsServer", new Dictionary<string, object>
        {
            ["Uri"] = _uri, ["Credential"] = new PSCredential("admin", DsClientTests.Secure(_fake.Password)), ["Verbose"] = true, ["Name"] = "pw",
        });
        var badLogin = Assert.Throws<CmdletInvocationException>(() => _engine.Run("Connect-DsServer", new Dictionary<string, object>
        {
            ["Uri"] = _uri, ["Credential"] = new PSCredential("admin", DsClientTests.Secure("wrong-password-777")),
        }));
        var text = connect.AllText() + list.AllText() + login.AllText() + badLogin.ErrorRecord + badLogin.ErrorRecord.Exception;
        foreach (var connection in connect.Objects<DsConnection>().Concat(login.Objects<DsConnection>()))
            text += connection + string.Join(";", typeof(DsConnection).GetProperties().Select(p => p.GetValue(connection)?.ToString()));
        Assert.NotEmpty(connect.Verbose);
        Assert.DoesNotContain(_fake.Token, text);
        Assert.DoesNotContain(_fake.Password, text);
        Assert.DoesNotContain(_fake.SessionId, text);
        Assert.DoesNotContain("wrong-password-777", text);
    }

    [Fact]
    public void Disconnect_honours_WhatIf_and_clears_the_default()
    {
        Connect();
        _engine.Run("Disconnect-DsServer", new { WhatIf = true });
        Assert.Single(_engine.Run("Get-DsConnection").Output);
        _engine.Run("Disconnect-DsServer");
        Assert.Empty(_engine.Run("Get-DsConnection").Output);
    }

    [Fact]
    public void Project_and_workflow_names_complete_from_the_server()
    {
        Connect();
        using var ps = PowerShell.Create();
        ps.Runspace = _engine.Runspace;
        var input = "Get-DsWorkflow -Project et";
        var completion = CommandCompletion.CompleteInput(input, input.Length, null, ps);
        Assert.True(completion.CompletionMatches.Any(m => m.CompletionText == "etl"), "completer failed: " + DsOps.Infrastructure.DsNameCompleterAttribute.LastError);
        input = "Get-DsWorkflow -Project etl -Name daily_s";
        completion = CommandCompletion.CompleteInput(input, input.Length, null, ps);
        Assert.Equal(new[] { "daily_sales", "daily_stock" }, completion.CompletionMatches.Select(m => m.CompletionText));
    }

    [Fact]
    public void Dsversion_override_skips_detection_but_still_checks_access()
    {
        var c = _engine.Run("Connect-DsServer", new { Uri = _uri, Token = DsClientTests.Secure(_fake.Token), Version = "3.2" }).Objects<DsConnection>().Single();
        Assert.Equal("3.2.2", c.Version);
        Assert.DoesNotContain(_fake.Requests, r => r.Path == "ui-plugins/query-product-info");
        Assert.Contains(_fake.Requests, r => r.Path == "projects/list");
    }

    [Fact]
    public void Invalid_dsversion_names_the_parameter()
    {
        var ex = Assert.Throws<CmdletInvocationException>(() => _engine.Run("Connect-DsServer", new { Uri = _uri, Token = DsClientTests.Secure(_fake.Token), Version = "2.0" }));
        Assert.Equal("DsInvalidVersion,DsOps.Commands.ConnectDsServerCommand", ex.ErrorRecord.FullyQualifiedErrorId);
        Assert.Contains("-Version", ex.ErrorRecord.Exception.Message);
    }

    public void Dispose()
    {
        _engine.Dispose();
        _fake.Dispose();
    }
}
