using System.Collections.Immutable;
using System.Globalization;
using DsOps.Engine.Specs.Documents;
using DsOps.Engine.Specs.Model;
using DsOps.Engine.Specs.Validation;

namespace DsOps.Engine.Specs.Loading;

/// <summary>Options shared by every spec loader.</summary>
internal sealed record SpecLoadOptions
{
    public SpecReaderLimits Limits { get; init; } = SpecReaderLimits.Default;
    /// <summary>Environment variable lookup for <c>${env:NAME}</c>; null = the process environment.</summary>
    public Func<string, string?>? EnvironmentVariables { get; init; }
    /// <summary>Project for documents that do not name one.</summary>
    public string? DefaultProject { get; init; }
    /// <summary>Folder that script files must stay inside; null = the folder of each spec file.</summary>
    public string? Root { get; init; }
    /// <summary>Per-environment mapping applied after loading (see <see cref="EnvironmentOverlay"/>).</summary>
    public EnvironmentOverlay? Overlay { get; init; }
    /// <summary>Reports (files done, files total, current file) while a folder loads; called on the loading thread.</summary>
    public Action<int, int, string>? Progress { get; init; }
    /// <summary>Collects the <c>${env:NAME}</c> values substituted, so plans can show the reference instead (null = not collected).</summary>
    public InterpolatedValues? Interpolated { get; init; }

    public static readonly SpecLoadOptions Default = new();
}

/// <summary>
/// Builds workflow specs from a DsOps spec document (the neutral tree of a YAML or JSON file).
/// Reports every problem as a finding with file:line:col and keeps going, so one run shows them all.
/// Format reference: docs/workflows-as-config.md; JSON Schema: module/DsOps/schemas/dsops-workflow.schema.json.
/// </summary>
internal sealed class SpecDocumentReader
{
    internal static readonly string[] TopKeys = { "project", "description", "workflows", "workflow" };
    internal static readonly string[] WorkflowKeys =
        { "name", "project", "description", "renamedFrom", "timeout", "executionType", "releaseState", "tenant", "parameters", "schedule", "tasks" };
    internal static readonly string[] ScheduleKeys =
        { "cron", "timezone", "start", "end", "online", "failureStrategy", "warningType", "warningGroup", "priority", "workerGroup", "environment" };
    internal static readonly string[] TaskKeys =
    {
        "name", "type", "description", "renamedFrom", "dependsOn", "script", "scriptFile", "gitSource", "workerGroup", "environment",
        "dataSource", "dataSourceType", "dataTarget", "dataTargetType", "subWorkflow", "retries", "retryInterval", "timeout",
        "timeoutStrategy", "priority", "delayTime", "enabled", "cache", "parameters", "resources", "dependence", "conditions", "switch", "params",
    };

    private static readonly TaskSpec TaskDefaults = new("", "");

    private readonly FindingSink _findings;
    private readonly Dictionary<string, string> _projectDescriptions = new(StringComparer.Ordinal);

    /// <summary>Top-level descriptions of the documents read so far, by project.</summary>
    public IReadOnlyDictionary<string, string> ProjectDescriptions => _projectDescriptions;
    private readonly SpecInterpolator _interpolator;
    private readonly SpecLoadOptions _options;
    private string? _file;

    public SpecDocumentReader(FindingSink findings, SpecLoadOptions? options = null)
    {
        _findings = findings;
        _options = options ?? SpecLoadOptions.Default;
        _interpolator = new SpecInterpolator(_options.EnvironmentVariables, _options.Interpolated);
    }

    /// <summary>Reads one document; <paramref name="file"/> anchors relative script paths.</summary>
    public IReadOnlyList<WorkflowSpec> Read(SpecNode? root, string? file)
    {
        _file = file;
        var result = new List<WorkflowSpec>();
        if (root is null) return result;
        if (root is not SpecMapping top)
        {
            _findings.Error("InvalidDocument", root.Location, $"a spec document is a mapping with 'project' and 'workflows', not a {root.Kind}.");
            return result;
        }
        CheckKeys(top, TopKeys, "document");
        var project = Str(top, "project") ?? _options.DefaultProject;
        // Conflicts between files are reported by the folder loader, which sees every file.
        if (project is not null && Str(top, "description") is { } description) _projectDescriptions.TryAdd(project, description);
        if (top["workflows"] is { } list)
        {
            if (list is SpecSequence seq)
                foreach (var item in seq.Items) AddWorkflow(item, project, result);
            else if (list is not SpecScalar { IsNull: true })
                _findings.Error("InvalidType", list.Location, "'workflows' must be a list of workflows.");
        }
        if (top["workflow"] is { } single) AddWorkflow(single, project, result);
        if (top["workflows"] is null && top["workflow"] is null)
            _findings.Warning("EmptyDocument", top.Location, "document declares no workflows (expected 'workflows:' or 'workflow:').");
        return result;
    }

    private void AddWorkflow(SpecNode node, string? project, List<WorkflowSpec> into)
    {
        if (node is not SpecMapping m)
        {
            _findings.Error("InvalidType", node.Location, $"a workflow is a mapping, not a {node.Kind}.");
            return;
        }
        var w = ReadWorkflow(m, project);
        if (w is not null) into.Add(w);
    }

    private WorkflowSpec? ReadWorkflow(SpecMapping m, string? defaultProject)
    {
        CheckKeys(m, WorkflowKeys, "workflow");
        var name = Str(m, "name");
        if (string.IsNullOrWhiteSpace(name))
        {
            _findings.Error("MissingField", m.Location, "workflow has no 'name'.");
            return null;
        }
        var project = Str(m, "project") ?? defaultProject;
        if (string.IsNullOrWhiteSpace(project))
        {
            _findings.Error("MissingField", m.Location, $"workflow '{name}' has no project: set 'project' at the top of the file or on the workflow.", name);
            project = "";
        }
        var tasks = ImmutableArray.CreateBuilder<TaskSpec>();
        if (m["tasks"] is SpecSequence ts)
        {
            foreach (var t in ts.Items)
            {
                if (t is SpecMapping tm)
                {
                    var task = ReadTask(tm, name);
                    if (task is not null) tasks.Add(task);
                }
                else _findings.Error("InvalidType", t.Location, $"a task is a mapping, not a {t.Kind}.", name);
            }
        }
        else if (m["tasks"] is { } bad && bad is not SpecScalar { IsNull: true })
            _findings.Error("InvalidType", bad.Location, "'tasks' must be a list.", name);

        return new WorkflowSpec(project, name, tasks.ToImmutable())
        {
            Description = Str(m, "description"),
            RenamedFrom = Str(m, "renamedFrom"),
            Timeout = Int(m, "timeout", 0, name),
            ExecutionType = Upper(Str(m, "executionType")) ?? "PARALLEL",
            ReleaseState = Upper(Str(m, "releaseState")) ?? "ONLINE",
            Tenant = Str(m, "tenant"),
            Parameters = Parameters(m["parameters"], name, null),
            Schedule = m["schedule"] is SpecMapping sm ? ReadSchedule(sm, name) : BadSection(m["schedule"], "schedule", name),
            Location = m.Location,
        };
    }

    private ScheduleSpec? BadSection(SpecNode? node, string what, string workflow, string? task = null)
    {
        if (node is not null and not SpecScalar { IsNull: true })
            _findings.Error("InvalidType", node.Location, $"'{what}' must be a mapping.", workflow, task);
        return null;
    }

    private ScheduleSpec? ReadSchedule(SpecMapping m, string workflow)
    {
        CheckKeys(m, ScheduleKeys, "schedule");
        var cron = Str(m, "cron");
        if (string.IsNullOrWhiteSpace(cron))
        {
            _findings.Error("MissingField", m.Location, "schedule has no 'cron'.", workflow);
            return null;
        }
        var defaults = new ScheduleSpec(cron);
        return defaults with
        {
            TimeZone = Str(m, "timezone") ?? defaults.TimeZone,
            Start = Str(m, "start") ?? defaults.Start,
            End = Str(m, "end") ?? defaults.End,
            Online = Bool(m, "online", true, workflow),
            FailureStrategy = Upper(Str(m, "failureStrategy")) ?? defaults.FailureStrategy,
            WarningType = Upper(Str(m, "warningType")) ?? defaults.WarningType,
            WarningGroup = Str(m, "warningGroup"),
            Priority = Upper(Str(m, "priority")) ?? defaults.Priority,
            WorkerGroup = Str(m, "workerGroup") ?? defaults.WorkerGroup,
            Environment = Str(m, "environment"),
            Location = m["cron"]?.Location ?? m.Location,
        };
    }

    private TaskSpec? ReadTask(SpecMapping m, string workflow)
    {
        CheckKeys(m, TaskKeys, "task");
        var name = Str(m, "name");
        if (string.IsNullOrWhiteSpace(name))
        {
            _findings.Error("MissingField", m.Location, $"a task of workflow '{workflow}' has no 'name'.", workflow);
            return null;
        }
        var type = Upper(Str(m, "type"));
        if (string.IsNullOrWhiteSpace(type))
        {
            _findings.Error("MissingField", m.Location, $"task '{name}' has no 'type'.", workflow, name);
            type = "";
        }
        type = DsOps.Engine.Dialects.DsDialect.CanonicalTaskType(type);

        var deps = new SortedSet<string>(StringComparer.Ordinal);
        var depLocations = new CompactMap<SourceLocation>.Builder();
        foreach (var (dep, at) in StrList(m["dependsOn"], "dependsOn", workflow, name))
        {
            if (!deps.Add(dep)) _findings.Warning("DuplicateDependency", at, $"task '{name}' lists '{dep}' twice in dependsOn.", workflow, name);
            depLocations[dep] = at;
        }

        string? script = Str(m, "script");
        var scriptFile = Str(m, "scriptFile");
        if (scriptFile is not null)
        {
            if (script is not null)
                _findings.Error("ConflictingFields", m["scriptFile"]!.Location, $"task '{name}' sets both 'script' and 'scriptFile'.", workflow, name);
            else script = ReadScriptFile(scriptFile, m["scriptFile"]!.Location, workflow, name);
        }

        DsOps.Engine.Provenance.ScriptProvenance? provenance = null;
        if (Str(m, "gitSource") is { } gitSource && !DsOps.Engine.Provenance.ProvenanceMarker.TryParseSource(gitSource, out provenance))
            _findings.Error("InvalidValue", m["gitSource"]!.Location, $"'gitSource' must be <repository>#<path>@<commit>, not '{DsOps.Engine.Provenance.GitCli.Safe(gitSource)}'.", workflow, name);

        // Built in one go (not 'defaults with { }', which made every task twice).
        return new TaskSpec(name, type)
        {
            Provenance = provenance,
            Description = Str(m, "description"),
            RenamedFrom = Str(m, "renamedFrom"),
            DependsOn = deps.ToImmutableArray(),
            DependencyLocations = depLocations.ToMap(),
            Script = script,
            ScriptFile = scriptFile,
            WorkerGroup = Str(m, "workerGroup") ?? TaskDefaults.WorkerGroup,
            Environment = Str(m, "environment"),
            DataSource = Str(m, "dataSource"),
            DataSourceType = Upper(Str(m, "dataSourceType")),
            DataTarget = Str(m, "dataTarget"),
            DataTargetType = Upper(Str(m, "dataTargetType")),
            SubWorkflow = Str(m, "subWorkflow"),
            Retries = Int(m, "retries", 0, workflow, name),
            RetryInterval = Int(m, "retryInterval", 1, workflow, name),
            Timeout = Int(m, "timeout", 0, workflow, name),
            TimeoutStrategy = Upper(Str(m, "timeoutStrategy")),
            Priority = Upper(Str(m, "priority")) ?? TaskDefaults.Priority,
            DelayTime = Int(m, "delayTime", 0, workflow, name),
            Enabled = Bool(m, "enabled", true, workflow, name),
            Cache = Bool(m, "cache", false, workflow, name),
            Parameters = Parameters(m["parameters"], workflow, name),
            Resources = m["resources"] is null ? ImmutableArray<string>.Empty : StrList(m["resources"], "resources", workflow, name).Select(r => r.Value).ToImmutableArray(),
            Dependence = m["dependence"] is SpecMapping dm ? ReadDependence(dm, workflow, name) : NotMapping<DependenceSpec>(m["dependence"], "dependence", workflow, name),
            Conditions = m["conditions"] is SpecMapping cm ? ReadConditions(cm, workflow, name) : NotMapping<ConditionsSpec>(m["conditions"], "conditions", workflow, name),
            Switch = m["switch"] is SpecMapping swm ? ReadSwitch(swm, workflow, name) : NotMapping<SwitchSpec>(m["switch"], "switch", workflow, name),
            Params = ReadParams(m["params"], workflow, name),
            Location = m.Location,
        };
    }

    private T? NotMapping<T>(SpecNode? node, string what, string workflow, string task) where T : class
    {
        if (node is not null and not SpecScalar { IsNull: true })
            _findings.Error("InvalidType", node.Location, $"'{what}' of task '{task}' must be a mapping.", workflow, task);
        return null;
    }

    private string ReadParams(SpecNode? node, string workflow, string task)
    {
        if (node is null or SpecScalar { IsNull: true }) return "{}";
        if (node is not SpecMapping)
        {
            _findings.Error("InvalidType", node.Location, $"'params' of task '{task}' must be a mapping of raw taskParams keys.", workflow, task);
            return "{}";
        }
        return CanonicalJson.Canonicalize(CanonicalJson.FromSpecNode(HasInterpolation(node) ? Interpolate(node) : node));
    }

    private static bool HasInterpolation(SpecNode node) => node switch
    {
        SpecScalar { Value: not null } s => s.Value.Contains("${env:", StringComparison.Ordinal),
        SpecMapping m => m.Entries.Any(e => HasInterpolation(e.Value)),
        SpecSequence q => q.Items.Any(HasInterpolation),
        _ => false,
    };

    private SpecNode Interpolate(SpecNode node) => node switch
    {
        SpecScalar { Value: not null } s when s.Value.Contains("${env:", StringComparison.Ordinal) =>
            new SpecScalar(_interpolator.Expand(s.Value, s.Location, _findings), false, s.Location),
        SpecMapping m => new SpecMapping(m.Entries.Select(e => KeyValuePair.Create(e.Key, Interpolate(e.Value))).ToList(), m.Location),
        SpecSequence q => new SpecSequence(q.Items.Select(Interpolate).ToList(), q.Location),
        _ => node,
    };

    private string? ReadScriptFile(string relative, SourceLocation at, string workflow, string task)
    {
        var baseDir = _file is null ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(Path.GetFullPath(_file))!;
        var full = Path.GetFullPath(Path.Combine(baseDir, relative));
        var root = Path.GetFullPath(_options.Root ?? baseDir);
        try
        {
            return SpecFileReader.ReadText(full, root, _options.Limits.MaxFileBytes, $"scriptFile '{relative}'", at);
        }
        catch (SpecLoadException ex)
        {
            _findings.Error(ScriptRule(ex.ErrorId), at, ex.Detail, workflow, task);
            return null;
        }
    }

    /// <summary>The finding rule of a script file that could not be read (ScriptOutsideRoot, ScriptNotFound, ...).</summary>
    internal static string ScriptRule(string errorId) => errorId switch
    {
        "DsSpecOutsideRoot" => "ScriptOutsideRoot",
        "DsSpecFileNotFound" => "ScriptNotFound",
        "DsSpecFileTooLarge" => "ScriptTooLarge",
        _ => errorId.Replace("DsSpec", ""),
    };

    private DependenceSpec? ReadDependence(SpecMapping m, string workflow, string task)
    {
        CheckKeys(m, new[] { "relation", "groups", "checkInterval", "failurePolicy", "failureWaitingTime" }, "dependence");
        var groups = ImmutableArray.CreateBuilder<DependGroupSpec>();
        foreach (var g in Items(m["groups"], "groups", workflow, task))
        {
            if (g is not SpecMapping gm) { _findings.Error("InvalidType", g.Location, "a dependence group is a mapping with 'relation' and 'items'.", workflow, task); continue; }
            CheckKeys(gm, new[] { "relation", "items" }, "dependence group");
            var items = ImmutableArray.CreateBuilder<DependItemSpec>();
            foreach (var i in Items(gm["items"], "items", workflow, task))
            {
                if (i is not SpecMapping im) { _findings.Error("InvalidType", i.Location, "a dependence item is a mapping.", workflow, task); continue; }
                CheckKeys(im, new[] { "project", "workflow", "task", "cycle", "date" }, "dependence item");
                var wf = Str(im, "workflow");
                if (wf is null) _findings.Error("MissingField", im.Location, $"dependence item of task '{task}' has no 'workflow'.", workflow, task);
                items.Add(new DependItemSpec(Str(im, "project") ?? "", wf ?? "", Str(im, "task"), Str(im, "cycle") ?? "day", Str(im, "date") ?? "today") { Location = im.Location });
            }
            groups.Add(new DependGroupSpec(Upper(Str(gm, "relation")) ?? "AND", items.ToImmutable()));
        }
        return new DependenceSpec(Upper(Str(m, "relation")) ?? "AND", groups.ToImmutable())
        {
            CheckInterval = OptInt(m, "checkInterval", workflow, task),
            FailurePolicy = Upper(Str(m, "failurePolicy")),
            FailureWaitingTime = OptInt(m, "failureWaitingTime", workflow, task),
        };
    }

    private ConditionsSpec ReadConditions(SpecMapping m, string workflow, string task)
    {
        CheckKeys(m, new[] { "relation", "groups", "success", "failed" }, "conditions");
        var groups = ImmutableArray.CreateBuilder<ConditionGroupSpec>();
        foreach (var g in Items(m["groups"], "groups", workflow, task))
        {
            if (g is not SpecMapping gm) { _findings.Error("InvalidType", g.Location, "a conditions group is a mapping with 'relation' and 'items'.", workflow, task); continue; }
            CheckKeys(gm, new[] { "relation", "items" }, "conditions group");
            var items = ImmutableArray.CreateBuilder<ConditionItemSpec>();
            foreach (var i in Items(gm["items"], "items", workflow, task))
            {
                if (i is not SpecMapping im) { _findings.Error("InvalidType", i.Location, "a conditions item is a mapping with 'task' and 'status'.", workflow, task); continue; }
                CheckKeys(im, new[] { "task", "status" }, "conditions item");
                items.Add(new ConditionItemSpec(Str(im, "task") ?? "", Upper(Str(im, "status")) ?? "SUCCESS"));
            }
            groups.Add(new ConditionGroupSpec(Upper(Str(gm, "relation")) ?? "AND", items.ToImmutable()));
        }
        return new ConditionsSpec(Upper(Str(m, "relation")) ?? "AND", groups.ToImmutable(),
            StrList(m["success"], "success", workflow, task).Select(x => x.Value).ToImmutableArray(),
            StrList(m["failed"], "failed", workflow, task).Select(x => x.Value).ToImmutableArray()) { Location = m.Location };
    }

    private SwitchSpec ReadSwitch(SpecMapping m, string workflow, string task)
    {
        CheckKeys(m, new[] { "branches", "default" }, "switch");
        var branches = ImmutableArray.CreateBuilder<SwitchBranchSpec>();
        foreach (var b in Items(m["branches"], "branches", workflow, task))
        {
            if (b is not SpecMapping bm) { _findings.Error("InvalidType", b.Location, "a switch branch is a mapping with 'condition' and 'task'.", workflow, task); continue; }
            CheckKeys(bm, new[] { "condition", "task" }, "switch branch");
            branches.Add(new SwitchBranchSpec(Str(bm, "condition") ?? "", Str(bm, "task") ?? ""));
        }
        return new SwitchSpec(branches.ToImmutable(), Str(m, "default")) { Location = m.Location };
    }

    private ImmutableArray<ParameterSpec> Parameters(SpecNode? node, string workflow, string? task)
    {
        if (node is null or SpecScalar { IsNull: true }) return ImmutableArray<ParameterSpec>.Empty;
        if (node is not SpecMapping m)
        {
            _findings.Error("InvalidType", node.Location, "'parameters' must be a mapping of name: value or name: {value, type, direction}.", workflow, task);
            return ImmutableArray<ParameterSpec>.Empty;
        }
        var list = new List<ParameterSpec>();
        foreach (var (key, value) in m.Entries)
        {
            var name = key.Value!;
            switch (value)
            {
                case SpecScalar s:
                    list.Add(new ParameterSpec(name, _interpolator.Expand(s.Value, s.Location, _findings) ?? "") { Location = key.Location });
                    break;
                case SpecMapping pm:
                    CheckKeys(pm, new[] { "value", "type", "direction" }, "parameter");
                    list.Add(new ParameterSpec(name, Str(pm, "value") ?? "")
                    {
                        Type = Upper(Str(pm, "type")) ?? "VARCHAR",
                        Direction = Upper(Str(pm, "direction")) ?? "IN",
                        Location = key.Location,
                    });
                    break;
                default:
                    _findings.Error("InvalidParameter", value.Location, $"parameter '{name}' must be a value or a mapping with value/type/direction.", workflow, task);
                    break;
            }
        }
        return list.OrderBy(p => p.Name, StringComparer.Ordinal).ToImmutableArray();
    }

    // ---- small typed accessors that report problems with positions ----

    private void CheckKeys(SpecMapping m, string[] allowed, string what)
    {
        for (var i = 0; i < m.Entries.Count; i++)
            if (m.Entries[i].Key is var key && Array.IndexOf(allowed, key.Value) < 0)
                _findings.Error("UnknownField", key.Location, $"unknown {what} field '{key.Value}' (allowed: {string.Join(", ", allowed)}).");
    }

    private IEnumerable<SpecNode> Items(SpecNode? node, string what, string workflow, string task)
    {
        if (node is null or SpecScalar { IsNull: true }) return Array.Empty<SpecNode>();
        if (node is SpecSequence s) return s.Items;
        _findings.Error("InvalidType", node.Location, $"'{what}' must be a list.", workflow, task);
        return Array.Empty<SpecNode>();
    }

    private string? Str(SpecMapping m, string key)
    {
        var node = m[key];
        switch (node)
        {
            case null: return null;
            case SpecScalar s: return _interpolator.Expand(s.Value, s.Location, _findings);
            default:
                _findings.Error("InvalidType", node.Location, $"'{key}' must be text, not a {node.Kind}.");
                return null;
        }
    }

    private IEnumerable<(string Value, SourceLocation At)> StrList(SpecNode? node, string key, string workflow, string task)
    {
        switch (node)
        {
            case null or SpecScalar { IsNull: true }: yield break;
            case SpecScalar s: // a single name is accepted as a one-item list
                yield return (_interpolator.Expand(s.Value, s.Location, _findings)!, s.Location);
                yield break;
            case SpecSequence q:
                foreach (var item in q.Items)
                {
                    if (item is SpecScalar { IsNull: false } si) yield return (_interpolator.Expand(si.Value, si.Location, _findings)!, si.Location);
                    else _findings.Error("InvalidType", item.Location, $"'{key}' entries must be text.", workflow, task);
                }
                yield break;
            default:
                _findings.Error("InvalidType", node.Location, $"'{key}' must be a list of names.", workflow, task);
                yield break;
        }
    }

    private int Int(SpecMapping m, string key, int fallback, string workflow, string? task = null) => OptInt(m, key, workflow, task) ?? fallback;

    private int? OptInt(SpecMapping m, string key, string workflow, string? task)
    {
        var text = Str(m, key);
        if (text is null) return null;
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) && v >= 0) return v;
        _findings.Error("InvalidValue", m[key]!.Location, $"'{key}' must be a whole number >= 0, not '{text}'.", workflow, task);
        return null;
    }

    private bool Bool(SpecMapping m, string key, bool fallback, string workflow, string? task = null)
    {
        var text = Str(m, key);
        if (text is null) return fallback;
        switch (text.ToLowerInvariant())
        {
            case "true" or "yes" or "on": return true;
            case "false" or "no" or "off": return false;
            default:
                _findings.Error("InvalidValue", m[key]!.Location, $"'{key}' must be true or false, not '{text}'.", workflow, task);
                return fallback;
        }
    }

    private static string? Upper(string? s) => s?.Trim().ToUpperInvariant();
}
