using System.Diagnostics;
using DsOps.Engine.Dialects;
using DsOps.Engine.Models;

namespace DsOps.Engine.Operations.Runs;

/// <summary>
/// Waits for workflow instances to reach a final state by reading each one (GET …/instances/{id}) every poll
/// interval, across projects and connections. A rerun target waits for the new run, not the old final state.
/// A read that fails on the transport (server restarting) is tried again at the next poll; an instance that no
/// longer exists ends its wait with an error.
/// </summary>
internal static class RunWaiter
{
    /// <summary>States in which an instance will not move on by itself: finished, paused, or awaiting recovery.</summary>
    public static bool IsFinal(DsRunState state) => state != DsRunState.Unknown && !DsDialect.IsInProgress(state);

    public static async Task<IReadOnlyList<DsWaitOutcome>> WaitAsync(IReadOnlyList<DsWaitTarget> targets, TimeSpan? timeout, TimeSpan pollInterval,
        bool any, IProgress<DsWaitProgress>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var pending = targets.Select((t, i) => new Slot(t, i)).ToList();
        var done = new List<DsWaitOutcome>();
        int succeeded = 0, unsuccessful = 0;
        string? latest = null;
        while (true)
        {
            foreach (var slot in pending.ToList())
            {
                DsWorkflowInstance instance;
                try
                {
                    instance = await slot.Target.Client.GetWorkflowInstanceAsync(slot.Target.ProjectCode, slot.Target.WorkflowInstanceId, ct).ConfigureAwait(false);
                }
                catch (DsOpsException ex) when (ex.Kind is DsErrorKind.Unavailable or DsErrorKind.Timeout or DsErrorKind.RateLimited)
                {
                    slot.TransientErrors++;
                    continue;
                }
                catch (DsOpsException ex)
                {
                    pending.Remove(slot);
                    done.Add(new DsWaitOutcome(slot.Target, slot.Last, false, ex));
                    unsuccessful++;
                    continue;
                }
                slot.Last = instance;
                if (!IsFinal(instance.State)) slot.SeenRunning = true;
                var newRun = slot.Target.RunTimesBefore is not { } before || instance.RunTimes > before || slot.SeenRunning;
                if (!newRun || !IsFinal(instance.State)) continue;
                pending.Remove(slot);
                done.Add(new DsWaitOutcome(slot.Target, instance, true, null));
                if (DsDialect.IsSuccess(instance.State)) succeeded++; else unsuccessful++;
                latest = $"{instance.Name ?? "#" + instance.WorkflowInstanceId}: {instance.State}";
            }
            progress?.Report(new DsWaitProgress(done.Count, targets.Count, succeeded, unsuccessful, clock.Elapsed, latest));
            if (pending.Count == 0 || (any && done.Count > 0)) break;
            if (timeout is { } limit && clock.Elapsed >= limit) break;
            var delay = pollInterval;
            if (timeout is { } l2 && l2 - clock.Elapsed < delay) delay = l2 - clock.Elapsed;
            if (delay > TimeSpan.Zero) await Task.Delay(delay, ct).ConfigureAwait(false);
        }
        // Still running when the wait ended (timeout, or -Any): reported with their last known state.
        foreach (var slot in pending) done.Add(new DsWaitOutcome(slot.Target, slot.Last, false, null));
        return done;
    }

    private sealed class Slot(DsWaitTarget target, int index)
    {
        public DsWaitTarget Target { get; } = target;
        public int Index { get; } = index;
        public DsWorkflowInstance? Last { get; set; }
        public bool SeenRunning { get; set; }
        public int TransientErrors { get; set; }
    }
}
