using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DsOps.Emulator.Hosting;

namespace DsOps.Emulator.Api;

/// <summary>One taskDefinitionJson item, in table terms (codes for enums, compact JSON for taskParams).</summary>
public sealed record TaskSpec
{
    public long Code { get; init; }
    public int Version { get; set; }
    public string Name { get; init; } = "";
    public string Description { get; init; } = "";
    public string TaskType { get; init; } = "";
    public string TaskParams { get; init; } = "{}";
    public int Flag { get; init; } = 1;
    public int Priority { get; init; } = 2;
    public string WorkerGroup { get; init; } = "default";
    public long EnvironmentCode { get; init; } = -1;
    public int FailRetryTimes { get; init; }
    public int FailRetryInterval { get; init; } = 1;
    public int TimeoutFlag { get; init; }
    public int? TimeoutNotifyStrategy { get; init; }
    public int Timeout { get; init; }
    public int DelayTime { get; init; }
    public int TaskGroupId { get; init; }
    public int TaskGroupPriority { get; init; }
    public int CpuQuota { get; init; } = -1;
    public int MemoryMax { get; init; } = -1;
    public int TaskExecuteType { get; init; }
    public int IsCache { get; init; }

    /// <summary>Content compared to decide whether a saved task needs a new version (everything but code/version).</summary>
    public string ContentKey => string.Join('\u001f', Name, Description, TaskType, TaskParams, Flag, Priority, WorkerGroup, EnvironmentCode,
        FailRetryTimes, FailRetryInterval, TimeoutFlag, TimeoutNotifyStrategy, Timeout, DelayTime, TaskGroupId, TaskGroupPriority,
        CpuQuota, MemoryMax, TaskExecuteType, IsCache);
}

/// <summary>One taskRelationJson item.</summary>
public sealed record RelationSpec(string Name, long PreTaskCode, long PostTaskCode, int ConditionType, string ConditionParams)
{
    public int PreTaskVersion { get; set; }
    public int PostTaskVersion { get; set; }
    public string Key => string.Join('|', PreTaskCode, PreTaskVersion, PostTaskCode, PostTaskVersion, ConditionType, ConditionParams);
}

/// <summary>Parses and checks the DAG JSON of workflow create/update the way DS does (§3.2 steps 2–3).</summary>
public static class WorkflowDag
{
    /// <summary>taskDefinitionJson → tasks. Unparseable or empty → 50017 DATA_IS_NOT_VALID; a task whose
    /// parameters its plugin rejects → 50020 with the task name.</summary>
    public static List<TaskSpec> ParseTasks(string? json, bool v33)
    {
        JsonArray? arr;
        try { arr = JsonNode.Parse(json ?? "") as JsonArray; }
        catch (JsonException) { arr = null; }
        if (arr is null || arr.Count == 0) throw new DsServiceException("DATA_IS_NOT_VALID", json);
        var list = new List<TaskSpec>();
        foreach (var node in arr)
        {
            if (node is not JsonObject o) throw new DsServiceException("DATA_IS_NOT_VALID", json);
            var paramsNode = o["taskParams"];
            if (paramsNode is JsonValue v && v.TryGetValue<string>(out var ps))
            {
                try { paramsNode = JsonNode.Parse(ps); } catch (JsonException) { paramsNode = null; }
            }
            var task = new TaskSpec
            {
                Code = Long(o["code"]),
                Version = (int)Long(o["version"]),
                Name = Str(o["name"]) ?? "",
                Description = Str(o["description"]) ?? "",
                TaskType = Str(o["taskType"]) ?? "",
                TaskParams = paramsNode?.ToJsonString() ?? "{}",
                Flag = DsEnums.Code(DsEnums.Flag, Str(o["flag"]), 1),
                Priority = DsEnums.Code(DsEnums.Priority, Str(o["taskPriority"]), 2),
                WorkerGroup = Str(o["workerGroup"]) is { Length: > 0 } wg ? wg : "default",
                EnvironmentCode = o["environmentCode"] is null ? -1 : Long(o["environmentCode"]),
                FailRetryTimes = (int)Long(o["failRetryTimes"]),
                FailRetryInterval = o["failRetryInterval"] is null ? 1 : (int)Long(o["failRetryInterval"]),
                TimeoutFlag = DsEnums.Code(DsEnums.TimeoutFlag, Str(o["timeoutFlag"]), 0),
                TimeoutNotifyStrategy = Str(o["timeoutNotifyStrategy"]) is { Length: > 0 } tn ? DsEnums.Code(DsEnums.TimeoutStrategy, tn, 0) : null,
                Timeout = (int)Long(o["timeout"]),
                DelayTime = (int)Long(o["delayTime"]),
                TaskGroupId = (int)Long(o["taskGroupId"]),
                TaskGroupPriority = (int)Long(o["taskGroupPriority"]),
                CpuQuota = o["cpuQuota"] is null ? -1 : (int)Long(o["cpuQuota"]),
                MemoryMax = o["memoryMax"] is null ? -1 : (int)Long(o["memoryMax"]),
                TaskExecuteType = DsEnums.Code(DsEnums.TaskExecuteType, Str(o["taskExecuteType"]), 0),
                IsCache = DsEnums.Code(DsEnums.Flag, Str(o["isCache"]), 0),
            };
            CheckParameters(task, paramsNode as JsonObject, v33);
            list.Add(task);
        }
        return list;
    }

    /// <summary>
    /// The task plugins' checkParameters, for the types whose rule is simple and known: SHELL/PYTHON need a
    /// rawScript, SQL a datasource and sql, HTTP a url, SUB_PROCESS/SUB_WORKFLOW a definition code. Other types
    /// are accepted as they are (their plugin checks are not emulated).
    /// </summary>
    private static void CheckParameters(TaskSpec task, JsonObject? p, bool v33)
    {
        if (task.Name.Length == 0) throw new DsServiceException("PROCESS_NODE_S_PARAMETER_INVALID".Replace("PROCESS", v33 ? "WORKFLOW" : "PROCESS", StringComparison.Ordinal), task.Name);
        bool ok = task.TaskType switch
        {
            "SHELL" or "PYTHON" => !string.IsNullOrEmpty(Str(p?["rawScript"])),
            "SQL" => p?["datasource"] is not null && !string.IsNullOrEmpty(Str(p["sql"])),
            "HTTP" => !string.IsNullOrEmpty(Str(p?["url"])),
            "SUB_PROCESS" => p?["processDefinitionCode"] is not null,
            "SUB_WORKFLOW" => p?["workflowDefinitionCode"] is not null,
            "" => false,
            _ => p is not null,
        };
        if (!ok) throw new DsServiceException(v33 ? "WORKFLOW_NODE_S_PARAMETER_INVALID" : "PROCESS_NODE_S_PARAMETER_INVALID", task.Name);
    }

    public static List<RelationSpec> ParseRelations(string? json)
    {
        JsonArray? arr;
        try { arr = JsonNode.Parse(json ?? "") as JsonArray; }
        catch (JsonException) { arr = null; }
        if (arr is null || arr.Count == 0) throw new DsServiceException("DATA_IS_NOT_VALID", json);
        return arr.Select(n => n as JsonObject ?? throw new DsServiceException("DATA_IS_NOT_VALID", json))
            .Select(o => new RelationSpec(Str(o["name"]) ?? "", Long(o["preTaskCode"]), Long(o["postTaskCode"]),
                DsEnums.Code(DsEnums.ConditionType, Str(o["conditionType"]), 0), o["conditionParams"]?.ToJsonString() ?? "{}")).ToList();
    }

    /// <summary>Relation checks: every referenced task is in the request (50030), no cycle (50019), no postTaskCode 0 (50036).</summary>
    public static void CheckRelations(List<TaskSpec> tasks, List<RelationSpec> relations, bool v33)
    {
        var codes = tasks.Select(t => t.Code).ToHashSet();
        foreach (var r in relations)
        {
            if (r.PostTaskCode != 0 && !codes.Contains(r.PostTaskCode)) throw new DsServiceException(50030, r.PostTaskCode);
            if (r.PreTaskCode != 0 && !codes.Contains(r.PreTaskCode)) throw new DsServiceException(50030, r.PreTaskCode);
        }
        if (HasCycle(codes, relations)) throw new DsServiceException(v33 ? "WORKFLOW_NODE_HAS_CYCLE" : "PROCESS_NODE_HAS_CYCLE");
        if (relations.Any(r => r.PostTaskCode == 0)) throw new DsServiceException(50036);
    }

    public static bool HasCycle(IEnumerable<long> nodes, IEnumerable<RelationSpec> edges)
    {
        var indegree = nodes.ToDictionary(n => n, _ => 0);
        var next = new Dictionary<long, List<long>>();
        foreach (var e in edges.Where(e => e.PreTaskCode != 0 && e.PostTaskCode != 0))
        {
            if (!next.TryGetValue(e.PreTaskCode, out var l)) next[e.PreTaskCode] = l = new List<long>();
            l.Add(e.PostTaskCode);
            indegree[e.PostTaskCode] = indegree.GetValueOrDefault(e.PostTaskCode) + 1;
            indegree.TryAdd(e.PreTaskCode, 0);
        }
        var queue = new Queue<long>(indegree.Where(kv => kv.Value == 0).Select(kv => kv.Key));
        var seen = 0;
        while (queue.Count > 0)
        {
            var n = queue.Dequeue();
            seen++;
            foreach (var m in next.GetValueOrDefault(n) ?? new List<long>())
                if (--indegree[m] == 0) queue.Enqueue(m);
        }
        return seen != indegree.Count;
    }

    public static string? Str(JsonNode? n) => n switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => n.ToJsonString(),
    };

    public static long Long(JsonNode? n)
    {
        if (n is null) return 0;
        if (n is JsonValue v)
        {
            if (v.TryGetValue<long>(out var l)) return l;
            if (v.TryGetValue<double>(out var d)) return (long)d;
            if (v.TryGetValue<string>(out var s))
                return string.IsNullOrWhiteSpace(s) ? 0 : long.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture);
        }
        throw new FormatException($"'{n.ToJsonString()}' is not a number");
    }
}
