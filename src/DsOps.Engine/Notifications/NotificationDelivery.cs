namespace DsOps.Engine.Notifications;

/// <summary>The outcome of sending one part of a message to one target (what -PassThru returns).</summary>
public sealed class NotificationDelivery
{
    public required string Target { get; init; }
    public required NotificationChannel Channel { get; init; }
    /// <summary>Redacted webhook URL.</summary>
    public required string Destination { get; init; }
    public required string Fingerprint { get; init; }
    public required string MessageId { get; init; }
    public required int Part { get; init; }
    public required int Parts { get; init; }
    /// <summary>Serialized body size in UTF-8 bytes.</summary>
    public required int Bytes { get; init; }
    public bool Succeeded { get; init; }
    public int? HttpStatus { get; init; }
    /// <summary>The platform's body code (errcode / code) or "ok".</summary>
    public string? Code { get; init; }
    public int Attempts { get; init; }
    /// <summary>Time spent waiting for the destination's rate limit.</summary>
    public TimeSpan Throttled { get; init; }
    public DateTimeOffset SentAt { get; init; }

    public override string ToString() => $"{Target} part {Part}/{Parts}: {(Succeeded ? "delivered" : "failed")}";
}
