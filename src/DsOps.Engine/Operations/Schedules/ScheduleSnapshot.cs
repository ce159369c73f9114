using System.Text.Json;
using System.Text.Json.Serialization;

namespace DsOps.Engine.Operations.Schedules;

/// <summary>
/// "What was online" before maintenance: the schedules Disable-DsSchedule took offline, written (atomically)
/// before the first one goes offline, so Enable-DsSchedule -FromFile puts back exactly that set.
/// </summary>
public sealed class ScheduleSnapshot
{
    public const int CurrentSchemaVersion = 1;

    [JsonPropertyName("schemaVersion")] public int SchemaVersion { get; set; } = CurrentSchemaVersion;
    [JsonPropertyName("server")] public string Server { get; set; } = "";
    [JsonPropertyName("schedules")] public List<Entry> Schedules { get; set; } = new();

    public sealed class Entry
    {
        [JsonPropertyName("projectCode")] public long ProjectCode { get; set; }
        [JsonPropertyName("scheduleId")] public int ScheduleId { get; set; }
        [JsonPropertyName("workflowCode")] public long WorkflowCode { get; set; }
        [JsonPropertyName("workflow")] public string? Workflow { get; set; }
        [JsonPropertyName("crontab")] public string? Crontab { get; set; }
        /// <summary>When DsOps took it offline (UTC).</summary>
        [JsonPropertyName("offlineUtc")] public DateTime OfflineUtc { get; set; }
    }

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    public static ScheduleSnapshot? Load(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            var s = JsonSerializer.Deserialize<ScheduleSnapshot>(File.ReadAllText(path), Options) ?? throw new JsonException("The file holds 'null'.");
            if (s.SchemaVersion > CurrentSchemaVersion)
                throw new DsOpsException(DsErrorKind.InvalidInput, "DsScheduleFileUnsupported",
                    $"Schedule file '{path}' has schema version {s.SchemaVersion}; this DsOps reads up to {CurrentSchemaVersion}.");
            s.Schedules ??= new();
            for (var i = 0; i < s.Schedules.Count; i++)
                if (s.Schedules[i] is not { ScheduleId: > 0, ProjectCode: > 0 })
                    throw new JsonException($"Entry {i + 1} has no scheduleId or projectCode.");
            return s;
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" at line {line + 1}" : "";
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsScheduleFileCorrupt",
                $"Schedule file '{path}' is not a saved schedule set{where}: {ex.Message} Nothing was changed.", ex);
        }
    }

    public void Save(string path) => IO.AtomicFile.Write(path, stream => JsonSerializer.Serialize(stream, this, Options));
}
