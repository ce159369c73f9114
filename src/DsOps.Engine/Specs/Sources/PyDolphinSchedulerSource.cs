using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DsOps.Engine.Specs.Documents;
using DsOps.Engine.Specs.Loading;
using DsOps.Engine.Specs.Model;
using DsOps.Engine.Specs.Validation;

namespace DsOps.Engine.Specs.Sources;

/// <summary>
/// Imports pydolphinscheduler YAML (one workflow per file: <c>workflow:</c> + <c>tasks:</c> with <c>deps</c>)
/// into the workflow pyds would create: each task class's DS type and taskParams (<see cref="PyDsTaskClasses"/>),
/// the relations pyds adds itself (a Condition's inputs upstream and its success/failed tasks downstream,
/// a Switch's branch tasks downstream), pyds's defaults and its configuration for <c>${CONFIG.key}</c>.
/// The mapping and the deliberate differences are documented in docs/workflows-as-config.md
/// ("pydolphinscheduler mapping"): <c>$WORKFLOW{"f.yaml"}</c> only reads the other file (pyds submits it);
/// <c>$FILE</c> paths are relative to the YAML file and must stay inside its folder; every <c>$ENV{X}</c> of a
/// value is replaced, not only the first name.
/// </summary>
internal static partial class PyDolphinSchedulerSource
{
    /// <summary>A YAML file with top-level 'tasks:' and 'workflow:' keys is pydolphinscheduler's format.</summary>
    public static bool LooksLikePyDs(string path)
    {
        if (!File.Exists(path)) return false;
        try
        {
            return LooksLikePyDs(SafeYamlReader.ReadFile(path));
        }
        catch (SpecLoadException)
        {
            return false;
        }
    }

    /// <summary>DsOps YAML never has a top-level 'tasks:' key; pyds files always do, beside a 'workflow:' mapping.</summary>
    public static bool LooksLikePyDs(SpecNode? root) => root is SpecMapping m && m["tasks"] is not null && m["workflow"] is SpecMapping;

    /// <summary>
    /// Cheap text check for folder detection: a top-level <c>tasks:</c> and <c>workflow:</c> line (no YAML parse).
    /// </summary>
    internal static bool TextLooksLikePyDs(string text) => TopTasksLine().IsMatch(text) && TopWorkflowLine().IsMatch(text);

    [GeneratedRegex("^tasks[ \\t]*:", RegexOptions.Multiline)]
    private static partial Regex TopTasksLine();

    [GeneratedRegex("^workflow[ \\t]*:", RegexOptions.Multiline)]
    private static partial Regex TopWorkflowLine();

    public static SpecSet Load(string path, SpecLoadOptions? options = null, PyDsOptions? pyds = null)
    {
        options ??= SpecLoadOptions.Default;
        var isDir = Directory.Exists(path);
        if (!isDir && !File.Exists(path))
            throw new FileNotFoundException($"Spec path '{path}' does not exist.", path);
        // In a folder, $FILE paths may reach any file of the folder (as scriptFile does for DsOps YAML).
        if (isDir) options = options with { Root = options.Root ?? Path.GetFullPath(path) };
        var findings = new FindingSink();
        var ctx = new Context(options, pyds ?? new PyDsOptions(), findings);
        var files = isDir ? YamlSpecSource.SpecFiles(path, findings).ToList() : new List<string> { path };
        for (var i = 0; i < files.Count; i++)
        {
            options.Progress?.Invoke(i, files.Count, files[i]);
            ctx.LoadFile(Path.GetFullPath(files[i]));
        }
        options.Progress?.Invoke(files.Count, files.Count, "");
        var result = options.Overlay is null ? ctx.Workflows : ctx.Workflows.Select(options.Overlay.Apply).ToList();
        return new SpecSet(result, findings.Items);
    }

    private sealed partial class Context
    {
        private readonly SpecLoadOptions _options;
        private readonly FindingSink _findings;
        private readonly PyDsConfiguration _config;
        private readonly string? _project;
        private readonly Func<string, string?> _env;
        private readonly Dictionary<string, string?> _loaded = new(StringComparer.Ordinal); // file -> workflow name
        private readonly HashSet<string> _inProgress = new(StringComparer.Ordinal);
        private readonly HashSet<string> _warnedEnv = new(StringComparer.Ordinal);

        public Context(SpecLoadOptions options, PyDsOptions pyds, FindingSink findings)
        {
            _options = options;
            _findings = findings;
            _env = options.EnvironmentVariables ?? Environment.GetEnvironmentVariable;
            _config = new PyDsConfiguration(pyds, _env, options.Limits);
            _project = options.DefaultProject ?? pyds.Project;
        }

        public List<WorkflowSpec> Workflows { get; } = new();

        /// <summary>Loads a file once; returns its workflow name (for $WORKFLOW).</summary>
        public string? LoadFile(string file)
        {
            if (_loaded.TryGetValue(file, out var known)) return known;
            if (!_inProgress.Add(file))
            {
                _findings.Error("WorkflowMacroCycle", new SourceLocation(file), "$WORKFLOW references form a loop back to this file.");
                return null;
            }
            string? name = null;
            try
            {
                var text = SpecFileReader.ReadText(file, null, _options.Limits.MaxFileBytes, $"file '{file}'");
                // $WORKFLOW is textual and applied before parsing, as in pyds.
                text = WorkflowMacro().Replace(text, m =>
                {
                    var other = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, m.Groups[1].Value));
                    try
                    {
                        // The other file must stay inside the folder too (real path, links followed).
                        SpecFileReader.RequireInside(other, _options.Root ?? Path.GetDirectoryName(file)!, $"$WORKFLOW file '{m.Groups[1].Value}'", new SourceLocation(file));
                    }
                    catch (SpecLoadException ex)
                    {
                        _findings.Error("ScriptOutsideRoot", ex.Location, ex.Detail);
                        return m.Value;
                    }
                    if (!File.Exists(other))
                    {
                        _findings.Error("ScriptNotFound", new SourceLocation(file), $"$WORKFLOW file '{m.Groups[1].Value}' does not exist.");
                        return m.Value;
                    }
                    return LoadFile(other) ?? m.Value;
                });
                var root = SafeYamlReader.Read(text, file, _options.Limits);
                if (!LooksLikePyDs(root))
                    _findings.Error("InvalidDocument", root?.Location ?? new SourceLocation(file),
                        "a pydolphinscheduler file is a mapping with 'workflow:' (a mapping) and 'tasks:' (a list); this file is not one (a DsOps spec file loads with -Format Yaml).");
                else if (ReadWorkflow((SpecMapping)root!, file) is { } w)
                {
                    Workflows.Add(w);
                    name = w.Name;
                }
            }
            catch (SpecLoadException ex)
            {
                _findings.Error(ex.ErrorId.Replace("DsSpec", ""), ex.Location, ex.Detail);
            }
            finally
            {
                _inProgress.Remove(file);
            }
            _loaded[file] = name;
            return name;
        }

        [GeneratedRegex("\\$WORKFLOW\\{\"([^\"]+)\"\\}")]
        private static partial Regex WorkflowMacro();

        // Workflow keys pyds's Workflow class takes (core/workflow.py) plus 'run' (read by the YAML loader)
        // and 'tenant' (pyds up to 4.0 put the tenant on the workflow).
        private static readonly HashSet<string> WorkflowKeys = new(StringComparer.Ordinal)
        {
            "name", "description", "schedule", "online_schedule", "start_time", "end_time", "timezone", "user", "project", "worker_group",
            "warning_type", "warning_group_id", "execution_type", "timeout", "release_state", "param", "resource_list", "run", "tenant",
        };

        private WorkflowSpec? ReadWorkflow(SpecMapping top, string file)
        {
            var wf = (SpecMapping)top["workflow"]!;
            var name = Text(wf["name"]);
            if (string.IsNullOrWhiteSpace(name))
            {
                _findings.Error("MissingField", wf.Location, "workflow has no 'name'.");
                return null;
            }
            foreach (var (k, _) in wf.Entries)
                if (!WorkflowKeys.Contains(k.Value!))
                    _findings.Warning("IgnoredField", k.Location, $"pydolphinscheduler's Workflow takes no '{k.Value}'; it is ignored (as pyds ignores it).", name);
            if (wf["run"] is { } run && PyTruthy(run))
                _findings.Warning("IgnoredField", run.Location, "'run: true' is ignored: importing never starts a workflow.", name);
            if (wf["user"] is { } user)
                _findings.Warning("IgnoredField", user.Location, "'user' is ignored: DsOps acts as the connected user and creates no users.", name);
            if (wf["resource_list"] is { } rl)
                _findings.Warning("IgnoredField", rl.Location, "'resource_list' (files pyds uploads with the workflow) is ignored: DsOps does not upload resources.", name);

            // Precedence: the file, then -Project, then pyds's configuration (default project-pydolphin).
            var project = Text(wf["project"]) ?? _project ?? _config.Get("WORKFLOW_PROJECT", wf.Location, _findings) ?? "";
            var workerGroup = Text(wf["worker_group"]) ?? _config.Get("WORKFLOW_WORKER_GROUP", wf.Location, _findings) ?? "default";

            var tasks = new List<TaskSpec>();
            if (top["tasks"] is SpecSequence seq)
            {
                foreach (var item in seq.Items)
                {
                    if (item is SpecMapping tm) { if (ReadTask(tm, name, project) is { } t) tasks.Add(t); }
                    else _findings.Error("InvalidType", item.Location, "a task is a mapping.", name);
                }
            }
            else _findings.Error("InvalidType", top["tasks"]!.Location, "'tasks' must be a list.", name);
            tasks = AddImpliedRelations(tasks);

            ScheduleSpec? schedule = null;
            if (Text(wf["schedule"]) is { } cron && cron.Trim().Length > 0)
            {
                schedule = new ScheduleSpec(cron.Trim())
                {
                    TimeZone = Text(wf["timezone"]) ?? _config.Get("WORKFLOW_TIME_ZONE", wf.Location, _findings) ?? "Asia/Shanghai",
                    // pyds starts a schedule "now" when start_time is absent; a fixed past date keeps imports repeatable.
                    Start = Time(Text(wf["start_time"])) ?? "1970-01-01 00:00:00",
                    End = Time(Text(wf["end_time"])) ?? "9999-12-31 23:59:59",
                    // A schedule is online unless online_schedule says otherwise.
                    Online = wf["online_schedule"] is not { } os || os is SpecScalar { IsNull: true } || PyTruthy(os),
                    WarningType = Upper(Text(wf["warning_type"]) ?? _config.Get("WORKFLOW_WARNING_TYPE", wf.Location, _findings)) ?? "NONE",
                    WarningGroup = Text(wf["warning_group_id"]) is { } g && g != "0" ? "id:" + g : null,
                    WorkerGroup = workerGroup,
                    Location = wf["schedule"]!.Location,
                };
            }
            var globals = new List<ParameterSpec>();
            if (wf["param"] is SpecMapping pm)
                foreach (var (k, v) in pm.Entries) globals.Add(new ParameterSpec(k.Value!, ParamText(v)) { Location = k.Location });
            var tenant = Text(wf["tenant"]) ?? _config.Explicit("USER_TENANT", wf.Location, _findings);
            return new WorkflowSpec(project, name, tasks.ToImmutableArray())
            {
                Description = Text(wf["description"]),
                Timeout = Int(wf["timeout"], name, null) ?? 0,
                ExecutionType = Upper(Text(wf["execution_type"]) ?? _config.Get("WORKFLOW_EXECUTION_TYPE", wf.Location, _findings)) ?? "PARALLEL",
                ReleaseState = Upper(Text(wf["release_state"]) ?? _config.Get("WORKFLOW_RELEASE_STATE", wf.Location, _findings)) ?? "ONLINE",
                Tenant = tenant,
                Parameters = globals.ToImmutableArray(),
                Schedule = schedule,
                Location = wf.Location,
            };
        }

        /// <summary>
        /// The relations pyds adds itself: a Condition's input tasks become its upstream and its success and
        /// failed tasks its downstream (tasks/condition.py); every Switch branch task becomes a downstream of
        /// the switch (tasks/switch.py). Relations are a set in pyds, so a relation also given in 'deps' is one relation.
        /// </summary>
        private static List<TaskSpec> AddImpliedRelations(List<TaskSpec> tasks)
        {
            var names = tasks.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
            var extra = new Dictionary<string, List<(string Pre, SourceLocation At)>>(StringComparer.Ordinal);
            void Edge(string pre, string post, SourceLocation at)
            {
                if (pre == post || !names.Contains(pre) || !names.Contains(post)) return; // unknown names: the validator reports them
                if (!extra.TryGetValue(post, out var list)) extra[post] = list = new();
                list.Add((pre, at));
            }
            foreach (var t in tasks)
            {
                if (t.Conditions is { } c)
                {
                    foreach (var item in c.Groups.SelectMany(g => g.Items)) Edge(item.Task, t.Name, c.Location);
                    foreach (var s in c.SuccessTasks.Concat(c.FailedTasks)) Edge(t.Name, s, c.Location);
                }
                if (t.Switch is { } sw)
                {
                    foreach (var b in sw.Branches) Edge(t.Name, b.Task, sw.Location);
                    if (sw.Default is { } d) Edge(t.Name, d, sw.Location);
                }
            }
            if (extra.Count == 0) return tasks;
            return tasks.Select(t =>
            {
                if (!extra.TryGetValue(t.Name, out var add)) return t;
                var locations = new Dictionary<string, SourceLocation>(t.DependencyLocations, StringComparer.Ordinal);
                foreach (var (pre, at) in add) locations.TryAdd(pre, at);
                return t with { DependsOn = t.DependsOn.AddRange(add.Select(a => a.Pre)), DependencyLocations = locations };
            }).ToList();
        }

        private TaskSpec? ReadTask(SpecMapping m, string workflow, string project)
        {
            var name = Text(m["name"]);
            if (string.IsNullOrWhiteSpace(name)) { _findings.Error("MissingField", m.Location, "a task has no 'name'.", workflow); return null; }
            var pyType = Text(m["task_type"]) ?? "";
            var cls = PyDsTaskClasses.Find(pyType);
            if (cls is null)
                _findings.Error("UnknownTaskType", m["task_type"]?.Location ?? m.Location,
                    $"task '{name}' has task_type '{pyType}', which is not a pydolphinscheduler task class (known: {string.Join(", ", PyDsTaskClasses.Names)}).", workflow, name);
            var type = cls?.DsType ?? "";

            var deps = new List<(string, SourceLocation)>();
            switch (m["deps"])
            {
                case SpecSequence ds:
                    foreach (var d in ds.Items) if (Text(d) is { } dn) deps.Add((dn, d.Location));
                    break;
                case SpecScalar { IsNull: false } one when Text(one) is { } single:
                    deps.Add((single, one.Location));
                    break;
            }

            var spec = new TaskSpec(name, type)
            {
                DependsOn = deps.Select(d => d.Item1).ToImmutableArray(),
                DependencyLocations = deps.GroupBy(d => d.Item1).ToDictionary(g => g.Key, g => g.First().Item2, StringComparer.Ordinal),
                WorkerGroup = _config.Get("WORKFLOW_WORKER_GROUP", m.Location, _findings) ?? "default",
                Location = m.Location,
            };
            if (PyDsTaskClasses.LogicKeys.TryGetValue(type, out var logicKeys))
            {
                // The YAML loader builds Switch, Condition and Dependent from their logic keys only.
                foreach (var (k, _) in m.Entries)
                    if (Array.IndexOf(logicKeys, k.Value) < 0)
                        _findings.Warning("IgnoredField", k.Location,
                            $"'{k.Value}' is ignored on {cls!.Name} task '{name}': pydolphinscheduler's YAML loader passes only {string.Join(", ", logicKeys.Skip(1))} to a {cls.Name} (set it in DsOps YAML after importing).",
                            workflow, name);
                return type switch
                {
                    "SWITCH" => spec with { Switch = Switch(m, workflow, name) },
                    "CONDITIONS" => spec with { Conditions = Conditions(m, workflow, name) },
                    _ => spec with { Dependence = Dependent(m, project, workflow, name) },
                };
            }
            spec = Common(m, spec, workflow, name);
            return cls is null ? spec : ClassParams(cls, m, spec, workflow, name);
        }

        /// <summary>Settings every pyds task takes (core/task.py), with pyds's defaults.</summary>
        private TaskSpec Common(SpecMapping m, TaskSpec spec, string workflow, string name)
        {
            var parameters = new List<ParameterSpec>();
            if (m["local_params"] is { } lp)
            {
                _findings.Add(new SpecFinding(SpecSeverity.Information, "DeprecatedField", "'local_params' is deprecated in pydolphinscheduler (use input_params/output_params); imported as it is.", lp.Location) { Workflow = workflow, Task = name });
                LocalParams(lp, parameters, workflow, name);
            }
            AddTyped(m["input_params"], "IN", parameters, workflow, name);
            AddTyped(m["output_params"], "OUT", parameters, workflow, name);

            var timeout = Int(m["timeout"], workflow, name) ?? 0;
            // pyds 4 derives the timeout flag from the timeout; DS-bundled pyds 3.x took timeout_flag (CLOSE by default).
            if (Text(m["timeout_flag"]) is { } flag)
            {
                if (Upper(flag) == "CLOSE") timeout = 0;
                else if (Upper(flag) != "OPEN")
                    _findings.Error("InvalidValue", m["timeout_flag"]!.Location, $"timeout_flag '{flag}' must be OPEN or CLOSE.", workflow, name);
            }
            foreach (var (key, pydsDefault) in PyDsTaskClasses.NotCarried)
                if (m[key] is { } v && CanonicalJson.FromSpecNode(Expand(v))?.ToJsonString() is { } given && given != pydsDefault)
                    _findings.Warning("UnsupportedField", v.Location,
                        $"'{key}: {Text(v)}' is not imported: DsOps's spec model has no field for it yet, so the task gets DS's default ({pydsDefault}); set it in the DS UI after applying.", workflow, name);

            return spec with
            {
                Description = Text(m["description"]),
                WorkerGroup = Text(m["worker_group"]) ?? spec.WorkerGroup,
                Environment = Text(m["environment_name"]),
                Retries = Int(m["fail_retry_times"], workflow, name) ?? 0,
                RetryInterval = Int(m["fail_retry_interval"], workflow, name) ?? 1,
                Timeout = timeout,
                TimeoutStrategy = timeout > 0 ? Upper(Text(m["timeout_notify_strategy"])) : null,
                Priority = Upper(Text(m["task_priority"])) ?? "MEDIUM",
                DelayTime = Int(m["delay_time"], workflow, name) ?? 0,
                Enabled = Upper(Text(m["flag"])) != "NO",
                Cache = m["is_cache"] is { } cache && PyTruthy(cache),
                Parameters = parameters.ToImmutableArray(),
                Resources = m["resource_list"] is SpecSequence rs ? rs.Items.Select(ResourceName).OfType<string>().ToImmutableArray() : ImmutableArray<string>.Empty,
            };
        }

        /// <summary>resource_list entries are full names, or (deprecated in pyds) {resourceName: ...} mappings.</summary>
        private string? ResourceName(SpecNode n) => n is SpecMapping rm ? Text(rm["resourceName"]) : Text(n);

        /// <summary>The class's taskParams, written the way the pyds class writes them.</summary>
        private TaskSpec ClassParams(PyDsClass cls, SpecMapping m, TaskSpec spec, string workflow, string name)
        {
            var p = new JsonObject();
            foreach (var (key, json) in cls.Fixed) p[key] = JsonNode.Parse(json);
            var given = new Dictionary<string, SpecNode>(StringComparer.Ordinal);
            foreach (var (k, v) in m.Entries)
            {
                var key = k.Value!;
                if (PyDsTaskClasses.Common.Contains(key) || PyDsTaskClasses.NotCarried.ContainsKey(key)) continue;
                if (cls.Find(key) is { } known) { given[known.Key] = v; continue; }
                _findings.Warning("IgnoredField", k.Location,
                    $"pydolphinscheduler's {cls.Name} takes no '{key}', so pyds ignores it and so does DsOps (its settings: {string.Join(", ", cls.Keys.Select(x => x.Key))}).", workflow, name);
            }
            foreach (var key in cls.Keys)
            {
                if (!given.TryGetValue(key.Key, out var node) || node is SpecScalar { IsNull: true } && key.Required)
                {
                    if (key.Required)
                        _findings.Error("MissingField", m.Location, $"{cls.Name} task '{name}' needs '{key.Key}' (pydolphinscheduler requires it).", workflow, name);
                    else if (key.Default is not null && !key.Target.StartsWith('@')) p[key.Target] = JsonNode.Parse(key.Default);
                    continue;
                }
                switch (key.Target)
                {
                    case "@script": spec = spec with { Script = Text(node) }; break;
                    case "@dataSource": spec = spec with { DataSource = Text(node) }; break;
                    case "@dataSourceType": spec = spec with { DataSourceType = Upper(Text(node)) }; break;
                    case "@dataTarget": spec = spec with { DataTarget = Text(node) }; break;
                    case "@dataTargetType": spec = spec with { DataTargetType = Upper(Text(node)) }; break;
                    case "@subWorkflow": spec = spec with { SubWorkflow = Text(node) }; break;
                    default: p[key.Target] = Value(node); break;
                }
            }
            switch (cls.Name)
            {
                case "Python" when spec.Script is { } def && PythonFunction().Match(def) is { Success: true } fn:
                    // A definition that is a function is called after it is defined (tasks/python.py).
                    spec = spec with { Script = def + (def.EndsWith('\n') ? "" : "\n") + fn.Groups[1].Value + "()" };
                    break;
                case "Sql":
                    p["preStatements"] = StatementList(p["preStatements"]);
                    p["postStatements"] = StatementList(p["postStatements"]);
                    p["sqlType"] = SqlType(p["sqlType"], spec.Script);
                    break;
                case "Http":
                    p["httpParams"] = HttpParams(given.GetValueOrDefault("http_params"), workflow, name);
                    CheckOneOf(p, "httpMethod", new[] { "GET", "POST", "HEAD", "PUT", "DELETE" }, given, "http_method", workflow, name);
                    CheckOneOf(p, "httpCheckCondition", new[] { "STATUS_CODE_DEFAULT", "STATUS_CODE_CUSTOM", "BODY_CONTAINS", "BODY_NOT_CONTAINS" }, given, "http_check_condition", workflow, name);
                    if (p["httpCheckCondition"]?.GetValue<string>() != "STATUS_CODE_DEFAULT" && p["condition"] is null)
                        _findings.Error("MissingField", m.Location, $"Http task '{name}' needs 'condition' when http_check_condition is not STATUS_CODE_DEFAULT.", workflow, name);
                    break;
                case "Spark" or "Flink" or "MR" when p["mainJar"] is JsonValue jar:
                    // pyds looks the jar up on its gateway; DsOps names it and the wire converter writes the target's reference.
                    p["mainJar"] = new JsonObject { ["resourceName"] = jar.ToString() };
                    break;
                case "MLflowModels":
                    p["deployType"] = Upper(p["deployType"]?.ToString());
                    break;
                case "MLFlowProjectsAutoML" or "MLFlowProjectsBasicAlgorithm":
                    if (cls.Name == "MLFlowProjectsAutoML") p["automlTool"] = p["automlTool"]?.ToString().ToLowerInvariant();
                    else p["algorithm"] = p["algorithm"]?.ToString().ToLowerInvariant();
                    p["registerModel"] = p["modelName"]?.ToString().Length > 0;
                    break;
                case "Pytorch":
                    // otherParams tells DS whether any of the "other" settings differs from pyds's defaults.
                    p["otherParams"] = !JsonNode.DeepEquals(p["isCreateEnvironment"], JsonValue.Create(false))
                                       || p["pythonPath"]?.ToString() != "." || p["pythonCommand"]?.ToString() != "${PYTHON_HOME}";
                    break;
            }
            return spec with { Params = CanonicalJson.Canonicalize(p) };
        }

        private void CheckOneOf(JsonObject p, string key, string[] allowed, Dictionary<string, SpecNode> given, string pyKey, string workflow, string task)
        {
            var value = p[key]?.ToString();
            if (value is not null && Array.IndexOf(allowed, value) < 0)
                _findings.Error("InvalidValue", given.GetValueOrDefault(pyKey)?.Location ?? default, $"{pyKey} '{value}' must be one of {string.Join(", ", allowed)}.", workflow, task);
        }

        [GeneratedRegex("^def (\\w+)\\(")]
        private static partial Regex PythonFunction();

        private static JsonNode StatementList(JsonNode? value) => value switch
        {
            JsonArray a => a,
            null => new JsonArray(),
            JsonValue v when v.ToString().Length == 0 => new JsonArray(),
            _ => new JsonArray(JsonValue.Create(value.ToString())),
        };

        private static readonly string[] NonQueryWords = { "insert", "delete", "drop", "update", "truncate", "alter", "create" };

        /// <summary>
        /// sqlType as pyds decides it (tasks/sql.py): an explicit "0"/"1" wins; otherwise the first line is a
        /// non-query (1) when one of the writing keywords starts it or follows a space, and followed by a space.
        /// </summary>
        private static JsonNode SqlType(JsonNode? given, string? sql)
        {
            if (given?.ToString() is "0" or "1") return JsonValue.Create(given.ToString() == "0" ? 0 : 1);
            var first = (sql ?? "").Split('\n')[0].ToLowerInvariant();
            var write = NonQueryWords.Any(w => first.StartsWith(w + " ", StringComparison.Ordinal) || first.Contains(" " + w + " ", StringComparison.Ordinal));
            return JsonValue.Create(write ? 1 : 0);
        }

        /// <summary>
        /// pyds's main branch (4.1.0-dev) takes http_params as a mapping name: value and sends [{prop, direct: IN, type, value}]
        /// (types inferred as for input_params); released pyds (up to 4.0) took DS's own list [{prop, httpParametersType, value}], kept as it is.
        /// DsOps also reads name: {http_parameters_type, value} into DS's list shape.
        /// </summary>
        private JsonNode HttpParams(SpecNode? node, string workflow, string task)
        {
            if (node is null or SpecScalar { IsNull: true }) return new JsonArray();
            switch (node)
            {
                case SpecMapping map:
                    var list = new JsonArray();
                    foreach (var (k, v) in map.Entries)
                    {
                        if (v is SpecMapping body)
                            list.Add(new JsonObject
                            {
                                ["prop"] = k.Value,
                                ["httpParametersType"] = Upper(Text(body["http_parameters_type"]) ?? Text(body["httpParametersType"])) ?? "PARAMETER",
                                ["value"] = body["value"] is { } bv ? Value(bv) : "",
                            });
                        else
                        {
                            var (type, value) = Infer(v);
                            list.Add(new JsonObject { ["prop"] = k.Value, ["direct"] = "IN", ["type"] = type, ["value"] = value });
                        }
                    }
                    return list;
                case SpecSequence seq:
                    foreach (var item in seq.Items.OfType<SpecMapping>())
                        // DS's types: docs/ds-facts.md §4.2.
                        if (Text(item["httpParametersType"]) is { } t && Array.IndexOf(new[] { "PARAMETER", "BODY", "HEADERS" }, t) < 0)
                            _findings.Warning("InvalidValue", item.Location,
                                $"httpParametersType '{t}' is sent as written, but DS knows only PARAMETER, BODY and HEADERS; fix it in the file.", workflow, task);
                    return Value(seq) ?? new JsonArray();
                default:
                    _findings.Error("InvalidType", node.Location, "http_params must be a mapping of name: value.", workflow, task);
                    return new JsonArray();
            }
        }

        private SwitchSpec Switch(SpecMapping m, string workflow, string task)
        {
            var branches = ImmutableArray.CreateBuilder<SwitchBranchSpec>();
            string? def = null;
            if (m["condition"] is SpecSequence seq)
            {
                foreach (var c in seq.Items)
                {
                    if (c is not SpecMapping cm || Text(cm["task"]) is not { } target)
                    {
                        _findings.Error("MissingField", c.Location, $"a branch of Switch task '{task}' needs 'task' (and 'condition', except the default branch).", workflow, task);
                        continue;
                    }
                    if (Text(cm["condition"]) is { } expr) branches.Add(new SwitchBranchSpec(expr, target));
                    else if (def is null) def = target;
                    else _findings.Error("InvalidValue", c.Location, $"Switch task '{task}' has more than one default branch (a branch without 'condition').", workflow, task);
                }
            }
            else _findings.Error("MissingField", m.Location, $"Switch task '{task}' needs 'condition:' as a list of {{task, condition}}.", workflow, task);
            return new SwitchSpec(branches.ToImmutable(), def) { Location = m["condition"]?.Location ?? m.Location };
        }

        private ConditionsSpec Conditions(SpecMapping m, string workflow, string task)
        {
            var groups = ImmutableArray.CreateBuilder<ConditionGroupSpec>();
            if (m["groups"] is SpecSequence gs)
            {
                foreach (var g in gs.Items.OfType<SpecMapping>())
                {
                    var items = ImmutableArray.CreateBuilder<ConditionItemSpec>();
                    foreach (var i in (g["groups"] as SpecSequence)?.Items ?? Array.Empty<SpecNode>())
                    {
                        if (i is not SpecMapping im || Text(im["task"]) is not { } t || im["flag"] is not { } flag)
                        {
                            _findings.Error("MissingField", i.Location, $"a Condition item of task '{task}' needs 'task' and 'flag'.", workflow, task);
                            continue;
                        }
                        items.Add(new ConditionItemSpec(t, PyTruthy(flag) ? "SUCCESS" : "FAILURE"));
                    }
                    groups.Add(new ConditionGroupSpec(Op(g, workflow, task), items.ToImmutable()));
                }
            }
            else _findings.Error("MissingField", m.Location, $"Condition task '{task}' needs 'groups:' (a list of {{op, groups}}).", workflow, task);
            foreach (var key in new[] { "success_task", "failed_task" })
                if (Text(m[key]) is null)
                    _findings.Error("MissingField", m.Location, $"Condition task '{task}' needs '{key}' (pydolphinscheduler requires it).", workflow, task);
            return new ConditionsSpec(Op(m, workflow, task), groups.ToImmutable(),
                Text(m["success_task"]) is { } s ? ImmutableArray.Create(s) : ImmutableArray<string>.Empty,
                Text(m["failed_task"]) is { } f ? ImmutableArray.Create(f) : ImmutableArray<string>.Empty) { Location = m["groups"]?.Location ?? m.Location };
        }

        /// <summary>'op' is And or Or in any case (the YAML loader requires it; DsOps reads a missing one as AND).</summary>
        private string Op(SpecMapping m, string workflow, string task)
        {
            var op = Upper(Text(m["op"])) ?? "AND";
            if (op is "AND" or "OR") return op;
            _findings.Error("InvalidValue", m["op"]!.Location, $"op '{op}' must be and or or.", workflow, task);
            return op;
        }

        private DependenceSpec Dependent(SpecMapping m, string project, string workflow, string task)
        {
            var groups = ImmutableArray.CreateBuilder<DependGroupSpec>();
            if (m["groups"] is SpecSequence gs)
            {
                foreach (var g in gs.Items.OfType<SpecMapping>())
                {
                    var items = ImmutableArray.CreateBuilder<DependItemSpec>();
                    foreach (var i in (g["groups"] as SpecSequence)?.Items.OfType<SpecMapping>() ?? Enumerable.Empty<SpecMapping>())
                    {
                        var date = DependentDate(Text(i["dependent_date"]) ?? "today", i.Location, workflow, task);
                        var dependentTask = Text(i["dependent_task_name"]);
                        var wf = Text(i["workflow_name"]) ?? Text(i["process_definition_name"]);
                        if (wf is null) _findings.Error("MissingField", i.Location, $"a Dependent item of task '{task}' needs 'workflow_name'.", workflow, task);
                        items.Add(new DependItemSpec(Text(i["project_name"]) ?? project, wf ?? "",
                            dependentTask is null or "0" ? null : dependentTask, CycleOf(date), date) { Location = i.Location });
                    }
                    groups.Add(new DependGroupSpec(Op(g, workflow, task), items.ToImmutable()));
                }
            }
            else _findings.Error("MissingField", m.Location, $"Dependent task '{task}' needs 'groups:' (a list of {{op, groups}}).", workflow, task);
            return new DependenceSpec(Op(m, workflow, task), groups.ToImmutable());
        }

        // DS dateValue keywords (docs/ds-facts.md §4.2).
        private static readonly string[] DateValues =
        {
            "currentHour", "last1Hour", "last2Hours", "last3Hours", "last24Hours", "today", "last1Days", "last2Days", "last3Days", "last7Days",
            "thisWeek", "lastWeek", "lastMonday", "lastTuesday", "lastWednesday", "lastThursday", "lastFriday", "lastSaturday", "lastSunday",
            "thisMonth", "lastMonth", "lastMonthBegin", "lastMonthEnd",
        };

        private string DependentDate(string value, SourceLocation at, string workflow, string task)
        {
            if (DateValues.Contains(value)) return value;
            // pyds also takes its enum names (LAST_WEDNESDAY, LAST_ONE_DAYS...): normalise words and underscores.
            var key = value.ToLowerInvariant().Replace("_", "").Replace("twentyfour", "24").Replace("seven", "7")
                .Replace("three", "3").Replace("two", "2").Replace("one", "1");
            var match = DateValues.FirstOrDefault(d => d.ToLowerInvariant() == key);
            if (match is not null) return match;
            _findings.Error("InvalidValue", at, $"dependent_date '{value}' is not a DS date value ({string.Join(", ", DateValues)}).", workflow, task);
            return value;
        }

        /// <summary>The cycle pyds derives from the date value (tasks/dependent.py).</summary>
        private static string CycleOf(string date) =>
            date.Contains("Hour", StringComparison.Ordinal) ? "hour"
            : date == "today" || date.Contains("Days", StringComparison.Ordinal) ? "day"
            : date.Contains("Month", StringComparison.Ordinal) ? "month" : "week";

        /// <summary>local_params: DS's own list of {prop, direct, type, value}.</summary>
        private void LocalParams(SpecNode node, List<ParameterSpec> into, string workflow, string task)
        {
            if (node is not SpecSequence seq)
            {
                if (node is not SpecScalar { IsNull: true })
                    _findings.Error("InvalidType", node.Location, "local_params must be a list of {prop, direct, type, value}.", workflow, task);
                return;
            }
            foreach (var item in seq.Items)
            {
                if (item is not SpecMapping pm || Text(pm["prop"]) is not { } prop)
                {
                    _findings.Error("InvalidType", item.Location, "a local_params entry is a mapping with 'prop' (and direct, type, value).", workflow, task);
                    continue;
                }
                into.Add(new ParameterSpec(prop, pm["value"] is { } v ? ParamText(v) : "")
                {
                    Type = Upper(Text(pm["type"])) ?? "VARCHAR",
                    Direction = Upper(Text(pm["direct"])) ?? "IN",
                    Location = pm.Location,
                });
            }
        }

        /// <summary>input_params / output_params: TYPE(value) or a plain value whose YAML type gives the DS type (core/parameter.py).</summary>
        private void AddTyped(SpecNode? node, string direction, List<ParameterSpec> into, string workflow, string task)
        {
            if (node is null or SpecScalar { IsNull: true }) return;
            if (node is not SpecMapping m)
            {
                _findings.Error("InvalidType", node.Location, $"{(direction == "IN" ? "input_params" : "output_params")} must be a mapping of name: value.", workflow, task);
                return;
            }
            foreach (var (k, v) in m.Entries)
            {
                var (type, value) = Infer(v);
                if (v is SpecScalar { Value: { } raw } s && TypedValue().Match(Macro(raw, s.Location)) is { Success: true } typed)
                {
                    type = typed.Groups[1].Value.TrimEnd();
                    value = typed.Groups[2].Value.TrimEnd();
                    if (!SpecValidator.ParameterTypes.Contains(type))
                        _findings.Error("InvalidParameter", s.Location, $"parameter '{k.Value}' has type '{type}', which is not a DS parameter type ({string.Join(", ", SpecValidator.ParameterTypes)}).", workflow, task);
                }
                into.Add(new ParameterSpec(k.Value!, value.ToString()) { Type = type, Direction = direction, Location = k.Location });
            }
        }

        /// <summary>The DS type pyds infers from a YAML value: int, float, bool, else (and null) VARCHAR.</summary>
        private (string Type, JsonNode Value) Infer(SpecNode v)
        {
            var json = v is SpecScalar { Value: not null } ? Value(v) : null;
            return json switch
            {
                JsonValue j when j.GetValueKind() == System.Text.Json.JsonValueKind.Number && j.TryGetValue(out long l) => ("INTEGER", JsonValue.Create(l.ToString(CultureInfo.InvariantCulture))),
                JsonValue j when j.GetValueKind() == System.Text.Json.JsonValueKind.Number => ("FLOAT", JsonValue.Create(j.ToJsonString())),
                JsonValue j when j.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => ("BOOLEAN", JsonValue.Create(j.ToJsonString())),
                null => ("VARCHAR", JsonValue.Create("")),
                _ => ("VARCHAR", JsonValue.Create(json.ToString())),
            };
        }

        [GeneratedRegex("^([A-Z]+)\\((.*)\\)$", RegexOptions.Singleline)]
        private static partial Regex TypedValue();

        /// <summary>A node as JSON, with pyds's macros applied to every string.</summary>
        private JsonNode? Value(SpecNode node) => CanonicalJson.FromSpecNode(Expand(node));

        private SpecNode Expand(SpecNode node) => node switch
        {
            SpecScalar { Value: not null } s => Macro(s.Value, s.Location) is var x && x == s.Value ? s : new SpecScalar(x, false, s.Location),
            SpecMapping mm => new SpecMapping(mm.Entries.Select(e => KeyValuePair.Create(e.Key, Expand(e.Value))).ToList(), mm.Location),
            SpecSequence q => new SpecSequence(q.Items.Select(Expand).ToList(), q.Location),
            _ => node,
        };

        private string? Text(SpecNode? node) => node is SpecScalar { Value: not null } s ? Macro(s.Value, s.Location) : null;

        /// <summary>A parameter value as DS stores it: booleans in lower case, null as "".</summary>
        private string ParamText(SpecNode v) => Value(v) switch
        {
            null => "",
            JsonValue j when j.GetValueKind() == System.Text.Json.JsonValueKind.String => j.GetValue<string>(),
            var j => j.ToJsonString(),
        };

        /// <summary>
        /// pyds's value rules, in its order: $FILE{"path"} (the whole value becomes the file's text), then $ENV{NAME},
        /// then ${CONFIG.key} (the whole value becomes the setting). DS's own ${x} and $[..] pass through.
        /// </summary>
        private string Macro(string value, SourceLocation at)
        {
            if (value.StartsWith("$FILE", StringComparison.Ordinal) && FileMacro().Match(value) is { Success: true } file)
            {
                var baseDir = Path.GetDirectoryName(at.File ?? ".") ?? ".";
                var full = Path.GetFullPath(Path.Combine(baseDir, file.Groups[1].Value));
                var root = Path.GetFullPath(_options.Root ?? baseDir);
                try
                {
                    value = SpecFileReader.ReadText(full, root, _options.Limits.MaxFileBytes, $"$FILE path '{file.Groups[1].Value}'", at);
                }
                catch (SpecLoadException ex)
                {
                    _findings.Error(SpecDocumentReader.ScriptRule(ex.ErrorId), at, ex.Detail);
                }
            }
            if (value.Contains("$ENV{", StringComparison.Ordinal))
                value = EnvMacro().Replace(value, m =>
                {
                    var name = m.Groups[1].Value;
                    if (_env(name) is { } v)
                    {
                        _options.Interpolated?.Add(name, v); // plans write the reference back, never the value
                        return v;
                    }
                    // pyds leaves "$NAME" for an unset variable (a shell on the worker may still expand it).
                    if (_warnedEnv.Add(name + "@" + at))
                        _findings.Warning("UnsetEnvironmentVariable", at, $"environment variable '{name}' is not set; $ENV{{{name}}} is kept as ${name}, as pydolphinscheduler does.");
                    return "$" + name;
                });
            if (value.Contains("${CONFIG.", StringComparison.Ordinal) && ConfigMacro().Match(value) is { Success: true } config)
            {
                var key = config.Groups[1].Value;
                if (_config.Get(key, at, _findings, report: true) is { } v)
                {
                    if (config.Value != value.Trim())
                        _findings.Warning("ConfigMacroReplacesValue", at, $"the whole value \"{value}\" becomes the setting {key}, as pydolphinscheduler does; put ${{CONFIG.{key}}} alone in the value.");
                    return v;
                }
            }
            return value;
        }

        [GeneratedRegex("\\$FILE\\{\"([^\"]*)\"\\}")]
        private static partial Regex FileMacro();

        [GeneratedRegex("\\$ENV\\{([A-Za-z_][A-Za-z0-9_]*)\\}")]
        private static partial Regex EnvMacro();

        [GeneratedRegex("\\$\\{CONFIG\\.([^}]*)\\}")]
        private static partial Regex ConfigMacro();

        private int? Int(SpecNode? node, string workflow, string? task)
        {
            var text = Text(node);
            if (text is null) return null;
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) && v >= 0) return v;
            _findings.Error("InvalidValue", node!.Location, $"'{text}' must be a whole number >= 0.", workflow, task);
            return null;
        }

        /// <summary>Python truthiness of a YAML 1.2 value (pyds reads YAML 1.2: yes/no/on/off are text, hence true).</summary>
        private bool PyTruthy(SpecNode node) => node switch
        {
            SpecScalar { Value: null } => false,
            SpecScalar { IsPlain: true, Value: var v } => Macro(v!, node.Location) is var t && !(t is "false" or "False" or "FALSE" or "" || IsZero(t)),
            SpecScalar s => s.Value!.Length > 0,
            SpecSequence q => q.Items.Count > 0,
            SpecMapping mm => mm.Entries.Count > 0,
            _ => true,
        };

        private static bool IsZero(string t) => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == 0 && t.Any(char.IsDigit);

        private static string? Time(string? text) => text is null ? null : text.Length == 10 ? text + " 00:00:00" : text.Replace('T', ' ');

        private static string? Upper(string? s) => s?.Trim().ToUpperInvariant();
    }
}

/// <summary>Settings pydolphinscheduler YAML takes from its own configuration.</summary>
public sealed record PyDsOptions
{
    /// <summary>
    /// Configuration values by attribute name (WORKFLOW_PROJECT) or dotted path (default.workflow.project); they win
    /// over PYDS_* environment variables, the configuration file and pyds's built-in defaults.
    /// </summary>
    public IReadOnlyDictionary<string, string> Config { get; init; } = new Dictionary<string, string>();
    /// <summary>Project when the workflow names none (before default.workflow.project).</summary>
    public string? Project { get; init; }
    /// <summary>pyds's configuration file; null = $PYDS_HOME/config.yaml, else ~/pydolphinscheduler/config.yaml, when it exists.</summary>
    public string? ConfigFile { get; init; }
}
