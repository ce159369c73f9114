using System.Globalization;
using DsOps.Engine.Api.Dto;
using DsOps.Engine.Models;
using DsOps.Engine.Specs.Wire;

namespace DsOps.Engine.Api;

// Writes used by apply (Sync-DsWorkflow): workflow definitions, their release state, schedules and task
// definitions. Form field names per version come from the dialect (docs/ds-facts.md §3.2-3.4).
internal sealed partial class DsClient
{
    /// <summary>Creates a workflow definition; returns its new code.</summary>
    public async Task<long> CreateWorkflowAsync(long projectCode, DsWireWorkflow workflow, CancellationToken ct = default)
    {
        var segment = Dialect.WorkflowDefinitionSegment;
        var created = await CallAsync<WorkflowDefinitionDto?>($"POST projects/{projectCode}/{segment}",
            (api, t) => api.CreateWorkflow(projectCode, segment, WorkflowForm(workflow), t), ct).ConfigureAwait(false);
        return created?.Code ?? throw new DsApiException(DsErrorKind.InvalidResponse, "DsInvalidResponse",
            $"Creating workflow '{workflow.Name}' returned no definition.", $"POST projects/{projectCode}/{segment}");
    }

    /// <summary>Replaces a workflow's definition (DS refuses while it is online: 50008). The definition stays offline.</summary>
    public Task UpdateWorkflowAsync(long projectCode, long workflowCode, DsWireWorkflow workflow, CancellationToken ct = default)
    {
        _workflows.TryRemove(projectCode, out _); // an update may rename: the old name must not resolve
        var segment = Dialect.WorkflowDefinitionSegment;
        var form = WorkflowForm(workflow);
        form["releaseState"] = "OFFLINE"; // release is a separate, explicit step
        return CallAsync<object?>($"PUT projects/{projectCode}/{segment}/{workflowCode}",
            (api, t) => api.UpdateWorkflow(projectCode, segment, workflowCode, form, t), ct);
    }

    /// <summary>Puts a workflow online or offline. Offline also takes its schedule offline (DS behaviour).</summary>
    public Task ReleaseWorkflowAsync(long projectCode, long workflowCode, bool online, CancellationToken ct = default)
    {
        var segment = Dialect.WorkflowDefinitionSegment;
        return CallAsync<object?>($"POST projects/{projectCode}/{segment}/{workflowCode}/release",
            (api, t) => api.ReleaseWorkflow(projectCode, segment, workflowCode,
                new Dictionary<string, string> { ["releaseState"] = online ? "ONLINE" : "OFFLINE" }, t), ct);
    }

    public Task DeleteWorkflowAsync(long projectCode, long workflowCode, CancellationToken ct = default)
    {
        _workflows.TryRemove(projectCode, out _); // a deleted workflow must not resolve from the name cache
        var segment = Dialect.WorkflowDefinitionSegment;
        return CallAsync<object?>($"DELETE projects/{projectCode}/{segment}/{workflowCode}",
            (api, t) => api.DeleteWorkflow(projectCode, segment, workflowCode, t), ct);
    }

    /// <summary>Deletes a task definition no workflow uses any more (route exists through 3.2.x only).</summary>
    public Task DeleteTaskDefinitionAsync(long projectCode, long taskCode, CancellationToken ct = default) =>
        CallAsync<object?>($"DELETE projects/{projectCode}/task-definition/{taskCode}",
            (api, t) => api.DeleteTaskDefinition(projectCode, taskCode, t), ct);

    private Dictionary<string, string> WorkflowForm(DsWireWorkflow w)
    {
        var form = new Dictionary<string, string>
        {
            ["name"] = w.Name,
            ["description"] = w.Description,
            ["globalParams"] = w.GlobalParams,
            ["locations"] = w.Locations,
            ["timeout"] = w.Timeout.ToString(CultureInfo.InvariantCulture),
            ["taskRelationJson"] = w.TaskRelationJson,
            ["taskDefinitionJson"] = w.TaskDefinitionJson,
            ["executionType"] = w.ExecutionType,
        };
        if (Dialect.TenantOnWorkflowDefinition) form["tenantCode"] = w.TenantCode ?? "default";
        return form;
    }

    // ---------------------------------------------------------------- schedules

    /// <summary>Every schedule of a project in one request (POST …/schedules/list, a read).</summary>
    public async Task<IReadOnlyList<DsSchedule>> GetProjectSchedulesAsync(long projectCode, CancellationToken ct = default) =>
        MapSchedules(await GetProjectSchedulesJsonAsync(projectCode, ct).ConfigureAwait(false));

    /// <summary>Every schedule of a project as DS's JSON array (the shape its export format embeds); a null item is refused.</summary>
    public async Task<System.Text.Json.JsonElement> GetProjectSchedulesJsonAsync(long projectCode, CancellationToken ct = default)
    {
        var endpoint = $"POST projects/{projectCode}/schedules/list";
        var list = await CallForJsonAsync(endpoint, (api, t) => api.ListProjectSchedules(projectCode, true, t), ct).ConfigureAwait(false);
        DsResponseReader.RequireObjectItems(list, endpoint, "schedules");
        return list;
    }

    internal IReadOnlyList<DsSchedule> MapSchedules(System.Text.Json.JsonElement array)
    {
        if (array.ValueKind != System.Text.Json.JsonValueKind.Array) return Array.Empty<DsSchedule>();
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<List<ScheduleDto>>(array, DsJson.Options)!.Select(Map).ToArray();
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new DsApiException(DsErrorKind.InvalidResponse, "DsInvalidResponse", $"A schedule list DsOps cannot read: {ex.Message}", "schedules/list", inner: ex);
        }
    }

    /// <summary>Creates a schedule (offline, as DS creates it); returns it.</summary>
    public async Task<DsSchedule> CreateScheduleAsync(long projectCode, long workflowCode, DsWireSchedule schedule, CancellationToken ct = default)
    {
        var form = ScheduleForm(schedule);
        form[Dialect.WorkflowCodeParameter] = workflowCode.ToString(CultureInfo.InvariantCulture);
        var created = await CallAsync<ScheduleDto?>($"POST projects/{projectCode}/schedules",
            (api, t) => api.CreateSchedule(projectCode, form, t), ct).ConfigureAwait(false);
        return created is null
            ? throw new DsApiException(DsErrorKind.InvalidResponse, "DsInvalidResponse", "Creating a schedule returned nothing.", $"POST projects/{projectCode}/schedules")
            : Map(created);
    }

    /// <summary>Updates a schedule (DS refuses while it is online: 10023).</summary>
    public Task UpdateScheduleAsync(long projectCode, int scheduleId, DsWireSchedule schedule, CancellationToken ct = default) =>
        CallAsync<object?>($"PUT projects/{projectCode}/schedules/{scheduleId}",
            (api, t) => api.UpdateSchedule(projectCode, scheduleId, ScheduleForm(schedule), t), ct);

    public Task SetScheduleOnlineAsync(long projectCode, int scheduleId, bool online, CancellationToken ct = default)
    {
        var action = online ? "online" : "offline";
        return CallAsync<object?>($"POST projects/{projectCode}/schedules/{scheduleId}/{action}",
            (api, t) => api.SetScheduleState(projectCode, scheduleId, action, t), ct);
    }

    public Task DeleteScheduleAsync(long projectCode, int scheduleId, CancellationToken ct = default) =>
        CallAsync<object?>($"DELETE projects/{projectCode}/schedules/{scheduleId}",
            (api, t) => api.DeleteSchedule(projectCode, scheduleId, t), ct);

    private Dictionary<string, string> ScheduleForm(DsWireSchedule s)
    {
        var form = new Dictionary<string, string>
        {
            ["schedule"] = s.ScheduleJson,
            ["warningType"] = s.WarningType,
            ["failureStrategy"] = s.FailureStrategy,
            ["workerGroup"] = s.WorkerGroup,
            ["environmentCode"] = s.EnvironmentCode.ToString(CultureInfo.InvariantCulture),
            [Dialect.WorkflowInstancePriorityParameter] = s.Priority,
        };
        // DS defaults a missing warningGroupId to 1 on create; 0 says "no alert group" and reads back as none.
        form["warningGroupId"] = (s.WarningGroupId ?? 0).ToString(CultureInfo.InvariantCulture);
        if (Dialect.TenantOnRun) form["tenantCode"] = s.TenantCode ?? "default";
        return form;
    }

    private DsSchedule Map(ScheduleDto s) => new()
    {
        Id = s.Id,
        WorkflowCode = s.WorkflowDefinitionCode != 0 ? s.WorkflowDefinitionCode : s.ProcessDefinitionCode,
        Crontab = s.Crontab,
        StartTime = s.StartTime,
        EndTime = s.EndTime,
        TimezoneId = s.TimezoneId,
        ReleaseState = s.ReleaseState,
        FailureStrategy = s.FailureStrategy,
        WarningType = s.WarningType,
        WarningGroupId = s.WarningGroupId,
        WorkerGroup = s.WorkerGroup,
        EnvironmentCode = s.EnvironmentCode,
        TenantCode = s.TenantCode,
        Priority = s.WorkflowInstancePriority ?? s.ProcessInstancePriority,
        WorkflowName = s.WorkflowDefinitionName ?? s.ProcessDefinitionName,
        UpdateTime = s.UpdateTime,
        Connection = Owner,
    };
}
