using System.Collections.Immutable;
using DsOps.Engine.Specs.Model;
using DsOps.Engine.Specs.Validation;

namespace DsOps.Engine.Planning;

public sealed record PlanOptions
{
    /// <summary>Delete workflows of the in-scope projects that no spec declares (even if DsOps never applied them).</summary>
    public bool Prune { get; init; }
    /// <summary>Last-applied fingerprints: drift detection, and deletion of managed workflows removed from the specs.</summary>
    internal AppliedState? State { get; init; }
    /// <summary>Also list unchanged tasks (workflow-level items are always listed).</summary>
    public bool IncludeUnchangedTasks { get; init; }
    /// <summary>
    /// Projects that exist on the target (null = unknown, e.g. offline against files). A desired project not in it
    /// gets a "create project" item, so a typo in <c>project:</c> shows in the plan.
    /// </summary>
    public IReadOnlySet<string>? ExistingProjects { get; init; }
    /// <summary>Refuse (DsProjectNotFound) instead of planning to create a project (see <see cref="WorkflowPlan.EnsureNoProjectCreates"/>).</summary>
    public bool RequireExistingProject { get; init; }

    public static readonly PlanOptions Default = new();
}

/// <summary>
/// Compares desired specs with current specs (the server's state read back as specs) by name:
/// create, update with field-level changes, rename (explicit renamedFrom), delete, unchanged.
/// Deterministic: items are ordered by project, workflow, then task; no clock or randomness.
/// Scope: only projects named by the desired specs are compared.
/// </summary>
public static class WorkflowPlanner
{
    public static WorkflowPlan Plan(IReadOnlyList<WorkflowSpec> desired, IReadOnlyList<WorkflowSpec> current, PlanOptions? options = null)
    {
        options ??= PlanOptions.Default;
        var projects = desired.Select(w => w.Project).Distinct().Order(StringComparer.Ordinal).ToList();
        var projectSet = new HashSet<string>(projects, StringComparer.Ordinal);
        var currentByKey = new Dictionary<string, WorkflowSpec>(current.Count, StringComparer.Ordinal);
        foreach (var c in current)
            if (projectSet.Contains(c.Project)) currentByKey.TryAdd(c.Key, c);
        var desiredKeys = new HashSet<string>(desired.Select(d => d.Key), StringComparer.Ordinal);

        var groups = new List<(string Project, string Name, List<PlanItem> Items)>(desired.Count);
        if (options.ExistingProjects is { } existing)
            foreach (var p in projects.Where(p => !existing.Contains(p)))
                groups.Add((p, "", new List<PlanItem>
                {
                    new(PlanLevel.Project, PlanAction.Create, p, "", null)
                    {
                        Note = "the project does not exist on the target and will be created" + SpecValidator.Suggest(p, existing),
                        Location = desired.First(w => w.Project == p).Location,
                    },
                }));
        var matched = new HashSet<string>(StringComparer.Ordinal);
        // Each current workflow's fingerprint is computed once: for the drift check and for the plan's fingerprint.
        var currentPrints = new Dictionary<string, string>(currentByKey.Count, StringComparer.Ordinal);
        string PrintOf(WorkflowSpec c)
        {
            if (!currentPrints.TryGetValue(c.Key, out var print)) currentPrints[c.Key] = print = SpecFields.Fingerprint(c);
            return print;
        }
        foreach (var w in desired)
        {
            var items = new List<PlanItem>();
            var cur = currentByKey.GetValueOrDefault(w.Key);
            string? previous = null;
            if (cur is null && w.RenamedFrom is { } old && !desiredKeys.Contains(w.Project + "/" + old) &&
                currentByKey.TryGetValue(w.Project + "/" + old, out var renamed))
            {
                cur = renamed;
                previous = old;
            }
            if (cur is null)
            {
                items.Add(new PlanItem(PlanLevel.Workflow, PlanAction.Create, w.Project, w.Name, null) { Location = w.Location });
                foreach (var t in w.Tasks.OrderBy(t => t.Name, StringComparer.Ordinal))
                    items.Add(new PlanItem(PlanLevel.Task, PlanAction.Create, w.Project, w.Name, t.Name) { Location = t.Location });
            }
            else
            {
                matched.Add(cur.Key);
                var drift = options.State?.Get(cur.Key) is { } applied && applied != PrintOf(cur);
                var changes = Diff(SpecFields.Workflow, cur, w);
                var taskItems = CompareTasks(w, cur, options);
                var action = previous is not null ? PlanAction.Rename
                    : changes.Length > 0 || taskItems.Any(i => i.Action != PlanAction.Unchanged) ? PlanAction.Update : PlanAction.Unchanged;
                items.Add(new PlanItem(PlanLevel.Workflow, action, w.Project, w.Name, null)
                {
                    PreviousName = previous, Changes = changes, Drift = drift, Location = w.Location,
                    Note = drift ? "the server copy changed since the last apply (edited outside DsOps); applying overwrites those edits" : null,
                });
                items.AddRange(taskItems);
            }
            groups.Add((w.Project, w.Name, items));
        }

        foreach (var c in currentByKey.Values)
        {
            if (matched.Contains(c.Key) || desiredKeys.Contains(c.Key)) continue;
            var managed = options.State?.IsManaged(c.Key) == true;
            if (!options.Prune && !managed) continue;
            var items = new List<PlanItem>
            {
                new(PlanLevel.Workflow, PlanAction.Delete, c.Project, c.Name, null)
                {
                    Note = managed ? "applied by DsOps before and no longer in the specs" : "not in the specs (prune)",
                },
            };
            foreach (var t in c.Tasks.OrderBy(t => t.Name, StringComparer.Ordinal))
                items.Add(new PlanItem(PlanLevel.Task, PlanAction.Delete, c.Project, c.Name, t.Name));
            groups.Add((c.Project, c.Name, items));
        }

        groups.Sort((a, b) =>
        {
            var p = string.CompareOrdinal(a.Project, b.Project);
            return p != 0 ? p : string.CompareOrdinal(a.Name, b.Name);
        });
        var all = new List<PlanItem>(groups.Sum(g => g.Items.Count));
        foreach (var g in groups) all.AddRange(g.Items);
        MarkReferencedDeletes(all, desired);

        var currentFingerprint = SpecFields.Combine(currentByKey.Values.Select(c => (c.Key, PrintOf(c))));
        var desiredFingerprint = SpecFields.Combine(desired.Select(d => (d.Key, SpecFields.Fingerprint(d))));
        return new WorkflowPlan(all, desired, projects, currentFingerprint, desiredFingerprint, options.Prune)
        {
            IncludeUnchangedTasks = options.IncludeUnchangedTasks,
            RequireExistingProject = options.RequireExistingProject,
        };
    }

    /// <summary>Fingerprint of the current state of <paramref name="projects"/>, as recorded in a plan.</summary>
    public static string CurrentFingerprint(IEnumerable<WorkflowSpec> current, IEnumerable<string> projects)
    {
        var set = new HashSet<string>(projects, StringComparer.Ordinal);
        return SpecFields.Combine(current.Where(c => set.Contains(c.Project)).GroupBy(c => c.Key).Select(g => (g.Key, SpecFields.Fingerprint(g.First()))));
    }

    /// <summary>
    /// A delete of something another desired workflow still refers to (sub-workflow or DEPENDENT item)
    /// would break that workflow, and DS refuses to drop a task a DEPENDENT task uses; say so on the item.
    /// </summary>
    private static void MarkReferencedDeletes(List<PlanItem> items, IReadOnlyList<WorkflowSpec> desired)
    {
        if (!items.Exists(i => i.Action == PlanAction.Delete)) return;
        var users = new Dictionary<string, List<string>>(StringComparer.Ordinal); // "p/w" or "p/w/t" -> referring tasks
        void Use(string target, string by)
        {
            if (!users.TryGetValue(target, out var list)) users[target] = list = new List<string>();
            if (!list.Contains(by)) list.Add(by);
        }
        foreach (var w in desired)
        foreach (var t in w.Tasks)
        {
            if (t.SubWorkflow is { } child) Use(w.Project + "/" + child, $"{w.Key}/{t.Name}");
            if (t.Dependence is { } d)
                foreach (var g in d.Groups)
                foreach (var i in g.Items)
                    Use(i.Task is null ? $"{i.Project}/{i.Workflow}" : $"{i.Project}/{i.Workflow}/{i.Task}", $"{w.Key}/{t.Name}");
        }
        for (var k = 0; k < items.Count; k++)
        {
            var item = items[k];
            if (item.Action != PlanAction.Delete || !users.TryGetValue(item.Target, out var by)) continue;
            items[k] = item with
            {
                Note = (item.Note is null ? "" : item.Note + "; ") +
                       $"still referenced by {string.Join(", ", by.Order(StringComparer.Ordinal))} - DS refuses to delete a task a DEPENDENT task uses; change those first",
            };
        }
    }

    private static List<PlanItem> CompareTasks(WorkflowSpec w, WorkflowSpec cur, PlanOptions options)
    {
        var result = new List<PlanItem>();
        var currentTasks = new Dictionary<string, TaskSpec>(cur.Tasks.Length, StringComparer.Ordinal);
        foreach (var t in cur.Tasks) currentTasks.TryAdd(t.Name, t);
        var desiredNames = new HashSet<string>(w.Tasks.Select(t => t.Name), StringComparer.Ordinal);

        // Explicit task renames: old name on the server -> new name in the spec.
        Dictionary<string, string>? renames = null;
        foreach (var t in w.Tasks)
            if (t.RenamedFrom is { } old && !currentTasks.ContainsKey(t.Name) && !desiredNames.Contains(old) && currentTasks.ContainsKey(old))
                (renames ??= new(StringComparer.Ordinal))[old] = t.Name;

        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in w.Tasks.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            string? previous = null;
            if (!currentTasks.TryGetValue(t.Name, out var ct) && t.RenamedFrom is { } old && renames?.GetValueOrDefault(old) == t.Name)
            {
                ct = currentTasks[old];
                previous = old;
            }
            if (ct is null)
            {
                result.Add(new PlanItem(PlanLevel.Task, PlanAction.Create, w.Project, w.Name, t.Name) { Location = t.Location });
                continue;
            }
            used.Add(ct.Name);
            if (renames is not null) ct = ct with { DependsOn = ct.DependsOn.Select(d => renames.GetValueOrDefault(d) ?? d).Order(StringComparer.Ordinal).ToImmutableArray() };
            var changes = Diff(SpecFields.Task, ct, t);
            var action = previous is not null ? PlanAction.Rename : changes.Length > 0 ? PlanAction.Update : PlanAction.Unchanged;
            var (gitMoved, serverEdited) = ProvenanceState(t, ct);
            if (action != PlanAction.Unchanged || options.IncludeUnchangedTasks || serverEdited)
                result.Add(new PlanItem(PlanLevel.Task, action, w.Project, w.Name, t.Name)
                {
                    PreviousName = previous, Changes = changes, Location = t.Location, GitMoved = gitMoved, ServerEdited = serverEdited,
                    Note = ProvenanceNote(gitMoved, serverEdited, ct.Provenance, t.Provenance),
                });
        }
        foreach (var ct in cur.Tasks.OrderBy(t => t.Name, StringComparer.Ordinal))
            if (!used.Contains(ct.Name) && !desiredNames.Contains(ct.Name))
                result.Add(new PlanItem(PlanLevel.Task, PlanAction.Delete, w.Project, w.Name, ct.Name));
        result.Sort((a, b) => string.CompareOrdinal(a.Task, b.Task));
        return result;
    }

    /// <summary>
    /// Git moved since apply: the desired script comes from the same repository file as the server's marker names,
    /// at another commit. Server edited since apply: the server's script no longer hashes to what DsOps applied.
    /// </summary>
    private static (bool GitMoved, bool ServerEdited) ProvenanceState(TaskSpec desired, TaskSpec server)
    {
        if (server.Provenance is not { } applied) return (false, false);
        var moved = applied.SameFile(desired.Provenance) && applied.Commit != desired.Provenance!.Commit;
        var edited = applied.ScriptHash is { } h && h != Provenance.ScriptProvenance.HashScript(server.Script);
        return (moved, edited);
    }

    private static string? ProvenanceNote(bool gitMoved, bool serverEdited, Provenance.ScriptProvenance? applied, Provenance.ScriptProvenance? desired) =>
        !gitMoved && !serverEdited ? null : string.Join("; ", new[]
        {
            gitMoved ? $"Git moved since apply: {applied!.Path} was applied at {applied.ShortCommit}, the specs now read it at {desired!.ShortCommit}" : null,
            serverEdited ? "server edited since apply: the script on the server differs from the one DsOps applied" : null,
        }.Where(n => n is not null));

    private static ImmutableArray<FieldChange> Diff<T>(IReadOnlyList<SpecFields.Field<T>> fields, T before, T after)
    {
        ImmutableArray<FieldChange>.Builder? changes = null;
        foreach (var f in fields)
        {
            if (f.Equal(before, after)) continue;
            (changes ??= ImmutableArray.CreateBuilder<FieldChange>()).Add(new FieldChange(f.Name, f.Show(before), f.Show(after)));
        }
        return changes?.ToImmutable() ?? ImmutableArray<FieldChange>.Empty;
    }
}
