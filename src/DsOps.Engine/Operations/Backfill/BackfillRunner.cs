using System.Globalization;
using DsOps.Engine.Api;
using DsOps.Engine.Dialects;
using DsOps.Engine.IO;
using DsOps.Engine.Models;

namespace DsOps.Engine.Operations.Backfill;

/// <summary>What Start-DsBackfill asks for.</summary>
public sealed record BackfillOptions
{
    public required long ProjectCode { get; init; }
    public required long WorkflowCode { get; init; }
    public string WorkflowName { get; init; } = "";
    public required DateOnly From { get; init; }
    public required DateOnly To { get; init; }
    /// <summary>Most backfill (COMPLEMENT_DATA) instances of the project running or queued at once.</summary>
    public int MaxRunning { get; init; } = 2;
    /// <summary>No submission while DS's command queue holds this many commands or more.</summary>
    public int MaxBacklog { get; init; } = 20;
    /// <summary>One date at a time (MaxRunning 1).</summary>
    public bool Serial { get; init; }
    /// <summary>Newest date first.</summary>
    public bool Descending { get; init; }
    /// <summary>Daily window (server time) in which nothing is submitted, so scheduled T+1 runs keep the cluster.</summary>
    public QuietWindow? QuietWindow { get; init; }
    /// <summary>What every submitted complement command carries.</summary>
    public DsComplementRequest Template { get; init; } = new() { Date = default };
    public required string StatePath { get; init; }
    /// <summary>Return once every date is submitted instead of waiting for the last instances to end.</summary>
    public bool NoWait { get; init; }
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>How long to wait for DS's queue to show whether an unconfirmed submission arrived before giving up on that date.</summary>
    public TimeSpan ReconcileTimeout { get; init; } = TimeSpan.FromMinutes(30);
    /// <summary>The current time (the server's clock in tests); defaults to the system clock.</summary>
    public Func<DateTimeOffset>? Clock { get; init; }
    /// <summary>How to wait between polls; defaults to Task.Delay.</summary>
    public Func<TimeSpan, CancellationToken, Task>? Delay { get; init; }
    /// <summary>Test hooks: called after the intent is on disk and after DS accepted, before the state says so.</summary>
    internal Func<DateOnly, Task>? AfterIntent { get; init; }
    internal Func<DateOnly, Task>? AfterSubmit { get; init; }

    internal void Validate()
    {
        if (To < From)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsInvalidDateRange", $"-To {To:yyyy-MM-dd} is before -From {From:yyyy-MM-dd}.");
        if (To.DayNumber - From.DayNumber >= 3660)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsInvalidDateRange", $"-From {From:yyyy-MM-dd} -To {To:yyyy-MM-dd} spans more than ten years; split it.");
        if (MaxRunning < 1) throw new DsOpsException(DsErrorKind.InvalidInput, "DsInvalidParameter", $"-MaxRunning must be at least 1 (was {MaxRunning}).");
        if (MaxBacklog < 1) throw new DsOpsException(DsErrorKind.InvalidInput, "DsInvalidParameter", $"-MaxBacklog must be at least 1 (was {MaxBacklog}).");
    }

    public IEnumerable<DateOnly> Dates()
    {
        var all = Enumerable.Range(0, To.DayNumber - From.DayNumber + 1).Select(i => From.AddDays(i));
        return Descending ? all.Reverse() : all;
    }
}

/// <summary>
/// Throttled backfill: one complement command per date, submitted only while the project's running backfill
/// instances and DS's command queue are under their limits and outside the quiet window; every step is recorded in
/// a state file first, so a stopped or killed run resumes without submitting any date twice
/// (docs/operations.md "Backfill").
/// </summary>
internal static class BackfillRunner
{
    /// <summary>The dates a run would submit now (not yet submitted per the state file); reads nothing but the file.</summary>
    public static IReadOnlyList<DateOnly> PendingDates(BackfillOptions options)
    {
        options.Validate();
        var state = BackfillState.Load(options.StatePath);
        if (state is not null) RequireSameBackfill(state, options);
        var done = state?.Dates.Where(d => d.Status != BackfillDateStatus.Pending).Select(d => d.Day).ToHashSet() ?? new HashSet<DateOnly>();
        return options.Dates().Where(d => !done.Contains(d)).ToArray();
    }

    public static async Task<IReadOnlyList<DsBackfillDate>> RunAsync(DsClient client, BackfillOptions options,
        IProgress<BackfillProgress>? progress = null, CancellationToken ct = default)
    {
        options.Validate();
        using var held = ExclusiveFileLock.TryAcquire(options.StatePath + ".lock", $"Start-DsBackfill {options.WorkflowName}")
            ?? throw new DsOpsException(DsErrorKind.InvalidState, "DsBackfillRunning",
                $"Another Start-DsBackfill is working on state file '{options.StatePath}'" +
                (ExclusiveFileLock.ReadOwner(options.StatePath + ".lock") is { } o ? $" (process {o.ProcessId} on {o.Host} since {o.Since:u})" : "") + ".");
        var clock = options.Clock ?? (() => DateTimeOffset.UtcNow);
        var delay = options.Delay ?? ((t, c) => Task.Delay(t, c));
        var d = client.Dialect;

        var state = BackfillState.Load(options.StatePath);
        if (state is null)
            state = new BackfillState
            {
                Server = client.BaseUri.GetLeftPart(UriPartial.Authority), ProjectCode = options.ProjectCode, WorkflowCode = options.WorkflowCode,
                Workflow = options.WorkflowName, From = Day(options.From), To = Day(options.To), CreatedUtc = clock().UtcDateTime,
            };
        else RequireSameBackfill(state, options);
        var byDay = state.Dates.ToDictionary(e => e.Day);
        foreach (var day in options.Dates())
            if (!byDay.ContainsKey(day)) state.Dates.Add(byDay[day] = new BackfillState.Entry { Date = Day(day) });
        state.Dates = options.Dates().Select(x => byDay[x]).ToList();
        state.Save(options.StatePath);

        var limit = options.Serial ? 1 : options.MaxRunning;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var now = clock();
            // The queue is read before the instances: a command missing from the queue has either never arrived
            // or already become an instance that the following read sees.
            var queued = await client.GetQueuedCommandCountsAsync(ct).ConfigureAwait(false);
            var complementQueued = queued.GetValueOrDefault(d.ComplementCommandType);
            var instances = await ListSinceAsync(client, options.ProjectCode, state.CreatedUtc, ct).ConfigureAwait(false);
            var changed = Reconcile(client, state, options, instances, complementQueued, now.UtcDateTime);
            if (changed) state.Save(options.StatePath);

            var running = instances.Count(i => i.CommandType == d.ComplementCommandType && DsDialect.IsInProgress(i.State))
                          + state.Dates.Count(e => e.Status is BackfillDateStatus.Submitted or BackfillDateStatus.Submitting && e.InstanceId is null);
            var pending = state.Dates.Where(e => e.Status == BackfillDateStatus.Pending).ToList();
            var unsettled = state.Dates.Any(e => e.Status == BackfillDateStatus.Submitting);
            var inFlight = state.Dates.Any(e => e.Status == BackfillDateStatus.Submitted);
            if (pending.Count == 0 && !unsettled && (!inFlight || options.NoWait)) break;

            var serverNow = TimeZoneInfo.ConvertTime(now, client.ServerTimeZone);
            var backlog = queued.Values.Sum();
            string activity;
            if (unsettled) activity = "checking on the server whether an interrupted submission arrived";
            else if (pending.Count == 0) activity = "waiting for the last instances to end";
            else if (options.QuietWindow is { } quiet && quiet.Contains(TimeOnly.FromDateTime(serverNow.DateTime)))
                activity = $"quiet window {quiet} (server time {serverNow:HH:mm}): not submitting";
            else if (backlog >= options.MaxBacklog) activity = $"DS's command queue holds {backlog} (limit {options.MaxBacklog}): waiting";
            else if (running >= limit) activity = $"{running} backfill instance(s) running (limit {limit}): waiting";
            else
            {
                activity = "submitting";
                foreach (var entry in pending)
                {
                    if (running >= limit || backlog >= options.MaxBacklog) break;
                    ct.ThrowIfCancellationRequested();
                    entry.Status = BackfillDateStatus.Submitting;
                    entry.IntentUtc = clock().UtcDateTime;
                    state.Save(options.StatePath);
                    if (options.AfterIntent is { } afterIntent) await afterIntent(entry.Day).ConfigureAwait(false);
                    var ids = await client.SubmitComplementAsync(options.ProjectCode, options.WorkflowCode,
                        options.Template with { Date = entry.Day }, CancellationToken.None).ConfigureAwait(false);
                    if (options.AfterSubmit is { } afterSubmit) await afterSubmit(entry.Day).ConfigureAwait(false);
                    entry.Status = BackfillDateStatus.Submitted;
                    entry.SubmittedUtc = clock().UtcDateTime;
                    if (ids.Count > 0) entry.InstanceId = ids.Max();
                    state.Save(options.StatePath);
                    running++;
                    if (ids.Count == 0) backlog++;
                }
            }
            progress?.Report(Progress(state, running, backlog, activity));
            await delay(options.PollInterval, ct).ConfigureAwait(false);
        }
        progress?.Report(Progress(state, 0, 0, "done"));
        return Results(client, state);
    }

    private static BackfillProgress Progress(BackfillState state, int running, int queued, string activity) =>
        new(state.Dates.Count, state.Dates.Count(e => e.Status is not BackfillDateStatus.Pending), state.Dates.Count(e => e.Status == BackfillDateStatus.Finished),
            running, queued, activity);

    /// <summary>Brings every entry up to date with what the server shows. Returns whether anything changed.</summary>
    private static bool Reconcile(DsClient client, BackfillState state, BackfillOptions options, IReadOnlyList<DsWorkflowInstance> instances,
        int complementQueued, DateTime nowUtc)
    {
        var d = client.Dialect;
        var synchronous = d.StartResult == StartResultShape.InstanceIds;
        // This workflow's backfill instances by business date (server time); the newest run of a date wins.
        var byDay = instances
            .Where(i => i.WorkflowCode == options.WorkflowCode && i.CommandType == d.ComplementCommandType && i.ScheduleTime is not null)
            .GroupBy(i => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(i.ScheduleTime!.Value, TimeZoneInfo.Local, client.ServerTimeZone)))
            .ToDictionary(g => g.Key, g => g.OrderByDescending(i => i.WorkflowInstanceId).First());
        var byId = instances.ToDictionary(i => i.WorkflowInstanceId);
        var changed = false;
        foreach (var e in state.Dates)
        {
            DsWorkflowInstance? found = e.InstanceId is { } id ? byId.GetValueOrDefault(id) : byDay.GetValueOrDefault(e.Day);
            switch (e.Status)
            {
                case BackfillDateStatus.Submitting or BackfillDateStatus.Unresolved:
                    if (found is not null)
                    {
                        e.Status = BackfillDateStatus.Submitted;
                        e.SubmittedUtc ??= e.IntentUtc;
                        changed = true;
                    }
                    else if (synchronous || complementQueued == 0)
                    {
                        // 3.3+ answers with the instance or not at all; ≤3.2 with the queue empty the command never arrived.
                        e.Status = BackfillDateStatus.Pending;
                        e.IntentUtc = null;
                        changed = true;
                        continue;
                    }
                    else if (e.Status == BackfillDateStatus.Submitting && nowUtc - (e.IntentUtc ?? nowUtc) > options.ReconcileTimeout)
                    {
                        e.Status = BackfillDateStatus.Unresolved;
                        changed = true;
                        continue;
                    }
                    else continue;
                    break;
                case BackfillDateStatus.Submitted when found is null && e.InstanceId is null && !synchronous && complementQueued == 0:
                    // Accepted, the queue is empty, and no instance carries the date: DS made no run for it (e.g. the cron
                    // does not fire that day on a 3.0 range).
                    e.Status = BackfillDateStatus.Finished;
                    e.State = nameof(DsRunState.Unknown);
                    changed = true;
                    continue;
            }
            if (found is null || e.Status is BackfillDateStatus.Pending) continue;
            var stateName = found.State.ToString();
            var start = found.StartTime?.ToUniversalTime();
            var end = found.EndTime?.ToUniversalTime();
            var finished = !DsDialect.IsInProgress(found.State) && found.State != DsRunState.Unknown;
            if (e.InstanceId != found.WorkflowInstanceId || e.State != stateName || e.StartUtc != start || e.EndUtc != end
                || (finished && e.Status != BackfillDateStatus.Finished))
            {
                e.InstanceId = found.WorkflowInstanceId;
                e.State = stateName;
                e.StartUtc = start;
                e.EndUtc = end;
                if (finished) e.Status = BackfillDateStatus.Finished;
                changed = true;
            }
        }
        return changed;
    }

    private static async Task<IReadOnlyList<DsWorkflowInstance>> ListSinceAsync(DsClient client, long projectCode, DateTime createdUtc, CancellationToken ct)
    {
        var list = new List<DsWorkflowInstance>();
        var filter = new DsInstanceFilter { Since = DateTime.SpecifyKind(createdUtc.AddMinutes(-5), DateTimeKind.Utc) };
        await foreach (var i in client.GetWorkflowInstancesAsync(projectCode, filter, ct).ConfigureAwait(false)) list.Add(i);
        return list.GroupBy(i => i.WorkflowInstanceId).Select(g => g.First()).ToList();
    }

    private static IReadOnlyList<DsBackfillDate> Results(DsClient client, BackfillState state) =>
        state.Dates.Select(e => new DsBackfillDate
        {
            Date = e.Day,
            Workflow = state.Workflow,
            WorkflowCode = state.WorkflowCode,
            Status = e.Status,
            WorkflowInstanceId = e.InstanceId,
            State = Enum.TryParse<DsRunState>(e.State, out var s) ? s : DsRunState.Unknown,
            StartTime = e.StartUtc?.ToLocalTime(),
            EndTime = e.EndUtc?.ToLocalTime(),
            SubmittedAt = e.SubmittedUtc?.ToLocalTime(),
        }).ToArray();

    private static void RequireSameBackfill(BackfillState state, BackfillOptions options)
    {
        if (state.WorkflowCode != options.WorkflowCode || state.ProjectCode != options.ProjectCode || state.From != Day(options.From) || state.To != Day(options.To))
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsBackfillStateMismatch",
                $"Backfill state file '{options.StatePath}' belongs to workflow '{state.Workflow}' ({state.WorkflowCode}) of project {state.ProjectCode}, " +
                $"dates {state.From} to {state.To}, not to workflow {options.WorkflowCode} of project {options.ProjectCode} from {Day(options.From)} to {Day(options.To)}; " +
                "pass another -StatePath.");
    }

    private static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
