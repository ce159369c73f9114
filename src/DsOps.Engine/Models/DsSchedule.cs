namespace DsOps.Engine.Models;

/// <summary>A workflow's cron schedule (docs/ds-facts.md §3.4).</summary>
public sealed class DsSchedule
{
    public required int Id { get; init; }
    public required long WorkflowCode { get; init; }
    public string? Crontab { get; init; }
    public DateTime? StartTime { get; init; }
    public DateTime? EndTime { get; init; }
    public string? TimezoneId { get; init; }
    public string? ReleaseState { get; init; }
    public string? FailureStrategy { get; init; }
    public string? WarningType { get; init; }
    public int WarningGroupId { get; init; }
    public string? WorkerGroup { get; init; }
    public long EnvironmentCode { get; init; }
    public string? TenantCode { get; init; }
    public string? Priority { get; init; }
    /// <summary>The workflow's name as the schedule list reports it.</summary>
    public string? WorkflowName { get; init; }
    /// <summary>Project of the schedule (set by the schedule reads; 0 where unknown).</summary>
    public long ProjectCode { get; internal set; }
    /// <summary>Last change as DS records it (server time); an offline schedule went offline at or before it.</summary>
    public DateTime? UpdateTime { get; init; }
    /// <summary>The connection the schedule was read through (pipes keep to one server).</summary>
    public DsOps.Engine.Api.DsConnection? Connection { get; internal set; }
    public bool IsOnline => string.Equals(ReleaseState, "ONLINE", StringComparison.OrdinalIgnoreCase);
    public override string ToString() => $"{Crontab} ({ReleaseState})";
}
