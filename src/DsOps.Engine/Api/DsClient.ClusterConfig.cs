using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using DsOps.Engine.Api.Dto;

namespace DsOps.Engine.Api;

// Generic calls used by cluster resources as config (Engine/Clusters): a path, a form or a body, DS's envelope read by
// the one response reader. The cluster engine knows the routes (and asks the dialect where they differ).
internal sealed partial class DsClient
{
    private static readonly IDictionary<string, string> NoQuery = new Dictionary<string, string>();

    internal Task<JsonElement> GetJsonAsync(string path, IDictionary<string, string>? query = null, CancellationToken ct = default) =>
        CallForJsonAsync("GET " + path, (api, t) => api.GetWithQuery(path, query ?? NoQuery, t), ct);

    /// <summary>Every item of a PageInfo route (pageNo/pageSize added to <paramref name="query"/>).</summary>
    internal async IAsyncEnumerable<JsonElement> GetPagedJsonAsync(string path, IDictionary<string, string>? query = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var item in DsPaging.AllAsync<JsonElement>(async (pageNo, pageSize, t) =>
                       {
                           var q = new Dictionary<string, string>(query ?? NoQuery)
                           {
                               ["pageNo"] = pageNo.ToString(System.Globalization.CultureInfo.InvariantCulture),
                               ["pageSize"] = pageSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
                           };
                           q.TryAdd("searchVal", "");
                           var page = await GetJsonAsync(path, q, t).ConfigureAwait(false);
                           if (page.ValueKind != JsonValueKind.Object) return null;
                           var list = page.TryGetProperty("totalList", out var l) && l.ValueKind == JsonValueKind.Array ? l.EnumerateArray().ToList() : new List<JsonElement>();
                           return new PageDto<JsonElement>
                           {
                               TotalList = list,
                               Total = page.TryGetProperty("total", out var n) && n.ValueKind == JsonValueKind.Number ? n.GetInt32() : list.Count,
                               TotalPage = page.TryGetProperty("totalPage", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt32() : 0,
                           };
                       }, DsPaging.DefaultPageSize, ct).ConfigureAwait(false))
            yield return item;
    }

    internal Task<JsonElement> PostFormAsync(string path, Dictionary<string, string> form, CancellationToken ct = default) =>
        CallForJsonAsync("POST " + path, (api, t) => api.PostForm(path, form, t), ct);

    internal Task<JsonElement> PutFormAsync(string path, Dictionary<string, string> form, CancellationToken ct = default) =>
        CallForJsonAsync("PUT " + path, (api, t) => api.PutForm(path, form, t), ct);

    /// <summary>A JSON body (data sources). The content is rebuilt per attempt, so a retried request sends it again.</summary>
    internal Task<JsonElement> SendJsonAsync(HttpMethod method, string path, string json, CancellationToken ct = default) =>
        CallForJsonAsync(method.Method + " " + path, (api, t) =>
        {
            var content = new StringContent(json, Encoding.UTF8, "application/json");
            return method == HttpMethod.Put ? api.PutContent(path, content, t) : api.PostContent(path, content, t);
        }, ct);

    /// <summary>A multipart form with one file part named "file" (resource center uploads).</summary>
    internal Task<JsonElement> SendFileAsync(HttpMethod method, string path, Dictionary<string, string> fields, string fileName, byte[] bytes, CancellationToken ct = default) =>
        CallForJsonAsync(method.Method + " " + path, (api, t) =>
        {
            var content = new MultipartFormDataContent();
            foreach (var (k, v) in fields) content.Add(new StringContent(v, Encoding.UTF8), k);
            var file = new ByteArrayContent(bytes);
            file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            content.Add(file, "file", fileName);
            return method == HttpMethod.Put ? api.PutContent(path, content, t) : api.PostContent(path, content, t);
        }, ct);

    internal Task<JsonElement> DeleteAsync(string path, IDictionary<string, string>? query = null, CancellationToken ct = default) =>
        CallForJsonAsync("DELETE " + path, (api, t) => api.DeleteWithQuery(path, query ?? NoQuery, t), ct);

    /// <summary>A file's bytes (GET …/download answers the file itself; a JSON answer is DS's error envelope).</summary>
    internal Task<byte[]> DownloadAsync(string path, IDictionary<string, string> query, CancellationToken ct = default)
    {
        var endpoint = "GET " + path;
        return ExchangeAsync(endpoint, (api, t) => api.GetWithQuery(path, query, t), async (response, t) =>
        {
            if (response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true)
            {
                using var envelope = await DsResponseReader.ReadEnvelopeAsync(response, endpoint, Dialect, t).ConfigureAwait(false);
                return Array.Empty<byte>();
            }
            if (!response.IsSuccessStatusCode) throw DsResponseReader.NotAnEnvelope(endpoint, response.StatusCode);
            return await response.Content.ReadAsByteArrayAsync(t).ConfigureAwait(false);
        }, ct);
    }
}
