using System.Collections.Immutable;
using DsOps.Engine;
using DsOps.Engine.Clusters;
using DsOps.Testing;
using Xunit;

namespace DsOps.Tests.Clusters;

/// <summary>cluster.yaml reading: the example config, errors naming file and line, secrets refused as literals.</summary>
public sealed class ClusterConfigTests
{
    private static string ExampleConfig => Path.Combine(RepoPaths.RepoRoot, "docs", "examples", "cluster", "cluster.yaml");

    [Fact]
    public void Example_config_reads_in_dependency_order_with_secrets_as_references_only()
    {
        var config = ClusterConfigReader.ReadFile(ExampleConfig);
        Assert.Equal(new[] { "Queue", "Tenant", "User", "WorkerGroup", "Environment", "DataSource", "DataSource", "AlertInstance", "AlertGroup", "Project", "File" },
            config.Resources.Select(r => r.Kind.ToString()));
        var ods = config.Find(ClusterResourceKind.DataSource, "ods_prod")!;
        Assert.Equal("3306", ods.Field("port"));
        Assert.Equal("{\"useSSL\":\"true\"}", ods.Field("other"));
        Assert.Equal("${env:DSOPS_EXAMPLE_ODS_PASSWORD}", ods.Secrets["password"].ToString());
        var dingTalk = config.Find(ClusterResourceKind.AlertInstance, "ops-dingtalk")!;
        Assert.Equal("DS", dingTalk.Field("params.Keyword"));
        Assert.Equal(new[] { "params.Secret", "params.WebHook" }, dingTalk.Secrets.Keys);
        Assert.Equal("prod-workers", config.Find(ClusterResourceKind.Environment, "prod-env")!.Field("workerGroups"));
        var file = config.Find(ClusterResourceKind.File, "scripts/extract.sh")!;
        Assert.StartsWith("sha256:", file.Field("sha256"));
        Assert.True(File.Exists(file.LocalPath));
        Assert.Empty(config.Warnings);
    }

    [Fact]
    public void Literal_secret_is_refused_with_file_and_line()
    {
        var ex = Assert.Throws<DsOpsException>(() => ClusterConfigReader.Read("""
            dataSources:
              - name: ods
                type: MYSQL
                password: hunter2-literal
            alertInstances:
              - name: robot
                plugin: DingTalk
                params: { Secret: plain-secret }
            """, "c.yaml"));
        Assert.Equal("DsClusterConfigInvalid", ex.ErrorId);
        Assert.Contains("c.yaml:4:", ex.Message);
        Assert.Contains("c.yaml:8:", ex.Message);
        Assert.DoesNotContain("hunter2-literal", ex.Message);
        Assert.DoesNotContain("plain-secret", ex.Message);
    }

    [Fact]
    public void Unknown_keys_missing_names_and_duplicates_are_all_reported_with_lines()
    {
        var ex = Assert.Throws<DsOpsException>(() => ClusterConfigReader.Read("""
            tenants:
              - name: etl
                queu: default
              - description: no name
              - name: etl
            gadgets: []
            users:
              - name: bob
                email: bob@example.local
            """, "c.yaml"));
        Assert.Contains("c.yaml:3:5: unknown key 'queu'", ex.Message);
        Assert.Contains("c.yaml:4:5: a Tenant entry needs 'name'", ex.Message);
        Assert.Contains("Tenant 'etl' is declared twice", ex.Message);
        Assert.Contains("c.yaml:6:1: unknown section 'gadgets'", ex.Message);
        Assert.Contains("User 'bob' needs 'tenant'", ex.Message);
        Assert.Contains("User 'bob' needs 'password'", ex.Message);
    }

    [Fact]
    public void Yaml_tags_and_alias_bombs_are_refused_by_the_safe_reader()
    {
        var ex = Assert.ThrowsAny<DsOpsException>(() => ClusterConfigReader.Read("""
            a: &a [x, x, x, x, x, x, x, x, x, x]
            b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
            c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
            d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
            e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
            """, "bomb.yaml"));
        Assert.Contains("bomb.yaml", ex.Message);
    }

    [Fact]
    public void Planner_compares_declared_fields_only_and_never_secrets()
    {
        var desired = ClusterConfigReader.Read("""
            tenants:
              - name: etl
                queue: q1
            users:
              - name: bob
                email: bob@example.local
                tenant: etl
                password: ${env:BOB_PASSWORD}
            """, "c.yaml");
        var current = new ClusterConfig(new[]
        {
            new ClusterResource { Kind = ClusterResourceKind.Tenant, Name = "etl", Fields = Fields(("queue", "q2"), ("description", "set in the UI")) },
            new ClusterResource { Kind = ClusterResourceKind.User, Name = "bob", Fields = Fields(("email", "bob@example.local"), ("tenant", "etl"), ("phone", "123")) },
            new ClusterResource { Kind = ClusterResourceKind.Tenant, Name = "old", Fields = Fields() },
        });
        var plan = ClusterPlanner.Plan(desired, current);
        Assert.Equal(new[] { "~ Tenant/etl: queue: q2 -> q1", "= User/bob" }, plan.Items.Select(i => i.ToString()));
        var pruned = ClusterPlanner.Plan(desired, current, new ClusterPlanOptions { Prune = true });
        Assert.Equal("- Tenant/old", pruned.Items.Last().ToString());
    }

    /// <summary>The editor schema and the reader agree on every section and key (a kind added to one is added to the other).</summary>
    [Fact]
    public void Json_schema_lists_every_section_and_key_the_reader_accepts()
    {
        var schema = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.RepoRoot, "module", "DsOps", "schemas", "dsops-cluster.schema.json")))!;
        var sections = schema["properties"]!.AsObject().Select(p => p.Key).Where(k => k is not "cluster" and not "description").Order(StringComparer.Ordinal);
        Assert.Equal(Enum.GetValues<ClusterResourceKind>().Select(ClusterConfig.SectionOf).Order(StringComparer.Ordinal), sections);
        foreach (var kind in Enum.GetValues<ClusterResourceKind>())
        {
            var reference = schema["properties"]![ClusterConfig.SectionOf(kind)]!["items"]!["$ref"]!.GetValue<string>();
            var definition = schema["definitions"]![reference[(reference.LastIndexOf('/') + 1)..]]!;
            var keys = definition["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal);
            Assert.Equal(ClusterConfigReader.Schema[kind].Keys.Append("name").Order(StringComparer.Ordinal), keys);
        }
    }

    private static ImmutableSortedDictionary<string, string> Fields(params (string, string)[] f) =>
        f.ToDictionary(x => x.Item1, x => x.Item2).ToImmutableSortedDictionary(StringComparer.Ordinal);
}
