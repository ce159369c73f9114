namespace DsOps.Engine.Notifications;

/// <summary>One logical message; the notifier splits it into numbered parts when it exceeds the channel's limit.</summary>
public sealed class NotificationMessage
{
    public NotificationMessage(string title, string body, NotificationFormat format = NotificationFormat.Markdown)
    {
        Title = title ?? "";
        Body = body ?? "";
        Format = format;
    }

    /// <summary>Shown in the notification preview (DingTalk markdown title, Feishu post title, Slack fallback text).</summary>
    public string Title { get; }

    public string Body { get; }

    public NotificationFormat Format { get; }

    /// <summary>Phone numbers to @-mention (first part only, so people are not pinged once per part).</summary>
    public IReadOnlyList<string> AtMobiles { get; init; } = Array.Empty<string>();

    /// <summary>
    /// Platform user ids to @-mention (first part only): DingTalk userIds, WeCom userids, Feishu open_ids (ou_…),
    /// Slack member ids (U…).
    /// </summary>
    public IReadOnlyList<string> AtUserIds { get; init; } = Array.Empty<string>();

    /// <summary>@-mention everyone (first part only).</summary>
    public bool AtAll { get; init; }

    /// <summary>What the message is about, for the generic webhook envelope: message, report or failure.</summary>
    public string Kind { get; init; } = "message";

    /// <summary>Short id put in every part so duplicates after a retry are easy to spot (docs/chat-robots.md §7.2).</summary>
    public string MessageId { get; init; } = Guid.NewGuid().ToString("N")[..6];
}
