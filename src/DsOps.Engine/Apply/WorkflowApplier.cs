using System.Collections.Concurrent;
using DsOps.Engine.Api;
using DsOps.Engine.Planning;
using DsOps.Engine.Specs.Model;
using DsOps.Engine.Specs.Wire;

namespace DsOps.Engine.Apply;

public sealed record ApplyOptions
{
    /// <summary>Workflows written at the same time.</summary>
    public int ThrottleLimit { get; init; } = 4;
    /// <summary>Recorded after a successful apply (drift detection next time).</summary>
    internal AppliedState? State { get; init; }
    /// <summary>Where progress is appended as it goes, so a killed run's work is known to the next (with <see cref="State"/>).</summary>
    internal ApplyJournal? Journal { get; init; }
    /// <summary>Orphaned task definitions to delete (<see cref="WorkflowApplier.FindOrphans"/>, as approved).</summary>
    public IReadOnlyList<OrphanedTasks> Orphans { get; init; } = Array.Empty<OrphanedTasks>();
}

/// <summary>
/// Task definitions a managed workflow had after DsOps last applied it that no workflow of the project uses any
/// more: left behind by DS when a task leaves a workflow (DS#6418), by a run killed between the workflow update
/// and the deletes, or by an edit in the UI. <see cref="WorkflowExists"/> is false when the workflow itself is gone.
/// </summary>
public sealed record OrphanedTasks(string Project, string Workflow, long ProjectCode, IReadOnlyList<long> TaskCodes, bool WorkflowExists)
{
    public string Key => Project + "/" + Workflow;
}

public enum ApplyStatus { Unchanged, Applied, Failed, Skipped }

/// <summary>What happened to one workflow.</summary>
public sealed class WorkflowApplyResult
{
    public required string Project { get; init; }
    public required string Workflow { get; init; }
    public required PlanAction Action { get; init; }
    public required ApplyStatus Status { get; init; }
    public long? WorkflowCode { get; init; }
    public string? PreviousName { get; init; }
    public bool Drift { get; init; }
    /// <summary>Field-level changes and task changes, as the plan shows them.</summary>
    public string? Changes { get; init; }
    public string? Message { get; init; }
    public Exception? Error { get; init; }
    public string Target => $"{Project}/{Workflow}";
    public override string ToString() => $"{Status} {Action} {Target}" + (Message is null ? "" : ": " + Message);
}

/// <summary>Progress of an apply: workflows finished out of those with changes.</summary>
public readonly record struct ApplyProgress(int Done, int Total, string Current);

/// <summary>
/// Applies a plan to DS. Workflows are written with bounded parallelism, in waves so that a workflow referred to
/// by a sub-workflow or dependent task is created before its referrers. Per workflow: task codes pre-generated
/// (gen-task-codes), an online definition is taken offline to edit (DS refuses edits while online: 50008), the
/// definition is written only when it changed (so DS creates no new version otherwise), removed tasks' definitions
/// are deleted where the version has that route (3.0-3.2), then the desired release and schedule states are set.
/// A failure is reported for its workflow and the rest proceed; a rerun converges.
/// </summary>
internal sealed class WorkflowApplier
{
    private static readonly HashSet<string> ReleaseOnlyFields = new(StringComparer.Ordinal) { "schedule", "releaseState" };
    private readonly DsClient _client;
    private readonly DsServerSnapshot _snapshot;
    private readonly Dictionary<string, long> _projectCodes;
    private readonly HashSet<string> _failedProjects = new(StringComparer.Ordinal);

    /// <summary>The Workflow of a result that reports a project which could not be created.</summary>
    public const string ProjectMarker = "(project)";

    public WorkflowApplier(DsClient client, DsServerSnapshot snapshot)
    {
        _client = client;
        _snapshot = snapshot;
        _projectCodes = new Dictionary<string, long>(snapshot.ProjectCodes, StringComparer.Ordinal);
    }

    /// <summary>
    /// Pending entries the last <see cref="ApplyAsync"/> dropped from the state: intents of killed runs older than
    /// <see cref="AppliedState.IntentGrace"/> whose workflow is neither in the specs nor on the server.
    /// </summary>
    public IReadOnlyList<string> DroppedIntents { get; private set; } = Array.Empty<string>();

    public async Task<IReadOnlyList<WorkflowApplyResult>> ApplyAsync(WorkflowPlan plan, ApplyOptions options, IProgress<ApplyProgress>? progress = null,
        CancellationToken ct = default)
    {
        var results = new ConcurrentBag<WorkflowApplyResult>();
        var outcomes = new ConcurrentDictionary<string, Outcome>(StringComparer.Ordinal);
        var journal = options.Journal;
        var cleaned = await DeleteOrphansAsync(options.Orphans, results, ct).ConfigureAwait(false);
        var desiredByKey = plan.Desired.GroupBy(w => w.Key).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var taskItems = plan.Items.Where(i => i.Level == PlanLevel.Task).GroupBy(i => i.Project + "/" + i.Workflow)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var work = new List<PlanItem>();
        foreach (var item in plan.Items.Where(i => i.Level == PlanLevel.Workflow))
        {
            if (item.Action == PlanAction.Unchanged)
                results.Add(Result(item, ApplyStatus.Unchanged, _snapshot.ByKey.GetValueOrDefault(item.Project + "/" + item.Workflow)?.WorkflowCode));
            else work.Add(item);
        }

        var done = 0;
        foreach (var wave in Waves(work, desiredByKey))
        {
            await EnsureProjectsAsync(wave, results, ct).ConfigureAwait(false);
            var failedProjects = results.Where(r => r.Workflow == ProjectMarker && r.Status == ApplyStatus.Failed)
                .Select(r => r.Project).ToHashSet(StringComparer.Ordinal);
            var codes = await GenerateCodesAsync(wave, desiredByKey, ct).ConfigureAwait(false);
            var converter = new DsWireConverter(_client.Dialect, _snapshot.Names);
            var created = new ConcurrentBag<(string Project, WorkflowSpec Spec, long Code, IReadOnlyDictionary<string, long> Tasks)>();
            using var gate = new SemaphoreSlim(Math.Max(1, options.ThrottleLimit));
            await Task.WhenAll(wave.Select(async item =>
            {
                await gate.WaitAsync(ct).ConfigureAwait(false);
                try
                {
                    if (failedProjects.Contains(item.Project))
                    {
                        results.Add(Result(item, ApplyStatus.Skipped, null, "its project could not be created"));
                        return;
                    }
                    var key = item.Project + "/" + item.Workflow;
                    var tasksChanged = taskItems.GetValueOrDefault(key)?.Any(t => t.Action != PlanAction.Unchanged) == true;
                    var previousKey = item.PreviousName is null ? null : item.Project + "/" + item.PreviousName;
                    journal?.Begin(key, item.Action.ToString(), previousKey);
                    var outcome = await ApplyOneAsync(item, desiredByKey.GetValueOrDefault(key), codes.GetValueOrDefault(key), tasksChanged, converter, ct).ConfigureAwait(false);
                    outcomes[key] = outcome;
                    if (item.Action == PlanAction.Delete) journal?.Deleted(key);
                    else journal?.Done(key, outcome.Fingerprint!, outcome.Code, outcome.TaskCodes!.Values, previousKey);
                    results.Add(Result(item, ApplyStatus.Applied, outcome.Code));
                    if (item.Action == PlanAction.Create) created.Add((item.Project, outcome.Spec!, outcome.Code, outcome.TaskCodes!));
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    results.Add(Result(item, ApplyStatus.Failed, _snapshot.ByKey.GetValueOrDefault(item.Project + "/" + item.Workflow)?.WorkflowCode, ex.Message, ex));
                }
                finally
                {
                    gate.Release();
                    progress?.Report(new ApplyProgress(Interlocked.Increment(ref done), work.Count, item.Project + "/" + item.Workflow));
                }
            })).ConfigureAwait(false);
            // Later waves refer to what this wave created (single-threaded: the name map is not concurrent).
            foreach (var (project, spec, code, tasks) in created)
            {
                _snapshot.Names.AddWorkflow(project, spec.Name, code);
                foreach (var (task, taskCode) in tasks) _snapshot.Names.AddTask(project, spec.Name, task, taskCode);
            }
        }

        if (options.State is { } state)
        {
            RecordState(state, results.ToList(), outcomes, cleaned);
            // Intents of killed runs whose workflow never reached the server (nor is wanted) age out.
            var scope = new HashSet<string>(plan.Projects.Concat(_snapshot.ProjectCodes.Keys), StringComparer.Ordinal);
            DroppedIntents = state.DropStaleIntents(scope, key => desiredByKey.ContainsKey(key) || _snapshot.ByKey.ContainsKey(key), DateTimeOffset.UtcNow);
        }
        return results.OrderBy(r => r.Project, StringComparer.Ordinal).ThenBy(r => r.Workflow, StringComparer.Ordinal).ToList();
    }

    /// <summary>What an applied workflow is now: its code, the spec written and its task codes (null for a delete).</summary>
    private sealed record Outcome(long Code, WorkflowSpec? Spec, IReadOnlyDictionary<string, long>? TaskCodes)
    {
        /// <summary>The written spec's fingerprint: what the server copy reads back as (the next plan shows no change).</summary>
        public string? Fingerprint { get; } = Spec is null ? null : SpecFields.Fingerprint(Spec);
    }

    private async Task<Outcome> ApplyOneAsync(PlanItem item, WorkflowSpec? desired, Dictionary<string, long>? newCodes, bool tasksChanged,
        DsWireConverter converter, CancellationToken ct)
    {
        var currentKey = item.Project + "/" + (item.PreviousName ?? item.Workflow);
        var current = _snapshot.ByKey.GetValueOrDefault(currentKey);
        switch (item.Action)
        {
            case PlanAction.Delete:
                await DeleteAsync(current ?? throw Missing(currentKey), ct).ConfigureAwait(false);
                return new Outcome(current.WorkflowCode, null, null);
            case PlanAction.Create:
            {
                if (desired is null) throw Missing(item.Project + "/" + item.Workflow);
                var projectCode = _projectCodes[item.Project];
                var codes = newCodes ?? new Dictionary<string, long>();
                var wire = converter.ToWire(desired, codes);
                var code = await _client.CreateWorkflowAsync(projectCode, wire, ct).ConfigureAwait(false);
                await SetReleaseAndScheduleAsync(projectCode, code, desired, wire, online: false, existing: null, ct).ConfigureAwait(false);
                return new Outcome(code, desired, codes);
            }
            default: // Update, Rename
            {
                if (desired is null) throw Missing(item.Project + "/" + item.Workflow);
                if (current is null) throw Missing(currentKey);
                var codes = new Dictionary<string, long>(StringComparer.Ordinal);
                var versions = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var task in desired.Tasks)
                {
                    var serverName = task.RenamedFrom is { } old && !current.Tasks.ContainsKey(task.Name) && current.Tasks.ContainsKey(old) ? old : task.Name;
                    if (current.Tasks.TryGetValue(serverName, out var existing))
                    {
                        codes[task.Name] = existing.Code;
                        versions[task.Name] = existing.Version;
                    }
                    else if (newCodes is not null && newCodes.TryGetValue(task.Name, out var fresh)) codes[task.Name] = fresh;
                }
                var wire = converter.ToWire(desired, codes, versions);
                var online = current.Online;
                var definitionChanged = item.Action == PlanAction.Rename || item.Changes.Any(c => !ReleaseOnlyFields.Contains(c.Field))
                                        || newCodes is { Count: > 0 } || desired.Tasks.Length != current.Tasks.Count
                                        || codes.Count != desired.Tasks.Length || tasksChanged;
                var schedule = current.Schedule;
                if (definitionChanged)
                {
                    if (online)
                    {
                        await _client.ReleaseWorkflowAsync(current.ProjectCode, current.WorkflowCode, online: false, ct).ConfigureAwait(false);
                        online = false; // DS also takes the schedule offline with its workflow
                        if (schedule is not null) schedule = Offline(schedule);
                    }
                    await UpdateDefinitionAsync(current, wire, ct).ConfigureAwait(false);
                    await DeleteRemovedTasksAsync(current, codes.Values, ct).ConfigureAwait(false);
                }
                await SetReleaseAndScheduleAsync(current.ProjectCode, current.WorkflowCode, desired, wire, online, schedule, ct).ConfigureAwait(false);
                return new Outcome(current.WorkflowCode, desired, codes);
            }
        }
    }

    /// <summary>
    /// Writes the whole definition. DS answers 10107 when its update transaction failed and was rolled back; under
    /// parallel writes that is usually a database deadlock (t_ds_task_definition has no index on code, so DS's
    /// deletes by code scan and lock the table). The update replaces the definition as a whole, so sending it once
    /// more is safe; a second failure is reported.
    /// </summary>
    private async Task UpdateDefinitionAsync(DsServerWorkflow current, DsWireWorkflow wire, CancellationToken ct)
    {
        try
        {
            await _client.UpdateWorkflowAsync(current.ProjectCode, current.WorkflowCode, wire, ct).ConfigureAwait(false);
        }
        catch (DsApiException ex) when (ex.DsCode == 10107)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200 + Random.Shared.Next(300)), ct).ConfigureAwait(false);
            await _client.UpdateWorkflowAsync(current.ProjectCode, current.WorkflowCode, wire, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Brings release and schedule to the spec's state. DS 3.0.1 creates schedules only for online workflows (50004)
    /// and updates only offline schedules (10023), so the order matters.
    /// </summary>
    private async Task SetReleaseAndScheduleAsync(long projectCode, long code, WorkflowSpec desired, DsWireWorkflow wire, bool online,
        Models.DsSchedule? existing, CancellationToken ct)
    {
        var wantOnline = string.Equals(desired.ReleaseState, "ONLINE", StringComparison.OrdinalIgnoreCase);
        var wantSchedule = wire.Schedule;
        var scheduleOnline = existing?.IsOnline ?? false;
        int? scheduleId = existing?.Id;

        if (wantSchedule is null && existing is not null)
        {
            if (scheduleOnline) await _client.SetScheduleOnlineAsync(projectCode, existing.Id, false, ct).ConfigureAwait(false);
            await _client.DeleteScheduleAsync(projectCode, existing.Id, ct).ConfigureAwait(false);
            scheduleId = null;
        }
        else if (wantSchedule is not null)
        {
            var same = existing is not null && desired.Schedule is { } ds && ScheduleMatches(existing, ds, wantSchedule);
            if (existing is null)
            {
                if (!online)
                {
                    await _client.ReleaseWorkflowAsync(projectCode, code, online: true, ct).ConfigureAwait(false);
                    online = true;
                }
                scheduleId = (await _client.CreateScheduleAsync(projectCode, code, wantSchedule, ct).ConfigureAwait(false)).Id;
                scheduleOnline = false;
            }
            else if (!same)
            {
                if (scheduleOnline) await _client.SetScheduleOnlineAsync(projectCode, existing.Id, false, ct).ConfigureAwait(false);
                scheduleOnline = false;
                await _client.UpdateScheduleAsync(projectCode, existing.Id, wantSchedule, ct).ConfigureAwait(false);
            }
        }

        if (wantOnline != online)
        {
            await _client.ReleaseWorkflowAsync(projectCode, code, wantOnline, ct).ConfigureAwait(false);
            online = wantOnline;
            if (!online) scheduleOnline = false;
        }
        if (scheduleId is { } id && wantSchedule is not null && online && wantSchedule.Online != scheduleOnline)
            await _client.SetScheduleOnlineAsync(projectCode, id, wantSchedule.Online, ct).ConfigureAwait(false);
    }

    private static bool ScheduleMatches(Models.DsSchedule s, ScheduleSpec spec, DsWireSchedule wire) =>
        s.Crontab == spec.Cron && s.TimezoneId == spec.TimeZone
        && Text(s.StartTime) == spec.Start && Text(s.EndTime) == spec.End
        && s.FailureStrategy == wire.FailureStrategy && s.WarningType == wire.WarningType
        && s.WarningGroupId == (wire.WarningGroupId ?? 0)
        && s.WorkerGroup == wire.WorkerGroup && s.EnvironmentCode == wire.EnvironmentCode && s.Priority == wire.Priority
        && (wire.TenantCode is null || s.TenantCode == wire.TenantCode);

    private static string? Text(DateTime? d) => d is { } v ? DsJson.FormatDate(v) : null;

    private static Models.DsSchedule Offline(Models.DsSchedule s) => new()
    {
        Id = s.Id, WorkflowCode = s.WorkflowCode, Crontab = s.Crontab, StartTime = s.StartTime, EndTime = s.EndTime, TimezoneId = s.TimezoneId,
        ReleaseState = "OFFLINE", FailureStrategy = s.FailureStrategy, WarningType = s.WarningType, WarningGroupId = s.WarningGroupId,
        WorkerGroup = s.WorkerGroup, EnvironmentCode = s.EnvironmentCode, TenantCode = s.TenantCode, Priority = s.Priority,
    };

    private async Task DeleteAsync(DsServerWorkflow current, CancellationToken ct)
    {
        if (current.Schedule is { } s)
        {
            if (s.IsOnline) await _client.SetScheduleOnlineAsync(current.ProjectCode, s.Id, false, ct).ConfigureAwait(false);
        }
        if (current.Online) await _client.ReleaseWorkflowAsync(current.ProjectCode, current.WorkflowCode, false, ct).ConfigureAwait(false);
        if (current.Schedule is { } schedule) await _client.DeleteScheduleAsync(current.ProjectCode, schedule.Id, ct).ConfigureAwait(false);
        await _client.DeleteWorkflowAsync(current.ProjectCode, current.WorkflowCode, ct).ConfigureAwait(false);
        await DeleteRemovedTasksAsync(current, Array.Empty<long>(), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes definitions of tasks the workflow no longer has, so no orphans stay behind (pydolphinscheduler's
    /// known leak). Only 3.0-3.2 have the route; from 3.3 DS manages task definitions through the workflow
    /// (whether it removes them itself is unverified). A task DS already removed is fine.
    /// </summary>
    private async Task DeleteRemovedTasksAsync(DsServerWorkflow current, IEnumerable<long> kept, CancellationToken ct)
    {
        if (!_client.Dialect.HasStandaloneTaskDefinitionRoutes) return;
        var keep = kept.ToHashSet();
        foreach (var (_, (code, _)) in current.Tasks)
        {
            if (keep.Contains(code)) continue;
            try
            {
                await _client.DeleteTaskDefinitionAsync(current.ProjectCode, code, ct).ConfigureAwait(false);
            }
            catch (DsApiException ex) when (ex.Kind == DsErrorKind.NotFound || ex.DsCode == 50030)
            {
                // already gone
            }
        }
    }

    private async Task EnsureProjectsAsync(IEnumerable<PlanItem> wave, ConcurrentBag<WorkflowApplyResult> results, CancellationToken ct)
    {
        foreach (var project in wave.Where(i => i.Action == PlanAction.Create).Select(i => i.Project).Distinct(StringComparer.Ordinal))
        {
            if (_projectCodes.ContainsKey(project) || _failedProjects.Contains(project)) continue;
            try
            {
                long code;
                try
                {
                    code = (await _client.CreateProjectAsync(project, "Created by DsOps", ct).ConfigureAwait(false)).ProjectCode;
                }
                catch (DsApiException)
                {
                    // Another sync may have created it meanwhile (DS refuses a second project of that name): use theirs.
                    if (await FindProjectAsync(project, ct).ConfigureAwait(false) is not { } existing) throw;
                    code = existing;
                }
                _projectCodes[project] = code;
                _snapshot.Names.AddProject(project, code);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _failedProjects.Add(project);
                results.Add(new WorkflowApplyResult
                {
                    Project = project, Workflow = ProjectMarker, Action = PlanAction.Create, Status = ApplyStatus.Failed, Message = ex.Message, Error = ex,
                });
            }
        }
    }

    private async Task<long?> FindProjectAsync(string name, CancellationToken ct)
    {
        try
        {
            await foreach (var p in _client.GetProjectsAsync(name, ct).ConfigureAwait(false))
                if (string.Equals(p.Name, name, StringComparison.Ordinal)) return p.ProjectCode;
        }
        catch (DsApiException)
        {
            // report the create's error, not this one
        }
        return null;
    }

    /// <summary>Codes for every new task of the wave, fetched in batches of 100 per project.</summary>
    private async Task<Dictionary<string, Dictionary<string, long>>> GenerateCodesAsync(IReadOnlyList<PlanItem> wave,
        Dictionary<string, WorkflowSpec> desired, CancellationToken ct)
    {
        var needed = new List<(string Key, string Project, string Task)>();
        foreach (var item in wave.Where(i => i.Action is PlanAction.Create or PlanAction.Update or PlanAction.Rename))
        {
            var key = item.Project + "/" + item.Workflow;
            if (!desired.TryGetValue(key, out var spec)) continue;
            var current = _snapshot.ByKey.GetValueOrDefault(item.Project + "/" + (item.PreviousName ?? item.Workflow));
            foreach (var task in spec.Tasks)
            {
                var known = current is not null && (current.Tasks.ContainsKey(task.Name) || (task.RenamedFrom is { } old && current.Tasks.ContainsKey(old)));
                if (!known) needed.Add((key, item.Project, task.Name));
            }
        }
        var result = new Dictionary<string, Dictionary<string, long>>(StringComparer.Ordinal);
        foreach (var group in needed.GroupBy(n => n.Project))
        {
            if (!_projectCodes.TryGetValue(group.Key, out var projectCode)) continue;
            var codes = await _client.GenerateTaskCodesAsync(projectCode, group.Count(), ct).ConfigureAwait(false);
            var i = 0;
            foreach (var (key, _, task) in group)
            {
                if (!result.TryGetValue(key, out var map)) result[key] = map = new Dictionary<string, long>(StringComparer.Ordinal);
                map[task] = codes[i++];
            }
        }
        return result;
    }

    /// <summary>Orders changes so that referenced workflows being created come first.</summary>
    private static IEnumerable<List<PlanItem>> Waves(List<PlanItem> work, Dictionary<string, WorkflowSpec> desired)
    {
        var creating = work.Where(i => i.Action == PlanAction.Create).Select(i => i.Project + "/" + i.Workflow).ToHashSet(StringComparer.Ordinal);
        var pending = new List<PlanItem>(work);
        var placed = new HashSet<string>(StringComparer.Ordinal);
        while (pending.Count > 0)
        {
            var wave = pending.Where(i => References(i, desired).All(r => !creating.Contains(r) || placed.Contains(r) || r == i.Project + "/" + i.Workflow)).ToList();
            if (wave.Count == 0) wave = pending.ToList(); // a reference cycle: let DS report what it cannot resolve
            foreach (var i in wave) placed.Add(i.Project + "/" + i.Workflow);
            pending.RemoveAll(wave.Contains);
            yield return wave;
        }
    }

    private static IEnumerable<string> References(PlanItem item, Dictionary<string, WorkflowSpec> desired)
    {
        if (!desired.TryGetValue(item.Project + "/" + item.Workflow, out var spec)) yield break;
        foreach (var task in spec.Tasks)
        {
            if (task.SubWorkflow is { } sub) yield return spec.Project + "/" + sub;
            if (task.Dependence is { } dep)
                foreach (var g in dep.Groups)
                    foreach (var d in g.Items)
                        yield return d.Project + "/" + d.Workflow;
        }
    }

    /// <summary>
    /// Records what this run did as the next run's baseline, from what apply sent and DS answered (no read-back):
    /// unchanged workflows from the snapshot already read, applied ones from the spec written (the server copy reads
    /// back equal to it, which is what makes the next plan show no change) with the codes DS gave; failed ones stay
    /// managed without a drift baseline (their server copy may hold part of this run's work).
    /// </summary>
    private void RecordState(AppliedState state, IReadOnlyCollection<WorkflowApplyResult> results, IReadOnlyDictionary<string, Outcome> outcomes,
        IReadOnlyCollection<string> cleaned)
    {
        foreach (var key in cleaned)
            if (!_snapshot.ByKey.ContainsKey(key)) state.Forget(key); // its workflow is gone and so are its leftovers
        var current = _snapshot.Workflows.ToDictionary(w => w.Key, StringComparer.Ordinal);
        foreach (var r in results)
        {
            if (r.Workflow == ProjectMarker) continue;
            var previous = r.PreviousName is { } old ? r.Project + "/" + old : null;
            switch (r.Status)
            {
                case ApplyStatus.Unchanged when current.TryGetValue(r.Target, out var spec) && _snapshot.ByKey.TryGetValue(r.Target, out var server):
                    state.Record(r.Target, SpecFields.Fingerprint(spec), server.WorkflowCode, TaskCodes(server.Tasks.Values.Select(t => t.Code)));
                    break;
                case ApplyStatus.Applied when r.Action == PlanAction.Delete:
                    state.Forget(r.Target);
                    break;
                case ApplyStatus.Applied when outcomes.TryGetValue(r.Target, out var o) && o.Spec is not null:
                    state.Record(r.Target, o.Fingerprint!, o.Code, TaskCodes(o.TaskCodes!.Values));
                    if (previous is not null) state.Forget(previous);
                    break;
                case ApplyStatus.Failed:
                    state.MarkPending(r.Target);
                    if (previous is not null) state.MarkPending(previous);
                    break;
            }
        }
    }

    private static long[] TaskCodes(IEnumerable<long> codes)
    {
        var a = codes.ToArray();
        Array.Sort(a);
        return a;
    }

    /// <summary>
    /// Task definitions the state recorded for managed workflows of the snapshot's projects that no workflow of
    /// their project uses now (orphans), grouped by workflow. Reads nothing: the snapshot already lists every task
    /// code in use.
    /// </summary>
    public IReadOnlyList<OrphanedTasks> FindOrphans(AppliedState state)
    {
        // Task codes in use per project, as one sorted array each (40,000 codes: 320 KB, where a growing HashSet
        // left ~3 MB of large-object-heap arrays at the end of a sync).
        var counts = new Dictionary<long, int>();
        foreach (var w in _snapshot.ByKey.Values) counts[w.ProjectCode] = counts.GetValueOrDefault(w.ProjectCode) + w.Tasks.Count;
        var inUse = counts.ToDictionary(c => c.Key, c => new List<long>(c.Value));
        foreach (var w in _snapshot.ByKey.Values)
        {
            var list = inUse[w.ProjectCode];
            foreach (var (code, _) in w.Tasks.Values) list.Add(code);
        }
        foreach (var list in inUse.Values) list.Sort();
        var found = new List<OrphanedTasks>();
        foreach (var (key, entry) in state.Entries)
        {
            if (entry.Tasks.Length == 0) continue;
            var slash = key.IndexOf('/');
            if (slash <= 0) continue;
            var project = key[..slash];
            if (!_snapshot.ProjectCodes.TryGetValue(project, out var projectCode)) continue;
            var used = inUse.GetValueOrDefault(projectCode);
            var orphans = entry.Tasks.Where(c => used is null || used.BinarySearch(c) < 0).ToList();
            if (orphans.Count > 0) found.Add(new OrphanedTasks(project, key[(slash + 1)..], projectCode, orphans, _snapshot.ByKey.ContainsKey(key)));
        }
        return found;
    }

    /// <summary>
    /// Deletes orphaned task definitions (3.0-3.2; a code DS already removed counts as done). From 3.3 DS has no route
    /// that deletes a task definition outside a workflow (docs/workflows-as-config.md), so they are reported, not
    /// deleted. Returns the workflows whose leftovers are all gone.
    /// </summary>
    private async Task<IReadOnlyCollection<string>> DeleteOrphansAsync(IReadOnlyList<OrphanedTasks> orphans, ConcurrentBag<WorkflowApplyResult> results,
        CancellationToken ct)
    {
        var cleaned = new List<string>();
        foreach (var o in orphans)
        {
            var list = string.Join(", ", o.TaskCodes);
            if (!_client.Dialect.HasStandaloneTaskDefinitionRoutes)
            {
                results.Add(new WorkflowApplyResult
                {
                    Project = o.Project, Workflow = o.Workflow, Action = PlanAction.Delete, Status = ApplyStatus.Skipped,
                    Changes = $"orphaned task definitions: {list}",
                    Message = $"{o.TaskCodes.Count} orphaned task definition(s) stay: {_client.Dialect} has no route to delete a task definition outside a workflow",
                });
                cleaned.Add(o.Key); // reported once; Test-DsMetadataIntegrity keeps listing them
                continue;
            }
            try
            {
                foreach (var code in o.TaskCodes)
                {
                    try
                    {
                        await _client.DeleteTaskDefinitionAsync(o.ProjectCode, code, ct).ConfigureAwait(false);
                    }
                    catch (DsApiException ex) when (ex.Kind == DsErrorKind.NotFound || ex.DsCode == 50030)
                    {
                        // already gone
                    }
                }
                cleaned.Add(o.Key);
                results.Add(new WorkflowApplyResult
                {
                    Project = o.Project, Workflow = o.Workflow, Action = PlanAction.Delete, Status = ApplyStatus.Applied,
                    Changes = $"orphaned task definitions: {list}", Message = $"deleted {o.TaskCodes.Count} orphaned task definition(s)",
                });
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                results.Add(new WorkflowApplyResult
                {
                    Project = o.Project, Workflow = o.Workflow, Action = PlanAction.Delete, Status = ApplyStatus.Failed,
                    Changes = $"orphaned task definitions: {list}", Message = ex.Message, Error = ex,
                });
            }
        }
        return cleaned;
    }

    private static WorkflowApplyResult Result(PlanItem item, ApplyStatus status, long? code, string? message = null, Exception? error = null) => new()
    {
        Project = item.Project, Workflow = item.Workflow, Action = item.Action, Status = status, WorkflowCode = code,
        PreviousName = item.PreviousName, Drift = item.Drift, Changes = item.ChangeSummary.Length == 0 ? null : item.ChangeSummary,
        Message = message ?? item.Note, Error = error,
    };

    private static DsOpsException Missing(string key) =>
        new(DsErrorKind.InvalidState, "DsApplyInconsistent", $"The plan refers to '{key}', which is not in the specs or on the server it was read from.");
}
