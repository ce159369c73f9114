namespace DsOps.Engine.Alerting;

/// <summary>Windows, limits and wording of a sweep.</summary>
public sealed class AlertSweepOptions
{
    /// <summary>
    /// How far before the high-water mark each sweep looks again, for rows that are written late (a task's
    /// end time is set when the master records it; failover can delay that). Already-sent keys in this
    /// window are remembered, so the overlap costs no duplicates.
    /// </summary>
    public TimeSpan Overlap { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Window of the very first sweep (no state file yet).</summary>
    public TimeSpan InitialLookback { get; init; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Oldest failure a catch-up sweep still alerts on (after long outages or a target failing for days);
    /// anything older is reported as skipped in the result rather than flooding the group.
    /// </summary>
    public TimeSpan MaxCatchUp { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Most remembered keys per target; the oldest are dropped first (bounded state file).</summary>
    public int MaxKeysPerTarget { get; init; } = 20_000;

    /// <summary>Failures listed one per line in a message; the rest are summarised per workflow.</summary>
    public int MaxDetailed { get; init; } = 30;

    /// <summary>Longest reason text per failure line.</summary>
    public int MaxReasonLength { get; init; } = 300;

    /// <summary>Message title; the count of new failures is appended.</summary>
    public string Title { get; init; } = "DolphinScheduler failures";

    /// <summary>Clock for the window's end.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Test hook: runs after a target confirmed delivery and before the state is saved (simulates a crash there).</summary>
    internal Action? AfterDelivered { get; init; }
}
