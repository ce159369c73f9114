using System.Globalization;
using System.Text;
using DsOps.Engine.Notifications;

namespace DsOps.Engine.Alerting;

/// <summary>
/// Turns a burst of failures into one message: a summary line, one line per failure (oldest first) up to
/// MaxDetailed, then a per-workflow count of the rest. The notifier splits it by size if it is still long.
/// </summary>
internal static class FailureAlertMessage
{
    public static NotificationMessage Build(IReadOnlyList<FailureEvent> events, int resent, DateTime sinceUtc, DateTime untilUtc,
        NotificationFormat format, AlertSweepOptions options)
    {
        var md = format == NotificationFormat.Markdown;
        var ordered = events.OrderBy(e => e.EndTimeUtc).ThenBy(e => e.Key, StringComparer.Ordinal).ToList();
        var workflows = ordered.Select(e => e.Workflow).Distinct().Count();
        var title = $"{options.Title}: {events.Count} new";
        var body = new StringBuilder();
        body.Append(md ? $"**{events.Count} failure(s)** in {workflows} workflow(s)" : $"{events.Count} failure(s) in {workflows} workflow(s)")
            .Append(CultureInfo.InvariantCulture, $", {sinceUtc:yyyy-MM-dd HH:mm} to {untilUtc:yyyy-MM-dd HH:mm} UTC");
        if (resent > 0)
            body.Append('\n').Append(CultureInfo.InvariantCulture,
                $"{resent} of them may have been sent already by an interrupted sweep.");
        body.Append('\n');   // a blank line ends the summary paragraph (DingTalk ignores single line breaks)
        foreach (var e in ordered.Take(options.MaxDetailed))
            body.Append('\n').Append(Line(e, md, options.MaxReasonLength));
        var rest = ordered.Skip(options.MaxDetailed).ToList();
        if (rest.Count > 0)
        {
            var groups = rest.GroupBy(e => $"{e.Project}/{e.Workflow}").OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal);
            body.Append('\n').Append(CultureInfo.InvariantCulture, $"… and {rest.Count} more:");
            foreach (var g in groups)
                body.Append('\n').Append(CultureInfo.InvariantCulture, $"- {g.Key} ×{g.Count()}");
        }
        return new NotificationMessage(title, body.ToString(), format) { Kind = "failure" };
    }

    private static string Line(FailureEvent e, bool md, int maxReason)
    {
        var what = e.Task is null ? $"{e.Project} / {e.Workflow}" : $"{e.Project} / {e.Workflow} / {e.Task}";
        if (md) what = $"**{what}**";
        var line = new StringBuilder("- ").Append(what).Append(' ').Append(e.State.ToString().ToUpperInvariant());
        if (e.RetryTimes > 0) line.Append(CultureInfo.InvariantCulture, $" (retry {e.RetryTimes})");
        if (!string.IsNullOrEmpty(e.Host)) line.Append(" on ").Append(e.Host);
        line.Append(CultureInfo.InvariantCulture, $" at {e.EndTimeUtc:yyyy-MM-dd HH:mm:ss} UTC");
        if (!string.IsNullOrWhiteSpace(e.Message))
        {
            var reason = e.Message.ReplaceLineEndings(" ").Trim();
            if (reason.Length > maxReason)
                reason = reason[..(char.IsHighSurrogate(reason[maxReason - 1]) ? maxReason - 1 : maxReason)] + "…" + (string.IsNullOrEmpty(e.LogPath) ? "" : $" (see DS log: {e.LogPath})");
            line.Append(": ").Append(reason);
        }
        return line.ToString();
    }
}
