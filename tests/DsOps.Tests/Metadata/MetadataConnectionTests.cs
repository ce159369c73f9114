using DsOps.Engine;
using DsOps.Engine.Dialects;
using DsOps.Engine.Metadata;
using DsOps.Testing;
using DsOps.Testing.History;
using Xunit;

namespace DsOps.Tests.Metadata;

public class MetadataConnectionTests
{
    [Theory]
    [InlineData("3.0.1", "3.0.1", "t_ds_process_instance")]
    [InlineData("3.1.9", "3.1.9", "t_ds_process_instance")]
    [InlineData("3.2.2", "3.2.2", "t_ds_process_instance")]
    [InlineData("3.3-dev", "3.3.0", "t_ds_workflow_instance")]
    [InlineData("3.4.3", "3.4.3", "t_ds_workflow_instance")]
    public async Task Detects_version_from_schema(string schema, string expected, string instanceTable)
    {
        var cs = await (await MariaDbFixture.Shared).CreateDsDatabaseAsync(schema);
        var connection = await DsMetadataConnection.ConnectAsync(cs, serverTimeZone: TimeZoneInfo.Utc);
        Assert.Equal(Version.Parse(expected), connection.Dialect.Version);
        Assert.Equal(instanceTable, connection.Dialect.WorkflowInstanceTable);
    }

    [Fact]
    public async Task Non_DS_database_is_rejected_with_stable_id()
    {
        var server = await MariaDbFixture.Shared;
        var db = await server.CreateDatabaseAsync("plain");
        var ex = await Assert.ThrowsAsync<DsOpsException>(() => DsMetadataConnection.ConnectAsync(server.ConnectionString(db)));
        Assert.Equal("DsMetadataNotDolphinScheduler", ex.ErrorId);
    }

    [Fact]
    public async Task Session_is_read_only_on_the_server_and_in_the_client()
    {
        var cs = await (await MariaDbFixture.Shared).CreateDsDatabaseAsync("3.2.2");
        var connection = await DsMetadataConnection.ConnectAsync(cs);
        await using var session = await connection.OpenSessionAsync();
        // The server refuses: the session runs READ ONLY transactions.
        var server = await Assert.ThrowsAsync<DsOpsException>(() =>
            session.ExecuteUncheckedAsync("INSERT INTO t_ds_project (name, code, create_time) VALUES ('x', 1, NOW())"));
        Assert.Contains("READ ONLY", server.Message, StringComparison.OrdinalIgnoreCase);
        // The client refuses before sending anything that is not a single SELECT.
        var client = await Assert.ThrowsAsync<DsOpsException>(() =>
            session.QueryAsync("DELETE FROM t_ds_project", null, r => 0));
        Assert.Equal("DsMetadataWriteRefused", client.ErrorId);
        var stacked = await Assert.ThrowsAsync<DsOpsException>(() =>
            session.QueryAsync("SELECT 1; DELETE FROM t_ds_project", null, r => 0));
        Assert.Equal("DsMetadataWriteRefused", stacked.ErrorId);
        var count = await session.QueryAsync("SELECT COUNT(*) FROM t_ds_project", null, r => r.GetInt64(0));
        Assert.Equal(0, count[0]);
    }

    [Fact]
    public async Task Password_never_appears_in_ToString_or_errors()
    {
        var server = await MariaDbFixture.Shared;
        var cs = await server.CreateDsDatabaseAsync("3.0.1");
        const string secret = "S3cr3t-Metadata-Pw!";
        var bad = new MySqlConnector.MySqlConnectionStringBuilder(cs) { UserID = "nobody", Password = secret }.ConnectionString;
        var ex = await Assert.ThrowsAsync<DsOpsException>(() => DsMetadataConnection.ConnectAsync(bad));
        Assert.Equal("DsMetadataAccessDenied", ex.ErrorId);
        Assert.DoesNotContain(secret, ex.ToString());
        var ok = await DsMetadataConnection.ConnectAsync(cs);
        Assert.DoesNotContain("Password", ok.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("3.0.1")]
    [InlineData("3.3-dev")]
    [InlineData("3.4.3")]
    public async Task Generator_writes_consistent_history(string schema)
    {
        var cs = await (await MariaDbFixture.Shared).CreateDsDatabaseAsync(schema);
        var facts = await HistoryGenerator.GenerateAsync(cs, schema, new HistoryOptions
        {
            Days = 3, Workflows = 50, TasksPerDay = 200, FailureRate = 0.1, LastDay = new DateOnly(2026, 3, 10),
        });
        var connection = await DsMetadataConnection.ConnectAsync(cs);
        await using var session = await connection.OpenSessionAsync();
        var d = connection.Dialect;
        var tasks = await session.QueryAsync($"SELECT COUNT(*) FROM {d.TaskInstanceTable}", null, r => r.GetInt64(0));
        var instances = await session.QueryAsync($"SELECT COUNT(*) FROM {d.WorkflowInstanceTable}", null, r => r.GetInt64(0));
        Assert.Equal(facts.TotalTaskRows, tasks[0]);
        Assert.Equal(facts.TotalInstances, instances[0]);
        Assert.NotEmpty(facts.LastDay.FailedInstanceIds);
    }
}
