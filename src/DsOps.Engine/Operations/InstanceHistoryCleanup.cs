using System.Data.Common;
using System.Diagnostics;
using DsOps.Engine.Dialects;
using DsOps.Engine.Metadata;
using MySqlConnector;

namespace DsOps.Engine.Operations;

/// <summary>What to remove from the run history.</summary>
public sealed record HistoryCleanupOptions
{
    /// <summary>Workflow instances that started and ended before this moment are removed (with everything that hangs off them).</summary>
    public required DateTimeOffset OlderThan { get; init; }

    /// <summary>Top-level workflow instances per transaction (their sub-workflow instances come along).</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>A pause between batches, so a running DS keeps its share of the database.</summary>
    public TimeSpan Pause { get; init; } = TimeSpan.Zero;

    /// <summary>Only instances of these workflows (null: all).</summary>
    public IReadOnlyCollection<long>? WorkflowCodes { get; init; }
}

/// <summary>Rows removed (or, with WhatIf, that would be removed) from one table.</summary>
public sealed record TableRowCount(string Table, long Rows);

/// <summary>The outcome of a history cleanup or of its dry run.</summary>
public sealed class HistoryCleanupResult
{
    public required DateTimeOffset OlderThan { get; init; }
    /// <summary>The cutoff as the server's wall-clock time, the way DS stores times.</summary>
    public required DateTime ServerCutoff { get; init; }
    public required bool WhatIf { get; init; }
    public required string Database { get; init; }
    public int Batches { get; internal set; }
    public TimeSpan Duration { get; internal set; }
    /// <summary>Per table, in the order the rows are deleted (dependants first, the instances last).</summary>
    public IReadOnlyList<TableRowCount> Tables { get; internal set; } = Array.Empty<TableRowCount>();
    public long WorkflowInstances { get; internal set; }
    public long TaskInstances { get; internal set; }
    /// <summary>Top-level instances left alone because a sub-workflow instance of theirs is not finished.</summary>
    public long Skipped { get; internal set; }
    public long TotalRows => Tables.Sum(t => t.Rows);
    public double TaskInstancesPerSecond => Duration.TotalSeconds > 0 ? TaskInstances / Duration.TotalSeconds : 0;
}

/// <summary>Progress after each batch.</summary>
public readonly record struct HistoryCleanupProgress(int Batches, long WorkflowInstances, long TaskInstances);

/// <summary>
/// Removes old run history from the metadata database in the order DS's own delete uses (docs/operations.md,
/// "History cleanup"): task-instance dependants, task instances, sub-workflow links, alerts, error commands and trigger
/// relations, then the workflow instances. Only finished instances (<see cref="DsDialect.FinalStateCodes"/>) that no
/// queued command refers to are touched, with all their sub-workflow instances, and only when every one of those is
/// finished too. Each batch is one transaction, so a killed run leaves every instance either whole or gone, and a rerun
/// simply continues. The dry run walks the same batches and counts instead of deleting.
/// </summary>
internal static class InstanceHistoryCleanup
{
    public static Task<HistoryCleanupResult> CountAsync(DsMetadataConnection connection, HistoryCleanupOptions options,
        IProgress<HistoryCleanupProgress>? progress = null, CancellationToken cancellationToken = default) =>
        RunAsync(connection, options, delete: false, progress, cancellationToken);

    public static Task<HistoryCleanupResult> RemoveAsync(DsMetadataConnection connection, HistoryCleanupOptions options,
        IProgress<HistoryCleanupProgress>? progress = null, CancellationToken cancellationToken = default) =>
        RunAsync(connection, options, delete: true, progress, cancellationToken);

    private static async Task<HistoryCleanupResult> RunAsync(DsMetadataConnection connection, HistoryCleanupOptions options,
        bool delete, IProgress<HistoryCleanupProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        if (options.BatchSize is < 1 or > 10_000)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsInvalidBatchSize", $"BatchSize must be between 1 and 10000 (was {options.BatchSize}).");
        var cutoff = TimeZoneInfo.ConvertTime(options.OlderThan, connection.ServerTimeZone).DateTime;
        var result = new HistoryCleanupResult
        {
            OlderThan = options.OlderThan, ServerCutoff = cutoff, WhatIf = !delete, Database = connection.Name,
        };
        var clock = Stopwatch.StartNew();
        await using var db = delete
            ? await connection.OpenMaintenanceConnectionAsync("remove run history", cancellationToken).ConfigureAwait(false)
            : await connection.OpenReadOnlyConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var plan = await CleanupStatements.ForAsync(db, connection.Dialect, cancellationToken).ConfigureAwait(false);
            var counts = plan.Steps.ToDictionary(s => s.Table, _ => 0L);
            long lastId = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var roots = await plan.NextRootsAsync(db, lastId, cutoff, options, cancellationToken).ConfigureAwait(false);
                if (roots.Count == 0) break;
                lastId = roots[^1];
                var (family, skipped) = await plan.FamilyAsync(db, roots, cancellationToken).ConfigureAwait(false);
                result.Skipped += skipped;
                if (family.Count == 0) continue;

                await using (var tx = delete ? await db.BeginTransactionAsync(cancellationToken).ConfigureAwait(false) : null)
                {
                    foreach (var step in plan.Steps)
                        counts[step.Table] += await step.ExecuteAsync(db, tx, family, delete, cancellationToken).ConfigureAwait(false);
                    if (tx is not null) await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
                result.Batches++;
                progress?.Report(new HistoryCleanupProgress(result.Batches, counts[plan.InstanceTable], counts[plan.TaskInstanceTable]));
                if (delete && options.Pause > TimeSpan.Zero) await Task.Delay(options.Pause, cancellationToken).ConfigureAwait(false);
            }
            result.Tables = plan.Steps.Select(s => new TableRowCount(s.Table, counts[s.Table])).ToArray();
            result.WorkflowInstances = counts[plan.InstanceTable];
            result.TaskInstances = counts[plan.TaskInstanceTable];
            result.Duration = clock.Elapsed;
            return result;
        }
        catch (Exception ex) when (ex is MySqlException or DbException)
        {
            throw DsMetadataSession.Wrap(ex, delete ? "remove run history" : "count run history");
        }
    }
}

/// <summary>The statements of one cleanup for one schema: which optional tables exist, in which order to delete.</summary>
internal sealed class CleanupStatements
{
    private readonly DsDialect _d;
    private readonly int[] _finalStates;

    private CleanupStatements(DsDialect dialect, IReadOnlyList<CleanupStep> steps)
    {
        _d = dialect;
        Steps = steps;
        _finalStates = dialect.FinalStateCodes(DsStateScope.Workflow).ToArray();
    }

    public IReadOnlyList<CleanupStep> Steps { get; }
    public string InstanceTable => _d.WorkflowInstanceTable;
    public string TaskInstanceTable => _d.TaskInstanceTable;

    public static async Task<CleanupStatements> ForAsync(MySqlConnection db, DsDialect d, CancellationToken ct)
    {
        // Tables that only some versions (or upgrade paths) have are looked up, not assumed.
        var optional = new[] { "t_ds_task_instance_context", "t_ds_dq_execute_result", "t_ds_task_group_queue", d.TriggerRelationTable };
        var present = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var p = new Dictionary<string, object?>();
        await using (var cmd = Command(db, null,
                         $"SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name IN ({SqlText.In(p, "t", optional)})", p))
        await using (var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) present.Add(reader.GetString(0));

        var inst = d.WorkflowInstanceIdColumn;
        var steps = new List<CleanupStep>();
        if (present.Contains("t_ds_task_instance_context"))
            steps.Add(new("t_ds_task_instance_context",
                $"FROM t_ds_task_instance_context x JOIN {d.TaskInstanceTable} ti ON x.task_instance_id = ti.id WHERE ti.{inst} IN ({{ids}})", "x"));
        if (present.Contains("t_ds_dq_execute_result"))
            steps.Add(new("t_ds_dq_execute_result", $"FROM t_ds_dq_execute_result WHERE {inst} IN ({{ids}})"));
        if (present.Contains("t_ds_task_group_queue"))
            steps.Add(new("t_ds_task_group_queue", $"FROM t_ds_task_group_queue WHERE {d.TaskGroupQueueInstanceColumn} IN ({{ids}})"));
        steps.Add(new(d.TaskInstanceTable, $"FROM {d.TaskInstanceTable} WHERE {inst} IN ({{ids}})"));
        steps.Add(new(d.SubWorkflowRelationTable,
            $"FROM {d.SubWorkflowRelationTable} WHERE {d.SubWorkflowRelationParentColumn} IN ({{ids}}) OR {inst} IN ({{ids}})"));
        steps.Add(new(d.AlertTable, $"FROM {d.AlertTable} WHERE {inst} IN ({{ids}})"));
        steps.Add(new(d.ErrorCommandTable, $"FROM {d.ErrorCommandTable} WHERE {inst} IN ({{ids}})"));
        if (present.Contains(d.TriggerRelationTable))
            steps.Add(new(d.TriggerRelationTable,
                $"FROM {d.TriggerRelationTable} WHERE trigger_type = {DsDialect.TriggerTypeWorkflowInstance} AND job_id IN ({{ids}})"));
        steps.Add(new(d.WorkflowInstanceTable, $"FROM {d.WorkflowInstanceTable} WHERE id IN ({{ids}})"));
        return new CleanupStatements(d, steps);
    }

    /// <summary>The next top-level instances by id: finished, old enough, and not the target of a queued command.</summary>
    public async Task<List<long>> NextRootsAsync(MySqlConnection db, long afterId, DateTime cutoff, HistoryCleanupOptions options, CancellationToken ct)
    {
        var p = new Dictionary<string, object?> { ["@after"] = afterId, ["@cutoff"] = cutoff, ["@batch"] = options.BatchSize };
        var workflows = options.WorkflowCodes is { Count: > 0 } codes ? $" AND i.{_d.WorkflowCodeColumn} IN ({SqlText.In(p, "w", codes)})" : "";
        var sql = $"SELECT i.id FROM {_d.WorkflowInstanceTable} i WHERE i.id > @after AND i.{_d.IsSubWorkflowColumn} = 0" +
                  $" AND i.state IN ({SqlText.In(p, "s", _finalStates)}) AND i.start_time < @cutoff AND i.end_time IS NOT NULL AND i.end_time < @cutoff" +
                  workflows +
                  $" AND NOT EXISTS (SELECT 1 FROM {_d.CommandTable} c WHERE c.{_d.WorkflowInstanceIdColumn} = i.id)" +
                  " ORDER BY i.id LIMIT @batch";
        return await IdsAsync(db, sql, p, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The roots and all their sub-workflow instances, minus every root one of whose descendants is not finished or has
    /// a queued command (a parent deleted under a live child would leave DS a dangling reference).
    /// </summary>
    public async Task<(List<long> Family, long Skipped)> FamilyAsync(MySqlConnection db, List<long> roots, CancellationToken ct)
    {
        var rootOf = roots.ToDictionary(r => r, r => r);
        var frontier = roots;
        while (frontier.Count > 0)
        {
            var p = new Dictionary<string, object?>();
            var sql = $"SELECT {_d.SubWorkflowRelationParentColumn}, {_d.WorkflowInstanceIdColumn} FROM {_d.SubWorkflowRelationTable}" +
                      $" WHERE {_d.SubWorkflowRelationParentColumn} IN ({SqlText.In(p, "p", frontier)})";
            var next = new List<long>();
            await using (var cmd = Command(db, null, sql, p))
            await using (var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    if (reader.IsDBNull(0) || reader.IsDBNull(1)) continue;
                    var child = Convert.ToInt64(reader.GetValue(1));
                    if (rootOf.TryAdd(child, rootOf[Convert.ToInt64(reader.GetValue(0))])) next.Add(child);
                }
            }
            frontier = next;
        }
        var descendants = rootOf.Keys.Where(id => rootOf[id] != id).ToList();
        if (descendants.Count == 0) return (roots, 0);

        var q = new Dictionary<string, object?>();
        var ids = SqlText.In(q, "d", descendants);
        var live = await IdsAsync(db,
            $"SELECT i.id FROM {_d.WorkflowInstanceTable} i WHERE i.id IN ({ids}) AND (i.state NOT IN ({SqlText.In(q, "s", _finalStates)})" +
            $" OR EXISTS (SELECT 1 FROM {_d.CommandTable} c WHERE c.{_d.WorkflowInstanceIdColumn} = i.id))", q, ct).ConfigureAwait(false);
        var blocked = live.Select(id => rootOf[id]).ToHashSet();
        var family = rootOf.Where(kv => !blocked.Contains(kv.Value)).Select(kv => kv.Key).ToList();
        return (family, blocked.Count);
    }

    private static async Task<List<long>> IdsAsync(MySqlConnection db, string sql, Dictionary<string, object?> p, CancellationToken ct)
    {
        var ids = new List<long>();
        await using var cmd = Command(db, null, sql, p);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) ids.Add(Convert.ToInt64(reader.GetValue(0)));
        return ids;
    }

    internal static MySqlCommand Command(MySqlConnection db, MySqlTransaction? tx, string sql, Dictionary<string, object?> parameters)
    {
        var cmd = new MySqlCommand(sql, db, tx) { CommandTimeout = 600 };
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        return cmd;
    }
}

/// <summary>One table's delete (or count) for a batch of workflow instance ids; <c>{ids}</c> marks the id list.</summary>
internal sealed record CleanupStep(string Table, string FromWhere, string? Alias = null)
{
    public async Task<long> ExecuteAsync(MySqlConnection db, MySqlTransaction? tx, IReadOnlyList<long> ids, bool delete, CancellationToken ct)
    {
        var p = new Dictionary<string, object?>();
        var sql = FromWhere.Replace("{ids}", SqlText.In(p, "i", ids), StringComparison.Ordinal);
        sql = delete ? $"DELETE {Alias} {sql}" : $"SELECT COUNT(*) {sql}";
        await using var cmd = CleanupStatements.Command(db, tx, sql, p);
        return delete ? await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false) : Convert.ToInt64(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false));
    }
}
