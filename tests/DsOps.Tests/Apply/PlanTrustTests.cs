using System.Management.Automation;
using System.Text.Json.Nodes;
using DsOps.Emulator;
using DsOps.Engine.Api;
using DsOps.Engine.Apply;
using DsOps.Engine.Planning;
using DsOps.Engine.Specs.Documents;
using DsOps.Testing;
using DsOps.Tests.Api;
using DsOps.Tests.Hosting;
using MySqlConnector;
using Xunit;

namespace DsOps.Tests.Apply;

/// <summary>
/// Issue 13 items 2, 8 (plans), 11: tampered plan files, ${env:} values in plans, Compare's default state file,
/// project typos, and the config table's partial updates and change types - against the emulator on real MariaDB.
/// </summary>
public sealed class PlanTrustTests : IAsyncLifetime
{
    private const string Specs = """
        project: etl
        workflows:
          - name: keep
            tasks:
              - { name: a, type: SHELL, script: echo a }
          - name: other
            tasks:
              - { name: b, type: SHELL, script: echo b }
        """;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dsops-trust-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly HostedEngine _engine = new();
    private DsEmulator _emu = null!;
    private DsConnection _c = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "etl.yaml"), Specs);
        _emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = "3.2" });
        _c = _engine.Run("Connect-DsServer", new { Uri = _emu.BaseUri, Token = DsClientTests.Secure(_emu.AdminToken) }).Objects<DsConnection>().Single();
    }

    private HostedResult Run(string cmdlet, Dictionary<string, object?> p)
    {
        p["Connection"] = _c;
        return _engine.Run(cmdlet, p);
    }

    private IReadOnlyList<string> WorkflowNames(string project = "etl") =>
        _engine.Run("Get-DsWorkflow", new { Project = project, Connection = _c }).Objects<DsOps.Engine.Models.DsWorkflow>().Select(w => w.Name).Order().ToList();

    /// <summary>Makes 'other' unmanaged and absent from the specs, and saves a reviewed plan that does not prune it.</summary>
    private string ReviewedPlanWithoutPrune()
    {
        Assert.Empty(Run("Sync-DsWorkflow", new() { ["Path"] = _dir, ["NoState"] = true }).Errors);
        File.WriteAllText(Path.Combine(_dir, "etl.yaml"), Specs[..Specs.IndexOf("  - name: other", StringComparison.Ordinal)].Replace("echo a", "echo a2"));
        var planPath = Path.Combine(_dir, "plan.json");
        var compare = Run("Compare-DsWorkflow", new() { ["Path"] = _dir, ["OutFile"] = planPath });
        Assert.Empty(compare.Errors);
        Assert.DoesNotContain(compare.Objects<PlanItem>(), i => i.Action == PlanAction.Delete);
        return planPath;
    }

    [Fact]
    public void Flipping_prune_in_a_saved_plan_is_refused_and_deletes_nothing()
    {
        var planPath = ReviewedPlanWithoutPrune();
        File.WriteAllText(planPath, File.ReadAllText(planPath).Replace("\"prune\": false", "\"prune\": true"));
        var writes = _emu.RequestLog.WritingRequests;

        var ex = Assert.Throws<CmdletInvocationException>(() => Run("Sync-DsWorkflow", new() { ["Plan"] = planPath, ["Confirm"] = false }));

        Assert.Equal("DsPlanTampered,DsOps.Commands.Specs.SyncDsWorkflowCommand", ex.ErrorRecord.FullyQualifiedErrorId);
        Assert.Contains("was changed after it was made", ex.Message);
        Assert.Contains(planPath, ex.Message);
        Assert.Equal(writes, _emu.RequestLog.WritingRequests);
        Assert.Equal(new[] { "keep", "other" }, WorkflowNames());
    }

    [Theory]
    [InlineData("\"action\": \"Update\"", "\"action\": \"Delete\"")]
    [InlineData("\"includeUnchangedTasks\": false", "\"includeUnchangedTasks\": true")]
    [InlineData("\"requireExistingProject\": false", "\"requireExistingProject\": true")]
    [InlineData("\"environment\": null", "\"environment\": \"PROD\"")]
    [InlineData("\"projects\": [\n    \"etl\"\n  ]", "\"projects\": [\n    \"etl\", \"finance\"\n  ]")]
    public void Any_edit_of_what_decides_apply_is_refused(string from, string to)
    {
        var planPath = ReviewedPlanWithoutPrune();
        var text = File.ReadAllText(planPath);
        Assert.Contains(from, text);
        File.WriteAllText(planPath, text.Replace(from, to));

        var ex = Assert.Throws<CmdletInvocationException>(() => Run("Sync-DsWorkflow", new() { ["Plan"] = planPath, ["Confirm"] = false }));

        Assert.Equal("DsPlanTampered,DsOps.Commands.Specs.SyncDsWorkflowCommand", ex.ErrorRecord.FullyQualifiedErrorId);
        Assert.Equal(new[] { "keep", "other" }, WorkflowNames());
    }

    [Fact]
    public void A_re_fingerprinted_plan_with_prune_flipped_is_still_refused_because_apply_recomputes_the_items()
    {
        // Someone who knows the algorithm flips prune and recomputes the fingerprint: apply recomputes the plan
        // (now with a delete) and refuses because the saved items do not list it.
        var planPath = ReviewedPlanWithoutPrune();
        var root = JsonNode.Parse(File.ReadAllText(planPath))!.AsObject();
        root["prune"] = true;
        root.Remove("fingerprint");
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(CanonicalJson.Canonicalize(root)));
        root["fingerprint"] = "sha256:" + Convert.ToHexString(hash).ToLowerInvariant();
        File.WriteAllText(planPath, root.ToJsonString());

        var ex = Assert.Throws<CmdletInvocationException>(() => Run("Sync-DsWorkflow", new() { ["Plan"] = planPath, ["Confirm"] = false }));

        Assert.Equal("DsPlanMismatch,DsOps.Commands.Specs.SyncDsWorkflowCommand", ex.ErrorRecord.FullyQualifiedErrorId);
        Assert.Contains("- etl/other", ex.Message);
        Assert.Equal(new[] { "keep", "other" }, WorkflowNames());
    }

    [Fact]
    public void An_untouched_plan_applies_and_Prune_cannot_be_added_on_the_command_line()
    {
        var planPath = ReviewedPlanWithoutPrune();
        var ex = Assert.Throws<CmdletInvocationException>(() => Run("Sync-DsWorkflow", new() { ["Plan"] = planPath, ["Prune"] = true, ["Confirm"] = false }));
        Assert.Equal("DsPlanOptionConflict,DsOps.Commands.Specs.SyncDsWorkflowCommand", ex.ErrorRecord.FullyQualifiedErrorId);

        var applied = Run("Sync-DsWorkflow", new() { ["Plan"] = planPath });

        Assert.Empty(applied.Errors);
        Assert.Equal("keep", Assert.Single(applied.Objects<WorkflowApplyResult>()).Workflow);
        Assert.Equal(new[] { "keep", "other" }, WorkflowNames());
    }

    [Fact]
    public void Environment_values_in_scripts_never_reach_the_plan_file_or_the_plan_output()
    {
        const string secret = "s3cr3t-Vault-Value-42";
        var name = "DSOPS_TEST_SECRET_" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        Environment.SetEnvironmentVariable(name, secret);
        try
        {
            string Spec(string host) => Specs.Replace("script: echo a", $"script: \"curl -u etl:${{env:{name}}} https://{host}\"")
                .Replace("  - name: other\n", $"  - name: other\n    parameters: {{ conn: \"jdbc:${{env:{name}}}@{host}\" }}\n");
            File.WriteAllText(Path.Combine(_dir, "etl.yaml"), Spec("x"));
            var planPath = Path.Combine(_dir, "plan.json");

            var compare = Run("Compare-DsWorkflow", new() { ["Path"] = _dir, ["OutFile"] = planPath, ["IncludeUnchangedTasks"] = true });

            Assert.Empty(compare.Errors);
            var file = File.ReadAllText(planPath);
            Assert.DoesNotContain(secret, file);
            Assert.Contains("${env:" + name + "}", file);
            Assert.DoesNotContain(compare.Objects<PlanItem>(), i => i.ToString().Contains(secret) || i.ChangeSummary.Contains(secret));

            // The plan still applies: apply reloads the specs, so DS gets the value.
            var applied = Run("Sync-DsWorkflow", new() { ["Plan"] = planPath });
            Assert.Empty(applied.Errors);
            Assert.DoesNotContain(applied.Objects<WorkflowApplyResult>(), r => (r.Changes ?? "").Contains(secret));
            var keep = _engine.Run("Get-DsWorkflow", new { Project = "etl", IncludeTasks = true, Connection = _c }).Objects<DsOps.Engine.Models.DsWorkflow>().Single(w => w.Name == "keep");
            Assert.Contains(secret, keep.Tasks!.Single().TaskParams);

            // A second change: before/after both hold the value; the output shows the reference.
            File.WriteAllText(Path.Combine(_dir, "etl.yaml"), Spec("y"));
            var items = Run("Compare-DsWorkflow", new() { ["Path"] = _dir }).Objects<PlanItem>();
            var change = items.Single(i => i.Task == "a").Changes.Single(c => c.Field == "script");
            Assert.Equal($"curl -u etl:${{env:{name}}} https://x", change.Before);

            // Sync's results (workflow-level changes: here a global parameter) show the reference too.
            var sync = Run("Sync-DsWorkflow", new() { ["Path"] = _dir });
            Assert.Empty(sync.Errors);
            var other = sync.Objects<WorkflowApplyResult>().Single(r => r.Workflow == "other");
            Assert.Contains("${env:" + name + "}@y", other.Changes);
            Assert.DoesNotContain(sync.Objects<WorkflowApplyResult>(), r => (r.Changes ?? "").Contains(secret) || r.ToString()!.Contains(secret));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void Compare_uses_the_default_state_file_and_shows_the_deletes_sync_would_do()
    {
        Assert.Empty(Run("Sync-DsWorkflow", new() { ["Path"] = _dir }).Errors);
        Assert.True(File.Exists(Path.Combine(_dir, AppliedState.DefaultFileName)));
        File.WriteAllText(Path.Combine(_dir, "etl.yaml"), Specs[..Specs.IndexOf("  - name: other", StringComparison.Ordinal)]);

        var compare = Run("Compare-DsWorkflow", new() { ["Path"] = _dir });
        var delete = Assert.Single(compare.Objects<PlanItem>(), i => i.Action == PlanAction.Delete && i.Level == PlanLevel.Workflow);
        Assert.Equal("other", delete.Workflow);
        Assert.Empty(Run("Compare-DsWorkflow", new() { ["Path"] = _dir, ["NoState"] = true }).Objects<PlanItem>().Where(i => i.Action == PlanAction.Delete));

        var sync = Run("Sync-DsWorkflow", new() { ["Path"] = _dir, ["Confirm"] = false, ["Force"] = true });
        Assert.Equal(("other", PlanAction.Delete), sync.Objects<WorkflowApplyResult>().Select(r => (r.Workflow, r.Action)).Single());
    }

    [Fact]
    public void A_project_typo_shows_create_project_and_RequireExistingProject_refuses_it()
    {
        Assert.Empty(Run("Sync-DsWorkflow", new() { ["Path"] = _dir, ["NoState"] = true }).Errors);
        File.WriteAllText(Path.Combine(_dir, "etl.yaml"), Specs.Replace("project: etl", "project: etll"));

        var items = Run("Compare-DsWorkflow", new() { ["Path"] = _dir, ["NoState"] = true }).Objects<PlanItem>();
        var project = items.First();
        Assert.Equal((PlanLevel.Project, PlanAction.Create, "etll"), (project.Level, project.Action, project.Target));
        Assert.Contains("did you mean 'etl'", project.Note);
        Assert.StartsWith("+ project etll", project.ToString());

        var writes = _emu.RequestLog.WritingRequests;
        var ex = Assert.Throws<CmdletInvocationException>(() => Run("Sync-DsWorkflow", new() { ["Path"] = _dir, ["NoState"] = true, ["RequireExistingProject"] = true }));
        Assert.Equal("DsProjectNotFound,DsOps.Commands.Specs.SyncDsWorkflowCommand", ex.ErrorRecord.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, ex.ErrorRecord.CategoryInfo.Category);
        Assert.Contains("'etll'", ex.Message);
        Assert.Contains("did you mean 'etl'", ex.Message);
        Assert.Equal(writes, _emu.RequestLog.WritingRequests);

        var compareEx = Assert.Throws<CmdletInvocationException>(() => Run("Compare-DsWorkflow", new() { ["Path"] = _dir, ["NoState"] = true, ["RequireExistingProject"] = true }));
        Assert.Equal("DsProjectNotFound,DsOps.Commands.Specs.CompareDsWorkflowCommand", compareEx.ErrorRecord.FullyQualifiedErrorId);

        // The same setting per environment: PROD requires existing projects, UAT may create them.
        File.WriteAllText(Path.Combine(_dir, "environments.yaml"), "environments:\n  PROD:\n    requireExistingProject: true\n  UAT: {}\n");
        var prod = Assert.Throws<CmdletInvocationException>(() => Run("Sync-DsWorkflow", new() { ["Path"] = _dir, ["NoState"] = true, ["Environment"] = "PROD" }));
        Assert.Equal("DsProjectNotFound,DsOps.Commands.Specs.SyncDsWorkflowCommand", prod.ErrorRecord.FullyQualifiedErrorId);
        Assert.Equal(writes, _emu.RequestLog.WritingRequests);
        Assert.Empty(Run("Sync-DsWorkflow", new() { ["Path"] = _dir, ["NoState"] = true, ["Environment"] = "UAT" }).Errors);
        Assert.Equal(new[] { "keep", "other" }, WorkflowNames("etll"));
    }

    private async Task<string> ConfigTable(params (string Node, string Script, string? Preds, string Change)[] rows)
    {
        var server = await MariaDbFixture.Shared;
        var db = await server.CreateDatabaseAsync("trust");
        var cs = server.ConnectionString(db);
        Assert.Empty(_engine.Run("New-DsConfigTable", new { ConnectionString = cs }).Errors);
        await SetRows(cs, rows);
        return cs;
    }

    private static async Task SetRows(string cs, params (string Node, string Script, string? Preds, string Change)[] rows)
    {
        await using var conn = new MySqlConnection(cs);
        await conn.OpenAsync();
        await using (var del = new MySqlCommand("DELETE FROM dsops_workflow_config", conn)) await del.ExecuteNonQueryAsync();
        foreach (var (node, script, preds, change) in rows)
        {
            await using var cmd = new MySqlCommand("INSERT INTO dsops_workflow_config (project_name, workflow_name, node_name, task_type, script_source, predecessors, change_type) " +
                                                   "VALUES ('etl', 'keep', @n, 'shell', @s, @p, @c)", conn);
            cmd.Parameters.AddWithValue("@n", node);
            cmd.Parameters.AddWithValue("@s", script);
            cmd.Parameters.AddWithValue("@p", preds);
            cmd.Parameters.AddWithValue("@c", change);
            await cmd.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task Config_table_rows_update_their_tasks_and_leave_the_rest_of_the_workflow_alone()
    {
        // The workflow exists with a description and task 'a' (from YAML); the table adds 'z' and updates nothing else.
        File.WriteAllText(Path.Combine(_dir, "etl.yaml"), Specs.Replace("  - name: keep\n", "  - name: keep\n    description: kept by the server\n"));
        Assert.Empty(Run("Sync-DsWorkflow", new() { ["Path"] = _dir, ["NoState"] = true }).Errors);
        var scripts = Path.Combine(_dir, "scripts");
        Directory.CreateDirectory(scripts);
        File.WriteAllText(Path.Combine(scripts, "z.sh"), "echo z");
        var cs = await ConfigTable(("z", "z.sh", "a", "new"));

        var sync = Run("Sync-DsWorkflow", new() { ["ConnectionString"] = cs, ["ScriptRoot"] = scripts, ["NoState"] = true });

        Assert.Empty(sync.Errors);
        var keep = _engine.Run("Get-DsWorkflow", new { Project = "etl", IncludeTasks = true, Connection = _c }).Objects<DsOps.Engine.Models.DsWorkflow>().Single(w => w.Name == "keep");
        Assert.Equal(new[] { "a", "z" }, keep.Tasks!.Select(t => t.Name).Order());
        Assert.Equal("kept by the server", keep.Description);
        Assert.Equal(new[] { "a" }, keep.Tasks!.Single(t => t.Name == "z").Upstream);
        Assert.Equal(new[] { "keep", "other" }, WorkflowNames());

        // 'new' for a task that now exists and would change: refused, naming the row.
        File.WriteAllText(Path.Combine(scripts, "z.sh"), "echo z2");
        var writes = _emu.RequestLog.WritingRequests;
        var ex = Assert.Throws<CmdletInvocationException>(() => Run("Sync-DsWorkflow", new() { ["ConnectionString"] = cs, ["ScriptRoot"] = scripts, ["NoState"] = true }));
        Assert.Equal("DsSpecChangeTypeMismatch,DsOps.Commands.Specs.SyncDsWorkflowCommand", ex.ErrorRecord.FullyQualifiedErrorId);
        Assert.Equal(writes, _emu.RequestLog.WritingRequests);

        // 'update' is accepted; 'delete' removes a task; an 'update' of a missing task is refused.
        await SetRows(cs, ("z", "z.sh", "a", "update"));
        Assert.Empty(Run("Sync-DsWorkflow", new() { ["ConnectionString"] = cs, ["ScriptRoot"] = scripts, ["NoState"] = true }).Errors);
        await SetRows(cs, ("z", "z.sh", null, "delete"));
        Assert.Empty(Run("Sync-DsWorkflow", new() { ["ConnectionString"] = cs, ["ScriptRoot"] = scripts, ["NoState"] = true }).Errors);
        keep = _engine.Run("Get-DsWorkflow", new { Project = "etl", IncludeTasks = true, Connection = _c }).Objects<DsOps.Engine.Models.DsWorkflow>().Single(w => w.Name == "keep");
        Assert.Equal(new[] { "a" }, keep.Tasks!.Select(t => t.Name));
        await SetRows(cs, ("ghost", "z.sh", null, "update"));
        var ghost = Assert.Throws<CmdletInvocationException>(() => Run("Sync-DsWorkflow", new() { ["ConnectionString"] = cs, ["ScriptRoot"] = scripts, ["NoState"] = true }));
        Assert.Equal("DsSpecChangeTypeMismatch,DsOps.Commands.Specs.SyncDsWorkflowCommand", ghost.ErrorRecord.FullyQualifiedErrorId);
    }

    public async Task DisposeAsync()
    {
        _engine.Dispose();
        if (_emu is not null) await _emu.DisposeAsync();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
