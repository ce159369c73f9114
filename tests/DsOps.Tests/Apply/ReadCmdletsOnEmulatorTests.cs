using DsOps.Emulator;
using DsOps.Engine.Api;
using DsOps.Engine.Dialects;
using DsOps.Engine.Models;
using DsOps.Tests.Api;
using DsOps.Tests.Hosting;
using Xunit;

namespace DsOps.Tests.Apply;

/// <summary>The read cmdlets against the emulator of each dialect: routes, parameter names and state names end to end.</summary>
public sealed class ReadCmdletsOnEmulatorTests : IAsyncLifetime
{
    private readonly HostedEngine _engine = new();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dsops-read-" + Guid.NewGuid().ToString("N")[..8]);

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "ops.yaml"), """
            project: ops
            workflows:
              - name: nightly
                tasks:
                  - name: ok
                    type: SHELL
                    script: echo fine
                  - name: broken
                    type: SHELL
                    dependsOn: [ok]
                    script: exit 1
            """);
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData("3.0", new[] { DsServerRole.Master, DsServerRole.Worker })]
    [InlineData("3.1", new[] { DsServerRole.Master, DsServerRole.Worker })]
    [InlineData("3.2", new[] { DsServerRole.Master, DsServerRole.Worker, DsServerRole.AlertServer })]
    [InlineData("3.3", new[] { DsServerRole.Master, DsServerRole.Worker, DsServerRole.AlertServer })]
    [InlineData("3.4", new[] { DsServerRole.Master, DsServerRole.Worker, DsServerRole.AlertServer })]
    public async Task Runs_started_on_the_server_are_read_back_with_states_and_tasks(string dialect, DsServerRole[] roles)
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect, ClockStart = new DateTime(2024, 3, 1, 8, 0, 0) });
        var c = _engine.Run("Connect-DsServer", new { Uri = emu.BaseUri, Token = DsClientTests.Secure(emu.AdminToken) }).Objects<DsConnection>().Single();
        Assert.Equal(emu.Dialect.Family, c.Dialect.Family);
        Assert.Empty(_engine.Run("Sync-DsWorkflow", new { Path = _dir, NoState = true }).Errors);
        var workflow = _engine.Script("Get-DsProject -Name ops | Get-DsWorkflow").Objects<DsWorkflow>().Single();

        // Start a run through DS's executor route, then let the simulated master and workers finish it.
        using var http = new HttpClient { BaseAddress = emu.BaseUri };
        http.DefaultRequestHeaders.Add("token", emu.AdminToken);
        var form = new Dictionary<string, string>
        {
            [c.Dialect.WorkflowCodeParameter] = workflow.WorkflowCode.ToString(), ["scheduleTime"] = "", ["failureStrategy"] = "END", ["warningType"] = "NONE",
        };
        using (var start = await http.PostAsync($"projects/{workflow.ProjectCode}/executors/{c.Dialect.StartWorkflowAction}", new FormUrlEncodedContent(form)))
            Assert.Contains("\"code\":0", await start.Content.ReadAsStringAsync());
        await emu.RunUntilIdleAsync();

        var listed = _engine.Script("Get-DsWorkflow -Project ops -Name nightly | Get-DsWorkflowInstance -State Failed");
        Assert.Empty(listed.Errors);
        var failed = listed.Objects<DsWorkflowInstance>();
        Assert.Equal(1, failed.Count);
        var run = failed[0];
        Assert.Equal(workflow.WorkflowCode, run.WorkflowCode);
        var tasks = _engine.Run("Get-DsTaskInstance", new { Project = "ops", WorkflowInstanceId = run.WorkflowInstanceId }).Objects<DsTaskInstance>();
        Assert.Equal(DsRunState.Succeeded, tasks.Single(t => t.Name == "ok").State);
        Assert.Equal(DsRunState.Failed, tasks.Single(t => t.Name == "broken").State);
        Assert.Empty(_engine.Run("Get-DsWorkflowInstance", new { Project = "ops", State = new[] { DsRunState.Succeeded } }).Output);

        var nodes = _engine.Run("Get-DsServerNode").Objects<DsServerNode>();
        Assert.Equal(roles, nodes.Select(n => n.Role).Distinct());
        Assert.All(nodes, n => Assert.NotNull(n.LastHeartbeat));
        Assert.Contains("default", _engine.Run("Get-DsWorkerGroup").Objects<DsWorkerGroup>().Select(g => g.Name).Append("default"));
    }

    public Task DisposeAsync()
    {
        _engine.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}
