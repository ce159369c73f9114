using System.Text.Json;
using System.Text.Json.Serialization;

namespace DsOps.Engine.Api.Dto;

// Wire shapes of DS API answers (docs/ds-facts.md §2-3). Fields renamed in 3.3 are declared under both names;
// the mapping to our own models (DsOps.Engine.Models) picks whichever is present.
// These are internal: cmdlets output the typed models, never DTOs.

internal sealed class PageDto<T>
{
    public List<T>? TotalList { get; set; }
    public int Total { get; set; }
    public int TotalPage { get; set; }
    public int PageSize { get; set; }
    public int CurrentPage { get; set; }
}

internal sealed class LoginDto
{
    public string? SessionId { get; set; }
    public string? SecurityConfigType { get; set; }
}

internal sealed class ProductInfoDto
{
    public string? Version { get; set; }
}

internal sealed class ProjectDto
{
    public int Id { get; set; }
    public long Code { get; set; }
    public string? Name { get; set; }
    public string? Description { get; set; }
    public int UserId { get; set; }
    public string? UserName { get; set; }
    public int DefCount { get; set; }
    public int InstRunningCount { get; set; }
    public DateTime CreateTime { get; set; }
    public DateTime UpdateTime { get; set; }
}

internal sealed class WorkflowDefinitionDto
{
    public int Id { get; set; }
    public long Code { get; set; }
    public string? Name { get; set; }
    public int Version { get; set; }
    public string? ReleaseState { get; set; }
    public long ProjectCode { get; set; }
    public string? ProjectName { get; set; }
    public string? Description { get; set; }
    public string? GlobalParams { get; set; }
    public string? Locations { get; set; }
    public int Timeout { get; set; }
    public string? TenantCode { get; set; }
    public string? ExecutionType { get; set; }
    public string? ScheduleReleaseState { get; set; }
    public string? UserName { get; set; }
    public string? ModifyBy { get; set; }
    public int WarningGroupId { get; set; }
    public DateTime CreateTime { get; set; }
    public DateTime UpdateTime { get; set; }
}

internal sealed class TaskDefinitionDto
{
    public long Code { get; set; }
    public int Version { get; set; }
    public string? Name { get; set; }
    public string? Description { get; set; }
    public string? TaskType { get; set; }
    public JsonElement TaskParams { get; set; }
    public string? Flag { get; set; }
    public string? TaskPriority { get; set; }
    public string? WorkerGroup { get; set; }
    public long EnvironmentCode { get; set; }
    public int FailRetryTimes { get; set; }
    public int FailRetryInterval { get; set; }
    public string? TimeoutFlag { get; set; }
    public string? TimeoutNotifyStrategy { get; set; }
    public int Timeout { get; set; }
    public int DelayTime { get; set; }
    public DateTime UpdateTime { get; set; }
}

internal sealed class TaskRelationDto
{
    public long PreTaskCode { get; set; }
    public int PreTaskVersion { get; set; }
    public long PostTaskCode { get; set; }
    public int PostTaskVersion { get; set; }
}

internal sealed class WorkflowInstanceDto
{
    public int Id { get; set; }
    public string? Name { get; set; }
    public long ProcessDefinitionCode { get; set; }
    public long WorkflowDefinitionCode { get; set; }
    public int ProcessDefinitionVersion { get; set; }
    public int WorkflowDefinitionVersion { get; set; }
    public long ProjectCode { get; set; }
    public string? State { get; set; }
    public string? CommandType { get; set; }
    public DateTime? StartTime { get; set; }
    public DateTime? EndTime { get; set; }
    public DateTime? ScheduleTime { get; set; }
    public int RunTimes { get; set; }
    public string? Host { get; set; }
    public string? ExecutorName { get; set; }
    public string? Duration { get; set; }
    public string? TenantCode { get; set; }
    public string? WorkerGroup { get; set; }
}

internal sealed class TaskInstanceDto
{
    public int Id { get; set; }
    public string? Name { get; set; }
    public string? TaskType { get; set; }
    public long TaskCode { get; set; }
    public int TaskDefinitionVersion { get; set; }
    public int ProcessInstanceId { get; set; }
    public int WorkflowInstanceId { get; set; }
    public string? ProcessInstanceName { get; set; }
    public string? WorkflowInstanceName { get; set; }
    public string? State { get; set; }
    public DateTime? SubmitTime { get; set; }
    public DateTime? StartTime { get; set; }
    public DateTime? EndTime { get; set; }
    public string? Host { get; set; }
    public int RetryTimes { get; set; }
    public int MaxRetryTimes { get; set; }
    public string? Duration { get; set; }
    public string? ExecutorName { get; set; }
    public string? WorkerGroup { get; set; }
    public string? LogPath { get; set; }
}

internal sealed class ServerDto
{
    public int Id { get; set; }
    public string? Host { get; set; }
    public int Port { get; set; }
    public string? ZkDirectory { get; set; }
    public List<string>? ZkDirectories { get; set; }
    public string? ResInfo { get; set; }
    public DateTime? CreateTime { get; set; }
    public DateTime? LastHeartbeatTime { get; set; }
}

internal sealed class DatabaseStateDto
{
    public string? DbType { get; set; }
    public string? State { get; set; }
    public long MaxConnections { get; set; }
    public long MaxUsedConnections { get; set; }
    public long ThreadsConnections { get; set; }
    public long ThreadsRunningConnections { get; set; }
}

internal sealed class DataSourceDto
{
    public int Id { get; set; }
    public string? Name { get; set; }
    public string? Note { get; set; }
    /// <summary>DS's stored connection JSON (passwords included): read only by DsClient.Comparison, which drops secrets.</summary>
    public JsonElement ConnectionParams { get; set; }
    public JsonElement Type { get; set; }
    public string? UserName { get; set; }
    public DateTime UpdateTime { get; set; }
}

internal sealed class WorkerGroupDto
{
    public int Id { get; set; }
    public string? Name { get; set; }
    public string? AddrList { get; set; }
    public string? Description { get; set; }
    public bool SystemDefault { get; set; }
    public DateTime? UpdateTime { get; set; }
}

internal sealed class EnvironmentDto
{
    public int Id { get; set; }
    public long Code { get; set; }
    public string? Name { get; set; }
    public string? Config { get; set; }
    public string? Description { get; set; }
    public List<string>? WorkerGroups { get; set; }
    public DateTime? UpdateTime { get; set; }
}

internal sealed class TenantDto
{
    public int Id { get; set; }
    public string? TenantCode { get; set; }
    public string? Description { get; set; }
    public string? QueueName { get; set; }
    public string? Queue { get; set; }
    public DateTime? UpdateTime { get; set; }
}

internal sealed class AlertGroupDto
{
    public int Id { get; set; }
    public string? GroupName { get; set; }
    public string? AlertInstanceIds { get; set; }
    public string? Description { get; set; }
    public DateTime? UpdateTime { get; set; }
}

internal sealed class ScheduleDto
{
    public int Id { get; set; }
    public long ProcessDefinitionCode { get; set; }
    public long WorkflowDefinitionCode { get; set; }
    public DateTime? StartTime { get; set; }
    public DateTime? EndTime { get; set; }
    public string? TimezoneId { get; set; }
    public string? Crontab { get; set; }
    public string? FailureStrategy { get; set; }
    public string? WarningType { get; set; }
    public int WarningGroupId { get; set; }
    public string? ReleaseState { get; set; }
    public string? ProcessInstancePriority { get; set; }
    public string? WorkflowInstancePriority { get; set; }
    public string? WorkerGroup { get; set; }
    public long EnvironmentCode { get; set; }
    public string? TenantCode { get; set; }
    public string? ProcessDefinitionName { get; set; }
    public string? WorkflowDefinitionName { get; set; }
    public DateTime? UpdateTime { get; set; }
}

internal sealed class CommandStateCountDto
{
    public string? CommandState { get; set; }
    public int NormalCount { get; set; }
    public int ErrorCount { get; set; }
}
