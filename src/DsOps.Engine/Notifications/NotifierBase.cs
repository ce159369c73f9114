using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DsOps.Engine.Notifications;

/// <summary>
/// The shared rendering recipe: title (+ keyword), split the body under the channel's budget, number the
/// parts "(k/n)", keyword in every part, mentions only in the first. Channels supply the payload shape,
/// the size rule, the signature and the response codes.
/// </summary>
internal abstract class NotifierBase : INotifier
{
    protected static readonly JsonSerializerOptions Json = new() { Encoder = SizeMeasure.JsonEncoder };

    public abstract NotificationChannel Channel { get; }
    public abstract IReadOnlyList<RateRule> RateRules { get; }
    public virtual bool SupportsMobileMentions => false;
    public virtual bool SupportsAtAll => false;

    /// <summary>The size limit (with a safety margin) the channel enforces.</summary>
    protected abstract int Limit(NotificationFormat format);

    /// <summary>How body text is counted against <see cref="Limit"/>.</summary>
    protected virtual SizeMeasure Measure(NotificationFormat format) => SizeMeasure.JsonString;

    /// <summary>True when the limit is on the whole serialized body, false when it is on the content field only.</summary>
    protected virtual bool LimitCoversWholeBody => true;

    /// <summary>Bytes a per-attempt signature adds to the body (Feishu signs inside the JSON).</summary>
    protected virtual int SigningReserve => 0;

    /// <summary>Builds the payload of one part; <paramref name="content"/> is the already split body chunk.</summary>
    protected abstract JsonObject Payload(PartContext part);

    /// <summary>The content the size rule applies to when <see cref="LimitCoversWholeBody"/> is false.</summary>
    protected virtual string LimitedContent(PartContext part) => part.Chunk;

    /// <summary>Extra parts (e.g. a WeCom text message carrying mentions markdown cannot carry).</summary>
    protected virtual IEnumerable<JsonObject> ExtraPayloads(NotificationTarget target, NotificationMessage message, string title) => [];

    public virtual IReadOnlyList<NotificationPart> Render(NotificationTarget target, NotificationMessage message, DateTimeOffset now)
    {
        var format = message.Format;
        var title = TitleOf(target, message);
        var mobiles = SupportsMobileMentions ? message.AtMobiles.Concat(target.AtMobiles).Distinct().ToArray() : [];
        var users = message.AtUserIds.Concat(target.AtUserIds).Distinct().ToArray();
        foreach (var u in users)
            if (!IsPlainId(u))
                throw new DsOpsException(DsErrorKind.InvalidInput, "DsNotifyInvalidUserId",
                    $"-AtUserId: '{u}' is not a user id (letters, digits and _ . @ : - only).");
        var atAll = SupportsAtAll && (message.AtAll || target.AtAll);
        var measure = Measure(format);

        // Worst-case overhead: the longest title marker, first-part mentions, empty body.
        var probe = new PartContext(target, message, title + " (99/99)", "", true, mobiles, users, atAll, now);
        var overhead = LimitCoversWholeBody ? Encoding.UTF8.GetByteCount(Payload(probe).ToJsonString(Json)) + SigningReserve
                                            : measure.Of(LimitedContent(probe));
        var limit = Limit(format);
        var budget = limit - overhead;
        if (budget < 200)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsNotifyTooLarge",
                $"The title, keyword and mentions alone use {overhead} of the {limit} {Channel} allows; shorten them.");

        var chunks = MessageSplitter.Split(BodyWithoutTitle(message), budget, measure);
        var parts = new List<NotificationPart>();
        var extras = ExtraPayloads(target, message, title).ToList();
        var count = chunks.Count + extras.Count;
        for (var i = 0; i < chunks.Count; i++)
        {
            // Only the content parts are numbered; an extra message (e.g. mentions) is not a part of the text.
            var partTitle = chunks.Count > 1 ? $"{title} ({i + 1}/{chunks.Count})" : title;
            var ctx = new PartContext(target, message, partTitle, chunks[i], i == 0, i == 0 ? mobiles : [], i == 0 ? users : [], i == 0 && atAll, now);
            var json = Payload(ctx).ToJsonString(Json);
            var size = LimitCoversWholeBody ? Encoding.UTF8.GetByteCount(json) + SigningReserve : measure.Of(LimitedContent(ctx));
            if (size > limit)   // the splitter's arithmetic guarantees this; checked so a bug cannot send an oversized body
                throw new InvalidOperationException($"Part {i + 1} of {count} is {size} over the {Channel} limit {limit}.");
            parts.Add(new NotificationPart(i + 1, count, json));
        }
        for (var j = 0; j < extras.Count; j++)
            parts.Add(new NotificationPart(chunks.Count + j + 1, count, extras[j].ToJsonString(Json)));
        return parts;
    }

    public virtual HttpRequestMessage CreateRequest(NotificationTarget target, NotificationPart part, DateTimeOffset now) =>
        new(HttpMethod.Post, target.WebhookUri) { Content = JsonContent(part.Json) };

    public abstract ResponseReading Read(HttpStatusCode status, string body, HttpResponseHeaders headers);

    /// <summary>The title with the keyword added when missing (keyword mode checks every message).</summary>
    protected static string TitleOf(NotificationTarget target, NotificationMessage message)
    {
        var title = string.IsNullOrWhiteSpace(message.Title) ? "DsOps" : message.Title.Trim();
        if (!string.IsNullOrEmpty(target.Keyword) && !title.Contains(target.Keyword, StringComparison.Ordinal))
            title = $"{title} {target.Keyword}";
        return title;
    }

    /// <summary>
    /// The body without a first line that only repeats the message title (a report rendered for chat starts with
    /// its own "### title" heading): every channel already shows the title (with the keyword and "(k/n)").
    /// </summary>
    protected static string BodyWithoutTitle(NotificationMessage message)
    {
        var body = message.Body ?? "";
        var title = message.Title?.Trim();
        if (string.IsNullOrEmpty(title)) return body;
        var start = 0;
        while (start < body.Length && (body[start] == '\n' || body[start] == '\r')) start++;
        var end = body.IndexOf('\n', start);
        var first = (end < 0 ? body[start..] : body[start..end]).Trim();
        var bare = first.TrimStart('#').Trim().Trim('*').Trim().Replace("\\", "", StringComparison.Ordinal); // markdown escapes
        if (!string.Equals(bare, title, StringComparison.Ordinal)) return body;
        return end < 0 ? "" : body[(end + 1)..].TrimStart('\r', '\n');
    }

    /// <summary>Ids go into markup (&lt;at user_id="…"&gt;, &lt;@…&gt;), so only plain characters are allowed.</summary>
    protected static bool IsPlainId(string id) =>
        id.Length is > 0 and <= 128 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '@' or ':' or '-');

    /// <summary>UTF-8 JSON without BOM; charset stated explicitly (DingTalk requires UTF-8, docs/chat-robots.md §7.8).</summary>
    protected static StringContent JsonContent(string json)
    {
        var content = new StringContent(json, new UTF8Encoding(false));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    protected static JsonArray Array(IEnumerable<string> items) => new(items.Select(i => (JsonNode?)JsonValue.Create(i)).ToArray());

    /// <summary>HTTP-level judgement shared by every channel; null when the body decides.</summary>
    protected static ResponseReading? ReadHttpStatus(HttpStatusCode status, string body, HttpResponseHeaders headers)
    {
        var code = (int)status;
        if (code is >= 200 and < 300) return null;
        var detail = Snippet(body);
        if (code == 429) return new(ResponseVerdict.RateLimited, "HTTP 429", detail, RetryAfterOf(headers));
        if (code == 408 || code >= 500) return new(ResponseVerdict.Transient, $"HTTP {code}", detail);
        if (code is 401 or 403 or 404 or 410) return new(ResponseVerdict.WebhookInvalid, $"HTTP {code}", detail);
        if (code == 413) return new(ResponseVerdict.TooLarge, $"HTTP {code}", detail);
        return new(ResponseVerdict.Rejected, $"HTTP {code}", detail);
    }

    /// <summary>Reads an integer body code; null when the body is not JSON with that property.</summary>
    protected static long? BodyCode(string body, params string[] names)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return null;
            foreach (var name in names)
                if (doc.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n))
                    return n;
        }
        catch (JsonException) { }
        return null;
    }

    protected static string? BodyString(string body, params string[] names)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            foreach (var name in names)
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String)
                    return v.GetString();
        }
        catch (JsonException) { }
        return null;
    }

    /// <summary>The first ~200 characters of a body, for error messages (redacted by the sender).</summary>
    protected static string Snippet(string body)
    {
        var s = body.ReplaceLineEndings(" ").Trim();
        return s.Length <= 200 ? s : s[..200] + "…";
    }

    /// <summary>Retry-After (seconds or date) or Feishu's x-ogw-ratelimit-reset (seconds).</summary>
    protected static TimeSpan? RetryAfterOf(HttpResponseHeaders headers)
    {
        if (headers.RetryAfter?.Delta is { } delta) return delta;
        if (headers.RetryAfter?.Date is { } date) return date - DateTimeOffset.UtcNow;
        if (headers.TryGetValues("x-ogw-ratelimit-reset", out var values) &&
            int.TryParse(values.FirstOrDefault(), out var seconds)) return TimeSpan.FromSeconds(seconds);
        return null;
    }

    protected static string Millis(DateTimeOffset t) => t.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
    protected static string Seconds(DateTimeOffset t) => t.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Everything a channel needs to build one part's payload.</summary>
internal sealed record PartContext(NotificationTarget Target, NotificationMessage Message, string Title, string Chunk,
    bool IsFirst, IReadOnlyList<string> AtMobiles, IReadOnlyList<string> AtUserIds, bool AtAll, DateTimeOffset Now)
{
    /// <summary>" keyword" when the chunk lacks the target's keyword (and the title line is not part of the text).</summary>
    public string KeywordSuffix(string textSoFar) =>
        string.IsNullOrEmpty(Target.Keyword) || textSoFar.Contains(Target.Keyword, StringComparison.Ordinal) ? "" : "\n\n" + Target.Keyword;
}
