using System.Text.Json;
using DsOps.Engine.Api;
using DsOps.Engine.Dialects;
using DsOps.Tests.Api;
using DsOps.Tests.Fakes;
using Xunit;

namespace DsOps.Tests.Dialects;

/// <summary>Version facts that used to live outside Dialects/ (issue #15): state filters, status tables, key spellings, config inference, jar names, product info.</summary>
public class DsDialectRuleTests
{
    [Theory]
    [InlineData("3.1", "DISPATCH")]       // 3.1 names workflow code 17 DISPATCH
    [InlineData("3.2", "WAIT_TO_RUN")]    // 3.2+ renamed it
    [InlineData("3.3", "WAIT_TO_RUN")]
    public void State_filter_names_follow_the_version(string version, string expected17)
    {
        var d = DsDialect.Parse(version);
        var names = d.StateFilterNames(new[] { DsRunState.Failed, DsRunState.Running, DsRunState.Failed, DsRunState.WaitToRun, DsRunState.Dispatched },
            DsStateScope.Workflow, out var skipped);
        Assert.Equal(new[] { "FAILURE", "RUNNING_EXECUTION", expected17 }, names);
        Assert.Equal(expected17 == "DISPATCH" ? DsRunState.WaitToRun : DsRunState.Dispatched, Assert.Single(skipped));
    }

    [Fact]
    public void No_states_means_one_unfiltered_query()
    {
        Assert.Equal(new string?[] { null }, DsDialect.V3_2.StateFilterNames(null, DsStateScope.Task, out var skipped));
        Assert.Empty(skipped);
        Assert.Equal(new string?[] { null }, DsDialect.V3_2.StateFilterNames(Array.Empty<DsRunState>(), DsStateScope.Task, out _));
    }

    [Fact]
    public void State_missing_in_a_version_is_skipped_not_sent()
    {
        // 3.4 dropped workflow code 17 (WAIT_TO_RUN); 3.3 still has it (docs/ds-facts.md §5.3, 3.3.x unverified).
        Assert.Empty(DsDialect.V3_4.StateFilterNames(new[] { DsRunState.WaitToRun }, DsStateScope.Workflow, out var skipped));
        Assert.Equal(DsRunState.WaitToRun, Assert.Single(skipped));
        Assert.Equal(new[] { "WAIT_TO_RUN" }, DsDialect.V3_3.StateFilterNames(new[] { DsRunState.WaitToRun }, DsStateScope.Workflow, out _));
    }

    [Theory]
    [InlineData("3.0", "3.0.1", "PROCESS_INSTANCE_NOT_EXIST")]
    [InlineData("3.1", "3.1.9", "PROCESS_INSTANCE_NOT_EXIST")]
    [InlineData("3.2", "3.2.2", "PROCESS_INSTANCE_NOT_EXIST")]
    [InlineData("3.3", "3.3-dev", "WORKFLOW_INSTANCE_NOT_EXIST")]
    [InlineData("3.4", "3.3-dev", "WORKFLOW_INSTANCE_NOT_EXIST")]
    public void Status_names_come_from_the_version_table(string version, string table, string name50001)
    {
        var d = DsDialect.Parse(version);
        Assert.Equal(table, d.StatusTableName);
        Assert.Equal(name50001, DsStatusCatalog.NameOf(50001, d));
    }

    [Theory]
    [InlineData("{\"processDefinition\":{\"code\":1}}", "3.2")]
    [InlineData("{\"workflowDefinition\":{\"code\":1}}", "3.3")]
    public void Dag_keys_of_either_version_are_read(string json, string family)
    {
        var e = JsonDocument.Parse(json).RootElement;
        Assert.Equal(family, DsDialect.FromDagElement(e)!.Family);
        Assert.True(DsDialect.TryGetAnyDagDefinition(e, out var def));
        Assert.Equal(1, def.GetProperty("code").GetInt32());
        // A server's own key first, the other spelling still accepted.
        Assert.True(DsDialect.V3_3.TryGetDagDefinition(e, out _));
        Assert.True(DsDialect.V3_2.TryGetDagDefinition(e, out _));
    }

    [Fact]
    public void Element_without_a_definition_has_no_dialect()
    {
        var e = JsonDocument.Parse("{\"taskDefinitionList\":[]}").RootElement;
        Assert.Null(DsDialect.FromDagElement(e));
        Assert.False(DsDialect.TryGetAnyDagDefinition(e, out _));
        Assert.Equal("element has neither 'processDefinition' nor 'workflowDefinition'.", DsDialect.MissingDagDefinitionMessage);
        Assert.Equal(new[] { DsDialect.V3_3.SubWorkflowCodeKey, DsDialect.V3_2.SubWorkflowCodeKey }, DsDialect.SubWorkflowCodeKeys);
        Assert.Equal(new[] { DsDialect.V3_3.DagRelationListKey, DsDialect.V3_2.DagRelationListKey }, DsDialect.DagRelationListKeys);
        Assert.Equal("processDefinition", DsDialect.DefaultExportDialect.DagDefinitionKey);   // Export-DsWorkflowSpec without -Version
    }

    [Theory]
    [InlineData("master.worker-load-balancer-configuration-properties.type", false, false, "3.3.0")]
    [InlineData("master.server-load-protection.max-system-cpu-usage-percentage-thresholds", false, false, "3.2.2")]
    [InlineData("worker.server-load-protection.enabled", false, false, "3.2.1")]
    [InlineData("other.key", true, true, "3.2.0")]
    [InlineData("other.key", false, true, "3.1")]
    [InlineData("other.key", false, false, "3.0")]
    public void Server_config_keys_infer_the_earliest_fitting_version(string key, bool jvmArgs, bool bootstrap, string expected)
    {
        var (dialect, evidence) = DsDialect.FromServerConfig(new HashSet<string> { key }, jvmArgs, bootstrap);
        Assert.Equal(DsDialect.Parse(expected).Version, dialect.Version);
        Assert.StartsWith("inferred: ", evidence);
    }

    [Theory]
    [InlineData("dolphinscheduler-master-3.0.6.jar", "3.0.6")]
    [InlineData("dolphinscheduler-api-3.2.2.jar", "3.2.2")]
    [InlineData("dolphinscheduler-task-api-3.4.1.jar", "3.4.1")]
    [InlineData("dolphinscheduler-worker-3.2.1-SNAPSHOT.jar", "3.2.1")]
    public void A_ds_jar_name_gives_its_version(string fileName, string expected)
    {
        Assert.Equal(Version.Parse(expected), DsDialect.VersionFromJarName(fileName)!.Version);
    }

    [Theory]
    [InlineData("spring-core-5.3.39.jar")]
    [InlineData("mysql-connector-j-8.0.33.jar")]
    [InlineData("dolphinscheduler-master.jar")]          // no version
    [InlineData("dolphinscheduler-master-2.0.9.jar")]    // not a 3.x line
    [InlineData("dolphinscheduler-master-3.2.2.jar.bak")]
    public void Any_other_file_name_gives_no_version(string fileName)
    {
        Assert.Null(DsDialect.VersionFromJarName(fileName));
    }

    [Fact]
    public void A_ds_jar_of_an_unsupported_version_is_refused_not_guessed()
    {
        Assert.Throws<NotSupportedException>(() => DsDialect.VersionFromJarName("dolphinscheduler-master-3.5.0.jar"));
    }

    [Fact]
    public void The_server_config_reader_takes_the_version_from_a_jar_under_libs()
    {
        var home = Directory.CreateTempSubdirectory("dsops-jar-");
        try
        {
            var libs = Directory.CreateDirectory(Path.Combine(home.FullName, "libs"));
            File.WriteAllText(Path.Combine(libs.FullName, "spring-core-5.3.39.jar"), "");
            File.WriteAllText(Path.Combine(libs.FullName, "dolphinscheduler-master-3.2.1.jar"), "");
            var (dialect, evidence) = DsOps.Engine.ServerConfig.DsServerConfigReader.DetectVersion(
                Array.Empty<DsOps.Engine.ServerConfig.ConfigSourceFile>(), new[] { home.FullName });
            Assert.Equal(new Version(3, 2, 1), dialect.Version);
            Assert.Equal("libs/dolphinscheduler-master-3.2.1.jar", evidence);
        }
        finally { home.Delete(recursive: true); }
    }

    [Theory]
    [InlineData("{\"version\":\"3.4.2\"}", "3.4.2")]
    [InlineData("{\"version\":\"3.3.0-alpha\",\"other\":1}", "3.3.0")]
    [InlineData("{\"version\":3.4}", null)]        // not a string
    [InlineData("{\"release\":\"3.4.2\"}", null)]  // no version key
    [InlineData("[\"3.4.2\"]", null)]
    public void Product_info_names_the_version_only_under_its_key(string json, string? expected)
    {
        var d = DsDialect.FromProductInfo(JsonDocument.Parse(json).RootElement);
        Assert.Equal(expected is null ? null : Version.Parse(expected), d?.Version);
        Assert.Null(DsDialect.FromProductInfo(null));
        Assert.Null(DsDialect.FromProductInfo(default(JsonElement)));   // a route that exists but answered an error
    }

    [Fact]
    public void The_detector_reads_the_version_from_product_info_via_the_dialect()
    {
        using var fake = new FakeDsServer("3.4.1").Answer("GET " + DsDialect.ProductInfoPath,
            new Dictionary<string, object> { [DsDialect.ProductInfoVersionKey] = "3.4.2" });
        using var c = DsClientTests.Connect(fake);
        Assert.Equal("3.4.2", c.Version);
        Assert.Contains(fake.Requests, r => r.Path == DsDialect.ProductInfoPath);
        // The reported version decides; no route probe is asked.
        Assert.DoesNotContain(fake.Requests, r => DsDialect.VersionProbes.Any(p => p.Path == r.Path));
    }

    [Fact]
    public void A_given_version_still_checks_access_on_the_dialect_s_route()
    {
        using var fake = new FakeDsServer("3.2.2");
        using var c = DsClientTests.Connect(fake, DsDialect.V3_2);
        Assert.Equal("GET " + DsDialect.AccessCheckPath, Assert.Single(fake.Requests).Route);
    }
}
