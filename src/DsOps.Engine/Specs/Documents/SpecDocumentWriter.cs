using System.Globalization;
using DsOps.Engine.Specs.Model;

namespace DsOps.Engine.Specs.Documents;

/// <summary>
/// Spec model to the neutral document tree in the DsOps spec format (the inverse of
/// <see cref="Loading.SpecDocumentReader"/>), omitting fields at their defaults. Used by the YAML
/// writer (export) and by saved plans (JSON). In the tree, quoted scalars are strings and plain
/// scalars are typed literals (numbers, booleans, null).
/// </summary>
internal static class SpecDocumentWriter
{
    public static SpecMapping Document(string project, IEnumerable<WorkflowSpec> workflows, string? projectDescription = null) =>
        Map(("project", Str(project)), ("description", OptStr(projectDescription)), ("workflows", new SpecSequence(workflows.Select(w => (SpecNode)Workflow(w, includeProject: false)).ToList(), default)));

    public static SpecMapping Workflow(WorkflowSpec w, bool includeProject = true)
    {
        var e = new List<(string, SpecNode?)>
        {
            ("name", Str(w.Name)),
            ("project", includeProject ? Str(w.Project) : null),
            ("description", OptStr(w.Description)),
            ("renamedFrom", OptStr(w.RenamedFrom)),
            ("timeout", w.Timeout == 0 ? null : Num(w.Timeout)),
            ("executionType", w.ExecutionType == "PARALLEL" ? null : Str(w.ExecutionType)),
            ("releaseState", w.ReleaseState == "ONLINE" ? null : Str(w.ReleaseState)),
            ("tenant", OptStr(w.Tenant)),
            ("parameters", Parameters(w.Parameters)),
            ("schedule", w.Schedule is null ? null : Schedule(w.Schedule)),
            ("tasks", new SpecSequence(w.Tasks.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => (SpecNode)Task(t)).ToList(), default)),
        };
        return Map(e.ToArray());
    }

    private static SpecMapping Schedule(ScheduleSpec s)
    {
        var d = new ScheduleSpec(s.Cron);
        return Map(
            ("cron", Str(s.Cron)),
            ("timezone", Str(s.TimeZone)),
            ("start", s.Start == d.Start ? null : Str(s.Start)),
            ("end", s.End == d.End ? null : Str(s.End)),
            ("online", s.Online ? null : Bool(false)),
            ("failureStrategy", s.FailureStrategy == d.FailureStrategy ? null : Str(s.FailureStrategy)),
            ("warningType", s.WarningType == d.WarningType ? null : Str(s.WarningType)),
            ("warningGroup", OptStr(s.WarningGroup)),
            ("priority", s.Priority == d.Priority ? null : Str(s.Priority)),
            ("workerGroup", s.WorkerGroup == d.WorkerGroup ? null : Str(s.WorkerGroup)),
            ("environment", OptStr(s.Environment)));
    }

    public static SpecMapping Task(TaskSpec t)
    {
        var d = new TaskSpec(t.Name, t.Type);
        return Map(
            ("name", Str(t.Name)),
            ("type", Str(t.Type)),
            ("description", OptStr(t.Description)),
            ("renamedFrom", OptStr(t.RenamedFrom)),
            ("dependsOn", t.DependsOn.Length == 0 ? null : List(t.DependsOn)),
            ("script", t.Script is null ? null : Str(t.Script)),
            ("gitSource", t.Provenance is null ? null : Str(DsOps.Engine.Provenance.ProvenanceMarker.FormatSource(t.Provenance))),
            ("workerGroup", t.WorkerGroup == d.WorkerGroup ? null : Str(t.WorkerGroup)),
            ("environment", OptStr(t.Environment)),
            ("dataSource", OptStr(t.DataSource)),
            ("dataSourceType", OptStr(t.DataSourceType)),
            ("dataTarget", OptStr(t.DataTarget)),
            ("dataTargetType", OptStr(t.DataTargetType)),
            ("subWorkflow", OptStr(t.SubWorkflow)),
            ("retries", t.Retries == d.Retries ? null : Num(t.Retries)),
            ("retryInterval", t.RetryInterval == d.RetryInterval ? null : Num(t.RetryInterval)),
            ("timeout", t.Timeout == 0 ? null : Num(t.Timeout)),
            ("timeoutStrategy", OptStr(t.TimeoutStrategy)),
            ("priority", t.Priority == d.Priority ? null : Str(t.Priority)),
            ("delayTime", t.DelayTime == 0 ? null : Num(t.DelayTime)),
            ("enabled", t.Enabled ? null : Bool(false)),
            ("cache", t.Cache ? Bool(true) : null),
            ("parameters", Parameters(t.Parameters)),
            ("resources", t.Resources.Length == 0 ? null : List(t.Resources)),
            ("dependence", t.Dependence is null ? null : Dependence(t.Dependence)),
            ("conditions", t.Conditions is null ? null : Conditions(t.Conditions)),
            ("switch", t.Switch is null ? null : Switch(t.Switch)),
            ("params", t.Params == "{}" ? null : CanonicalJson.ToSpecNode(CanonicalJson.Parse(t.Params))));
    }

    private static SpecMapping Dependence(DependenceSpec d) => Map(
        ("relation", Str(d.Relation)),
        ("groups", new SpecSequence(d.Groups.Select(g => (SpecNode)Map(
            ("relation", Str(g.Relation)),
            ("items", new SpecSequence(g.Items.Select(i => (SpecNode)Map(
                ("project", Str(i.Project)), ("workflow", Str(i.Workflow)), ("task", OptStr(i.Task)),
                ("cycle", Str(i.Cycle)), ("date", Str(i.DateValue)))).ToList(), default)))).ToList(), default)),
        ("checkInterval", d.CheckInterval is { } ci ? Num(ci) : null),
        ("failurePolicy", OptStr(d.FailurePolicy)),
        ("failureWaitingTime", d.FailureWaitingTime is { } fw ? Num(fw) : null));

    private static SpecMapping Conditions(ConditionsSpec c) => Map(
        ("relation", Str(c.Relation)),
        ("groups", new SpecSequence(c.Groups.Select(g => (SpecNode)Map(
            ("relation", Str(g.Relation)),
            ("items", new SpecSequence(g.Items.Select(i => (SpecNode)Map(("task", Str(i.Task)), ("status", Str(i.Status)))).ToList(), default)))).ToList(), default)),
        ("success", List(c.SuccessTasks)),
        ("failed", List(c.FailedTasks)));

    private static SpecMapping Switch(SwitchSpec s) => Map(
        ("branches", new SpecSequence(s.Branches.Select(b => (SpecNode)Map(("condition", Str(b.Condition)), ("task", Str(b.Task)))).ToList(), default)),
        ("default", OptStr(s.Default)));

    private static SpecNode? Parameters(IReadOnlyList<ParameterSpec> ps)
    {
        if (ps.Count == 0) return null;
        return new SpecMapping(ps.Select(p => KeyValuePair.Create(Key(p.Name),
            p is { Type: "VARCHAR", Direction: "IN" }
                ? Str(p.Value)
                : (SpecNode)Map(("value", Str(p.Value)), ("type", Str(p.Type)), ("direction", p.Direction == "IN" ? null : Str(p.Direction))))).ToList(), default);
    }

    private static SpecMapping Map(params (string Key, SpecNode? Value)[] entries) =>
        new(entries.Where(e => e.Value is not null).Select(e => KeyValuePair.Create(Key(e.Key), e.Value!)).ToList(), default);

    private static SpecScalar Key(string k) => new(k, false, default);
    private static SpecScalar Str(string s) => new(s, false, default);
    private static SpecScalar? OptStr(string? s) => s is null ? null : Str(s);
    private static SpecScalar Num(long n) => new(n.ToString(CultureInfo.InvariantCulture), true, default);
    private static SpecScalar Bool(bool b) => new(b ? "true" : "false", true, default);
    private static SpecSequence List(IEnumerable<string> items) => new(items.Select(i => (SpecNode)Str(i)).ToList(), default);
}
