using System.Collections.Immutable;
using System.Text.Json.Nodes;
using DsOps.Engine.Planning;
using DsOps.Engine.Specs.Documents;
using DsOps.Engine.Specs.Model;

namespace DsOps.Engine.Clusters;

/// <summary>One step of a cluster plan: create, update or delete one resource (or nothing, for unchanged ones).</summary>
public sealed record ClusterPlanItem(ClusterResourceKind Kind, string Name, PlanAction Action)
{
    public ImmutableArray<FieldChange> Changes { get; init; } = ImmutableArray<FieldChange>.Empty;
    /// <summary>The server's copy changed since DsOps last applied it (edited in the UI).</summary>
    public bool Drift { get; init; }
    public string? Note { get; init; }
    public SourceLocation Location { get; init; }

    public string Target => Kind + "/" + Name;

    public string Symbol => Action switch { PlanAction.Create => "+", PlanAction.Update => "~", PlanAction.Delete => "-", _ => "=" };

    public string ChangeSummary => Changes.Length == 0 ? "" : string.Join("; ", Changes.Select(c => c.ToString()));

    public override string ToString() => $"{Symbol} {Target}" + (Drift ? " [drift]" : "") + (Changes.Length == 0 ? "" : ": " + ChangeSummary);

    /// <summary>Canonical JSON of the item (saved plans compare these with the plan apply recomputes).</summary>
    public JsonObject ToJson() => new()
    {
        ["kind"] = Kind.ToString(), ["name"] = Name, ["action"] = Action.ToString(), ["drift"] = Drift, ["note"] = Note,
        ["changes"] = new JsonArray(Changes.Select(c => (JsonNode)new JsonObject { ["field"] = c.Field, ["before"] = c.Before, ["after"] = c.After }).ToArray()),
    };
}

/// <summary>A cluster plan: items in dependency order (creates and updates by kind, then deletes in reverse kind order).</summary>
public sealed class ClusterPlan
{
    public ClusterPlan(IReadOnlyList<ClusterPlanItem> items, string currentFingerprint, string desiredFingerprint, bool prune)
    {
        Items = items;
        CurrentFingerprint = currentFingerprint;
        DesiredFingerprint = desiredFingerprint;
        Prune = prune;
    }

    public IReadOnlyList<ClusterPlanItem> Items { get; }
    public string CurrentFingerprint { get; }
    public string DesiredFingerprint { get; }
    public bool Prune { get; }

    public IEnumerable<ClusterPlanItem> Changes => Items.Where(i => i.Action != PlanAction.Unchanged);

    public bool HasChanges => Changes.Any();

    public string Summary =>
        $"{Items.Count(i => i.Action == PlanAction.Create)} to create, {Items.Count(i => i.Action == PlanAction.Update)} to update, " +
        $"{Items.Count(i => i.Action == PlanAction.Delete)} to delete, {Items.Count(i => i.Action == PlanAction.Unchanged)} unchanged";

    public override string ToString() => Summary;
}

public sealed record ClusterPlanOptions
{
    /// <summary>Delete server resources of the kinds the config declares that it does not list (never projects or DS's built-ins).</summary>
    public bool Prune { get; init; }
    /// <summary>Last-applied state (drift detection).</summary>
    public ClusterAppliedState? State { get; init; }
    /// <summary>"Kind.field" names the server's DS version does not have (not compared; see <see cref="UnsupportedFields"/>).</summary>
    public IReadOnlySet<string> Unsupported { get; init; } = new HashSet<string>();

    /// <summary>The fields a DS version does not keep, so they are not compared (DsDialect decides).</summary>
    public static IReadOnlySet<string> UnsupportedFields(Dialects.DsDialect dialect) => dialect.AlertInstanceHasTypes
        ? new HashSet<string>()
        : new HashSet<string>(StringComparer.Ordinal) { "AlertInstance.warningType", "AlertInstance.instanceType" };
}

/// <summary>
/// Plans cluster resources field by field. Only the fields a resource declares are compared (a config that does not
/// mention a description leaves the server's alone); secrets are never compared (DS does not return them; a changed
/// secret is applied with Sync-DsCluster -UpdateSecrets); files compare by SHA-256 of their content.
/// </summary>
public static class ClusterPlanner
{
    /// <summary>Resources DS creates itself; never deleted by -Prune.</summary>
    private static readonly HashSet<string> BuiltIn = new(StringComparer.Ordinal)
    {
        "Queue/default", "Tenant/default", "AlertGroup/default admin warning group", "WorkerGroup/default",
    };

    public static ClusterPlan Plan(ClusterConfig desired, ClusterConfig current, ClusterPlanOptions? options = null)
    {
        options ??= new ClusterPlanOptions();
        var items = new List<ClusterPlanItem>();
        foreach (var want in desired.Resources)
        {
            var have = current.Find(want.Kind, want.Name);
            if (have is null)
            {
                var changes = want.Fields.Where(f => !ClusterConfigReader.OptionFields.Contains(f.Key)).Select(f => new FieldChange(f.Key, null, f.Value))
                    .Concat(want.Secrets.Select(s => new FieldChange(s.Key, null, s.Value.ToString())));
                items.Add(new ClusterPlanItem(want.Kind, want.Name, PlanAction.Create) { Changes = changes.ToImmutableArray(), Location = want.Location });
                continue;
            }
            var diff = Diff(want, have).Where(c => !options.Unsupported.Contains(want.Kind + "." + c.Field)).ToImmutableArray();
            var drift = options.State?.Drifted(have) ?? false;
            items.Add(new ClusterPlanItem(want.Kind, want.Name, diff.IsEmpty ? PlanAction.Unchanged : PlanAction.Update)
            {
                Changes = diff, Drift = drift && !diff.IsEmpty, Location = want.Location,
            });
        }
        if (options.Prune)
        {
            var managedKinds = desired.Resources.Select(r => r.Kind).ToHashSet();
            foreach (var have in current.Resources.Reverse())
            {
                if (!managedKinds.Contains(have.Kind) || have.Kind == ClusterResourceKind.Project || BuiltIn.Contains(have.Key)) continue;
                if (desired.Find(have.Kind, have.Name) is not null) continue;
                items.Add(new ClusterPlanItem(have.Kind, have.Name, PlanAction.Delete) { Note = "not in the config (-Prune)" });
            }
        }
        var ordered = items.Where(i => i.Action != PlanAction.Delete).OrderBy(i => i.Kind).ThenBy(i => i.Name, StringComparer.Ordinal)
            .Concat(items.Where(i => i.Action == PlanAction.Delete).OrderByDescending(i => i.Kind).ThenBy(i => i.Name, StringComparer.Ordinal))
            .ToList();
        return new ClusterPlan(ordered, ClusterConfigWriter.Fingerprint(current), ClusterConfigWriter.Fingerprint(desired), options.Prune);
    }

    /// <summary>The declared fields whose server value differs (secrets and DsOps options excluded).</summary>
    public static IEnumerable<FieldChange> Diff(ClusterResource want, ClusterResource have)
    {
        foreach (var (key, value) in want.Fields)
        {
            if (ClusterConfigReader.OptionFields.Contains(key)) continue;
            var before = have.Field(key);
            if (key == "sha256" && before is null)
            {
                // Not downloaded (sizes differ or the listing did not hash it): the size tells the difference.
                yield return new FieldChange(key, have.Field("size") is { } size ? size + " bytes" : null, value);
                continue;
            }
            if (!string.Equals(Normalize(key, before), Normalize(key, value), StringComparison.Ordinal))
                yield return new FieldChange(key, before, value);
        }
    }

    // Line endings are not content (environment config, DS stores what it was given); JSON maps compare canonically.
    private static string Normalize(string key, string? value)
    {
        if (value is null) return "";
        var text = value.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n');
        if (key == "other" && text.StartsWith('{'))
        {
            try { return CanonicalJson.Canonicalize(JsonNode.Parse(text)); }
            catch (System.Text.Json.JsonException) { }
        }
        return text;
    }
}
