using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace DsOps.Engine.Notifications.Channels;

/// <summary>
/// WeCom group robot (docs/chat-robots.md §2): no signing or keyword mode; markdown content ≤ 4096 bytes and text
/// ≤ 2048 (budgets 4000/2000, §7.4). Markdown cannot mention by phone number, so mentions travel in an
/// extra text message after the parts.
/// </summary>
internal sealed class WeComNotifier : NotifierBase
{
    public override NotificationChannel Channel => NotificationChannel.WeCom;
    public override IReadOnlyList<RateRule> RateRules { get; } = [new RateRule(20, TimeSpan.FromMinutes(1))];
    public override bool SupportsMobileMentions => true;
    public override bool SupportsAtAll => true;

    protected override int Limit(NotificationFormat format) => format == NotificationFormat.Markdown ? 4_000 : 2_000;
    protected override bool LimitCoversWholeBody => false;

    private static string Content(PartContext p) => p.Message.Format == NotificationFormat.Markdown
        ? $"**{p.Title}**\n{p.Chunk}"
        : $"{p.Title}\n{p.Chunk}";

    protected override string LimitedContent(PartContext p) => Content(p);

    protected override JsonObject Payload(PartContext p)
    {
        if (p.Message.Format == NotificationFormat.Markdown)
            return new JsonObject { ["msgtype"] = "markdown", ["markdown"] = new JsonObject { ["content"] = Content(p) } };
        var text = new JsonObject { ["content"] = Content(p) };
        var mentions = Mentions(p.AtMobiles, p.AtAll);
        if (mentions.Count > 0) text["mentioned_mobile_list"] = Array(mentions);
        if (p.AtUserIds.Count > 0) text["mentioned_list"] = Array(p.AtUserIds);
        return new JsonObject { ["msgtype"] = "text", ["text"] = text };
    }

    protected override IEnumerable<JsonObject> ExtraPayloads(NotificationTarget target, NotificationMessage message, string title)
    {
        if (message.Format != NotificationFormat.Markdown) yield break;
        var mentions = Mentions(message.AtMobiles.Concat(target.AtMobiles).Distinct().ToList(), message.AtAll || target.AtAll);
        var users = message.AtUserIds.Concat(target.AtUserIds).Distinct().ToList();
        if (mentions.Count == 0 && users.Count == 0) yield break;
        var text = new JsonObject { ["content"] = title };
        if (mentions.Count > 0) text["mentioned_mobile_list"] = Array(mentions);
        if (users.Count > 0) text["mentioned_list"] = Array(users);
        yield return new JsonObject { ["msgtype"] = "text", ["text"] = text };
    }

    private static List<string> Mentions(IReadOnlyList<string> mobiles, bool all) =>
        all ? mobiles.Append("@all").ToList() : mobiles.ToList();

    public override ResponseReading Read(HttpStatusCode status, string body, HttpResponseHeaders headers)
    {
        if (ReadHttpStatus(status, body, headers) is { } http) return http;
        var code = BodyCode(body, "errcode");
        if (code is null) return new(ResponseVerdict.InvalidResponse, null, Snippet(body));
        var message = BodyString(body, "errmsg");
        return code switch
        {
            0 => new(ResponseVerdict.Success, "0"),
            -1 => new(ResponseVerdict.Transient, "-1", message),
            45009 => new(ResponseVerdict.RateLimited, "45009", message, TimeSpan.FromSeconds(60)),
            93000 => new(ResponseVerdict.WebhookInvalid, "93000", message),
            40058 => new(ResponseVerdict.TooLarge, "40058", message),
            _ => new(ResponseVerdict.Rejected, code.ToString(), message),
        };
    }
}
