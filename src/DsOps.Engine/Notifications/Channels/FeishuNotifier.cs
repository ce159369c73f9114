using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace DsOps.Engine.Notifications.Channels;

/// <summary>
/// Feishu / Lark custom bot (docs/chat-robots.md §3): "text" for Text, rich-text "post" (one element per line) for
/// Markdown; the keyword goes in the title and text; signing puts timestamp (seconds) and sign in the body.
/// Success is code 0, or StatusCode 0 when code is absent (the older response format).
/// </summary>
internal sealed class FeishuNotifier : NotifierBase
{
    public override NotificationChannel Channel => NotificationChannel.Feishu;

    // §3.3: 5 per second and 100 per minute per bot.
    public override IReadOnlyList<RateRule> RateRules { get; } =
        [new RateRule(5, TimeSpan.FromSeconds(1)), new RateRule(100, TimeSpan.FromMinutes(1))];

    // Custom bots @ people by open_id only (ou_…), never by phone number; "all" works.
    public override bool SupportsAtAll => true;

    protected override int Limit(NotificationFormat format) => 19_000;   // §7.4: body ≤ 20 KB, budget 19 KB

    // "timestamp":"1700000000","sign":"<44 base64 chars>" plus separators.
    protected override int SigningReserve => 80;

    private static readonly int PostLineOverhead = SizeMeasure.JsonBytes("") + """[{"tag":"text","text":""}]""".Length;

    protected override SizeMeasure Measure(NotificationFormat format) => format == NotificationFormat.Markdown
        ? new SizeMeasure(SizeMeasure.JsonBytes, PostLineOverhead, 1)
        : SizeMeasure.JsonString;

    protected override JsonObject Payload(PartContext p)
    {
        if (p.Message.Format == NotificationFormat.Text)
        {
            var text = $"{p.Title}\n{p.Chunk}";
            text += p.KeywordSuffix(text);
            foreach (var id in p.AtUserIds) text += $"<at user_id=\"{id}\"></at>";
            if (p.AtAll) text += "\n<at user_id=\"all\">所有人</at>";
            return new JsonObject { ["msg_type"] = "text", ["content"] = new JsonObject { ["text"] = text } };
        }
        var lines = new JsonArray();
        foreach (var line in p.Chunk.Split('\n'))
            lines.Add(new JsonArray(new JsonObject { ["tag"] = "text", ["text"] = line }));
        if (!string.IsNullOrEmpty(p.Target.Keyword) && !p.Chunk.Contains(p.Target.Keyword, StringComparison.Ordinal))
            lines.Add(new JsonArray(new JsonObject { ["tag"] = "text", ["text"] = p.Target.Keyword }));
        var ats = p.AtUserIds.Concat(p.AtAll ? ["all"] : System.Array.Empty<string>())
            .Select(id => (JsonNode)new JsonObject { ["tag"] = "at", ["user_id"] = id }).ToArray();
        if (ats.Length > 0) lines.Add(new JsonArray(ats));
        return new JsonObject
        {
            ["msg_type"] = "post",
            ["content"] = new JsonObject
            {
                ["post"] = new JsonObject { ["zh_cn"] = new JsonObject { ["title"] = p.Title, ["content"] = lines } },
            },
        };
    }

    public override HttpRequestMessage CreateRequest(NotificationTarget target, NotificationPart part, DateTimeOffset now)
    {
        var json = part.Json;
        if (target.Secret is not null)
        {
            // Signed afresh on every attempt (§7.2): timestamp and sign are top-level body fields.
            var body = JsonNode.Parse(json)!.AsObject();
            var ts = Seconds(now);
            body["timestamp"] = ts;
            body["sign"] = Signing.Feishu(ts, target.Secret);
            json = body.ToJsonString(Json);
        }
        return new HttpRequestMessage(HttpMethod.Post, target.WebhookUri) { Content = JsonContent(json) };
    }

    public override ResponseReading Read(HttpStatusCode status, string body, HttpResponseHeaders headers)
    {
        if (ReadHttpStatus(status, body, headers) is { } http) return http;
        var code = BodyCode(body, "code", "StatusCode");
        if (code is null) return new(ResponseVerdict.InvalidResponse, null, Snippet(body));
        var message = BodyString(body, "msg", "StatusMessage");
        return code switch
        {
            0 => new(ResponseVerdict.Success, "0"),
            11232 => new(ResponseVerdict.RateLimited, "11232", message, TimeSpan.FromSeconds(10)),
            99991400 => new(ResponseVerdict.RateLimited, "99991400", message, RetryAfterOf(headers) ?? TimeSpan.FromSeconds(10)),
            19001 => new(ResponseVerdict.WebhookInvalid, "19001", message),
            19021 => new(ResponseVerdict.SecurityRejected, "19021", message + " (check the signing secret and the host clock)"),
            19022 => new(ResponseVerdict.SecurityRejected, "19022", message + " (the egress IP is not in the bot's allowlist)"),
            19024 => new(ResponseVerdict.SecurityRejected, "19024", message + " (the bot's keyword is missing: set -Keyword)"),
            _ => new(ResponseVerdict.Rejected, code.ToString(), message),
        };
    }
}
