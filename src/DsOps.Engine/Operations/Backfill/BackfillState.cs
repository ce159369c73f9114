using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DsOps.Engine.Operations.Backfill;

/// <summary>
/// The backfill's memory between runs: which workflow and dates, and per date whether DsOps meant to submit it
/// (written before the call), submitted it (written after DS accepted) and which instance ran it. Written with
/// <see cref="IO.AtomicFile"/> after every change, so a kill leaves the last complete version.
/// </summary>
public sealed class BackfillState
{
    public const int CurrentSchemaVersion = 1;

    [JsonPropertyName("schemaVersion")] public int SchemaVersion { get; set; } = CurrentSchemaVersion;
    [JsonPropertyName("server")] public string Server { get; set; } = "";
    [JsonPropertyName("projectCode")] public long ProjectCode { get; set; }
    [JsonPropertyName("workflowCode")] public long WorkflowCode { get; set; }
    [JsonPropertyName("workflow")] public string Workflow { get; set; } = "";
    [JsonPropertyName("from")] public string From { get; set; } = "";
    [JsonPropertyName("to")] public string To { get; set; } = "";
    /// <summary>When the backfill began, UTC; instances older than this are not its own.</summary>
    [JsonPropertyName("createdUtc")] public DateTime CreatedUtc { get; set; }
    [JsonPropertyName("dates")] public List<Entry> Dates { get; set; } = new();

    public sealed class Entry
    {
        [JsonPropertyName("date")] public string Date { get; set; } = "";
        [JsonPropertyName("status")] public BackfillDateStatus Status { get; set; }
        [JsonPropertyName("intentUtc")] public DateTime? IntentUtc { get; set; }
        [JsonPropertyName("submittedUtc")] public DateTime? SubmittedUtc { get; set; }
        [JsonPropertyName("instanceId")] public int? InstanceId { get; set; }
        [JsonPropertyName("state")] public string? State { get; set; }
        [JsonPropertyName("startUtc")] public DateTime? StartUtc { get; set; }
        [JsonPropertyName("endUtc")] public DateTime? EndUtc { get; set; }

        [JsonIgnore] public DateOnly Day => DateOnly.ParseExact(Date, "yyyy-MM-dd", CultureInfo.InvariantCulture);
    }

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public static BackfillState? Load(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            var state = JsonSerializer.Deserialize<BackfillState>(File.ReadAllText(path), Options) ?? throw new JsonException("The file holds 'null'.");
            if (state.SchemaVersion > CurrentSchemaVersion)
                throw new DsOpsException(DsErrorKind.InvalidInput, "DsBackfillStateUnsupported",
                    $"Backfill state file '{path}' has schema version {state.SchemaVersion}; this DsOps reads up to {CurrentSchemaVersion}.");
            state.Dates ??= new();
            foreach (var d in state.Dates) _ = d.Day; // every date must parse
            return state;
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            var where = ex is JsonException { LineNumber: { } line } ? $" at line {line + 1}" : "";
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsBackfillStateCorrupt",
                $"Backfill state file '{path}' cannot be read{where}: {ex.Message} It was left untouched; fix it, or delete it only " +
                "after checking on the server which dates already ran (a deleted state file forgets them).", ex);
        }
    }

    public void Save(string path) => IO.AtomicFile.Write(path, stream => JsonSerializer.Serialize(stream, this, Options));

    /// <summary>The default state file of a backfill: one per server, workflow and date range under the user's DsOps folder.</summary>
    public static string DefaultPath(long projectCode, long workflowCode, DateOnly from, DateOnly to) =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
            "DsOps", "backfill", $"{projectCode}-{workflowCode}-{from:yyyyMMdd}-{to:yyyyMMdd}.json");
}
