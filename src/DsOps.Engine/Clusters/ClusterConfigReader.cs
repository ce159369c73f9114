using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using DsOps.Engine.Planning;
using DsOps.Engine.Specs.Documents;
using DsOps.Engine.Specs.Model;
using DsOps.Engine.Specs.Validation;

namespace DsOps.Engine.Clusters;

/// <summary>How one key of a cluster.yaml resource is read.</summary>
internal enum FieldShape
{
    /// <summary>A scalar kept as text.</summary>
    Text,
    /// <summary>A sequence of scalars DS keeps unordered: sorted, comma-joined.</summary>
    Set,
    /// <summary>A mapping of scalars: canonical JSON.</summary>
    Map,
    /// <summary>A secret: only <c>${env:NAME}</c> or <c>${secret:NAME}</c> is accepted.</summary>
    Secret,
    /// <summary>A mapping whose entries become fields "key.entry"; entries may be secret references.</summary>
    Nested,
}

/// <summary>
/// Reads cluster.yaml (docs/clusters-as-config.md) through <see cref="SafeYamlReader"/> (no types instantiated,
/// duplicate keys refused, alias budget) into a <see cref="ClusterConfig"/>. Every error names the file and line;
/// all errors of a file are reported together (<c>DsClusterConfigInvalid</c>). Secrets must be references: a
/// literal password, key or webhook secret in the file is refused, so the file can be committed.
/// </summary>
public static class ClusterConfigReader
{
    internal static readonly IReadOnlyDictionary<ClusterResourceKind, IReadOnlyDictionary<string, FieldShape>> Schema =
        new Dictionary<ClusterResourceKind, IReadOnlyDictionary<string, FieldShape>>
        {
            [ClusterResourceKind.Queue] = Keys(("queue", FieldShape.Text)),
            [ClusterResourceKind.Tenant] = Keys(("queue", FieldShape.Text), ("description", FieldShape.Text)),
            [ClusterResourceKind.User] = Keys(("email", FieldShape.Text), ("tenant", FieldShape.Text), ("queue", FieldShape.Text), ("phone", FieldShape.Text),
                ("enabled", FieldShape.Text), ("password", FieldShape.Secret)),
            [ClusterResourceKind.WorkerGroup] = Keys(("addresses", FieldShape.Set), ("description", FieldShape.Text)),
            [ClusterResourceKind.Environment] = Keys(("config", FieldShape.Text), ("description", FieldShape.Text), ("workerGroups", FieldShape.Set)),
            // The cluster's config holds the kube config (credentials): a secret reference, never compared.
            [ClusterResourceKind.K8sCluster] = Keys(("config", FieldShape.Secret), ("description", FieldShape.Text)),
            // Named "cluster/namespace": nothing else is managed (3.2+ namespaces have no other fields).
            [ClusterResourceKind.K8sNamespace] = Keys(),
            // Data sources take any further scalar key (each DS type has its own: principal, mode, privateKey...).
            [ClusterResourceKind.DataSource] = Keys(("type", FieldShape.Text), ("note", FieldShape.Text), ("host", FieldShape.Text), ("port", FieldShape.Text),
                ("database", FieldShape.Text), ("userName", FieldShape.Text), ("other", FieldShape.Map), ("password", FieldShape.Secret), ("testConnection", FieldShape.Text)),
            [ClusterResourceKind.AlertInstance] = Keys(("plugin", FieldShape.Text), ("warningType", FieldShape.Text), ("instanceType", FieldShape.Text), ("params", FieldShape.Nested)),
            [ClusterResourceKind.AlertGroup] = Keys(("description", FieldShape.Text), ("instances", FieldShape.Set)),
            [ClusterResourceKind.Project] = Keys(("description", FieldShape.Text), ("users", FieldShape.Set)),
            [ClusterResourceKind.File] = Keys(("source", FieldShape.Text)),
        };

    /// <summary>Required keys per kind (besides name).</summary>
    private static readonly IReadOnlyDictionary<ClusterResourceKind, string[]> Required = new Dictionary<ClusterResourceKind, string[]>
    {
        [ClusterResourceKind.User] = new[] { "email", "tenant", "password" },
        [ClusterResourceKind.WorkerGroup] = new[] { "addresses" },
        [ClusterResourceKind.Environment] = new[] { "config" },
        [ClusterResourceKind.K8sCluster] = new[] { "config" },
        [ClusterResourceKind.DataSource] = new[] { "type" },
        [ClusterResourceKind.AlertInstance] = new[] { "plugin" },
        [ClusterResourceKind.File] = new[] { "source" },
    };

    /// <summary>Fields that are options of DsOps, not state of DS (never compared).</summary>
    public static readonly IReadOnlySet<string> OptionFields = new HashSet<string>(StringComparer.Ordinal) { "testConnection", "source" };

    private static IReadOnlyDictionary<string, FieldShape> Keys(params (string, FieldShape)[] keys) =>
        keys.ToDictionary(k => k.Item1, k => k.Item2, StringComparer.Ordinal);

    /// <summary>Field names whose values are secrets wherever they appear (data sources, alert plugin params).</summary>
    public static bool IsSecretField(string key)
    {
        var leaf = key[(key.LastIndexOf('.') + 1)..];
        // publicKey: before 3.4 the SSH data source kept its private key under that name (docs/ds-facts.md §3.10).
        return SecretRedactor.IsSensitive(leaf) || leaf.Equals("webhook", StringComparison.OrdinalIgnoreCase) || leaf.Equals("botToken", StringComparison.OrdinalIgnoreCase)
               || leaf.Equals("publicKey", StringComparison.OrdinalIgnoreCase);
    }

    public static ClusterConfig ReadFile(string path)
    {
        var full = Path.GetFullPath(path);
        if (!System.IO.File.Exists(full))
            throw new DsOpsException(DsErrorKind.NotFound, "DsClusterConfigNotFound", $"Cluster config '{path}' does not exist.");
        var root = SafeYamlReader.ReadFile(full);
        return Read(root, full);
    }

    public static ClusterConfig Read(string yaml, string? file) => Read(SafeYamlReader.Read(yaml, file), file);

    private static ClusterConfig Read(SpecNode? root, string? file)
    {
        var sink = new FindingSink();
        var resources = new List<ClusterResource>();
        if (root is null) return new ClusterConfig(resources, file);
        if (root is not SpecMapping map)
        {
            sink.Error("ClusterConfigShape", root.Location, "a cluster config is a mapping of sections (tenants:, users:, dataSources: ...).");
            throw Invalid(file, sink);
        }
        var sections = Enum.GetValues<ClusterResourceKind>().ToDictionary(ClusterConfig.SectionOf, k => k, StringComparer.Ordinal);
        foreach (var (key, value) in map.Entries)
        {
            if (key.Value == "cluster" || key.Value == "description") continue; // free-form label of the file
            if (!sections.TryGetValue(key.Value ?? "", out var kind))
            {
                sink.Error("ClusterConfigUnknownKey", key.Location, $"unknown section '{key.Value}'; expected one of: cluster, {string.Join(", ", sections.Keys)}.");
                continue;
            }
            if (value is SpecScalar { IsNull: true }) continue;
            if (value is not SpecSequence seq)
            {
                sink.Error("ClusterConfigShape", value.Location, $"'{key.Value}' is a list of {kind} entries.");
                continue;
            }
            foreach (var item in seq.Items) ReadResource(kind, item, file, sink, resources);
        }
        foreach (var dup in resources.GroupBy(r => r.Key).Where(g => g.Count() > 1))
            sink.Error("ClusterConfigDuplicate", dup.Last().Location, $"{dup.First().Kind} '{dup.First().Name}' is declared twice (first at line {dup.First().Location.Line}).");
        CheckReferences(new ClusterConfig(resources, file), sink);
        if (sink.Items.Any(f => f.Severity == SpecSeverity.Error)) throw Invalid(file, sink);
        return new ClusterConfig(resources, file, sink.Items);
    }

    private static void ReadResource(ClusterResourceKind kind, SpecNode node, string? file, FindingSink sink, List<ClusterResource> into)
    {
        if (node is not SpecMapping m)
        {
            sink.Error("ClusterConfigShape", node.Location, $"each {ClusterConfig.SectionOf(kind)} entry is a mapping with at least 'name'.");
            return;
        }
        var schema = Schema[kind];
        string? name = null;
        var fields = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        var secrets = ImmutableSortedDictionary.CreateBuilder<string, SecretReference>(StringComparer.Ordinal);
        foreach (var (k, v) in m.Entries)
        {
            var key = k.Value ?? "";
            if (key == "name")
            {
                name = Scalar(v, sink, "name");
                continue;
            }
            if (!schema.TryGetValue(key, out var shape))
            {
                if (kind != ClusterResourceKind.DataSource)
                {
                    sink.Error("ClusterConfigUnknownKey", k.Location, $"unknown key '{key}' for {kind}; expected name, {string.Join(", ", schema.Keys)}.");
                    continue;
                }
                shape = IsSecretField(key) ? FieldShape.Secret : FieldShape.Text;
            }
            switch (shape)
            {
                case FieldShape.Text:
                    if (Scalar(v, sink, key) is { } text)
                    {
                        if (SecretReference.TryParse(text) is { } r) secrets[key] = r;
                        else fields[key] = text;
                    }
                    break;
                case FieldShape.Secret:
                    SecretField(key, v, sink, secrets);
                    break;
                case FieldShape.Set:
                    if (v is SpecSequence s)
                        fields[key] = string.Join(",", s.Items.Select(i => Scalar(i, sink, key) ?? "").Where(x => x.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
                    else if (Scalar(v, sink, key) is { } one) fields[key] = string.Join(",", one.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal));
                    break;
                case FieldShape.Map:
                    if (v is SpecMapping mm)
                        fields[key] = CanonicalJson.Canonicalize(new JsonObject(mm.Entries.Select(e => KeyValuePair.Create(e.Key.Value!, (JsonNode?)JsonValue.Create(Scalar(e.Value, sink, key + "." + e.Key.Value))))));
                    else sink.Error("ClusterConfigShape", v.Location, $"'{key}' is a mapping of names to values.");
                    break;
                case FieldShape.Nested:
                    if (v is not SpecMapping nested)
                    {
                        sink.Error("ClusterConfigShape", v.Location, $"'{key}' is a mapping of names to values.");
                        break;
                    }
                    foreach (var (nk, nv) in nested.Entries)
                    {
                        var full = key + "." + nk.Value;
                        var entry = Scalar(nv, sink, full);
                        if (entry is null) continue;
                        if (SecretReference.TryParse(entry) is { } r) secrets[full] = r;
                        else if (IsSecretField(full) && entry.Length > 0)
                            sink.Error("ClusterConfigLiteralSecret", nv.Location, $"'{full}' holds a secret: write it as ${{env:NAME}} or ${{secret:NAME}}, never as a value in the file.");
                        else fields[full] = entry;
                    }
                    break;
            }
        }
        if (string.IsNullOrWhiteSpace(name))
        {
            sink.Error("ClusterConfigMissingKey", m.Location, $"a {kind} entry needs 'name'.");
            return;
        }
        foreach (var req in Required.GetValueOrDefault(kind, Array.Empty<string>()))
            if (!fields.ContainsKey(req) && !secrets.ContainsKey(req))
                sink.Error("ClusterConfigMissingKey", m.Location, $"{kind} '{name}' needs '{req}'.");
        string? localPath = null;
        if (kind == ClusterResourceKind.File && fields.TryGetValue("source", out var source))
        {
            localPath = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file is null ? "." : Path.GetFullPath(file)) ?? ".", source));
            if (!System.IO.File.Exists(localPath))
                sink.Error("ClusterConfigFileMissing", m.Location, $"file '{name}': source '{source}' does not exist ({localPath}).");
            else fields["sha256"] = Sha256(localPath);
            if (name!.Contains("..", StringComparison.Ordinal) || name.StartsWith('/'))
                sink.Error("ClusterConfigShape", m.Location, $"file name '{name}' must be a relative path in the resource center without '..'.");
        }
        if (kind == ClusterResourceKind.Queue && !fields.ContainsKey("queue")) fields["queue"] = name!;
        if (kind == ClusterResourceKind.K8sNamespace && name!.Trim().Split('/') is var parts && (parts.Length != 2 || parts.Any(p => p.Length == 0)))
            sink.Error("ClusterConfigShape", m.Location, $"k8s namespace '{name}' is written 'cluster/namespace' (the k8s cluster's name, a slash, the namespace).");
        into.Add(new ClusterResource
        {
            Kind = kind, Name = name!.Trim(), Fields = fields.ToImmutable(), Secrets = secrets.ToImmutable(), Location = m.Location, LocalPath = localPath,
        });
    }

    private static void SecretField(string key, SpecNode v, FindingSink sink, ImmutableSortedDictionary<string, SecretReference>.Builder secrets)
    {
        var text = Scalar(v, sink, key);
        if (text is null || text.Length == 0) return;
        if (SecretReference.TryParse(text) is { } r) secrets[key] = r;
        else sink.Error("ClusterConfigLiteralSecret", v.Location, $"'{key}' holds a secret: write it as ${{env:NAME}} or ${{secret:NAME}}, never as a value in the file.");
    }

    private static string? Scalar(SpecNode v, FindingSink sink, string key)
    {
        if (v is SpecScalar s) return s.Value;
        sink.Error("ClusterConfigShape", v.Location, $"'{key}' must be a single value, not a {v.Kind}.");
        return null;
    }

    /// <summary>Names that refer to other resources must exist in the config or be DS's built-ins ("default").</summary>
    private static void CheckReferences(ClusterConfig config, FindingSink sink)
    {
        void Need(ClusterResource r, string field, ClusterResourceKind target, params string[] builtIns)
        {
            if (r.Field(field) is not { Length: > 0 } value) return;
            foreach (var name in value.Split(','))
                if (config.Find(target, name) is null && !builtIns.Contains(name, StringComparer.Ordinal))
                    sink.Warning("ClusterConfigReference", r.Location,
                        $"{r.Kind} '{r.Name}' names {target} '{name}', which this config does not declare (it must already exist on the server).");
        }
        foreach (var r in config.Resources)
        {
            switch (r.Kind)
            {
                case ClusterResourceKind.Tenant: Need(r, "queue", ClusterResourceKind.Queue, "default"); break;
                case ClusterResourceKind.User: Need(r, "tenant", ClusterResourceKind.Tenant, "default"); break;
                case ClusterResourceKind.Environment: Need(r, "workerGroups", ClusterResourceKind.WorkerGroup, "default"); break;
                case ClusterResourceKind.AlertGroup: Need(r, "instances", ClusterResourceKind.AlertInstance); break;
                case ClusterResourceKind.Project: Need(r, "users", ClusterResourceKind.User, "admin"); break;
                case ClusterResourceKind.K8sNamespace when r.Name.Contains('/'):
                    var cluster = r.Name[..r.Name.IndexOf('/')];
                    if (config.Find(ClusterResourceKind.K8sCluster, cluster) is null)
                        sink.Warning("ClusterConfigReference", r.Location,
                            $"K8sNamespace '{r.Name}' names K8sCluster '{cluster}', which this config does not declare (it must already exist on the server).");
                    break;
            }
        }
    }

    /// <summary>"sha256:hex" of a file's bytes (the resource center comparison key).</summary>
    public static string Sha256(string path)
    {
        using var stream = System.IO.File.OpenRead(path);
        return "sha256:" + Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }

    public static string Sha256(byte[] content) => "sha256:" + Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant();

    private static DsOpsException Invalid(string? file, FindingSink sink) =>
        new(DsErrorKind.InvalidInput, "DsClusterConfigInvalid",
            $"Cluster config{(file is null ? "" : " '" + file + "'")} has errors:" + System.Environment.NewLine +
            string.Join(System.Environment.NewLine, sink.Items.Where(f => f.Severity == SpecSeverity.Error).Select(f => "  " + f.Location + ": " + f.Message)));

    internal static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
