namespace DsOps.Engine.Notifications;

/// <summary>A report a notifier can send: a title plus Markdown (DingTalk subset) and plain-text bodies.</summary>
public interface IRenderableReport
{
    string Title { get; }
    string ToMarkdown();
    string ToText();
}
