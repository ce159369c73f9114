using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DsOps.Engine.Planning;

/// <summary>
/// Hides values that look like secrets before a spec value is shown in a plan, an error or a log:
/// parameters and taskParams keys named like password / token / secret / key / credential, and
/// HTTP task parameters (headers) with such names or an Authorization header.
/// </summary>
public static partial class SecretRedactor
{
    public const string Mask = "***";

    [GeneratedRegex("(pass(word|wd)?|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|authorization|auth)", RegexOptions.IgnoreCase)]
    private static partial Regex SensitiveName();

    public static bool IsSensitive(string name) => SensitiveName().IsMatch(name);

    public static string RedactValue(string name, string value) => value.Length > 0 && IsSensitive(name) ? Mask : value;

    public static string RedactJson(string json)
    {
        JsonNode? node;
        try { node = JsonNode.Parse(json); }
        catch (JsonException) { return json; }
        Walk(node);
        return node?.ToJsonString() ?? "null";
    }

    private static void Walk(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                // {"prop": "Authorization", "value": "..."} items of httpParams / localParams
                if (o["prop"] is JsonValue pv && pv.GetValueKind() == JsonValueKind.String && IsSensitive(pv.GetValue<string>()) && o.ContainsKey("value"))
                    o["value"] = Mask;
                foreach (var key in o.Select(p => p.Key).ToList())
                {
                    if (IsSensitive(key) && o[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String) o[key] = Mask;
                    else Walk(o[key]);
                }
                break;
            case JsonArray a:
                foreach (var i in a) Walk(i);
                break;
        }
    }
}
