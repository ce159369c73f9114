using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DsOps.Emulator.Hosting;

/// <summary>DS's Jackson conventions: dates "yyyy-MM-dd HH:mm:ss" (UTC), enums by name, nulls written.</summary>
public static class DsJson
{
    public const string DateFormat = "yyyy-MM-dd HH:mm:ss";

    public static readonly JsonSerializerOptions Options = new() { WriteIndented = false };

    public static JsonNode? Date(DateTime? value) => value is null ? null : JsonValue.Create(value.Value.ToString(DateFormat, CultureInfo.InvariantCulture));

    public static string Format(DateTime value) => value.ToString(DateFormat, CultureInfo.InvariantCulture);

    public static bool TryParseDate(string? text, out DateTime value) =>
        DateTime.TryParseExact(text?.Trim(), DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);

    /// <summary>Parses a stored JSON text column into a node (DS echoes taskParams etc. as objects); bad JSON stays a string.</summary>
    public static JsonNode? Raw(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        try { return JsonNode.Parse(text); }
        catch (JsonException) { return JsonValue.Create(text); }
    }

    public static JsonObject Envelope(int code, string msg, JsonNode? data) => new()
    {
        ["code"] = code, ["msg"] = msg, ["data"] = data, ["success"] = code == 0, ["failed"] = code != 0,
    };
}
