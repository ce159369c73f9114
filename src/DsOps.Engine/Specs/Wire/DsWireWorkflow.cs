namespace DsOps.Engine.Specs.Wire;

/// <summary>
/// A workflow in DS's wire shape for one version: the form fields of workflow create/update
/// (JSON strings, docs/ds-facts.md §3.2 and §4) and of schedule create/update (§3.4).
/// </summary>
internal sealed record DsWireWorkflow
{
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public required string TaskDefinitionJson { get; init; }
    public required string TaskRelationJson { get; init; }
    public required string Locations { get; init; }
    public required string GlobalParams { get; init; }
    public int Timeout { get; init; }
    public string ExecutionType { get; init; } = "PARALLEL";
    public string ReleaseState { get; init; } = "ONLINE";
    /// <summary>Sent with the definition only where the dialect takes it (3.0/3.1); otherwise null.</summary>
    public string? TenantCode { get; init; }
    public DsWireSchedule? Schedule { get; init; }
}

/// <summary>Form fields of schedule create/update; parameter names per dialect are the caller's (DsDialect).</summary>
internal sealed record DsWireSchedule
{
    /// <summary>The <c>schedule</c> parameter: {"startTime","endTime","crontab","timezoneId"}.</summary>
    public required string ScheduleJson { get; init; }
    public string WarningType { get; init; } = "NONE";
    /// <summary>Alert group id; null = let DS default.</summary>
    public int? WarningGroupId { get; init; }
    public string FailureStrategy { get; init; } = "CONTINUE";
    public string WorkerGroup { get; init; } = "default";
    public long EnvironmentCode { get; init; } = -1;
    public string Priority { get; init; } = "MEDIUM";
    /// <summary>3.2+ takes the tenant on schedules; null on 3.0/3.1.</summary>
    public string? TenantCode { get; init; }
    public bool Online { get; init; }
}
