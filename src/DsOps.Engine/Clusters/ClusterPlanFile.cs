using System.Text.Json;
using System.Text.Json.Nodes;
using DsOps.Engine.Planning;
using DsOps.Engine.Specs.Documents;

namespace DsOps.Engine.Clusters;

/// <summary>A cluster plan read back from a file (its fingerprint checked).</summary>
public sealed record SavedClusterPlan(string ConfigPath, bool Prune, string CurrentFingerprint, string DesiredFingerprint, IReadOnlyList<string> ItemTexts, string? File)
{
    /// <summary>The -UpdateSecrets patterns the plan was made with (applied again when it is applied).</summary>
    public IReadOnlyList<string> UpdateSecrets { get; init; } = Array.Empty<string>();

    /// <summary>
    /// Refuses when the config changed (DsPlanSpecsChanged), the server changed (DsPlanStale) or the recomputed plan
    /// lists other items (DsPlanMismatch): a saved plan applies exactly as reviewed or not at all.
    /// </summary>
    public void Verify(ClusterPlan recomputed)
    {
        if (recomputed.DesiredFingerprint != DesiredFingerprint)
            throw new DsOpsException(DsErrorKind.InvalidState, "DsPlanSpecsChanged",
                $"The cluster config '{ConfigPath}' differs from the one this plan was made from. Make a new plan with Compare-DsClusterConfig.");
        if (recomputed.CurrentFingerprint != CurrentFingerprint)
            throw new DsOpsException(DsErrorKind.InvalidState, "DsPlanStale",
                $"The server changed since this plan was made (state {CurrentFingerprint} then, {recomputed.CurrentFingerprint} now). Make a new plan with Compare-DsClusterConfig and review it.");
        var now = recomputed.Items.Select(i => CanonicalJson.Canonicalize(i.ToJson())).ToList();
        if (!now.SequenceEqual(ItemTexts, StringComparer.Ordinal))
            throw new DsOpsException(DsErrorKind.InvalidState, "DsPlanMismatch",
                $"Plan file{(File is null ? "" : " '" + File + "'")} does not match what apply would do now. Make a new plan with Compare-DsClusterConfig and review it.");
    }
}

/// <summary>
/// Saved cluster plans (JSON, deterministic). Items hold field values and secret references only (the model never has
/// secret values). A <c>fingerprint</c> over the rest of the file refuses any edit (DsPlanTampered).
/// </summary>
public static class ClusterPlanFile
{
    public const int FormatVersion = 1;
    private const string Type = "dsops-cluster-plan";

    public static string Serialize(ClusterPlan plan, string configPath)
    {
        var root = new JsonObject
        {
            ["type"] = Type,
            ["formatVersion"] = FormatVersion,
            ["summary"] = plan.Summary,
            ["config"] = configPath,
            ["prune"] = plan.Prune,
            ["updateSecrets"] = new JsonArray(plan.UpdateSecrets.Select(p => (JsonNode)JsonValue.Create(p)!).ToArray()),
            ["currentFingerprint"] = plan.CurrentFingerprint,
            ["desiredFingerprint"] = plan.DesiredFingerprint,
            ["items"] = new JsonArray(plan.Items.Select(i => (JsonNode)i.ToJson()).ToArray()),
        };
        root["fingerprint"] = Fingerprint(root);
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public static void Save(string path, ClusterPlan plan, string configPath) => IO.AtomicFile.WriteAllText(path, Serialize(plan, configPath));

    public static SavedClusterPlan Load(string path)
    {
        if (!System.IO.File.Exists(path)) throw new DsOpsException(DsErrorKind.NotFound, "DsPlanFileNotFound", $"Plan file '{path}' does not exist.");
        JsonObject root;
        try
        {
            CanonicalJson.RejectDuplicateKeys(System.IO.File.ReadAllText(path), path);
            root = JsonNode.Parse(System.IO.File.ReadAllText(path)) as JsonObject ?? throw Invalid(path, "a plan file is a JSON object.");
        }
        catch (JsonException ex)
        {
            throw Invalid(path, "not valid JSON: " + ex.Message);
        }
        try
        {
            if (root["type"]?.GetValue<string>() != Type || root["formatVersion"]?.GetValue<int>() != FormatVersion)
                throw Invalid(path, $"not a DsOps cluster plan of format {FormatVersion} (make a new plan with Compare-DsClusterConfig -OutFile).");
            if (root["fingerprint"]?.GetValue<string>() != Fingerprint(root))
                throw new DsOpsException(DsErrorKind.InvalidInput, "DsPlanTampered",
                    $"Plan file '{path}' was changed after it was made: its content does not match its fingerprint. Nothing was applied; make a new plan.");
            string Req(string key) => root[key]?.GetValue<string>() ?? throw Invalid(path, $"'{key}' is missing.");
            return new SavedClusterPlan(Req("config"), root["prune"]?.GetValue<bool>() ?? false, Req("currentFingerprint"), Req("desiredFingerprint"),
                (root["items"] as JsonArray ?? throw Invalid(path, "'items' is missing.")).Select(n => CanonicalJson.Canonicalize(n!.DeepClone())).ToList(), path)
            {
                UpdateSecrets = (root["updateSecrets"] as JsonArray)?.Select(n => n!.GetValue<string>()).ToList() ?? new List<string>(),
            };
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
        {
            throw Invalid(path, ex.Message);
        }
    }

    private static string Fingerprint(JsonObject root) =>
        PlanFile.Sha256Of(CanonicalJson.Canonicalize(new JsonObject(root.Where(p => p.Key != "fingerprint").Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())))));

    private static DsOpsException Invalid(string? file, string message) =>
        new(DsErrorKind.InvalidInput, "DsPlanFileInvalid", $"Plan file '{file}' is invalid: {message}");
}

/// <summary>
/// What DsOps last applied per resource (a hash of the server's fields right after apply, never values or secrets),
/// so a later plan can say "[drift]" when someone edited the resource in DS's UI since. JSON beside the config.
/// </summary>
public sealed class ClusterAppliedState
{
    public const string DefaultFileName = ".dsops-cluster-state.json";
    private readonly Dictionary<string, string> _hashes;

    private ClusterAppliedState(Dictionary<string, string> hashes) => _hashes = hashes;

    public static ClusterAppliedState Empty() => new(new Dictionary<string, string>(StringComparer.Ordinal));

    public static ClusterAppliedState Load(string path)
    {
        if (!System.IO.File.Exists(path)) return Empty();
        try
        {
            var root = JsonNode.Parse(System.IO.File.ReadAllText(path)) as JsonObject;
            var map = (root?["resources"] as JsonObject ?? new JsonObject()).ToDictionary(p => p.Key, p => p.Value!.GetValue<string>(), StringComparer.Ordinal);
            return new ClusterAppliedState(map);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsStateFileInvalid", $"Cluster state file '{path}' is not valid: {ex.Message}");
        }
    }

    public bool Drifted(ClusterResource server) => _hashes.TryGetValue(server.Key, out var h) && h != Hash(server);

    /// <summary>Records the server copies of the given resources (after apply).</summary>
    public void Record(IEnumerable<ClusterResource> serverCopies)
    {
        foreach (var r in serverCopies) _hashes[r.Key] = Hash(r);
    }

    public void Forget(string key) => _hashes.Remove(key);

    public void Save(string path) => IO.AtomicFile.WriteAllText(path, new JsonObject
    {
        ["formatVersion"] = 1,
        ["resources"] = new JsonObject(_hashes.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))),
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    private static string Hash(ClusterResource r) =>
        PlanFile.Sha256Of(CanonicalJson.Canonicalize(new JsonObject(r.Fields.Where(f => f.Key != "size").Select(f => KeyValuePair.Create(f.Key, (JsonNode?)JsonValue.Create(f.Value))))));
}
