using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace DsOps.Engine.Notifications.Channels;

/// <summary>
/// Slack incoming webhook (docs/chat-robots.md §4): fallback "text" (the title) plus mrkdwn section blocks. A section's
/// text is limited to 3,000 characters (budget 2,900) and a message to 50 blocks (budget 45, §7.4), so a long
/// body becomes several sections in one message, and only a very long one several messages.
/// Success is HTTP 200 with the body "ok"; only 429 and 5xx are retried.
/// </summary>
internal sealed class SlackNotifier : NotifierBase
{
    private const int SectionBudget = 2_900;
    private const int BlocksPerMessage = 45;

    public override NotificationChannel Channel => NotificationChannel.Slack;
    public override IReadOnlyList<RateRule> RateRules { get; } = [new RateRule(1, TimeSpan.FromSeconds(1))];

    protected override int Limit(NotificationFormat format) => SectionBudget;
    protected override bool LimitCoversWholeBody => false;
    protected override SizeMeasure Measure(NotificationFormat format) => SizeMeasure.Characters;

    public override IReadOnlyList<NotificationPart> Render(NotificationTarget target, NotificationMessage message, DateTimeOffset now)
    {
        var title = TitleOf(target, message);
        if (title.Length > 150) title = title[..149] + "…";   // keeps the heading section short
        var users = message.AtUserIds.Concat(target.AtUserIds).Distinct().ToArray();
        foreach (var u in users)
            if (!IsPlainId(u))
                throw new DsOpsException(DsErrorKind.InvalidInput, "DsNotifyInvalidUserId",
                    $"-AtUserId: '{u}' is not a user id (letters, digits and _ . @ : - only).");
        var sections = MessageSplitter.Split(BodyWithoutTitle(message), SectionBudget, SizeMeasure.Characters);
        // Each message: a heading section, up to 44 body sections, and (first message only) a mentions section.
        var perMessage = BlocksPerMessage - 2;
        var groups = sections.Chunk(perMessage).ToList();
        var parts = new List<NotificationPart>();
        for (var i = 0; i < groups.Count; i++)
        {
            var partTitle = groups.Count > 1 ? $"{title} ({i + 1}/{groups.Count})" : title;
            var blocks = new JsonArray(Section($"*{partTitle}*"));
            foreach (var s in groups[i]) blocks.Add(Section(s.Length == 0 ? " " : s));   // Slack rejects empty section text
            if (i == 0 && users.Length > 0) blocks.Add(Section(string.Join(' ', users.Select(u => $"<@{u}>"))));
            var payload = new JsonObject { ["text"] = partTitle, ["blocks"] = blocks };
            parts.Add(new NotificationPart(i + 1, groups.Count, payload.ToJsonString(Json)));
        }
        return parts;
    }

    private static JsonObject Section(string text) => new()
    {
        ["type"] = "section",
        ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = text },
    };

    // Render is overridden; the base recipe's payload hook is not used for Slack.
    protected override JsonObject Payload(PartContext p) => throw new NotSupportedException();

    public override ResponseReading Read(HttpStatusCode status, string body, HttpResponseHeaders headers)
    {
        if (ReadHttpStatus(status, body, headers) is { } http) return http;
        return body.Trim() == "ok"
            ? new(ResponseVerdict.Success, "ok")
            : new(ResponseVerdict.InvalidResponse, null, Snippet(body));
    }
}
