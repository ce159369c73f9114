using DsOps.Engine.Api;
using DsOps.Engine.Dialects;

namespace DsOps.Engine.Models;

// DsOps's own output types for what the DS API returns. Property names are chosen so objects flow down
// the pipeline by property name: project → workflows (ProjectCode) → instances (WorkflowCode)
// → task instances (WorkflowInstanceId). `Connection` travels along so a pipeline stays on one server.

/// <summary>A DS project.</summary>
public sealed class DsProject
{
    public required string Name { get; init; }
    public required long ProjectCode { get; init; }
    public string? Description { get; init; }
    public string? Owner { get; init; }
    public int WorkflowCount { get; init; }
    public int RunningInstanceCount { get; init; }
    public DateTime? CreateTime { get; init; }
    public DateTime? UpdateTime { get; init; }
    public DsConnection? Connection { get; init; }
    public override string ToString() => Name;
}

/// <summary>A workflow (process) definition; Tasks and Relations are filled with -IncludeTasks.</summary>
public sealed class DsWorkflow
{
    public required long ProjectCode { get; init; }
    public string? ProjectName { get; init; }
    public required string Name { get; init; }
    public required long WorkflowCode { get; init; }
    public int Version { get; init; }
    public string? ReleaseState { get; init; }
    public string? ScheduleReleaseState { get; init; }
    public string? Description { get; init; }
    public string? ExecutionType { get; init; }
    public int Timeout { get; init; }
    public string? ModifiedBy { get; init; }
    public DateTime? UpdateTime { get; init; }
    public IReadOnlyList<DsTask>? Tasks { get; init; }
    public IReadOnlyList<DsTaskRelation>? Relations { get; init; }
    public DsConnection? Connection { get; init; }
    public bool IsOnline => string.Equals(ReleaseState, "ONLINE", StringComparison.OrdinalIgnoreCase);
    public override string ToString() => Name;
}

/// <summary>A task definition inside a workflow.</summary>
public sealed class DsTask
{
    public required string Name { get; init; }
    public required long TaskCode { get; init; }
    public int Version { get; init; }
    public string? TaskType { get; init; }
    public string? Description { get; init; }
    public string? WorkerGroup { get; init; }
    public long EnvironmentCode { get; init; }
    public string? Priority { get; init; }
    public string? Flag { get; init; }
    public int FailRetryTimes { get; init; }
    public int FailRetryInterval { get; init; }
    public string? TimeoutFlag { get; init; }
    public int Timeout { get; init; }
    public int DelayTime { get; init; }
    /// <summary>The task's taskParams as JSON text, verbatim from DS.</summary>
    public string? TaskParams { get; init; }
    /// <summary>Names of the tasks this one runs after.</summary>
    public IReadOnlyList<string> Upstream { get; init; } = Array.Empty<string>();
    public override string ToString() => Name;
}

/// <summary>An edge of a workflow's DAG (PreTaskCode 0 marks a root), with the tasks' names when the workflow was read with its tasks.</summary>
public sealed record DsTaskRelation(long PreTaskCode, int PreTaskVersion, long PostTaskCode, int PostTaskVersion)
{
    /// <summary>Name of the upstream task; null for a root edge (PreTaskCode 0).</summary>
    public string? PreTask { get; init; }
    /// <summary>Name of the downstream task.</summary>
    public string? PostTask { get; init; }
    public bool IsRoot => PreTaskCode == 0;
    public override string ToString() =>
        IsRoot ? $"(start) -> {PostTask ?? PostTaskCode.ToString(System.Globalization.CultureInfo.InvariantCulture)}"
               : $"{PreTask ?? PreTaskCode.ToString(System.Globalization.CultureInfo.InvariantCulture)} -> {PostTask ?? PostTaskCode.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}

/// <summary>A run of a workflow.</summary>
public sealed class DsWorkflowInstance
{
    public required long ProjectCode { get; init; }
    public required int WorkflowInstanceId { get; init; }
    public string? Name { get; init; }
    public long WorkflowCode { get; init; }
    public int WorkflowVersion { get; init; }
    public DsRunState State { get; init; }
    /// <summary>The state as DS names it in this version (e.g. RUNNING_EXECUTION).</summary>
    public string? DsState { get; init; }
    public string? CommandType { get; init; }
    public DateTime? StartTime { get; init; }
    public DateTime? EndTime { get; init; }
    public DateTime? ScheduleTime { get; init; }
    public TimeSpan? Duration => StartTime is { } s ? (EndTime ?? DateTime.Now) - s : null;
    public int RunTimes { get; init; }
    public string? Host { get; init; }
    public string? Executor { get; init; }
    public DsConnection? Connection { get; init; }
    public override string ToString() => Name ?? WorkflowInstanceId.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A run of a task inside a workflow instance.</summary>
public sealed class DsTaskInstance
{
    public required long ProjectCode { get; init; }
    public required int TaskInstanceId { get; init; }
    public string? Name { get; init; }
    public string? TaskType { get; init; }
    public long TaskCode { get; init; }
    public int WorkflowInstanceId { get; init; }
    public string? WorkflowInstanceName { get; init; }
    public DsRunState State { get; init; }
    public string? DsState { get; init; }
    public DateTime? SubmitTime { get; init; }
    public DateTime? StartTime { get; init; }
    public DateTime? EndTime { get; init; }
    public TimeSpan? Duration => StartTime is { } s ? (EndTime ?? DateTime.Now) - s : null;
    public string? Host { get; init; }
    public int RetryTimes { get; init; }
    public int MaxRetryTimes { get; init; }
    public string? WorkerGroup { get; init; }
    public DsConnection? Connection { get; init; }
    public override string ToString() => Name ?? TaskInstanceId.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A master, worker or alert server as the registry reports it, with its last heartbeat.</summary>
public sealed class DsServerNode
{
    public required DsServerRole Role { get; init; }
    public required string Host { get; init; }
    public int Port { get; init; }
    public string Address => $"{Host}:{Port}";
    /// <summary>NORMAL, BUSY or ABNORMAL as the heartbeat says (3.0.1 reports 0/1/2).</summary>
    public string? Status { get; init; }
    public double? CpuUsage { get; init; }
    public double? MemoryUsage { get; init; }
    public double? LoadAverage { get; init; }
    public double? DiskUsage { get; init; }
    /// <summary>JVM CPU and heap usage fractions (3.2+ heartbeats).</summary>
    public double? JvmCpuUsage { get; init; }
    public double? JvmMemoryUsage { get; init; }
    /// <summary>Free physical memory in GB and the node's own overload limits (3.0/3.1 heartbeats).</summary>
    public double? AvailableMemoryGB { get; init; }
    public double? MaxCpuLoadAverage { get; init; }
    public double? ReservedMemoryGB { get; init; }
    public DateTime? StartupTime { get; init; }
    public DateTime? LastHeartbeat { get; init; }
    public TimeSpan? HeartbeatAge => LastHeartbeat is { } h ? DateTime.Now - h : null;
    public IReadOnlyList<string> WorkerGroups { get; init; } = Array.Empty<string>();
    public DsConnection? Connection { get; init; }
    public override string ToString() => $"{Role} {Address}";
}

/// <summary>The metadata database's connection figures as DS's API reports them.</summary>
internal sealed class DsDatabaseState
{
    public string DbType { get; init; } = "";
    public bool Healthy { get; init; }
    public long MaxConnections { get; init; }
    public long MaxUsedConnections { get; init; }
    public long ThreadsConnected { get; init; }
    public long ThreadsRunning { get; init; }
}

public sealed class DsDataSource
{
    public required int Id { get; init; }
    public required string Name { get; init; }
    public string? Type { get; init; }
    public string? Note { get; init; }
    public string? Owner { get; init; }
    public DateTime? UpdateTime { get; init; }
    public override string ToString() => Name;
}

public sealed class DsWorkerGroup
{
    public int Id { get; init; }
    public required string Name { get; init; }
    public IReadOnlyList<string> Addresses { get; init; } = Array.Empty<string>();
    public string? Description { get; init; }
    public bool SystemDefault { get; init; }
    public override string ToString() => Name;
}

public sealed class DsEnvironment
{
    public required long EnvironmentCode { get; init; }
    public required string Name { get; init; }
    public string? Description { get; init; }
    public IReadOnlyList<string> WorkerGroups { get; init; } = Array.Empty<string>();
    public string? Config { get; init; }
    public override string ToString() => Name;
}

public sealed class DsTenant
{
    public required int Id { get; init; }
    public required string TenantCode { get; init; }
    public string? Description { get; init; }
    public string? Queue { get; init; }
    public override string ToString() => TenantCode;
}

public sealed class DsAlertGroup
{
    public required int Id { get; init; }
    public required string Name { get; init; }
    public IReadOnlyList<int> AlertInstanceIds { get; init; } = Array.Empty<int>();
    public string? Description { get; init; }
    public override string ToString() => Name;
}
