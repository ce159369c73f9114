using System.Management.Automation;
using DsOps.Engine.Specs.Sources;
using DsOps.Infrastructure;

namespace DsOps.Commands.Specs;

/// <summary>What New-DsConfigTable did.</summary>
public sealed record ConfigTableInfo(string Table, string Database, bool Created)
{
    public override string ToString() => $"{Database} {Table} ({(Created ? "created" : "already existed")})";
}

/// <summary>
/// <para type="synopsis">Creates the workflow config table (rows of workflow, node, task type, script source, data source, predecessors, change type).</para>
/// <para type="description">Creates the table DsOps reads workflow specs from (Get-DsWorkflowSpec / Test-DsWorkflowSpec /
/// Compare-DsWorkflow -ConnectionString) in a MySQL or MariaDB database, if it does not exist. The DDL is documented
/// in docs/workflows-as-config.md; -WhatIf shows what would be created without touching the database.</para>
/// <example><code>New-DsConfigTable -ConnectionString 'Server=db;Database=etl' -Credential $cred -WhatIf</code><para>Shows the config table that would be created, without touching the database.</para></example>
/// </summary>
[Cmdlet(VerbsCommon.New, "DsConfigTable", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ConfigTableInfo))]
public sealed class NewDsConfigTableCommand : DsCmdlet
{
    /// <summary><para type="description">MySQL connection string of the target database.</para></summary>
    [Parameter(Mandatory = true, Position = 0, HelpMessage = "MySQL connection string of the target database (prefer -Credential for the password).")]
    [ValidateNotNullOrEmpty]
    public string ConnectionString { get; set; } = "";

    /// <summary><para type="description">User and password for the connection.</para></summary>
    [Parameter(HelpMessage = "User and password for the connection.")]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary><para type="description">Table name (default dsops_workflow_config).</para></summary>
    [Parameter(HelpMessage = "Table name (default dsops_workflow_config).")]
    [ValidateNotNullOrEmpty]
    public string TableName { get; set; } = ConfigTableSource.DefaultTable;

    protected override void EndProcessing()
    {
        string cs, target;
        try
        {
            ConfigTableSource.QuoteTable(TableName);
            cs = DsConnectionStrings.With(ConnectionString, Credential);
            target = $"{TableName} on {DsConnectionStrings.Describe(cs)}";
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowDsError(ex is ArgumentException ? new Engine.DsOpsException(Engine.DsErrorKind.InvalidInput, "DsConnectionStringInvalid", "-ConnectionString is not a valid MySQL connection string.") : ex, TableName);
            return;
        }
        WriteVerbose(ConfigTableSource.CreateTableSql(TableName));
        if (!ShouldProcess(target, "Create workflow config table")) return;
        try
        {
            var created = Await(ConfigTableSource.CreateAsync(cs, TableName, CancellationToken));
            WriteObject(new ConfigTableInfo(TableName, DsConnectionStrings.Describe(cs), created));
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowDsError(ex, TableName);
        }
    }
}
