using System.Text.Json;
using DsOps.Engine.Api;
using DsOps.Engine.Dialects;
using Xunit;

namespace DsOps.Tests.Dialects;

/// <summary>Version facts that used to live outside Dialects/ (issue #15): state filters, status tables, key spellings, config inference.</summary>
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
}
