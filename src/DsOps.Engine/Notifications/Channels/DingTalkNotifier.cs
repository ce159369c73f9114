using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace DsOps.Engine.Notifications.Channels;

/// <summary>
/// DingTalk custom robot (docs/chat-robots.md §1): text or markdown, optional signing in the URL, keyword in the
/// title and text of every part, @mobiles in the body and in "at". Success is errcode 0.
/// </summary>
internal sealed class DingTalkNotifier : NotifierBase
{
    // §1.8: the body must stay under 20,000 bytes; §7.4 budgets 19,000 for safety.
    private const int BodyBudget = 19_000;

    public override NotificationChannel Channel => NotificationChannel.DingTalk;

    // §7.5: 20 per minute per robot; run at 18 because DS's own alerts may share the robot.
    public override IReadOnlyList<RateRule> RateRules { get; } = [new RateRule(18, TimeSpan.FromMinutes(1))];

    public override bool SupportsMobileMentions => true;
    public override bool SupportsAtAll => true;

    protected override int Limit(NotificationFormat format) => BodyBudget;

    protected override JsonObject Payload(PartContext p)
    {
        // §1.5: "@<mobile>" / "@<userId>" must also appear in the body for the mention to work.
        var names = p.AtMobiles.Concat(p.AtUserIds).ToList();
        var mentions = names.Count > 0 ? "\n\n" + string.Join(' ', names.Select(m => "@" + m)) : "";
        JsonObject payload;
        if (p.Message.Format == NotificationFormat.Markdown)
        {
            var text = $"#### {p.Title}\n\n{p.Chunk}";
            text += p.KeywordSuffix(text) + mentions;
            payload = new JsonObject
            {
                ["msgtype"] = "markdown",
                ["markdown"] = new JsonObject { ["title"] = p.Title, ["text"] = text },
            };
        }
        else
        {
            var text = $"{p.Title}\n{p.Chunk}";
            text += p.KeywordSuffix(text) + mentions;
            payload = new JsonObject
            {
                ["msgtype"] = "text",
                ["text"] = new JsonObject { ["content"] = text },
            };
        }
        if (names.Count > 0 || p.AtAll)
            payload["at"] = new JsonObject
            {
                ["atMobiles"] = Array(p.AtMobiles),
                // §1.5: the documented key and the legacy key that custom robots actually honour, both sent.
                ["atUserIds"] = Array(p.AtUserIds),
                ["atDingtalkIds"] = Array(p.AtUserIds),
                ["isAtAll"] = p.AtAll,
            };
        return payload;
    }

    public override HttpRequestMessage CreateRequest(NotificationTarget target, NotificationPart part, DateTimeOffset now)
    {
        // §1.3 step 7: sign again on every attempt; a signed URL goes stale after an hour.
        var url = target.Secret is null ? target.WebhookUri : Signing.DingTalkSignedUrl(target.WebhookUri, target.Secret, now);
        return new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent(part.Json) };
    }

    public override ResponseReading Read(HttpStatusCode status, string body, HttpResponseHeaders headers)
    {
        if (ReadHttpStatus(status, body, headers) is { } http) return http;
        var code = BodyCode(body, "errcode");
        if (code is null) return new(ResponseVerdict.InvalidResponse, null, Snippet(body));
        var message = BodyString(body, "errmsg");
        // §1.7: branch on errcode only, never on errmsg.
        return code switch
        {
            0 => new(ResponseVerdict.Success, "0"),
            -1 => new(ResponseVerdict.Transient, "-1", message),
            130101 => new(ResponseVerdict.RateLimited, "130101", message, TimeSpan.FromMinutes(10)),
            310000 => new(ResponseVerdict.SecurityRejected, "310000",
                message + " (check the keyword, the signing secret, the IP allowlist, and the host clock for 'invalid timestamp')"),
            300001 or 300005 => new(ResponseVerdict.WebhookInvalid, code.ToString(), message),
            460101 => new(ResponseVerdict.TooLarge, "460101", message),
            _ => new(ResponseVerdict.Rejected, code.ToString(), message),
        };
    }
}
