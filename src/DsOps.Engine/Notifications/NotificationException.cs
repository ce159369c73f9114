namespace DsOps.Engine.Notifications;

/// <summary>
/// A message that could not be delivered: carries the channel's code, the HTTP status, how many parts
/// went out before the failure and how many attempts were made. The message is redacted.
/// </summary>
internal sealed class NotificationException : DsOpsException
{
    public NotificationException(DsErrorKind kind, string errorId, string message, NotificationChannel channel,
        string target, int part, int parts, int attempts, string? code, int? httpStatus,
        IReadOnlyList<NotificationDelivery> delivered, Exception? inner = null)
        : base(kind, errorId, message, inner)
    {
        Channel = channel;
        Target = target;
        Part = part;
        Parts = parts;
        Attempts = attempts;
        Code = code;
        HttpStatus = httpStatus;
        Delivered = delivered;
    }

    public NotificationChannel Channel { get; }
    public string Target { get; }
    /// <summary>The part that failed (1-based).</summary>
    public int Part { get; }
    public int Parts { get; }
    public int Attempts { get; }
    public string? Code { get; }
    public int? HttpStatus { get; }
    /// <summary>Parts delivered before the failure.</summary>
    public IReadOnlyList<NotificationDelivery> Delivered { get; }
}
