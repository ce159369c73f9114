using System.Text.Json.Nodes;
using DsOps.Engine.Specs.Documents;
using DsOps.Engine.Specs.Model;

namespace DsOps.Engine.Clusters;

/// <summary>
/// Writes a <see cref="ClusterConfig"/> as cluster.yaml (Export-DsCluster) and computes its canonical fingerprint.
/// Secrets are written as their references only; the model never holds their values.
/// </summary>
public static class ClusterConfigWriter
{
    public const string Header = "DsOps cluster config. Schema: dsops-cluster.schema.json (see docs/clusters-as-config.md).";

    /// <summary>Fields an export leaves out: derived (size) or DsOps options.</summary>
    private static readonly HashSet<string> NotWritten = new(StringComparer.Ordinal) { "size", "sha256" };

    /// <param name="config">The config.</param>
    /// <param name="fileSource">For files: the 'source' path to write (relative to the cluster.yaml).</param>
    public static string Write(ClusterConfig config, Func<ClusterResource, string>? fileSource = null) =>
        YamlSpecWriter.Write(ToNode(config, fileSource), Header);

    internal static SpecNode ToNode(ClusterConfig config, Func<ClusterResource, string>? fileSource = null)
    {
        var sections = new List<KeyValuePair<SpecScalar, SpecNode>>();
        foreach (var group in config.Resources.GroupBy(r => r.Kind).OrderBy(g => g.Key))
            sections.Add(KeyValuePair.Create(Key(ClusterConfig.SectionOf(group.Key)),
                (SpecNode)new SpecSequence(group.Select(r => (SpecNode)Resource(r, fileSource)).ToList(), default)));
        return new SpecMapping(sections, default);
    }

    private static SpecMapping Resource(ClusterResource r, Func<ClusterResource, string>? fileSource)
    {
        var shapes = ClusterConfigReader.Schema[r.Kind];
        var entries = new List<KeyValuePair<SpecScalar, SpecNode>> { KeyValuePair.Create(Key("name"), (SpecNode)Str(r.Name)) };
        var nested = new SortedDictionary<string, List<KeyValuePair<SpecScalar, SpecNode>>>(StringComparer.Ordinal);
        var all = r.Fields.Select(f => (f.Key, Node: (SpecNode?)null, Value: f.Value))
            .Concat(r.Secrets.Select(s => (s.Key, Node: (SpecNode?)null, Value: s.Value.ToString())))
            .OrderBy(f => f.Key, StringComparer.Ordinal);
        foreach (var (key, _, value) in all)
        {
            if (NotWritten.Contains(key)) continue;
            var dot = key.IndexOf('.');
            if (dot > 0)
            {
                if (!nested.TryGetValue(key[..dot], out var list)) nested[key[..dot]] = list = new();
                list.Add(KeyValuePair.Create(Key(key[(dot + 1)..]), (SpecNode)Str(value)));
                continue;
            }
            var shape = shapes.TryGetValue(key, out var s) ? s : FieldShape.Text;
            SpecNode node = shape switch
            {
                FieldShape.Set => new SpecSequence(value.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(v => (SpecNode)Str(v)).ToList(), default),
                FieldShape.Map => CanonicalJson.ToSpecNode(JsonNode.Parse(value)),
                _ => Str(value),
            };
            entries.Add(KeyValuePair.Create(Key(key), node));
        }
        foreach (var (key, list) in nested) entries.Add(KeyValuePair.Create(Key(key), (SpecNode)new SpecMapping(list, default)));
        if (r.Kind == ClusterResourceKind.File && fileSource is not null && !r.Fields.ContainsKey("source"))
            entries.Add(KeyValuePair.Create(Key("source"), (SpecNode)Str(fileSource(r))));
        return new SpecMapping(entries, default);
    }

    /// <summary>"sha256:…" over the canonical JSON of every resource's fields and secret references.</summary>
    public static string Fingerprint(ClusterConfig config)
    {
        var root = new JsonArray(config.Resources.Select(r => (JsonNode)new JsonObject
        {
            ["key"] = r.Key,
            ["fields"] = new JsonObject(r.Fields.Select(f => KeyValuePair.Create(f.Key, (JsonNode?)JsonValue.Create(f.Value)))),
            ["secrets"] = new JsonObject(r.Secrets.Select(f => KeyValuePair.Create(f.Key, (JsonNode?)JsonValue.Create(f.Value.ToString())))),
        }).ToArray());
        return Planning.PlanFile.Sha256Of(CanonicalJson.Canonicalize(root));
    }

    private static SpecScalar Key(string k) => new(k, false, default);

    private static SpecScalar Str(string v) => new(v, false, default);
}
