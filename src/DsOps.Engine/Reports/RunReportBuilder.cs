using DsOps.Engine.Dialects;
using DsOps.Engine.Metadata;

namespace DsOps.Engine.Reports;

/// <summary>What Get-DsRunReport asks for.</summary>
public sealed class RunReportOptions
{
    /// <summary>The business date (a local date in <see cref="TimeZone"/>).</summary>
    public DateOnly Date { get; init; }
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Local;
    /// <summary>Deadline per workflow ("workflow" or "project/workflow"): time after the start of the business date.</summary>
    public IReadOnlyDictionary<string, TimeSpan> Deadlines { get; init; } = new Dictionary<string, TimeSpan>();
    /// <summary>Only these projects: names, wildcard patterns or project codes (null or empty keeps all).</summary>
    public IReadOnlyList<string>? Projects { get; init; }

    private Text.Wildcard[]? _projectPatterns;
    /// <summary><see cref="Projects"/> compiled once; null keeps all.</summary>
    internal Text.Wildcard[]? ProjectPatterns => _projectPatterns ??= Text.Wildcard.Compile(Projects);

    /// <summary>Whether the project <paramref name="code"/> (named <paramref name="name"/>) is in the report.</summary>
    internal bool KeepsProject(string name, long code) => ProjectPatterns is null || Text.Wildcard.MatchesAny(ProjectPatterns, name, code);
    /// <summary>How many longest runs to list.</summary>
    public int Top { get; init; } = 10;
    /// <summary>"Now" for running durations and pending deadlines (defaults to the current time).</summary>
    public DateTimeOffset? AsOf { get; init; }
    /// <summary>
    /// Predict the finish of workflows whose deadline is still pending and mark those predicted late as at risk
    /// (<see cref="DeadlineResult.AtRisk"/>; the Get-DsCriticalPath -Deadline forecast). Default true.
    /// </summary>
    public bool ForecastPendingDeadlines { get; init; } = true;
    /// <summary>Reuse per-day counts of closed days cached on the connection (default true).</summary>
    public bool UseClosedDayCache { get; init; } = true;
}

/// <summary>
/// Builds a <see cref="RunReport"/>. One index-only read of start_time_index gives the id ranges of the day and
/// of the 7 days before; then, concurrently on pooled sessions: the catalog (definitions, projects, schedules),
/// the day's instances, the task instances of the day's instances that did not succeed (through the
/// workflow-instance index of t_ds_task_instance), task counts per instance, and per-day state counts of the
/// 7 days before (aggregated in SQL, cached for closed days). A last small read takes the usual durations of
/// the listed workflows through (workflow code, id).
/// </summary>
public sealed class RunReportBuilder
{
    private readonly DsMetadataConnection _connection;

    public RunReportBuilder(DsMetadataConnection connection) => _connection = connection ?? throw new ArgumentNullException(nameof(connection));

    private DsDialect D => _connection.Dialect;

    public async Task<RunReport> BuildAsync(RunReportOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var reader = new DsMetadataReader(_connection, options.TimeZone);
        var clock = reader.Clock;
        var asOf = options.AsOf ?? DateTimeOffset.Now;
        var (from, to) = clock.DayWindow(options.Date);
        var bounds = Enumerable.Range(0, 8).Select(k => clock.DayWindow(options.Date.AddDays(k - 7)).From).ToArray(); // bounds[7] == from

        // Step 1 (index-only on start_time_index): the id ranges of the day and of the 8 days. Step 2, concurrently:
        // catalog, the day's instances, tasks and task counts, and the 7 days before, each scanning its id range.
        var catalogTask = WithSession(s => MetadataCatalog.LoadAsync(s, withSchedules: true, cancellationToken), cancellationToken);
        var (dayRange, spanRange) = await WithSession(s => IdRangesAsync(s, bounds[0], from, to, cancellationToken), cancellationToken).ConfigureAwait(false);
        Task<int[,]>? historyTask = options.ProjectPatterns is null
            ? HistoryAsync(bounds, spanRange, null, options, clock.ToServer(asOf), asOf, cancellationToken)
            : null;
        var instancesTask = WithSession(s => DayInstancesAsync(s, from, to, dayRange, cancellationToken), cancellationToken);
        var tasksTask = WithSession(s => DayTasksAsync(s, from, to, dayRange, cancellationToken), cancellationToken);
        var taskCountsTask = WithSession(s => TaskCountsAsync(s, from, to, dayRange, cancellationToken), cancellationToken);
        var catalog = await catalogTask.ConfigureAwait(false);
        historyTask ??= HistoryAsync(bounds, spanRange, catalog, options, clock.ToServer(asOf), asOf, cancellationToken);
        var instances = await instancesTask.ConfigureAwait(false);
        var tasks = await tasksTask.ConfigureAwait(false);
        var taskCounts = await taskCountsTask.ConfigureAwait(false);
        var history = await historyTask.ConfigureAwait(false);

        bool Kept(long code) => options.ProjectPatterns is null
            || (catalog.Workflows.TryGetValue(code, out var w) && options.KeepsProject(catalog.ProjectName(w.ProjectCode), w.ProjectCode));
        var now = clock.ToServer(asOf);
        instances = instances.Where(i => Kept(i.Code)).ToList();
        var instanceById = instances.ToDictionary(i => i.Id);

        var report = new RunReport
        {
            Date = options.Date, TimeZone = options.TimeZone.Id, ServerTimeZone = _connection.ServerTimeZone.Id,
            WindowStart = clock.StartOf(options.Date), WindowEnd = clock.StartOf(options.Date.AddDays(1)),
            GeneratedAt = asOf, DsVersion = D.Version.ToString(), Source = _connection.Name,
        };

        // ---- instances: totals, per project and workflow, timeline ----
        var summaries = new Dictionary<long, WorkflowRunSummary>();
        var runs = new List<DsWorkflowRun>(instances.Count);
        for (var t = report.WindowStart; t < report.WindowEnd; t = t.AddHours(1))
            report.Timeline.Add(new TimelineBucket { HourStart = t });
        foreach (var i in instances)
        {
            var state = D.StateOf(i.State, DsStateScope.Workflow);
            var run = new DsWorkflowRun
            {
                InstanceId = i.Id, WorkflowCode = i.Code, StateCode = i.State, State = state, Host = i.Host,
                Start = clock.ToBusiness(i.Start), End = clock.ToBusiness(i.End), Duration = (i.End ?? now) - i.Start,
                Workflow = catalog.WorkflowName(i.Code), Project = catalog.ProjectOfWorkflow(i.Code),
            };
            runs.Add(run);
            if (!summaries.TryGetValue(i.Code, out var w))
                summaries[i.Code] = w = new WorkflowRunSummary { WorkflowCode = i.Code, Workflow = run.Workflow, Project = run.Project };
            w.Instances++;
            var failed = DsDialect.IsFailure(state);
            if (DsDialect.IsSuccess(state)) w.Succeeded++;
            else if (failed) w.Failed++;
            else if (i.End is null && DsDialect.IsInProgress(state)) w.Running++;
            else w.Other++;
            if (i.End is not null && run.Duration > w.LongestRun) w.LongestRun = run.Duration;
            var bucket = (int)((run.Start!.Value - report.WindowStart).TotalHours);
            if (bucket >= 0 && bucket < report.Timeline.Count)
            {
                report.Timeline[bucket].Started++;
                if (failed) report.Timeline[bucket].Failed++;
            }
        }

        // ---- tasks: failed tasks with host, times and retries ----
        // Counted per workflow so project and report totals add up from the same numbers.
        foreach (var (instanceId, count) in taskCounts)
            if (instanceById.TryGetValue(instanceId, out var counted)) summaries[counted.Code].TaskInstances += count;
        foreach (var t in tasks)
        {
            if (!instanceById.TryGetValue(t.WorkflowInstanceId, out var owner)) continue; // filtered project
            if (t.Failed is not { } f) continue;
            report.FailedTasks.Add(new DsFailedTask
            {
                TaskInstanceId = t.Id, WorkflowInstanceId = t.WorkflowInstanceId, WorkflowCode = owner.Code, TaskCode = f.TaskCode,
                Task = f.Name, TaskType = f.TaskType, Host = f.Host, StateCode = t.State, State = D.StateOf(t.State, DsStateScope.Task),
                RetryTimes = t.RetryTimes, MaxRetryTimes = f.MaxRetryTimes, Start = clock.ToBusiness(f.Start), End = clock.ToBusiness(f.End),
                LogPath = f.LogPath, Workflow = catalog.WorkflowName(owner.Code), Project = catalog.ProjectOfWorkflow(owner.Code),
            });
            summaries[owner.Code].FailedTasks++;
        }
        report.FailedTasks.Sort((a, b) => (a.Project, a.Workflow, a.TaskInstanceId).CompareTo((b.Project, b.Workflow, b.TaskInstanceId)));

        foreach (var group in summaries.Values.GroupBy(w => w.Project).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var p = new ProjectRunSummary { Project = group.Key, Workflows = group.OrderBy(w => w.Workflow, StringComparer.Ordinal).ToList() };
            foreach (var w in p.Workflows) Add(p.Totals, w);
            report.Projects.Add(p);
            Add(report.Totals, p.Totals);
        }

        // ---- longest finished runs and still running, with usual durations ----
        // One line per workflow (its longest finished run): an hourly workflow must not fill the whole list.
        report.LongestRuns.AddRange(runs.Where(r => r.End is not null).OrderByDescending(r => r.Duration).ThenBy(r => r.InstanceId)
            .DistinctBy(r => r.WorkflowCode).Take(options.Top));
        report.StillRunning.AddRange(runs.Where(r => r.End is null && DsDialect.IsInProgress(r.State)).OrderBy(r => r.Start));
        var listed = report.LongestRuns.Concat(report.StillRunning).Select(r => r.WorkflowCode).Distinct().ToList();
        if (listed.Count > 0)
        {
            var usual = await WithSession(s => reader.UsualWorkflowDurationsAsync(s, listed, bounds[0], from, cancellationToken), cancellationToken)
                .ConfigureAwait(false);
            foreach (var r in report.LongestRuns.Concat(report.StillRunning))
                r.UsualDuration = usual.TryGetValue(r.WorkflowCode, out var u) ? u : null;
        }

        // ---- not started: online schedules that fire on the date without an instance ----
        var ran = instances.Select(i => i.Code).ToHashSet();
        foreach (var s in catalog.Schedules)
        {
            if (!catalog.Workflows.TryGetValue(s.WorkflowCode, out var wf) || !wf.Online || ran.Contains(s.WorkflowCode)) continue;
            // A fire counts only while the schedule existed: from its start time or its creation, whichever is later.
            var effective = s.EffectiveStart;
            if (!Kept(s.WorkflowCode) || effective >= to || s.EndTime < from) continue;
            var fires = effective <= from && s.EndTime >= to
                ? QuartzCronCalendar.FiresOn(s.Crontab, options.Date)
                : QuartzCronCalendar.FiresOn(s.Crontab, options.Date, WallClockOn(clock, options.Date, effective, TimeOnly.MinValue),
                    WallClockOn(clock, options.Date, s.EndTime, TimeOnly.MaxValue));
            if (fires != true) continue;
            report.NotStarted.Add(new NotStartedWorkflow
            {
                WorkflowCode = s.WorkflowCode, Crontab = s.Crontab, Workflow = wf.Name, Project = catalog.ProjectName(wf.ProjectCode),
            });
        }
        report.NotStarted.Sort((a, b) => string.CompareOrdinal(a.Project + "/" + a.Workflow, b.Project + "/" + b.Workflow));

        // ---- comparison with the previous day and the 7-day median ----
        report.Comparison.AddRange(Compare(report.Totals, history));

        // ---- deadlines ----
        report.Deadlines.AddRange(EvaluateDeadlines(options, catalog, runs, clock, asOf));
        if (options.ForecastPendingDeadlines && report.Deadlines.Where(d => d.Pending).ToList() is { Count: > 0 } pending)
        {
            var analyzer = new Operations.CriticalPath.CriticalPathAnalyzer(_connection, options.TimeZone);
            var midnight = options.Date.ToDateTime(TimeOnly.MinValue);
            var forecasts = await WithSession(s => analyzer.ForecastAsync(s, catalog, options.Date,
                pending.Select(d => (d.WorkflowCode, d.Deadline.DateTime - midnight)).ToList(), asOf, cancellationToken), cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < pending.Count; i++)
            {
                pending[i].PredictedFinish = forecasts[i].PredictedFinish;
                pending[i].AtRisk = forecasts[i].Status == Operations.CriticalPath.DsDeadlineStatus.AtRisk;
                if (pending[i].AtRisk) pending[i].Reason = "at risk: " + forecasts[i].Reason;
            }
        }
        return report;
    }

    /// <summary>A server-local moment as a business wall-clock time on <paramref name="date"/>; outside that date, <paramref name="otherwise"/>.</summary>
    private static TimeOnly WallClockOn(MetadataClock clock, DateOnly date, DateTime serverLocal, TimeOnly otherwise)
    {
        var business = clock.ToBusiness(serverLocal).DateTime;
        return DateOnly.FromDateTime(business) == date ? TimeOnly.FromDateTime(business) : otherwise;
    }

    private static void Add(RunTotals into, WorkflowRunSummary w)
    {
        into.Workflows++;
        into.Instances += w.Instances; into.Succeeded += w.Succeeded; into.Failed += w.Failed;
        into.Running += w.Running; into.Other += w.Other; into.FailedTasks += w.FailedTasks; into.TaskInstances += w.TaskInstances;
    }

    private static void Add(RunTotals into, RunTotals p)
    {
        into.Workflows += p.Workflows; into.Instances += p.Instances; into.Succeeded += p.Succeeded; into.Failed += p.Failed;
        into.Running += p.Running; into.Other += p.Other; into.FailedTasks += p.FailedTasks; into.TaskInstances += p.TaskInstances;
    }

    private static IEnumerable<MetricComparison> Compare(RunTotals today, int[,] history)
    {
        // history[day, metric]: day 0..6 = the 7 days before (6 = previous day); metric 0 runs, 1 succeeded, 2 failed.
        string[] names = { "Runs", "Succeeded", "Failed" };
        int[] values = { today.Instances, today.Succeeded, today.Failed };
        for (var m = 0; m < names.Length; m++)
        {
            var days = Enumerable.Range(0, 7).Select(d => (double)history[d, m]).ToList();
            yield return new MetricComparison
            {
                Metric = names[m], Today = values[m], PreviousDay = history[6, m], Median7Days = SqlText.Median(days) ?? 0,
            };
        }
    }

    private IEnumerable<DeadlineResult> EvaluateDeadlines(RunReportOptions options, MetadataCatalog catalog, List<DsWorkflowRun> runs,
        MetadataClock clock, DateTimeOffset asOf)
    {
        foreach (var (key, offset) in options.Deadlines.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            var slash = key.IndexOf('/');
            var project = slash >= 0 ? key[..slash] : null;
            var name = slash >= 0 ? key[(slash + 1)..] : key;
            var matches = catalog.Workflows.Values.Where(w => string.Equals(w.Name, name, StringComparison.OrdinalIgnoreCase)
                && (project is null || string.Equals(catalog.ProjectName(w.ProjectCode), project, StringComparison.OrdinalIgnoreCase))).ToList();
            if (matches.Count == 0)
                throw new DsOpsException(DsErrorKind.InvalidInput, "DsDeadlineUnknownWorkflow",
                    $"Deadline '{key}': no workflow of that name exists in the metadata database.");
            foreach (var wf in matches)
            {
                var projectName = catalog.ProjectName(wf.ProjectCode);
                if (!options.KeepsProject(projectName, wf.ProjectCode)) continue;
                var deadline = clock.WallClock(options.Date, offset); // '06:00' stays 06:00 on DST days
                var mine = runs.Where(r => r.WorkflowCode == wf.Code).ToList();
                var ok = mine.Where(r => DsDialect.IsSuccess(r.State) && r.End is not null).OrderBy(r => r.End).FirstOrDefault();
                var pendingAllowed = asOf < deadline;
                (bool missed, bool pending, string reason, DateTimeOffset? finished) result =
                    ok is not null && ok.End <= deadline ? (false, false, $"finished {ok.End:HH:mm}", ok.End)
                    : ok is not null ? (true, false, $"finished late at {ok.End:yyyy-MM-dd HH:mm}", ok.End)
                    : mine.Any(r => r.End is null && DsDialect.IsInProgress(r.State)) ? (!pendingAllowed, pendingAllowed, "still running", null)
                    : mine.Any(r => DsDialect.IsFailure(r.State)) ? (true, false, "failed", mine.Max(r => r.End))
                    : mine.Count > 0 ? (true, false, "did not succeed (" + mine[0].State + ")", mine.Max(r => r.End))
                    : (!pendingAllowed, pendingAllowed, "did not run", null);
                yield return new DeadlineResult
                {
                    Project = projectName, Workflow = wf.Name, WorkflowCode = wf.Code, Deadline = deadline, FinishedAt = result.finished,
                    Missed = result.missed, Pending = result.pending, Reason = result.reason,
                };
            }
        }
    }

    private static IReadOnlyCollection<long>? ProjectCodes(MetadataCatalog catalog, RunReportOptions options) =>
        options.ProjectPatterns is null ? null
            : catalog.Workflows.Values.Where(w => options.KeepsProject(catalog.ProjectName(w.ProjectCode), w.ProjectCode)).Select(w => w.Code).ToList();

    private async Task<T> WithSession<T>(Func<DsMetadataSession, Task<T>> work, CancellationToken ct)
    {
        await using var session = await _connection.OpenSessionAsync(ct).ConfigureAwait(false);
        return await work(session).ConfigureAwait(false);
    }

    // ---- the day's reads ----
    //
    // Instance ids are auto-increment in creation order and an instance starts right after it is created, so the
    // instances of a time window sit in a narrow id range. start_time_index gives that range without touching rows
    // (it stores the id); scanning the primary key over the range then reads rows in order instead of one random
    // lookup per index entry (measured ~6x faster for a week of instances). Rows in the range but outside the window
    // are filtered by start_time. When the range is sparse (e.g. old instances re-run), the plan falls back to
    // start_time_index lookups.

    /// <summary>An id range of workflow instances and how many instances of the window it holds.</summary>
    public sealed record IdRange(long Lo, long Hi, long Count)
    {
        /// <summary>Scan by primary key only when the range is not much wider than the rows it holds.</summary>
        public bool Dense => Count > 0 && Hi - Lo + 1 <= Math.Max(4 * Count, Count + 10_000);
    }

    /// <summary>Min/max id and count of the 7 days before (@span to @from) and of the day (@from to @to), from start_time_index alone.</summary>
    public string IdRangesSql()
    {
        // Two plain ranges (no per-row expressions): MIN/MAX/COUNT come from the index entries alone.
        string Part(int which, string lo, string hi) =>
            $"SELECT {which}, MIN(id), MAX(id), COUNT(*) FROM {D.WorkflowInstanceTable} FORCE INDEX ({D.InstanceStartTimeIndex}) " +
            $"WHERE start_time >= {lo} AND start_time < {hi}";
        return Part(0, "@span", "@from") + " UNION ALL " + Part(1, "@from", "@to");
    }

    private async Task<(IdRange? Day, IdRange? Span)> IdRangesAsync(DsMetadataSession s, DateTime span, DateTime from, DateTime to, CancellationToken ct)
    {
        var p = new Dictionary<string, object?> { ["@span"] = span, ["@from"] = from, ["@to"] = to };
        var rows = await s.QueryAsync(IdRangesSql(), p, r => (Which: Convert.ToInt32(r.GetValue(0)),
            Range: r.IsDBNull(1) ? null : new IdRange(Convert.ToInt64(r.GetValue(1)), Convert.ToInt64(r.GetValue(2)), Convert.ToInt64(r.GetValue(3))))
            , ct).ConfigureAwait(false);
        return (rows.FirstOrDefault(x => x.Which == 1).Range, rows.FirstOrDefault(x => x.Which == 0).Range);
    }

    /// <summary>FORCE INDEX clause and id filter for reading a window's instances (alias may be empty).</summary>
    private (string Index, string Filter) Entry(string alias, IdRange? range, Dictionary<string, object?> p, string prefix)
    {
        if (range is not { Dense: true }) return ($"FORCE INDEX ({D.InstanceStartTimeIndex})", "");
        p[$"@{prefix}lo"] = range.Lo;
        p[$"@{prefix}hi"] = range.Hi;
        return ("FORCE INDEX (PRIMARY)", $" AND {alias}id BETWEEN @{prefix}lo AND @{prefix}hi");
    }

    private Task<List<DsMetadataReader.InstanceRow>> DayInstancesAsync(DsMetadataSession s, DateTime from, DateTime to, IdRange? range, CancellationToken ct)
    {
        var p = new Dictionary<string, object?> { ["@from"] = from, ["@to"] = to };
        return s.QueryAsync(DayInstancesSql(p, range), p, DsMetadataReader.ReadInstance, ct);
    }

    /// <summary>The day's instances: the day's id range by primary key, or a range on start_time_index.</summary>
    public string DayInstancesSql(Dictionary<string, object?> p, IdRange? range = null)
    {
        var (index, filter) = Entry("", range, p, "d");
        return $"SELECT id, {D.WorkflowCodeColumn}, state, start_time, end_time, host FROM {D.WorkflowInstanceTable} " +
               $"{index} WHERE start_time >= @from AND start_time < @to{filter}";
    }

    internal sealed record FailedDetail(long TaskCode, string Name, string TaskType, string? Host, int? MaxRetryTimes, DateTime? Start, DateTime? End, string? LogPath);
    internal sealed record DayTask(int Id, int WorkflowInstanceId, int State, int RetryTimes, FailedDetail? Failed);

    /// <summary>
    /// Task instances of the day's workflow instances that did not succeed: the day's instances (as in
    /// <see cref="DayInstancesSql"/>), then tasks by their workflow-instance index. A final failed try makes its
    /// workflow instance fail, so successful instances are skipped and only a few hundred task rows are read
    /// instead of the whole day's. Text columns come back only for final failed tries. (A failure absorbed by a
    /// CONDITIONS branch inside a workflow that succeeded is therefore not in the report; Get-DsFailedTask lists
    /// every failure.)
    /// </summary>
    public string DayTasksSql(Dictionary<string, object?> p, IdRange? range = null)
    {
        var (index, filter) = Entry("i.", range, p, "d");
        var failed = $"ti.flag = 1 AND ti.state IN ({SqlText.In(p, "f", D.FailureStateCodes(DsStateScope.Task))})";
        return $"SELECT ti.id, ti.{D.WorkflowInstanceIdColumn}, ti.state, ti.flag, ti.retry_times, " +
               $"CASE WHEN {failed} THEN 1 ELSE 0 END, " +
               $"CASE WHEN {failed} THEN ti.task_code END, CASE WHEN {failed} THEN ti.name END, CASE WHEN {failed} THEN ti.task_type END, " +
               $"CASE WHEN {failed} THEN ti.host END, CASE WHEN {failed} THEN ti.max_retry_times END, CASE WHEN {failed} THEN ti.start_time END, " +
               $"CASE WHEN {failed} THEN ti.end_time END, CASE WHEN {failed} THEN ti.log_path END " +
               $"FROM {D.WorkflowInstanceTable} i {index} " +
               $"STRAIGHT_JOIN {D.TaskInstanceTable} ti FORCE INDEX ({D.TaskInstanceByWorkflowInstanceIndex}) ON ti.{D.WorkflowInstanceIdColumn} = i.id " +
               $"WHERE i.start_time >= @from AND i.start_time < @to{filter} " +
               $"AND i.state NOT IN ({SqlText.In(p, "ok", D.SuccessStateCodes(DsStateScope.Workflow))})";
    }

    /// <summary>
    /// Task-instance rows per workflow instance of the day. The task side is read from the workflow-instance index
    /// of t_ds_task_instance alone (no task rows are touched).
    /// </summary>
    public string TaskCountsSql(Dictionary<string, object?> p, IdRange? range = null)
    {
        var (index, filter) = Entry("i.", range, p, "d");
        return $"SELECT ti.{D.WorkflowInstanceIdColumn}, COUNT(*) FROM {D.WorkflowInstanceTable} i {index} " +
               $"STRAIGHT_JOIN {D.TaskInstanceTable} ti FORCE INDEX ({D.TaskInstanceByWorkflowInstanceIndex}) ON ti.{D.WorkflowInstanceIdColumn} = i.id " +
               $"WHERE i.start_time >= @from AND i.start_time < @to{filter} GROUP BY ti.{D.WorkflowInstanceIdColumn}";
    }

    private Task<List<(int InstanceId, int Count)>> TaskCountsAsync(DsMetadataSession s, DateTime from, DateTime to, IdRange? range, CancellationToken ct)
    {
        var p = new Dictionary<string, object?> { ["@from"] = from, ["@to"] = to };
        return s.QueryAsync(TaskCountsSql(p, range), p, r => (r.GetInt32(0), Convert.ToInt32(r.GetValue(1))), ct);
    }

    private Task<List<DayTask>> DayTasksAsync(DsMetadataSession s, DateTime from, DateTime to, IdRange? range, CancellationToken ct)
    {
        var p = new Dictionary<string, object?> { ["@from"] = from, ["@to"] = to };
        return s.QueryAsync(DayTasksSql(p, range), p, r => new DayTask(
            r.GetInt32(0), r.GetInt32(1), r.IsDBNull(2) ? -1 : r.GetInt32(2),
            r.IsDBNull(4) ? 0 : r.GetInt32(4),
            r.GetInt32(5) == 0 ? null : new FailedDetail(r.GetInt64(6), r.IsDBNull(7) ? "" : r.GetString(7), r.IsDBNull(8) ? "" : r.GetString(8),
                r.IsDBNull(9) ? null : r.GetString(9), r.IsDBNull(10) ? null : r.GetInt32(10),
                r.IsDBNull(11) ? null : r.GetDateTime(11), r.IsDBNull(12) ? null : r.GetDateTime(12), r.IsDBNull(13) ? null : r.GetString(13))), ct);
    }

    /// <summary>Per-day counts of runs, successes and failures for the 7 days before, aggregated in SQL.</summary>
    public string HistorySql(Dictionary<string, object?> p, DateTime[] bounds, IReadOnlyCollection<long>? codes, IdRange? spanRange = null)
    {
        for (var k = 0; k < bounds.Length; k++) p["@b" + k] = bounds[k];
        var (index, filter) = Entry("", spanRange, p, "h");
        // INTERVAL() over integer seconds: one conversion per row and a binary search, instead of six DATETIME
        // comparisons per row (which cost more than reading the row).
        var day = "INTERVAL(TO_SECONDS(start_time), " + string.Join(", ", Enumerable.Range(1, 6).Select(k => $"TO_SECONDS(@b{k})")) + ")";
        var ok = SqlText.In(p, "ok", D.SuccessStateCodes(DsStateScope.Workflow));
        var bad = SqlText.In(p, "bad", D.FailureStateCodes(DsStateScope.Workflow));
        return $"SELECT {day} AS d, COUNT(*), SUM(state IN ({ok})), SUM(state IN ({bad})) FROM {D.WorkflowInstanceTable} " +
               $"{index} WHERE start_time >= @b0 AND start_time < @b7{filter}" +
               (codes is null ? "" : $" AND {D.WorkflowCodeColumn} IN ({SqlText.In(p, "c", codes)})") + " GROUP BY d";
    }

    /// <summary>The 7 days' counts: from the closed-day cache when every day is there, else one ranged read.</summary>
    private async Task<int[,]> HistoryAsync(DateTime[] bounds, IdRange? spanRange, MetadataCatalog? catalog, RunReportOptions options, DateTime serverNow,
        DateTimeOffset now, CancellationToken ct)
    {
        var cache = options.UseClosedDayCache && options.ProjectPatterns is null ? _connection.ClosedDays : null;
        var result = new int[7, 3];
        if (cache is not null)
        {
            var all = true;
            for (var k = 0; k < 7 && all; k++)
            {
                if (!cache.TryGet(bounds[k], bounds[k + 1], now, out var c)) all = false;
                else for (var m = 0; m < 3; m++) result[k, m] = c[m];
            }
            if (all) return result;
        }
        var codes = catalog is null ? null : ProjectCodes(catalog, options);
        result = await WithSession(s => HistoryCountsAsync(s, bounds, codes, spanRange, ct), ct).ConfigureAwait(false);
        if (cache is not null)
            for (var k = 0; k < 7; k++)
                cache.Store(bounds[k], bounds[k + 1], serverNow, now, new[] { result[k, 0], result[k, 1], result[k, 2] });
        return result;
    }

    private async Task<int[,]> HistoryCountsAsync(DsMetadataSession s, DateTime[] bounds, IReadOnlyCollection<long>? codes, IdRange? spanRange,
        CancellationToken ct)
    {
        var p = new Dictionary<string, object?>();
        var rows = await s.QueryAsync(HistorySql(p, bounds, codes, spanRange), p,
            r => (Day: Convert.ToInt32(r.GetValue(0)), Runs: Convert.ToInt32(r.GetValue(1)),
                Ok: r.IsDBNull(2) ? 0 : Convert.ToInt32(r.GetValue(2)), Bad: r.IsDBNull(3) ? 0 : Convert.ToInt32(r.GetValue(3))), ct).ConfigureAwait(false);
        var result = new int[7, 3];
        foreach (var row in rows)
        {
            result[row.Day, 0] = row.Runs;
            result[row.Day, 1] = row.Ok;
            result[row.Day, 2] = row.Bad;
        }
        return result;
    }
}
