using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DsOps.Engine.Specs.Documents;

/// <summary>
/// Canonical JSON for raw taskParams: object keys sorted ordinally, compact, so equal content has
/// equal text (cheap comparison and hashing in the planner). Also converts between JSON and the
/// neutral <see cref="SpecNode"/> tree.
/// </summary>
internal static class CanonicalJson
{
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Canonicalize(JsonNode? node)
    {
        var sorted = Sort(node);
        var text = sorted is null ? "null" : sorted.ToJsonString(Compact);
        Remember(text);
        return text;
    }

    // Texts known to be canonical (bounded): the model re-normalizes params on every init, and most
    // specs repeat the same few params, so this saves a parse and sort per task.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> Known = new(StringComparer.Ordinal);

    private static void Remember(string text)
    {
        if (Known.Count >= 8192) Known.Clear();
        Known.TryAdd(text, 0);
    }

    /// <summary>Canonical form of a JSON text (cheap when the text is already known to be canonical).</summary>
    public static string CanonicalizeText(string json) => Known.ContainsKey(json) ? json : Canonicalize(Parse(json));

    public static string Canonicalize(JsonElement element) => Canonicalize(JsonNode.Parse(element.GetRawText()));

    public static JsonNode? Parse(string json) => JsonNode.Parse(json);

    private static JsonNode? Sort(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sort(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Sort).ToArray()),
        _ => node.DeepClone(),
    };

    /// <summary>YAML/plan tree to JSON: plain scalars become numbers/booleans/null when they look like them.</summary>
    public static JsonNode? FromSpecNode(SpecNode node) => node switch
    {
        SpecMapping m => new JsonObject(m.Entries.Select(e => KeyValuePair.Create(e.Key.Value!, FromSpecNode(e.Value)))),
        SpecSequence s => new JsonArray(s.Items.Select(FromSpecNode).ToArray()),
        SpecScalar { Value: null } => null,
        SpecScalar { IsPlain: true } sc => TypedScalar(sc.Value!),
        SpecScalar sc => JsonValue.Create(sc.Value),
        _ => null,
    };

    private static JsonNode? TypedScalar(string v)
    {
        if (v is "true" or "True" or "TRUE") return JsonValue.Create(true);
        if (v is "false" or "False" or "FALSE") return JsonValue.Create(false);
        if (long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return JsonValue.Create(l);
        if (v.Length > 0 && (char.IsDigit(v[0]) || v[0] is '-' or '+' or '.') &&
            double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)) return JsonValue.Create(d);
        return JsonValue.Create(v);
    }

    /// <summary>JSON to the neutral tree (strings become quoted scalars, other values plain).</summary>
    public static SpecNode ToSpecNode(JsonNode? node, Model.SourceLocation location = default) => node switch
    {
        null => new SpecScalar(null, true, location),
        JsonObject o => new SpecMapping(o.Select(p => KeyValuePair.Create(new SpecScalar(p.Key, false, location), ToSpecNode(p.Value, location))).ToList(), location),
        JsonArray a => new SpecSequence(a.Select(i => ToSpecNode(i, location)).ToList(), location),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => new SpecScalar(v.GetValue<string>(), false, location),
        JsonValue v => new SpecScalar(v.ToJsonString(), true, location),
        _ => new SpecScalar(null, true, location),
    };

    /// <summary>
    /// Refuses a JSON text in which an object names a key twice (DsSpecDuplicateKey, with line and column), as the
    /// YAML reader does: System.Text.Json would otherwise keep one of them silently.
    /// </summary>
    public static void RejectDuplicateKeys(string json, string? file)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 256 });
        var frames = new Stack<Dictionary<string, long>?>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject: frames.Push(new Dictionary<string, long>(StringComparer.Ordinal)); break;
                    case JsonTokenType.StartArray: frames.Push(null); break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray: frames.Pop(); break;
                    case JsonTokenType.PropertyName:
                        var keys = frames.Peek()!;
                        var key = reader.GetString()!;
                        if (!keys.TryAdd(key, reader.TokenStartIndex))
                        {
                            var (line, column) = LineOf(bytes, reader.TokenStartIndex);
                            var (firstLine, _) = LineOf(bytes, keys[key]);
                            throw new SpecLoadException("DsSpecDuplicateKey", new Model.SourceLocation(file, line, column),
                                $"key '{key}' appears twice in this object (first at line {firstLine}).");
                        }
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Syntax errors are reported by the parser that reads the document.
        }
    }

    private static (int Line, int Column) LineOf(byte[] bytes, long offset)
    {
        var line = 1;
        long start = 0;
        for (long i = 0; i < offset && i < bytes.Length; i++)
            if (bytes[i] == (byte)'\n') { line++; start = i + 1; }
        return (line, (int)(offset - start) + 1);
    }

    /// <summary>Reads a JSON document into the neutral tree (used for saved plans and JSON specs).</summary>
    public static SpecNode ReadSpecNode(string json, string? file)
    {
        RejectDuplicateKeys(json, file);
        try
        {
            return ToSpecNode(JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 64 }), new Model.SourceLocation(file));
        }
        catch (JsonException ex)
        {
            throw new SpecLoadException("DsSpecJsonSyntax", new Model.SourceLocation(file, (int)(ex.LineNumber ?? 0) + 1, (int)(ex.BytePositionInLine ?? 0) + 1), "JSON syntax error: " + ex.Message, ex);
        }
    }
}
