using DsOps.Engine.Api;
using DsOps.Engine.Apply;
using DsOps.Engine.Clusters.Promotion;
using DsOps.Engine.Planning;
using DsOps.Engine.Specs.Loading;
using DsOps.Engine.Text;

namespace DsOps.Engine.Orchestration;

internal sealed record WorkflowCopyRequest
{
    /// <summary>Exactly these workflows (piped from Get-DsWorkflow); otherwise <see cref="Projects"/> and <see cref="Workflows"/>.</summary>
    public IReadOnlyList<(string Project, string Workflow)>? Pairs { get; init; }

    /// <summary>Source project names or wildcard patterns.</summary>
    public IReadOnlyList<string> Projects { get; init; } = Array.Empty<string>();

    /// <summary>Workflow names or wildcard patterns; null: all.</summary>
    public IReadOnlyList<string>? Workflows { get; init; }

    public string? DestinationProject { get; init; }
    public string? EnvironmentFile { get; init; }
    public string? SourceEnvironment { get; init; }
    public string? DestinationEnvironment { get; init; }
    public bool IncludeSchedule { get; init; }
    public bool ScheduleOnline { get; init; }
    public string? StatePath { get; init; }
    public bool RequireExistingProject { get; init; }
    public int ThrottleLimit { get; init; } = 4;
    public TimeSpan LockTimeout { get; init; }

    /// <summary>Save the plan here and write nothing to the destination.</summary>
    public string? OutFile { get; init; }

    /// <summary>A plan saved with <see cref="OutFile"/>: applied only when the recomputed copy is exactly that plan.</summary>
    public string? PlanPath { get; init; }
}

/// <summary>A copy's results (ordered by destination) and, when it applied, its summary; failures of whole destination projects apart.</summary>
internal sealed record WorkflowCopyOutcome(IReadOnlyList<DsWorkflowCopyResult> Results, IReadOnlyList<WorkflowApplyResult> ProjectFailures, string? Summary);

/// <summary>
/// The rules of Copy-DsWorkflow: select the source workflows (names, wildcards or piped pairs; a literal name that
/// does not exist stops the copy), map names between the environments, lock the destination projects, plan, verify
/// a saved plan, confirm each workflow (ShouldProcess), apply with a journal and keep state, or save the plan.
/// </summary>
internal sealed class WorkflowCopyService(DsConnection source, DsConnection destination, IDsOperationHost host)
{
    public async Task<WorkflowCopyOutcome> CopyAsync(WorkflowCopyRequest request, CancellationToken ct)
    {
        if (request.OutFile is not null && request.PlanPath is not null)
            throw new ArgumentException("Give -OutFile (make a plan) or -Plan (apply one), not both.");
        if (request.ScheduleOnline && !request.IncludeSchedule)
            throw new ArgumentException("-ScheduleOnline needs -IncludeSchedule.");
        if ((request.SourceEnvironment is not null || request.DestinationEnvironment is not null) && request.EnvironmentFile is null)
            throw new ArgumentException("-SourceEnvironment and -DestinationEnvironment need -EnvironmentFile.");
        var file = request.EnvironmentFile;
        var sourceMapping = file is null || request.SourceEnvironment is null ? null : EnvironmentOverlay.Load(file, request.SourceEnvironment);
        var destinationMapping = file is null || request.DestinationEnvironment is null ? null : EnvironmentOverlay.Load(file, request.DestinationEnvironment);

        var (projects, select, literals) = await SelectAsync(request, ct).ConfigureAwait(false);
        var statePath = request.StatePath;
        var saved = request.PlanPath is null ? null : PlanFile.Load(request.PlanPath);
        // A copy that writes holds the destination projects' lock (the same one Sync-DsWorkflow takes).
        using var syncLock = host.WhatIf || request.OutFile is not null ? null
            : await SyncLock.AcquireAsync(destination.Client.BaseUri, projects.Select(p => request.DestinationProject ?? p), statePath, request.LockTimeout, ct).ConfigureAwait(false);
        var state = statePath is null ? null : AppliedState.Load(statePath);
        var options = new WorkflowCopyOptions
        {
            Projects = projects, Select = select, DestinationProject = request.DestinationProject,
            SourceMapping = sourceMapping, DestinationMapping = destinationMapping,
            IncludeSchedule = request.IncludeSchedule, ScheduleOnline = request.ScheduleOnline, State = state,
            RequireExistingProject = request.RequireExistingProject || destinationMapping?.RequireExistingProject == true,
        };
        var copy = await WorkflowCopier.PrepareAsync(source.Client, destination.Client, options,
            new HostProgress<string>(host, status => (45, "Copy-DsWorkflow", status, 0)), ct).ConfigureAwait(false);
        host.Progress(45, "Copy-DsWorkflow", "planned", 100, completed: true);
        var notFound = literals.Where(l => !copy.Sources.Values.Any(s => s.Spec.Project == l.Project && s.Spec.Name == l.Workflow)).ToList();
        if (notFound.Count > 0)
            throw new DsOpsException(DsErrorKind.NotFound, "DsWorkflowNotFound",
                $"Workflow(s) {string.Join(", ", notFound.Select(n => $"'{n.Project}/{n.Workflow}'"))} do not exist on the source {source.Name}; nothing was written.");
        foreach (var f in copy.Warnings) host.Warning(f.ToString());
        host.Verbose($"Copy {source.Name} -> {destination.Name}: {copy.Plan.Summary}");
        if (saved is not null) copy.Verify(saved);
        return request.OutFile is not null ? SavePlan(copy, request, projects) : await ApplyAsync(copy, request, state, ct).ConfigureAwait(false);
    }

    /// <summary>The source projects, the workflow filter, and the literal (wildcard-free) names that must exist.</summary>
    private async Task<(List<string> Projects, Func<string, string, bool> Select, List<(string Project, string Workflow)> Literals)> SelectAsync(
        WorkflowCopyRequest request, CancellationToken ct)
    {
        if (request.Pairs is { } pairs)
        {
            var set = pairs.ToHashSet();
            return (pairs.Select(p => p.Project).Distinct(StringComparer.Ordinal).ToList(), (p, w) => set.Contains((p, w)), pairs.Distinct().ToList());
        }
        List<string> projects;
        if (request.Projects.Any(Wildcard.HasWildcards))
        {
            var patterns = Wildcard.Compile(request.Projects);
            projects = new List<string>();
            await foreach (var p in source.Client.GetProjectsAsync(null, ct).ConfigureAwait(false))
                if (Wildcard.MatchesAny(patterns, p.Name)) projects.Add(p.Name);
            if (projects.Count == 0)
                throw new DsOpsException(DsErrorKind.NotFound, "DsProjectNotFound", $"No project on the source {source.Name} matches {string.Join(", ", request.Projects)}.");
        }
        else projects = request.Projects.Distinct(StringComparer.Ordinal).ToList();
        var workflowPatterns = Wildcard.Compile(request.Workflows);
        var literals = projects.Count == 1 && request.Workflows is not null
            ? request.Workflows.Where(w => !Wildcard.HasWildcards(w)).Select(w => (projects[0], w)).ToList()
            : new List<(string, string)>();
        return (projects, (_, w) => Wildcard.MatchesAny(workflowPatterns, w), literals);
    }

    /// <summary>-OutFile: the plan saved for review (not under WhatIf), one Skipped result per workflow it would change.</summary>
    private WorkflowCopyOutcome SavePlan(WorkflowCopy copy, WorkflowCopyRequest request, IEnumerable<string> projects)
    {
        var path = request.OutFile!;
        if (host.ShouldProcess(path, "Save the copy plan"))
        {
            PlanFile.Save(path, copy.Plan, WorkflowCopy.PlanSourceOf(source.Client.BaseUri, projects, request.DestinationEnvironment));
            host.Verbose($"Plan saved to {path}: {copy.Plan.Summary}");
        }
        var results = copy.Plan.Items.Where(i => i.Level == PlanLevel.Workflow)
            .Select(item => copy.Result(item, item.Action == PlanAction.Unchanged ? ApplyStatus.Unchanged : ApplyStatus.Skipped, null,
                item.Action == PlanAction.Unchanged ? null : "planned")).ToList();
        return new WorkflowCopyOutcome(results, Array.Empty<WorkflowApplyResult>(), null);
    }

    private async Task<WorkflowCopyOutcome> ApplyAsync(WorkflowCopy copy, WorkflowCopyRequest request, AppliedState? state, CancellationToken ct)
    {
        var approved = new HashSet<string>(StringComparer.Ordinal);
        var declined = new List<PlanItem>();
        foreach (var item in copy.Plan.Items.Where(i => i.Level == PlanLevel.Workflow && i.Action != PlanAction.Unchanged))
        {
            var (spec, _) = copy.Sources[item.Project + "/" + item.Workflow];
            var action = (item.Action == PlanAction.Create ? "Create workflow" : "Update workflow" +
                             (item.Changes.Length > 0 ? $" ({string.Join(", ", item.Changes.Select(c => c.Field))})" : "")) +
                         $" as a copy of {spec.Key}" + (item.Drift ? " [overwrites changes made outside DsOps]" : "");
            if (host.ShouldProcess($"{item.Target} on {destination.Name}", action)) approved.Add(item.Target);
            else declined.Add(item);
        }

        var statePath = request.StatePath;
        var results = new List<DsWorkflowCopyResult>();
        var projectFailures = new List<WorkflowApplyResult>();
        // Nothing to change but a state to record: the copy still runs (it records the copies in the state).
        if (approved.Count > 0 || (copy.Plan.Items.All(i => i.Action == PlanAction.Unchanged) && state is not null && !host.WhatIf))
        {
            var applier = new WorkflowApplier(destination.Client, copy.Destination);
            using var journal = state is not null && statePath is not null && !host.WhatIf ? ApplyJournal.Open(statePath) : null;
            var progress = new HostProgress<ApplyProgress>(host, p => (46, "Copy-DsWorkflow", $"{p.Done} of {p.Total} workflows: {p.Current}", p.Total == 0 ? 100 : p.Done * 100 / p.Total));
            var applied = await applier.ApplyAsync(copy.Approved(approved), new ApplyOptions { ThrottleLimit = request.ThrottleLimit, State = state, Journal = journal }, progress, ct)
                .ConfigureAwait(false);
            host.Progress(46, "Copy-DsWorkflow", "Done", 100, completed: true);
            journal?.Complete(state!, statePath!);
            projectFailures.AddRange(applied.Where(r => r.Workflow == WorkflowApplier.ProjectMarker && r.Status == ApplyStatus.Failed));
            results.AddRange(copy.Results(applied));
        }
        else
        {
            results.AddRange(copy.Plan.Items.Where(i => i.Level == PlanLevel.Workflow && i.Action == PlanAction.Unchanged)
                .Select(i => copy.Result(i, ApplyStatus.Unchanged, null, i.Note)));
        }
        results.AddRange(declined.Select(d => copy.Result(d, ApplyStatus.Skipped, null, host.WhatIf ? "WhatIf" : "declined")));
        var ordered = results.OrderBy(r => r.Project, StringComparer.Ordinal).ThenBy(r => r.Workflow, StringComparer.Ordinal).ToList();
        var summary = $"{results.Count(r => r.Status == ApplyStatus.Applied)} copied, {results.Count(r => r.Status == ApplyStatus.Unchanged)} unchanged, " +
                      $"{results.Count(r => r.Status == ApplyStatus.Failed)} failed, {results.Count(r => r.Status == ApplyStatus.Skipped)} skipped; {destination.Client.Statistics}";
        return new WorkflowCopyOutcome(ordered, projectFailures, summary);
    }
}
