using System.Collections.Immutable;
using DsOps.Engine.Api;
using DsOps.Engine.Apply;
using DsOps.Engine.Clusters.Comparison;
using DsOps.Engine.Dialects;
using DsOps.Engine.Planning;
using DsOps.Engine.Specs.Loading;
using DsOps.Engine.Specs.Model;
using DsOps.Engine.Specs.Validation;

namespace DsOps.Engine.Clusters.Promotion;

/// <summary>What to copy and how names map between the two clusters.</summary>
public sealed record WorkflowCopyOptions
{
    /// <summary>Source projects to read.</summary>
    public required IReadOnlyCollection<string> Projects { get; init; }
    /// <summary>Which workflows of those projects are copied (project, workflow name); null = all.</summary>
    public Func<string, string, bool>? Select { get; init; }
    /// <summary>The project the workflows go to on the destination (one source project only); null = the same name.</summary>
    public string? DestinationProject { get; init; }
    /// <summary>The source cluster's entry of the environments file (its names are turned back into logical names).</summary>
    public EnvironmentOverlay? SourceMapping { get; init; }
    /// <summary>The destination cluster's entry of the environments file (logical names become its names).</summary>
    public EnvironmentOverlay? DestinationMapping { get; init; }
    /// <summary>Copy the source's schedules too (created offline when the destination has none; never a second one).</summary>
    public bool IncludeSchedule { get; init; }
    /// <summary>With <see cref="IncludeSchedule"/>: put the copied schedules (and their workflows) online.</summary>
    public bool ScheduleOnline { get; init; }
    /// <summary>Last-applied state of the destination (drift: the destination copy was edited since the last copy).</summary>
    internal AppliedState? State { get; init; }
    /// <summary>Refuse to create destination projects (DsProjectNotFound).</summary>
    public bool RequireExistingProject { get; init; }
}

/// <summary>What happens to the schedule of a copied workflow.</summary>
public enum CopySchedule
{
    /// <summary>Neither cluster has a schedule for the workflow.</summary>
    None,
    /// <summary>The source has a schedule, the copy leaves it out (no -IncludeSchedule).</summary>
    NotCopied,
    /// <summary>The destination's own schedule stays as it is (no -IncludeSchedule).</summary>
    Kept,
    /// <summary>The destination gets the source's schedule (it had none).</summary>
    Created,
    /// <summary>The destination's schedule gets the source's settings.</summary>
    Updated,
    /// <summary>The destination's schedule already has the source's settings.</summary>
    Unchanged,
}

/// <summary>One workflow of a copy: where it came from, where it went, what was done.</summary>
public sealed class DsWorkflowCopyResult
{
    public required string SourceProject { get; init; }
    public required string SourceWorkflow { get; init; }
    public long SourceWorkflowCode { get; init; }
    /// <summary>The destination project.</summary>
    public required string Project { get; init; }
    /// <summary>The workflow's name on the destination (the source's name).</summary>
    public required string Workflow { get; init; }
    /// <summary>The workflow's code on the destination (DS gives the copy its own codes).</summary>
    public long? WorkflowCode { get; init; }
    public required PlanAction Action { get; init; }
    public required ApplyStatus Status { get; init; }
    public CopySchedule Schedule { get; init; }
    /// <summary>The schedule is online on the destination after the copy.</summary>
    public bool ScheduleOnline { get; init; }
    /// <summary>The destination copy was edited since the last copy recorded in the state file.</summary>
    public bool Drift { get; init; }
    public string? Changes { get; init; }
    public string? Message { get; init; }
    public Exception? Error { get; init; }
    public string Source => SourceProject + "/" + SourceWorkflow;
    public string Destination => Project + "/" + Workflow;
    public override string ToString() => $"{Status} {Action} {Source} -> {Destination}" + (Message is null ? "" : ": " + Message);
}

/// <summary>A prepared copy: the plan against the destination and what it needs to be applied.</summary>
public sealed class WorkflowCopy
{
    internal WorkflowCopy(WorkflowPlan plan, DsServerSnapshot destination, IReadOnlyList<WorkflowSpec> desired,
        IReadOnlyDictionary<string, (WorkflowSpec Spec, long Code)> sources, IReadOnlyList<SpecFinding> warnings, bool includeSchedule)
    {
        Plan = plan;
        Destination = destination;
        Desired = desired;
        Sources = sources;
        Warnings = warnings;
        _includeSchedule = includeSchedule;
    }

    private readonly bool _includeSchedule;

    /// <summary>The plan on the destination (never deletes a workflow).</summary>
    public WorkflowPlan Plan { get; }
    /// <summary>The destination's state the plan was made against (the applier writes through it).</summary>
    public DsServerSnapshot Destination { get; }
    /// <summary>The workflows as they are written to the destination.</summary>
    public IReadOnlyList<WorkflowSpec> Desired { get; }
    /// <summary>Destination key -> the source workflow (as read from the source) and its code there.</summary>
    public IReadOnlyDictionary<string, (WorkflowSpec Spec, long Code)> Sources { get; }
    /// <summary>Findings that do not stop the copy (e.g. a field the destination's DS version ignores).</summary>
    public IReadOnlyList<SpecFinding> Warnings { get; }

    /// <summary>The plan restricted to the approved workflows (destination keys); unchanged ones stay for the report.</summary>
    public WorkflowPlan Approved(IReadOnlySet<string> keys) => new(
        Plan.Items.Where(i => i.Action == PlanAction.Unchanged || keys.Contains(i.Project + "/" + i.Workflow)).ToList(),
        Plan.Desired, Plan.Projects, Plan.CurrentFingerprint, Plan.DesiredFingerprint, prune: false);

    /// <summary>The copy's result for one workflow-level plan item and what applying it did.</summary>
    public DsWorkflowCopyResult Result(PlanItem item, ApplyStatus status, long? code, string? message, Exception? error = null)
    {
        var key = item.Project + "/" + item.Workflow;
        var (source, sourceCode) = Sources[key];
        var desired = Desired.First(d => d.Key == key);
        var current = Destination.ByKey.GetValueOrDefault(item.Project + "/" + (item.PreviousName ?? item.Workflow));
        var schedule = desired.Schedule is null ? source.Schedule is null ? CopySchedule.None : CopySchedule.NotCopied
            : !_includeSchedule ? CopySchedule.Kept
            : current?.Schedule is null ? CopySchedule.Created
            : item.Changes.Any(c => c.Field == "schedule") ? CopySchedule.Updated : CopySchedule.Unchanged;
        return new DsWorkflowCopyResult
        {
            SourceProject = source.Project, SourceWorkflow = source.Name, SourceWorkflowCode = sourceCode,
            Project = item.Project, Workflow = item.Workflow, WorkflowCode = code ?? current?.WorkflowCode,
            Action = item.Action, Status = status, Schedule = schedule,
            ScheduleOnline = desired.Schedule?.Online == true && string.Equals(desired.ReleaseState, "ONLINE", StringComparison.OrdinalIgnoreCase),
            Drift = item.Drift, Changes = item.ChangeSummary.Length == 0 ? null : item.ChangeSummary, Message = message, Error = error,
        };
    }

    /// <summary>The format name a saved copy plan carries in its source (so Sync-DsWorkflow -Plan cannot mistake it for specs).</summary>
    public const string PlanFormat = "DsWorkflowCopy";

    /// <summary>What a saved copy plan names as its source: the source cluster and projects (for people; the fingerprints decide).</summary>
    public static PlanSource PlanSourceOf(Uri source, IEnumerable<string> projects, string? destinationEnvironment) =>
        new(source.GetLeftPart(UriPartial.Authority) + " " + string.Join(",", projects.Order(StringComparer.Ordinal)), PlanFormat, destinationEnvironment);

    /// <summary>
    /// Applying a saved copy plan: refuses a plan that is not a copy plan (DsPlanFileInvalid), source workflows that
    /// changed since (DsPlanSpecsChanged), a destination that changed since (DsPlanStale), or a recomputed plan that
    /// does not list exactly the saved items (DsPlanMismatch).
    /// </summary>
    public void Verify(SavedPlan saved)
    {
        if (saved.Source?.Format != PlanFormat)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsPlanFileInvalid",
                $"Plan file '{saved.File}' was not made by Copy-DsWorkflow -OutFile; apply it with Sync-DsWorkflow -Plan.");
        try
        {
            saved.VerifyDesired(Desired);
            saved.VerifyCurrent(Destination.Workflows);
            saved.VerifyItems(Plan);
        }
        catch (DsOpsException ex)
        {
            var why = ex.ErrorId switch
            {
                "DsPlanSpecsChanged" => "The source workflows (or the mapping, the selection or -IncludeSchedule) differ from the ones this plan was made from.",
                "DsPlanStale" => "The destination changed since this plan was made.",
                _ => ex.Message,
            };
            throw new DsOpsException(ex.Kind, ex.ErrorId, why + " Nothing was written; make a new plan with Copy-DsWorkflow -OutFile and review it.", ex);
        }
    }

    /// <summary>The copy's results from the applier's results (orphan and project rows are not workflows of the copy).</summary>
    public IReadOnlyList<DsWorkflowCopyResult> Results(IReadOnlyList<WorkflowApplyResult> applied)
    {
        var items = Plan.Items.Where(i => i.Level == PlanLevel.Workflow).ToDictionary(i => i.Project + "/" + i.Workflow, StringComparer.Ordinal);
        var list = new List<DsWorkflowCopyResult>();
        foreach (var r in applied)
        {
            if (!items.TryGetValue(r.Target, out var item) || !Sources.ContainsKey(r.Target)) continue;
            list.Add(Result(item, r.Status, r.WorkflowCode, r.Message, r.Error));
        }
        return list;
    }
}

/// <summary>
/// Copies workflows that are not in code from one DS cluster to another on the normal plan/apply machinery: the
/// source workflows are read as specs (as Export-DsWorkflowSpec reads them), their names are mapped through the
/// environments file (the source's names back to logical names, then to the destination's: data sources, worker
/// groups, tenants, environments, alert groups), and the result is planned against the destination with the
/// workflow planner and written by the workflow applier. Names are the identity, so the destination gives the copy its
/// own workflow and task codes and its own data-source, environment and alert-group ids, and a second copy plans no
/// change. A name with no counterpart on the destination is an error naming it, before anything is written.
/// Schedules: copied only when asked, created at most once (an existing destination schedule is updated in place),
/// and offline unless asked; without -IncludeSchedule the destination's own schedule is kept as it is. A copy never
/// deletes a workflow, and the release state of a workflow the destination already has stays the destination's.
/// </summary>
internal static class WorkflowCopier
{
    public static async Task<WorkflowCopy> PrepareAsync(DsClient source, DsClient destination, WorkflowCopyOptions options,
        IProgress<string>? progress = null, CancellationToken ct = default)
    {
        var projects = options.Projects.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (options.DestinationProject is not null && projects.Count != 1)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsCopyDestinationProject",
                $"-DestinationProject renames one source project; the selection spans {projects.Count} ({string.Join(", ", projects)}).");

        progress?.Report($"reading {projects.Count} project(s) of the source");
        var src = await ReadAsync(source, projects, ct).ConfigureAwait(false);
        var missing = projects.Where(p => !src.ProjectCodes.ContainsKey(p)).ToList();
        if (missing.Count > 0)
            throw new DsOpsException(DsErrorKind.NotFound, "DsProjectNotFound",
                $"Project(s) {string.Join(", ", missing.Select(p => $"'{p}'"))} do not exist on the source {Authority(source)}{SpecValidator.Suggest(missing[0], src.AllProjects)}.");
        var selected = src.Workflows.Where(w => projects.Contains(w.Project) && (options.Select?.Invoke(w.Project, w.Name) ?? true)).ToList();
        if (selected.Count == 0)
            throw new DsOpsException(DsErrorKind.NotFound, "DsWorkflowNotFound",
                $"No workflow of project(s) {string.Join(", ", projects)} on the source {Authority(source)} matches the selection.");

        // Names: the source's back to logical names, then the destination's; the project renamed where asked.
        var inverse = new EnvironmentMappingInverse(options.SourceMapping);
        string ProjectOnDestination(string p) => options.DestinationProject is { } d && p == projects[0] ? d : p;
        var mapped = selected.Select(w => Map(w, inverse, options.DestinationMapping, ProjectOnDestination)).ToList();
        var problems = new List<string>();
        for (var i = 0; i < selected.Count; i++) UnresolvedIds(selected[i], mapped[i], problems);
        if (problems.Count > 0)
            throw new DsOpsException(DsErrorKind.InvalidState, "DsCopyUnresolvedReference",
                "The source workflows refer to objects the source itself cannot name (shown as id:N), which have no counterpart on any other cluster; nothing was written:" +
                Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  " + p)));

        // The destination: the projects written to, and the projects dependent tasks refer to (to resolve them).
        var destinationProjects = mapped.Select(w => w.Project)
            .Concat(mapped.SelectMany(w => w.Tasks).SelectMany(t => t.Dependence?.Groups.SelectMany(g => g.Items).Select(i => i.Project) ?? Enumerable.Empty<string>()))
            .Distinct(StringComparer.Ordinal).ToList();
        progress?.Report($"reading {destinationProjects.Count} project(s) of the destination");
        var dst = await DsServerSnapshot.ReadAsync(destination, destinationProjects, ct).ConfigureAwait(false);
        var current = dst.Workflows.ToDictionary(w => w.Key, StringComparer.Ordinal);
        var desired = mapped.Select(m => ForDestination(m, current.GetValueOrDefault(m.Key), destination.Dialect, options)).ToList();

        progress?.Report("checking the destination's names");
        await CounterpartsAsync(selected, mapped, desired, new DsServerInventory(destination), options, problems, ct).ConfigureAwait(false);
        References(desired, dst, problems);
        if (problems.Count > 0)
            throw new DsOpsException(DsErrorKind.NotFound, "DsCopyMappingMissing",
                $"{problems.Count} source object(s) have no counterpart on the destination {Authority(destination)}; nothing was written:" +
                Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  " + p)) + Environment.NewLine +
                "Create them on the destination, or map them in the environments file (-EnvironmentFile with -SourceEnvironment and -DestinationEnvironment).");
        var version = SpecValidator.ValidateForDialect(desired, destination.Dialect);
        if (version.Any(f => f.Severity == SpecSeverity.Error))
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsSpecVersionMismatch",
                $"The source workflows use task types or settings that {destination.Dialect} does not have; nothing was written:" + Environment.NewLine +
                string.Join(Environment.NewLine, version.Where(f => f.Severity == SpecSeverity.Error).Select(f => $"  {f.Workflow}{(f.Task is null ? "" : "/" + f.Task)}: {f.Message}")));

        var plan = WorkflowPlanner.Plan(desired, dst.Workflows, new PlanOptions
        {
            State = options.State, ExistingProjects = dst.AllProjects, RequireExistingProject = options.RequireExistingProject,
        });
        plan = WithoutWorkflowDeletes(plan);
        plan.EnsureNoProjectCreates();
        var sources = new Dictionary<string, (WorkflowSpec, long)>(StringComparer.Ordinal);
        for (var i = 0; i < selected.Count; i++)
            if (!sources.TryAdd(desired[i].Key, (selected[i], src.ByKey[selected[i].Key].WorkflowCode)))
                throw new DsOpsException(DsErrorKind.InvalidInput, "DsCopyDuplicateWorkflow",
                    $"Two source workflows would both be written as '{desired[i].Key}' on the destination.");
        return new WorkflowCopy(plan, dst, desired, sources, version, options.IncludeSchedule);
    }

    /// <summary>
    /// The source snapshot, read again with the projects its DEPENDENT tasks refer to when those are outside the
    /// selection, so that every referenced workflow and task has its name (not an id).
    /// </summary>
    private static async Task<DsServerSnapshot> ReadAsync(DsClient client, IReadOnlyCollection<string> projects, CancellationToken ct)
    {
        var snapshot = await DsServerSnapshot.ReadAsync(client, projects, ct).ConfigureAwait(false);
        var referenced = snapshot.Workflows.SelectMany(w => w.Tasks).SelectMany(t => t.Dependence?.Groups.SelectMany(g => g.Items) ?? Enumerable.Empty<DependItemSpec>())
            .Select(i => i.Project).Where(p => !projects.Contains(p) && !p.StartsWith("id:", StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).ToList();
        return referenced.Count == 0 ? snapshot
            : await DsServerSnapshot.ReadAsync(client, projects.Concat(referenced).ToList(), ct).ConfigureAwait(false);
    }

    /// <summary>The source workflow with the destination's names (tenant, worker groups, environments, data sources, alert groups, parameters, project).</summary>
    internal static WorkflowSpec Map(WorkflowSpec w, EnvironmentMappingInverse inverse, EnvironmentOverlay? destination, Func<string, string> project)
    {
        var logical = inverse.Workflow(w, null);
        var mapped = destination?.Apply(logical) ?? logical;
        return mapped with
        {
            Project = project(w.Project),
            RenamedFrom = null,
            Tasks = mapped.Tasks.Select(t => t with
            {
                RenamedFrom = null,
                Dependence = t.Dependence is not { } d ? null : d with
                {
                    Groups = d.Groups.Select(g => g with { Items = g.Items.Select(i => i with { Project = project(i.Project) }).ToImmutableArray() }).ToImmutableArray(),
                },
            }).ToImmutableArray(),
        };
    }

    /// <summary>
    /// What the destination gets, given what it has: the schedule rule (copied only with IncludeSchedule, offline
    /// unless ScheduleOnline, the destination's own schedule kept otherwise), the destination's release state for a
    /// workflow it already has, and the fields the destination's DS version cannot keep left at what it reads back.
    /// </summary>
    internal static WorkflowSpec ForDestination(WorkflowSpec mapped, WorkflowSpec? current, DsDialect dialect, WorkflowCopyOptions options)
    {
        ScheduleSpec? schedule;
        if (!options.IncludeSchedule || mapped.Schedule is null) schedule = current?.Schedule; // never removed, never added
        else schedule = mapped.Schedule with { Online = options.ScheduleOnline || current?.Schedule?.Online == true };
        var release = current is not null ? current.ReleaseState : mapped.ReleaseState;
        if (schedule?.Online == true && options.IncludeSchedule && options.ScheduleOnline) release = "ONLINE"; // DS runs a schedule only of an online workflow
        // Where DS keeps the tenant with the schedule (3.2+), a copy without the source's schedule keeps the destination's.
        var tenant = dialect.TenantOnRun && (schedule is null || !options.IncludeSchedule || mapped.Schedule is null) ? current?.Tenant : mapped.Tenant;
        return mapped with
        {
            Schedule = schedule,
            ReleaseState = release,
            Tenant = tenant,
            Tasks = mapped.Tasks.Select(t => t with
            {
                Cache = t.Cache && dialect.TaskHasIsCache,
                Dependence = t.Dependence is { } d && !dialect.DependentHasFailurePolicy ? d with { CheckInterval = null, FailurePolicy = null, FailureWaitingTime = null } : t.Dependence,
            }).ToImmutableArray(),
        };
    }

    /// <summary>"id:N" references: the source could not name them, so no mapping can find their counterpart.</summary>
    private static void UnresolvedIds(WorkflowSpec source, WorkflowSpec w, List<string> problems)
    {
        void Check(string? value, string what, string? task)
        {
            if (value is not null && value.StartsWith("id:", StringComparison.Ordinal))
                problems.Add($"{source.Key}{(task is null ? "" : " task " + task)}: {what} {value} (not found by id on the source)");
        }
        Check(w.Schedule?.WarningGroup, "alert group", null);
        Check(w.Schedule?.Environment, "environment", null);
        foreach (var t in w.Tasks)
        {
            Check(t.Environment, "environment", t.Name);
            Check(t.DataSource, "data source", t.Name);
            Check(t.DataTarget, "data source", t.Name);
            Check(t.SubWorkflow, "sub-workflow", t.Name);
            foreach (var r in t.Resources) Check(r, "resource", t.Name);
            foreach (var i in t.Dependence?.Groups.SelectMany(g => g.Items) ?? Enumerable.Empty<DependItemSpec>())
            {
                Check(i.Project, "dependent project", t.Name);
                Check(i.Workflow, "dependent workflow", t.Name);
                Check(i.Task, "dependent task", t.Name);
            }
        }
    }

    /// <summary>Every name the copy writes must exist on the destination; each one missing is named with its source name.</summary>
    private static async Task CounterpartsAsync(IReadOnlyList<WorkflowSpec> sources, IReadOnlyList<WorkflowSpec> mapped, IReadOnlyList<WorkflowSpec> desired,
        ITargetInventory target, WorkflowCopyOptions options, List<string> problems, CancellationToken ct)
    {
        var dataSources = await target.DataSourcesAsync(ct).ConfigureAwait(false);
        var workerGroups = await target.WorkerGroupsAsync(ct).ConfigureAwait(false);
        var environments = await target.EnvironmentsAsync(ct).ConfigureAwait(false);
        var tenants = await target.TenantsAsync(ct).ConfigureAwait(false);
        var alertGroups = await target.AlertGroupsAsync(ct).ConfigureAwait(false);
        var mappingName = options.DestinationMapping?.Name;
        var reported = new HashSet<string>(StringComparer.Ordinal);
        void Check(string where, string what, string? sourceName, string? name, IReadOnlySet<string> existing)
        {
            if (name is null || existing.Contains(name)) return;
            var how = sourceName is not null && sourceName != name
                ? $"{what} '{sourceName}' is '{name}' on the destination{(mappingName is null ? "" : $" (environment {mappingName})")}, which does not exist there"
                : $"{what} '{name}' does not exist on the destination{(mappingName is null ? " and no environments file maps it" : $" and environment {mappingName} does not map it")}";
            if (reported.Add(where + "\u0001" + how)) problems.Add($"{where}: {how}");
        }
        for (var i = 0; i < desired.Count; i++)
        {
            var (s, m, d) = (sources[i], mapped[i], desired[i]);
            // The tenant is checked where it comes from the source (not the destination's own, kept).
            if (d.Tenant is not null && d.Tenant == m.Tenant) Check(s.Key, "tenant", s.Tenant, d.Tenant, tenants);
            if (options.IncludeSchedule && m.Schedule is { } ms && s.Schedule is { } ss)
            {
                Check(s.Key + " schedule", "worker group", ss.WorkerGroup, ms.WorkerGroup, workerGroups);
                Check(s.Key + " schedule", "environment", ss.Environment, ms.Environment, environments);
                Check(s.Key + " schedule", "alert group", ss.WarningGroup, ms.WarningGroup, alertGroups);
            }
            for (var k = 0; k < m.Tasks.Length; k++)
            {
                var (st, mt) = (s.Tasks[k], m.Tasks[k]);
                var where = $"{s.Key} task {st.Name}";
                Check(where, "worker group", st.WorkerGroup, mt.WorkerGroup, workerGroups);
                Check(where, "environment", st.Environment, mt.Environment, environments);
                Check(where, "data source", st.DataSource, mt.DataSource, dataSources);
                Check(where, "data source", st.DataTarget, mt.DataTarget, dataSources);
            }
        }
    }

    /// <summary>Sub-workflows and DEPENDENT items must be among the copied workflows or exist on the destination.</summary>
    private static void References(IReadOnlyList<WorkflowSpec> desired, DsServerSnapshot destination, List<string> problems)
    {
        var copied = desired.ToDictionary(w => w.Key, StringComparer.Ordinal);
        bool Exists(string project, string workflow, string? task) =>
            copied.TryGetValue(project + "/" + workflow, out var w) ? task is null || w.FindTask(task) is not null
                : destination.Names.WorkflowCode(project, workflow) is not null && (task is null || destination.Names.TaskCode(project, workflow, task) is not null);
        foreach (var w in desired)
        foreach (var t in w.Tasks)
        {
            if (t.SubWorkflow is { } sub && !Exists(w.Project, sub, null))
                problems.Add($"{w.Key} task {t.Name}: sub-workflow '{w.Project}/{sub}' is neither copied nor on the destination (add it to -Workflow)");
            foreach (var i in t.Dependence?.Groups.SelectMany(g => g.Items) ?? Enumerable.Empty<DependItemSpec>())
                if (!Exists(i.Project, i.Workflow, i.Task))
                    problems.Add($"{w.Key} task {t.Name}: depends on '{i.Project}/{i.Workflow}{(i.Task is null ? "" : "/" + i.Task)}', which is neither copied nor on the destination");
        }
    }

    /// <summary>A copy adds and updates; it never deletes a workflow (the planner would for state-managed ones the copy does not name).</summary>
    private static WorkflowPlan WithoutWorkflowDeletes(WorkflowPlan plan)
    {
        var deleted = plan.Items.Where(i => i.Level == PlanLevel.Workflow && i.Action == PlanAction.Delete)
            .Select(i => i.Project + "/" + i.Workflow).ToHashSet(StringComparer.Ordinal);
        if (deleted.Count == 0) return plan;
        return new WorkflowPlan(plan.Items.Where(i => !deleted.Contains(i.Project + "/" + i.Workflow)).ToList(),
            plan.Desired, plan.Projects, plan.CurrentFingerprint, plan.DesiredFingerprint, prune: false)
        {
            IncludeUnchangedTasks = plan.IncludeUnchangedTasks, RequireExistingProject = plan.RequireExistingProject,
        };
    }

    private static string Authority(DsClient client) => client.BaseUri.GetLeftPart(UriPartial.Authority);
}
