using System.Text.Json;
using DsOps.Engine.Dialects;
using DsOps.Engine.Metadata;

namespace DsOps.Engine.Operations.CriticalPath;

/// <summary>
/// Finds the chain of workflow and task runs that set a T+1 workflow's finish on a business date, and predicts today's
/// finish against a deadline, from task-instance and workflow-instance history in the metadata database (read-only
/// session, parameterized SQL, table and column names from the dialect).
/// <para>The walk goes backwards from the selected run: the task that finished last sets the run's end; a task's start is
/// set by its DAG upstream task that finished last (relations of the run's workflow version, from the relation log); a
/// DEPENDENT task's end is set by the dependency run that finished last before it (the latest successful run of each
/// dependItem's workflow that ended by the task's end; the task's cycle/dateValue are not re-evaluated, see
/// docs/operations.md); a sub-workflow task's end is set by its child run (the sub-workflow relation table).</para>
/// </summary>
public sealed partial class CriticalPathAnalyzer
{
    private const int MaxInstancesOnChain = 64;
    private readonly DsMetadataConnection _connection;

    public CriticalPathAnalyzer(DsMetadataConnection connection, TimeZoneInfo? businessTimeZone = null)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
        Clock = new MetadataClock(connection.ServerTimeZone, businessTimeZone ?? TimeZoneInfo.Local);
    }

    internal MetadataClock Clock { get; }
    private DsDialect D => _connection.Dialect;

    /// <summary>How many days before the date the forecast learns durations from.</summary>
    public int HistoryDays { get; init; } = 7;

    // ------------------------------------------------------------------ selection

    /// <summary>
    /// Workflow codes for names: "workflow", "project/workflow" or a code; wildcards (* ?) allowed in names. A name that
    /// matches nothing is an error naming it.
    /// </summary>
    internal static IReadOnlyList<long> SelectWorkflows(MetadataCatalog catalog, IEnumerable<string> patterns)
    {
        var result = new List<long>();
        foreach (var raw in patterns)
        {
            var text = raw?.Trim() ?? "";
            if (text.Length == 0) continue;
            if (long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code)
                && catalog.Workflows.ContainsKey(code))
            {
                result.Add(code);
                continue;
            }
            var slash = text.IndexOf('/');
            var project = slash >= 0 ? text[..slash] : null;
            var name = slash >= 0 ? text[(slash + 1)..] : text;
            var nameMatches = Inspection.HealthGlob.Compile(new[] { name });
            var projectMatches = project is null ? null : Inspection.HealthGlob.Compile(new[] { project });
            var matches = catalog.Workflows.Values
                .Where(w => nameMatches(w.Name) && (projectMatches is null || projectMatches(catalog.ProjectName(w.ProjectCode))))
                .Select(w => w.Code).ToList();
            if (matches.Count == 0)
                throw new DsOpsException(DsErrorKind.NotFound, "DsWorkflowNotFound", $"-Workflow '{text}': no workflow of that name exists in the metadata database.");
            result.AddRange(matches);
        }
        return result.Distinct().ToList();
    }

    // ------------------------------------------------------------------ critical path

    /// <summary>The critical chain of each selected workflow's run on <paramref name="date"/> (the run that started that day and finished last).</summary>
    public async Task<IReadOnlyList<DsCriticalPath>> AnalyzeAsync(DateOnly date, IEnumerable<string> workflows, DateTimeOffset? asOf = null,
        CancellationToken cancellationToken = default)
    {
        await using var session = await _connection.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        var catalog = await MetadataCatalog.LoadAsync(session, false, cancellationToken).ConfigureAwait(false);
        var codes = SelectWorkflows(catalog, workflows);
        var (from, to) = Clock.DayWindow(date);
        var now = Clock.ToServer(asOf ?? DateTimeOffset.Now);
        var history = await InstancesAsync(session, from.AddDays(-1), to, cancellationToken).ConfigureAwait(false);
        var result = new List<DsCriticalPath>();
        foreach (var code in codes)
        {
            var run = history.Where(i => i.Code == code && !i.IsSub && i.Start >= from && i.Start < to)
                .OrderByDescending(i => i.End ?? DateTime.MaxValue).ThenByDescending(i => i.Id).FirstOrDefault();
            if (run is null) continue;
            var target = $"{catalog.ProjectOfWorkflow(code)}/{catalog.WorkflowName(code)}";
            var walker = new Walker(this, session, catalog, history, now, target, cancellationToken);
            await walker.WalkAsync(run, null, null, CriticalLink.Target).ConfigureAwait(false);
            var steps = walker.Ordered();
            result.Add(new DsCriticalPath
            {
                Project = catalog.ProjectOfWorkflow(code), Workflow = catalog.WorkflowName(code), WorkflowCode = code, Date = date,
                WorkflowInstanceId = run.Id, State = D.StateOf(run.State, DsStateScope.Workflow),
                Start = Clock.ToBusiness(run.Start), Finish = Clock.ToBusiness(run.End), Steps = steps,
            });
        }
        return result;
    }

    internal sealed record InstanceRow(int Id, long Code, int Version, int State, DateTime Start, DateTime? End, bool IsSub);
    internal sealed record TaskRow(int Id, int InstanceId, string Name, long Code, int Version, string Type, int State, DateTime? Start, DateTime? End);

    internal async Task<List<InstanceRow>> InstancesAsync(DsMetadataSession session, DateTime from, DateTime to, CancellationToken ct)
    {
        var p = new Dictionary<string, object?> { ["@from"] = from, ["@to"] = to };
        var sql = $"SELECT id, {D.WorkflowCodeColumn}, {D.WorkflowVersionColumn}, state, start_time, end_time, {D.IsSubWorkflowColumn} " +
                  $"FROM {D.WorkflowInstanceTable} FORCE INDEX ({D.InstanceStartTimeIndex}) WHERE start_time >= @from AND start_time < @to";
        return await session.QueryAsync(sql, p, r => new InstanceRow(r.GetInt32(0), r.GetInt64(1), r.IsDBNull(2) ? 0 : r.GetInt32(2),
            r.IsDBNull(3) ? -1 : r.GetInt32(3), r.GetDateTime(4), r.IsDBNull(5) ? null : r.GetDateTime(5),
            !r.IsDBNull(6) && Convert.ToInt32(r.GetValue(6)) == 1), ct).ConfigureAwait(false);
    }

    internal async Task<List<TaskRow>> TasksAsync(DsMetadataSession session, int instanceId, CancellationToken ct)
    {
        var p = new Dictionary<string, object?> { ["@id"] = instanceId };
        var sql = $"SELECT id, {D.WorkflowInstanceIdColumn}, name, task_code, task_definition_version, task_type, state, start_time, end_time " +
                  $"FROM {D.TaskInstanceTable} FORCE INDEX ({D.TaskInstanceByWorkflowInstanceIndex}) WHERE {D.WorkflowInstanceIdColumn} = @id AND flag = 1";
        return await session.QueryAsync(sql, p, r => new TaskRow(r.GetInt32(0), r.GetInt32(1), r.IsDBNull(2) ? "" : r.GetString(2), r.GetInt64(3),
            r.IsDBNull(4) ? 0 : r.GetInt32(4), r.IsDBNull(5) ? "" : r.GetString(5), r.IsDBNull(6) ? -1 : r.GetInt32(6),
            r.IsDBNull(7) ? null : r.GetDateTime(7), r.IsDBNull(8) ? null : r.GetDateTime(8)), ct).ConfigureAwait(false);
    }

    /// <summary>Upstream task codes per task code of one workflow version (relation log; pre_task_code 0 = no upstream).</summary>
    internal async Task<Dictionary<long, HashSet<long>>> UpstreamAsync(DsMetadataSession session, long workflowCode, int version, CancellationToken ct)
    {
        var p = new Dictionary<string, object?> { ["@code"] = workflowCode, ["@version"] = version };
        var sql = $"SELECT pre_task_code, post_task_code FROM {D.WorkflowTaskRelationLogTable} " +
                  $"WHERE {D.WorkflowCodeColumn} = @code AND {D.WorkflowVersionColumn} = @version";
        var rows = await session.QueryAsync(sql, p, r => (r.GetInt64(0), r.GetInt64(1)), ct).ConfigureAwait(false);
        var result = new Dictionary<long, HashSet<long>>();
        foreach (var (pre, post) in rows)
        {
            if (!result.TryGetValue(post, out var set)) result[post] = set = new HashSet<long>();
            if (pre != 0) set.Add(pre);
        }
        return result;
    }

    internal async Task<string?> TaskParamsAsync(DsMetadataSession session, long taskCode, int version, CancellationToken ct)
    {
        var p = new Dictionary<string, object?> { ["@code"] = taskCode, ["@version"] = version };
        var rows = await session.QueryAsync($"SELECT task_params FROM {D.TaskDefinitionLogTable} WHERE code = @code AND version = @version LIMIT 1", p,
            r => r.IsDBNull(0) ? null : r.GetString(0), ct).ConfigureAwait(false);
        return rows.FirstOrDefault();
    }

    internal async Task<int?> ChildInstanceAsync(DsMetadataSession session, int parentTaskInstanceId, CancellationToken ct)
    {
        var p = new Dictionary<string, object?> { ["@task"] = parentTaskInstanceId };
        var rows = await session.QueryAsync($"SELECT {D.WorkflowInstanceIdColumn} FROM {D.SubWorkflowRelationTable} WHERE parent_task_instance_id = @task", p,
            r => r.IsDBNull(0) ? (int?)null : r.GetInt32(0), ct).ConfigureAwait(false);
        return rows.LastOrDefault(x => x is not null);
    }

    /// <summary>(workflow code, task code or 0) of every dependItem in a DEPENDENT task's params.</summary>
    internal static List<(long Workflow, long Task)> DependItems(string? taskParams)
    {
        var result = new List<(long, long)>();
        if (string.IsNullOrWhiteSpace(taskParams)) return result;
        try
        {
            using var doc = JsonDocument.Parse(taskParams);
            if (!doc.RootElement.TryGetProperty("dependence", out var dependence)) return result;
            if (dependence.ValueKind == JsonValueKind.String)
            {
                using var inner = JsonDocument.Parse(dependence.GetString() ?? "{}");
                return DependItemsOf(inner.RootElement);
            }
            return DependItemsOf(dependence);
        }
        catch (JsonException) { return result; }
    }

    private static List<(long, long)> DependItemsOf(JsonElement dependence)
    {
        var result = new List<(long, long)>();
        if (dependence.ValueKind != JsonValueKind.Object || !dependence.TryGetProperty("dependTaskList", out var list) || list.ValueKind != JsonValueKind.Array)
            return result;
        foreach (var group in list.EnumerateArray())
        {
            if (group.ValueKind != JsonValueKind.Object || !group.TryGetProperty("dependItemList", out var items) || items.ValueKind != JsonValueKind.Array) continue;
            foreach (var item in items.EnumerateArray())
            {
                var wf = Long(item, "definitionCode");
                if (wf > 0) result.Add((wf, Long(item, "depTaskCode")));
            }
        }
        return result;
    }

    /// <summary>The child workflow code of a sub-workflow task's params (either spelling).</summary>
    internal long? SubWorkflowCode(string? taskParams)
    {
        if (string.IsNullOrWhiteSpace(taskParams)) return null;
        try
        {
            using var doc = JsonDocument.Parse(taskParams);
            var code = Long(doc.RootElement, D.SubWorkflowCodeKey);
            foreach (var key in DsDialect.SubWorkflowCodeKeys)
                if (code == 0) code = Long(doc.RootElement, key);
            return code > 0 ? code : null;
        }
        catch (JsonException) { return null; }
    }

    private static long Long(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v)
            ? v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n
            : v.ValueKind == JsonValueKind.String && long.TryParse(v.GetString(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var s) ? s
            : 0
            : 0;

    internal bool IsSubWorkflowTask(string type) => type == D.SubWorkflowTaskType || type is "SUB_PROCESS" or "SUB_WORKFLOW";

    /// <summary>Collects the chain backwards; <see cref="Ordered"/> returns it earliest first with waits.</summary>
    private sealed class Walker(CriticalPathAnalyzer owner, DsMetadataSession session, MetadataCatalog catalog, List<InstanceRow> history,
        DateTime now, string target, CancellationToken ct)
    {
        private readonly List<(DsCriticalStep Step, DateTime SortEnd)> _steps = new();
        private readonly HashSet<int> _visited = new();

        public async Task WalkAsync(InstanceRow run, long? endTaskCode, TimeSpan? slack, CriticalLink link)
        {
            if (!_visited.Add(run.Id) || _visited.Count > MaxInstancesOnChain) return;
            var tasks = await owner.TasksAsync(session, run.Id, ct).ConfigureAwait(false);
            if (endTaskCode is null) Add(WorkflowStep(run, slack, link), run.End ?? now, 1);
            if (tasks.Count == 0) return;
            var upstream = await owner.UpstreamAsync(session, run.Code, run.Version, ct).ConfigureAwait(false);
            // The latest try of each task code (flag = 1 rows; a rerun can leave several).
            var byCode = tasks.GroupBy(t => t.Code).ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Id).First());
            DateTime EndOf(TaskRow t) => t.End ?? now;

            TaskRow current;
            TimeSpan? currentSlack;
            var currentLink = CriticalLink.LastTask;
            if (endTaskCode is { } wanted)
            {
                if (!byCode.TryGetValue(wanted, out current!)) return;
                currentSlack = slack;
                currentLink = CriticalLink.DependencyTask;
            }
            else
            {
                var upstreamCodes = upstream.Values.SelectMany(s => s).Where(byCode.ContainsKey).ToHashSet();
                var sinks = byCode.Values.Where(t => !upstreamCodes.Contains(t.Code)).OrderByDescending(EndOf).ThenByDescending(t => t.Id).ToList();
                if (sinks.Count == 0) sinks = byCode.Values.OrderByDescending(EndOf).ToList();
                current = sinks[0];
                currentSlack = sinks.Count > 1 ? EndOf(sinks[0]) - EndOf(sinks[1]) : null;
            }
            var seen = new HashSet<long>();
            while (seen.Add(current.Code))
            {
                Add(TaskStep(run, current, currentSlack, currentLink), EndOf(current), 0);
                if (owner.IsSubWorkflowTask(current.Type)
                    && await owner.ChildInstanceAsync(session, current.Id, ct).ConfigureAwait(false) is { } childId
                    && history.FirstOrDefault(i => i.Id == childId) is { } child)
                    await WalkAsync(child, null, null, CriticalLink.SubWorkflow).ConfigureAwait(false);
                if (current.Type == "DEPENDENT" && current.Start is { } waitStart)
                {
                    var gate = await DependencyGateAsync(current, waitStart).ConfigureAwait(false);
                    if (gate is { } g)
                    {
                        await WalkAsync(g.Run, g.TaskCode, g.Slack, CriticalLink.Dependency).ConfigureAwait(false);
                        return; // the dependency, not the DAG upstream, set this task's end
                    }
                }
                var pres = (upstream.TryGetValue(current.Code, out var set) ? set : new HashSet<long>())
                    .Where(byCode.ContainsKey).Select(c => byCode[c]).Where(t => t.End is not null)
                    .OrderByDescending(t => t.End).ThenByDescending(t => t.Id).ToList();
                if (pres.Count == 0) return;
                currentSlack = pres.Count > 1 ? pres[0].End - pres[1].End : null;
                current = pres[0];
                currentLink = CriticalLink.UpstreamTask;
            }
        }

        /// <summary>
        /// The dependency run a DEPENDENT task waited for: per dependItem, the latest successful run of its workflow that
        /// ended by the task's end; the one that ended last gates, if it ended after the task started.
        /// </summary>
        private async Task<(InstanceRow Run, long? TaskCode, TimeSpan? Slack)?> DependencyGateAsync(TaskRow task, DateTime waitStart)
        {
            var items = DependItems(await owner.TaskParamsAsync(session, task.Code, task.Version, ct).ConfigureAwait(false));
            var end = task.End ?? now;
            var candidates = new List<(InstanceRow Run, long? TaskCode, DateTime End)>();
            foreach (var (workflow, taskCode) in items.Distinct())
            {
                var run = history.Where(i => i.Code == workflow && i.End is { } e && e <= end
                                             && DsDialect.IsSuccess(owner.D.StateOf(i.State, DsStateScope.Workflow)))
                    .OrderByDescending(i => i.End).ThenByDescending(i => i.Id).FirstOrDefault();
                if (run is null) continue;
                var gateEnd = run.End!.Value;
                if (taskCode != 0)
                {
                    var t = (await owner.TasksAsync(session, run.Id, ct).ConfigureAwait(false))
                        .Where(x => x.Code == taskCode && x.End is not null).OrderByDescending(x => x.Id).FirstOrDefault();
                    if (t is null) continue;
                    gateEnd = t.End!.Value;
                }
                candidates.Add((run, taskCode == 0 ? null : taskCode, gateEnd));
            }
            if (candidates.Count == 0) return null;
            var ordered = candidates.OrderByDescending(c => c.End).ToList();
            var best = ordered[0];
            if (best.End <= waitStart) return null; // everything was already done when the task started: it did not wait
            var runnerUp = ordered.Count > 1 && ordered[1].End > waitStart ? ordered[1].End : waitStart;
            return (best.Run, best.TaskCode, best.End - runnerUp);
        }

        private void Add(DsCriticalStep step, DateTime sortEnd, int kindOrder) => _steps.Add((step, sortEnd.AddTicks(kindOrder)));

        private DsCriticalStep WorkflowStep(InstanceRow run, TimeSpan? slack, CriticalLink link) => new()
        {
            Target = target, Kind = CriticalStepKind.Workflow, Link = link,
            Project = catalog.ProjectOfWorkflow(run.Code), Workflow = catalog.WorkflowName(run.Code),
            WorkflowInstanceId = run.Id, State = owner.D.StateOf(run.State, DsStateScope.Workflow),
            Start = owner.Clock.ToBusiness(run.Start), End = owner.Clock.ToBusiness(run.End), Duration = (run.End ?? now) - run.Start, Slack = slack,
        };

        private DsCriticalStep TaskStep(InstanceRow run, TaskRow t, TimeSpan? slack, CriticalLink link) => new()
        {
            Target = target, Kind = CriticalStepKind.Task, Link = link,
            Project = catalog.ProjectOfWorkflow(run.Code), Workflow = catalog.WorkflowName(run.Code), Task = t.Name, TaskType = t.Type,
            WorkflowInstanceId = run.Id, TaskInstanceId = t.Id, State = owner.D.StateOf(t.State, DsStateScope.Task),
            Start = owner.Clock.ToBusiness(t.Start), End = owner.Clock.ToBusiness(t.End),
            Duration = t.Start is { } s ? (t.End ?? now) - s : null, Slack = slack,
        };

        /// <summary>Earliest first (a run's last task before the run itself); waits between consecutive task steps.</summary>
        public List<DsCriticalStep> Ordered()
        {
            var ordered = _steps.OrderBy(s => s.SortEnd).ThenBy(s => s.Step.Start).Select(s => s.Step).ToList();
            DateTimeOffset? previousEnd = null;
            for (var i = 0; i < ordered.Count; i++)
            {
                var step = ordered[i];
                step.Order = i + 1;
                if (step.Kind != CriticalStepKind.Task) continue;
                if (previousEnd is { } pe && step.Start is { } st && st >= pe) step.Wait = st - pe;
                previousEnd = step.End;
            }
            return ordered;
        }
    }
}
