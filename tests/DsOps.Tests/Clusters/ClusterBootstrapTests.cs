using System.Collections;
using DsOps.Emulator;
using DsOps.Engine.Api;
using DsOps.Engine.Apply;
using DsOps.Engine.Clusters;
using DsOps.Engine.Planning;
using DsOps.Testing;
using DsOps.Tests.Api;
using DsOps.Tests.Hosting;
using MySqlConnector;
using Xunit;

namespace DsOps.Tests.Clusters;

/// <summary>
/// Issue 14 items 1-2 end to end: an empty emulated DS (fresh schema, admin only) becomes a working cluster from
/// docs/examples with one Initialize-DsCluster; a second run plans and writes nothing; Export-DsCluster round-trips;
/// recognisable secrets (data-source and user passwords, DingTalk webhook and secret) reach DS but no stream, plan,
/// state file, export or $Error.
/// </summary>
public sealed class ClusterBootstrapTests : ClusterExampleTestBase, IAsyncLifetime
{
    public ClusterBootstrapTests() : base("DSOPS_EXAMPLE_", "dsops-cluster-") { }

    private DsEmulator _emu = null!;

    private string Config => Path.Combine(_dir, "cluster", "cluster.yaml");
    private string Workflows => Path.Combine(_dir, "workflows");

    public Task InitializeAsync()
    {
        // Debug text too ($DebugPreference, not -Debug: -Debug would make warnings ask in this non-interactive host).
        _engine.Runspace.SessionStateProxy.SetVariable("DebugPreference", System.Management.Automation.ActionPreference.Continue);
        CopyExamplesAndSetSecrets(_dir);
        return Task.CompletedTask;
    }

    private async Task<DsConnection> StartAsync(string dialect)
    {
        _emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        return Run("Connect-DsServer", new Hashtable { ["Uri"] = _emu.BaseUri, ["Token"] = DsClientTests.Secure(_emu.AdminToken) }).Objects<DsConnection>().Single();
    }

    private HostedResult Bootstrap(DsConnection c) => Run("Initialize-DsCluster", new Hashtable
    {
        ["Config"] = Config, ["Workflows"] = Workflows, ["Environment"] = "PROD", ["Connection"] = c,
    });

    [Theory]
    [InlineData("3.2")]
    [InlineData("3.3")]
    [InlineData("3.4")]
    [InlineData("3.4.0")]
    [InlineData("3.4.2")]
    public async Task Empty_emulator_becomes_a_working_cluster_and_a_second_run_changes_nothing(string dialect)
    {
        var c = await StartAsync(dialect);

        var first = Bootstrap(c);
        Assert.Empty(first.Errors);
        var result = first.Objects<ClusterBootstrapResult>().Single();
        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal(11, result.ResourcesApplied); // every resource of docs/examples/cluster/cluster.yaml
        Assert.Equal(0, result.ResourcesFailed);
        Assert.Equal(2, result.WorkflowsApplied); // daily_sales and weekly_report
        Assert.Contains(result.Details.OfType<ClusterApplyResult>(), r => r.Target == "DataSource/ods_prod" && r.Message == "connection test passed");

        // What DS now holds, read from its own tables.
        await using (var db = new MySqlConnection(_emu.ConnectionString))
        {
            await db.OpenAsync();
            async Task<string?> One(string sql) => (await new MySqlCommand(sql, db).ExecuteScalarAsync())?.ToString();
            Assert.Equal("etl_prod", await One("SELECT t.tenant_code FROM t_ds_user u JOIN t_ds_tenant t ON t.id = u.tenant_id WHERE u.user_name = 'etl_user'"));
            Assert.Equal("root.prod", await One("SELECT queue FROM t_ds_user WHERE user_name = 'etl_user'"));
            Assert.Equal(Md5(Canary + "-DSOPS_EXAMPLE_USER_PASSWORD"), await One("SELECT user_password FROM t_ds_user WHERE user_name = 'etl_user'"));
            Assert.Contains(Canary + "-DSOPS_EXAMPLE_ODS_PASSWORD", await One("SELECT connection_params FROM t_ds_datasource WHERE name = 'ods_prod'"));
            var dingTalk = await One("SELECT plugin_instance_params FROM t_ds_alert_plugin_instance WHERE instance_name = 'ops-dingtalk'");
            Assert.Contains(Canary + "-DSOPS_EXAMPLE_DINGTALK_SECRET", dingTalk);
            Assert.Contains("\"Keyword\":\"DS\"", dingTalk);
            var groupInstances = await One("SELECT alert_instance_ids FROM t_ds_alertgroup WHERE group_name = 'ops-prod'");
            Assert.Equal(await One("SELECT id FROM t_ds_alert_plugin_instance WHERE instance_name = 'ops-dingtalk'"), groupInstances);
            Assert.Equal("1", await One("SELECT COUNT(*) FROM t_ds_relation_project_user r JOIN t_ds_project p ON p.id = r.project_id JOIN t_ds_user u ON u.id = r.user_id " +
                                       "WHERE p.name = 'analytics' AND u.user_name = 'etl_user'"));
            Assert.Equal("prod-workers", await One("SELECT worker_group FROM t_ds_environment_worker_group_relation r JOIN t_ds_environment e ON e.code = r.environment_code WHERE e.name = 'prod-env'"));
            Assert.Equal("2", await One("SELECT COUNT(*) FROM t_ds_" + (c.Dialect.UsesWorkflowNaming ? "workflow" : "process") + "_definition d JOIN t_ds_project p ON p.code = d.project_code WHERE p.name = 'analytics'"));
        }

        // Running it again: the plan is empty and nothing is written.
        var plan = Run("Compare-DsClusterConfig", new Hashtable { ["Config"] = Config, ["Connection"] = c });
        Assert.Empty(plan.Output);
        _emu.RequestLog.Reset();
        var second = Bootstrap(c).Objects<ClusterBootstrapResult>().Single();
        Assert.Equal((0, 11, 0, 2), (second.ResourcesApplied, second.ResourcesUnchanged, second.WorkflowsApplied, second.WorkflowsUnchanged));
        AssertNoWrites();

        // Export round-trips: the exported config plans zero changes and holds the example's declared fields.
        var exported = Path.Combine(_dir, "export", "cluster.yaml");
        Assert.Empty(Run("Export-DsCluster", new Hashtable { ["Path"] = exported, ["Connection"] = c }).Errors);
        Assert.Empty(Run("Compare-DsClusterConfig", new Hashtable { ["Config"] = exported, ["Connection"] = c, ["NoState"] = true }).Output);
        var source = ClusterConfigReader.ReadFile(Config);
        var copy = ClusterConfigReader.ReadFile(exported);
        foreach (var want in source.Resources)
        {
            var got = copy.Find(want.Kind, want.Name);
            Assert.True(got is not null, want.Key + " is missing from the export");
            Assert.Empty(ClusterPlanner.Diff(want, got!).Where(ch => !ClusterPlanOptions.UnsupportedFields(c.Dialect).Contains(want.Kind + "." + ch.Field)));
            Assert.Equal(want.Secrets.Keys, got!.Secrets.Keys);
        }
        Assert.Equal("${env:DSOPS_DATASOURCE_ODS_PROD_PASSWORD}", copy.Find(ClusterResourceKind.DataSource, "ods_prod")!.Secrets["password"].ToString());

        // A saved plan: tampering and server changes are refused.
        var planFile = Path.Combine(_dir, "plan.json");
        File.WriteAllText(Config, File.ReadAllText(Config).Replace("description: PROD operations", "description: PROD ops team"));
        var saved = Run("Compare-DsClusterConfig", new Hashtable { ["Config"] = Config, ["Connection"] = c, ["OutFile"] = planFile });
        Assert.Equal("~ AlertGroup/ops-prod: description: PROD operations -> PROD ops team", Assert.Single(saved.Objects<ClusterPlanItem>()).ToString());
        File.WriteAllText(planFile + ".bad", File.ReadAllText(planFile).Replace("\"prune\": false", "\"prune\": true"));
        Assert.Equal("DsPlanTampered", TerminatingErrorId("Sync-DsCluster", new Hashtable { ["Plan"] = planFile + ".bad", ["Connection"] = c }));
        var applied = Run("Sync-DsCluster", new Hashtable { ["Plan"] = planFile, ["Connection"] = c });
        Assert.Empty(applied.Errors);
        Assert.Equal(ClusterApplyStatus.Applied, applied.Objects<ClusterApplyResult>().Single().Status);
        Assert.Equal("DsPlanStale", TerminatingErrorId("Sync-DsCluster", new Hashtable { ["Plan"] = planFile, ["Connection"] = c }));

        // A file changed locally is uploaded again; unchanged ones are not.
        File.AppendAllText(Path.Combine(Workflows, "scripts", "extract.sh"), "echo more\n");
        var upload = Run("Sync-DsCluster", new Hashtable { ["Config"] = Config, ["Connection"] = c });
        var fileResult = Assert.Single(upload.Objects<ClusterApplyResult>());
        Assert.Equal(("File/scripts/extract.sh", PlanAction.Update, ClusterApplyStatus.Applied), (fileResult.Target, fileResult.Action, fileResult.Status));
        Assert.Empty(Run("Compare-DsClusterConfig", new Hashtable { ["Config"] = Config, ["Connection"] = c }).Output);

        AssertNoSecretAnywhere();
    }

    /// <summary>
    /// DS 3.0/3.1: the resource center is id based, which DsOps does not manage. A config with files is refused before
    /// anything is written (one clear error naming the file and line); without its files the same config bootstraps
    /// the cluster, and a second run writes nothing.
    /// </summary>
    [Theory]
    [InlineData("3.0")]
    [InlineData("3.1")]
    public async Task Before_32_files_are_refused_up_front_and_the_rest_of_the_config_bootstraps(string dialect)
    {
        var c = await StartAsync(dialect);
        _emu.RequestLog.Reset();
        Assert.Equal("DsResourceCenterUnsupported", TerminatingErrorId("Initialize-DsCluster", new Hashtable
        {
            ["Config"] = Config, ["Workflows"] = Workflows, ["Environment"] = "PROD", ["Connection"] = c,
        }));
        Assert.Contains("cluster.yaml:", _terminating[^1]);
        Assert.Contains("DS 3.2 and later", _terminating[^1]);
        AssertNoWrites();

        var text = File.ReadAllText(Config);
        File.WriteAllText(Config, text[..text.IndexOf("\nfiles:", StringComparison.Ordinal)] + "\n");
        var first = Bootstrap(c);
        Assert.Empty(first.Errors);
        var result = first.Objects<ClusterBootstrapResult>().Single();
        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal((10, 0, 2), (result.ResourcesApplied, result.ResourcesFailed, result.WorkflowsApplied));
        _emu.RequestLog.Reset();
        var second = Bootstrap(c).Objects<ClusterBootstrapResult>().Single();
        Assert.Equal((0, 10, 0, 2), (second.ResourcesApplied, second.ResourcesUnchanged, second.WorkflowsApplied, second.WorkflowsUnchanged));
        AssertNoWrites();
        AssertNoSecretAnywhere();
    }

    [Fact]
    public async Task WhatIf_writes_nothing_to_the_server_or_disk()
    {
        var c = await StartAsync("3.2");
        _emu.RequestLog.Reset();
        var r = Run("Initialize-DsCluster", new Hashtable { ["Config"] = Config, ["Workflows"] = Workflows, ["Environment"] = "PROD", ["Connection"] = c, ["WhatIf"] = true });
        Assert.Empty(r.Errors);
        AssertNoWrites();
        Assert.False(File.Exists(Path.Combine(_dir, "cluster", ClusterAppliedState.DefaultFileName)));
        Assert.Equal(11, r.Objects<ClusterBootstrapResult>().Single().Details.OfType<ClusterApplyResult>().Count(d => d.Status == ClusterApplyStatus.Skipped));
        AssertNoSecretAnywhere();
    }

    [Fact]
    public async Task A_missing_secret_fails_its_resource_naming_the_reference_and_the_rest_proceed()
    {
        var c = await StartAsync("3.2");
        File.WriteAllText(Config, File.ReadAllText(Config).Replace("${env:DSOPS_EXAMPLE_DW_PASSWORD}", "${env:DSOPS_EXAMPLE_UNSET_" + Guid.NewGuid().ToString("N")[..6] + "}"));
        var r = Run("Sync-DsCluster", new Hashtable { ["Config"] = Config, ["Connection"] = c });
        var failed = Assert.Single(r.Objects<ClusterApplyResult>(), x => x.Status == ClusterApplyStatus.Failed);
        Assert.Equal("DataSource/dw_prod", failed.Target);
        Assert.Contains("DSOPS_EXAMPLE_UNSET_", failed.Message);
        Assert.Contains("cluster.yaml:", failed.Message);
        Assert.Equal(10, r.Objects<ClusterApplyResult>().Count(x => x.Status == ClusterApplyStatus.Applied));
        Assert.Equal("DsClusterSecretNotFound", Assert.Single(r.Errors).Exception is Engine.DsOpsException e ? e.ErrorId : null);
        AssertNoSecretAnywhere();
    }

    /// <summary>No request wrote to DS's database, and nothing was uploaded to its resource center (kept outside the database).</summary>
    private void AssertNoWrites()
    {
        Assert.Equal(0, _emu.RequestLog.WritingRequests);
        Assert.Equal(0, _emu.RequestLog.Count("POST", "/resources") + _emu.RequestLog.Count("PUT", "/resources") + _emu.RequestLog.Count("POST", "/resources/directory"));
    }

    protected override IEnumerable<string> SecretBearingTexts(object output) =>
        output is ClusterBootstrapResult b ? b.Details.Select(d => d.ToString() ?? "") : Enumerable.Empty<string>();

    public async Task DisposeAsync()
    {
        if (_emu is not null) await _emu.DisposeAsync();
        CleanUp();
    }
}
