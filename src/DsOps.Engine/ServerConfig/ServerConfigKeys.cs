using System.Globalization;
using System.Text.RegularExpressions;

namespace DsOps.Engine.ServerConfig;

/// <summary>A DS server process whose config DsOps reads. Standalone is the all-in-one server.</summary>
public enum ServerConfigRole { Master, Worker, Api, Alert, Standalone }

/// <summary>What DS does with a key on a given version.</summary>
public enum ConfigKeyStatus
{
    /// <summary>DS reads it.</summary>
    Active,
    /// <summary>DS ships it in the yaml of this version, but no code reads it: changing it has no effect.</summary>
    NoOp,
    /// <summary>Not a key of this version (renamed, removed, or added later): DS binds nothing to it.</summary>
    Ignored,
    /// <summary>Not in DsOps's catalogue; read and shown as is.</summary>
    Uncatalogued,
}

/// <summary>The unit of a value (checked before any edit).</summary>
internal enum ConfigValueKind { Integer, Number, Fraction, LoadAverage, Boolean, Duration, JvmSize, Enum, Text }

/// <summary>How a version decides that a master or worker is overloaded (docs/server-config.md).</summary>
public enum OverloadProtectionStyle
{
    /// <summary>3.0/3.1: load average above max-cpu-load-avg (-1 = cores x 2) or less than reserved-memory GB free.</summary>
    LoadAverageAndFreeGigabytes,
    /// <summary>3.2.0: the same two keys read as fractions: free cpu share and free memory share.</summary>
    FreeFractions,
    /// <summary>3.2.1: server-load-protection with cpu, JVM heap, system memory and disk thresholds.</summary>
    UsageThresholdsWithJvmMemory,
    /// <summary>3.2.2+: server-load-protection with system cpu, JVM cpu, system memory and disk thresholds.</summary>
    UsageThresholds,
}

/// <summary>One catalogued key: its unit, range, and what this DS version does with it.</summary>
internal sealed record ServerConfigKey(
    string Key,
    ConfigValueKind Kind,
    double Min,
    double Max,
    ConfigKeyStatus Status,
    string Meaning,
    string? Note = null,
    string? ReplacedBy = null,
    string? DefaultValue = null,
    string[]? Allowed = null)
{
    /// <summary>Checks a new value; returns null when it is valid, else the reason (without the key or file: the caller adds them).</summary>
    public string? Validate(string value)
    {
        var v = value.Trim();
        switch (Kind)
        {
            case ConfigValueKind.Integer:
                if (!long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i)) return $"'{value}' is not a whole number";
                return i < Min || i > Max ? $"{i} is outside {Min.ToString(CultureInfo.InvariantCulture)}..{Max.ToString(CultureInfo.InvariantCulture)}" : null;
            case ConfigValueKind.Number:
            case ConfigValueKind.Fraction:
            case ConfigValueKind.LoadAverage:
                if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return $"'{value}' is not a number";
                if (Kind == ConfigValueKind.LoadAverage && d == -1) return null;
                if (Kind == ConfigValueKind.Fraction && (d <= 0 || d > 1)) return $"{v} is not a fraction in (0, 1] (0.7 means 70 %)";
                return d < Min || d > Max ? $"{v} is outside {Min.ToString(CultureInfo.InvariantCulture)}..{Max.ToString(CultureInfo.InvariantCulture)}" : null;
            case ConfigValueKind.Boolean:
                return v is "true" or "false" ? null : $"'{value}' is not true or false";
            case ConfigValueKind.Duration:
                return ServerConfigKeyNames.IsDuration(v) ? null : $"'{value}' is not a duration such as 10s, 5m or 500ms";
            case ConfigValueKind.JvmSize:
                var mb = ServerConfigKeyNames.ParseJvmSizeMegabytes(v);
                if (mb is null) return $"'{value}' is not a JVM size such as 1g, 768m or 524288k";
                return mb < Min || mb > Max ? $"{v} ({mb} MB) is outside {Min}..{Max} MB" : null;
            case ConfigValueKind.Enum:
                return Allowed is null || Allowed.Contains(v, StringComparer.OrdinalIgnoreCase) ? null
                    : $"'{value}' is not one of {string.Join(", ", Allowed)}";
            default:
                return null;
        }
    }
}

/// <summary>Key spelling helpers: JVM option names, Spring's environment-variable form, sizes and durations.</summary>
internal static partial class ServerConfigKeyNames
{
    public static readonly string[] HeapOptions = { "-Xms", "-Xmx", "-Xmn" };

    /// <summary>"xmx", "Xmx" and "-Xmx" all mean the JVM option -Xmx; yaml keys are returned trimmed.</summary>
    public static string Normalize(string key)
    {
        var k = key.Trim();
        foreach (var h in HeapOptions)
            if (string.Equals(k, h, StringComparison.OrdinalIgnoreCase) || string.Equals(k, h[1..], StringComparison.OrdinalIgnoreCase))
                return h;
        return k;
    }

    public static bool IsHeapOption(string key) => HeapOptions.Contains(Normalize(key));

    /// <summary>
    /// Spring Boot binds an environment variable to a key when the variable is the key upper-cased with dots turned into
    /// underscores and dashes either removed or (the legacy form DS's own env file uses) turned into underscores.
    /// </summary>
    public static bool EnvironmentNameMatches(string variable, string key)
    {
        var up = key.ToUpperInvariant().Replace('.', '_');
        return string.Equals(variable, up.Replace("-", ""), StringComparison.Ordinal)
            || string.Equals(variable, up.Replace('-', '_'), StringComparison.Ordinal);
    }

    /// <summary>Values of keys named like passwords, tokens or digests are never shown.</summary>
    public static bool IsSecret(string key) =>
        Planning.SecretRedactor.IsSensitive(key) || key.EndsWith("digest", StringComparison.OrdinalIgnoreCase);

    public const string SecretMask = "********";

    [GeneratedRegex(@"^(\d+)([kKmMgGtT]?)$")]
    private static partial Regex JvmSize();

    [GeneratedRegex(@"^\d+(ns|us|ms|s|m|h|d)?$")]
    private static partial Regex Duration();

    public static bool IsDuration(string text) => Duration().IsMatch(text.Trim());

    /// <summary>Megabytes of a JVM size (1g, 768m, 524288k, plain bytes); null when it is not one.</summary>
    public static long? ParseJvmSizeMegabytes(string text)
    {
        var m = JvmSize().Match(text.Trim());
        if (!m.Success || !long.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return null;
        return char.ToLowerInvariant(m.Groups[2].Value.FirstOrDefault()) switch
        {
            'k' => n / 1024,
            'm' => n,
            'g' => n * 1024,
            't' => n * 1024 * 1024,
            _ => n / (1024 * 1024),
        };
    }

    /// <summary>The JVM spelling of a size in MB: whole gigabytes as "2g", anything else as "1344m".</summary>
    public static string FormatJvmSize(long megabytes) =>
        megabytes % 1024 == 0 ? $"{megabytes / 1024}g" : $"{megabytes}m";
}
