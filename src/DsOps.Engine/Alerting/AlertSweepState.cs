using System.Text.Json;
using System.Text.Json.Serialization;

namespace DsOps.Engine.Alerting;

/// <summary>
/// What a sweep remembers between runs: the high-water mark (everything that ended before it has been
/// handled) and, per target, the keys already sent (or possibly sent: "pending") inside the overlap window.
/// </summary>
internal sealed class AlertSweepState
{
    public const int CurrentSchemaVersion = 1;

    [JsonPropertyName("schemaVersion")] public int SchemaVersion { get; set; } = CurrentSchemaVersion;

    /// <summary>Failures that ended before this instant have been handled for every target.</summary>
    [JsonPropertyName("highWaterMarkUtc")] public DateTime? HighWaterMarkUtc { get; set; }

    [JsonPropertyName("lastRunUtc")] public DateTime? LastRunUtc { get; set; }

    /// <summary>Per target fingerprint (never the URL).</summary>
    [JsonPropertyName("targets")] public Dictionary<string, TargetState> Targets { get; set; } = new(StringComparer.Ordinal);

    public TargetState For(string fingerprint)
    {
        if (!Targets.TryGetValue(fingerprint, out var t)) Targets[fingerprint] = t = new TargetState();
        return t;
    }

    /// <summary>Keys of one target, each with the failure's end time (used to prune outside the window).</summary>
    public sealed class TargetState
    {
        [JsonPropertyName("name")] public string? Name { get; set; }
        [JsonPropertyName("sent")] public Dictionary<string, DateTime> Sent { get; set; } = new(StringComparer.Ordinal);
        /// <summary>Handed to the sender but not confirmed (a crash or a failure after some parts went out).</summary>
        [JsonPropertyName("pending")] public Dictionary<string, DateTime> Pending { get; set; } = new(StringComparer.Ordinal);
    }
}

/// <summary>Reads and writes the state file: atomic replace (temp file + rename), clear errors for a damaged file.</summary>
internal static class AlertSweepStateFile
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    public static AlertSweepState Load(string path)
    {
        if (!File.Exists(path)) return new AlertSweepState();
        try
        {
            var json = File.ReadAllText(path);
            if (string.IsNullOrWhiteSpace(json)) return new AlertSweepState();
            var state = JsonSerializer.Deserialize<AlertSweepState>(json, Options)
                        ?? throw new JsonException("The file holds 'null'.");
            if (state.SchemaVersion > AlertSweepState.CurrentSchemaVersion)
                throw new DsOpsException(DsErrorKind.InvalidInput, "DsAlertStateUnsupported",
                    $"State file '{path}' has schema version {state.SchemaVersion}; this DsOps reads up to {AlertSweepState.CurrentSchemaVersion}.");
            state.Targets ??= new(StringComparer.Ordinal);
            return state;
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" at line {line + 1}" : "";
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsAlertStateCorrupt",
                $"State file '{path}' is not a valid alert sweep state{where}: {ex.Message} " +
                "It was left untouched; fix or delete it (deleting re-alerts the last InitialLookback window).", ex);
        }
    }

    /// <summary>Replaces the file atomically (<see cref="IO.AtomicFile"/>).</summary>
    public static void Save(string path, AlertSweepState state) =>
        IO.AtomicFile.Write(path, stream => JsonSerializer.Serialize(stream, state, Options));
}
