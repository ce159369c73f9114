using System.Text.Json;
using System.Text.Json.Nodes;
using DsOps.Engine.Specs.Model;

namespace DsOps.Engine.Planning;

/// <summary>
/// What DsOps last applied, per workflow: the fingerprint of the server copy right after the apply.
/// A server copy whose fingerprint differs was changed outside DsOps (drift, e.g. an edit in the UI).
/// Kept in a local JSON state file (default <c>.dsops-state.json</c> beside the specs, meant to be
/// committed or kept by CI) rather than in DS: the definition description is user-visible and
/// editable, and a global parameter would be passed to every run and could be edited in the UI too.
/// The file holds names and hashes only - no secrets and no spec content.
/// </summary>
public sealed class AppliedState
{
    public const string DefaultFileName = ".dsops-state.json";
    private readonly SortedDictionary<string, string> _fingerprints = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Fingerprints => _fingerprints;

    /// <summary>Fingerprint recorded for "project/workflow", or null when DsOps never applied it.</summary>
    public string? Get(string key) => _fingerprints.GetValueOrDefault(key);

    /// <summary>Records the server copy after a successful apply.</summary>
    public void Record(WorkflowSpec serverCopy) => _fingerprints[serverCopy.Key] = SpecFields.Fingerprint(serverCopy);

    public void Forget(string key) => _fingerprints.Remove(key);

    public bool IsManaged(string key) => _fingerprints.ContainsKey(key);

    public static AppliedState Load(string path)
    {
        var state = new AppliedState();
        if (!File.Exists(path)) return state;
        try
        {
            var root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
            if (root?["workflows"] is JsonObject w)
                foreach (var (k, v) in w)
                    if (v is JsonValue fv && fv.GetValueKind() == JsonValueKind.String) state._fingerprints[k] = fv.GetValue<string>();
        }
        catch (JsonException ex)
        {
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsStateFileInvalid", $"State file '{path}' is not valid JSON: {ex.Message}", ex);
        }
        return state;
    }

    /// <summary>Writes atomically (temp file + rename) so a crash never leaves half a state file.</summary>
    public void Save(string path)
    {
        var root = new JsonObject
        {
            ["formatVersion"] = 1,
            ["workflows"] = new JsonObject(_fingerprints.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
        };
        AtomicFile.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
