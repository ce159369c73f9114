using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using DsOps.Engine.Api.Dto;
using DsOps.Engine.Planning;

namespace DsOps.Engine.Api;

/// <summary>A data source's comparable settings: its connection JSON without any secret (cluster comparison).</summary>
internal sealed record DsDataSourceSettings(string Name, string? Type, string? Note, IReadOnlyDictionary<string, string> Settings);

internal sealed partial class DsClient
{
    /// <summary>
    /// Every data source with its connection settings (host, port, database, user, other...). Keys whose name looks
    /// secret (password, key, token... SecretRedactor) are dropped, never returned; jdbcUrl is dropped as it is
    /// derived from address and database.
    /// </summary>
    public async IAsyncEnumerable<DsDataSourceSettings> GetDataSourceSettingsAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var d in PagedAsync<DataSourceDto>("GET datasources", (api, n, s, t) => api.ListDataSources(n, s, null, t), ct).ConfigureAwait(false))
        {
            var settings = new SortedDictionary<string, string>(StringComparer.Ordinal);
            var node = d.ConnectionParams.ValueKind switch
            {
                JsonValueKind.String => TryParse(d.ConnectionParams.GetString()),
                JsonValueKind.Object => JsonNode.Parse(d.ConnectionParams.GetRawText()),
                _ => null,
            };
            if (node is JsonObject o)
                foreach (var (key, value) in o)
                {
                    if (key == "jdbcUrl" || SecretRedactor.IsSensitive(key) || value is null) continue;
                    settings[key] = value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : SecretRedactor.RedactJson(value.ToJsonString());
                }
            var type = d.Type.ValueKind == JsonValueKind.String ? d.Type.GetString() : d.Type.ValueKind == JsonValueKind.Number ? d.Type.GetRawText() : null;
            yield return new DsDataSourceSettings(d.Name ?? "", type, d.Note, settings);
        }
    }

    private static JsonNode? TryParse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        try { return JsonNode.Parse(text); }
        catch (JsonException) { return null; }
    }
}
