using System.Globalization;
using System.Text.Json;
using DsOps.Engine.Api;
using DsOps.Engine.Dialects;
using DsOps.Engine.Models;

namespace DsOps.Engine.Operations.Runs;

/// <summary>
/// Starts workflows and acts on workflow and task instances through DS's executor and task-instance routes
/// (docs/operations.md "Run control"). Version differences (route names, which execute types and start flags exist,
/// what the start call returns) come from the client's dialect. DS's refusals become errors that name the instance.
/// </summary>
internal sealed class RunControl(DsClient client)
{
    private DsDialect Dialect => client.Dialect;

    /// <summary>How long Start waits for the master to turn its command into an instance (3.0–3.2).</summary>
    public static readonly TimeSpan DefaultCreationTimeout = TimeSpan.FromSeconds(60);

    // ------------------------------------------------------------------ start

    /// <summary>The form of a start call in this version's parameter names; refuses flags the version does not have.</summary>
    public Dictionary<string, string> StartForm(DsStartRequest request)
    {
        if (request.TestRun && !Dialect.StartTakesTestFlag)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsParameterNotSupported",
                $"-TestRun: DS {Dialect.Version} has no test flag on start (it exists from 3.2.0 to 3.3.0).");
        if (request.Tenant is not null && !Dialect.TenantOnRun)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsParameterNotSupported",
                $"-Tenant: DS {Dialect.Version} takes the tenant from the workflow definition, not at start (run-time tenant from 3.2.0).");
        var form = new Dictionary<string, string>
        {
            [Dialect.WorkflowCodeParameter] = Inv(request.WorkflowCode),
            ["scheduleTime"] = "",
            ["execType"] = "START_PROCESS",
            ["failureStrategy"] = DsRunSettingNames.Of(request.FailureStrategy),
            ["warningType"] = DsRunSettingNames.Of(request.WarningType),
            ["taskDependType"] = request.StartNodeScope switch
            {
                DsStartNodeScope.Upstream => "TASK_PRE",
                DsStartNodeScope.Only => "TASK_ONLY",
                _ => "TASK_POST",
            },
            ["dryRun"] = request.DryRun ? "1" : "0",
        };
        if (request.WarningGroupId is { } group) form["warningGroupId"] = group.ToString(CultureInfo.InvariantCulture);
        if (request.StartNodes is { Count: > 0 } nodes) form["startNodeList"] = string.Join(",", nodes.Select(Inv));
        if (request.Priority is { } priority) form[Dialect.WorkflowInstancePriorityParameter] = DsRunSettingNames.Of(priority);
        if (!string.IsNullOrEmpty(request.WorkerGroup)) form["workerGroup"] = request.WorkerGroup;
        if (request.EnvironmentCode is { } env) form["environmentCode"] = Inv(env);
        if (request.Tenant is not null) form["tenantCode"] = request.Tenant;
        if (request.TestRun) form["testFlag"] = "1";
        if (request.Parameters is { Count: > 0 } parameters) form["startParams"] = JsonSerializer.Serialize(parameters, StartParamsContext.Default.IReadOnlyDictionaryStringString);
        return form;
    }

    /// <summary>
    /// Starts a workflow and returns the instance(s) the start created. DS says which only from 3.3 (a list of ids);
    /// 3.2 returns a trigger code to look them up by; 3.0/3.1 return nothing, so the newest manual-start instance of the
    /// workflow with an id above the newest one before the call is taken (docs/operations.md, "Which instance a start created").
    /// </summary>
    public async Task<IReadOnlyList<DsWorkflowInstance>> StartAsync(DsStartRequest request, string workflowName, TimeSpan creationTimeout, CancellationToken ct = default)
    {
        var form = StartForm(request);
        var baseline = Dialect.StartResult == StartResultShape.None ? await NewestInstanceIdAsync(request, ct).ConfigureAwait(false) : 0;
        JsonElement data;
        try
        {
            data = await client.StartWorkflowRawAsync(request.ProjectCode, form, ct).ConfigureAwait(false);
        }
        catch (DsApiException ex)
        {
            throw Refused(ex, $"start workflow '{workflowName}' ({request.WorkflowCode})", null);
        }

        switch (Dialect.StartResult)
        {
            case StartResultShape.InstanceIds:
                var ids = data.ValueKind == JsonValueKind.Array ? data.EnumerateArray().Select(e => e.GetInt32()).ToArray() : Array.Empty<int>();
                if (ids.Length == 0) throw NotCreated(workflowName, "DS accepted the start but returned no instance id.");
                var list = new List<DsWorkflowInstance>();
                foreach (var id in ids) list.Add(await client.GetWorkflowInstanceAsync(request.ProjectCode, id, ct).ConfigureAwait(false));
                return list;
            case StartResultShape.TriggerCode:
                var trigger = data.ValueKind == JsonValueKind.Number ? data.GetInt64()
                    : data.ValueKind == JsonValueKind.String && long.TryParse(data.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t
                    : throw NotCreated(workflowName, $"DS accepted the start but returned no trigger code ({data.ValueKind}).");
                return await PollAsync(() => client.GetTriggeredInstancesAsync(request.ProjectCode, trigger, ct), workflowName,
                    $"trigger code {trigger}", creationTimeout, ct).ConfigureAwait(false);
            default:
                return await PollAsync(async () => (await RecentInstancesAsync(request, ct).ConfigureAwait(false))
                        .Where(i => i.WorkflowInstanceId > baseline && string.Equals(i.CommandType, "START_PROCESS", StringComparison.Ordinal))
                        .OrderBy(i => i.WorkflowInstanceId).Take(1).ToArray(), workflowName,
                    $"the first manual-start instance with an id above {baseline}", creationTimeout, ct).ConfigureAwait(false);
        }
    }

    private async Task<int> NewestInstanceIdAsync(DsStartRequest request, CancellationToken ct) =>
        (await RecentInstancesAsync(request, ct).ConfigureAwait(false)).Select(i => i.WorkflowInstanceId).DefaultIfEmpty(0).Max();

    /// <summary>The newest instances of the workflow (DS lists newest first; the first page is enough).</summary>
    private async Task<List<DsWorkflowInstance>> RecentInstancesAsync(DsStartRequest request, CancellationToken ct)
    {
        var list = new List<DsWorkflowInstance>();
        await foreach (var i in client.GetWorkflowInstancesAsync(request.ProjectCode, new DsInstanceFilter { WorkflowCode = request.WorkflowCode }, ct).ConfigureAwait(false))
        {
            list.Add(i);
            if (list.Count >= 50) break;
        }
        return list;
    }

    private static async Task<IReadOnlyList<DsWorkflowInstance>> PollAsync(Func<Task<IReadOnlyList<DsWorkflowInstance>>> look, string workflowName,
        string what, TimeSpan timeout, CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            var found = await look().ConfigureAwait(false);
            if (found.Count > 0) return found;
            if (clock.Elapsed >= timeout)
                throw NotCreated(workflowName, $"DS accepted the start, but no master has turned its command into an instance within " +
                    $"{timeout.TotalSeconds:0.#} s (looked for {what}). The command is queued: Get-DsCommandQueue shows the backlog; the run starts when a master takes it.");
            await Task.Delay(delay, ct).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(2000, delay.TotalMilliseconds * 2));
        }
    }

    private static DsOpsException NotCreated(string workflowName, string why) =>
        new(DsErrorKind.Timeout, "DsRunNotCreated", $"Started workflow '{workflowName}': {why}");

    // ------------------------------------------------------------------ workflow-instance actions

    public static DsExecuteType ExecuteTypeOf(DsRunAction action) => action switch
    {
        DsRunAction.Restart => DsExecuteType.RepeatRunning,
        DsRunAction.RestartFromFailure => DsExecuteType.StartFailureTaskProcess,
        DsRunAction.Stop => DsExecuteType.Stop,
        DsRunAction.Suspend => DsExecuteType.Pause,
        DsRunAction.Resume => DsExecuteType.RecoverSuspendedProcess,
        _ => throw new ArgumentOutOfRangeException(nameof(action), $"{action} is not a workflow-instance action."),
    };

    /// <summary>Restart, restart from failure, stop, suspend or resume one workflow instance (read first with GetWorkflowInstanceAsync).</summary>
    public async Task<DsRunActionResult> ControlAsync(DsWorkflowInstance instance, DsRunAction action, CancellationToken ct = default)
    {
        var type = ExecuteTypeOf(action);
        var dsName = DsDialect.ExecuteTypeName(type);
        if (!Dialect.AcceptsExecuteType(type))
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsActionNotSupported", $"DS {Dialect.Version} has no execute type {dsName}.");
        try
        {
            await client.ExecuteAsync(instance.ProjectCode, instance.WorkflowInstanceId, type, ct).ConfigureAwait(false);
        }
        catch (DsApiException ex)
        {
            throw Refused(ex, $"{Verb(action)} workflow instance {Describe(instance)}", AllowedStates(type));
        }
        var after = await client.GetWorkflowInstanceAsync(instance.ProjectCode, instance.WorkflowInstanceId, ct).ConfigureAwait(false);
        return new DsRunActionResult
        {
            Action = action, DsAction = dsName, ProjectCode = instance.ProjectCode, WorkflowInstanceId = instance.WorkflowInstanceId,
            Name = instance.Name, StateBefore = instance.State, State = after.State, RunTimesBefore = instance.RunTimes,
            StartsNewRun = type is DsExecuteType.RepeatRunning or DsExecuteType.StartFailureTaskProcess or DsExecuteType.RecoverSuspendedProcess,
            Time = DateTime.Now, Connection = client.Owner,
        };
    }

    // ------------------------------------------------------------------ task-instance actions

    /// <summary>Stops a running task (3.1+) or marks a failed or killed task as forced success.</summary>
    public async Task<DsRunActionResult> TaskActionAsync(DsTaskInstance task, DsRunAction action, CancellationToken ct = default)
    {
        var route = action switch
        {
            DsRunAction.StopTask => "stop",
            DsRunAction.ForceTaskSuccess => "force-success",
            _ => throw new ArgumentOutOfRangeException(nameof(action), $"{action} is not a task-instance action."),
        };
        if (action == DsRunAction.StopTask && !Dialect.HasTaskInstanceStop)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsActionNotSupported",
                $"DS {Dialect.Version} cannot stop a single task instance (the route exists from 3.1.0); stop its workflow instance with Stop-DsWorkflowInstance.");
        try
        {
            await client.TaskInstanceActionAsync(task.ProjectCode, task.TaskInstanceId, route, ct).ConfigureAwait(false);
        }
        catch (DsApiException ex)
        {
            var allowed = action == DsRunAction.ForceTaskSuccess
                ? "FAILURE, NEED_FAULT_TOLERANCE or KILL" + (Dialect.ForceSuccessNeedsFinishedWorkflow ? ", with its workflow instance finished" : "")
                : null;
            throw Refused(ex, $"{Verb(action)} task instance '{task.Name}' (#{task.TaskInstanceId} of workflow instance #{task.WorkflowInstanceId})", allowed, taskAction: true);
        }
        return new DsRunActionResult
        {
            Action = action, DsAction = route, ProjectCode = task.ProjectCode, WorkflowInstanceId = task.WorkflowInstanceId,
            Name = task.WorkflowInstanceName, TaskInstanceId = task.TaskInstanceId, TaskName = task.Name, StateBefore = task.State,
            State = action == DsRunAction.ForceTaskSuccess ? DsRunState.ForcedSuccess : task.State, Time = DateTime.Now, Connection = client.Owner,
        };
    }

    // ------------------------------------------------------------------ refusals

    /// <summary>DS's allowed source states per execute type (3.0.1 rules, docs/ds-facts.md §3.5).</summary>
    public static string AllowedStates(DsExecuteType type) => type switch
    {
        DsExecuteType.Stop or DsExecuteType.Pause => "running (RUNNING_EXECUTION, WAITING_DEPEND, DELAY_EXECUTION)",
        DsExecuteType.RepeatRunning => "finished (SUCCESS, FORCED_SUCCESS, FAILURE, STOP, PAUSE, KILL, NEED_FAULT_TOLERANCE, BLOCK)",
        DsExecuteType.StartFailureTaskProcess => "failed (FAILURE, NEED_FAULT_TOLERANCE)",
        DsExecuteType.RecoverSuspendedProcess => "paused or stopped (PAUSE, STOP, KILL)",
        _ => "finished",
    };

    /// <summary>
    /// Turns DS's refusal of an action into an error with a stable id that names what was refused, keeping DS's code,
    /// status name and message.
    /// </summary>
    public static DsApiException Refused(DsApiException ex, string what, string? allowed, bool taskAction = false)
    {
        var (kind, id, why) = ex.DsCode switch
        {
            50006 => (DsErrorKind.InvalidState, "DsInstanceStateRefused", allowed is null ? "DS does not allow it in the instance's current state" : $"DS allows it only when the instance is {allowed}"),
            50005 => (DsErrorKind.InvalidState, "DsInstanceAlreadyChanging", "the instance is already being stopped or paused"),
            50009 => (DsErrorKind.Busy, "DsInstanceCommandPending", "a command for this instance is still queued; wait until a master has taken it"),
            50004 => (DsErrorKind.InvalidState, "DsWorkflowOffline", "the workflow (or one of its sub-workflows) is offline"),
            10025 => (DsErrorKind.Unavailable, "DsNoMaster", "no master is registered"),
            10166 => (DsErrorKind.InvalidState, "DsTaskInstanceStateRefused", allowed is null ? "DS does not allow it in the task's current state" : $"DS allows it only when the task is {allowed}"),
            50001 => (DsErrorKind.NotFound, "DsWorkflowInstanceNotFound", "the instance does not exist"),
            10008 => (DsErrorKind.NotFound, "DsTaskInstanceNotFound", "the task instance does not exist"),
            50003 => (DsErrorKind.NotFound, "DsWorkflowNotFound", "the workflow does not exist in the project"),
            10000 when taskAction && allowed is not null => (DsErrorKind.InvalidState, "DsTaskInstanceStateRefused", $"DS allows it only when the task is {allowed}"),
            _ => (ex.Kind, ex.ErrorId, null),
        };
        if (ex.DsCode is null) return ex; // transport problems keep their own ids (DsServerUnavailable, DsTimeout...)
        var message = $"DS refused to {what}" + (why is null ? "" : $": {why}") + $". DS said: {ex.DsMessage ?? "(no message)"} " +
                      $"(code {ex.DsCode}{(ex.DsStatusName is null ? "" : " " + ex.DsStatusName)}).";
        return new DsApiException(kind, id, message, ex.Endpoint, ex.HttpStatus, ex.DsCode, ex.DsStatusName, ex.DsMessage, ex);
    }

    public static string Describe(DsWorkflowInstance i) =>
        $"'{i.Name ?? "?"}' (#{i.WorkflowInstanceId}, {i.DsState ?? i.State.ToString()})";

    private static string Verb(DsRunAction action) => action switch
    {
        DsRunAction.Restart => "restart",
        DsRunAction.RestartFromFailure => "restart from the failed tasks",
        DsRunAction.Stop => "stop",
        DsRunAction.Suspend => "suspend (pause)",
        DsRunAction.Resume => "resume",
        DsRunAction.StopTask => "stop",
        DsRunAction.ForceTaskSuccess => "force success of",
        _ => action.ToString(),
    };

    private static string Inv(long v) => v.ToString(CultureInfo.InvariantCulture);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
internal sealed partial class StartParamsContext : System.Text.Json.Serialization.JsonSerializerContext;
