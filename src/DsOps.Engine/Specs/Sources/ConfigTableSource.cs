using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using DsOps.Engine.Specs.Documents;
using DsOps.Engine.Specs.Loading;
using DsOps.Engine.Specs.Model;
using DsOps.Engine.Specs.Validation;
using MySqlConnector;

namespace DsOps.Engine.Specs.Sources;

/// <summary>One row of the workflow config table: one task (node) of one workflow.</summary>
public sealed record ConfigTableRow(long Id, string Project, string Workflow, string Node, string TaskType)
{
    public string? ScriptSource { get; init; }
    public string? DataSourceType { get; init; }
    public string? DataSourceName { get; init; }
    public string? TargetDataSourceType { get; init; }
    public string? TargetDataSourceName { get; init; }
    /// <summary>Comma-separated upstream node names.</summary>
    public string? Predecessors { get; init; }
    /// <summary>new or update: what the row's author expects on the target.</summary>
    public string ChangeType { get; init; } = "new";
    public string? WorkerGroup { get; init; }
    public int Retries { get; init; }
    public string? Description { get; init; }
    public bool Enabled { get; init; } = true;
}

/// <summary>Resolves a Git script address (e.g. https://git.example/team/etl.git#main:jobs/a.sh) to script text.</summary>
internal interface IScriptSourceResolver
{
    /// <summary>Returns the script text, or throws a DsOpsException with a clear message.</summary>
    string Resolve(string address);

    /// <summary>Where the script of an address already resolved came from in Git (null when not known).</summary>
    Provenance.ScriptProvenance? ProvenanceOf(string address) => null;
}

/// <summary>
/// Workflow specs kept as rows of a MySQL/MariaDB table (DDL: <see cref="CreateTableSql"/>, documented in
/// docs/workflows-as-config.md). All SQL is parameterized; the table name is an identifier, so it is
/// validated and quoted instead.
/// </summary>
internal static partial class ConfigTableSource
{
    public const string DefaultTable = "dsops_workflow_config";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,63}$")]
    private static partial Regex Identifier();

    public static string QuoteTable(string table)
    {
        if (!Identifier().IsMatch(table))
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsConfigTableName",
                $"'{table}' is not a valid table name (letters, digits and '_', up to 64 characters, not starting with a digit).");
        return "`" + table + "`";
    }

    /// <summary>The table's DDL (MySQL 5.7+/8, MariaDB 10.3+).</summary>
    public static string CreateTableSql(string table = DefaultTable) => $"""
        CREATE TABLE IF NOT EXISTS {QuoteTable(table)} (
          `id`                     BIGINT       NOT NULL AUTO_INCREMENT,
          `project_name`           VARCHAR(100) NOT NULL COMMENT 'DS project',
          `workflow_name`          VARCHAR(200) NOT NULL COMMENT 'DS workflow (process definition) name',
          `node_name`              VARCHAR(200) NOT NULL COMMENT 'task name, unique within the workflow',
          `task_type`              VARCHAR(50)  NOT NULL COMMENT 'compute | sync | shell | python | sql | procedure | http, or any DS task type',
          `script_source`          TEXT         NULL     COMMENT 'script file path (relative to the script root) or Git address',
          `datasource_type`        VARCHAR(50)  NULL     COMMENT 'DbType of the data source, e.g. MYSQL, HIVE',
          `datasource_name`        VARCHAR(200) NULL     COMMENT 'data source instance name on DS',
          `target_datasource_type` VARCHAR(50)  NULL     COMMENT 'sync target DbType',
          `target_datasource_name` VARCHAR(200) NULL     COMMENT 'sync target data source name',
          `predecessors`           VARCHAR(2000) NULL    COMMENT 'comma-separated upstream node names',
          `change_type`            VARCHAR(10)  NOT NULL DEFAULT 'new' COMMENT 'new | update | delete',
          `worker_group`           VARCHAR(100) NULL,
          `retries`                INT          NOT NULL DEFAULT 0,
          `description`            VARCHAR(500) NULL,
          `enabled`                TINYINT(1)   NOT NULL DEFAULT 1 COMMENT '0 = task is skipped (DS flag NO)',
          `updated_at`             TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
          PRIMARY KEY (`id`),
          UNIQUE KEY `uk_dsops_node` (`project_name`, `workflow_name`, `node_name`)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
        """;

    /// <summary>True when the table exists in the connection's database.</summary>
    public static async Task<bool> ExistsAsync(string connectionString, string table, CancellationToken cancellationToken = default)
    {
        QuoteTable(table);
        return await Run(connectionString, table, async conn =>
        {
            await using var cmd = new MySqlCommand("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = @t", conn);
            cmd.Parameters.AddWithValue("@t", table);
            return Convert.ToInt64(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) > 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates the table if missing; returns true when it was created.</summary>
    public static async Task<bool> CreateAsync(string connectionString, string table = DefaultTable, CancellationToken cancellationToken = default)
    {
        var sql = CreateTableSql(table);
        if (await ExistsAsync(connectionString, table, cancellationToken).ConfigureAwait(false)) return false;
        await Run(connectionString, table, async conn =>
        {
            await using var cmd = new MySqlCommand(sql, conn);
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return true;
    }

    public static async Task<IReadOnlyList<ConfigTableRow>> ReadRowsAsync(string connectionString, string table = DefaultTable, string? project = null, CancellationToken cancellationToken = default)
    {
        var quoted = QuoteTable(table);
        return await Run(connectionString, table, async conn =>
        {
            await using var cmd = new MySqlCommand(
                "SELECT id, project_name, workflow_name, node_name, task_type, script_source, datasource_type, datasource_name, " +
                "target_datasource_type, target_datasource_name, predecessors, change_type, worker_group, retries, description, enabled " +
                $"FROM {quoted} WHERE (@project IS NULL OR project_name = @project) ORDER BY project_name, workflow_name, node_name", conn);
            cmd.Parameters.AddWithValue("@project", project);
            var rows = new List<ConfigTableRow>();
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(new ConfigTableRow(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4))
                {
                    ScriptSource = S(5), DataSourceType = S(6), DataSourceName = S(7), TargetDataSourceType = S(8), TargetDataSourceName = S(9),
                    Predecessors = S(10), ChangeType = S(11) ?? "new", WorkerGroup = S(12), Retries = r.GetInt32(13), Description = S(14),
                    Enabled = r.GetBoolean(15),
                });
            }
            return (IReadOnlyList<ConfigTableRow>)rows;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the table and builds specs; problems become findings naming table and row id.</summary>
    internal static async Task<SpecSet> LoadAsync(string connectionString, string table = DefaultTable, string? project = null,
        string? scriptRoot = null, IScriptSourceResolver? git = null, SpecLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        var rows = await ReadRowsAsync(connectionString, table, project, cancellationToken).ConfigureAwait(false);
        return ToSpecs(rows, table, scriptRoot, git, options);
    }

    /// <summary>Maps the abstract task types of the table to DS task types (documented).</summary>
    public static string TaskTypeOf(ConfigTableRow row) => row.TaskType.Trim().ToLowerInvariant() switch
    {
        "compute" => string.IsNullOrWhiteSpace(row.DataSourceName) ? "SHELL" : "SQL",
        "sync" => "DATAX",
        "shell" => "SHELL",
        "python" => "PYTHON",
        "sql" => "SQL",
        "procedure" => "PROCEDURE",
        "http" => "HTTP",
        "sub_workflow" or "sub_process" => "SUB_WORKFLOW",
        var other => Dialects.DsDialect.CanonicalTaskType(other.ToUpperInvariant()),
    };

    internal static SpecSet ToSpecs(IReadOnlyList<ConfigTableRow> rows, string table = DefaultTable, string? scriptRoot = null,
        IScriptSourceResolver? git = null, SpecLoadOptions? options = null)
    {
        options ??= SpecLoadOptions.Default;
        var findings = new FindingSink();
        var workflows = new List<WorkflowSpec>();
        foreach (var wf in rows.GroupBy(r => (r.Project, r.Workflow)).OrderBy(g => g.Key.Project, StringComparer.Ordinal).ThenBy(g => g.Key.Workflow, StringComparer.Ordinal))
        {
            var tasks = ImmutableArray.CreateBuilder<TaskSpec>();
            foreach (var row in wf.OrderBy(r => r.Node, StringComparer.Ordinal))
            {
                var at = new SourceLocation($"{table}[id={row.Id}]");
                if (row.ChangeType is not ("new" or "update" or "delete"))
                    findings.Error("InvalidValue", at, $"change_type '{row.ChangeType}' must be 'new', 'update' or 'delete'.", row.Workflow, row.Node);
                if (row.ChangeType == "delete") continue; // removes the task from the server copy (MergeWithTarget)
                var type = TaskTypeOf(row);
                var script = row.ScriptSource is null ? null : Script(row.ScriptSource, at, scriptRoot, git, findings, row, options);
                var provenance = script is not null && row.ScriptSource is not null && git is not null && IsGitAddress(row.ScriptSource) ? git.ProvenanceOf(row.ScriptSource) : null;
                var deps = (row.Predecessors ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                tasks.Add(new TaskSpec(row.Node, type)
                {
                    Description = row.Description,
                    DependsOn = deps.ToImmutableArray(),
                    Script = type == "SUB_WORKFLOW" ? null : script,
                    Provenance = type == "SUB_WORKFLOW" ? null : provenance,
                    SubWorkflow = type == "SUB_WORKFLOW" ? row.ScriptSource : null,
                    DataSource = row.DataSourceName,
                    DataSourceType = string.IsNullOrWhiteSpace(row.DataSourceType) ? null : row.DataSourceType.ToUpperInvariant(),
                    DataTarget = row.TargetDataSourceName,
                    DataTargetType = string.IsNullOrWhiteSpace(row.TargetDataSourceType) ? null : row.TargetDataSourceType.ToUpperInvariant(),
                    WorkerGroup = row.WorkerGroup ?? "default",
                    Retries = row.Retries,
                    Enabled = row.Enabled,
                    Location = at,
                });
            }
            var spec = new WorkflowSpec(wf.Key.Project, wf.Key.Workflow, tasks.ToImmutable()) { Location = new SourceLocation($"{table}[workflow={wf.Key.Workflow}]") };
            workflows.Add(options.Overlay is null ? spec : options.Overlay.Apply(spec));
        }
        return new SpecSet(workflows, findings.Items);
    }

    private static bool IsGitAddress(string s) =>
        s.StartsWith("git@", StringComparison.Ordinal) || s.StartsWith("git://", StringComparison.Ordinal) || s.StartsWith("ssh://", StringComparison.Ordinal) ||
        (s.StartsWith("file://", StringComparison.Ordinal) && s.Contains('#')) ||
        ((s.StartsWith("https://", StringComparison.Ordinal) || s.StartsWith("http://", StringComparison.Ordinal)) && s.Contains(".git", StringComparison.Ordinal));

    private static string? Script(string source, SourceLocation at, string? scriptRoot, IScriptSourceResolver? git, FindingSink findings, ConfigTableRow row, SpecLoadOptions options)
    {
        if (TaskTypeOf(row) == "SUB_WORKFLOW") return null; // script_source names the child workflow
        if (IsGitAddress(source))
        {
            if (git is null)
            {
                findings.Error("GitScriptSource", at, $"script_source '{GitScriptSourceResolver.Safe(source)}' is a Git address, and no Git resolver is configured.", row.Workflow, row.Node);
                return null;
            }
            try { return git.Resolve(source); }
            catch (DsOpsException ex)
            {
                findings.Error("GitScriptSource", at, ex.Message, row.Workflow, row.Node);
                return null;
            }
        }
        if (scriptRoot is null)
        {
            findings.Error("ScriptNotFound", at, $"script_source '{source}' is a path, but no script root folder was given.", row.Workflow, row.Node);
            return null;
        }
        var full = Path.GetFullPath(Path.Combine(Path.GetFullPath(scriptRoot), source));
        try
        {
            // Real path inside the script root, regular files only, bounded read, strict UTF-8 (SpecFileReader).
            return SpecFileReader.ReadText(full, scriptRoot, options.Limits.MaxFileBytes, $"script_source '{source}'", at);
        }
        catch (SpecLoadException ex)
        {
            findings.Error(SpecDocumentReader.ScriptRule(ex.ErrorId), at, ex.Detail, row.Workflow, row.Node);
            return null;
        }
    }

    /// <summary>
    /// The partial-update semantics of the config table (docs/workflows-as-config.md, "MySQL config table"): rows name
    /// tasks, not whole workflows. For a workflow the target does not have, the rows are the whole workflow (created).
    /// For one it has, the result is the target's copy with the rows applied: a row's task is added or, when it
    /// exists, gets the row's fields (type, script, description, predecessors, data sources, worker group, retries,
    /// enabled) while fields the table has no column for (parameters, timeouts, priority, other task settings) keep
    /// the target's values; tasks without a row stay; 'delete' rows remove their task; the workflow's own settings
    /// (description, tenant, schedule, parameters, release state, timeout) stay as they are on the target.
    /// </summary>
    public static IReadOnlyList<WorkflowSpec> MergeWithTarget(IReadOnlyList<WorkflowSpec> fromTable, IReadOnlyList<ConfigTableRow> rows, IReadOnlyList<WorkflowSpec> current)
    {
        var currentByKey = new Dictionary<string, WorkflowSpec>(StringComparer.Ordinal);
        foreach (var c in current) currentByKey.TryAdd(c.Key, c);
        var deletes = rows.Where(r => r.ChangeType == "delete").Select(r => (r.Project + "/" + r.Workflow, r.Node)).ToHashSet();
        var result = new List<WorkflowSpec>(fromTable.Count);
        foreach (var w in fromTable)
        {
            if (!currentByKey.TryGetValue(w.Key, out var cur))
            {
                result.Add(w);
                continue;
            }
            var tasks = new List<TaskSpec>();
            var fromRows = w.Tasks.ToDictionary(t => t.Name, StringComparer.Ordinal);
            foreach (var t in cur.Tasks)
            {
                if (deletes.Contains((w.Key, t.Name))) continue;
                if (!fromRows.Remove(t.Name, out var row)) tasks.Add(t);
                else tasks.Add(DsOps.Engine.Dialects.DsDialect.CanonicalTaskType(t.Type) == row.Type
                    ? t with
                    {
                        Description = row.Description, DependsOn = row.DependsOn, Script = row.Script, Provenance = row.Provenance, SubWorkflow = row.SubWorkflow,
                        DataSource = row.DataSource, DataSourceType = row.DataSourceType, DataTarget = row.DataTarget, DataTargetType = row.DataTargetType,
                        WorkerGroup = row.WorkerGroup, Retries = row.Retries, Enabled = row.Enabled, Location = row.Location,
                    }
                    : row);
            }
            tasks.AddRange(w.Tasks.Where(t => fromRows.ContainsKey(t.Name)));
            result.Add(cur with { Tasks = tasks.OrderBy(t => t.Name, StringComparer.Ordinal).ToImmutableArray(), Location = w.Location });
        }
        // Workflows whose every row is a 'delete' still name a server copy to edit.
        foreach (var key in deletes.Select(d => d.Item1).Distinct())
            if (!result.Exists(w => w.Key == key) && currentByKey.TryGetValue(key, out var cur))
                result.Add(cur with { Tasks = cur.Tasks.Where(t => !deletes.Contains((key, t.Name))).ToImmutableArray() });
        return result;
    }

    /// <summary>
    /// Checks each row's change_type against the target (ChangeTypeMismatch): a 'new' row whose task already exists
    /// and would be changed (the row's author did not expect to overwrite a task), an 'update' or 'delete' row whose
    /// task does not exist. A 'new' row whose task exists unchanged is a finished create, not reported.
    /// Errors, because the row's author stated what they expect and the target says otherwise; nothing is applied.
    /// </summary>
    public static IReadOnlyList<SpecFinding> CheckChangeTypes(IReadOnlyList<ConfigTableRow> rows, IReadOnlyList<WorkflowSpec> current,
        Func<string, string, string, bool>? taskChanges = null, string table = DefaultTable)
    {
        var sink = new FindingSink();
        var existing = new Dictionary<string, WorkflowSpec>(StringComparer.Ordinal);
        foreach (var c in current) existing.TryAdd(c.Key, c);
        foreach (var row in rows)
        {
            var exists = existing.TryGetValue(row.Project + "/" + row.Workflow, out var w) && w.FindTask(row.Node) is not null;
            var at = new SourceLocation($"{table}[id={row.Id}]");
            if (row.ChangeType == "new" && exists && (taskChanges?.Invoke(row.Project, row.Workflow, row.Node) ?? true))
                sink.Error("ChangeTypeMismatch", at, $"row says 'new' but task '{row.Node}' of '{row.Workflow}' already exists on the target and would be overwritten; set change_type to 'update' if that is intended.", row.Workflow, row.Node);
            else if (row.ChangeType is "update" or "delete" && !exists)
                sink.Error("ChangeTypeMismatch", at, $"row says '{row.ChangeType}' but task '{row.Node}' of '{row.Workflow}' does not exist on the target{(row.ChangeType == "update" ? "; set change_type to 'new' to create it" : "")}.", row.Workflow, row.Node);
        }
        return sink.Items;
    }

    private static async Task<T> Run<T>(string connectionString, string table, Func<MySqlConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        try
        {
            await using var conn = new MySqlConnection(connectionString);
            await conn.OpenAsync(cancellationToken).ConfigureAwait(false);
            return await work(conn).ConfigureAwait(false);
        }
        catch (MySqlException ex)
        {
            // MySqlConnector messages do not include the connection string or password.
            throw new DsOpsException(DsErrorKind.Database, "DsConfigTableFailed", $"Config table '{table}': {ex.Message}", ex);
        }
        catch (ArgumentException ex)
        {
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsConnectionStringInvalid", "The connection string is not valid: " + ex.Message.Split('\n')[0]);
        }
    }
}
