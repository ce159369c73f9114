using System.Globalization;
using DsOps.Engine.Dialects;
using DsOps.Engine.Specs.Model;

namespace DsOps.Engine.Specs.Validation;

/// <summary>
/// Offline validation of workflow specs: structure, DAG, schedule, parameters, task-type needs.
/// <see cref="ValidateTargetAsync"/> adds the checks that need the target's inventory.
/// Rule ids are stable and documented in docs/workflows-as-config.md.
/// </summary>
public static partial class SpecValidator
{
    public static readonly IReadOnlySet<string> ParameterTypes = new HashSet<string>(StringComparer.Ordinal)
        { "VARCHAR", "INTEGER", "LONG", "FLOAT", "DOUBLE", "DATE", "TIME", "TIMESTAMP", "BOOLEAN", "LIST", "FILE" };

    private static readonly string[] Priorities = { "HIGHEST", "HIGH", "MEDIUM", "LOW", "LOWEST" };
    private static readonly string[] ExecutionTypes = { "PARALLEL", "SERIAL_WAIT", "SERIAL_DISCARD", "SERIAL_PRIORITY" };
    private static readonly string[] ReleaseStates = { "ONLINE", "OFFLINE" };
    private static readonly string[] TimeoutStrategies = { "WARN", "FAILED", "WARNFAILED" };
    private static readonly string[] FailureStrategies = { "CONTINUE", "END" };
    private static readonly string[] WarningTypes = { "NONE", "SUCCESS", "FAILURE", "ALL" };
    private static readonly string[] Relations = { "AND", "OR" };
    private static readonly string[] Cycles = { "month", "week", "day", "hour" };
    private static readonly string[] ConditionStates = { "SUCCESS", "FAILURE" };

    public static IReadOnlyList<SpecFinding> Validate(IReadOnlyList<WorkflowSpec> workflows)
    {
        var sink = new FindingSink();
        var seen = new Dictionary<string, WorkflowSpec>(StringComparer.Ordinal);
        foreach (var w in workflows)
        {
            if (seen.TryGetValue(w.Key, out var first))
                sink.Error("DuplicateWorkflow", w.Location, $"workflow '{w.Name}' of project '{w.Project}' is declared twice (first at {Where(first.Location)}).", w.Name);
            else seen[w.Key] = w;
        }
        foreach (var w in workflows) ValidateWorkflow(w, seen, sink);
        CheckSubWorkflowLoops(seen, sink);
        return sink.Items;
    }

    /// <summary>A workflow that (indirectly) runs itself as a sub-workflow never finishes.</summary>
    private static void CheckSubWorkflowLoops(Dictionary<string, WorkflowSpec> all, FindingSink sink)
    {
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var start in all.Values.OrderBy(w => w.Key, StringComparer.Ordinal))
        {
            // Follow sub-workflow edges breadth-first; a path back to the start is a loop.
            var queue = new Queue<List<string>>();
            queue.Enqueue(new List<string> { start.Key });
            var seen = new HashSet<string>(StringComparer.Ordinal) { start.Key };
            while (queue.Count > 0)
            {
                var path = queue.Dequeue();
                if (!all.TryGetValue(path[^1], out var w)) continue;
                foreach (var child in w.Tasks.Where(t => t.SubWorkflow is not null).Select(t => w.Project + "/" + t.SubWorkflow).Distinct().Order(StringComparer.Ordinal))
                {
                    if (child == start.Key && path.Count > 1)
                    {
                        var key = string.Join("\u0001", path.Order(StringComparer.Ordinal));
                        if (reported.Add(key))
                            sink.Error("SubWorkflowCycle", start.Location, $"workflows run each other as sub-workflows: {string.Join(" -> ", path.Append(child))}.", start.Name);
                    }
                    else if (seen.Add(child)) queue.Enqueue(new List<string>(path) { child });
                }
            }
        }
    }

    private static string Where(SourceLocation l) => l.IsKnown ? l.ToString() : "another source";

    private static void ValidateWorkflow(WorkflowSpec w, IReadOnlyDictionary<string, WorkflowSpec> all, FindingSink sink)
    {
        OneOf(sink, w.ExecutionType, ExecutionTypes, "executionType", w.Location, w.Name, null);
        OneOf(sink, w.ReleaseState, ReleaseStates, "releaseState", w.Location, w.Name, null);
        if (w.Tasks.Length == 0)
            sink.Error("EmptyWorkflow", w.Location, $"workflow '{w.Name}' has no tasks (DS refuses an empty DAG).", w.Name);
        CheckParameters(w.Parameters, sink, w.Name, null);
        if (w.Schedule is { } s) CheckSchedule(s, sink, w.Name);
        CheckLimits(w, DsDialect.AnyVersionLimits, sink, versionSpecific: false);

        var tasks = new Dictionary<string, TaskSpec>(StringComparer.Ordinal);
        foreach (var t in w.Tasks)
        {
            if (tasks.TryGetValue(t.Name, out var first))
                sink.Error("DuplicateTask", t.Location, $"task '{t.Name}' appears twice in workflow '{w.Name}' (first at {Where(first.Location)}).", w.Name, t.Name);
            else tasks[t.Name] = t;
        }
        foreach (var t in w.Tasks) CheckTask(w, t, tasks, all, sink);
        CheckCycles(w, tasks, sink);
    }

    private static void CheckTask(WorkflowSpec w, TaskSpec t, Dictionary<string, TaskSpec> tasks, IReadOnlyDictionary<string, WorkflowSpec> all, FindingSink sink)
    {
        var type = DsDialect.CanonicalTaskType(t.Type);
        if (t.Type.Length > 0 && !DsDialect.KnownTaskTypes.Contains(t.Type))
            sink.Error("UnknownTaskType", t.Location, $"task '{t.Name}' has unknown type '{t.Type}' (known: {string.Join(", ", DsDialect.KnownTaskTypes.Order(StringComparer.Ordinal))}).", w.Name, t.Name);
        foreach (var dep in t.DependsOn)
        {
            if (dep == t.Name)
                sink.Error("SelfDependency", t.LocationOfDependency(dep), $"task '{t.Name}' depends on itself.", w.Name, t.Name);
            else if (!tasks.ContainsKey(dep))
                sink.Error("UnknownDependency", t.LocationOfDependency(dep), $"task '{t.Name}' depends on '{dep}', which is not a task of workflow '{w.Name}'{Suggest(dep, tasks.Keys)}.", w.Name, t.Name);
        }
        OneOf(sink, t.Priority, Priorities, "priority", t.Location, w.Name, t.Name);
        if (t.TimeoutStrategy is not null) OneOf(sink, t.TimeoutStrategy, TimeoutStrategies, "timeoutStrategy", t.Location, w.Name, t.Name);
        if (t.TimeoutStrategy is not null && t.Timeout == 0)
            sink.Warning("TimeoutStrategyWithoutTimeout", t.Location, $"task '{t.Name}' sets timeoutStrategy but no timeout; the strategy has no effect.", w.Name, t.Name);
        CheckParameters(t.Parameters, sink, w.Name, t.Name);
        CheckDatePatterns(t.Script, t.Location, sink, w.Name, t.Name);

        void Need(bool ok, string field, string why)
        {
            if (!ok) sink.Error("MissingField", t.Location, $"{type} task '{t.Name}' needs '{field}' ({why}).", w.Name, t.Name);
        }
        void Unused(object? section, string field)
        {
            if (section is not null) sink.Warning("IgnoredField", t.Location, $"'{field}' has no meaning for a {type} task and is ignored.", w.Name, t.Name);
        }
        switch (type)
        {
            case "SHELL" or "PYTHON":
                Need(!string.IsNullOrWhiteSpace(t.Script), "script or scriptFile", "the script to run");
                break;
            case "SQL":
                Need(!string.IsNullOrWhiteSpace(t.Script), "script or scriptFile", "the SQL statement");
                Need(!string.IsNullOrWhiteSpace(t.DataSource), "dataSource", "the data source name");
                break;
            case "PROCEDURE":
                Need(!string.IsNullOrWhiteSpace(t.Script), "script", "the call statement, e.g. call p(${a})");
                Need(!string.IsNullOrWhiteSpace(t.DataSource), "dataSource", "the data source name");
                break;
            case "DATAX":
                if (!ParamsHas(t, "\"customConfig\":1"))
                {
                    Need(!string.IsNullOrWhiteSpace(t.DataSource), "dataSource", "the source data source, or params.customConfig: 1 with params.json");
                    Need(!string.IsNullOrWhiteSpace(t.DataTarget), "dataTarget", "the target data source");
                }
                break;
            case "SUB_WORKFLOW":
                Need(!string.IsNullOrWhiteSpace(t.SubWorkflow), "subWorkflow", "the child workflow's name");
                if (!string.IsNullOrWhiteSpace(t.SubWorkflow) && !all.ContainsKey(w.Project + "/" + t.SubWorkflow))
                    sink.Add(new SpecFinding(SpecSeverity.Information, "ExternalSubWorkflow", $"sub-workflow '{t.SubWorkflow}' is not among these specs; it must already exist in project '{w.Project}'.", t.Location) { Workflow = w.Name, Task = t.Name });
                if (t.SubWorkflow == w.Name)
                    sink.Error("SubWorkflowCycle", t.Location, $"task '{t.Name}' runs its own workflow '{w.Name}' as a sub-workflow.", w.Name, t.Name);
                break;
            case "HTTP":
                Need(ParamsHas(t, "\"url\":"), "params.url", "the URL to call");
                break;
            case "DEPENDENT":
                Need(t.Dependence is { Groups.Length: > 0 }, "dependence", "at least one group of items");
                break;
            case "CONDITIONS":
                Need(t.Conditions is not null, "conditions", "the upstream states and the success/failed branches");
                break;
            case "SWITCH":
                Need(t.Switch is not null, "switch", "branches with conditions and target tasks");
                break;
        }
        if (type != "DEPENDENT") Unused(t.Dependence, "dependence");
        if (type != "CONDITIONS") Unused(t.Conditions, "conditions");
        if (type != "SWITCH") Unused(t.Switch, "switch");
        if (type != "SUB_WORKFLOW") Unused(t.SubWorkflow, "subWorkflow");

        if (t.Dependence is { } d)
        {
            OneOf(sink, d.Relation, Relations, "dependence.relation", t.Location, w.Name, t.Name);
            foreach (var g in d.Groups)
            {
                OneOf(sink, g.Relation, Relations, "dependence group relation", t.Location, w.Name, t.Name);
                if (g.Items.Length == 0) sink.Error("MissingField", t.Location, $"a dependence group of task '{t.Name}' has no items.", w.Name, t.Name);
                foreach (var i in g.Items)
                {
                    if (!Cycles.Contains(i.Cycle)) sink.Error("InvalidValue", i.Location, $"dependence cycle '{i.Cycle}' must be one of {string.Join(", ", Cycles)}.", w.Name, t.Name);
                    if (i.Project.Length == 0) sink.Error("MissingField", i.Location, $"dependence item of task '{t.Name}' has no 'project'.", w.Name, t.Name);
                    if (i.Project == w.Project && i.Workflow == w.Name && i.Task is null)
                        sink.Error("DependentOnSelf", i.Location, $"task '{t.Name}' waits for its own workflow '{w.Name}'.", w.Name, t.Name);
                }
            }
        }
        if (t.Conditions is { } c)
        {
            OneOf(sink, c.Relation, Relations, "conditions.relation", c.Location, w.Name, t.Name);
            foreach (var g in c.Groups)
            foreach (var i in g.Items)
            {
                Ref(i.Task, "conditions item");
                if (!ConditionStates.Contains(i.Status)) sink.Error("InvalidValue", c.Location, $"conditions status '{i.Status}' must be SUCCESS or FAILURE.", w.Name, t.Name);
            }
            foreach (var s in c.SuccessTasks) Ref(s, "conditions success branch");
            foreach (var f in c.FailedTasks) Ref(f, "conditions failed branch");
        }
        if (t.Switch is { } sw)
        {
            if (sw.Branches.Length == 0) sink.Error("MissingField", sw.Location, $"switch of task '{t.Name}' has no branches.", w.Name, t.Name);
            foreach (var b in sw.Branches)
            {
                if (string.IsNullOrWhiteSpace(b.Condition)) sink.Error("MissingField", sw.Location, $"a switch branch of task '{t.Name}' has no condition.", w.Name, t.Name);
                Ref(b.Task, "switch branch");
            }
            if (sw.Default is not null) Ref(sw.Default, "switch default");
            foreach (var target in sw.Branches.Select(b => b.Task).Append(sw.Default).OfType<string>().Distinct())
                Downstream(target, "switch branch", sw.Location);
        }
        if (t.Conditions is { } co)
        {
            foreach (var outcome in co.SuccessTasks.Concat(co.FailedTasks).Distinct())
                Downstream(outcome, co.SuccessTasks.Contains(outcome) ? "conditions success branch" : "conditions failed branch", co.Location);
            foreach (var input in co.Groups.SelectMany(g => g.Items).Select(i => i.Task).Distinct())
                if (tasks.ContainsKey(input) && input != t.Name && !t.DependsOn.Contains(input))
                    sink.Error("MissingLogicRelation", co.Location,
                        $"conditions task '{t.Name}' checks task '{input}', which is not upstream of it: add '{input}' to dependsOn of task '{t.Name}' " +
                        $"(DS judges a condition when its upstream tasks finish; without the relation it is judged before '{input}' runs).", w.Name, t.Name);
        }

        // DS runs a switch's branches and a condition's outcomes only as their downstream tasks.
        void Downstream(string target, string what, SourceLocation at)
        {
            if (target.Length == 0 || target == t.Name || !tasks.TryGetValue(target, out var branch) || branch.DependsOn.Contains(t.Name)) return;
            sink.Error("MissingLogicRelation", at,
                $"{what} '{target}' of task '{t.Name}' is not downstream of it: add '{t.Name}' to dependsOn of task '{target}' (at {Where(branch.Location)}); " +
                $"DS runs a {type} task's branches only as its downstream tasks, and without the relation '{target}' starts at once.", w.Name, t.Name);
        }

        void Ref(string name, string what)
        {
            if (name.Length == 0)
                sink.Error("MissingField", t.Location, $"a {what} of task '{t.Name}' names no task.", w.Name, t.Name);
            else if (!tasks.ContainsKey(name))
                sink.Error("UnknownTaskReference", t.Location, $"{what} of task '{t.Name}' refers to '{name}', which is not a task of workflow '{w.Name}'{Suggest(name, tasks.Keys)}.", w.Name, t.Name);
        }
    }

    private static bool ParamsHas(TaskSpec t, string fragment) => t.Params.Contains(fragment, StringComparison.Ordinal);

    private static void CheckSchedule(ScheduleSpec s, FindingSink sink, string workflow)
    {
        if (QuartzCron.Validate(s.Cron) is { } why)
            sink.Error("InvalidCron", s.Location, $"cron '{s.Cron}' is invalid: {why}.", workflow);
        if (!DsTimeZones.TryFind(s.TimeZone, out _))
            sink.Error("InvalidTimeZone", s.Location, $"time zone '{s.TimeZone}' is unknown (use an IANA id such as Asia/Shanghai or UTC).", workflow);
        var start = ParseTime(s.Start, "start", s, sink, workflow);
        var end = ParseTime(s.End, "end", s, sink, workflow);
        if (start is not null && end is not null && start >= end)
            sink.Error("InvalidScheduleRange", s.Location, $"schedule start {s.Start} must be before end {s.End}.", workflow);
        OneOf(sink, s.FailureStrategy, FailureStrategies, "schedule failureStrategy", s.Location, workflow, null);
        OneOf(sink, s.WarningType, WarningTypes, "schedule warningType", s.Location, workflow, null);
        OneOf(sink, s.Priority, Priorities, "schedule priority", s.Location, workflow, null);
        if (s.WarningType != "NONE" && s.WarningGroup is null)
            sink.Warning("WarningWithoutGroup", s.Location, $"schedule warningType is {s.WarningType} but no warningGroup is set.", workflow);
    }

    private static DateTime? ParseTime(string text, string what, ScheduleSpec s, FindingSink sink, string workflow)
    {
        if (DateTime.TryParseExact(text, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)) return t;
        sink.Error("InvalidScheduleRange", s.Location, $"schedule {what} '{text}' must look like 2024-01-01 00:00:00.", workflow);
        return null;
    }

    private static void CheckParameters(IReadOnlyList<ParameterSpec> ps, FindingSink sink, string workflow, string? task)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in ps)
        {
            if (p.Name.Length == 0 || !p.Name.All(c => char.IsLetterOrDigit(c) || c is '_' or '.' or '-'))
                sink.Error("InvalidParameter", p.Location, $"parameter name '{p.Name}' must be letters, digits, '_', '.' or '-'.", workflow, task);
            if (!names.Add(p.Name))
                sink.Error("InvalidParameter", p.Location, $"parameter '{p.Name}' is declared twice.", workflow, task);
            if (!ParameterTypes.Contains(p.Type))
                sink.Error("InvalidParameter", p.Location, $"parameter '{p.Name}' has unknown type '{p.Type}' (known: {string.Join(", ", ParameterTypes)}).", workflow, task);
            if (p.Direction is not ("IN" or "OUT"))
                sink.Error("InvalidParameter", p.Location, $"parameter '{p.Name}' has direction '{p.Direction}'; use IN or OUT.", workflow, task);
            if (task is null && p.Direction == "OUT")
                sink.Warning("InvalidParameter", p.Location, $"global parameter '{p.Name}' is OUT; global parameters are inputs.", workflow);
            if (p.Type is "INTEGER" or "LONG" && p.Value.Length > 0 && !p.Value.Contains('$') && !long.TryParse(p.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                sink.Error("InvalidParameter", p.Location, $"parameter '{p.Name}' is {p.Type} but its value '{p.Value}' is not a whole number.", workflow, task);
            CheckDatePatterns(p.Value, p.Location, sink, workflow, task);
            if (p.Value.Contains("${" + p.Name + "}", StringComparison.Ordinal))
                sink.Warning("SelfReferencingParameter", p.Location, $"parameter '{p.Name}' refers to itself (${{{p.Name}}}); DS cannot resolve it.", workflow, task);
        }
    }

    /// <summary>DS time placeholders use Java patterns: YYYY is week-year and DD day-of-year - almost always a mistake.</summary>
    private static void CheckDatePatterns(string? text, SourceLocation at, FindingSink sink, string workflow, string? task)
    {
        if (text is null) return;
        var i = text.IndexOf("$[", StringComparison.Ordinal);
        while (i >= 0)
        {
            var end = text.IndexOf(']', i);
            if (end < 0) break;
            var pattern = text.Substring(i + 2, end - i - 2);
            if (pattern.Contains("YYYY", StringComparison.Ordinal) || pattern.Contains("DD", StringComparison.Ordinal))
                sink.Warning("SuspiciousDatePattern", at, $"'$[{pattern}]' uses YYYY (week-year) or DD (day-of-year); you probably mean yyyy / dd.", workflow, task);
            i = text.IndexOf("$[", end, StringComparison.Ordinal);
        }
    }

    private static void OneOf(FindingSink sink, string value, string[] allowed, string field, SourceLocation at, string workflow, string? task)
    {
        if (Array.IndexOf(allowed, value) < 0)
            sink.Error("InvalidValue", at, $"{field} '{value}' must be one of {string.Join(", ", allowed)}.", workflow, task);
    }

    /// <summary>" (did you mean 'x'?)" for the closest candidate, or "".</summary>
    internal static string Suggest(string name, IEnumerable<string> candidates)
    {
        var best = candidates.Select(c => (c, d: Distance(name, c))).Where(x => x.d <= Math.Max(1, name.Length / 3)).OrderBy(x => x.d).ThenBy(x => x.c, StringComparer.Ordinal).FirstOrDefault();
        return best.c is null ? "" : $" (did you mean '{best.c}'?)";
    }

    private static int Distance(string a, string b)
    {
        var d = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) d[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            var prev = d[0];
            d[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var tmp = d[j];
                d[j] = Math.Min(Math.Min(d[j] + 1, d[j - 1] + 1), prev + (a[i - 1] == b[j - 1] ? 0 : 1));
                prev = tmp;
            }
        }
        return d[b.Length];
    }

    /// <summary>Reports each dependency cycle once, as "a -> b -> c -> a".</summary>
    private static void CheckCycles(WorkflowSpec w, Dictionary<string, TaskSpec> tasks, FindingSink sink)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 0 new, 1 on stack, 2 done
        var reported = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();
        foreach (var start in tasks.Keys.Order(StringComparer.Ordinal))
        {
            if (state.GetValueOrDefault(start) != 0) continue;
            // Iterative DFS over "depends on" edges: stack of (node, next dependency index).
            var stack = new Stack<(string Node, int Next)>();
            stack.Push((start, 0));
            state[start] = 1;
            path.Add(start);
            while (stack.Count > 0)
            {
                var (node, next) = stack.Pop();
                var deps = tasks[node].DependsOn;
                if (next < deps.Length)
                {
                    stack.Push((node, next + 1));
                    var dep = deps[next];
                    if (dep == node || !tasks.ContainsKey(dep)) continue; // reported elsewhere
                    var s = state.GetValueOrDefault(dep);
                    if (s == 0)
                    {
                        state[dep] = 1;
                        path.Add(dep);
                        stack.Push((dep, 0));
                    }
                    else if (s == 1)
                    {
                        var from = path.IndexOf(dep);
                        var cycle = path.Skip(from).ToList();
                        var key = string.Join("\u0001", cycle.Order(StringComparer.Ordinal));
                        if (reported.Add(key))
                        {
                            // path runs downstream -> upstream; print in execution order.
                            cycle.Reverse();
                            // Start at the smallest name so the message is the same whatever the DFS order.
                            var min = cycle.IndexOf(cycle.Min(StringComparer.Ordinal)!);
                            cycle = cycle.Skip(min).Concat(cycle.Take(min)).ToList();
                            var text = string.Join(" -> ", cycle.Append(cycle[0]));
                            sink.Error("Cycle", tasks[cycle[0]].Location, $"workflow '{w.Name}' has a dependency cycle: {text}.", w.Name, cycle[0]);
                        }
                    }
                }
                else
                {
                    state[node] = 2;
                    path.RemoveAt(path.Count - 1);
                }
            }
        }
    }

    /// <summary>
    /// Checks that need the target's DS version (known once connected): task types and fields that
    /// version does not have. Facts live in <see cref="DsDialect"/>.
    /// </summary>
    public static IReadOnlyList<SpecFinding> ValidateForDialect(IReadOnlyList<WorkflowSpec> workflows, DsDialect dialect)
    {
        var sink = new FindingSink();
        foreach (var w in workflows) CheckLimits(w, dialect.Limits, sink, versionSpecific: true);
        foreach (var w in workflows)
        foreach (var t in w.Tasks)
        {
            if (!dialect.HasTaskType(t.Type))
                sink.Error("TaskTypeNotInVersion", t.Location, $"task '{t.Name}' is {t.Type}, which {dialect} no longer has.", w.Name, t.Name);
            else if (dialect.MayLackTaskType(t.Type))
                sink.Warning("TaskTypeNotInVersion", t.Location, $"task type {t.Type} is documented for later DS versions; {dialect} may not have it (unverified).", w.Name, t.Name);
            if (t.Type == "HTTP" && !dialect.HttpSupportsHead && t.Params.Contains("\"httpMethod\":\"HEAD\"", StringComparison.Ordinal))
                sink.Error("InvalidValue", t.Location, $"HTTP task '{t.Name}' uses HEAD, which {dialect} does not support.", w.Name, t.Name);
            if (t.Dependence is { } d && !dialect.DependentHasFailurePolicy && (d.CheckInterval is not null || d.FailurePolicy is not null || d.FailureWaitingTime is not null))
                sink.Warning("IgnoredField", t.Location, $"dependence checkInterval/failurePolicy/failureWaitingTime of task '{t.Name}' exist from DS 3.2; {dialect} ignores them.", w.Name, t.Name);
            if (t.Cache && !dialect.TaskHasIsCache)
                sink.Warning("IgnoredField", t.Location, $"task '{t.Name}' sets cache, which only DS 3.2 has; it is not sent to {dialect}.", w.Name, t.Name);
        }
        return sink.Items;
    }

    /// <summary>Checks names the specs use against what exists on the target.</summary>
    internal static async Task<IReadOnlyList<SpecFinding>> ValidateTargetAsync(IReadOnlyList<WorkflowSpec> workflows, ITargetInventory target, CancellationToken cancellationToken = default)
    {
        var sink = new FindingSink();
        var dataSources = await target.DataSourcesAsync(cancellationToken).ConfigureAwait(false);
        var workerGroups = await target.WorkerGroupsAsync(cancellationToken).ConfigureAwait(false);
        var environments = await target.EnvironmentsAsync(cancellationToken).ConfigureAwait(false);
        var tenants = await target.TenantsAsync(cancellationToken).ConfigureAwait(false);
        var alertGroups = await target.AlertGroupsAsync(cancellationToken).ConfigureAwait(false);
        void Check(string? name, IReadOnlySet<string> existing, string rule, string what, SourceLocation at, string wf, string? task)
        {
            if (name is null || name.StartsWith("id:", StringComparison.Ordinal) || existing.Contains(name)) return;
            sink.Error(rule, at, $"{what} '{name}' does not exist on {target.Target}.", wf, task);
        }
        foreach (var w in workflows)
        {
            Check(w.Tenant, tenants, "MissingTenant", "tenant", w.Location, w.Name, null);
            if (w.Schedule is { } s)
            {
                Check(s.WorkerGroup, workerGroups, "MissingWorkerGroup", "worker group", s.Location, w.Name, null);
                Check(s.Environment, environments, "MissingEnvironment", "environment", s.Location, w.Name, null);
                Check(s.WarningGroup, alertGroups, "MissingAlertGroup", "alert group", s.Location, w.Name, null);
            }
            foreach (var t in w.Tasks)
            {
                Check(t.WorkerGroup, workerGroups, "MissingWorkerGroup", "worker group", t.Location, w.Name, t.Name);
                Check(t.Environment, environments, "MissingEnvironment", "environment", t.Location, w.Name, t.Name);
                Check(t.DataSource, dataSources, "MissingDataSource", "data source", t.Location, w.Name, t.Name);
                Check(t.DataTarget, dataSources, "MissingDataSource", "data source", t.Location, w.Name, t.Name);
            }
        }
        return sink.Items;
    }
}
