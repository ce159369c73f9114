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
    public bool IsOnline => string.Equals(ReleaseState, "ONLINE", StringComparison.OrdinalIgnoreCase);
    public override string ToString() => $"{Crontab} ({ReleaseState})";
}
