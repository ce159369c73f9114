using System.Globalization;
using System.Text.Json;
using DsOps.Engine.Api.Dto;
using DsOps.Engine.Dialects;
using DsOps.Engine.Models;

namespace DsOps.Engine.Api;

// Run control: start, execute actions on workflow instances, task-instance actions (docs/ds-facts.md §3.5-3.7).
// Route and parameter names per version come from the dialect; the rules live in Operations/Runs/RunControl.cs.
internal sealed partial class DsClient
{
    /// <summary>
    /// POST …/executors/start-process-instance (start-workflow-instance from 3.3). Returns DS's data as it is:
    /// null (3.0/3.1), a trigger code (3.2) or a list of instance ids (3.3+); <see cref="DsDialect.StartResult"/> says which.
    /// </summary>
    public Task<JsonElement> StartWorkflowRawAsync(long projectCode, IReadOnlyDictionary<string, string> form, CancellationToken ct = default)
    {
        var action = Dialect.StartWorkflowAction;
        return CallForJsonAsync($"POST projects/{projectCode}/executors/{action}",
            (api, t) => api.Execute(projectCode, action, new Dictionary<string, string>(form), t), ct);
    }

    /// <summary>POST …/executors/execute with the version's instance-id parameter name.</summary>
    public Task ExecuteAsync(long projectCode, int workflowInstanceId, DsExecuteType type, CancellationToken ct = default) =>
        CallAsync<object?>($"POST projects/{projectCode}/executors/execute", (api, t) => api.Execute(projectCode, "execute", new Dictionary<string, string>
        {
            [Dialect.WorkflowInstanceIdParameter] = workflowInstanceId.ToString(CultureInfo.InvariantCulture),
            ["executeType"] = DsDialect.ExecuteTypeName(type),
        }, t), ct);

    /// <summary>One workflow instance by id (GET …/process-instances/{id}; workflow-instances from 3.3).</summary>
    public async Task<DsWorkflowInstance> GetWorkflowInstanceAsync(long projectCode, int workflowInstanceId, CancellationToken ct = default)
    {
        var segment = Dialect.WorkflowInstanceSegment;
        var endpoint = $"GET projects/{projectCode}/{segment}/{workflowInstanceId}";
        var dto = await CallAsync<WorkflowInstanceDto?>(endpoint, (api, t) => api.GetWorkflowInstance(projectCode, segment, workflowInstanceId, t), ct).ConfigureAwait(false);
        return dto is null
            ? throw new DsApiException(DsErrorKind.NotFound, "DsWorkflowInstanceNotFound",
                $"Workflow instance {workflowInstanceId} does not exist in project '{await ProjectLabelAsync(projectCode, ct).ConfigureAwait(false)}' ({endpoint} returned no data).", endpoint)
            : Map(dto, projectCode);
    }

    /// <summary>The instances a 3.2 start call created so far (GET …/process-instances/trigger?triggerCode=).</summary>
    public async Task<IReadOnlyList<DsWorkflowInstance>> GetTriggeredInstancesAsync(long projectCode, long triggerCode, CancellationToken ct = default)
    {
        var segment = Dialect.WorkflowInstanceSegment;
        var path = Dialect.TriggeredInstancesPath
            ?? throw new NotSupportedException($"DS {Dialect.Version} has no trigger-code lookup of started instances.");
        var list = await CallAsync<List<WorkflowInstanceDto>?>($"GET projects/{projectCode}/{segment}/{path}",
            (api, t) => api.ListTriggeredInstances(projectCode, segment, path, triggerCode, t), ct).ConfigureAwait(false);
        return (list ?? new()).Select(i => Map(i, projectCode)).ToArray();
    }

    /// <summary>POST …/task-instances/{id}/force-success or /stop.</summary>
    public Task TaskInstanceActionAsync(long projectCode, int taskInstanceId, string action, CancellationToken ct = default) =>
        CallAsync<object?>($"POST projects/{projectCode}/task-instances/{taskInstanceId}/{action}",
            (api, t) => api.TaskInstanceAction(projectCode, taskInstanceId, action, t), ct);
}
