using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using DsOps.Engine.Specs.Documents;
using DsOps.Engine.Specs.Loading;
using DsOps.Engine.Specs.Model;
using DsOps.Engine.Specs.Validation;

namespace DsOps.Engine.Planning;

/// <summary>Where the desired specs of a saved plan came from, so apply can reload them.</summary>
public sealed record PlanSource(string Path, string Format, string? Environment);

/// <summary>A plan read back from a plan file (its fingerprint already checked).</summary>
public sealed record SavedPlan(
    IReadOnlyList<PlanItem> Items, IReadOnlyList<string> Projects, string CurrentFingerprint, string DesiredFingerprint,
    bool Prune, PlanSource? Source, IReadOnlyList<WorkflowSpec> DesiredForReview)
{
    /// <summary>The plan listed unchanged tasks too (apply recomputes the plan with the same option).</summary>
    public bool IncludeUnchangedTasks { get; init; }
    /// <summary>The plan was made requiring existing projects.</summary>
    public bool RequireExistingProject { get; init; }
    /// <summary>The plan file's own fingerprint (sha256 of everything in it).</summary>
    public string Fingerprint { get; init; } = "";
    /// <summary>Each item as written in the file, to compare with the plan apply recomputes.</summary>
    public IReadOnlyList<string> ItemTexts { get; init; } = Array.Empty<string>();
    public string? File { get; init; }

    /// <summary>
    /// Refuses (DsPlanStale) when the server's current state of the plan's projects differs from the
    /// state the plan was computed against.
    /// </summary>
    public void VerifyCurrent(IEnumerable<WorkflowSpec> current)
    {
        var now = WorkflowPlanner.CurrentFingerprint(current, Projects);
        if (now != CurrentFingerprint)
            throw new DsOpsException(DsErrorKind.InvalidState, "DsPlanStale",
                $"The server changed since this plan was made (state {CurrentFingerprint} then, {now} now). Make a new plan with Compare-DsWorkflow and review it.");
    }

    /// <summary>
    /// Refuses (DsPlanSpecsChanged) when the reloaded specs are not the ones the plan was made from.
    /// The plan file stores secrets masked, so apply reloads the specs and checks them by fingerprint.
    /// </summary>
    public void VerifyDesired(IEnumerable<WorkflowSpec> desired)
    {
        var now = SpecFields.Combine(desired.Select(d => (d.Key, SpecFields.Fingerprint(d))));
        if (now != DesiredFingerprint)
            throw new DsOpsException(DsErrorKind.InvalidState, "DsPlanSpecsChanged",
                "The specs differ from the ones this plan was made from (files or environment variables changed). Make a new plan.");
    }

    /// <summary>
    /// Refuses (DsPlanMismatch) when the plan apply has just recomputed (same specs, same server state, the saved
    /// options) does not list exactly the saved items: apply does what was reviewed, or nothing.
    /// </summary>
    public void VerifyItems(WorkflowPlan recomputed, InterpolatedValues? secrets = null)
    {
        var now = recomputed.Items.Select(i => PlanFile.ItemText(i, secrets)).ToList();
        for (var k = 0; k < Math.Max(now.Count, ItemTexts.Count); k++)
        {
            var saved = k < ItemTexts.Count ? ItemTexts[k] : null;
            var fresh = k < now.Count ? now[k] : null;
            if (saved == fresh) continue;
            var detail = fresh is null ? $"the plan lists {Items[k]}, which apply would no longer do"
                : saved is null ? $"apply would also do {recomputed.Items[k]}, which the plan does not list"
                : $"the plan lists {Items[k]}, apply would do {recomputed.Items[k]}";
            throw new DsOpsException(DsErrorKind.InvalidState, "DsPlanMismatch",
                $"Plan file{(File is null ? "" : " '" + File + "'")} does not match what apply would do now ({detail}). Make a new plan with Compare-DsWorkflow and review it.");
        }
    }
}

/// <summary>
/// Saved plans (JSON). Deterministic: the same plan always produces the same bytes (no timestamps).
/// Secret-looking values are masked and <c>${env:NAME}</c> values are written as the reference; the desired specs
/// are included for review, not for apply. A <c>fingerprint</c> (SHA-256 over everything else in the file, canonical
/// JSON) makes any edit - prune flipped, an item added, an option or the source changed - a refusal on load
/// (DsPlanTampered); apply also recomputes the plan and requires the same items (DsPlanMismatch).
/// </summary>
public static class PlanFile
{
    public const int FormatVersion = 2;

    public static string Serialize(WorkflowPlan plan, PlanSource? source = null, InterpolatedValues? secrets = null)
    {
        var root = new JsonObject
        {
            ["formatVersion"] = FormatVersion,
            ["summary"] = plan.Summary,
            ["projects"] = new JsonArray(plan.Projects.Select(p => (JsonNode)JsonValue.Create(p)!).ToArray()),
            ["prune"] = plan.Prune,
            ["options"] = new JsonObject { ["includeUnchangedTasks"] = plan.IncludeUnchangedTasks, ["requireExistingProject"] = plan.RequireExistingProject },
            ["currentFingerprint"] = plan.CurrentFingerprint,
            ["desiredFingerprint"] = plan.DesiredFingerprint,
            ["source"] = source is null ? null : new JsonObject { ["path"] = source.Path, ["format"] = source.Format, ["environment"] = source.Environment },
            ["items"] = new JsonArray(plan.Items.Select(i => (JsonNode)ItemJson(i, secrets)).ToArray()),
            ["desired"] = new JsonArray(plan.Desired.OrderBy(w => w.Key, StringComparer.Ordinal)
                .Select(w => ToJson(SpecDocumentWriter.Workflow(Redact(w)), secrets)).ToArray()),
        };
        root["fingerprint"] = Fingerprint(root);
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    /// <summary>One item as it is written (secrets masked, env values as references).</summary>
    public static JsonObject ItemJson(PlanItem i, InterpolatedValues? secrets = null) => new()
    {
        ["level"] = i.Level.ToString(),
        ["action"] = i.Action.ToString(),
        ["project"] = i.Project,
        ["workflow"] = i.Workflow,
        ["task"] = i.Task,
        ["previousName"] = i.PreviousName,
        ["drift"] = i.Drift,
        ["note"] = i.Note,
        ["changes"] = new JsonArray(i.Changes.Select(c => (JsonNode)new JsonObject
        {
            ["field"] = c.Field, ["before"] = secrets?.Redact(c.Before) ?? c.Before, ["after"] = secrets?.Redact(c.After) ?? c.After,
        }).ToArray()),
    };

    /// <summary>The item with <c>${env:NAME}</c> values in its changes replaced by the reference.</summary>
    public static PlanItem Redact(PlanItem item, InterpolatedValues secrets) => item.Changes.Length == 0 ? item : item with
    {
        Changes = item.Changes.Select(c => c with { Before = secrets.Redact(c.Before), After = secrets.Redact(c.After) }).ToImmutableArray(),
    };

    /// <summary>Canonical text of an item (compared between a saved plan and the one apply recomputes).</summary>
    public static string ItemText(PlanItem item, InterpolatedValues? secrets = null) => CanonicalJson.Canonicalize(ItemJson(item, secrets));

    /// <summary>"sha256:..." over the canonical JSON of every member except "fingerprint".</summary>
    private static string Fingerprint(JsonObject root)
    {
        var copy = new JsonObject(root.Where(p => p.Key != "fingerprint").Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
        return Sha256Of(CanonicalJson.Canonicalize(copy));
    }

    /// <summary>"sha256:hex" of a text's UTF-8 bytes (plan and cluster-plan fingerprints).</summary>
    public static string Sha256Of(string text) =>
        "sha256:" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text))).ToLowerInvariant();

    public static void Save(string path, WorkflowPlan plan, PlanSource? source = null, InterpolatedValues? secrets = null)
    {
        IO.AtomicFile.WriteAllText(path, Serialize(plan, source, secrets));
    }

    public static SavedPlan Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Plan file '{path}' does not exist.", path);
        return Parse(File.ReadAllText(path), path);
    }

    public static SavedPlan Parse(string json, string? file = null)
    {
        try
        {
            return ParseCore(json, file);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or ArgumentException or JsonException)
        {
            // Wrong value types or unknown enum names in a hand-edited or foreign file.
            throw Invalid(file, ex.Message);
        }
    }

    private static SavedPlan ParseCore(string json, string? file)
    {
        JsonObject root;
        try
        {
            CanonicalJson.RejectDuplicateKeys(json, file);
        }
        catch (SpecLoadException ex)
        {
            throw Invalid(file, ex.Detail + $" (line {ex.Location.Line})");
        }
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw Invalid(file, "a plan file is a JSON object.");
        }
        catch (JsonException ex)
        {
            throw Invalid(file, "not valid JSON: " + ex.Message);
        }
        if (root["formatVersion"]?.GetValue<int>() != FormatVersion)
            throw Invalid(file, $"formatVersion must be {FormatVersion} (plans made by another DsOps version cannot be applied; make a new plan).");
        var stated = root["fingerprint"]?.GetValue<string>() ?? throw Invalid(file, "'fingerprint' is missing.");
        if (!string.Equals(stated, Fingerprint(root), StringComparison.Ordinal))
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsPlanTampered",
                $"Plan file{(file is null ? "" : " '" + file + "'")} was changed after it was made: its content (items, prune, options, source, projects or fingerprints) " +
                "does not match its fingerprint. Nothing was applied; make a new plan with Compare-DsWorkflow and review it.");
        string Req(JsonObject o, string key) => o[key]?.GetValue<string>() ?? throw Invalid(file, $"'{key}' is missing.");

        var items = new List<PlanItem>();
        foreach (var n in root["items"] as JsonArray ?? throw Invalid(file, "'items' is missing."))
        {
            if (n is not JsonObject o) throw Invalid(file, "an item is not an object.");
            items.Add(new PlanItem(Enum.Parse<PlanLevel>(Req(o, "level")), Enum.Parse<PlanAction>(Req(o, "action")), Req(o, "project"), Req(o, "workflow"), o["task"]?.GetValue<string>())
            {
                PreviousName = o["previousName"]?.GetValue<string>(),
                Drift = o["drift"]?.GetValue<bool>() ?? false,
                Note = o["note"]?.GetValue<string>(),
                Changes = (o["changes"] as JsonArray ?? new JsonArray()).OfType<JsonObject>()
                    .Select(c => new FieldChange(Req(c, "field"), c["before"]?.GetValue<string>(), c["after"]?.GetValue<string>())).ToImmutableArray(),
            });
        }
        var sink = new FindingSink();
        var reader = new SpecDocumentReader(sink, SpecLoadOptions.Default with { EnvironmentVariables = _ => null });
        var desired = new List<WorkflowSpec>();
        foreach (var w in root["desired"] as JsonArray ?? new JsonArray())
            desired.AddRange(reader.Read(new SpecMapping(new[] { KeyValuePair.Create(new SpecScalar("workflow", false, default), CanonicalJson.ToSpecNode(w, new SourceLocation(file))) }, default), file));
        var src = root["source"] as JsonObject;
        return new SavedPlan(items,
            (root["projects"] as JsonArray ?? new JsonArray()).Select(p => p!.GetValue<string>()).ToList(),
            Req(root, "currentFingerprint"), Req(root, "desiredFingerprint"), root["prune"]?.GetValue<bool>() ?? false,
            src is null ? null : new PlanSource(Req(src, "path"), Req(src, "format"), src["environment"]?.GetValue<string>()),
            desired)
        {
            IncludeUnchangedTasks = root["options"]?["includeUnchangedTasks"]?.GetValue<bool>() ?? false,
            RequireExistingProject = root["options"]?["requireExistingProject"]?.GetValue<bool>() ?? false,
            Fingerprint = stated,
            ItemTexts = (root["items"] as JsonArray)!.Select(n => CanonicalJson.Canonicalize(n!.DeepClone())).ToList(),
            File = file,
        };
    }

    private static WorkflowSpec Redact(WorkflowSpec w) => w with
    {
        Parameters = w.Parameters.Select(p => p with { Value = SecretRedactor.RedactValue(p.Name, p.Value) }).ToImmutableArray(),
        Tasks = w.Tasks.Select(t => t with
        {
            Params = SecretRedactor.RedactJson(t.Params),
            Parameters = t.Parameters.Select(p => p with { Value = SecretRedactor.RedactValue(p.Name, p.Value) }).ToImmutableArray(),
        }).ToImmutableArray(),
    };

    private static JsonNode? ToJson(SpecNode node, InterpolatedValues? secrets) => node switch
    {
        SpecMapping m => new JsonObject(m.Entries.Select(e => KeyValuePair.Create(e.Key.Value!, ToJson(e.Value, secrets)))),
        SpecSequence s => new JsonArray(s.Items.Select(i => ToJson(i, secrets)).ToArray()),
        SpecScalar { Value: null } => null,
        SpecScalar { IsPlain: true } sc => JsonNode.Parse(sc.Value!),
        SpecScalar sc => JsonValue.Create(secrets?.Redact(sc.Value) ?? sc.Value),
        _ => null,
    };

    private static DsOpsException Invalid(string? file, string message) =>
        new(DsErrorKind.InvalidInput, "DsPlanFileInvalid", $"Plan file{(file is null ? "" : " '" + file + "'")} is invalid: {message}");
}
