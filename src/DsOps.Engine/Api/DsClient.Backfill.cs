using System.Globalization;
using System.Text.Json;
using DsOps.Engine.Api.Dto;
using DsOps.Engine.Dialects;
using DsOps.Engine.Models;

namespace DsOps.Engine.Api;

/// <summary>One complement (backfill) submission: a single business date of one workflow.</summary>
public sealed record DsComplementRequest
{
    /// <summary>The business date (server time zone) the run is for.</summary>
    public required DateOnly Date { get; init; }
    /// <summary>Time of day of the schedule time given to DS where the version takes a date list (3.1+).</summary>
    public TimeSpan TimeOfDay { get; init; }
    public string FailureStrategy { get; init; } = "CONTINUE";
    public string Priority { get; init; } = "LOWEST";
    public string WorkerGroup { get; init; } = "default";
    public long EnvironmentCode { get; init; } = -1;
    public string? TenantCode { get; init; }
    public string WarningType { get; init; } = "NONE";
    public int? WarningGroupId { get; init; }
    /// <summary>ALL_DEPENDENT: DS also backfills downstream workflows (multiplies the load).</summary>
    public bool Dependent { get; init; }
}

// Backfill and schedule calls of the API (docs/operations.md "Backfill"; docs/ds-facts.md §3.4, §3.5).
internal sealed partial class DsClient
{
    /// <summary>
    /// Starts one complement command for one date (runMode serial, so DS makes exactly one command and one instance).
    /// 3.1+ send the date as a one-item date list; 3.0.x a "day start,day end" range that DS expands with the
    /// workflow's cron. Returns the instance ids where DS answers them (3.3+), otherwise an empty list.
    /// </summary>
    public async Task<IReadOnlyList<int>> SubmitComplementAsync(long projectCode, long workflowCode, DsComplementRequest request, CancellationToken ct = default)
    {
        var day = request.Date.ToDateTime(TimeOnly.MinValue);
        string scheduleTime;
        if (Dialect.ComplementTakesDateList)
            scheduleTime = new System.Text.Json.Nodes.JsonObject { ["complementScheduleDateList"] = DsJson.FormatDate(day + request.TimeOfDay) }.ToJsonString();
        else
            scheduleTime = DsJson.FormatDate(day) + "," + DsJson.FormatDate(day.AddDays(1).AddSeconds(-1));
        var form = new Dictionary<string, string>
        {
            [Dialect.WorkflowCodeParameter] = workflowCode.ToString(CultureInfo.InvariantCulture),
            ["execType"] = Dialect.ComplementCommandType,
            ["scheduleTime"] = scheduleTime,
            ["runMode"] = "RUN_MODE_SERIAL",
            ["failureStrategy"] = request.FailureStrategy,
            ["warningType"] = request.WarningType,
            [Dialect.WorkflowInstancePriorityParameter] = request.Priority,
            ["workerGroup"] = request.WorkerGroup,
            ["environmentCode"] = request.EnvironmentCode.ToString(CultureInfo.InvariantCulture),
            ["complementDependentMode"] = request.Dependent ? "ALL_DEPENDENT" : "OFF_MODE",
        };
        if (request.WarningGroupId is { } g) form["warningGroupId"] = g.ToString(CultureInfo.InvariantCulture);
        if (Dialect.TenantOnRun) form["tenantCode"] = request.TenantCode ?? "default";
        if (request.Dependent && Dialect.ComplementTakesAllLevelDependent) form["allLevelDependent"] = "false";
        var action = Dialect.StartWorkflowAction;
        var data = await CallForJsonAsync($"POST projects/{projectCode}/executors/{action}",
            (api, t) => api.Execute(projectCode, action, form, t), ct).ConfigureAwait(false);
        var ids = new List<int>();
        if (Dialect.StartResult == StartResultShape.InstanceIds && data.ValueKind == JsonValueKind.Array)
            foreach (var id in data.EnumerateArray())
                if (id.ValueKind == JsonValueKind.Number && id.TryGetInt32(out var n)) ids.Add(n);
        return ids;
    }

    /// <summary>Commands waiting in DS's queue (t_ds_command) per command type (GET projects/analysis/command-state-count).</summary>
    public async Task<IReadOnlyDictionary<string, int>> GetQueuedCommandCountsAsync(CancellationToken ct = default)
    {
        var rows = await CallAsync<List<CommandStateCountDto>?>("GET projects/analysis/command-state-count", (api, t) => api.CommandStateCount(t), ct).ConfigureAwait(false);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var r in rows ?? new()) if (r.CommandState is { } s) counts[s] = counts.GetValueOrDefault(s) + r.NormalCount;
        return counts;
    }

    /// <summary>Every schedule of a project with its project code and connection set.</summary>
    public async Task<IReadOnlyList<DsSchedule>> GetSchedulesAsync(long projectCode, CancellationToken ct = default)
    {
        var list = await GetProjectSchedulesAsync(projectCode, ct).ConfigureAwait(false);
        foreach (var s in list) s.ProjectCode = projectCode;
        return list;
    }

    /// <summary>The schedule's start time and so on as DS wants them in the schedule JSON (server time).</summary>
    internal static string ScheduleJson(DateTime start, DateTime end, string crontab, string? timezoneId) =>
        new System.Text.Json.Nodes.JsonObject
        {
            ["startTime"] = DsJson.FormatDate(start),
            ["endTime"] = DsJson.FormatDate(end),
            ["crontab"] = crontab,
            ["timezoneId"] = timezoneId ?? "UTC",
        }.ToJsonString();
}
