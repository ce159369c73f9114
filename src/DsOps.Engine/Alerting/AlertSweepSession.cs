using DsOps.Engine.Notifications;

namespace DsOps.Engine.Alerting;

/// <summary>What one sweep intends to send to one target.</summary>
public sealed class TargetSweepPlan
{
    internal TargetSweepPlan(NotificationTarget target, AlertSweepResult result, NotificationMessage? message)
    {
        Target = target;
        Result = result;
        Message = message;
    }

    public NotificationTarget Target { get; }
    /// <summary>The result so far (Status becomes Sent, Failed or Skipped as the sweep proceeds).</summary>
    public AlertSweepResult Result { get; }
    /// <summary>The grouped message, or null when nothing is new for this target.</summary>
    public NotificationMessage? Message { get; }
}

/// <summary>
/// One sweep over a state file, holding its lock from <see cref="Open"/> to <see cref="Dispose"/>.
/// Delivery is at-least-once with de-duplication by failure key:
/// <list type="bullet">
/// <item>the window is [high-water mark − overlap, now); keys already sent inside it are skipped;</item>
/// <item>before sending, a target's keys are saved as "pending"; after the robot confirms, as "sent";</item>
/// <item>a run that crashes between the two leaves them pending: the next run sends them again, marked as possibly repeated;</item>
/// <item>a failed send records nothing, and the high-water mark only moves when every target is up to date,
///   so a skipped, crashed or failed run loses nothing.</item>
/// </list>
/// </summary>
internal sealed class AlertSweepSession : IDisposable
{
    private readonly string _stateFile;
    private readonly IO.ExclusiveFileLock? _lock; // null for a preview, which holds no lock and writes nothing
    private readonly AlertSweepOptions _options;
    private readonly AlertSweepState _state;
    private bool _allCurrent = true;

    private AlertSweepSession(string stateFile, IO.ExclusiveFileLock? lockHandle, AlertSweepOptions options, AlertSweepState state)
    {
        _stateFile = stateFile;
        _lock = lockHandle;
        _options = options;
        _state = state;
    }

    public string StateFile => _stateFile;

    /// <summary>Takes the state file's lock (failing at once if another sweep holds it) and loads the state.</summary>
    /// <param name="preview">
    /// -WhatIf: the state is only read, without the lock, and nothing is created (no folder, no lock file); such a
    /// session can plan but not send or complete. Like a sync under -WhatIf, a preview is not refused by a running sweep.
    /// </param>
    public static AlertSweepSession Open(string stateFile, AlertSweepOptions? options = null, bool preview = false)
    {
        if (string.IsNullOrWhiteSpace(stateFile))
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsAlertStateFileMissing", "-StateFile: a state file path is required.");
        var path = Path.GetFullPath(stateFile);
        if (preview) return new AlertSweepSession(path, null, options ?? new AlertSweepOptions(), AlertSweepStateFile.Load(path));
        var lockPath = path + ".lock";
        // An OS lock on an open handle: released by the OS if the process dies, so a crash never leaves it stuck.
        var handle = IO.ExclusiveFileLock.TryAcquire(lockPath, "Invoke-DsAlertSweep")
            ?? throw new DsOpsException(DsErrorKind.InvalidState, "DsAlertSweepLocked",
                $"Another alert sweep is running on '{path}' (lock '{lockPath}' is held" +
                (IO.ExclusiveFileLock.ReadOwner(lockPath) is { } o ? $" by process {o.ProcessId} on {o.Host} since {o.Since:u}" : "") + "); this run did nothing.");
        try
        {
            return new AlertSweepSession(path, handle, options ?? new AlertSweepOptions(), AlertSweepStateFile.Load(path));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Reads the window from the feed and works out, per target, which failures are new.</summary>
    public async Task<IReadOnlyList<TargetSweepPlan>> PlanAsync(IFailureFeed feed, IReadOnlyList<NotificationTarget> targets,
        DateTime? sinceUtc = null, CancellationToken cancellationToken = default)
    {
        var until = _options.Time.GetUtcNow().UtcDateTime;
        var since = sinceUtc?.ToUniversalTime()
                    ?? (_state.HighWaterMarkUtc is { } hwm ? hwm - _options.Overlap : until - _options.InitialLookback);
        var oldest = until - _options.MaxCatchUp;
        var queryFrom = since < oldest ? oldest : since;
        if (queryFrom >= until) queryFrom = until.AddTicks(-1);

        var events = await feed.GetFailuresAsync(queryFrom, until, cancellationToken).ConfigureAwait(false);
        var unique = events.GroupBy(e => e.Key, StringComparer.Ordinal).Select(g => g.First())
            .Where(e => e.EndTimeUtc >= queryFrom && e.EndTimeUtc < until).ToList();

        var plans = new List<TargetSweepPlan>();
        // The same robot listed twice shares one state entry: send to it once.
        foreach (var target in targets.DistinctBy(t => t.Fingerprint))
        {
            var ts = _state.For(target.Fingerprint);
            var fresh = unique.Where(e => !ts.Sent.ContainsKey(e.Key)).ToList();
            var resent = fresh.Count(e => ts.Pending.ContainsKey(e.Key));
            var result = new AlertSweepResult
            {
                Target = target.Name, StateFile = _stateFile, SinceUtc = queryFrom, UntilUtc = until,
                Found = unique.Count, New = fresh.Count, Resent = resent, Events = fresh,
                WindowTruncated = queryFrom > since,
                Status = fresh.Count == 0 ? AlertSweepStatus.NothingNew : AlertSweepStatus.Skipped,
            };
            var message = fresh.Count == 0 ? null
                : FailureAlertMessage.Build(fresh, resent, queryFrom, until, target.Format, _options);
            plans.Add(new TargetSweepPlan(target, result, message));
        }
        _until = until;
        _since = queryFrom;
        return plans;
    }

    private DateTime? _until;
    private DateTime _since;

    /// <summary>
    /// Sends one target's grouped message and records it. On failure the keys are not recorded as sent (they
    /// stay pending when some parts went out) and the exception is rethrown for the caller to report.
    /// </summary>
    public async Task SendAsync(TargetSweepPlan plan, NotificationSender sender, CancellationToken cancellationToken = default)
    {
        if (plan.Message is null) return;
        RequireLock();
        var ts = _state.For(plan.Target.Fingerprint);
        ts.Name = plan.Target.Name;
        var newlyPending = plan.Result.Events.Where(e => !ts.Pending.ContainsKey(e.Key)).ToList();
        foreach (var e in newlyPending) ts.Pending[e.Key] = e.EndTimeUtc;
        AlertSweepStateFile.Save(_stateFile, _state);
        try
        {
            plan.Result.Deliveries = await sender.SendAsync(plan.Target, plan.Message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _allCurrent = false;
            plan.Result.Status = AlertSweepStatus.Failed;
            plan.Result.Error = plan.Target.Redact(ex.Message);
            // Nothing reached the robot: forget the pending mark so the next run does not call them repeats.
            if (ex is not NotificationException { Delivered.Count: > 0 })
            {
                foreach (var e in newlyPending) ts.Pending.Remove(e.Key);
                AlertSweepStateFile.Save(_stateFile, _state);
            }
            throw;
        }
        plan.Result.Parts = plan.Result.Deliveries.Count;
        _options.AfterDelivered?.Invoke();
        foreach (var e in plan.Result.Events)
        {
            ts.Pending.Remove(e.Key);
            ts.Sent[e.Key] = e.EndTimeUtc;
        }
        plan.Result.Status = AlertSweepStatus.Sent;
        AlertSweepStateFile.Save(_stateFile, _state);
    }

    /// <summary>Marks a target as not handled this run (-WhatIf, declined -Confirm): the high-water mark stays put.</summary>
    public void Skip(TargetSweepPlan plan)
    {
        if (plan.Message is not null) _allCurrent = false;
        plan.Result.Status = plan.Message is null ? AlertSweepStatus.NothingNew : AlertSweepStatus.Skipped;
    }

    /// <summary>
    /// Ends the sweep: when every target is up to date the high-water mark moves to the window's end; keys
    /// that fell out of the next window are pruned (and the oldest beyond the per-target cap). Saved atomically.
    /// </summary>
    public void Complete()
    {
        if (_until is not { } until) throw new InvalidOperationException("PlanAsync must run before Complete.");
        RequireLock();
        _state.LastRunUtc = until;
        if (_allCurrent) _state.HighWaterMarkUtc = until;
        // A first run that could not finish anchors the window at its own start, so it does not slide away.
        else _state.HighWaterMarkUtc ??= _since + _options.Overlap;
        // Keys are kept while the next window (high-water mark minus overlap) can still return them.
        var keepFrom = _state.HighWaterMarkUtc.Value - _options.Overlap;
        var catchUpFloor = until - _options.MaxCatchUp;
        if (catchUpFloor > keepFrom) keepFrom = catchUpFloor;
        foreach (var ts in _state.Targets.Values)
        {
            Prune(ts.Sent, keepFrom, _options.MaxKeysPerTarget);
            Prune(ts.Pending, keepFrom, _options.MaxKeysPerTarget);
        }
        AlertSweepStateFile.Save(_stateFile, _state);
    }

    private static void Prune(Dictionary<string, DateTime> keys, DateTime keepFrom, int max)
    {
        foreach (var old in keys.Where(k => k.Value < keepFrom).Select(k => k.Key).ToList()) keys.Remove(old);
        if (keys.Count <= max) return;
        foreach (var old in keys.OrderBy(k => k.Value).Take(keys.Count - max).Select(k => k.Key).ToList()) keys.Remove(old);
    }

    private void RequireLock()
    {
        if (_lock is null) throw new InvalidOperationException("A preview session (-WhatIf) sends and records nothing.");
    }

    public void Dispose() => _lock?.Dispose();
}

/// <summary>A whole sweep in one call, for scripts and services that do not need per-target confirmation.</summary>
internal static class AlertSweeper
{
    public static async Task<IReadOnlyList<AlertSweepResult>> RunAsync(string stateFile, IFailureFeed feed,
        IReadOnlyList<NotificationTarget> targets, NotificationSender sender, AlertSweepOptions? options = null,
        DateTime? sinceUtc = null, CancellationToken cancellationToken = default)
    {
        using var session = AlertSweepSession.Open(stateFile, options);
        var plans = await session.PlanAsync(feed, targets, sinceUtc, cancellationToken).ConfigureAwait(false);
        foreach (var plan in plans)
        {
            try { await session.SendAsync(plan, sender, cancellationToken).ConfigureAwait(false); }
            catch (DsOpsException) { /* recorded in plan.Result; the next target still gets its alert */ }
        }
        session.Complete();
        return plans.Select(p => p.Result).ToList();
    }
}
