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

/// <summary>A plan read back from a plan file.</summary>
public sealed record SavedPlan(
    IReadOnlyList<PlanItem> Items, IReadOnlyList<string> Projects, string CurrentFingerprint, string DesiredFingerprint,
    bool Prune, PlanSource? Source, IReadOnlyList<WorkflowSpec> DesiredForReview)
{
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
}

/// <summary>
/// Saved plans (JSON). Deterministic: the same plan always produces the same bytes (no timestamps).
/// Secret-looking values are masked; the desired specs are included for review, not for apply.
/// </summary>
public static class PlanFile
{
    public const int FormatVersion = 1;

    public static string Serialize(WorkflowPlan plan, PlanSource? source = null)
    {
        var root = new JsonObject
        {
            ["formatVersion"] = FormatVersion,
            ["summary"] = plan.Summary,
            ["projects"] = new JsonArray(plan.Projects.Select(p => (JsonNode)JsonValue.Create(p)!).ToArray()),
            ["prune"] = plan.Prune,
            ["currentFingerprint"] = plan.CurrentFingerprint,
            ["desiredFingerprint"] = plan.DesiredFingerprint,
            ["source"] = source is null ? null : new JsonObject { ["path"] = source.Path, ["format"] = source.Format, ["environment"] = source.Environment },
            ["items"] = new JsonArray(plan.Items.Select(i => (JsonNode)new JsonObject
            {
                ["level"] = i.Level.ToString(),
                ["action"] = i.Action.ToString(),
                ["project"] = i.Project,
                ["workflow"] = i.Workflow,
                ["task"] = i.Task,
                ["previousName"] = i.PreviousName,
                ["drift"] = i.Drift,
                ["note"] = i.Note,
                ["changes"] = new JsonArray(i.Changes.Select(c => (JsonNode)new JsonObject { ["field"] = c.Field, ["before"] = c.Before, ["after"] = c.After }).ToArray()),
            }).ToArray()),
            ["desired"] = new JsonArray(plan.Desired.OrderBy(w => w.Key, StringComparer.Ordinal)
                .Select(w => ToJson(SpecDocumentWriter.Workflow(Redact(w)))).ToArray()),
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public static void Save(string path, WorkflowPlan plan, PlanSource? source = null)
    {
        AtomicFile.WriteAllText(path, Serialize(plan, source));
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
            root = JsonNode.Parse(json) as JsonObject ?? throw Invalid(file, "a plan file is a JSON object.");
        }
        catch (JsonException ex)
        {
            throw Invalid(file, "not valid JSON: " + ex.Message);
        }
        if (root["formatVersion"]?.GetValue<int>() != FormatVersion) throw Invalid(file, $"formatVersion must be {FormatVersion}.");
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
            desired);
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

    private static JsonNode? ToJson(SpecNode node) => node switch
    {
        SpecMapping m => new JsonObject(m.Entries.Select(e => KeyValuePair.Create(e.Key.Value!, ToJson(e.Value)))),
        SpecSequence s => new JsonArray(s.Items.Select(ToJson).ToArray()),
        SpecScalar { Value: null } => null,
        SpecScalar { IsPlain: true } sc => JsonNode.Parse(sc.Value!),
        SpecScalar sc => JsonValue.Create(sc.Value),
        _ => null,
    };

    private static DsOpsException Invalid(string? file, string message) =>
        new(DsErrorKind.InvalidInput, "DsPlanFileInvalid", $"Plan file{(file is null ? "" : " '" + file + "'")} is invalid: {message}");
}
