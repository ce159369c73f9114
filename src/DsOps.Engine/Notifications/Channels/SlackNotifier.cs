using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace DsOps.Engine.Notifications.Channels;

/// <summary>
/// Slack incoming webhook (alerting.md §4): fallback "text" plus one mrkdwn section per part (section text
/// ≤ 3,000 characters, budget 2,900). Success is HTTP 200 with the body "ok"; only 429 and 5xx are retried.
/// </summary>
public sealed class SlackNotifier : NotifierBase
{
    public override NotificationChannel Channel => NotificationChannel.Slack;
    public override IReadOnlyList<RateRule> RateRules { get; } = [new RateRule(1, TimeSpan.FromSeconds(1))];

    protected override int Limit(NotificationFormat format) => 2_900;
    protected override bool LimitCoversWholeBody => false;
    protected override SizeMeasure Measure(NotificationFormat format) => SizeMeasure.Characters;

    private static string Section(PartContext p) =>
        $"*{p.Title}*\n{p.Chunk}" + (p.AtUserIds.Count > 0 ? "\n" + string.Join(' ', p.AtUserIds.Select(u => $"<@{u}>")) : "");

    protected override string LimitedContent(PartContext p) => Section(p);

    protected override JsonObject Payload(PartContext p) => new()
    {
        ["text"] = p.Title,
        ["blocks"] = new JsonArray(new JsonObject
        {
            ["type"] = "section",
            ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = Section(p) },
        }),
    };

    public override ResponseReading Read(HttpStatusCode status, string body, HttpResponseHeaders headers)
    {
        if (ReadHttpStatus(status, body, headers) is { } http) return http;
        return body.Trim() == "ok"
            ? new(ResponseVerdict.Success, "ok")
            : new(ResponseVerdict.InvalidResponse, null, Snippet(body));
    }
}
