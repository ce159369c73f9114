using DsOps.Engine.Notifications;

namespace DsOps.Engine.Alerting;

/// <summary>What happened to one target in a sweep.</summary>
public enum AlertSweepStatus
{
    /// <summary>No failure was new for the target.</summary>
    NothingNew,
    /// <summary>The new failures were delivered.</summary>
    Sent,
    /// <summary>-WhatIf or a declined -Confirm: nothing sent, nothing recorded.</summary>
    Skipped,
    /// <summary>Delivery failed; the failures stay unsent for the next sweep.</summary>
    Failed,
}

/// <summary>The outcome of one sweep for one target (what Invoke-DsAlertSweep returns).</summary>
public sealed class AlertSweepResult
{
    public required string Target { get; init; }
    public required string StateFile { get; init; }
    public required DateTime SinceUtc { get; init; }
    public required DateTime UntilUtc { get; init; }
    /// <summary>Failures the feed returned for the window.</summary>
    public int Found { get; init; }
    /// <summary>Failures not yet sent to this target.</summary>
    public int New { get; init; }
    /// <summary>Of the new ones, those possibly sent before by a run that did not finish (at-least-once).</summary>
    public int Resent { get; init; }
    /// <summary>True when the window was cut to MaxCatchUp: failures before SinceUtc were not alerted.</summary>
    public bool WindowTruncated { get; init; }
    public AlertSweepStatus Status { get; set; }
    public int Parts { get; set; }
    public IReadOnlyList<FailureEvent> Events { get; init; } = Array.Empty<FailureEvent>();
    public IReadOnlyList<NotificationDelivery> Deliveries { get; set; } = Array.Empty<NotificationDelivery>();
    /// <summary>Why delivery failed (redacted), when Status is Failed.</summary>
    public string? Error { get; set; }

    public override string ToString() => $"{Target}: {Status} ({New} new of {Found}, {SinceUtc:u} .. {UntilUtc:u})";
}
