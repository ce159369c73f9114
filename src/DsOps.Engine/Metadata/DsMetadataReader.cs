using System.Data.Common;
using DsOps.Engine.Dialects;

namespace DsOps.Engine.Metadata;

/// <summary>
/// The inspection queries behind Get-DsFailedTask, Get-DsLongRunningTask, Get-DsStuckInstance and
/// Get-DsCommandQueue, and the failure feed for the alert sweep. Every query enters the instance table
/// through <c>start_time_index</c> and reaches task instances through their workflow-instance index
/// (task instances have no time index), so cost follows the time window, not the table size.
/// </summary>
public sealed class DsMetadataReader
{
    private readonly DsMetadataConnection _connection;

    public DsMetadataReader(DsMetadataConnection connection, TimeZoneInfo? businessTimeZone = null)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
        Clock = new MetadataClock(connection.ServerTimeZone, businessTimeZone ?? TimeZoneInfo.Local);
    }

    internal MetadataClock Clock { get; }
    private DsDialect D => _connection.Dialect;

    /// <summary>How far before a window an instance may have started and still own a task that ended in it.</summary>
    public TimeSpan InstanceLookback { get; init; } = TimeSpan.FromDays(3);

    // ---------------- failed tasks ----------------

    /// <summary>
    /// Task instances that ended in a failure state in [<paramref name="sinceUtc"/>, <paramref name="untilUtc"/>).
    /// Only final tries by default (flag = 1); earlier tries DS retried have flag = 0.
    /// This is the query the alert sweep's failure feed adapts.
    /// </summary>
    public Task<IReadOnlyList<DsFailedTask>> GetFailedTasksAsync(DateTime sinceUtc, DateTime untilUtc,
        bool includeEarlierTries = false, CancellationToken cancellationToken = default) =>
        GetFailedTasksAsync(sinceUtc, untilUtc, includeEarlierTries, null, null, cancellationToken);

    /// <summary>
    /// As above, only for workflows whose project and name match the wildcard patterns (null: all; a number matches a
    /// project or workflow code too). The patterns are
    /// resolved against the catalogue to workflow codes, which filter in SQL as parameters: rows of other workflows
    /// are never read, and no pattern text reaches the SQL.
    /// </summary>
    public async Task<IReadOnlyList<DsFailedTask>> GetFailedTasksAsync(DateTime sinceUtc, DateTime untilUtc, bool includeEarlierTries,
        IReadOnlyList<string>? projectPatterns, IReadOnlyList<string>? workflowPatterns, CancellationToken cancellationToken = default)
    {
        if (untilUtc <= sinceUtc)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsInvalidTimeWindow", "The end of the time window must be after its start.");
        var since = Clock.ToServer(new DateTimeOffset(DateTime.SpecifyKind(sinceUtc, DateTimeKind.Utc)));
        var until = Clock.ToServer(new DateTimeOffset(DateTime.SpecifyKind(untilUtc, DateTimeKind.Utc)));
        var p = new Dictionary<string, object?> { ["@from"] = since - InstanceLookback, ["@since"] = since, ["@until"] = until };
        var sql = FailedTaskSelect(p) +
                  "WHERE i.start_time >= @from AND i.start_time < @until AND (i.end_time IS NULL OR i.end_time >= @since) " +
                  $"AND ti.state IN ({SqlText.In(p, "f", D.FailureStateCodes(DsStateScope.Task))}) " +
                  "AND COALESCE(ti.end_time, ti.start_time) >= @since AND COALESCE(ti.end_time, ti.start_time) < @until " +
                  (includeEarlierTries ? "" : "AND ti.flag = 1 ");
        var projects = Text.Wildcard.Compile(projectPatterns);
        var workflows = Text.Wildcard.Compile(workflowPatterns);
        if (projects is null && workflows is null)
            return await QueryFailedTasksAsync(sql + "ORDER BY ti.end_time, ti.id", p, cancellationToken).ConfigureAwait(false);
        await using var session = await _connection.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        var catalog = await MetadataCatalog.LoadAsync(session, withSchedules: false, cancellationToken).ConfigureAwait(false);
        var codes = catalog.Workflows.Values
            .Where(w => Text.Wildcard.MatchesAny(projects, catalog.ProjectName(w.ProjectCode), w.ProjectCode) && Text.Wildcard.MatchesAny(workflows, w.Name, w.Code))
            .Select(w => w.Code).ToList();
        if (codes.Count == 0) return Array.Empty<DsFailedTask>();
        sql += $"AND i.{D.WorkflowCodeColumn} IN ({SqlText.In(p, "w", codes)}) ORDER BY ti.end_time, ti.id";
        return await session.QueryAsync(sql, p, r => MapFailedTask(r, catalog), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Workflow instances that ended in a failure state in [<paramref name="sinceUtc"/>, <paramref name="untilUtc"/>),
    /// found through start_time_index (end_time is its second column, so the end filter needs no row lookups).
    /// For the alert sweep's workflow-scope failures; <see cref="DsWorkflowRun.RunTimes"/> tells reruns apart.
    /// </summary>
    public async Task<IReadOnlyList<DsWorkflowRun>> GetFailedWorkflowInstancesAsync(DateTime sinceUtc, DateTime untilUtc,
        CancellationToken cancellationToken = default)
    {
        if (untilUtc <= sinceUtc)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsInvalidTimeWindow", "The end of the time window must be after its start.");
        var since = Clock.ToServer(new DateTimeOffset(DateTime.SpecifyKind(sinceUtc, DateTimeKind.Utc)));
        var until = Clock.ToServer(new DateTimeOffset(DateTime.SpecifyKind(untilUtc, DateTimeKind.Utc)));
        var p = new Dictionary<string, object?> { ["@from"] = since - InstanceLookback, ["@since"] = since, ["@until"] = until };
        var sql = $"SELECT id, {D.WorkflowCodeColumn}, state, start_time, end_time, host, run_times FROM {D.WorkflowInstanceTable} " +
                  $"FORCE INDEX ({D.InstanceStartTimeIndex}) WHERE start_time >= @from AND start_time < @until " +
                  "AND end_time >= @since AND end_time < @until " +
                  $"AND state IN ({SqlText.In(p, "f", D.FailureStateCodes(DsStateScope.Workflow))}) ORDER BY end_time, id";
        await using var session = await _connection.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        var catalog = await MetadataCatalog.LoadAsync(session, false, cancellationToken).ConfigureAwait(false);
        return await session.QueryAsync(sql, p, r =>
        {
            var code = r.GetInt64(1);
            var state = r.GetInt32(2);
            var start = r.GetDateTime(3);
            var end = r.GetDateTime(4);
            return new DsWorkflowRun
            {
                InstanceId = r.GetInt32(0), WorkflowCode = code, StateCode = state, State = D.StateOf(state, DsStateScope.Workflow),
                Start = Clock.ToBusiness(start), End = Clock.ToBusiness(end), Duration = end - start,
                Host = r.IsDBNull(5) ? null : r.GetString(5), RunTimes = r.IsDBNull(6) ? 0 : r.GetInt32(6),
                Workflow = catalog.WorkflowName(code), Project = catalog.ProjectOfWorkflow(code),
            };
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The SELECT (through FROM) shared by the failed-task queries.</summary>
    internal string FailedTaskSelect(Dictionary<string, object?> p) =>
        $"SELECT ti.id, ti.{D.WorkflowInstanceIdColumn}, i.{D.WorkflowCodeColumn}, ti.task_code, ti.name, ti.task_type, ti.host, ti.state, " +
        "ti.retry_times, ti.max_retry_times, ti.start_time, ti.end_time, ti.flag, ti.log_path " +
        $"FROM {D.WorkflowInstanceTable} i FORCE INDEX ({D.InstanceStartTimeIndex}) " +
        $"STRAIGHT_JOIN {D.TaskInstanceTable} ti FORCE INDEX ({D.TaskInstanceByWorkflowInstanceIndex}) ON ti.{D.WorkflowInstanceIdColumn} = i.id ";

    internal async Task<IReadOnlyList<DsFailedTask>> QueryFailedTasksAsync(string sql, Dictionary<string, object?> p, CancellationToken ct)
    {
        await using var session = await _connection.OpenSessionAsync(ct).ConfigureAwait(false);
        var catalog = await MetadataCatalog.LoadAsync(session, withSchedules: false, ct).ConfigureAwait(false);
        return await session.QueryAsync(sql, p, r => MapFailedTask(r, catalog), ct).ConfigureAwait(false);
    }

    internal DsFailedTask MapFailedTask(DbDataReader r, MetadataCatalog catalog)
    {
        var code = r.GetInt64(2);
        var state = r.GetInt32(7);
        return new DsFailedTask
        {
            TaskInstanceId = r.GetInt32(0),
            WorkflowInstanceId = r.GetInt32(1),
            WorkflowCode = code,
            TaskCode = r.GetInt64(3),
            Task = r.IsDBNull(4) ? "" : r.GetString(4),
            TaskType = r.IsDBNull(5) ? "" : r.GetString(5),
            Host = r.IsDBNull(6) ? null : r.GetString(6),
            StateCode = state,
            State = D.StateOf(state, DsStateScope.Task),
            RetryTimes = r.IsDBNull(8) ? 0 : r.GetInt32(8),
            MaxRetryTimes = r.IsDBNull(9) ? null : r.GetInt32(9),
            Start = Clock.ToBusiness(r.IsDBNull(10) ? null : r.GetDateTime(10)),
            End = Clock.ToBusiness(r.IsDBNull(11) ? null : r.GetDateTime(11)),
            IsFinalTry = r.IsDBNull(12) || r.GetInt32(12) == 1,
            LogPath = r.IsDBNull(13) ? null : r.GetString(13),
            Workflow = catalog.WorkflowName(code),
            Project = catalog.ProjectOfWorkflow(code),
        };
    }

    // ---------------- long-running tasks ----------------

    /// <summary>
    /// Task instances still in progress that started more than <paramref name="threshold"/> before
    /// <paramref name="asOf"/>, among workflow instances started within <paramref name="lookback"/>.
    /// Each row carries the task's usual (median) successful duration, read through idx_code_version.
    /// </summary>
    public async Task<IReadOnlyList<DsLongRunningTask>> GetLongRunningTasksAsync(TimeSpan threshold, DateTimeOffset asOf,
        TimeSpan lookback, CancellationToken cancellationToken = default)
    {
        if (threshold <= TimeSpan.Zero)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsInvalidThreshold", "The threshold must be a positive duration.");
        var now = Clock.ToServer(asOf);
        var p = new Dictionary<string, object?> { ["@from"] = now - lookback, ["@now"] = now, ["@startedBefore"] = now - threshold };
        var sql =
            $"SELECT ti.id, ti.{D.WorkflowInstanceIdColumn}, i.{D.WorkflowCodeColumn}, ti.task_code, ti.name, ti.task_type, ti.host, ti.state, ti.start_time " +
            $"FROM {D.WorkflowInstanceTable} i FORCE INDEX ({D.InstanceStartTimeIndex}) " +
            $"STRAIGHT_JOIN {D.TaskInstanceTable} ti FORCE INDEX ({D.TaskInstanceByWorkflowInstanceIndex}) ON ti.{D.WorkflowInstanceIdColumn} = i.id " +
            "WHERE i.start_time >= @from AND i.start_time < @now AND i.end_time IS NULL " +
            $"AND ti.flag = 1 AND ti.end_time IS NULL AND ti.state IN ({SqlText.In(p, "s", D.InProgressStateCodes(DsStateScope.Task))}) " +
            "AND ti.start_time < @startedBefore ORDER BY ti.start_time";
        await using var session = await _connection.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        var catalog = await MetadataCatalog.LoadAsync(session, false, cancellationToken).ConfigureAwait(false);
        var rows = await session.QueryAsync(sql, p, r =>
        {
            var code = r.GetInt64(2);
            var start = r.GetDateTime(8);
            var state = r.GetInt32(7);
            return new DsLongRunningTask
            {
                TaskInstanceId = r.GetInt32(0), WorkflowInstanceId = r.GetInt32(1), TaskCode = r.GetInt64(3),
                Task = r.IsDBNull(4) ? "" : r.GetString(4), TaskType = r.IsDBNull(5) ? "" : r.GetString(5),
                Host = r.IsDBNull(6) ? null : r.GetString(6), State = D.StateOf(state, DsStateScope.Task),
                Start = Clock.ToBusiness(start), RunningFor = now - start,
                Workflow = catalog.WorkflowName(code), Project = catalog.ProjectOfWorkflow(code),
            };
        }, cancellationToken).ConfigureAwait(false);

        if (rows.Count > 0)
        {
            var usual = await UsualTaskDurationsAsync(session, rows.Select(t => t.TaskCode).Distinct(), now - lookback, now, cancellationToken)
                .ConfigureAwait(false);
            foreach (var t in rows) t.UsualDuration = usual.TryGetValue(t.TaskCode, out var u) ? u : null;
        }
        return rows;
    }

    private async Task<Dictionary<long, TimeSpan>> UsualTaskDurationsAsync(DsMetadataSession session, IEnumerable<long> taskCodes,
        DateTime from, DateTime to, CancellationToken ct)
    {
        var p = new Dictionary<string, object?> { ["@from"] = from, ["@to"] = to };
        var sql = $"SELECT task_code, TIMESTAMPDIFF(SECOND, start_time, end_time) FROM {D.TaskInstanceTable} FORCE INDEX (idx_code_version) " +
                  $"WHERE task_code IN ({SqlText.In(p, "c", taskCodes)}) AND flag = 1 " +
                  $"AND state IN ({SqlText.In(p, "ok", D.SuccessStateCodes(DsStateScope.Task))}) " +
                  "AND start_time >= @from AND start_time < @to AND end_time IS NOT NULL";
        var rows = await session.QueryAsync(sql, p, r => (r.GetInt64(0), r.IsDBNull(1) ? 0d : Convert.ToDouble(r.GetValue(1))), ct).ConfigureAwait(false);
        return rows.GroupBy(x => x.Item1).ToDictionary(g => g.Key, g => TimeSpan.FromSeconds(SqlText.Median(g.Select(x => x.Item2).ToList())!.Value));
    }

    // ---------------- stuck instances ----------------

    /// <summary>
    /// In-progress workflow instances started within <paramref name="lookback"/> that either have no master
    /// host (failover never completed) or have run <paramref name="factor"/> times longer than the workflow's
    /// usual duration and at least <paramref name="minimumRuntime"/>.
    /// </summary>
    public async Task<IReadOnlyList<DsStuckInstance>> GetStuckInstancesAsync(DateTimeOffset asOf, TimeSpan lookback, double factor,
        TimeSpan minimumRuntime, CancellationToken cancellationToken = default)
    {
        if (factor <= 1)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsInvalidFactor", "The factor must be greater than 1.");
        var now = Clock.ToServer(asOf);
        var from = now - lookback;
        await using var session = await _connection.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        var catalog = await MetadataCatalog.LoadAsync(session, false, cancellationToken).ConfigureAwait(false);
        var running = await InProgressInstancesAsync(session, from, now, cancellationToken).ConfigureAwait(false);
        var usual = await UsualWorkflowDurationsAsync(session, running.Where(r => !D.HostMeansNoMaster(r.Host)).Select(r => r.Code).Distinct(),
            from, now, cancellationToken).ConfigureAwait(false);

        var result = new List<DsStuckInstance>();
        foreach (var r in running)
        {
            var runningFor = now - r.Start;
            usual.TryGetValue(r.Code, out var typical);
            DsStuckReason reason;
            string detail;
            if (D.HostMeansNoMaster(r.Host))
            {
                reason = DsStuckReason.NoHost;
                detail = "In progress with no master host: failover cleared the host and no master took the instance over.";
            }
            else if (typical > TimeSpan.Zero && runningFor >= minimumRuntime && runningFor.TotalSeconds > factor * typical.TotalSeconds)
            {
                reason = DsStuckReason.FarLongerThanUsual;
                detail = $"Running {runningFor.TotalMinutes:0} min, {runningFor / typical:0.#}x the usual {typical.TotalMinutes:0.#} min.";
            }
            else continue;
            result.Add(new DsStuckInstance
            {
                InstanceId = r.Id, WorkflowCode = r.Code, StateCode = r.State, State = D.StateOf(r.State, DsStateScope.Workflow),
                Host = r.Host, Start = Clock.ToBusiness(r.Start), RunningFor = runningFor,
                UsualDuration = typical > TimeSpan.Zero ? typical : null, Reason = reason, Detail = detail,
                Workflow = catalog.WorkflowName(r.Code), Project = catalog.ProjectOfWorkflow(r.Code),
            });
        }
        return result;
    }

    internal sealed record InstanceRow(int Id, long Code, int State, DateTime Start, DateTime? End, string? Host);

    internal async Task<List<InstanceRow>> InProgressInstancesAsync(DsMetadataSession session, DateTime from, DateTime to, CancellationToken ct)
    {
        var p = new Dictionary<string, object?> { ["@from"] = from, ["@to"] = to };
        var sql = $"SELECT id, {D.WorkflowCodeColumn}, state, start_time, end_time, host FROM {D.WorkflowInstanceTable} " +
                  $"FORCE INDEX ({D.InstanceStartTimeIndex}) WHERE start_time >= @from AND start_time < @to AND end_time IS NULL " +
                  $"AND state IN ({SqlText.In(p, "s", D.InProgressStateCodes(DsStateScope.Workflow))}) ORDER BY start_time";
        return await session.QueryAsync(sql, p, ReadInstance, ct).ConfigureAwait(false);
    }

    internal static InstanceRow ReadInstance(DbDataReader r) => new(r.GetInt32(0), r.GetInt64(1), r.IsDBNull(2) ? -1 : r.GetInt32(2),
        r.GetDateTime(3), r.IsDBNull(4) ? null : r.GetDateTime(4), r.IsDBNull(5) ? null : r.GetString(5));

    /// <summary>Median successful duration per workflow, read through the (workflow code, id) index.</summary>
    internal async Task<Dictionary<long, TimeSpan>> UsualWorkflowDurationsAsync(DsMetadataSession session, IEnumerable<long> codes,
        DateTime from, DateTime to, CancellationToken ct)
    {
        var list = codes.ToList();
        if (list.Count == 0) return new Dictionary<long, TimeSpan>();
        var p = new Dictionary<string, object?> { ["@from"] = from, ["@to"] = to };
        var sql = $"SELECT {D.WorkflowCodeColumn}, TIMESTAMPDIFF(SECOND, start_time, end_time) FROM {D.WorkflowInstanceTable} " +
                  $"FORCE INDEX ({D.InstanceByWorkflowIndex}) WHERE {D.WorkflowCodeColumn} IN ({SqlText.In(p, "c", list)}) " +
                  $"AND state IN ({SqlText.In(p, "ok", D.SuccessStateCodes(DsStateScope.Workflow))}) " +
                  "AND start_time >= @from AND start_time < @to AND end_time IS NOT NULL";
        var rows = await session.QueryAsync(sql, p, r => (r.GetInt64(0), r.IsDBNull(1) ? 0d : Convert.ToDouble(r.GetValue(1))), ct).ConfigureAwait(false);
        return rows.GroupBy(x => x.Item1).ToDictionary(g => g.Key, g => TimeSpan.FromSeconds(SqlText.Median(g.Select(x => x.Item2).ToList())!.Value));
    }

    // ---------------- command queue ----------------

    /// <summary>Pending commands (t_ds_command) and rejected ones (t_ds_error_command) by type, with the oldest age.</summary>
    public async Task<IReadOnlyList<DsCommandBacklog>> GetCommandBacklogAsync(DateTimeOffset asOf, CancellationToken cancellationToken = default)
    {
        var now = Clock.ToServer(asOf);
        await using var session = await _connection.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<DsCommandBacklog>();
        foreach (var (queue, table) in new[] { ("Pending", D.CommandTable), ("Error", D.ErrorCommandTable) })
        {
            result.AddRange(await session.QueryAsync(
                $"SELECT command_type, COUNT(*), MIN(start_time), MAX(start_time) FROM {table} GROUP BY command_type ORDER BY command_type", null,
                r =>
                {
                    var type = r.IsDBNull(0) ? -1 : r.GetInt32(0);
                    DateTime? oldest = r.IsDBNull(2) ? null : r.GetDateTime(2);
                    return new DsCommandBacklog
                    {
                        Queue = queue, CommandTypeCode = type, CommandType = D.CommandTypeName(type), Count = r.GetInt64(1),
                        Oldest = Clock.ToBusiness(oldest), Newest = Clock.ToBusiness(r.IsDBNull(3) ? null : r.GetDateTime(3)),
                        OldestAge = oldest is { } o ? now - o : null,
                    };
                }, cancellationToken).ConfigureAwait(false));
        }
        return result;
    }

    /// <summary>Rejected commands created since <paramref name="since"/>, newest first (t_ds_error_command has only its PK).</summary>
    public async Task<IReadOnlyList<DsErrorCommand>> GetErrorCommandsAsync(DateTimeOffset since, int max, CancellationToken cancellationToken = default)
    {
        var p = new Dictionary<string, object?> { ["@since"] = Clock.ToServer(since), ["@max"] = max };
        await using var session = await _connection.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        var catalog = await MetadataCatalog.LoadAsync(session, false, cancellationToken).ConfigureAwait(false);
        return await session.QueryAsync(
            $"SELECT id, command_type, {D.WorkflowCodeColumn}, start_time, message FROM {D.ErrorCommandTable} " +
            "WHERE start_time >= @since ORDER BY id DESC LIMIT @max", p,
            r => new DsErrorCommand
            {
                Id = r.GetInt32(0), CommandType = D.CommandTypeName(r.IsDBNull(1) ? -1 : r.GetInt32(1)), WorkflowCode = r.GetInt64(2),
                Created = Clock.ToBusiness(r.IsDBNull(3) ? null : r.GetDateTime(3)), Message = r.IsDBNull(4) ? "" : r.GetString(4),
                Workflow = catalog.WorkflowName(r.GetInt64(2)), Project = catalog.ProjectOfWorkflow(r.GetInt64(2)),
            }, cancellationToken).ConfigureAwait(false);
    }
}
