using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using DsOps.Engine.Specs.Documents;
using DsOps.Engine.Specs.Loading;
using DsOps.Engine.Specs.Model;
using DsOps.Engine.Specs.Validation;

namespace DsOps.Engine.Specs.Sources;

/// <summary>
/// Imports pydolphinscheduler YAML (one workflow per file: <c>workflow:</c> + <c>tasks:</c> with
/// <c>deps</c>), as described in docs/workflows-as-config.md (pydolphinscheduler). Differences on purpose:
/// <c>$ENV{X}</c> fails when X is unset (pyds leaves "$X"); every occurrence is replaced, not only the
/// first; <c>$WORKFLOW{"f.yaml"}</c> only reads the other file (pyds submits it while parsing);
/// <c>$FILE</c> paths are relative to the YAML file and must stay inside its folder;
/// <c>${CONFIG.key}</c> comes from <see cref="PyDsOptions.Config"/>.
/// </summary>
public static partial class PyDolphinSchedulerSource
{
    /// <summary>A YAML file with top-level 'tasks:' and 'workflow:' keys is pydolphinscheduler's format.</summary>
    public static bool LooksLikePyDs(string path)
    {
        if (!File.Exists(path)) return false;
        try
        {
            return SafeYamlReader.ReadFile(path) is SpecMapping m && m["tasks"] is not null && m["workflow"] is SpecMapping;
        }
        catch (SpecLoadException)
        {
            return false;
        }
    }

    public static SpecSet Load(string path, SpecLoadOptions? options = null, PyDsOptions? pyds = null)
    {
        options ??= SpecLoadOptions.Default;
        var findings = new FindingSink();
        var ctx = new Context(options, pyds ?? new PyDsOptions(), findings);
        var files = Directory.Exists(path) ? YamlSpecSource.SpecFiles(path, findings) : new[] { path };
        foreach (var f in files) ctx.LoadFile(Path.GetFullPath(f));
        var result = options.Overlay is null ? ctx.Workflows : ctx.Workflows.Select(options.Overlay.Apply).ToList();
        return new SpecSet(result, findings.Items);
    }

    private sealed partial class Context
    {
        private readonly SpecLoadOptions _options;
        private readonly PyDsOptions _pyds;
        private readonly FindingSink _findings;
        private readonly SpecInterpolator _interpolator;
        private readonly Dictionary<string, string?> _loaded = new(StringComparer.Ordinal); // file -> workflow name
        private readonly HashSet<string> _inProgress = new(StringComparer.Ordinal);

        public Context(SpecLoadOptions options, PyDsOptions pyds, FindingSink findings)
        {
            _options = options;
            _pyds = pyds;
            _findings = findings;
            _interpolator = new SpecInterpolator(options.EnvironmentVariables, options.Interpolated);
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
                var w = root is SpecMapping top ? ReadWorkflow(top, file) : null;
                if (w is null && root is not SpecMapping)
                    _findings.Error("InvalidDocument", root?.Location ?? new SourceLocation(file), "a pydolphinscheduler file is a mapping with 'workflow:' and 'tasks:'.");
                if (w is not null)
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

        private WorkflowSpec? ReadWorkflow(SpecMapping top, string file)
        {
            var wf = (SpecMapping)top["workflow"]!;
            var name = Text(wf["name"]);
            if (string.IsNullOrWhiteSpace(name))
            {
                _findings.Error("MissingField", wf.Location, "workflow has no 'name'.");
                return null;
            }
            if (Text(wf["run"]) is "true" or "True")
                _findings.Warning("IgnoredField", wf["run"]!.Location, "'run: true' is ignored: importing never starts a workflow.", name);
            var project = Text(wf["project"]) ?? _options.DefaultProject ?? _pyds.Project ?? "";
            if (project.Length == 0) _findings.Error("MissingField", wf.Location, $"workflow '{name}' has no project (set workflow.project or -Project).", name);
            var defaultWorkerGroup = Text(wf["worker_group"]) ?? "default";

            var tasks = new List<TaskSpec>();
            if (top["tasks"] is SpecSequence seq)
                foreach (var item in seq.Items)
                {
                    if (item is SpecMapping tm) { if (ReadTask(tm, name, project, defaultWorkerGroup, file) is { } t) tasks.Add(t); }
                    else _findings.Error("InvalidType", item.Location, "a task is a mapping.", name);
                }
            else _findings.Error("MissingField", top.Location, "'tasks' must be a list.", name);

            ScheduleSpec? schedule = null;
            if (Text(wf["schedule"]) is { } cron)
            {
                schedule = new ScheduleSpec(cron)
                {
                    TimeZone = Text(wf["timezone"]) ?? _pyds.TimeZone,
                    Start = Time(Text(wf["start_time"])) ?? "1970-01-01 00:00:00",
                    End = Time(Text(wf["end_time"])) ?? "2099-12-31 23:59:59",
                    Online = Flag(Text(wf["online_schedule"]), true),
                    WarningType = Text(wf["warning_type"])?.ToUpperInvariant() ?? "NONE",
                    WarningGroup = Text(wf["warning_group_id"]) is { } g && g != "0" ? "id:" + g : null,
                    WorkerGroup = defaultWorkerGroup,
                    Location = wf["schedule"]!.Location,
                };
            }
            var globals = new List<ParameterSpec>();
            if (wf["param"] is SpecMapping pm)
                foreach (var (k, v) in pm.Entries) globals.Add(new ParameterSpec(k.Value!, Text(v) ?? "") { Location = k.Location });
            return new WorkflowSpec(project, name, tasks.ToImmutableArray())
            {
                Description = Text(wf["description"]),
                Timeout = Int(wf["timeout"]) ?? 0,
                ExecutionType = Text(wf["execution_type"])?.ToUpperInvariant() ?? "PARALLEL",
                ReleaseState = Text(wf["release_state"])?.ToUpperInvariant() ?? "ONLINE",
                Tenant = Text(wf["tenant"]),
                Parameters = globals.OrderBy(p => p.Name, StringComparer.Ordinal).ToImmutableArray(),
                Schedule = schedule,
                Location = wf.Location,
            };
        }

        private static readonly Dictionary<string, string> TypeNames = new(StringComparer.OrdinalIgnoreCase)
        {
            ["Shell"] = "SHELL", ["Python"] = "PYTHON", ["Sql"] = "SQL", ["Procedure"] = "PROCEDURE", ["Http"] = "HTTP",
            ["SubWorkflow"] = "SUB_WORKFLOW", ["SubProcess"] = "SUB_WORKFLOW", ["Dependent"] = "DEPENDENT", ["Condition"] = "CONDITIONS",
            ["Conditions"] = "CONDITIONS", ["Switch"] = "SWITCH", ["Spark"] = "SPARK", ["DataX"] = "DATAX", ["CustomDataX"] = "DATAX",
            ["Flink"] = "FLINK", ["MR"] = "MR", ["Sqoop"] = "SQOOP", ["Kubernetes"] = "K8S", ["K8S"] = "K8S", ["SeaTunnel"] = "SEATUNNEL",
            ["Java"] = "JAVA", ["Emr"] = "EMR", ["Zeppelin"] = "ZEPPELIN", ["RemoteShell"] = "REMOTESHELL", ["HiveCli"] = "HIVECLI",
        };

        // Keys consumed by the importer; everything else becomes a camelCase taskParams key.
        private static readonly HashSet<string> Common = new(StringComparer.Ordinal)
        {
            "task_type", "name", "description", "deps", "flag", "task_priority", "worker_group", "environment_name", "delay_time",
            "fail_retry_times", "fail_retry_interval", "timeout", "timeout_notify_strategy", "timeout_flag", "input_params", "output_params",
            "local_params", "resource_list", "command", "definition", "sql", "datasource_name", "datatarget_name", "method", "workflow_name",
            "process_definition_name", "condition", "success_task", "failed_task", "op", "groups", "is_cache", "task_group_id", "task_group_priority",
        };

        private TaskSpec? ReadTask(SpecMapping m, string workflow, string project, string defaultWorkerGroup, string file)
        {
            var name = Text(m["name"]);
            if (string.IsNullOrWhiteSpace(name)) { _findings.Error("MissingField", m.Location, "a task has no 'name'.", workflow); return null; }
            var pyType = Text(m["task_type"]) ?? "";
            if (!TypeNames.TryGetValue(pyType, out var type))
            {
                type = pyType.ToUpperInvariant();
                if (!Dialects.DsDialect.KnownTaskTypes.Contains(type))
                    _findings.Error("UnknownTaskType", m.Location, $"task '{name}' has pydolphinscheduler task_type '{pyType}', which DsOps does not know.", workflow, name);
            }

            var deps = new List<(string, SourceLocation)>();
            if (m["deps"] is SpecSequence ds) foreach (var d in ds.Items) if (Text(d) is { } dn) deps.Add((dn, d.Location));
            var parameters = new List<ParameterSpec>();
            AddTyped(m["input_params"], "IN", parameters, workflow, name);
            AddTyped(m["output_params"], "OUT", parameters, workflow, name);

            var timeout = Int(m["timeout"]) ?? 0;
            var spec = new TaskSpec(name, type)
            {
                Description = Text(m["description"]),
                DependsOn = deps.Select(d => d.Item1).Distinct().Order(StringComparer.Ordinal).ToImmutableArray(),
                DependencyLocations = deps.GroupBy(d => d.Item1).ToDictionary(g => g.Key, g => g.First().Item2, StringComparer.Ordinal),
                WorkerGroup = Text(m["worker_group"]) ?? defaultWorkerGroup,
                Environment = Text(m["environment_name"]),
                Retries = Int(m["fail_retry_times"]) ?? 0,
                RetryInterval = Int(m["fail_retry_interval"]) ?? 1,
                Timeout = timeout,
                TimeoutStrategy = timeout > 0 ? Text(m["timeout_notify_strategy"])?.ToUpperInvariant() : null,
                Priority = Text(m["task_priority"])?.ToUpperInvariant() ?? "MEDIUM",
                DelayTime = Int(m["delay_time"]) ?? 0,
                Enabled = Text(m["flag"])?.ToUpperInvariant() != "NO",
                Parameters = parameters.OrderBy(p => p.Name, StringComparer.Ordinal).ToImmutableArray(),
                Resources = m["resource_list"] is SpecSequence rs ? rs.Items.Select(Text).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToImmutableArray() : ImmutableArray<string>.Empty,
                Location = m.Location,
            };
            switch (type)
            {
                case "SHELL": spec = spec with { Script = Text(m["command"]) }; break;
                case "PYTHON": spec = spec with { Script = Text(m["definition"]) ?? Text(m["command"]) }; break;
                case "SQL": spec = spec with { Script = Text(m["sql"]), DataSource = Text(m["datasource_name"]) }; break;
                case "PROCEDURE": spec = spec with { Script = Text(m["method"]), DataSource = Text(m["datasource_name"]) }; break;
                case "DATAX": spec = spec with { Script = Text(m["sql"]), DataSource = Text(m["datasource_name"]), DataTarget = Text(m["datatarget_name"]) }; break;
                case "SUB_WORKFLOW": spec = spec with { SubWorkflow = Text(m["workflow_name"]) ?? Text(m["process_definition_name"]) }; break;
                case "SWITCH": spec = spec with { Switch = Switch(m, workflow, name) }; break;
                case "CONDITIONS": spec = spec with { Conditions = Conditions(m, workflow, name) }; break;
                case "DEPENDENT": spec = spec with { Dependence = Dependent(m, project, workflow, name) }; break;
            }
            var extra = new List<KeyValuePair<SpecScalar, SpecNode>>();
            foreach (var (k, v) in m.Entries)
            {
                if (Common.Contains(k.Value!)) continue;
                if (k.Value == "http_params")
                {
                    extra.Add(new(new SpecScalar("httpParams", false, k.Location), HttpParams(Expand(v), workflow, name)));
                    continue;
                }
                if (k.Value is "main_package" or "main_jar")
                {
                    _findings.Warning("IgnoredField", k.Location, $"'{k.Value}' names a resource that DsOps does not convert; set params.mainJar for the target DS version.", workflow, name);
                    continue;
                }
                extra.Add(new(new SpecScalar(Camel(k.Value!), false, k.Location), Expand(v)));
            }
            if (type == "HTTP" && m["condition"] is { } hc) extra.Add(new(new SpecScalar("condition", false, hc.Location), Expand(hc)));
            if (extra.Count > 0)
                spec = spec with { Params = CanonicalJson.Canonicalize(CanonicalJson.FromSpecNode(new SpecMapping(extra, m.Location))) };
            return spec;
        }

        /// <summary>
        /// pyds writes HTTP parameters as {name: {http_parameters_type, value}} (older examples: a list);
        /// DS wants [{prop, httpParametersType, value}].
        /// </summary>
        private SpecNode HttpParams(SpecNode node, string workflow, string task)
        {
            static SpecScalar S(string v, SourceLocation at) => new(v, false, at);
            SpecMapping Item(string prop, SpecMapping body, SourceLocation at) => new(new List<KeyValuePair<SpecScalar, SpecNode>>
            {
                new(S("prop", at), S(prop, at)),
                new(S("httpParametersType", at), S((Text(body["http_parameters_type"]) ?? Text(body["httpParametersType"]) ?? "PARAMETER").ToUpperInvariant(), at)),
                new(S("value", at), body["value"] ?? new SpecScalar("", false, at)),
            }, at);
            switch (node)
            {
                case SpecMapping map:
                    return new SpecSequence(map.Entries.Select(e => (SpecNode)(e.Value is SpecMapping body
                        ? Item(e.Key.Value!, body, e.Key.Location)
                        : Item(e.Key.Value!, new SpecMapping(new List<KeyValuePair<SpecScalar, SpecNode>> { new(S("value", e.Key.Location), e.Value) }, e.Key.Location), e.Key.Location))).ToList(), map.Location);
                case SpecSequence list:
                    return new SpecSequence(list.Items.OfType<SpecMapping>().Select(i => (SpecNode)Item(Text(i["prop"]) ?? "", i, i.Location)).ToList(), list.Location);
                default:
                    _findings.Error("InvalidType", node.Location, "http_params must be a mapping of name: {http_parameters_type, value}.", workflow, task);
                    return node;
            }
        }

        private SwitchSpec Switch(SpecMapping m, string workflow, string task)
        {
            var branches = ImmutableArray.CreateBuilder<SwitchBranchSpec>();
            string? def = null;
            if (m["condition"] is SpecSequence seq)
                foreach (var c in seq.Items.OfType<SpecMapping>())
                {
                    var target = Text(c["task"]) ?? "";
                    if (Text(c["condition"]) is { } expr) branches.Add(new SwitchBranchSpec(expr, target));
                    else def = target;
                }
            else _findings.Error("MissingField", m.Location, $"Switch task '{task}' needs 'condition:' as a list of {{task, condition}}.", workflow, task);
            return new SwitchSpec(branches.ToImmutable(), def) { Location = m.Location };
        }

        private ConditionsSpec Conditions(SpecMapping m, string workflow, string task)
        {
            var groups = ImmutableArray.CreateBuilder<ConditionGroupSpec>();
            if (m["groups"] is SpecSequence gs)
                foreach (var g in gs.Items.OfType<SpecMapping>())
                {
                    var items = (g["groups"] as SpecSequence)?.Items.OfType<SpecMapping>()
                        .Select(i => new ConditionItemSpec(Text(i["task"]) ?? "", Flag(Text(i["flag"]), true) ? "SUCCESS" : "FAILURE")).ToImmutableArray() ?? ImmutableArray<ConditionItemSpec>.Empty;
                    groups.Add(new ConditionGroupSpec(Text(g["op"])?.ToUpperInvariant() ?? "AND", items));
                }
            return new ConditionsSpec(Text(m["op"])?.ToUpperInvariant() ?? "AND", groups.ToImmutable(),
                Text(m["success_task"]) is { } s ? ImmutableArray.Create(s) : ImmutableArray<string>.Empty,
                Text(m["failed_task"]) is { } f ? ImmutableArray.Create(f) : ImmutableArray<string>.Empty) { Location = m.Location };
        }

        private DependenceSpec Dependent(SpecMapping m, string project, string workflow, string task)
        {
            var groups = ImmutableArray.CreateBuilder<DependGroupSpec>();
            if (m["groups"] is SpecSequence gs)
                foreach (var g in gs.Items.OfType<SpecMapping>())
                {
                    var items = ImmutableArray.CreateBuilder<DependItemSpec>();
                    foreach (var i in (g["groups"] as SpecSequence)?.Items.OfType<SpecMapping>() ?? Enumerable.Empty<SpecMapping>())
                    {
                        var date = DependentDate(Text(i["dependent_date"]) ?? "today", i.Location, workflow, task);
                        var dependentTask = Text(i["dependent_task_name"]);
                        items.Add(new DependItemSpec(Text(i["project_name"]) ?? project, Text(i["workflow_name"]) ?? Text(i["process_definition_name"]) ?? "",
                            dependentTask is null or "0" or "ALL" ? null : dependentTask, CycleOf(date), date) { Location = i.Location });
                    }
                    groups.Add(new DependGroupSpec(Text(g["op"])?.ToUpperInvariant() ?? "AND", items.ToImmutable()));
                }
            return new DependenceSpec(Text(m["op"])?.ToUpperInvariant() ?? "AND", groups.ToImmutable());
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
            // Enum names such as LAST_WEDNESDAY or LAST_ONE_DAYS: normalise words and underscores.
            var key = value.ToLowerInvariant().Replace("_", "").Replace("twentyfour", "24").Replace("seven", "7")
                .Replace("three", "3").Replace("two", "2").Replace("one", "1");
            var match = DateValues.FirstOrDefault(d => d.ToLowerInvariant() == key);
            if (match is not null) return match;
            _findings.Error("InvalidValue", at, $"dependent_date '{value}' is not a DS date value ({string.Join(", ", DateValues)}).", workflow, task);
            return value;
        }

        private static string CycleOf(string date) =>
            date.Contains("Hour", StringComparison.Ordinal) ? "hour"
            : date.Contains("Week", StringComparison.Ordinal) || date.EndsWith("day", StringComparison.Ordinal) && date.StartsWith("last", StringComparison.Ordinal) && !date.EndsWith("Days", StringComparison.Ordinal) ? "week"
            : date.Contains("Month", StringComparison.Ordinal) ? "month" : "day";

        private void AddTyped(SpecNode? node, string direction, List<ParameterSpec> into, string workflow, string task)
        {
            if (node is not SpecMapping m) return;
            foreach (var (k, v) in m.Entries)
            {
                var s = v as SpecScalar;
                var text = Text(v) ?? "";
                var type = "VARCHAR";
                var typed = TypedValue().Match(text);
                if (typed.Success && SpecValidator.ParameterTypes.Contains(typed.Groups[1].Value))
                {
                    type = typed.Groups[1].Value;
                    text = typed.Groups[2].Value;
                }
                else if (s is { IsPlain: true, Value: not null })
                {
                    // Untyped values are inferred as pyds does: int, float, bool, else VARCHAR.
                    if (long.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)) type = "INTEGER";
                    else if (double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) type = "FLOAT";
                    else if (s.Value is "true" or "false" or "True" or "False") type = "BOOLEAN";
                }
                into.Add(new ParameterSpec(k.Value!, text) { Type = type, Direction = direction, Location = k.Location });
            }
        }

        [GeneratedRegex("^([A-Z]+)\\((.*)\\)$", RegexOptions.Singleline)]
        private static partial Regex TypedValue();

        private SpecNode Expand(SpecNode node) => node switch
        {
            SpecScalar { Value: not null } s => new SpecScalar(Macro(s.Value, s.Location), s.IsPlain && !s.Value.Contains('$'), s.Location),
            SpecMapping mm => new SpecMapping(mm.Entries.Select(e => KeyValuePair.Create(e.Key, Expand(e.Value))).ToList(), mm.Location),
            SpecSequence q => new SpecSequence(q.Items.Select(Expand).ToList(), q.Location),
            _ => node,
        };

        private string? Text(SpecNode? node) => node is SpecScalar { Value: not null } s ? Macro(s.Value, s.Location) : null;

        /// <summary>$FILE{"path"}, $ENV{NAME}, ${CONFIG.key} (DS's own ${x} and $[..] pass through).</summary>
        private string Macro(string value, SourceLocation at)
        {
            var file = FileMacro().Match(value);
            if (file.Success)
            {
                var baseDir = Path.GetDirectoryName(at.File ?? ".") ?? ".";
                var full = Path.GetFullPath(Path.Combine(baseDir, file.Groups[1].Value));
                var root = Path.GetFullPath(_options.Root ?? baseDir);
                try
                {
                    return SpecFileReader.ReadText(full, root, _options.Limits.MaxFileBytes, $"$FILE path '{file.Groups[1].Value}'", at);
                }
                catch (SpecLoadException ex)
                {
                    _findings.Error(SpecDocumentReader.ScriptRule(ex.ErrorId), at, ex.Detail);
                }
                return value;
            }
            value = EnvMacro().Replace(value, m => _interpolator.Expand("${env:" + m.Groups[1].Value + "}", at, _findings) ?? m.Value);
            if (value.StartsWith("${CONFIG.", StringComparison.Ordinal) && value.EndsWith('}'))
            {
                var key = value[9..^1];
                if (_pyds.Config.TryGetValue(key, out var v)) return v;
                _findings.Error("UnknownConfigKey", at, $"${{CONFIG.{key}}} is not set; pass it in the pydolphinscheduler config map.");
            }
            return value;
        }

        [GeneratedRegex("^\\$FILE\\{\"([^\"]+)\"\\}")]
        private static partial Regex FileMacro();

        [GeneratedRegex("\\$ENV\\{([A-Za-z_][A-Za-z0-9_]*)\\}")]
        private static partial Regex EnvMacro();

        private int? Int(SpecNode? node) => int.TryParse(Text(node), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : null;

        private static bool Flag(string? text, bool fallback) => text?.ToLowerInvariant() switch
        {
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            _ => fallback,
        };

        private static string? Time(string? text) => text is null ? null : text.Length == 10 ? text + " 00:00:00" : text.Replace('T', ' ');

        private static string Camel(string snake)
        {
            var parts = snake.Split('_', StringSplitOptions.RemoveEmptyEntries);
            return parts.Length == 0 ? snake : parts[0] + string.Concat(parts.Skip(1).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
        }
    }
}

/// <summary>Settings pydolphinscheduler YAML takes from its own config.</summary>
public sealed record PyDsOptions
{
    /// <summary>Values for ${CONFIG.key} macros (e.g. "WORKFLOW_PROJECT", "default.user.tenant").</summary>
    public IReadOnlyDictionary<string, string> Config { get; init; } = new Dictionary<string, string>();
    /// <summary>Project when the workflow names none (pyds: default.workflow.project).</summary>
    public string? Project { get; init; }
    /// <summary>pyds default time zone is Asia/Shanghai (default.workflow.time_zone).</summary>
    public string TimeZone { get; init; } = "Asia/Shanghai";
}
