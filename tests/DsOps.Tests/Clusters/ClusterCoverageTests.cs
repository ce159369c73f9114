using System.Collections.Immutable;
using System.Collections;
using DsOps.Emulator;
using DsOps.Engine;
using DsOps.Engine.Api;
using DsOps.Engine.Clusters;
using DsOps.Engine.Clusters.Comparison;
using DsOps.Engine.Dialects;
using DsOps.Engine.Planning;
using DsOps.Testing;
using DsOps.Tests.Api;
using DsOps.Tests.Hosting;
using MySqlConnector;
using Xunit;

namespace DsOps.Tests.Clusters;

/// <summary>
/// Issue 14 items 1 and 3, completeness: secret rotation with -UpdateSecrets (DS never returns secrets, so it is the
/// only way a rotated one is applied), Compare-DsCluster over every kind cluster.yaml manages (queues, users, alert
/// plugin settings with secrets by fingerprint, project permissions, files by content hash) through the environment
/// mapping, and the data-source type checks per DS version. Recognisable secrets never reach a stream, plan, state
/// file, export or error.
/// </summary>
public sealed class ClusterCoverageTests : ClusterExampleTestBase, IAsyncLifetime
{
    public ClusterCoverageTests() : base("DSOPS_COVER_", "dsops-cover-") { }

    private readonly List<DsEmulator> _emulators = new();

    public Task InitializeAsync()
    {
        CopyExamplesAndSetSecrets(Path.Combine(_dir, "a"));
        // Variables of our own: other test classes set and clear the example's DSOPS_EXAMPLE_* variables in parallel.
        File.WriteAllText(ConfigA, File.ReadAllText(ConfigA).Replace("DSOPS_EXAMPLE_", "DSOPS_COVER_", StringComparison.Ordinal));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var e in _emulators) await e.DisposeAsync();
        CleanUp("DSOPS_COVER_UAT_SECRET", "DSOPS_COVER_KUBECONFIG");
    }

    private string ConfigA => Path.Combine(_dir, "a", "cluster", "cluster.yaml");

    private async Task<(DsEmulator Emulator, DsConnection Connection)> StartAsync(string dialect)
    {
        var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        _emulators.Add(emu);
        var c = Run("Connect-DsServer", new Hashtable { ["Uri"] = emu.BaseUri, ["Token"] = DsClientTests.Secure(emu.AdminToken) }).Objects<DsConnection>().Single();
        return (emu, c);
    }

    private static async Task<string?> OneAsync(DsEmulator emu, string sql)
    {
        await using var db = new MySqlConnection(emu.ConnectionString);
        await db.OpenAsync();
        return (await new MySqlCommand(sql, db).ExecuteScalarAsync())?.ToString();
    }

    [Theory]
    [InlineData("3.2")]
    [InlineData("3.3")]
    [InlineData("3.4")]
    public async Task UpdateSecrets_resends_rotated_secrets_of_the_selected_resources_naming_only_references(string dialect)
    {
        var (emu, c) = await StartAsync(dialect);
        var first = Run("Sync-DsCluster", new Hashtable { ["Config"] = ConfigA, ["Connection"] = c });
        Assert.Empty(first.Errors);

        // Rotate two secrets at their source. DS masks the data-source password, so a plan cannot see that change; it
        // returns alert plugin params, so the DingTalk secret is compared by fingerprint and planned, naming the reference.
        Environment.SetEnvironmentVariable("DSOPS_COVER_ODS_PASSWORD", Canary + "-rotated-ods");
        Environment.SetEnvironmentVariable("DSOPS_COVER_DINGTALK_SECRET", Canary + "-rotated-ding");
        Assert.Equal("~ AlertInstance/ops-dingtalk: params.Secret: (secret, other value) -> ${env:DSOPS_COVER_DINGTALK_SECRET} (changed)",
            Assert.Single(Run("Compare-DsClusterConfig", new Hashtable { ["Config"] = ConfigA, ["Connection"] = c }).Objects<ClusterPlanItem>()).ToString());

        // -UpdateSecrets plans a re-send of exactly the selected resources' secrets, by reference.
        var patterns = new[] { "DataSource/ods_*", "ops-dingtalk" };
        var plan = Run("Compare-DsClusterConfig", new Hashtable { ["Config"] = ConfigA, ["Connection"] = c, ["UpdateSecrets"] = patterns }).Objects<ClusterPlanItem>().ToList();
        Assert.Equal(new[]
        {
            "~ DataSource/ods_prod: password: (secret) -> ${env:DSOPS_COVER_ODS_PASSWORD} (re-sent)",
            "~ AlertInstance/ops-dingtalk: params.Secret: (secret, other value) -> ${env:DSOPS_COVER_DINGTALK_SECRET} (changed); " +
            "params.WebHook: (secret) -> ${env:DSOPS_COVER_DINGTALK_WEBHOOK} (re-sent)",
        }, plan.Select(p => p.ToString()));

        // Saved with the plan and applied exactly; DS now holds the rotated values.
        var planFile = Path.Combine(_dir, "rotate.json");
        Run("Compare-DsClusterConfig", new Hashtable { ["Config"] = ConfigA, ["Connection"] = c, ["UpdateSecrets"] = patterns, ["OutFile"] = planFile });
        Assert.DoesNotContain("-rotated-", File.ReadAllText(planFile));
        var applied = Run("Sync-DsCluster", new Hashtable { ["Plan"] = planFile, ["Connection"] = c });
        Assert.Empty(applied.Errors);
        Assert.Equal(new[] { "AlertInstance/ops-dingtalk", "DataSource/ods_prod" },
            applied.Objects<ClusterApplyResult>().Where(r => r.Status == ClusterApplyStatus.Applied).Select(r => r.Target).Order(StringComparer.Ordinal));
        Assert.Contains(Canary + "-rotated-ods", await OneAsync(emu, "SELECT connection_params FROM t_ds_datasource WHERE name = 'ods_prod'"));
        Assert.Contains(Canary + "-rotated-ding", await OneAsync(emu, "SELECT plugin_instance_params FROM t_ds_alert_plugin_instance WHERE instance_name = 'ops-dingtalk'"));
        Assert.Contains(Canary + "-DSOPS_COVER_DW_PASSWORD", await OneAsync(emu, "SELECT connection_params FROM t_ds_datasource WHERE name = 'dw_prod'"));

        // Without the switch nothing is planned or written again.
        emu.RequestLog.Reset();
        Assert.Empty(Run("Sync-DsCluster", new Hashtable { ["Config"] = ConfigA, ["Connection"] = c }).Output);
        Assert.Equal(0, emu.RequestLog.WritingRequests);

        // A user's password: Sync-DsCluster -UpdateSecrets with a name; a pattern that selects nothing is refused, naming it.
        Environment.SetEnvironmentVariable("DSOPS_COVER_USER_PASSWORD", Canary + "-rotated-user");
        var user = Run("Sync-DsCluster", new Hashtable { ["Config"] = ConfigA, ["Connection"] = c, ["UpdateSecrets"] = new[] { "etl_user" } });
        Assert.Equal("User/etl_user", Assert.Single(user.Objects<ClusterApplyResult>()).Target);
        Assert.Equal(Md5(Canary + "-rotated-user"), await OneAsync(emu, "SELECT user_password FROM t_ds_user WHERE user_name = 'etl_user'"));
        emu.RequestLog.Reset();
        Assert.Equal("DsClusterUpdateSecretsNoMatch",
            TerminatingErrorId("Sync-DsCluster", new Hashtable { ["Config"] = ConfigA, ["Connection"] = c, ["UpdateSecrets"] = new[] { "Tenant/*", "nosuch" } }));
        Assert.Contains("'nosuch'", _terminating.Last());
        Assert.Equal(0, emu.RequestLog.WritingRequests);

        // -WhatIf shows the re-send and writes nothing.
        var whatIf = Run("Sync-DsCluster", new Hashtable { ["Config"] = ConfigA, ["Connection"] = c, ["UpdateSecrets"] = new[] { "*" }, ["WhatIf"] = true });
        Assert.Equal(4, whatIf.Objects<ClusterApplyResult>().Count(r => r.Status == ClusterApplyStatus.Skipped)); // user, two data sources, alert instance
        Assert.Equal(0, emu.RequestLog.WritingRequests);

        AssertNoSecretAnywhere();
    }

    [Theory]
    [InlineData("3.2")]
    [InlineData("3.3")]
    [InlineData("3.4")]
    public async Task Compare_reports_queues_users_alert_settings_permissions_and_file_content_through_the_mapping(string dialect)
    {
        // Cluster A: the example config. Cluster B: the same through another tenant name (the mapping explains it),
        // plus known differences in the kinds the comparison did not cover before.
        var (_, a) = await StartAsync(dialect);
        var (_, b) = await StartAsync(dialect);
        Copy(Path.Combine(_dir, "a"), Path.Combine(_dir, "b"));
        var configB = Path.Combine(_dir, "b", "cluster", "cluster.yaml");
        var textB = File.ReadAllText(configB).Replace("etl_prod", "etl_uat")
            .Replace("email: etl@example.local", "email: etl@uat.example.local")
            .Replace("      Keyword: DS\n", "      Keyword: DS-UAT\n")
            .Replace("${env:DSOPS_COVER_DINGTALK_SECRET}", "${env:DSOPS_COVER_UAT_SECRET}")
            .Replace("    users: [etl_user]\n", "    users: []\n")
            .Replace("queues:\n", "queues:\n  - name: uat_only\n    queue: root.uat\n");
        Assert.NotEqual(File.ReadAllText(configB), textB);
        File.WriteAllText(configB, textB);
        Environment.SetEnvironmentVariable("DSOPS_COVER_UAT_SECRET", Canary + "-uat-ding");
        // Same size, other content: only the hash can tell.
        var script = Path.Combine(_dir, "b", "workflows", "scripts", "extract.sh");
        var content = File.ReadAllText(script);
        var at = content.IndexOf("echo", StringComparison.Ordinal);
        Assert.True(at >= 0, content);
        File.WriteAllText(script, content[..at] + "ECHO" + content[(at + 4)..]);

        Assert.Empty(Run("Sync-DsCluster", new Hashtable { ["Config"] = ConfigA, ["Connection"] = a }).Errors);
        Assert.Empty(Run("Sync-DsCluster", new Hashtable { ["Config"] = configB, ["Connection"] = b }).Errors);
        var environments = Path.Combine(_dir, "environments.yaml");
        File.WriteAllText(environments, """
            environments:
              PROD:
                tenants: { etl: etl_prod }
              UAT:
                tenants: { etl: etl_uat }
            """);

        var result = Run("Compare-DsCluster", new Hashtable
        {
            ["Reference"] = a, ["Difference"] = b, ["ResourcesOnly"] = true,
            ["EnvironmentFile"] = environments, ["ReferenceEnvironment"] = "PROD", ["DifferenceEnvironment"] = "UAT",
        });
        Assert.Empty(result.Errors);
        var differences = result.Objects<DsClusterDifference>().ToList();
        var rows = differences.Select(d => d.Change == ClusterChange.Different ? $"{d.Kind} {d.Name} {d.Field}" : $"{d.Kind} {d.Name} {d.Change}").ToList();
        Assert.Equal(new[]
        {
            "Queue uat_only OnlyInDifference",
            "User etl_user email",
            "AlertInstance ops-dingtalk params.Keyword",
            "AlertInstance ops-dingtalk params.Secret",
            "Project analytics users",
            "File scripts/extract.sh sha256",
        }, rows);
        Assert.Equal(("etl@example.local", "etl@uat.example.local"), (differences[1].ReferenceValue, differences[1].DifferenceValue));
        Assert.Equal(("DS", "DS-UAT"), (differences[2].ReferenceValue, differences[2].DifferenceValue));
        // The secret is compared by fingerprint, never by value; the equal webhooks are not reported.
        Assert.Matches("^\\(secret fp:[0-9a-f]{12}\\)$", differences[3].ReferenceValue!);
        Assert.Matches("^\\(secret fp:[0-9a-f]{12}\\)$", differences[3].DifferenceValue!);
        Assert.Equal(("etl_user", null), (differences[4].ReferenceValue, differences[4].DifferenceValue));
        Assert.StartsWith("sha256:", differences[5].ReferenceValue);
        Assert.NotEqual(differences[5].ReferenceValue, differences[5].DifferenceValue);

        // Without the mapping, the tenant names and the user's tenant are differences of their own.
        var unmapped = Run("Compare-DsCluster", new Hashtable { ["Reference"] = a, ["Difference"] = b, ["ResourcesOnly"] = true }).Objects<DsClusterDifference>().ToList();
        Assert.Contains(unmapped, d => d is { Kind: "Tenant", Name: "etl_prod", Change: ClusterChange.OnlyInReference });
        Assert.Contains(unmapped, d => d is { Kind: "User", Name: "etl_user", Field: "tenant", ReferenceValue: "etl_prod", DifferenceValue: "etl_uat" });

        // Export holds no fingerprint and no secret, and still plans zero changes.
        var exported = Path.Combine(_dir, "export", "cluster.yaml");
        Assert.Empty(Run("Export-DsCluster", new Hashtable { ["Path"] = exported, ["Connection"] = b }).Errors);
        Assert.DoesNotContain("fp:", File.ReadAllText(exported));
        Assert.Empty(Run("Compare-DsClusterConfig", new Hashtable { ["Config"] = exported, ["Connection"] = b, ["NoState"] = true }).Output);

        AssertNoSecretAnywhere();
    }

    [Theory]
    [InlineData("3.2")]
    [InlineData("3.3")]
    [InlineData("3.1")]
    [InlineData("3.4")]
    public async Task K8s_clusters_and_namespaces_plan_apply_rerun_prune_export_and_compare(string dialect)
    {
        Environment.SetEnvironmentVariable("DSOPS_COVER_KUBECONFIG", Canary + "-kube");
        var dir = Path.Combine(_dir, "k8s");
        Directory.CreateDirectory(dir);
        var config = Path.Combine(dir, "cluster.yaml");
        const string Yaml = """
            k8sClusters:
              - name: k8s-prod
                description: production k8s
                config: ${env:DSOPS_COVER_KUBECONFIG}
            k8sNamespaces:
              - name: k8s-prod/etl
              - name: k8s-prod/ml
            """;
        File.WriteAllText(config, Yaml);
        var (emu, c) = await StartAsync(dialect);

        var plan = Run("Compare-DsClusterConfig", new Hashtable { ["Config"] = config, ["Connection"] = c }).Objects<ClusterPlanItem>().Select(i => i.ToString()).ToList();
        Assert.Equal(new[]
        {
            "+ K8sCluster/k8s-prod: description: (unset) -> production k8s; config: (unset) -> ${env:DSOPS_COVER_KUBECONFIG}",
            "+ K8sNamespace/k8s-prod/etl", "+ K8sNamespace/k8s-prod/ml",
        }, plan);
        var applied = Run("Sync-DsCluster", new Hashtable { ["Config"] = config, ["Connection"] = c });
        Assert.Empty(applied.Errors);
        Assert.Equal(3, applied.Objects<ClusterApplyResult>().Count(r => r.Status == ClusterApplyStatus.Applied));
        Assert.Equal(Canary + "-kube", await OneAsync(emu, "SELECT config FROM t_ds_cluster WHERE name = 'k8s-prod'"));
        Assert.Equal("etl,ml", await OneAsync(emu, "SELECT GROUP_CONCAT(n.namespace ORDER BY n.namespace) FROM t_ds_k8s_namespace n JOIN t_ds_cluster k ON k.code = n.cluster_code WHERE k.name = 'k8s-prod'"));

        // A second run plans and writes nothing.
        emu.RequestLog.Reset();
        Assert.Empty(Run("Sync-DsCluster", new Hashtable { ["Config"] = config, ["Connection"] = c }).Output);
        Assert.Equal(0, emu.RequestLog.WritingRequests);

        // The description is compared; the kube config is re-sent only on request.
        Environment.SetEnvironmentVariable("DSOPS_COVER_KUBECONFIG", Canary + "-kube2");
        File.WriteAllText(config, Yaml.Replace("production k8s", "prod k8s").Replace("\n  - name: k8s-prod/ml", ""));
        var changed = Run("Sync-DsCluster", new Hashtable { ["Config"] = config, ["Connection"] = c, ["Prune"] = true, ["Force"] = true });
        Assert.Empty(changed.Errors);
        Assert.Equal(new[] { "Applied Update K8sCluster/k8s-prod", "Applied Delete K8sNamespace/k8s-prod/ml" },
            changed.Objects<ClusterApplyResult>().Select(r => $"{r.Status} {r.Action} {r.Target}"));
        Assert.Equal(("prod k8s", Canary + "-kube2"), (await OneAsync(emu, "SELECT description FROM t_ds_cluster WHERE name = 'k8s-prod'"),
            await OneAsync(emu, "SELECT config FROM t_ds_cluster WHERE name = 'k8s-prod'")));
        // The emulator returns the cluster config, so a changed one is seen by fingerprint (whether DS does is unverified).
        Environment.SetEnvironmentVariable("DSOPS_COVER_KUBECONFIG", Canary + "-kube3");
        Assert.Equal("~ K8sCluster/k8s-prod: config: (secret, other value) -> ${env:DSOPS_COVER_KUBECONFIG} (changed)",
            Assert.Single(Run("Compare-DsClusterConfig", new Hashtable { ["Config"] = config, ["Connection"] = c }).Objects<ClusterPlanItem>()).ToString());
        Assert.Empty(Run("Sync-DsCluster", new Hashtable { ["Config"] = config, ["Connection"] = c }).Errors);
        Assert.Equal(Canary + "-kube3", await OneAsync(emu, "SELECT config FROM t_ds_cluster WHERE name = 'k8s-prod'"));
        Assert.Empty(Run("Compare-DsClusterConfig", new Hashtable { ["Config"] = config, ["Connection"] = c }).Output);
        Assert.Equal("~ K8sCluster/k8s-prod: config: (secret) -> ${env:DSOPS_COVER_KUBECONFIG} (re-sent)", Assert.Single(
            Run("Compare-DsClusterConfig", new Hashtable { ["Config"] = config, ["Connection"] = c, ["UpdateSecrets"] = new[] { "K8sCluster/*" } }).Objects<ClusterPlanItem>()).ToString());
        var resent = Run("Sync-DsCluster", new Hashtable { ["Config"] = config, ["Connection"] = c, ["UpdateSecrets"] = new[] { "K8sCluster/*" } });
        Assert.Equal("K8sCluster/k8s-prod", Assert.Single(resent.Objects<ClusterApplyResult>(), r => r.Status == ClusterApplyStatus.Applied).Target);
        Assert.Equal(Canary + "-kube3", await OneAsync(emu, "SELECT config FROM t_ds_cluster WHERE name = 'k8s-prod'"));

        // Export round-trips with the kube config as a reference only.
        var exported = Path.Combine(dir, "export", "cluster.yaml");
        Assert.Empty(Run("Export-DsCluster", new Hashtable { ["Path"] = exported, ["Connection"] = c }).Errors);
        var copy = ClusterConfigReader.ReadFile(exported);
        Assert.Equal("${env:DSOPS_K8SCLUSTER_K8S_PROD_CONFIG}", copy.Find(ClusterResourceKind.K8sCluster, "k8s-prod")!.Secrets["config"].ToString());
        Assert.NotNull(copy.Find(ClusterResourceKind.K8sNamespace, "k8s-prod/etl"));
        Assert.Empty(Run("Compare-DsClusterConfig", new Hashtable { ["Config"] = exported, ["Connection"] = c, ["NoState"] = true }).Output);

        // Compare-DsCluster: the kube configs differ by fingerprint, the namespace the other cluster lacks is listed.
        var (_, other) = await StartAsync(dialect);
        Environment.SetEnvironmentVariable("DSOPS_COVER_KUBECONFIG", Canary + "-kube-other");
        File.WriteAllText(config, Yaml.Replace("production k8s", "prod k8s"));
        Assert.Empty(Run("Sync-DsCluster", new Hashtable { ["Config"] = config, ["Connection"] = other }).Errors);
        var differences = Run("Compare-DsCluster", new Hashtable { ["Reference"] = c, ["Difference"] = other, ["ResourcesOnly"] = true }).Objects<DsClusterDifference>().ToList();
        Assert.Equal(new[] { "K8sCluster k8s-prod config", "K8sNamespace k8s-prod/ml OnlyInDifference" },
            differences.Select(d => d.Change == ClusterChange.Different ? $"{d.Kind} {d.Name} {d.Field}" : $"{d.Kind} {d.Name} {d.Change}"));
        Assert.StartsWith("(secret fp:", differences[0].ReferenceValue);

        AssertNoSecretAnywhere();
    }

    [Fact]
    public void Secrets_DS_returns_are_planned_by_presence_and_fingerprint_never_by_value()
    {
        var desired = ClusterConfigReader.Read("""
            alertInstances:
              - name: robot
                plugin: DingTalk
                params: { Secret: "${env:ROBOT_SECRET}", WebHook: "${env:ROBOT_HOOK}" }
            dataSources:
              - { name: ods, type: MYSQL, host: h, password: "${env:ODS_PASSWORD}" }
            """, "c.yaml");
        ClusterResource Server(ClusterResourceKind kind, string name, params (string, string)[] digests) => new()
        {
            Kind = kind, Name = name, Fields = desired.Find(kind, name)!.Fields,
            SecretDigests = digests.ToDictionary(d => d.Item1, d => d.Item2).ToImmutableSortedDictionary(StringComparer.Ordinal),
        };
        var values = new Dictionary<string, string> { ["ROBOT_SECRET"] = "s1", ["ROBOT_HOOK"] = "h1", ["ODS_PASSWORD"] = "p1" };
        var options = new ClusterPlanOptions { SecretDigest = r => ClusterStateReader.SecretDigest(values.GetValueOrDefault(r.Name)) };
        string[] Plan(ClusterConfig current) => ClusterPlanner.Plan(desired, current, options).Items.Select(i => i.ToString()).ToArray();

        // The server's robot has the same secret and no webhook; the data source's password is masked (no digest).
        var current = new ClusterConfig(new[]
        {
            Server(ClusterResourceKind.AlertInstance, "robot", ("params.Secret", ClusterStateReader.SecretDigest("s1")!)),
            Server(ClusterResourceKind.DataSource, "ods"),
        });
        Assert.Equal(new[] { "= DataSource/ods", "~ AlertInstance/robot: params.WebHook: (unset) -> ${env:ROBOT_HOOK}" }, Plan(current));

        values["ROBOT_SECRET"] = "s2";
        values["ODS_PASSWORD"] = "p2";
        Assert.Equal("~ AlertInstance/robot: params.Secret: (secret, other value) -> ${env:ROBOT_SECRET} (changed); params.WebHook: (unset) -> ${env:ROBOT_HOOK}", Plan(current)[1]);
        Assert.Equal("= DataSource/ods", Plan(current)[0]); // a masked password cannot be compared
        Assert.DoesNotContain(Plan(current), p => p.Contains("s2", StringComparison.Ordinal) || p.Contains("s1", StringComparison.Ordinal));

        // A reference that does not resolve now is not compared (no change planned from it).
        values.Remove("ROBOT_SECRET");
        Assert.Equal("~ AlertInstance/robot: params.WebHook: (unset) -> ${env:ROBOT_HOOK}", Plan(current)[1]);
        Assert.Null(ClusterStateReader.SecretDigest("******"));
    }

    [Fact]
    public void K8s_resources_are_refused_up_front_on_DS_30_naming_file_and_line()
    {
        var config = ClusterConfigReader.Read("""
            queues:
              - name: q
            k8sClusters:
              - { name: k, config: "${env:K}" }
            k8sNamespaces:
              - name: k/etl
            """, "c.yaml");
        var ex = Assert.Throws<DsOpsException>(() => ClusterVersionSupport.EnsureSupported(config, DsDialect.V3_0));
        Assert.Equal("DsK8sClustersUnsupported", ex.ErrorId);
        Assert.StartsWith("c.yaml:4:", ex.Message);
        Assert.Contains("k, k/etl", ex.Message);
        ClusterVersionSupport.EnsureSupported(config, DsDialect.V3_1);
        var bad = Assert.Throws<DsOpsException>(() => ClusterConfigReader.Read("k8sNamespaces:\n  - name: etl\n", "n.yaml"));
        Assert.Contains("n.yaml:2:", bad.Message);
        Assert.Contains("cluster/namespace", bad.Message);
    }

    [Fact]
    public void Data_source_types_are_checked_per_DS_version()
    {
        var config = ClusterConfigReader.Read("""
            dataSources:
              - { name: a, type: ATHENA, host: h }
              - { name: b, type: mysql, host: h }
              - { name: c, type: NOSUCHDB, host: h }
              - { name: d, type: SSH, host: h, publicKey: "${env:K}" }
              - { name: e, type: MYSQL, host: h }
            """, "c.yaml");
        string[] Check(DsDialect d) => ClusterPlanner.CheckAgainstServer(config, d).Select(f => f.Location.Line + " " + f.Message).ToArray();

        var v31 = Check(DsDialect.V3_1);
        Assert.Equal(4, v31.Length);
        Assert.Contains("2 data source 'a': DS 3.1 has no data-source type 'ATHENA'", v31[0]);
        Assert.Contains("3 data source 'b': type 'mysql' is written 'MYSQL' in DS.", v31[1]);
        Assert.Contains("DS will refuse it", v31[2]);
        Assert.StartsWith("5 data source 'd': DS 3.1 has no data-source type 'SSH'", v31[3]);

        var v32 = Check(DsDialect.V3_2);
        Assert.Equal(2, v32.Length);
        Assert.StartsWith("3 data source 'b'", v32[0]);
        Assert.Contains("type 'NOSUCHDB' is not among the types DsOps has verified for DS 3.2", v32[1]);

        var v34 = Check(DsDialect.V3_4);
        Assert.Equal(3, v34.Length);
        Assert.Equal("5 data source 'd': DS 3.4 calls the SSH key field 'privateKey', not 'publicKey'.", v34[2]);
    }

    [Fact]
    public void UpdateSecrets_patterns_select_resources_with_secrets_by_kind_and_name()
    {
        var config = ClusterConfigReader.ReadFile(Path.Combine(RepoPaths.RepoRoot, "docs", "examples", "cluster", "cluster.yaml"));
        string[] Select(params string[] p) => ClusterPlanner.SecretTargets(config.Resources, p).SelectMany(t => t.Value).Select(r => r.Key).Distinct().Order().ToArray();
        Assert.Equal(new[] { "AlertInstance/ops-dingtalk", "DataSource/dw_prod", "DataSource/ods_prod", "User/etl_user" }, Select("*"));
        Assert.Equal(new[] { "DataSource/dw_prod", "DataSource/ods_prod" }, Select("datasource/*"));
        Assert.Equal(new[] { "DataSource/ods_prod" }, Select("ods_pro?"));
        Assert.Empty(Select("Tenant/*")); // tenants have no secrets
        var ex = Assert.Throws<DsOpsException>(() => ClusterPlanner.CheckSecretTargets(config, new[] { "ods_prod", "Project/*" }));
        Assert.Equal("DsClusterUpdateSecretsNoMatch", ex.ErrorId);
        Assert.Contains("'Project/*'", ex.Message);
        Assert.DoesNotContain("'ods_prod'", ex.Message);
    }

    protected override IEnumerable<string> SecretBearingTexts(object output) =>
        output is DsClusterDifference d ? new[] { d + " " + d.ReferenceValue + " " + d.DifferenceValue } : Enumerable.Empty<string>();
}
