using DsOps.Engine.Api;
using DsOps.Engine.Apply;
using DsOps.Engine.Planning;
using DsOps.Engine.Specs.Loading;
using DsOps.Engine.Specs.Model;
using DsOps.Engine.Specs.Sources;
using DsOps.Engine.Specs.Validation;

namespace DsOps.Engine.Orchestration;

/// <summary>Desired workflows as loaded from one source (files or a config table), with what the rules need of that source.</summary>
internal sealed class LoadedSpecs
{
    public required SpecSet Set { get; init; }

    /// <summary>What the specs are read from, for messages (never a connection string).</summary>
    public required string SourceLabel { get; init; }

    /// <summary>The config-table rows the specs came from (null for files): merged into the target's copies, and checked for change types.</summary>
    public IReadOnlyList<ConfigTableRow>? ConfigRows { get; init; }

    public string TableName { get; init; } = ConfigTableSource.DefaultTable;

    /// <summary>The <c>${env:NAME}</c> values substituted while loading (plans and results show the reference instead).</summary>
    public InterpolatedValues Interpolated { get; init; } = new();

    /// <summary>The environment's entry in the environments file says <c>requireExistingProject: true</c>.</summary>
    public bool EnvironmentRequiresExistingProject { get; init; }
}

internal sealed record WorkflowPlanOptions
{
    public bool Prune { get; init; }
    public bool IncludeUnchangedTasks { get; init; }
    public bool RequireExistingProject { get; init; }

    /// <summary>Last-applied state file (null: none).</summary>
    public string? StatePath { get; init; }
}

internal sealed record WorkflowSyncOptions
{
    public bool Prune { get; init; }

    /// <summary>Skip the second question (ShouldContinue) before deletes; ShouldProcess is still asked.</summary>
    public bool Force { get; init; }

    public int ThrottleLimit { get; init; } = 4;
    public bool RequireExistingProject { get; init; }
    public string? StatePath { get; init; }
    public TimeSpan LockTimeout { get; init; }

    /// <summary>A plan saved by Compare-DsWorkflow -OutFile to apply exactly (its specs are already loaded into the request).</summary>
    public SavedPlan? SavedPlan { get; init; }
}

/// <summary>What a sync did: the applied and failed workflows, the ones the caller declined (or WhatIf skipped), and a summary.</summary>
internal sealed record WorkflowSyncOutcome(IReadOnlyList<WorkflowApplyResult> Results, IReadOnlyList<WorkflowApplyResult> Skipped, string Summary);

/// <summary>
/// The rules of Compare-DsWorkflow and Sync-DsWorkflow: check the specs against the server, read it, plan, confirm
/// (ShouldProcess per workflow, then one ShouldContinue for deletes unless Force), lock, journal, apply, keep state.
/// The cmdlets load the specs (paths, credentials) and write what this returns.
/// </summary>
internal sealed class WorkflowSyncService(DsConnection connection, IDsOperationHost host)
{
    /// <summary>
    /// Version checks (task types and settings the server's DS version lacks) and name checks (data sources, worker
    /// groups, environments, tenants, alert groups) against the server.
    /// </summary>
    public async Task<(IReadOnlyList<SpecFinding> Version, IReadOnlyList<SpecFinding> Names)> ValidateAgainstServerAsync(
        IReadOnlyList<WorkflowSpec> workflows, CancellationToken ct) =>
        (SpecValidator.ValidateForDialect(workflows, connection.Dialect),
            await SpecValidator.ValidateTargetAsync(workflows, new DsServerInventory(connection.Client), ct).ConfigureAwait(false));

    /// <summary>The server's current workflows of <paramref name="projects"/> (two requests per project).</summary>
    public Task<DsServerSnapshot> ReadServerAsync(IReadOnlyCollection<string> projects, IReadOnlyList<WorkflowSpec>? desired, CancellationToken ct)
    {
        host.Verbose($"Reading {projects.Count} project(s) from {connection.Name}.");
        return DsServerSnapshot.ReadAsync(connection.Client, projects, ct, desired);
    }

    /// <summary>
    /// The desired specs as they apply to the target: config-table rows merged into the target's copies (partial
    /// update) and validated again; files as they are (already validated).
    /// </summary>
    public static SpecSet ForTarget(LoadedSpecs specs, SpecSet desired, IReadOnlyList<WorkflowSpec> current)
    {
        if (specs.ConfigRows is null) return desired;
        var merged = ConfigTableSource.MergeWithTarget(desired.Workflows, specs.ConfigRows, current);
        return new SpecSet(merged, desired.Findings.Concat(SpecValidator.Validate(merged)).ToList());
    }

    /// <summary>ChangeTypeMismatch findings of the config-table rows against the target and the plan (none for files).</summary>
    public static IReadOnlyList<SpecFinding> ChangeTypeFindings(LoadedSpecs specs, WorkflowPlan plan, IReadOnlyList<WorkflowSpec> current)
    {
        if (specs.ConfigRows is null) return Array.Empty<SpecFinding>();
        var changed = plan.Items.Where(i => i.Level == PlanLevel.Task && i.Action != PlanAction.Unchanged)
            .Select(i => (i.Project, i.Workflow, i.Task!)).ToHashSet();
        return ConfigTableSource.CheckChangeTypes(specs.ConfigRows, current, (p, w, t) => changed.Contains((p, w, t)), specs.TableName);
    }

    /// <summary>Reports findings to the host: errors as input errors, warnings as warnings, the rest as verbose text.</summary>
    public static void Report(IDsOperationHost host, IEnumerable<SpecFinding> findings)
    {
        foreach (var f in findings)
        {
            if (f.Severity == SpecSeverity.Error) host.InputError("DsSpec" + f.RuleId, f.ToString(), f.Location.File);
            else if (f.Severity == SpecSeverity.Warning) host.Warning(f.ToString());
            else host.Verbose(f.ToString());
        }
    }

    /// <summary>Compare against the server: the plan Sync would carry out (nothing is written).</summary>
    public async Task<WorkflowPlan> PlanAgainstServerAsync(LoadedSpecs specs, WorkflowPlanOptions options, CancellationToken ct)
    {
        var desired = specs.Set;
        var (version, names) = await ValidateAgainstServerAsync(desired.Workflows, ct).ConfigureAwait(false);
        var projects = desired.Workflows.Select(w => w.Project).Distinct(StringComparer.Ordinal).ToList();
        var snapshot = await ReadServerAsync(projects, desired.Workflows, ct).ConfigureAwait(false);
        var current = new SpecSet(snapshot.Workflows, version.Concat(names).ToList());
        return PlanCore(specs, ForTarget(specs, desired, snapshot.Workflows), current, snapshot.AllProjects, options, host);
    }

    /// <summary>Compare against a reference spec set (a target's state as files): no server involved.</summary>
    public static WorkflowPlan PlanAgainstReference(LoadedSpecs specs, SpecSet reference, WorkflowPlanOptions options, IDsOperationHost host) =>
        PlanCore(specs, ForTarget(specs, specs.Set, reference.Workflows), reference, null, options, host);

    private static WorkflowPlan PlanCore(LoadedSpecs specs, SpecSet desired, SpecSet current, IReadOnlySet<string>? existingProjects,
        WorkflowPlanOptions options, IDsOperationHost host)
    {
        Report(host, desired.Findings.Concat(current.Findings));
        if (desired.HasErrors || current.HasErrors)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsSpecInvalid", "The specs have errors (written above); no plan was made.");
        var state = options.StatePath is null ? null : AppliedState.Load(options.StatePath);
        if (options.StatePath is not null) host.Verbose($"Last-applied state: {options.StatePath}{(File.Exists(options.StatePath) ? "" : " (none yet)")}.");
        var plan = WorkflowPlanner.Plan(desired.Workflows, current.Workflows, new PlanOptions
        {
            Prune = options.Prune, State = state, IncludeUnchangedTasks = options.IncludeUnchangedTasks, ExistingProjects = existingProjects,
            RequireExistingProject = options.RequireExistingProject || specs.EnvironmentRequiresExistingProject,
        });
        Report(host, ChangeTypeFindings(specs, plan, current.Workflows));
        plan.EnsureNoProjectCreates();
        return plan;
    }

    /// <summary>Plan items as they leave the process: <c>${env:NAME}</c> values replaced by their reference.</summary>
    public static IEnumerable<PlanItem> Redacted(WorkflowPlan plan, LoadedSpecs specs) =>
        plan.Items.Select(i => specs.Interpolated.Count == 0 ? i : PlanFile.Redact(i, specs.Interpolated));

    /// <summary>Sync: validate against the server, lock, read, plan, confirm, apply, journal and keep state.</summary>
    public async Task<WorkflowSyncOutcome> SyncAsync(LoadedSpecs specs, WorkflowSyncOptions options, CancellationToken ct)
    {
        var saved = options.SavedPlan;
        if (saved is not null && options.Prune && !saved.Prune)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsPlanOptionConflict",
                "-Prune cannot be added to a saved plan (the plan was made without it); make a new plan with Compare-DsWorkflow -Prune.");
        var set = specs.Set;
        Report(host, set.Findings);
        if (set.HasErrors)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsSpecInvalid", "The specs have errors (written above); nothing was applied.");

        var (versionFindings, targetFindings) = await ValidateAgainstServerAsync(set.Workflows, ct).ConfigureAwait(false);
        Report(host, versionFindings);
        if (versionFindings.Any(f => f.Severity == SpecSeverity.Error))
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsSpecVersionMismatch",
                $"The specs use task types or settings that {connection.Dialect} does not have (written above); nothing was applied.");
        Report(host, targetFindings);
        if (targetFindings.Any(f => f.Severity == SpecSeverity.Error))
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsSpecTargetMismatch",
                $"The specs name data sources, worker groups, environments, tenants or alert groups that {connection.Uri.GetLeftPart(UriPartial.Authority)} does not have (written above); nothing was applied.");

        var statePath = options.StatePath;
        var projects = set.Workflows.Select(w => w.Project).Concat(saved?.Projects ?? Array.Empty<string>()).Distinct(StringComparer.Ordinal).ToList();
        // A sync that writes holds the lock of every project and of the state file until it has saved the state;
        // WhatIf writes nothing, so it takes no lock (and is not refused by a running sync).
        using var syncLock = host.WhatIf ? null
            : await SyncLock.AcquireAsync(connection.Client.BaseUri, projects, statePath, options.LockTimeout, ct).ConfigureAwait(false);
        var state = statePath is null ? null : AppliedState.Load(statePath);
        if (state is { ReplayedJournalEntries: > 0 })
            host.Warning($"A previous sync using '{statePath}' did not finish; its progress ({state.ReplayedJournalEntries} journal entries) was read from '{AppliedState.JournalPath(statePath!)}'.");
        var snapshot = await ReadServerAsync(projects, set.Workflows, ct).ConfigureAwait(false);
        var merged = ForTarget(specs, set, snapshot.Workflows);
        Report(host, merged.Findings.Skip(set.Findings.Count)); // the config table's rules, run on the merged copies
        if (merged.HasErrors)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsSpecInvalid", "The specs have errors (written above); nothing was applied.");
        if (saved is not null)
        {
            saved.VerifyDesired(merged.Workflows);
            saved.VerifyCurrent(snapshot.Workflows);
        }
        var plan = WorkflowPlanner.Plan(merged.Workflows, snapshot.Workflows, new PlanOptions
        {
            Prune = saved?.Prune ?? options.Prune, State = state, IncludeUnchangedTasks = saved?.IncludeUnchangedTasks ?? false,
            ExistingProjects = snapshot.AllProjects,
            RequireExistingProject = options.RequireExistingProject || specs.EnvironmentRequiresExistingProject || saved?.RequireExistingProject == true,
        });
        // Everything that decides what apply does is in the plan file's fingerprint (checked on load); the
        // recomputed plan must also list exactly the saved items.
        saved?.VerifyItems(plan, specs.Interpolated);
        var changeTypes = ChangeTypeFindings(specs, plan, snapshot.Workflows);
        Report(host, changeTypes);
        if (changeTypes.Any(f => f.Severity == SpecSeverity.Error))
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsSpecChangeTypeMismatch",
                $"Rows of {specs.TableName} say 'new', 'update' or 'delete' where the server says otherwise (written above); nothing was applied.");
        plan.EnsureNoProjectCreates();
        host.Verbose("Plan: " + plan.Summary);
        return await ApplyAsync(plan, snapshot, specs.Interpolated, state, statePath, options, ct).ConfigureAwait(false);
    }

    /// <summary>Action text of a workflow plan item, as ShouldProcess shows it.</summary>
    public static string ActionText(PlanItem item) => item.Action switch
    {
        PlanAction.Create => "Create workflow",
        PlanAction.Delete => "Delete workflow",
        PlanAction.Rename => $"Rename workflow from '{item.PreviousName}'",
        _ => "Update workflow" + (item.Changes.Length > 0 ? $" ({string.Join(", ", item.Changes.Select(c => c.Field))})" : ""),
    } + (item.Drift ? " [overwrites changes made outside DsOps]" : "");

    /// <summary>
    /// The confirmation rule, the same as PowerShell's own cmdlets (Remove-Item -Recurse): ShouldProcess for every
    /// change first; then, when approved changes include deletes, one ShouldContinue for them unless
    /// <paramref name="force"/>. -Confirm:$false answers ShouldProcess only, never ShouldContinue; -Force answers it.
    /// Returns the approved targets.
    /// </summary>
    public static HashSet<string> Confirm<T>(IDsOperationHost host, IEnumerable<T> changes, Func<T, string> target, Func<T, string> action,
        Func<T, bool> isDelete, bool force, Func<int, string> deleteQuery)
    {
        var approved = new List<T>();
        foreach (var c in changes)
            if (host.ShouldProcess(target(c), action(c))) approved.Add(c);
        var deletes = approved.Count(isDelete);
        var keepDeletes = deletes == 0 || force || host.ShouldContinue(deleteQuery(deletes), "Confirm deletes");
        return approved.Where(c => keepDeletes || !isDelete(c)).Select(target).ToHashSet(StringComparer.Ordinal);
    }

    private async Task<WorkflowSyncOutcome> ApplyAsync(WorkflowPlan plan, DsServerSnapshot snapshot, InterpolatedValues interpolated,
        AppliedState? state, string? statePath, WorkflowSyncOptions options, CancellationToken ct)
    {
        var changes = plan.Items.Where(i => i.Level == PlanLevel.Workflow && i.Action != PlanAction.Unchanged).ToList();
        var approved = Confirm(host, changes, i => i.Target, ActionText, i => i.Action == PlanAction.Delete, options.Force,
            n => $"Delete {n} workflow(s) from the server? They are not in the specs.");
        PlanItem Redact(PlanItem i) => interpolated.Count == 0 ? i : PlanFile.Redact(i, interpolated);
        var declined = changes.Where(i => !approved.Contains(i.Target)).Select(Redact).ToList();

        // Results carry the items' change summaries: ${env:NAME} values go out as the reference (only field names decide apply).
        var filtered = new WorkflowPlan(
            plan.Items.Where(i => i.Action == PlanAction.Unchanged || approved.Contains(i.Project + "/" + i.Workflow)).Select(Redact).ToList(),
            plan.Desired, plan.Projects, plan.CurrentFingerprint, plan.DesiredFingerprint, plan.Prune);
        var applier = new WorkflowApplier(connection.Client, snapshot);
        // Task definitions of managed workflows that no workflow uses any more (left by DS, a killed run or the UI).
        var orphans = state is null ? Array.Empty<OrphanedTasks>()
            : applier.FindOrphans(state).Where(o => host.ShouldProcess(o.Key, $"Delete {o.TaskCodes.Count} orphaned task definition(s) ({string.Join(", ", o.TaskCodes)})")).ToArray();
        // WhatIf writes no journal and no state file; neither does a run whose every change was declined.
        var keepsState = !host.WhatIf && (approved.Count > 0 || orphans.Length > 0 || declined.Count == 0);
        using var journal = state is not null && statePath is not null && keepsState ? ApplyJournal.Open(statePath) : null;
        var progress = new HostProgress<ApplyProgress>(host, p => (1, "Sync-DsWorkflow", $"{p.Done} of {p.Total} workflows: {p.Current}", p.Total == 0 ? 100 : p.Done * 100 / p.Total));
        var results = await applier.ApplyAsync(filtered, new ApplyOptions { ThrottleLimit = options.ThrottleLimit, State = state, Journal = journal, Orphans = orphans },
            progress, ct).ConfigureAwait(false);
        host.Progress(1, "Sync-DsWorkflow", "Done", 100, completed: true);

        foreach (var key in applier.DroppedIntents)
            host.Verbose($"'{key}' is no longer recorded as managed: a run that was stopped began writing it more than {AppliedState.IntentGrace.TotalMinutes:0} minutes ago, and it is neither in the specs nor on the server.");
        journal?.Complete(state!, statePath!);
        var skipped = declined.Select(d => new WorkflowApplyResult
        {
            Project = d.Project, Workflow = d.Workflow, Action = d.Action, Status = ApplyStatus.Skipped, PreviousName = d.PreviousName,
            Drift = d.Drift, Changes = d.ChangeSummary.Length == 0 ? null : d.ChangeSummary, Message = host.WhatIf ? "WhatIf" : "declined",
        }).ToList();
        var summary = $"{results.Count(r => r.Status == ApplyStatus.Applied)} applied, {results.Count(r => r.Status == ApplyStatus.Unchanged)} unchanged, " +
                      $"{results.Count(r => r.Status == ApplyStatus.Failed)} failed, {skipped.Count} skipped; {connection.Client.Statistics}";
        return new WorkflowSyncOutcome(results, skipped, summary);
    }
}

/// <summary>Turns an engine progress report into a host progress call.</summary>
internal sealed class HostProgress<T>(IDsOperationHost host, Func<T, (int Id, string Activity, string Status, int Percent)> map) : IProgress<T>
{
    public void Report(T value)
    {
        var (id, activity, status, percent) = map(value);
        host.Progress(id, activity, status, percent);
    }
}
