using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DsOps.Engine.Api;

/// <summary>JSON conventions of the DS API: camelCase, enums by name, dates as "yyyy-MM-dd HH:mm:ss".</summary>
internal static class DsJson
{
    public const string DateFormat = "yyyy-MM-dd HH:mm:ss";

    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            NumberHandling = JsonNumberHandling.AllowReadingFromString,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        // Generated metadata first (fast first use); reflection for shapes added elsewhere.
        o.TypeInfoResolver = System.Text.Json.Serialization.Metadata.JsonTypeInfoResolver.Combine(
            Dto.DsJsonContext.Default, new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver());
        o.Converters.Add(new DsDateTimeConverter());
        // DS's Java beans use boxed Integer/Long for many fields and may send null: read null as 0/false.
        o.Converters.Add(new NullAsDefault<int>());
        o.Converters.Add(new NullAsDefault<long>());
        o.Converters.Add(new NullAsDefault<double>());
        o.Converters.Add(new NullAsDefault<bool>());
        o.Converters.Add(new JsonStringEnumConverter());
        o.Converters.Add(new NoNullItemsListConverterFactory());
        o.MakeReadOnly();
        return o;
    }

    public static string FormatDate(DateTime value) => value.ToString(DateFormat, CultureInfo.InvariantCulture);

    private sealed class NullAsDefault<T> : JsonConverter<T> where T : struct
    {
        public override bool HandleNull => true;

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null) return default;
            if (reader.TokenType == JsonTokenType.String && typeof(T) != typeof(bool))
            {
                var text = reader.GetString();
                if (string.IsNullOrEmpty(text)) return default;
                return (T)Convert.ChangeType(text, typeof(T), CultureInfo.InvariantCulture);
            }
            if (typeof(T) == typeof(int)) return (T)(object)reader.GetInt32();
            if (typeof(T) == typeof(long)) return (T)(object)reader.GetInt64();
            if (typeof(T) == typeof(double)) return (T)(object)reader.GetDouble();
            return (T)(object)(reader.TokenType == JsonTokenType.String ? bool.Parse(reader.GetString()!) : reader.GetBoolean());
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value, typeof(T));
    }

    /// <summary>
    /// Lists in DS answers never hold null; one that does (<c>[null, {...}]</c>, from a proxy or a damaged server) is
    /// refused with a JsonException naming the item, which the reader reports as DsInvalidResponse. Skipping the item
    /// instead would let a plan treat a workflow the server has as missing.
    /// </summary>
    private sealed class NoNullItemsListConverterFactory : JsonConverterFactory
    {
        public override bool CanConvert(Type typeToConvert) =>
            typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(List<>) &&
            !typeToConvert.GetGenericArguments()[0].IsValueType;

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (JsonConverter)Activator.CreateInstance(typeof(NoNullItemsListConverter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;
    }

    private sealed class NoNullItemsListConverter<T> : JsonConverter<List<T>> where T : class
    {
        public override List<T>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null) return null;
            if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException($"Expected a list of {typeof(T).Name}, found {reader.TokenType}.");
            var list = new List<T>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType == JsonTokenType.Null)
                    throw new JsonException($"Item {list.Count + 1} of a list of {typeof(T).Name} is null; DS never sends that (a proxy or a damaged server may), so the whole answer is refused.");
                list.Add(JsonSerializer.Deserialize<T>(ref reader, options)!);
            }
            return list;
        }

        public override void Write(Utf8JsonWriter writer, List<T> value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (var v in value) JsonSerializer.Serialize(writer, v, options);
            writer.WriteEndArray();
        }
    }

    /// <summary>
    /// Reads DS dates. DS writes them as text in its Jackson time zone (UTC in the shipped
    /// api application.yaml); values are returned with Kind Unspecified and interpreted by the caller.
    /// Also accepts epoch milliseconds, which some DS beans emit.
    /// </summary>
    private sealed class DsDateTimeConverter : JsonConverter<DateTime>
    {
        public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Number)
                return DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64()).UtcDateTime;
            var text = reader.GetString();
            if (string.IsNullOrEmpty(text)) return default;
            if (DateTime.TryParseExact(text, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return d;
            return DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        }

        public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
            writer.WriteStringValue(FormatDate(value));
    }
}
