using DsOps.Engine.Specs.Model;

namespace DsOps.Engine.Planning;

/// <summary>
/// The order in which workflows must be written so that every reference resolves to a code that
/// already exists: a SUB_WORKFLOW task needs its child's code, a DEPENDENT item the code of the
/// workflow (and task) it waits for. References to workflows outside the set are ignored (they
/// must exist on the target already). Stable: ties keep project/name order.
/// </summary>
public static class WorkflowApplyOrder
{
    public static IReadOnlyList<WorkflowSpec> Order(IReadOnlyList<WorkflowSpec> workflows)
    {
        var byKey = new Dictionary<string, WorkflowSpec>(StringComparer.Ordinal);
        foreach (var w in workflows) byKey.TryAdd(w.Key, w);
        var ordered = new List<WorkflowSpec>(byKey.Count);
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 visiting, 2 done
        var path = new List<string>();

        void Visit(WorkflowSpec w)
        {
            switch (state.GetValueOrDefault(w.Key))
            {
                case 2: return;
                case 1:
                    var from = path.IndexOf(w.Key);
                    throw new DsOpsException(DsErrorKind.InvalidInput, "DsSpecWorkflowCycle",
                        $"Workflows reference each other in a loop (sub-workflow or dependent): {string.Join(" -> ", path.Skip(from).Append(w.Key))}.");
            }
            state[w.Key] = 1;
            path.Add(w.Key);
            foreach (var dep in References(w).Order(StringComparer.Ordinal))
                if (dep != w.Key && byKey.TryGetValue(dep, out var target)) Visit(target);
            path.RemoveAt(path.Count - 1);
            state[w.Key] = 2;
            ordered.Add(w);
        }

        foreach (var w in byKey.Values.OrderBy(w => w.Project, StringComparer.Ordinal).ThenBy(w => w.Name, StringComparer.Ordinal)) Visit(w);
        return ordered;
    }

    /// <summary>Keys ("project/workflow") of the workflows <paramref name="w"/> refers to.</summary>
    public static IEnumerable<string> References(WorkflowSpec w)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in w.Tasks)
        {
            if (t.SubWorkflow is { } child) keys.Add(w.Project + "/" + child);
            if (t.Dependence is { } d)
                foreach (var g in d.Groups)
                foreach (var i in g.Items)
                    keys.Add(i.Project + "/" + i.Workflow);
        }
        return keys;
    }
}
