using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DsOps.Engine.Dialects;
using DsOps.Engine.Specs.Documents;
using DsOps.Engine.Specs.Model;

namespace DsOps.Engine.Specs.Wire;

/// <summary>
/// Converts between the spec model and DS's wire shapes (taskDefinitionJson, taskRelationJson,
/// locations, globalParams, schedule; DagData and batch-export elements), per dialect.
/// Field facts: docs/ds-facts.md §4. Names the resolver does not know are
/// written as "id:N" when reading from DS, and "id:N" is accepted when writing to DS.
/// </summary>
internal sealed class DsWireConverter
{
    /// <summary>taskParams keys the spec model lifts into typed fields (the rest stays in Params).</summary>
    private static readonly HashSet<string> AlwaysLifted = new(StringComparer.Ordinal) { "localParams", "resourceList", "varPool" };

    /// <summary>UI noise the server tolerates on tasks of other types (docs/ds-facts.md §4.2); dropped when empty.</summary>
    private static readonly string[] NoiseKeys = { "conditionResult", "switchResult", "dependence", "waitStartTimeout", "initScript" };

    private readonly DsDialect _dialect;
    private readonly IDsNameResolver _names;

    public DsWireConverter(DsDialect dialect, IDsNameResolver? names = null)
    {
        _dialect = dialect;
        _names = names ?? DsNameMap.Empty;
    }

    public DsDialect Dialect => _dialect;

    // =====================================================================
    // spec -> wire
    // =====================================================================

    /// <summary>
    /// Builds the wire form of <paramref name="workflow"/>. <paramref name="taskCodes"/> gives every
    /// task's code (apply pre-generates codes for new tasks); <paramref name="taskVersions"/> the current
    /// version of existing tasks (0 for new ones).
    /// </summary>
    public DsWireWorkflow ToWire(WorkflowSpec workflow, IReadOnlyDictionary<string, long> taskCodes, IReadOnlyDictionary<string, int>? taskVersions = null)
    {
        long Code(string task) => taskCodes.TryGetValue(task, out var c) ? c
            : throw new DsOpsException(DsErrorKind.InvalidInput, "DsSpecMissingTaskCode", $"No task code was supplied for task '{task}' of workflow '{workflow.Name}'.");
        int Version(string task) => taskVersions is not null && taskVersions.TryGetValue(task, out var v) ? v : 0;

        var ordered = workflow.Tasks.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        var defs = new JsonArray();
        foreach (var t in ordered) defs.Add(TaskToWire(workflow, t, Code(t.Name), Version(t.Name), Code));

        var relations = new JsonArray();
        foreach (var t in ordered)
        {
            if (t.DependsOn.Length == 0) relations.Add(Relation(0, 0, Code(t.Name), Version(t.Name)));
            foreach (var dep in t.DependsOn) relations.Add(Relation(Code(dep), Version(dep), Code(t.Name), Version(t.Name)));
        }

        var locations = new JsonArray();
        foreach (var (task, x, y) in Layout(workflow))
            locations.Add(new JsonObject { ["taskCode"] = Code(task), ["x"] = x, ["y"] = y });

        var tenantOnDefinition = _dialect.TenantOnWorkflowDefinition ? workflow.Tenant ?? "default" : null;
        return new DsWireWorkflow
        {
            Name = workflow.Name,
            Description = workflow.Description ?? "",
            TaskDefinitionJson = defs.ToJsonString(),
            TaskRelationJson = relations.ToJsonString(),
            Locations = locations.ToJsonString(),
            GlobalParams = ParamsToWire(workflow.Parameters).ToJsonString(),
            Timeout = workflow.Timeout,
            ExecutionType = workflow.ExecutionType,
            ReleaseState = workflow.ReleaseState,
            TenantCode = tenantOnDefinition,
            Schedule = workflow.Schedule is null ? null : ScheduleToWire(workflow.Schedule, workflow.Tenant),
        };
    }

    private static JsonObject Relation(long pre, int preVersion, long post, int postVersion) => new()
    {
        ["name"] = "", ["preTaskCode"] = pre, ["preTaskVersion"] = preVersion, ["postTaskCode"] = post, ["postTaskVersion"] = postVersion,
        ["conditionType"] = "NONE", ["conditionParams"] = new JsonObject(),
    };

    private DsWireSchedule ScheduleToWire(ScheduleSpec s, string? tenant) => new()
    {
        ScheduleJson = new JsonObject { ["startTime"] = s.Start, ["endTime"] = s.End, ["crontab"] = s.Cron, ["timezoneId"] = s.TimeZone }.ToJsonString(),
        WarningType = s.WarningType,
        WarningGroupId = s.WarningGroup is null ? null : (int)ResolveId(s.WarningGroup, n => _names.AlertGroupId(n), "alert group"),
        FailureStrategy = s.FailureStrategy,
        WorkerGroup = s.WorkerGroup,
        EnvironmentCode = s.Environment is null ? -1 : ResolveId(s.Environment, n => _names.EnvironmentCode(n), "environment"),
        Priority = s.Priority,
        TenantCode = _dialect.TenantOnRun ? tenant ?? "default" : null,
        Online = s.Online,
    };

    private JsonObject TaskToWire(WorkflowSpec w, TaskSpec t, long code, int version, Func<string, long> codeOf)
    {
        var type = DsDialect.CanonicalTaskType(t.Type);
        var p = CanonicalJson.Parse(t.Params) as JsonObject ?? new JsonObject();
        p["localParams"] = ParamsToWire(t.Parameters);
        p["resourceList"] = new JsonArray(t.Resources.Select(r => (JsonNode)(_dialect.ResourcesByFullName
            ? new JsonObject { ["resourceName"] = r }
            : new JsonObject { ["id"] = ResolveId(r, n => _names.ResourceId(n), "resource") })).ToArray());
        switch (type)
        {
            case "SHELL" or "PYTHON":
                p["rawScript"] = t.Script ?? "";
                break;
            case "SQL":
                p["sql"] = t.Script ?? "";
                SetDataSource(p, "type", "datasource", t.DataSource, t.DataSourceType);
                // DS needs sqlType (0 query / 1 non-query); infer it when the spec leaves it out.
                if (!p.ContainsKey("sqlType")) p["sqlType"] = LooksLikeQuery(t.Script) ? 0 : 1;
                break;
            case "PROCEDURE":
                p["method"] = t.Script ?? "";
                SetDataSource(p, "type", "datasource", t.DataSource, t.DataSourceType);
                break;
            case "DATAX":
                if (t.DataSource is not null) SetDataSource(p, "dsType", "dataSource", t.DataSource, t.DataSourceType);
                if (t.DataTarget is not null) SetDataSource(p, "dtType", "dataTarget", t.DataTarget, t.DataTargetType);
                if (t.Script is not null) p["sql"] = t.Script;
                break;
            case "SUB_WORKFLOW":
                p[_dialect.SubWorkflowCodeKey] = t.SubWorkflow is null ? 0 : ResolveId(t.SubWorkflow, n => _names.WorkflowCode(w.Project, n), "workflow");
                break;
            case "DEPENDENT" when t.Dependence is { } d:
                var dep = new JsonObject
                {
                    ["relation"] = d.Relation,
                    ["dependTaskList"] = new JsonArray(d.Groups.Select(g => (JsonNode)new JsonObject
                    {
                        ["relation"] = g.Relation,
                        ["dependItemList"] = new JsonArray(g.Items.Select(i => (JsonNode)new JsonObject
                        {
                            ["projectCode"] = ResolveId(i.Project, n => _names.ProjectCode(n), "project"),
                            ["definitionCode"] = ResolveId(i.Workflow, n => _names.WorkflowCode(i.Project, n), "workflow"),
                            ["depTaskCode"] = i.Task is null ? 0 : ResolveId(i.Task, n => _names.TaskCode(i.Project, i.Workflow, n), "task"),
                            ["cycle"] = i.Cycle,
                            ["dateValue"] = i.DateValue,
                        }).ToArray()),
                    }).ToArray()),
                };
                if (d.CheckInterval is { } ci) dep["checkInterval"] = ci;
                if (d.FailurePolicy is { } fp) dep["failurePolicy"] = fp;
                if (d.FailureWaitingTime is { } fw) dep["failureWaitingTime"] = fw;
                p["dependence"] = dep;
                break;
            case "CONDITIONS" when t.Conditions is { } c:
                p["dependence"] = new JsonObject
                {
                    ["relation"] = c.Relation,
                    ["dependTaskList"] = new JsonArray(c.Groups.Select(g => (JsonNode)new JsonObject
                    {
                        ["relation"] = g.Relation,
                        ["dependItemList"] = new JsonArray(g.Items.Select(i => (JsonNode)new JsonObject { ["depTaskCode"] = codeOf(i.Task), ["status"] = i.Status }).ToArray()),
                    }).ToArray()),
                };
                p["conditionResult"] = new JsonObject
                {
                    ["successNode"] = new JsonArray(c.SuccessTasks.Select(s => (JsonNode)JsonValue.Create(codeOf(s))).ToArray()),
                    ["failedNode"] = new JsonArray(c.FailedTasks.Select(s => (JsonNode)JsonValue.Create(codeOf(s))).ToArray()),
                };
                break;
            case "SWITCH" when t.Switch is { } sw:
                var sr = new JsonObject
                {
                    ["dependTaskList"] = new JsonArray(sw.Branches.Select(b => (JsonNode)new JsonObject { ["condition"] = b.Condition, ["nextNode"] = codeOf(b.Task) }).ToArray()),
                };
                if (sw.Default is not null) sr["nextNode"] = codeOf(sw.Default);
                p["switchResult"] = sr;
                break;
        }

        // A main jar named by full name (pydolphinscheduler imports) is referenced by id where resources go by id (3.0/3.1).
        if (!_dialect.ResourcesByFullName && p["mainJar"] is JsonObject { Count: 1 } jar && jar["resourceName"] is JsonValue jarName)
            p["mainJar"] = new JsonObject { ["id"] = ResolveId(jarName.ToString(), n => _names.ResourceId(n), "resource") };

        var o = new JsonObject
        {
            ["code"] = code,
            ["version"] = version,
            ["name"] = t.Name,
            ["description"] = Provenance.ProvenanceMarker.Append(t.Description, t.Provenance, t.Script),
            ["taskType"] = _dialect.WireTaskType(type),
            ["taskParams"] = p,
            ["flag"] = t.Enabled ? "YES" : "NO",
            ["taskPriority"] = t.Priority,
            ["workerGroup"] = t.WorkerGroup,
            ["environmentCode"] = t.Environment is null ? -1 : ResolveId(t.Environment, n => _names.EnvironmentCode(n), "environment"),
            ["failRetryTimes"] = t.Retries,
            ["failRetryInterval"] = t.RetryInterval,
            ["timeoutFlag"] = t.Timeout > 0 ? "OPEN" : "CLOSE",
            ["timeoutNotifyStrategy"] = Planning.SpecFields.TimeoutStrategyOf(t),
            ["timeout"] = t.Timeout,
            ["delayTime"] = t.DelayTime,
            ["taskGroupId"] = 0,
            ["taskGroupPriority"] = 0,
        };
        if (_dialect.TaskHasResourceLimits)
        {
            o["cpuQuota"] = -1;
            o["memoryMax"] = -1;
            o["taskExecuteType"] = "BATCH";
        }
        if (_dialect.TaskHasIsCache) o["isCache"] = t.Cache ? "YES" : "NO";
        return o;
    }

    private void SetDataSource(JsonObject p, string typeKey, string idKey, string? name, string? declaredType)
    {
        if (name is null) return;
        if (name.StartsWith("id:", StringComparison.Ordinal))
        {
            p[idKey] = ParseId(name);
            p[typeKey] = declaredType ?? throw new DsOpsException(DsErrorKind.InvalidInput, "DsSpecUnresolvedName",
                $"Data source '{name}' is given by id; set its dataSourceType too.");
            return;
        }
        var ds = _names.DataSource(name) ?? throw Unresolved("data source", name);
        p[idKey] = ds.Id;
        p[typeKey] = declaredType ?? ds.Type;
    }

    private static bool LooksLikeQuery(string? sql)
    {
        var s = (sql ?? "").TrimStart().ToUpperInvariant();
        return s.StartsWith("SELECT", StringComparison.Ordinal) || s.StartsWith("WITH", StringComparison.Ordinal) || s.StartsWith("SHOW", StringComparison.Ordinal)
               || s.StartsWith("DESC", StringComparison.Ordinal) || s.StartsWith("EXPLAIN", StringComparison.Ordinal);
    }

    private static JsonArray ParamsToWire(IEnumerable<ParameterSpec> ps) =>
        new(ps.Select(p => (JsonNode)new JsonObject { ["prop"] = p.Name, ["direct"] = p.Direction, ["type"] = p.Type, ["value"] = p.Value }).ToArray());

    private static long ResolveId(string name, Func<string, long?> lookup, string what) =>
        name.StartsWith("id:", StringComparison.Ordinal) ? ParseId(name) : lookup(name) ?? throw Unresolved(what, name);

    private static long ResolveId(string name, Func<string, int?> lookup, string what) =>
        name.StartsWith("id:", StringComparison.Ordinal) ? ParseId(name) : lookup(name) ?? throw Unresolved(what, name);

    private static long ParseId(string text) =>
        long.TryParse(text.AsSpan(3), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v
            : throw new DsOpsException(DsErrorKind.InvalidInput, "DsSpecUnresolvedName", $"'{text}' is not a valid id reference (expected id:<number>).");

    private static DsOpsException Unresolved(string what, string name) =>
        new(DsErrorKind.NotFound, "DsSpecUnresolvedName", $"The {what} '{name}' is not known on the target.");

    /// <summary>
    /// Canvas positions laid out in layers: x by DAG depth (left to right), y by order within the
    /// layer (sorted by name), so the workflow reads well in the DS UI and the output is stable.
    /// </summary>
    public static IReadOnlyList<(string Task, int X, int Y)> Layout(WorkflowSpec workflow)
    {
        var byName = new Dictionary<string, TaskSpec>(StringComparer.Ordinal);
        foreach (var t in workflow.Tasks) byName.TryAdd(t.Name, t);
        var depth = new Dictionary<string, int>(StringComparer.Ordinal);
        int DepthOf(string name, int guard)
        {
            if (depth.TryGetValue(name, out var d)) return d;
            if (guard > byName.Count) return 0; // cycle: validation reports it
            var max = -1;
            foreach (var dep in byName[name].DependsOn)
                if (byName.ContainsKey(dep) && dep != name) max = Math.Max(max, DepthOf(dep, guard + 1));
            depth[name] = max + 1;
            return max + 1;
        }
        var result = new List<(string, int, int)>();
        foreach (var layer in byName.Keys.GroupBy(n => DepthOf(n, 0)).OrderBy(g => g.Key))
        {
            var row = 0;
            foreach (var name in layer.Order(StringComparer.Ordinal))
                result.Add((name, 80 + layer.Key * 240, 80 + row++ * 120));
        }
        return result;
    }

    // =====================================================================
    // wire -> spec
    // =====================================================================

    /// <summary>
    /// Reads a DagData object (GET …/{code}) or a batch-export element into a spec. Both spellings
    /// (processDefinition / workflowDefinition) are accepted. <paramref name="project"/> is used when the
    /// resolver cannot name the definition's projectCode.
    /// </summary>
    public WorkflowSpec FromDag(JsonElement dag, string project, SourceLocation location = default)
    {
        if (dag.ValueKind != JsonValueKind.Object)
            throw Invalid(location, "a workflow element must be a JSON object.");
        var def = DsDialect.DagDefinitionKeys.Select(k => Prop(dag, k)).FirstOrDefault(n => n is not null)
                  ?? throw Invalid(location, DsDialect.MissingDagDefinitionMessage);
        var relations = DsDialect.DagRelationListKeys.Select(k => Prop(dag, k)).FirstOrDefault(n => n is not null);
        var taskList = Prop(dag, "taskDefinitionList");
        var name = Str(def, "name") ?? throw Invalid(location, "the workflow definition has no name.");
        if (Long(def, "projectCode") is { } pc && _names.ProjectName(pc) is { } pn) project = pn;

        // codes -> names of this workflow's tasks
        var names = new Dictionary<long, string>();
        var rawTasks = new List<JsonElement>();
        if (taskList is { ValueKind: JsonValueKind.Array } tl)
            foreach (var t in tl.EnumerateArray())
            {
                rawTasks.Add(t);
                if (Long(t, "code") is { } c && Str(t, "name") is { } tn) names[c] = tn;
            }
        string TaskName(long code) => names.TryGetValue(code, out var n) ? n : "id:" + code.ToString(CultureInfo.InvariantCulture);

        var deps = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        if (relations is { ValueKind: JsonValueKind.Array } rl)
            foreach (var r in rl.EnumerateArray())
            {
                var pre = Long(r, "preTaskCode") ?? 0;
                var post = Long(r, "postTaskCode") ?? 0;
                if (pre == 0 || post == 0) continue;
                var postName = TaskName(post);
                if (!deps.TryGetValue(postName, out var set)) deps[postName] = set = new SortedSet<string>(StringComparer.Ordinal);
                set.Add(TaskName(pre));
            }

        var tasks = rawTasks.Select(t => TaskFromWire(t, project, TaskName, deps, location)).OrderBy(t => t.Name, StringComparer.Ordinal).ToImmutableArray();

        ScheduleSpec? schedule = null;
        if (Prop(dag, "schedule") is { ValueKind: JsonValueKind.Object } s && Str(s, "crontab") is { } cron)
        {
            var wg = Int(s, "warningGroupId");
            var env = Long(s, "environmentCode");
            schedule = new ScheduleSpec(cron)
            {
                TimeZone = Str(s, "timezoneId") ?? "UTC",
                Start = Str(s, "startTime") ?? "1970-01-01 00:00:00",
                End = Str(s, "endTime") ?? "2099-12-31 23:59:59",
                Online = Str(s, "releaseState") == "ONLINE",
                FailureStrategy = Str(s, "failureStrategy") ?? "CONTINUE",
                WarningType = Str(s, "warningType") ?? "NONE",
                WarningGroup = wg is null or 0 ? null : _names.AlertGroupName(wg.Value) ?? "id:" + wg.Value.ToString(CultureInfo.InvariantCulture),
                Priority = Str(s, "workflowInstancePriority") ?? Str(s, "processInstancePriority") ?? "MEDIUM",
                WorkerGroup = Str(s, "workerGroup") ?? "default",
                Environment = env is null or -1 ? null : _names.EnvironmentName(env.Value) ?? "id:" + env.Value.ToString(CultureInfo.InvariantCulture),
                Location = location,
            };
        }

        var tenant = Str(def, "tenantCode");
        if (tenant is null && Str(Prop(dag, "schedule"), "tenantCode") is { } st) tenant = st;
        return new WorkflowSpec(project, name, tasks)
        {
            Description = Blank(Str(def, "description")),
            Timeout = Int(def, "timeout") ?? 0,
            ExecutionType = Str(def, "executionType") ?? "PARALLEL",
            ReleaseState = Str(def, "releaseState") ?? "OFFLINE",
            Tenant = tenant == "default" ? null : tenant,
            Parameters = ParamsFromWire(JsonOrString(def, "globalParams") ?? Prop(def, "globalParamList")),
            Schedule = schedule,
            Location = location,
        };
    }

    private TaskSpec TaskFromWire(JsonElement t, string project, Func<long, string> taskName, Dictionary<string, SortedSet<string>> deps, SourceLocation location)
    {
        var name = Str(t, "name") ?? throw Invalid(location, "a task definition has no name.");
        var type = DsDialect.CanonicalTaskType(Str(t, "taskType") ?? "");
        var paramsElement = JsonOrString(t, "taskParams");
        // JsonObject.Create wraps the element without re-serializing it (thousands of tasks are read per plan).
        var p = paramsElement is { ValueKind: JsonValueKind.Object } tp ? JsonObject.Create(tp)! : new JsonObject();

        var (description, provenance) = Provenance.ProvenanceMarker.Split(Str(t, "description"));
        if (provenance is not null && Str(t, "updateTime") is { } saved &&
            DateTime.TryParse(saved, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
            provenance = provenance with { AppliedAt = at };
        var spec = new TaskSpec(name, type)
        {
            Description = description,
            Provenance = provenance,
            DependsOn = deps.TryGetValue(name, out var d) ? d.ToImmutableArray() : ImmutableArray<string>.Empty,
            WorkerGroup = Str(t, "workerGroup") ?? "default",
            Environment = Long(t, "environmentCode") is { } env and not -1 ? _names.EnvironmentName(env) ?? Id(env) : null,
            Retries = Int(t, "failRetryTimes") ?? 0,
            RetryInterval = Int(t, "failRetryInterval") ?? 1,
            Priority = Str(t, "taskPriority") ?? "MEDIUM",
            DelayTime = Int(t, "delayTime") ?? 0,
            Enabled = Str(t, "flag") != "NO",
            Cache = Str(t, "isCache") == "YES",
            Location = location,
        };
        if (Str(t, "timeoutFlag") == "OPEN")
            spec = spec with { Timeout = Int(t, "timeout") ?? 0, TimeoutStrategy = Blank(Str(t, "timeoutNotifyStrategy")) };

        spec = spec with
        {
            Parameters = ParamsFromWire(paramsElement is { ValueKind: JsonValueKind.Object } pe && pe.TryGetProperty("localParams", out var lpe) && lpe.ValueKind == JsonValueKind.Array ? lpe : null),
            Resources = ResourcesFromWire(p["resourceList"] as JsonArray),
        };
        foreach (var k in AlwaysLifted) p.Remove(k);

        string? Take(string key)
        {
            var v = p[key];
            p.Remove(key);
            return v is JsonValue jv && jv.GetValueKind() == JsonValueKind.String ? jv.GetValue<string>() : v?.ToJsonString();
        }
        (string? Name, string? Type) TakeDataSource(string typeKey, string idKey)
        {
            var dsType = Take(typeKey);
            var id = p[idKey] is JsonValue v && TryLong(v, out var l) ? l : (long?)null;
            p.Remove(idKey);
            if (id is null) return (null, dsType);
            var known = _names.DataSource(id.Value);
            // When the name is known the type follows from it; keep the type only for unresolved ids.
            return known is { } k ? (k.Name, null) : (Id(id.Value), dsType);
        }

        switch (type)
        {
            case "SHELL" or "PYTHON":
                spec = spec with { Script = Take("rawScript") };
                break;
            case "SQL":
            {
                var (n, ty) = TakeDataSource("type", "datasource");
                spec = spec with { Script = Take("sql"), DataSource = n, DataSourceType = ty };
                // sqlType equal to what ToWire infers from the statement is not a difference.
                if (p["sqlType"] is JsonValue sv && TryLong(sv, out var sqlType) && sqlType == (LooksLikeQuery(spec.Script) ? 0 : 1))
                    p.Remove("sqlType");
                break;
            }
            case "PROCEDURE":
            {
                var (n, ty) = TakeDataSource("type", "datasource");
                spec = spec with { Script = Take("method"), DataSource = n, DataSourceType = ty };
                break;
            }
            case "DATAX":
            {
                var (sn, st) = TakeDataSource("dsType", "dataSource");
                var (tn, tt) = TakeDataSource("dtType", "dataTarget");
                spec = spec with { DataSource = sn, DataSourceType = st, DataTarget = tn, DataTargetType = tt, Script = Take("sql") };
                break;
            }
            case "SUB_WORKFLOW":
            {
                var codeNode = DsDialect.SubWorkflowCodeKeys.Select(k => p[k]).FirstOrDefault(n => n is not null);
                foreach (var k in DsDialect.SubWorkflowCodeKeys) p.Remove(k);
                if (codeNode is JsonValue cv && TryLong(cv, out var code) && code != 0)
                    spec = spec with { SubWorkflow = _names.Workflow(code)?.Workflow ?? Id(code) };
                break;
            }
            case "DEPENDENT":
                spec = spec with { Dependence = DependenceFromWire(p["dependence"] as JsonObject) };
                p.Remove("dependence");
                break;
            case "CONDITIONS":
                spec = spec with { Conditions = ConditionsFromWire(p["dependence"] as JsonObject, p["conditionResult"] as JsonObject, taskName) };
                p.Remove("dependence");
                p.Remove("conditionResult");
                break;
            case "SWITCH":
                spec = spec with { Switch = SwitchFromWire(p["switchResult"] as JsonObject, taskName) };
                p.Remove("switchResult");
                break;
        }
        foreach (var k in NoiseKeys)
            if (p.TryGetPropertyValue(k, out var v) && IsEmpty(v)) p.Remove(k);
        return spec with { Params = CanonicalJson.Canonicalize(p) };
    }

    private DependenceSpec? DependenceFromWire(JsonObject? d)
    {
        if (d is null) return null;
        var groups = (d["dependTaskList"] as JsonArray ?? new JsonArray()).OfType<JsonObject>().Select(g => new DependGroupSpec(
            S(g["relation"]) ?? "AND",
            (g["dependItemList"] as JsonArray ?? new JsonArray()).OfType<JsonObject>().Select(i =>
            {
                var pc = L(i["projectCode"]) ?? 0;
                var wc = L(i["definitionCode"]) ?? 0;
                var tc = L(i["depTaskCode"]) ?? 0;
                var wf = _names.Workflow(wc);
                return new DependItemSpec(
                    _names.ProjectName(pc) ?? wf?.Project ?? Id(pc),
                    wf?.Workflow ?? Id(wc),
                    tc == 0 ? null : _names.Task(tc)?.Task ?? Id(tc),
                    S(i["cycle"]) ?? "day",
                    S(i["dateValue"]) ?? "today");
            }).ToImmutableArray())).ToImmutableArray();
        return new DependenceSpec(S(d["relation"]) ?? "AND", groups)
        {
            CheckInterval = (int?)L(d["checkInterval"]),
            FailurePolicy = S(d["failurePolicy"]),
            FailureWaitingTime = (int?)L(d["failureWaitingTime"]),
        };
    }

    private static ConditionsSpec ConditionsFromWire(JsonObject? d, JsonObject? result, Func<long, string> taskName)
    {
        var groups = (d?["dependTaskList"] as JsonArray ?? new JsonArray()).OfType<JsonObject>().Select(g => new ConditionGroupSpec(
            S(g["relation"]) ?? "AND",
            (g["dependItemList"] as JsonArray ?? new JsonArray()).OfType<JsonObject>()
                .Select(i => new ConditionItemSpec(taskName(L(i["depTaskCode"]) ?? 0), S(i["status"]) ?? "SUCCESS")).ToImmutableArray())).ToImmutableArray();
        ImmutableArray<string> Codes(string key) =>
            (result?[key] as JsonArray ?? new JsonArray()).Select(L).Where(c => c is not null and not 0).Select(c => taskName(c!.Value)).ToImmutableArray();
        return new ConditionsSpec(S(d?["relation"]) ?? "AND", groups, Codes("successNode"), Codes("failedNode"));
    }

    private static SwitchSpec SwitchFromWire(JsonObject? s, Func<long, string> taskName)
    {
        var branches = (s?["dependTaskList"] as JsonArray ?? new JsonArray()).OfType<JsonObject>()
            .Select(b => new SwitchBranchSpec(S(b["condition"]) ?? "", taskName(L(b["nextNode"]) ?? 0))).ToImmutableArray();
        var def = L(s?["nextNode"]);
        return new SwitchSpec(branches, def is null or 0 ? null : taskName(def.Value));
    }

    private ImmutableArray<string> ResourcesFromWire(JsonArray? list)
    {
        if (list is null) return ImmutableArray<string>.Empty;
        var names = new List<string>();
        foreach (var r in list.OfType<JsonObject>())
        {
            if (S(r["resourceName"]) is { } rn) names.Add(rn);
            else if (S(r["fullName"]) is { } fn) names.Add(fn);
            else if (L(r["id"]) is { } id) names.Add(_names.ResourceName((int)id) ?? Id(id));
        }
        return names.Distinct().Order(StringComparer.Ordinal).ToImmutableArray();
    }

    private static ImmutableArray<ParameterSpec> ParamsFromWire(JsonElement? list)
    {
        if (list is not { ValueKind: JsonValueKind.Array } a) return ImmutableArray<ParameterSpec>.Empty;
        return a.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object && Str(e, "prop") is not null)
            .Select(e => new ParameterSpec(Str(e, "prop")!, Str(e, "value") ?? "")
            {
                Type = Str(e, "type") ?? "VARCHAR",
                Direction = Str(e, "direct") ?? "IN",
            })
            .OrderBy(p => p.Name, StringComparer.Ordinal).ToImmutableArray();
    }

    // ---- JSON helpers (values arrive as numbers or strings depending on the client that wrote them) ----

    private static string Id(long code) => "id:" + code.ToString(CultureInfo.InvariantCulture);

    private static string? Blank(string? s) => string.IsNullOrEmpty(s) ? null : s;

    /// <summary>Null, "", [], {} or an object of only empty values (e.g. {"successNode":[],"failedNode":[]}).</summary>
    private static bool IsEmpty(JsonNode? n) => n switch
    {
        null => true,
        JsonObject o => o.All(p => IsEmpty(p.Value)),
        JsonArray a => a.Count == 0,
        JsonValue v => v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Length == 0,
        _ => false,
    };

    private static JsonElement? Prop(JsonElement? e, string name) =>
        e is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    /// <summary>A property that DS sends either as an embedded JSON string or as JSON.</summary>
    private static JsonElement? JsonOrString(JsonElement e, string name)
    {
        var v = Prop(e, name);
        if (v is { ValueKind: JsonValueKind.String } s)
        {
            var text = s.GetString();
            if (string.IsNullOrWhiteSpace(text)) return null;
            try { return JsonDocument.Parse(text).RootElement; }
            catch (JsonException) { return null; }
        }
        return v;
    }

    private static string? Str(JsonElement? e, string name) => Prop(e, name) switch
    {
        { ValueKind: JsonValueKind.String } v => v.GetString(),
        { ValueKind: JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False } v => v.GetRawText(),
        _ => null,
    };

    private static long? Long(JsonElement? e, string name) => Prop(e, name) switch
    {
        { ValueKind: JsonValueKind.Number } v when v.TryGetInt64(out var l) => l,
        { ValueKind: JsonValueKind.String } v when long.TryParse(v.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => l,
        _ => null,
    };

    private static int? Int(JsonElement? e, string name) => Long(e, name) is { } l ? (int)l : null;

    private static string? S(JsonNode? n) => n is JsonValue v ? (v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : v.ToJsonString()) : null;

    private static long? L(JsonNode? n) => n is JsonValue v && TryLong(v, out var l) ? l : null;

    private static bool TryLong(JsonValue v, out long value)
    {
        value = 0;
        return v.GetValueKind() switch
        {
            JsonValueKind.Number => v.TryGetValue(out value) || (v.TryGetValue(out double d) && (value = (long)d) == d),
            JsonValueKind.String => long.TryParse(v.GetValue<string>(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value),
            _ => false,
        };
    }

    private static DsOpsException Invalid(SourceLocation at, string message) =>
        new Documents.SpecLoadException("DsSpecInvalidDsJson", at, message);
}
