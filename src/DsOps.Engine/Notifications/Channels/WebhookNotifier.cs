using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace DsOps.Engine.Notifications.Channels;

/// <summary>
/// DsOps's generic webhook (docs/chat-robots.md §5.1): a stable JSON envelope, optionally signed with
/// X-DsOps-Timestamp / X-DsOps-Signature headers. Success is any 2xx; 408, 429, 5xx are retried.
/// </summary>
internal sealed class WebhookNotifier : NotifierBase
{
    public const string TimestampHeader = "X-DsOps-Timestamp";
    public const string SignatureHeader = "X-DsOps-Signature";

    public override NotificationChannel Channel => NotificationChannel.Webhook;
    public override IReadOnlyList<RateRule> RateRules { get; } = [];
    public override bool SupportsMobileMentions => true;
    public override bool SupportsAtAll => true;

    // A generous cap: receivers are ours, but a runaway report should still be split rather than sent whole.
    protected override int Limit(NotificationFormat format) => 1_000_000;

    protected override JsonObject Payload(PartContext p) => new()
    {
        ["schemaVersion"] = 1,
        ["kind"] = p.Message.Kind,
        ["messageId"] = p.Message.MessageId,
        ["title"] = p.Title,
        ["format"] = p.Message.Format == NotificationFormat.Markdown ? "markdown" : "text",
        ["body"] = p.Chunk,
        ["atMobiles"] = Array(p.AtMobiles),
        ["atUserIds"] = Array(p.AtUserIds),
        ["atAll"] = p.AtAll,
        ["generatedAt"] = p.Now.ToString("o", CultureInfo.InvariantCulture),
    };

    public override HttpRequestMessage CreateRequest(NotificationTarget target, NotificationPart part, DateTimeOffset now)
    {
        // Part numbers are added here, not in Payload, so the size probe stays independent of them.
        var body = JsonNode.Parse(part.Json)!.AsObject();
        body["part"] = part.Index;
        body["parts"] = part.Count;
        var json = body.ToJsonString(Json);
        var request = new HttpRequestMessage(HttpMethod.Post, target.WebhookUri) { Content = JsonContent(json) };
        if (target.Secret is not null)
        {
            var ts = Seconds(now);
            request.Headers.Add(TimestampHeader, ts);
            request.Headers.Add(SignatureHeader, Signing.Webhook(ts, json, target.Secret));
        }
        return request;
    }

    public override ResponseReading Read(HttpStatusCode status, string body, HttpResponseHeaders headers) =>
        ReadHttpStatus(status, body, headers) ?? new(ResponseVerdict.Success, ((int)status).ToString(CultureInfo.InvariantCulture));
}
