using System.Collections.Immutable;
using DsOps.Engine.Specs.Model;

namespace DsOps.Engine.Planning;

public enum PlanAction { Unchanged, Create, Update, Rename, Delete }

/// <summary>What an item is about; Project items only create projects ("create project").</summary>
public enum PlanLevel { Workflow, Task, Project }

/// <summary>One field that differs: values as shown to people (secrets masked), null = unset.</summary>
public sealed record FieldChange(string Field, string? Before, string? After)
{
    public override string ToString() => $"{Field}: {Short(Before)} -> {Short(After)}";

    private static string Short(string? v) => v is null ? "(unset)" : v.Length <= 60 ? v.Replace("\n", "\\n") : v[..57].Replace("\n", "\\n") + "...";
}

/// <summary>One step of a plan, for a workflow or one of its tasks.</summary>
public sealed record PlanItem(PlanLevel Level, PlanAction Action, string Project, string Workflow, string? Task)
{
    /// <summary>The name on the server before a rename.</summary>
    public string? PreviousName { get; init; }
    public ImmutableArray<FieldChange> Changes { get; init; } = ImmutableArray<FieldChange>.Empty;
    /// <summary>True when the server copy changed since the last apply (edited in the UI).</summary>
    public bool Drift { get; init; }
    public string? Note { get; init; }
    public SourceLocation Location { get; init; }
    /// <summary>Task: the script's Git commit differs from the one recorded on the server at the last apply (content may be equal).</summary>
    public bool GitMoved { get; init; }
    /// <summary>Task: the server's script differs from what DsOps applied (its provenance marker's hash), i.e. edited on the server.</summary>
    public bool ServerEdited { get; init; }

    /// <summary>"project/workflow" or "project/workflow/task".</summary>
    public string Target => Level == PlanLevel.Project ? Project : Task is null ? $"{Project}/{Workflow}" : $"{Project}/{Workflow}/{Task}";

    /// <summary>+ create, ~ update, &gt; rename, - delete, = unchanged.</summary>
    public string Symbol => Action switch
    {
        PlanAction.Create => "+", PlanAction.Update => "~", PlanAction.Rename => ">", PlanAction.Delete => "-", _ => "=",
    };

    public string ChangeSummary => Changes.Length == 0 ? "" : string.Join("; ", Changes.Select(c => c.ToString()));

    public override string ToString() => $"{Symbol} {(Level == PlanLevel.Project ? "project " : "")}{Target}" + (PreviousName is null ? "" : $" (was {PreviousName})") + (Drift ? " [drift]" : "") + (GitMoved ? " [git moved]" : "") + (ServerEdited ? " [server edited]" : "") +
                                         (Changes.Length == 0 ? "" : ": " + ChangeSummary);
}

/// <summary>
/// A deterministic plan: what applying the desired specs would do to the current ones. Saved as JSON
/// with the desired specs and the fingerprint of the server state it was computed against, so an
/// apply can do exactly this plan and refuse when the server changed meanwhile.
/// </summary>
public sealed class WorkflowPlan
{
    public WorkflowPlan(IReadOnlyList<PlanItem> items, IReadOnlyList<WorkflowSpec> desired, IReadOnlyList<string> projects,
        string currentFingerprint, string desiredFingerprint, bool prune)
    {
        Items = items;
        Desired = desired;
        Projects = projects;
        CurrentFingerprint = currentFingerprint;
        DesiredFingerprint = desiredFingerprint;
        Prune = prune;
    }

    public IReadOnlyList<PlanItem> Items { get; }
    /// <summary>The desired specs the plan was made from (what apply writes).</summary>
    public IReadOnlyList<WorkflowSpec> Desired { get; }
    /// <summary>Projects in scope: the current state of these is what <see cref="CurrentFingerprint"/> covers.</summary>
    public IReadOnlyList<string> Projects { get; }
    public string CurrentFingerprint { get; }
    public string DesiredFingerprint { get; }
    public bool Prune { get; }
    /// <summary>The plan lists unchanged tasks too (an option that changes the items, so saved plans record it).</summary>
    public bool IncludeUnchangedTasks { get; init; }
    /// <summary>Projects must exist: <see cref="EnsureNoProjectCreates"/> refuses a plan that would create one.</summary>
    public bool RequireExistingProject { get; init; }

    /// <summary>Projects the plan creates (not on the target).</summary>
    public IEnumerable<PlanItem> ProjectCreates => Items.Where(i => i.Level == PlanLevel.Project && i.Action == PlanAction.Create);

    /// <summary>
    /// With <see cref="RequireExistingProject"/>, refuses (DsProjectNotFound) a plan that would create a project:
    /// a typo in <c>project:</c> must not create a new project on PROD.
    /// </summary>
    public void EnsureNoProjectCreates()
    {
        if (!RequireExistingProject) return;
        var missing = ProjectCreates.ToList();
        if (missing.Count > 0)
            throw new DsOpsException(DsErrorKind.NotFound, "DsProjectNotFound",
                $"Project(s) {string.Join(", ", missing.Select(i => $"'{i.Project}' ({i.Location}){(i.Note is { } n && n.Contains("did you mean", StringComparison.Ordinal) ? n[n.IndexOf(" (did you mean", StringComparison.Ordinal)..] : "")}"))} " +
                "do not exist on the target, and projects are required to exist (-RequireExistingProject or requireExistingProject in the environments file); nothing was applied. Create the project in DS, or fix the name.");
    }

    public bool HasChanges => Items.Any(i => i.Action != PlanAction.Unchanged);
    public bool HasDrift => Items.Any(i => i.Drift);

    public int Count(PlanAction action, PlanLevel level = PlanLevel.Workflow) => Items.Count(i => i.Action == action && i.Level == level);

    public string Summary =>
        (ProjectCreates.Any() ? $"projects: {ProjectCreates.Count()} to create; " : "") +
        $"workflows: {Count(PlanAction.Create)} to create, {Count(PlanAction.Update)} to update, {Count(PlanAction.Rename)} to rename, {Count(PlanAction.Delete)} to delete, {Count(PlanAction.Unchanged)} unchanged" +
        (HasDrift ? $"; {Items.Count(i => i.Drift && i.Level == PlanLevel.Workflow)} drifted since last apply" : "");
}
