using DsOps.Emulator;
using DsOps.Engine.Api;
using DsOps.Engine.Apply;
using DsOps.Engine.Planning;
using DsOps.Engine.Specs.Model;
using DsOps.Engine.Specs.Validation;
using DsOps.Testing;
using DsOps.Tests.Api;
using DsOps.Tests.Hosting;
using MySqlConnector;
using Xunit;

namespace DsOps.Tests.Apply;

/// <summary>
/// Every spec source syncs into an emulated DS and a second sync changes and writes nothing: a MySQL config table,
/// a DS export file, and YAML exported from the server itself (adoption). Plus the connected plan and checks.
/// </summary>
public sealed class SourcesSyncTests : IAsyncLifetime
{
    private const string Yaml = """
        project: etl
        workflows:
          - name: orders
            schedule: { cron: "0 30 1 * * ? *", timezone: UTC, start: "2024-01-01 00:00:00", end: "2099-12-31 23:59:59" }
            tasks:
              - { name: pull, type: SHELL, script: echo pull }
              - { name: clean, type: PYTHON, dependsOn: [pull], script: print(1) }
              - { name: push, type: SHELL, dependsOn: [clean], script: echo push, retries: 1 }
          - name: refunds
            tasks:
              - { name: only, type: SHELL, script: echo refunds }
        """;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dsops-src-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly HostedEngine _engine = new();
    private DsEmulator _emu = null!;
    private DsConnection _c = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "yaml"));
        File.WriteAllText(Path.Combine(_dir, "yaml", "etl.yaml"), Yaml);
        _emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = "3.2" });
        _c = _engine.Run("Connect-DsServer", new { Uri = _emu.BaseUri, Token = DsClientTests.Secure(_emu.AdminToken) }).Objects<DsConnection>().Single();
    }

    private IReadOnlyList<WorkflowApplyResult> SyncTwiceAndAssertTheSecondWritesNothing(Dictionary<string, object?> parameters)
    {
        parameters["NoState"] = true;
        var first = _engine.Run("Sync-DsWorkflow", parameters);
        Assert.Empty(first.Errors);
        var writes = _emu.RequestLog.WritingRequests;
        var second = _engine.Run("Sync-DsWorkflow", parameters);
        Assert.Empty(second.Errors);
        Assert.True(second.Objects<WorkflowApplyResult>().Count == 0, string.Join("\n", second.Objects<WorkflowApplyResult>().Select(r => r + " " + r.Changes)));
        Assert.Equal(writes, _emu.RequestLog.WritingRequests);
        return first.Objects<WorkflowApplyResult>();
    }

    [Fact]
    public async Task A_mysql_config_table_syncs_and_a_second_sync_writes_nothing()
    {
        var server = await MariaDbFixture.Shared;
        var db = await server.CreateDatabaseAsync("cfg");
        var cs = server.ConnectionString(db);
        Directory.CreateDirectory(Path.Combine(_dir, "scripts"));
        File.WriteAllText(Path.Combine(_dir, "scripts", "load.sh"), "echo load\n");
        File.WriteAllText(Path.Combine(_dir, "scripts", "check.sh"), "echo check\n");
        Assert.Empty(_engine.Run("New-DsConfigTable", new { ConnectionString = cs }).Errors);
        await using (var conn = new MySqlConnection(cs))
        {
            await conn.OpenAsync();
            foreach (var (node, script, preds) in new[] { ("load", "load.sh", (string?)null), ("check", "check.sh", "load") })
            {
                await using var cmd = new MySqlCommand("INSERT INTO dsops_workflow_config (project_name, workflow_name, node_name, task_type, script_source, predecessors, change_type) " +
                                                       "VALUES ('warehouse', 'daily_load', @n, 'shell', @s, @p, 'new')", conn);
                cmd.Parameters.AddWithValue("@n", node);
                cmd.Parameters.AddWithValue("@s", script);
                cmd.Parameters.AddWithValue("@p", preds);
                await cmd.ExecuteNonQueryAsync();
            }
        }

        var created = SyncTwiceAndAssertTheSecondWritesNothing(new() { ["ConnectionString"] = cs, ["ScriptRoot"] = Path.Combine(_dir, "scripts") });

        Assert.Equal("daily_load", Assert.Single(created).Workflow);
        var wf = _engine.Run("Get-DsWorkflow", new { Project = "warehouse", IncludeTasks = true }).Objects<DsOps.Engine.Models.DsWorkflow>().Single();
        Assert.Equal(new[] { "load" }, wf.Tasks!.Single(t => t.Name == "check").Upstream);
        Assert.Contains("echo check", wf.Tasks!.Single(t => t.Name == "check").TaskParams);
    }

    [Fact]
    public void A_ds_export_file_syncs_and_a_second_sync_writes_nothing()
    {
        var export = Path.Combine(_dir, "export.json");
        var exported = _engine.Script($"Get-DsWorkflowSpec -Path '{Path.Combine(_dir, "yaml")}' | Export-DsWorkflowSpec -Destination '{export}' -Format DsExport -Version 3.2");
        Assert.Empty(exported.Errors);
        Assert.True(File.Exists(export));

        var created = SyncTwiceAndAssertTheSecondWritesNothing(new() { ["Path"] = export, ["Project"] = "etl" });

        Assert.Equal(new[] { "orders", "refunds" }, created.Select(r => r.Workflow).OrderBy(x => x));
    }

    [Fact]
    public void Workflows_on_a_server_export_to_yaml_that_syncs_back_with_no_changes()
    {
        SyncTwiceAndAssertTheSecondWritesNothing(new() { ["Path"] = Path.Combine(_dir, "yaml") });
        var adopted = Path.Combine(_dir, "adopted");

        var export = _engine.Script($"Get-DsWorkflowSpec -Connection $c -Project etl | Export-DsWorkflowSpec -Destination '{adopted}'",
            new System.Collections.Hashtable { ["c"] = _c });

        Assert.Empty(export.Errors);
        Assert.NotEmpty(Directory.GetFiles(adopted, "*.yaml", SearchOption.AllDirectories));
        var writes = _emu.RequestLog.WritingRequests;
        var again = _engine.Run("Sync-DsWorkflow", new { Path = adopted, NoState = true });
        Assert.Empty(again.Errors);
        Assert.Empty(again.Objects<WorkflowApplyResult>());
        Assert.Equal(writes, _emu.RequestLog.WritingRequests);
    }

    [Fact]
    public void Compare_plans_against_the_server_and_Sync_applies_the_saved_plan()
    {
        _engine.Run("Sync-DsWorkflow", new { Path = Path.Combine(_dir, "yaml"), NoState = true });
        File.WriteAllText(Path.Combine(_dir, "yaml", "etl.yaml"), Yaml.Replace("echo refunds", "echo refunds v2"));
        var planFile = Path.Combine(_dir, "plan.json");

        var plan = _engine.Run("Compare-DsWorkflow", new { Path = Path.Combine(_dir, "yaml"), OutFile = planFile });

        Assert.Empty(plan.Errors);
        var items = plan.Objects<PlanItem>();
        Assert.Equal(PlanAction.Update, items.Single(i => i.Level == PlanLevel.Workflow && i.Workflow == "refunds").Action);
        Assert.Equal(PlanAction.Unchanged, items.Single(i => i.Level == PlanLevel.Workflow && i.Workflow == "orders").Action);
        var applied = _engine.Run("Sync-DsWorkflow", new { Plan = planFile, NoState = true });
        Assert.Empty(applied.Errors);
        Assert.Equal("refunds", Assert.Single(applied.Objects<WorkflowApplyResult>()).Workflow);
    }

    [Fact]
    public void Test_checks_names_against_the_server_when_connected()
    {
        File.WriteAllText(Path.Combine(_dir, "yaml", "etl.yaml"), Yaml.Replace("{ name: only, type: SHELL, script: echo refunds }",
            "{ name: only, type: SQL, dataSource: no_such_db, script: select 1 }"));

        var offline = _engine.Run("Test-DsWorkflowSpec", new { Path = Path.Combine(_dir, "yaml") }).Objects<SpecFinding>();
        var online = _engine.Run("Test-DsWorkflowSpec", new { Path = Path.Combine(_dir, "yaml"), Connection = _c }).Objects<SpecFinding>();

        Assert.DoesNotContain(offline, f => f.Message.Contains("no_such_db") && f.Severity == SpecSeverity.Error);
        Assert.Contains(online, f => f.Message.Contains("no_such_db") && f.Severity == SpecSeverity.Error);
    }

    public async Task DisposeAsync()
    {
        _engine.Dispose();
        await _emu.DisposeAsync();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
