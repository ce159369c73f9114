using System.Text.Json;
using System.Text.Json.Serialization;

namespace DsOps.Engine.Api.Dto;

/// <summary>
/// Compile-time JSON metadata for the DS wire shapes: the first call of a session then needs no
/// reflection-based serializer setup (module import plus a first command is a measured goal).
/// </summary>
[JsonSerializable(typeof(LoginDto))]
[JsonSerializable(typeof(ProductInfoDto))]
[JsonSerializable(typeof(ProjectDto))]
[JsonSerializable(typeof(PageDto<ProjectDto>))]
[JsonSerializable(typeof(PageDto<WorkflowDefinitionDto>))]
[JsonSerializable(typeof(WorkflowDefinitionDto))]
[JsonSerializable(typeof(List<TaskDefinitionDto>))]
[JsonSerializable(typeof(List<TaskRelationDto>))]
[JsonSerializable(typeof(PageDto<WorkflowInstanceDto>))]
[JsonSerializable(typeof(PageDto<TaskInstanceDto>))]
[JsonSerializable(typeof(WorkflowInstanceDto))]
[JsonSerializable(typeof(List<WorkflowInstanceDto>))]
[JsonSerializable(typeof(List<ServerDto>))]
[JsonSerializable(typeof(List<DatabaseStateDto>))]
[JsonSerializable(typeof(PageDto<DataSourceDto>))]
[JsonSerializable(typeof(PageDto<WorkerGroupDto>))]
[JsonSerializable(typeof(PageDto<EnvironmentDto>))]
[JsonSerializable(typeof(PageDto<TenantDto>))]
[JsonSerializable(typeof(PageDto<AlertGroupDto>))]
[JsonSerializable(typeof(List<ScheduleDto>))]
[JsonSerializable(typeof(PageDto<ScheduleDto>))]
[JsonSerializable(typeof(List<CommandStateCountDto>))]
[JsonSerializable(typeof(List<long>))]
[JsonSerializable(typeof(List<int>))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class DsJsonContext : JsonSerializerContext;
