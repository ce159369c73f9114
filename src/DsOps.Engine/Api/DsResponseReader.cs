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
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("code", out var codeEl))
            {
                // batch-export answers a raw JSON array without an envelope (docs/ds-facts.md §3.2).
                return new DsEnvelope(doc, root);
            }
            var code = codeEl.ValueKind == JsonValueKind.Number ? codeEl.GetInt32() : int.Parse(codeEl.GetString() ?? "-1", System.Globalization.CultureInfo.InvariantCulture);
            if (code != 0)
            {
                var msg = root.TryGetProperty("msg", out var m) ? m.GetString() : null;
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
                $"The DS server's traffic control refused {endpoint} with HTTP 429 (retries exhausted).", endpoint, status);
        if (status == HttpStatusCode.NotFound)
            throw new DsApiException(DsErrorKind.EndpointMissing, "DsEndpointMissing", $"{endpoint} answered HTTP 404: check the server URI (it should end in /dolphinscheduler).", endpoint, status);
        if ((int)status >= 500)
            throw new DsApiException(DsErrorKind.Unavailable, "DsServerUnavailable",
                $"The DS server answered {endpoint} with HTTP {(int)status} {response.ReasonPhrase} (retries exhausted).", endpoint, status);
        if ((int)status >= 400)
            throw new DsApiException(DsErrorKind.InvalidResponse, "DsHttpError", $"The DS server answered {endpoint} with HTTP {(int)status} {response.ReasonPhrase}.", endpoint, status);
    }

    private static DsApiException EndpointMissing(string endpoint, DsDialect dialect) => new(
        DsErrorKind.EndpointMissing, "DsEndpointMissing",
        $"{endpoint} does not exist on this DS server: it answered with its web UI's HTML page, which is how DS answers unmapped paths. " +
        $"The connection is using the {dialect} route profile; if that is wrong, reconnect with Connect-DsServer -DsVersion.",
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
