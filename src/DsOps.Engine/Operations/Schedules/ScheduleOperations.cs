using DsOps.Engine.Api;
using DsOps.Engine.Models;
using DsOps.Engine.Operations.Runs;
using DsOps.Engine.Reports;
using DsOps.Engine.Specs.Wire;

namespace DsOps.Engine.Operations.Schedules;

/// <summary>The result of one schedule change (Enable/Disable/Set-DsSchedule output).</summary>
public sealed class DsScheduleChange
{
    public required DsSchedule Schedule { get; init; }
    /// <summary>Online, Offline or Updated; Unchanged when it already was in the asked state.</summary>
    public string Action { get; init; } = "";
    /// <summary>Estimated runs DS fires at once when the schedule comes back (0 where the version does not replay them).</summary>
    public long? MissedFires { get; init; }
    public string? Workflow => Schedule.WorkflowName;
    public int ScheduleId => Schedule.Id;
    public long ProjectCode => Schedule.ProjectCode;
    public string? Crontab => Schedule.Crontab;
    public override string ToString() => $"{Workflow} {Action}";
}

/// <summary>What Set-DsSchedule changes; null keeps the current value.</summary>
public sealed record ScheduleEdit
{
    public string? Crontab { get; init; }
    public string? TimezoneId { get; init; }
    public DateTime? StartTime { get; init; }
    public DateTime? EndTime { get; init; }
    public DsFailureStrategy? FailureStrategy { get; init; }
    public DsPriority? Priority { get; init; }
    public DsWarningType? WarningType { get; init; }
    public int? WarningGroupId { get; init; }
    public string? WorkerGroup { get; init; }
    public long? EnvironmentCode { get; init; }
    public string? TenantCode { get; init; }
}

/// <summary>Schedule online/offline and edits through the API (docs/operations.md "Schedules").</summary>
internal static class ScheduleOperations
{
    /// <summary>
    /// How many runs DS would fire at once if <paramref name="schedule"/> went online at <paramref name="nowServer"/> after
    /// being offline since <paramref name="offlineSinceServer"/>: the cron's fires in between, within the schedule's
    /// start/end. 0 on versions with a missed-fire policy (3.4.3+); null when the cron cannot be evaluated.
    /// Whether DS replays fires on a schedule put back online (rather than after master downtime) is unverified;
    /// the estimate is the upper bound.
    /// </summary>
    public static long? EstimateMissedFires(DsClient client, DsSchedule schedule, DateTime offlineSinceServer, DateTime nowServer)
    {
        if (!client.Dialect.FiresAllMissedRuns) return 0;
        if (string.IsNullOrWhiteSpace(schedule.Crontab)) return null;
        var from = schedule.StartTime is { } s && s > offlineSinceServer ? s : offlineSinceServer;
        var to = schedule.EndTime is { } e && e < nowServer ? e : nowServer;
        return QuartzCronCalendar.CountFires(schedule.Crontab, from, to);
    }

    /// <summary>Server time now (the API's time zone).</summary>
    public static DateTime ServerNow(DsClient client, DateTimeOffset now) => TimeZoneInfo.ConvertTime(now, client.ServerTimeZone).DateTime;

    /// <summary>Adds the online ones of <paramref name="schedules"/> to the snapshot file (created if missing) before anything goes offline.</summary>
    public static void RecordOnline(string path, DsClient client, IEnumerable<DsSchedule> schedules, DateTime nowUtc)
    {
        var snapshot = ScheduleSnapshot.Load(path) ?? new ScheduleSnapshot { Server = client.BaseUri.GetLeftPart(UriPartial.Authority) };
        foreach (var s in schedules.Where(s => s.IsOnline))
        {
            if (snapshot.Schedules.Any(e => e.ProjectCode == s.ProjectCode && e.ScheduleId == s.Id)) continue;
            snapshot.Schedules.Add(new ScheduleSnapshot.Entry
            {
                ProjectCode = s.ProjectCode, ScheduleId = s.Id, WorkflowCode = s.WorkflowCode, Workflow = s.WorkflowName, Crontab = s.Crontab, OfflineUtc = nowUtc,
            });
        }
        snapshot.Save(path);
    }

    public static async Task<DsScheduleChange> SetOnlineAsync(DsClient client, DsSchedule schedule, bool online, long? missedFires, CancellationToken ct)
    {
        if (schedule.IsOnline == online) return new DsScheduleChange { Schedule = schedule, Action = "Unchanged", MissedFires = online ? missedFires : null };
        await client.SetScheduleOnlineAsync(schedule.ProjectCode, schedule.Id, online, ct).ConfigureAwait(false);
        return new DsScheduleChange { Schedule = await RereadAsync(client, schedule, ct).ConfigureAwait(false), Action = online ? "Online" : "Offline", MissedFires = online ? missedFires : null };
    }

    /// <summary>
    /// Applies <paramref name="edit"/>. DS refuses to update an online schedule (10023), so an online one is taken
    /// offline, updated and put back online; if the update fails it is put back online unchanged.
    /// </summary>
    public static async Task<DsScheduleChange> UpdateAsync(DsClient client, DsSchedule schedule, ScheduleEdit edit, CancellationToken ct)
    {
        var start = edit.StartTime ?? schedule.StartTime ?? throw new DsOpsException(DsErrorKind.InvalidInput, "DsInvalidParameter", "The schedule has no start time; pass -StartTime.");
        var end = edit.EndTime ?? schedule.EndTime ?? throw new DsOpsException(DsErrorKind.InvalidInput, "DsInvalidParameter", "The schedule has no end time; pass -EndTime.");
        if (end <= start)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsInvalidParameter", $"-EndTime {end:yyyy-MM-dd HH:mm:ss} must be after -StartTime {start:yyyy-MM-dd HH:mm:ss}.");
        var crontab = edit.Crontab ?? schedule.Crontab ?? "";
        var wire = new DsWireSchedule
        {
            ScheduleJson = DsClient.ScheduleJson(start, end, crontab, edit.TimezoneId ?? schedule.TimezoneId),
            WarningType = edit.WarningType is { } w ? DsRunSettingNames.Of(w) : schedule.WarningType ?? "NONE",
            WarningGroupId = edit.WarningGroupId ?? schedule.WarningGroupId,
            FailureStrategy = edit.FailureStrategy is { } f ? DsRunSettingNames.Of(f) : schedule.FailureStrategy ?? "CONTINUE",
            WorkerGroup = edit.WorkerGroup ?? schedule.WorkerGroup ?? "default",
            EnvironmentCode = edit.EnvironmentCode ?? schedule.EnvironmentCode,
            Priority = edit.Priority is { } p ? DsRunSettingNames.Of(p) : schedule.Priority ?? "MEDIUM",
            TenantCode = edit.TenantCode ?? schedule.TenantCode,
        };
        var wasOnline = schedule.IsOnline;
        if (wasOnline) await client.SetScheduleOnlineAsync(schedule.ProjectCode, schedule.Id, false, ct).ConfigureAwait(false);
        try
        {
            await client.UpdateScheduleAsync(schedule.ProjectCode, schedule.Id, wire, ct).ConfigureAwait(false);
        }
        finally
        {
            if (wasOnline) await client.SetScheduleOnlineAsync(schedule.ProjectCode, schedule.Id, true, CancellationToken.None).ConfigureAwait(false);
        }
        return new DsScheduleChange { Schedule = await RereadAsync(client, schedule, ct).ConfigureAwait(false), Action = "Updated" };
    }

    private static async Task<DsSchedule> RereadAsync(DsClient client, DsSchedule schedule, CancellationToken ct) =>
        (await client.GetSchedulesAsync(schedule.ProjectCode, ct).ConfigureAwait(false)).FirstOrDefault(s => s.Id == schedule.Id) ?? schedule;
}
