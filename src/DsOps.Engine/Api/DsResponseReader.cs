using System.Net;
using System.Text;
using System.Text.Json;
using DsOps.Engine.Dialects;

namespace DsOps.Engine.Api;

/// <summary>
/// Turns every DS HTTP answer into data or a <see cref="DsApiException"/>, the same way for all endpoints:
/// the <c>{code,msg,data,success,failed}</c> envelope, HTTP 401 with an empty body, HTTP 200 with the UI's
/// HTML for unmapped paths (docs/ds-facts.md §0, §2.1), 429, 5xx and non-JSON answers.
/// </summary>
internal static class DsResponseReader
{
    // DS codes that mean "the thing you named does not exist" (docs/ds-facts.md §2.3).
    private static readonly HashSet<int> NotFoundCodes = new() { 10008, 10018, 10022, 10190, 20004, 50001, 50003, 70015, 10017 };
    private static readonly HashSet<int> PermissionCodes = new() { 30001, 30002 };
    private static readonly HashSet<int> AuthenticationCodes = new() { 10013, 10014, 10043, 10148, 10004 };

    /// <summary>Reads the envelope and returns a parsed document positioned on <c>data</c>; caller disposes.</summary>
    public static async Task<DsEnvelope> ReadEnvelopeAsync(HttpResponseMessage response, string endpoint, DsDialect dialect, CancellationToken ct)
    {
        using (response)
        {
            ThrowForStatus(response, endpoint);
            JsonDocument doc;
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            if (mediaType is not null && mediaType.Contains("json", StringComparison.OrdinalIgnoreCase))
            {
                // Large answers (e.g. every DAG of a project) are parsed straight from the stream into pooled buffers.
                await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
                try
                {
                    doc = await JsonDocument.ParseAsync(stream, default, ct).ConfigureAwait(false);
                }
                catch (JsonException ex)
                {
                    throw new DsApiException(DsErrorKind.InvalidResponse, "DsInvalidResponse",
                        $"{endpoint} answered with malformed JSON: {ex.Message}", endpoint, response.StatusCode, inner: ex);
                }
            }
            else
            {
                var bytes = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
                if (LooksLikeHtml(response, bytes))
                    throw EndpointMissing(endpoint, dialect);
                try
                {
                    doc = JsonDocument.Parse(bytes);
                }
                catch (JsonException ex)
                {
                    throw new DsApiException(DsErrorKind.InvalidResponse, "DsInvalidResponse",
                        $"{endpoint} answered with content that is not JSON ({Snippet(bytes)}).", endpoint, response.StatusCode, inner: ex);
                }
            }
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("code", out var codeEl) || !TryReadCode(codeEl, out var code))
            {
                // Every route DsOps calls answers DS's Result envelope (batch-export's bare array is never requested).
                // JSON without it comes from something else: a proxy, another web application, a wrong base URI.
                doc.Dispose();
                throw NotAnEnvelope(endpoint, response.StatusCode);
            }
            if (code != 0)
            {
                var msg = root.TryGetProperty("msg", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                doc.Dispose();
                throw BusinessError(code, msg, endpoint, dialect, response.StatusCode);
            }
            var data = root.TryGetProperty("data", out var d) ? d : default;
            return new DsEnvelope(doc, data);
        }
    }

    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, string endpoint, DsDialect dialect, CancellationToken ct)
    {
        using var envelope = await ReadEnvelopeAsync(response, endpoint, dialect, ct).ConfigureAwait(false);
        if (envelope.Data.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) return default!;
        try
        {
            return envelope.Data.Deserialize<T>(DsJson.Options)!;
        }
        catch (JsonException ex)
        {
            throw new DsApiException(DsErrorKind.InvalidResponse, "DsInvalidResponse",
                $"{endpoint} answered with data DsOps cannot read as {typeof(T).Name}: {ex.Message}", endpoint, inner: ex);
        }
    }

    private static bool TryReadCode(JsonElement element, out int code)
    {
        code = 0;
        return element.ValueKind switch
        {
            JsonValueKind.Number => element.TryGetInt32(out code),
            JsonValueKind.String => int.TryParse(element.GetString(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out code),
            _ => false,
        };
    }

    /// <summary>JSON that is not DS's <c>{code,msg,data}</c> envelope.</summary>
    internal static DsApiException NotAnEnvelope(string endpoint, HttpStatusCode status) => new(
        DsErrorKind.InvalidResponse, "DsInvalidResponse",
        $"{endpoint} answered JSON that is not a DolphinScheduler answer (no numeric 'code' field): the address may belong to " +
        "another application or a proxy. Check the server URI (it should end in /dolphinscheduler).", endpoint, status);

    /// <summary>
    /// A list in an answer holds null (or a non-object) where DS always sends objects, e.g. <c>[null, {...}]</c>. DsOps
    /// refuses the whole answer rather than skipping the item: a plan built from a list with a hole would create a
    /// duplicate of the workflow that was left out.
    /// </summary>
    internal static DsApiException NullListItem(string endpoint, string what, int index) => new(
        DsErrorKind.InvalidResponse, "DsInvalidResponse",
        $"{endpoint} answered a list of {what} whose item {index + 1} is null or not an object; DS never sends that " +
        "(a proxy or a damaged server may). Nothing from this answer was used.", endpoint, HttpStatusCode.OK);

    /// <summary>Checks that every item of a JSON array is an object (see <see cref="NullListItem"/>).</summary>
    internal static void RequireObjectItems(JsonElement array, string endpoint, string what)
    {
        if (array.ValueKind != JsonValueKind.Array) return;
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object) throw NullListItem(endpoint, what, i);
            i++;
        }
    }

    internal static DsApiException BusinessError(int code, string? msg, string endpoint, DsDialect dialect, HttpStatusCode status)
    {
        var name = DsStatusCatalog.NameOf(code, dialect);
        var kind = NotFoundCodes.Contains(code) ? DsErrorKind.NotFound
            : PermissionCodes.Contains(code) ? DsErrorKind.Permission
            : AuthenticationCodes.Contains(code) ? DsErrorKind.Authentication
            : DsErrorKind.Business;
        var id = kind switch
        {
            DsErrorKind.NotFound => "DsObjectNotFound",
            DsErrorKind.Permission => "DsPermissionDenied",
            DsErrorKind.Authentication => "DsAuthenticationFailed",
            _ => "DsApiError",
        };
        var text = $"DS error {code}{(name is null ? "" : " " + name)} on {endpoint}: {msg ?? "(no message)"}";
        return new DsApiException(kind, id, text, endpoint, status, code, name, msg);
    }

    private static void ThrowForStatus(HttpResponseMessage response, string endpoint)
    {
        var status = response.StatusCode;
        if ((int)status is >= 300 and < 400)
        {
            var location = response.Headers.Location is { IsAbsoluteUri: true } l ? l.GetLeftPart(UriPartial.Path) : response.Headers.Location?.ToString();
            throw new DsApiException(DsErrorKind.InvalidResponse, "DsRedirected",
                $"The DS server answered {endpoint} with a redirect (HTTP {(int)status}) to {location ?? "(no location)"}. DsOps does not follow " +
                "redirects, so credentials are never sent elsewhere: connect to the final address with Connect-DsServer -Uri.", endpoint, status);
        }
        if (status == HttpStatusCode.Unauthorized)
            throw new DsApiException(DsErrorKind.Authentication, "DsAuthenticationFailed",
                $"The DS server refused {endpoint} with HTTP 401: the token or session is missing, wrong, expired, or the user is disabled. Connect again with Connect-DsServer.",
                endpoint, status);
        if (status == HttpStatusCode.Forbidden)
            throw new DsApiException(DsErrorKind.Permission, "DsPermissionDenied", $"The DS server refused {endpoint} with HTTP 403.", endpoint, status);
        if (status == HttpStatusCode.TooManyRequests)
            throw new DsApiException(DsErrorKind.RateLimited, "DsRateLimited",
                $"The DS server's traffic control refused {endpoint} with HTTP 429{RetryNote(response)}.", endpoint, status);
        if (status == HttpStatusCode.NotFound)
            throw new DsApiException(DsErrorKind.EndpointMissing, "DsEndpointMissing", $"{endpoint} answered HTTP 404: check the server URI (it should end in /dolphinscheduler).", endpoint, status);
        if ((int)status >= 500)
            throw new DsApiException(DsErrorKind.Unavailable, "DsServerUnavailable",
                $"The DS server answered {endpoint} with HTTP {(int)status} {response.ReasonPhrase}{RetryNote(response)}.", endpoint, status);
        if ((int)status >= 400)
            throw new DsApiException(DsErrorKind.InvalidResponse, "DsHttpError", $"The DS server answered {endpoint} with HTTP {(int)status} {response.ReasonPhrase}.", endpoint, status);
    }

    /// <summary>Says how often the call was tried; "retries exhausted" only when there were retries.</summary>
    private static string RetryNote(HttpResponseMessage response)
    {
        var attempts = DsHttpPipeline.AttemptsOf(response.RequestMessage);
        if (attempts > 1) return $" after {attempts} attempts (retries exhausted)";
        if (response.RequestMessage is { } request && !DsHttpPipeline.IsRead(request) && response.StatusCode != HttpStatusCode.TooManyRequests)
            return " (a write is not retried: DS may have carried it out; the next sync reads the server again)";
        return "";
    }

    private static DsApiException EndpointMissing(string endpoint, DsDialect dialect) => new(
        DsErrorKind.EndpointMissing, "DsEndpointMissing",
        $"{endpoint} does not exist on this DS server: it answered with its web UI's HTML page, which is how DS answers unmapped paths. " +
        $"The connection is using the {dialect} route profile; if that is wrong, reconnect with Connect-DsServer -Version.",
        endpoint, HttpStatusCode.OK);

    private static bool LooksLikeHtml(HttpResponseMessage response, byte[] body)
    {
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType is not null && mediaType.Contains("html", StringComparison.OrdinalIgnoreCase)) return true;
        foreach (var b in body)
        {
            if (b is (byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t' or 0xEF or 0xBB or 0xBF) continue;
            return b == (byte)'<';
        }
        return false;
    }

    private static string Snippet(byte[] body)
    {
        var s = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 80)).ReplaceLineEndings(" ");
        return body.Length == 0 ? "empty body" : $"starts with \"{s}\"";
    }
}

/// <summary>A parsed envelope; <see cref="Data"/> is valid until disposed (no copy of a large answer is made).</summary>
internal sealed class DsEnvelope : IDisposable
{
    private readonly JsonDocument _doc;

    internal DsEnvelope(JsonDocument doc, JsonElement data)
    {
        _doc = doc;
        Data = data;
    }

    public JsonElement Data { get; }

    public void Dispose() => _doc.Dispose();
}
