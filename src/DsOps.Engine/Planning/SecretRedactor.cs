using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DsOps.Engine.Planning;

/// <summary>
/// Hides values that look like secrets before a spec value is shown in a plan, an error or a log:
/// parameters and taskParams keys named like password / token / secret / key / credential, and
/// HTTP task parameters (headers) with such names or an Authorization header.
/// </summary>
internal static partial class SecretRedactor
{
    public const string Mask = "***";

    [GeneratedRegex("(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|authorization|(^|[_.-])(pass|auth)($|[_.-]))", RegexOptions.IgnoreCase)]
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

/// <summary>
/// Before specs are written to files (export), replaces secret-looking values with
/// <c>${env:NAME}</c> placeholders so no secret lands in Git; loading the files with those
/// variables set gives back the same specs (round trip).
/// </summary>
public static class SecretExternalizer
{
    public static (Specs.Model.WorkflowSpec Spec, IReadOnlyList<string> Variables) Externalize(Specs.Model.WorkflowSpec w)
    {
        var vars = new List<string>();
        string Var(params string[] parts)
        {
            var name = "DSOPS_SECRET_" + string.Join("_", parts.Select(p => new string(p.ToUpperInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray())));
            if (!vars.Contains(name)) vars.Add(name);
            return "${env:" + name + "}";
        }
        System.Collections.Immutable.ImmutableArray<Specs.Model.ParameterSpec> Params(System.Collections.Immutable.ImmutableArray<Specs.Model.ParameterSpec> ps, string owner) =>
            ps.Select(p => p.Value.Length > 0 && SecretRedactor.IsSensitive(p.Name) ? p with { Value = Var(w.Name, owner, p.Name) } : p).ToImmutableArray();

        var tasks = w.Tasks.Select(t =>
        {
            var json = System.Text.Json.Nodes.JsonNode.Parse(t.Params);
            var changed = false;
            void Walk(System.Text.Json.Nodes.JsonNode? node)
            {
                switch (node)
                {
                    case System.Text.Json.Nodes.JsonObject o:
                        if (o["prop"] is System.Text.Json.Nodes.JsonValue pv && pv.GetValueKind() == System.Text.Json.JsonValueKind.String &&
                            SecretRedactor.IsSensitive(pv.GetValue<string>()) && o["value"] is System.Text.Json.Nodes.JsonValue vv && vv.GetValueKind() == System.Text.Json.JsonValueKind.String && vv.GetValue<string>().Length > 0)
                        {
                            o["value"] = Var(w.Name, t.Name, pv.GetValue<string>());
                            changed = true;
                        }
                        foreach (var key in o.Select(p => p.Key).ToList())
                        {
                            if (SecretRedactor.IsSensitive(key) && o[key] is System.Text.Json.Nodes.JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String && v.GetValue<string>().Length > 0)
                            {
                                o[key] = Var(w.Name, t.Name, key);
                                changed = true;
                            }
                            else Walk(o[key]);
                        }
                        break;
                    case System.Text.Json.Nodes.JsonArray a:
                        foreach (var i in a) Walk(i);
                        break;
                }
            }
            Walk(json);
            return t with { Parameters = Params(t.Parameters, t.Name), Params = changed ? json!.ToJsonString() : t.Params };
        }).ToImmutableArray();
        return (w with { Parameters = Params(w.Parameters, "global"), Tasks = tasks }, vars);
    }
}
