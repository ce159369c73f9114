using Xunit;
using System.Management.Automation;
using DsOps.Commands.Specs;
using DsOps.Engine;
using DsOps.Engine.Specs.Model;
using DsOps.Engine.Specs.Sources;
using DsOps.Engine.Specs.Validation;
using DsOps.Tests.Hosting;
using DsOps.Testing;
using MySqlConnector;

namespace DsOps.Tests.Specs;

/// <summary>The workflow config table on a real MariaDB (MariaDbFixture).</summary>
public class ConfigTableTests
{
    private static async Task<string> EmptyDatabase()
    {
        var server = await MariaDbFixture.Shared;
        return server.ConnectionString(await server.CreateDatabaseAsync("cfg"));
    }

    private static async Task Insert(string cs, string table, params (string Wf, string Node, string Type, string? Script, string? DsType, string? Ds, string? Preds, string Change)[] rows)
    {
        await using var conn = new MySqlConnection(cs);
        await conn.OpenAsync();
        foreach (var r in rows)
        {
            await using var cmd = new MySqlCommand($"INSERT INTO `{table}` (project_name, workflow_name, node_name, task_type, script_source, datasource_type, datasource_name, predecessors, change_type) VALUES ('etl', @w, @n, @t, @s, @dt, @d, @p, @c)", conn);
            cmd.Parameters.AddWithValue("@w", r.Wf);
            cmd.Parameters.AddWithValue("@n", r.Node);
            cmd.Parameters.AddWithValue("@t", r.Type);
            cmd.Parameters.AddWithValue("@s", r.Script);
            cmd.Parameters.AddWithValue("@dt", r.DsType);
            cmd.Parameters.AddWithValue("@d", r.Ds);
            cmd.Parameters.AddWithValue("@p", r.Preds);
            cmd.Parameters.AddWithValue("@c", r.Change);
            await cmd.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task Table_is_created_once_and_rows_become_specs()
    {
        var cs = await EmptyDatabase();
        Assert.True(await ConfigTableSource.CreateAsync(cs));
        Assert.False(await ConfigTableSource.CreateAsync(cs));
        using var files = new SpecTestFiles();
        files.Write("jobs/extract.sh", "echo extract");
        files.Write("jobs/load.sql", "insert into dw.t select * from ods.t");
        await Insert(cs, ConfigTableSource.DefaultTable,
            ("orders", "extract", "compute", "jobs/extract.sh", null, null, null, "new"),
            ("orders", "load", "compute", "jobs/load.sql", "mysql", "ods", "extract", "new"),
            ("orders", "sync", "sync", null, "mysql", "ods", "load, extract", "update"));

        var set = await ConfigTableSource.LoadAsync(cs, scriptRoot: files.Root);
        Assert.Empty(set.Findings);
        var w = Assert.Single(set.Workflows);
        Assert.Equal(("etl", "orders"), (w.Project, w.Name));
        Assert.Equal(("SHELL", "echo extract"), (w.FindTask("extract")!.Type, w.FindTask("extract")!.Script));
        var load = w.FindTask("load")!;
        Assert.Equal(("SQL", "ods", "MYSQL"), (load.Type, load.DataSource, load.DataSourceType));
        Assert.Equal(new[] { "extract", "load" }, w.FindTask("sync")!.DependsOn);
        Assert.Equal("DATAX", w.FindTask("sync")!.Type);
        // sync has no target data source: validation says so, naming the task
        Assert.Contains(SpecValidator.Validate(set.Workflows), f => f.RuleId == "MissingField" && f.Task == "sync" && f.Message.Contains("dataTarget"));
    }

    [Fact]
    public async Task Bad_rows_are_findings_naming_the_row()
    {
        var cs = await EmptyDatabase();
        await ConfigTableSource.CreateAsync(cs, "cfg_rows");
        using var files = new SpecTestFiles();
        await Insert(cs, "cfg_rows",
            ("w", "a", "shell", "../../etc/passwd", null, null, null, "new"),
            ("w", "b", "shell", "git@git.example:team/etl.git#main:b.sh", null, null, "a", "maybe"),
            ("w", "c", "shell", "missing.sh", null, null, "zz", "new"));
        var set = await ConfigTableSource.LoadAsync(cs, "cfg_rows", scriptRoot: files.Root);
        Assert.Contains(set.Findings, f => f.RuleId == "ScriptOutsideRoot" && f.Location.File!.StartsWith("cfg_rows[id="));
        Assert.Contains(set.Findings, f => f.RuleId == "GitScriptSource");
        Assert.Contains(set.Findings, f => f.RuleId == "InvalidValue" && f.Message.Contains("'maybe'"));
        Assert.Contains(set.Findings, f => f.RuleId == "ScriptNotFound" && f.Task == "c");
        Assert.Contains(SpecValidator.Validate(set.Workflows), f => f.RuleId == "UnknownDependency" && f.Task == "c");
    }

    [Fact]
    public async Task Project_filter_is_a_parameter_not_sql_text()
    {
        var cs = await EmptyDatabase();
        await ConfigTableSource.CreateAsync(cs);
        await Insert(cs, ConfigTableSource.DefaultTable, ("w", "a", "python", null, null, null, null, "new"));
        Assert.Empty(await ConfigTableSource.ReadRowsAsync(cs, project: "etl' OR '1'='1"));
        Assert.Single(await ConfigTableSource.ReadRowsAsync(cs, project: "etl"));
        var ex = await Assert.ThrowsAsync<DsOpsException>(() => ConfigTableSource.ReadRowsAsync(cs, "t; DROP TABLE x"));
        Assert.Equal("DsConfigTableName", ex.ErrorId);
    }

    [Fact]
    public async Task Change_type_is_checked_against_the_target()
    {
        var rows = new[]
        {
            new ConfigTableRow(1, "etl", "w", "a", "shell") { ChangeType = "new" },
            new ConfigTableRow(2, "etl", "w", "b", "shell") { ChangeType = "update" },
        };
        var current = new[] { new WorkflowSpec("etl", "w", [new TaskSpec("a", "SHELL") { Script = "x" }]) };
        var findings = ConfigTableSource.CheckChangeTypes(rows, current);
        Assert.Equal(2, findings.Count(f => f.RuleId == "ChangeTypeMismatch"));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task New_DsConfigTable_honours_WhatIf_and_hides_the_password()
    {
        var cs = await EmptyDatabase();
        using var e = new HostedEngine();
        var whatIf = e.Run("New-DsConfigTable", new Dictionary<string, object> { ["ConnectionString"] = cs, ["TableName"] = "cfg_whatif", ["WhatIf"] = true });
        Assert.Empty(whatIf.Errors);
        Assert.False(await ConfigTableSource.ExistsAsync(cs, "cfg_whatif"));

        var made = e.Run("New-DsConfigTable", new Dictionary<string, object> { ["ConnectionString"] = cs, ["TableName"] = "cfg_whatif" });
        Assert.True(made.Objects<ConfigTableInfo>().Single().Created);
        Assert.True(await ConfigTableSource.ExistsAsync(cs, "cfg_whatif"));

        var secret = new MySqlConnectionStringBuilder(cs) { UserID = "nobody", Password = "S3cret-Pa55" }.ConnectionString;
        var failed = Assert.ThrowsAny<RuntimeException>(() => e.Run("New-DsConfigTable", new Dictionary<string, object> { ["ConnectionString"] = secret, ["TableName"] = "cfg_x" }));
        Assert.StartsWith("DsConfigTableFailed,", failed.ErrorRecord.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ReadError, failed.ErrorRecord.CategoryInfo.Category);
        Assert.DoesNotContain("S3cret-Pa55", failed.ErrorRecord + " " + failed + " " + failed.ErrorRecord.TargetObject);
    }

    [Fact]
    public async Task Test_DsWorkflowSpec_reads_the_config_table()
    {
        var cs = await EmptyDatabase();
        await ConfigTableSource.CreateAsync(cs);
        await Insert(cs, ConfigTableSource.DefaultTable,
            ("w", "a", "python", null, null, null, "b", "new"),
            ("w", "b", "python", null, null, null, "a", "new"));
        using var e = new HostedEngine();
        var findings = e.Run("Test-DsWorkflowSpec", new { ConnectionString = cs }).Objects<SpecFinding>();
        Assert.Contains(findings, f => f.RuleId == "Cycle");
        var both = Assert.ThrowsAny<RuntimeException>(() => e.Run("Test-DsWorkflowSpec", new { ConnectionString = cs, Path = "." }));
        Assert.StartsWith("DsInvalidArgument,", both.ErrorRecord.FullyQualifiedErrorId);
        Assert.Contains("-ConnectionString", both.Message);
    }
}
