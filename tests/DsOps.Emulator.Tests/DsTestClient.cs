using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using MySqlConnector;

namespace DsOps.Emulator.Tests;

/// <summary>A plain HTTP client for the emulator's API (form/query parameters, token header) and its metadata DB.</summary>
public sealed class DsTestClient : IDisposable
{
    private readonly HttpClient _http;

    public DsTestClient(DsEmulator emu, string? token = null, bool withToken = true)
    {
        Emulator = emu;
        _http = new HttpClient { BaseAddress = emu.BaseUri, Timeout = TimeSpan.FromSeconds(60) };
        if (withToken) _http.DefaultRequestHeaders.Add("token", token ?? emu.AdminToken);
    }

    public DsEmulator Emulator { get; }
    public HttpClient Http => _http;
    public Engine.Dialects.DsDialect Dialect => Emulator.Dialect;

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? form = null)
    {
        var req = new HttpRequestMessage(method, path);
        var pairs = ToPairs(form);
        if (method == HttpMethod.Get || method == HttpMethod.Delete)
        {
            if (pairs.Count > 0) req.RequestUri = new Uri(path + "?" + string.Join("&", pairs.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value))), UriKind.Relative);
        }
        else req.Content = new FormUrlEncodedContent(pairs);
        return await _http.SendAsync(req).ConfigureAwait(false);
    }

    public async Task<JsonObject> CallAsync(HttpMethod method, string path, object? form = null)
    {
        using var res = await SendAsync(method, path, form).ConfigureAwait(false);
        var text = await res.Content.ReadAsStringAsync().ConfigureAwait(false);
        Assert.True(res.StatusCode == HttpStatusCode.OK, $"{method} {path}: HTTP {(int)res.StatusCode} {text}");
        Assert.StartsWith("application/json", res.Content.Headers.ContentType?.MediaType ?? "");
        return JsonNode.Parse(text)!.AsObject();
    }

    public Task<JsonObject> GetAsync(string path, object? query = null) => CallAsync(HttpMethod.Get, path, query);
    public Task<JsonObject> PostAsync(string path, object? form = null) => CallAsync(HttpMethod.Post, path, form);
    public Task<JsonObject> PutAsync(string path, object? form = null) => CallAsync(HttpMethod.Put, path, form);
    public Task<JsonObject> DeleteAsync(string path, object? query = null) => CallAsync(HttpMethod.Delete, path, query);

    /// <summary>Asserts a success envelope and returns its data.</summary>
    public static JsonNode? Ok(JsonObject envelope)
    {
        Assert.True(envelope["code"]!.GetValue<int>() == 0, "expected success, got " + envelope.ToJsonString());
        Assert.True(envelope["success"]!.GetValue<bool>());
        Assert.False(envelope["failed"]!.GetValue<bool>());
        return envelope["data"];
    }

    public static void Code(int expected, JsonObject envelope)
    {
        Assert.True(envelope["code"]!.GetValue<int>() == expected, $"expected code {expected}, got {envelope.ToJsonString()}");
        Assert.False(envelope["success"]!.GetValue<bool>());
        Assert.True(envelope["failed"]!.GetValue<bool>());
    }

    private static List<KeyValuePair<string, string>> ToPairs(object? form)
    {
        var list = new List<KeyValuePair<string, string>>();
        if (form is null) return list;
        if (form is IEnumerable<KeyValuePair<string, string>> kvs) { list.AddRange(kvs); return list; }
        foreach (var p in form.GetType().GetProperties())
            if (p.GetValue(form) is { } v) list.Add(new(p.Name, Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)!));
        return list;
    }

    // ---- metadata DB ----

    public async Task<long> ScalarAsync(string sql, params (string Name, object Value)[] args)
    {
        await using var conn = new MySqlConnection(Emulator.ConnectionString);
        await conn.OpenAsync().ConfigureAwait(false);
        await using var cmd = new MySqlCommand(sql, conn);
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue("@" + n, v);
        var r = await cmd.ExecuteScalarAsync().ConfigureAwait(false);
        return r is null or DBNull ? 0 : Convert.ToInt64(r);
    }

    public async Task<List<Dictionary<string, object?>>> RowsAsync(string sql, params (string Name, object Value)[] args)
    {
        await using var conn = new MySqlConnection(Emulator.ConnectionString);
        await conn.OpenAsync().ConfigureAwait(false);
        await using var cmd = new MySqlCommand(sql, conn);
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue("@" + n, v);
        await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
        var rows = new List<Dictionary<string, object?>>();
        while (await r.ReadAsync().ConfigureAwait(false))
        {
            var row = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < r.FieldCount; i++) row[r.GetName(i)] = r.IsDBNull(i) ? null : r.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>Table name in this dialect's schema (3.3 renamed t_ds_process_* to t_ds_workflow_*).</summary>
    public string T(string name) => Dialect.UsesWorkflowNaming ? Storage.MetadataDb.ToWorkflowNaming(name) : name;

    public void Dispose() => _http.Dispose();
}
