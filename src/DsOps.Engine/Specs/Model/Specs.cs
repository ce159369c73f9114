using System.Collections.Immutable;

namespace DsOps.Engine.Specs.Model;

// The normalized, immutable spec model. Names are the identity: a spec never holds DS codes or ids
// (references to data sources, environments, workflows and tasks are by name). Converters in
// Specs/Wire translate names to codes for one DS version.

/// <summary>A DS project and the workflows a spec source declares for it.</summary>
public sealed record ProjectSpec(string Name, ImmutableArray<WorkflowSpec> Workflows)
{
    public string? Description { get; init; }
    public SourceLocation Location { get; init; }
}

/// <summary>One workflow (process definition): settings, parameters, schedule and its task DAG.</summary>
public sealed record WorkflowSpec(string Project, string Name, ImmutableArray<TaskSpec> Tasks)
{
    public string? Description { get; init; }
    /// <summary>Previous name when the workflow was renamed (keeps its DS code and history).</summary>
    public string? RenamedFrom { get; init; }
    /// <summary>Workflow timeout in minutes; 0 = none.</summary>
    public int Timeout { get; init; }
    /// <summary>PARALLEL, SERIAL_WAIT, SERIAL_DISCARD or SERIAL_PRIORITY.</summary>
    public string ExecutionType { get; init; } = "PARALLEL";
    /// <summary>ONLINE or OFFLINE after apply.</summary>
    public string ReleaseState { get; init; } = "ONLINE";
    /// <summary>Tenant: on the definition for DS 3.0/3.1, on schedule and runs from 3.2.</summary>
    public string? Tenant { get; init; }
    /// <summary>Global parameters, kept sorted by name.</summary>
    public ImmutableArray<ParameterSpec> Parameters { get => _parameters; init => _parameters = Normalize.Parameters(value); }
    private readonly ImmutableArray<ParameterSpec> _parameters = ImmutableArray<ParameterSpec>.Empty;
    public ScheduleSpec? Schedule { get; init; }
    public SourceLocation Location { get; init; }

    public string Key => Project + "/" + Name;

    public TaskSpec? FindTask(string name)
    {
        foreach (var t in Tasks) if (t.Name == name) return t;
        return null;
    }

    public override string ToString() => Key;
}

/// <summary>A Quartz schedule attached to a workflow.</summary>
public sealed record ScheduleSpec(string Cron)
{
    /// <summary>IANA time zone id, e.g. Asia/Shanghai. DS requires one.</summary>
    public string TimeZone { get; init; } = "UTC";
    /// <summary>"yyyy-MM-dd HH:mm:ss" in <see cref="TimeZone"/>.</summary>
    public string Start { get; init; } = "1970-01-01 00:00:00";
    public string End { get; init; } = "2099-12-31 23:59:59";
    public bool Online { get; init; } = true;
    /// <summary>CONTINUE or END.</summary>
    public string FailureStrategy { get; init; } = "CONTINUE";
    /// <summary>NONE, SUCCESS, FAILURE or ALL.</summary>
    public string WarningType { get; init; } = "NONE";
    /// <summary>Alert group by name; null = none.</summary>
    public string? WarningGroup { get; init; }
    public string Priority { get; init; } = "MEDIUM";
    public string WorkerGroup { get; init; } = "default";
    public string? Environment { get; init; }
    public SourceLocation Location { get; init; }
}

/// <summary>A global (workflow) or local (task) parameter: DS "Property".</summary>
public sealed record ParameterSpec(string Name, string Value)
{
    /// <summary>VARCHAR, INTEGER, LONG, FLOAT, DOUBLE, DATE, TIME, TIMESTAMP, BOOLEAN, LIST, FILE.</summary>
    public string Type { get; init; } = "VARCHAR";
    /// <summary>IN or OUT.</summary>
    public string Direction { get; init; } = "IN";
    public SourceLocation Location { get; init; }
}

/// <summary>One task of a workflow. Fields common to every task type plus typed sections for the
/// logic tasks; anything else type-specific lives in <see cref="Params"/> (raw taskParams keys).</summary>
public sealed record TaskSpec(string Name, string Type)
{
    public string? Description { get; init; }
    public string? RenamedFrom { get; init; }
    /// <summary>Upstream task names, kept sorted and without duplicates.</summary>
    public ImmutableArray<string> DependsOn { get => _dependsOn; init => _dependsOn = Normalize.Names(value); }
    private readonly ImmutableArray<string> _dependsOn = ImmutableArray<string>.Empty;
    /// <summary>Script body (rawScript / sql / procedure call), already read from its file.</summary>
    public string? Script { get; init; }
    /// <summary>Where the script was read from, for messages; not compared.</summary>
    public string? ScriptFile { get; init; }
    /// <summary>
    /// Git provenance of the script (repository, path, commit), when it came from Git; kept on the server as a
    /// marker in the task description (Provenance/ProvenanceMarker) and compared as the plan field "gitSource".
    /// </summary>
    public DsOps.Engine.Provenance.ScriptProvenance? Provenance { get; init; }
    public string WorkerGroup { get; init; } = "default";
    public string? Environment { get; init; }
    /// <summary>Data source by name (SQL, PROCEDURE; DATAX source). "id:N" when only the id is known.</summary>
    public string? DataSource { get; init; }
    /// <summary>DbType of the data source (MYSQL, HIVE...), needed only when the target cannot tell.</summary>
    public string? DataSourceType { get; init; }
    /// <summary>DATAX target data source by name.</summary>
    public string? DataTarget { get; init; }
    public string? DataTargetType { get; init; }
    /// <summary>SUB_PROCESS / SUB_WORKFLOW: the child workflow's name (same project).</summary>
    public string? SubWorkflow { get; init; }
    public int Retries { get; init; }
    /// <summary>Minutes between retries.</summary>
    public int RetryInterval { get; init; } = 1;
    /// <summary>Task timeout in minutes; 0 = no timeout (timeoutFlag CLOSE).</summary>
    public int Timeout { get; init; }
    /// <summary>WARN, FAILED or WARNFAILED when <see cref="Timeout"/> &gt; 0.</summary>
    public string? TimeoutStrategy { get; init; }
    public string Priority { get; init; } = "MEDIUM";
    /// <summary>Minutes to delay the start.</summary>
    public int DelayTime { get; init; }
    /// <summary>false = DS flag NO (the task is skipped).</summary>
    public bool Enabled { get; init; } = true;
    /// <summary>DS isCache (3.2+): a task run with the same inputs reuses the cached result. Not sent to 3.0/3.1.</summary>
    public bool Cache { get; init; }
    /// <summary>Local parameters, kept sorted by name.</summary>
    public ImmutableArray<ParameterSpec> Parameters { get => _parameters; init => _parameters = Normalize.Parameters(value); }
    private readonly ImmutableArray<ParameterSpec> _parameters = ImmutableArray<ParameterSpec>.Empty;
    /// <summary>Resource file paths (resourceList), kept sorted and without duplicates.</summary>
    public ImmutableArray<string> Resources { get => _resources; init => _resources = Normalize.Names(value); }
    private readonly ImmutableArray<string> _resources = ImmutableArray<string>.Empty;
    public DependenceSpec? Dependence { get; init; }
    public ConditionsSpec? Conditions { get; init; }
    public SwitchSpec? Switch { get; init; }
    /// <summary>Other taskParams keys as canonical JSON (sorted keys, compact); "{}" when none.</summary>
    public string Params { get => _params; init => _params = Normalize.Json(value); }
    private readonly string _params = "{}";
    public SourceLocation Location { get; init; }
    /// <summary>Positions of individual dependency entries, for messages (same order as declared).</summary>
    public IReadOnlyDictionary<string, SourceLocation> DependencyLocations { get; init; } = ImmutableDictionary<string, SourceLocation>.Empty;

    public SourceLocation LocationOfDependency(string name) =>
        DependencyLocations.TryGetValue(name, out var l) ? l : Location;

    public override string ToString() => Name;
}

/// <summary>DEPENDENT task: waits for other workflows (or their tasks) by name.</summary>
public sealed record DependenceSpec(string Relation, ImmutableArray<DependGroupSpec> Groups)
{
    /// <summary>Seconds between checks (DS 3.2+); null = server default.</summary>
    public int? CheckInterval { get; init; }
    /// <summary>DEPENDENT_FAILURE_FAILURE or DEPENDENT_FAILURE_WAITING (DS 3.2+).</summary>
    public string? FailurePolicy { get; init; }
    public int? FailureWaitingTime { get; init; }
}

public sealed record DependGroupSpec(string Relation, ImmutableArray<DependItemSpec> Items);

/// <summary>One dependency: project/workflow by name, a task name or null for the whole workflow.</summary>
public sealed record DependItemSpec(string Project, string Workflow, string? Task, string Cycle, string DateValue)
{
    public SourceLocation Location { get; init; }
}

/// <summary>CONDITIONS task: upstream task states decide between success and failure branches.</summary>
public sealed record ConditionsSpec(string Relation, ImmutableArray<ConditionGroupSpec> Groups, ImmutableArray<string> SuccessTasks, ImmutableArray<string> FailedTasks)
{
    public SourceLocation Location { get; init; }
}

public sealed record ConditionGroupSpec(string Relation, ImmutableArray<ConditionItemSpec> Items);

/// <summary>Task by name and the state it must reach: SUCCESS or FAILURE.</summary>
public sealed record ConditionItemSpec(string Task, string Status);

/// <summary>SWITCH task: first matching condition picks the next task; otherwise <see cref="Default"/>.</summary>
public sealed record SwitchSpec(ImmutableArray<SwitchBranchSpec> Branches, string? Default)
{
    public SourceLocation Location { get; init; }
}

public sealed record SwitchBranchSpec(string Condition, string Task);

/// <summary>Keeps the model canonical whoever builds it, so equal content compares equal.</summary>
internal static class Normalize
{
    public static ImmutableArray<ParameterSpec> Parameters(ImmutableArray<ParameterSpec> value)
    {
        if (value.IsDefaultOrEmpty) return ImmutableArray<ParameterSpec>.Empty;
        for (var i = 1; i < value.Length; i++)
            if (string.CompareOrdinal(value[i - 1].Name, value[i].Name) > 0)
                return value.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return value;
    }

    public static ImmutableArray<string> Names(ImmutableArray<string> value)
    {
        if (value.IsDefaultOrEmpty) return ImmutableArray<string>.Empty;
        for (var i = 1; i < value.Length; i++)
            if (string.CompareOrdinal(value[i - 1], value[i]) >= 0)
                return value.Distinct().Order(StringComparer.Ordinal).ToImmutableArray();
        return value;
    }

    public static string Json(string? value) =>
        string.IsNullOrWhiteSpace(value) || value == "{}" ? "{}" : Documents.CanonicalJson.CanonicalizeText(value);
}
