using System.Data.Common;
using DsOps.Engine.Dialects;

namespace DsOps.Engine.Metadata;

public enum DsIntegritySeverity { Ok, Warning, Error }

/// <summary>
/// One integrity check's result: what was found, what it means, how DS gets there (docs/ds-facts.md §7)
/// and what to do about it, with up to N evidence rows (column name to value).
/// </summary>
public sealed class DsIntegrityFinding
{
    public string Check { get; init; } = "";
    public DsIntegritySeverity Severity { get; init; }
    public long Count { get; init; }
    public string Summary { get; init; } = "";
    public string Meaning { get; init; } = "";
    public string HowDsGetsThere { get; init; } = "";
    public string Remedy { get; init; } = "";
    public List<Dictionary<string, object?>> Evidence { get; init; } = new();
    public override string ToString() => $"[{Severity}] {Check}: {Summary}";
}

/// <summary>An integrity check as the catalogue describes it.</summary>
internal sealed record DsIntegrityCheckInfo(string Id, DsIntegritySeverity Severity, string Summary, string Meaning, string HowDsGetsThere, string Remedy);

/// <summary>
/// Read-only consistency checks of the metadata database for the problems DS operators meet
/// (docs/ds-facts.md §7: duplicate codes and versions, dangling relations, orphans, dead schedules,
/// instances without a host, commands for deleted workflows). Each check is one SELECT; subqueries
/// on codes are materialised by MariaDB/MySQL, so no check joins row by row over unindexed code columns.
/// </summary>
public sealed class IntegrityChecker
{
    private readonly DsMetadataConnection _connection;
    public IntegrityChecker(DsMetadataConnection connection) => _connection = connection ?? throw new ArgumentNullException(nameof(connection));

    private sealed record CheckDef(string Id, DsIntegritySeverity Severity, string Sql, string Summary, string Meaning, string How, string Remedy,
        Dictionary<string, object?>? Parameters = null);

    /// <summary>Ids of every check, in the order they run.</summary>
    public IReadOnlyList<string> CheckIds => Checks(_connection.Dialect, new Dictionary<string, object?>()).Select(c => c.Id).ToList();

    /// <summary>The checks that exist for a DS version, with what each means (no database needed).</summary>
    internal static IReadOnlyList<DsIntegrityCheckInfo> Describe(DsDialect dialect) =>
        Checks(dialect, new Dictionary<string, object?>()).Select(c => new DsIntegrityCheckInfo(c.Id, c.Severity, c.Summary, c.Meaning, c.How, c.Remedy)).ToList();

    private static IEnumerable<CheckDef> Checks(DsDialect d, Dictionary<string, object?> p)
    {
        var wf = d.WorkflowCodeColumn;
        yield return new CheckDef("DuplicateTaskDefinitionCode", DsIntegritySeverity.Error,
            $"SELECT code, COUNT(*) AS copies, GROUP_CONCAT(id ORDER BY id) AS ids, MIN(name) AS name FROM {d.TaskDefinitionTable} GROUP BY code HAVING COUNT(*) > 1",
            "task codes stored more than once in " + d.TaskDefinitionTable,
            "Several current task-definition rows share one code (the table's key is (id, code), so MySQL allows it). DS builds a map by code when loading a workflow and fails with 'Duplicate key TaskDefinition'; saving or running the workflow breaks.",
            "Version switching and concurrent saves in 2.0.x-3.0.x left copies (issues #8790, #7313); identical codes from the code generator for rapid calls (#6147).",
            "Keep the row whose version matches the workflow's relations and delete the others (back up first; the DS FAQ gives cleanup SQL).");
        yield return new CheckDef("DuplicateWorkflowDefinitionCode", DsIntegritySeverity.Error,
            $"SELECT code, COUNT(*) AS copies, GROUP_CONCAT(id ORDER BY id) AS ids, MIN(name) AS name FROM {d.WorkflowDefinitionTable} GROUP BY code HAVING COUNT(*) > 1",
            "workflow codes stored more than once in " + d.WorkflowDefinitionTable,
            "Two current workflow definitions share a code; API calls by code return either one and schedules, instances and relations become ambiguous.",
            "The key is (id, code) until 3.3.1 added a unique code; imports and copies in 3.0.x-3.1.x (issues #13904, #12274, #13711) and code collisions (#6147).",
            "Decide which definition is live, delete or re-code the other through the UI/API after exporting it.");
        yield return new CheckDef("DuplicateTaskDefinitionVersion", DsIntegritySeverity.Warning,
            $"SELECT code, version, COUNT(*) AS copies, GROUP_CONCAT(id ORDER BY id) AS ids FROM {d.TaskDefinitionLogTable} GROUP BY code, version HAVING COUNT(*) > 1",
            "(code, version) pairs stored more than once in " + d.TaskDefinitionLogTable,
            "The version history holds the same task version twice; switching to or running that version picks an arbitrary row and the task list shows the task twice.",
            "idx_code_version on the log table is not unique; duplicated relation/log rows from version switching and imports (issues #10230, #13711).",
            "Delete the extra log rows, keeping the one whose content matches the current definition.");
        if (!d.WorkflowDefinitionLogUniqueCodeVersion)
            yield return new CheckDef("DuplicateWorkflowDefinitionVersion", DsIntegritySeverity.Warning,
                $"SELECT code, version, COUNT(*) AS copies, GROUP_CONCAT(id ORDER BY id) AS ids FROM {d.WorkflowDefinitionLogTable} GROUP BY code, version HAVING COUNT(*) > 1",
                "(code, version) pairs stored more than once in " + d.WorkflowDefinitionLogTable,
                "The workflow's version history lists a version twice; version switching may load the wrong one.",
                "3.0.x has no unique key on (code, version) in the log (3.1 added uniq_idx_code_version); imports that keep the version number (#13711).",
                "Delete the extra log rows before upgrading: the 3.1 upgrade adds the unique key and fails on duplicates.");
        yield return new CheckDef("RelationMissingTask", DsIntegritySeverity.Error,
            $"SELECT r.id, r.{wf} AS workflow_code, r.pre_task_code, r.post_task_code FROM {d.WorkflowTaskRelationTable} r " +
            $"WHERE r.post_task_code NOT IN (SELECT code FROM {d.TaskDefinitionTable}) " +
            $"OR (r.pre_task_code <> 0 AND r.pre_task_code NOT IN (SELECT code FROM {d.TaskDefinitionTable}))",
            "workflow edges that point at task definitions that do not exist",
            "The workflow's DAG references a task code with no current definition; DS cannot build the DAG, so the workflow fails to open, save or start.",
            "Task definitions deleted by SQL or by a failed save while relations stayed (issues #8790, #10230).",
            "Restore the task from " + d.TaskDefinitionLogTable + " or remove the dangling edges, then re-save the workflow.");
        yield return new CheckDef("OrphanTaskDefinition", DsIntegritySeverity.Warning,
            $"SELECT t.code, t.name, t.project_code FROM {d.TaskDefinitionTable} t WHERE t.code NOT IN (SELECT post_task_code FROM {d.WorkflowTaskRelationTable})",
            "task definitions no workflow uses",
            "A current task definition is not the target of any workflow edge: it never runs and only clutters the task list.",
            "Tasks removed from a workflow whose definition delete did not happen (older versions), or rows left by imports and manual SQL (§7).",
            "Check it is not referenced by a workflow you are about to restore, then delete it through the API or with SQL.");
        yield return new CheckDef("ScheduleMissingWorkflow", DsIntegritySeverity.Error,
            $"SELECT s.id, s.{wf} AS workflow_code, s.crontab, s.release_state FROM {d.ScheduleTable} s WHERE s.{wf} NOT IN (SELECT code FROM {d.WorkflowDefinitionTable})",
            "schedules of workflows that do not exist",
            "The schedule's workflow is gone; if online, Quartz still fires and each firing creates a command the master cannot run (it lands in " + d.ErrorCommandTable + ").",
            "Workflows deleted by SQL, or imports and copies that carried schedule ids across projects (issues #13904, #12274).",
            "Take the schedule offline and delete it (and its QRTZ_* trigger).");
        yield return new CheckDef("RunningInstanceWithoutHost", DsIntegritySeverity.Error,
            $"SELECT id, {wf} AS workflow_code, state, start_time FROM {d.WorkflowInstanceTable} " +
            $"WHERE {d.HostMeansNoMasterSql("host", p)} AND end_time IS NULL AND state IN ({SqlText.In(p, "run", d.InProgressStateCodes(DsStateScope.Workflow))})",
            "workflow instances in progress with no master host",
            "No master owns the instance: it will never finish or be failed over by itself, and serial-wait successors wait behind it.",
            "Master failover clears the host (3.0-3.2 write the text 'NULL') and then died or lost ZooKeeper before handing the instance over (issue #13355, #16759).",
            "Restart a master so failover runs again, or stop the instance through the DS UI or API and rerun it.",
            p);
        yield return new CheckDef("CommandMissingWorkflow", DsIntegritySeverity.Warning,
            $"SELECT 'pending' AS queue, id, command_type, {wf} AS workflow_code FROM {d.CommandTable} WHERE {wf} NOT IN (SELECT code FROM {d.WorkflowDefinitionTable}) " +
            $"UNION ALL SELECT 'error', id, command_type, {wf} FROM {d.ErrorCommandTable} WHERE {wf} NOT IN (SELECT code FROM {d.WorkflowDefinitionTable})",
            "commands for workflows that do not exist",
            "Masters cannot create instances for these commands; pending ones end up in the error table, and they inflate the backlog.",
            "Workflows deleted while commands were queued or while a schedule still fired (§7, #14078).",
            "Delete the commands (after checking no one needs them re-run).");
    }

    /// <summary>Runs every check (or those named) and returns one finding per check.</summary>
    public async Task<IReadOnlyList<DsIntegrityFinding>> RunAsync(IReadOnlyCollection<string>? only = null, int maxEvidence = 50,
        CancellationToken cancellationToken = default, IProgress<(int Done, int Total, string Check)>? progress = null)
    {
        var p = new Dictionary<string, object?>();
        var checks = Checks(_connection.Dialect, p).Where(c => only is null || only.Count == 0 || only.Contains(c.Id, StringComparer.OrdinalIgnoreCase)).ToList();
        if (only is { Count: > 0 })
            foreach (var name in only.Where(n => !CheckIds.Contains(n, StringComparer.OrdinalIgnoreCase)))
                throw new DsOpsException(DsErrorKind.InvalidInput, "DsUnknownIntegrityCheck",
                    $"'{name}' is not an integrity check; known checks: {string.Join(", ", CheckIds)}.");
        await using var session = await _connection.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        var findings = new List<DsIntegrityFinding>();
        for (var i = 0; i < checks.Count; i++)
        {
            var c = checks[i];
            progress?.Report((i, checks.Count, c.Id));
            long count = 0;
            var evidence = new List<Dictionary<string, object?>>();
            await session.QueryAsync(c.Sql, c.Parameters, r =>
            {
                count++;
                if (evidence.Count < maxEvidence) evidence.Add(Row(r));
                return 0;
            }, cancellationToken).ConfigureAwait(false);
            findings.Add(new DsIntegrityFinding
            {
                Check = c.Id, Severity = count == 0 ? DsIntegritySeverity.Ok : c.Severity, Count = count,
                Summary = count == 0 ? "none found" : $"{count} {c.Summary}",
                Meaning = c.Meaning, HowDsGetsThere = c.How, Remedy = c.Remedy, Evidence = evidence,
            });
        }
        progress?.Report((checks.Count, checks.Count, ""));
        return findings;
    }

    private static Dictionary<string, object?> Row(DbDataReader r)
    {
        var row = new Dictionary<string, object?>(r.FieldCount, StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < r.FieldCount; i++) row[r.GetName(i)] = r.IsDBNull(i) ? null : r.GetValue(i);
        return row;
    }
}
