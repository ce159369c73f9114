using System.Collections.Immutable;
using System.Text.Json.Nodes;
using DsOps.Engine.Planning;
using DsOps.Engine.Specs.Documents;
using DsOps.Engine.Specs.Model;
using DsOps.Engine.Specs.Validation;

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
    public ClusterPlan(IReadOnlyList<ClusterPlanItem> items, string currentFingerprint, string desiredFingerprint, bool prune, IReadOnlyList<string>? updateSecrets = null)
    {
        UpdateSecrets = updateSecrets ?? Array.Empty<string>();
        Items = items;
        CurrentFingerprint = currentFingerprint;
        DesiredFingerprint = desiredFingerprint;
        Prune = prune;
    }

    public IReadOnlyList<ClusterPlanItem> Items { get; }
    public string CurrentFingerprint { get; }
    public string DesiredFingerprint { get; }
    public bool Prune { get; }
    /// <summary>The -UpdateSecrets patterns the plan was made with (saved plans replay them).</summary>
    public IReadOnlyList<string> UpdateSecrets { get; }

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
    /// <summary>
    /// -UpdateSecrets: patterns ("*" and "?" wildcards, case-insensitive) of the resources whose secrets are re-sent from
    /// their sources although nothing else changed ("Kind/name" or the name alone; "*" = every resource with secrets).
    /// DS never returns secrets, so a rotated one cannot be seen as drift; this is how it is applied.
    /// </summary>
    public IReadOnlyList<string> UpdateSecrets { get; init; } = Array.Empty<string>();

    /// <summary>
    /// The fingerprint (<see cref="ClusterStateReader.SecretDigest"/>) of a secret reference's current value, or null
    /// when it cannot be resolved now. With it, secrets DS returns (alert plugin params, a k8s cluster's config) are
    /// compared by fingerprint, so a rotated one is planned without -UpdateSecrets; never by value.
    /// </summary>
    public Func<SecretReference, string?>? SecretDigest { get; init; }
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
/// secret is applied with Sync-DsCluster -UpdateSecrets, which plans "re-send" changes naming only the references);
/// files compare by SHA-256 of their content.
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
            diff = diff.AddRange(SecretChanges(want, have, options.SecretDigest));
            var resend = options.UpdateSecrets.Count > 0 && SecretTargets(new[] { want }, options.UpdateSecrets).Count > 0;
            if (resend)
                diff = diff.AddRange(want.Secrets.Where(sec => !diff.Any(c => c.Field == sec.Key))
                    .Select(sec => new FieldChange(sec.Key, SecretUnreadable, sec.Value + " " + SecretResent)));
            items.Add(new ClusterPlanItem(want.Kind, want.Name, diff.IsEmpty ? PlanAction.Unchanged : PlanAction.Update)
            {
                Changes = diff, Drift = drift && !diff.IsEmpty, Location = want.Location, Note = resend ? "secrets re-sent from their sources (-UpdateSecrets)" : null,
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
        return new ClusterPlan(ordered, ClusterConfigWriter.Fingerprint(current), ClusterConfigWriter.Fingerprint(desired), options.Prune, options.UpdateSecrets);
    }

    /// <summary>
    /// Checks of a config against the server's DS version (warnings: DS itself has the last word): a data-source type
    /// the version does not offer, or one DsOps has not verified for it, and the SSH key field of the other versions.
    /// </summary>
    public static IReadOnlyList<SpecFinding> CheckAgainstServer(ClusterConfig desired, Dialects.DsDialect dialect)
    {
        var sink = new FindingSink();
        var known = dialect.KnownDataSourceTypes;
        foreach (var ds in desired.OfKind(ClusterResourceKind.DataSource))
        {
            var type = ds.Field("type") ?? "";
            if (!known.Contains(type, StringComparer.Ordinal))
            {
                var upper = known.FirstOrDefault(k => k.Equals(type, StringComparison.OrdinalIgnoreCase));
                sink.Warning("ClusterDataSourceType", ds.Location, upper is not null
                    ? $"data source '{ds.Name}': type '{type}' is written '{upper}' in DS."
                    : dialect.DataSourceTypesComplete
                        ? $"data source '{ds.Name}': DS {dialect.Family} has no data-source type '{type}' (it offers {string.Join(", ", known)}); DS will refuse it."
                        : $"data source '{ds.Name}': type '{type}' is not among the types DsOps has verified for DS {dialect.Family} ({string.Join(", ", known)}; DS has more whose names are unverified); DS decides.");
            }
            if (type == "SSH")
            {
                var other = dialect.SshKeyField == "privateKey" ? "publicKey" : "privateKey";
                if (ds.Secrets.ContainsKey(other) || ds.Fields.ContainsKey(other))
                    sink.Warning("ClusterDataSourceSshKey", ds.Location, $"data source '{ds.Name}': DS {dialect.Family} calls the SSH key field '{dialect.SshKeyField}', not '{other}'.");
            }
        }
        return sink.Items;
    }

    /// <summary>Kinds whose list and get replies carry their secrets (DS stores alert plugin params in plain text; docs/ds-facts.md §3.10).</summary>
    private static readonly HashSet<ClusterResourceKind> SecretsReturned = new() { ClusterResourceKind.AlertInstance };

    /// <summary>
    /// Secrets compared without values: one the server returned is compared by fingerprint with the desired value's
    /// (when it resolves now); one the config declares and the server lacks, where DS returns that kind's secrets, is
    /// planned as set. The change names the reference only.
    /// </summary>
    private static IEnumerable<FieldChange> SecretChanges(ClusterResource want, ClusterResource have, Func<SecretReference, string?>? digestOf)
    {
        foreach (var (key, reference) in want.Secrets)
        {
            if (!have.SecretDigests.TryGetValue(key, out var serverDigest))
            {
                if (SecretsReturned.Contains(want.Kind)) yield return new FieldChange(key, null, reference.ToString());
                continue;
            }
            if (digestOf?.Invoke(reference) is { } mine && mine != serverDigest)
                yield return new FieldChange(key, SecretDiffers, reference + " " + SecretChanged);
        }
    }

    /// <summary>The "before" of a secret whose fingerprint differs from the desired value's.</summary>
    public const string SecretDiffers = "(secret, other value)";

    /// <summary>Marks the "after" of a secret whose value changed at its source.</summary>
    public const string SecretChanged = "(changed)";

    /// <summary>The "before" of a re-sent secret (its value is never shown).</summary>
    public const string SecretUnreadable = "(secret)";

    /// <summary>Marks the "after" of a re-sent secret (the reference, never the value).</summary>
    public const string SecretResent = "(re-sent)";

    /// <summary>
    /// The resources with secrets that -UpdateSecrets patterns select, by pattern. A pattern matches a resource's
    /// "Kind/name" or its name ("*" and "?" wildcards, case-insensitive).
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<ClusterResource>> SecretTargets(IEnumerable<ClusterResource> resources, IReadOnlyList<string> patterns)
    {
        var withSecrets = resources.Where(r => r.Secrets.Count > 0).ToList();
        var result = new Dictionary<string, IReadOnlyList<ClusterResource>>(StringComparer.Ordinal);
        foreach (var pattern in patterns)
        {
            var regex = new DsOps.Engine.Text.Wildcard(pattern);
            var matched = withSecrets.Where(r => regex.IsMatch(r.Key) || regex.IsMatch(r.Name)).ToList();
            if (matched.Count > 0) result[pattern] = matched;
        }
        return result;
    }

    /// <summary>Refuses -UpdateSecrets patterns that select no resource with secrets (a typo would otherwise rotate nothing).</summary>
    public static void CheckSecretTargets(ClusterConfig desired, IReadOnlyList<string> patterns)
    {
        var found = SecretTargets(desired.Resources, patterns);
        var unmatched = patterns.Where(p => !found.ContainsKey(p)).ToList();
        if (unmatched.Count > 0)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsClusterUpdateSecretsNoMatch",
                $"-UpdateSecrets {string.Join(", ", unmatched.Select(u => "'" + u + "'"))} selects no resource with secrets in '{desired.File}' " +
                $"(resources with secrets: {string.Join(", ", desired.Resources.Where(r => r.Secrets.Count > 0).Select(r => r.Key))}).");
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
