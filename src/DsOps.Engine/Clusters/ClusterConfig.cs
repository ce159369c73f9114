using System.Collections.Immutable;
using DsOps.Engine.Specs.Model;
using DsOps.Engine.Specs.Validation;

namespace DsOps.Engine.Clusters;

/// <summary>
/// The kinds of cluster resources, in dependency order: a resource may only refer to kinds before it (tenants name
/// queues, users name tenants, environments name worker groups, k8s namespaces name k8s clusters, alert groups name
/// alert instances, projects name users, files are uploaded last). Creates and updates run in this order, deletes in the reverse order.
/// </summary>
public enum ClusterResourceKind
{
    Queue,
    Tenant,
    User,
    WorkerGroup,
    Environment,
    /// <summary>A k8s cluster DS knows (3.1+: /cluster routes); its config (kube config) is a secret.</summary>
    K8sCluster,
    /// <summary>A namespace of a k8s cluster, named "cluster/namespace" (3.1+).</summary>
    K8sNamespace,
    DataSource,
    AlertInstance,
    AlertGroup,
    Project,
    File,
}

/// <summary>
/// Where a secret comes from: an environment variable (<c>${env:NAME}</c>, as in workflow specs) or a
/// SecretManagement secret (<c>${secret:NAME}</c>). Only the reference is ever kept in the model, in plans and in
/// exports; the value is resolved at apply time and registered for masking.
/// </summary>
public sealed record SecretReference(SecretSource Source, string Name)
{
    public override string ToString() => Source == SecretSource.Environment ? "${env:" + Name + "}" : "${secret:" + Name + "}";

    /// <summary>Parses <c>${env:NAME}</c> or <c>${secret:NAME}</c> (the whole text); null when the text is not one.</summary>
    public static SecretReference? TryParse(string? text)
    {
        if (text is null || !text.EndsWith('}')) return null;
        SecretSource source;
        string name;
        if (text.StartsWith("${env:", StringComparison.Ordinal)) { source = SecretSource.Environment; name = text[6..^1]; }
        else if (text.StartsWith("${secret:", StringComparison.Ordinal)) { source = SecretSource.SecretManagement; name = text[9..^1]; }
        else return null;
        return name.Length > 0 && name.All(c => char.IsLetterOrDigit(c) || c is '_' or '-' or '.') ? new SecretReference(source, name) : null;
    }
}

public enum SecretSource
{
    Environment,
    SecretManagement,
}

/// <summary>
/// One cluster resource as config: its kind, name and fields. Fields are text in canonical form (lists that DS
/// keeps unordered are sorted and comma-joined, maps are canonical JSON), so two resources compare field by field
/// with string equality. Secret fields hold only a <see cref="SecretReference"/>.
/// </summary>
public sealed record ClusterResource
{
    public required ClusterResourceKind Kind { get; init; }
    public required string Name { get; init; }

    /// <summary>Non-secret fields by their cluster.yaml key (ordinal order).</summary>
    public ImmutableSortedDictionary<string, string> Fields { get; init; } = ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal);

    /// <summary>Secret fields by key (password, webhook secret...): references only.</summary>
    public ImmutableSortedDictionary<string, SecretReference> Secrets { get; init; } = ImmutableSortedDictionary.Create<string, SecretReference>(StringComparer.Ordinal);

    /// <summary>
    /// Read from a server only: secret field → keyed digest of the value DS returned (<see cref="ClusterStateReader.SecretDigest"/>),
    /// for fields DS returns at all (alert plugin params do, data-source passwords come back masked). Compare-DsCluster
    /// compares these by equality; they are never written to an export, a plan, a state file or a fingerprint.
    /// </summary>
    public ImmutableSortedDictionary<string, string> SecretDigests { get; init; } = ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal);

    /// <summary>Where it was declared (cluster.yaml line) or nothing when read from a server.</summary>
    public SourceLocation Location { get; init; }

    /// <summary>Files only: the local file to upload (absolute path), when read from config.</summary>
    public string? LocalPath { get; init; }

    /// <summary>"KIND/name", unique in a config.</summary>
    public string Key => Kind + "/" + Name;

    public string? Field(string key) => Fields.TryGetValue(key, out var v) ? v : null;

    public override string ToString() => Key;
}

/// <summary>A cluster as config: every resource, in dependency order, plus the config file it came from.</summary>
public sealed class ClusterConfig
{
    public ClusterConfig(IEnumerable<ClusterResource> resources, string? file = null, IEnumerable<SpecFinding>? warnings = null)
    {
        Warnings = (warnings ?? Array.Empty<SpecFinding>()).ToImmutableArray();
        Resources = resources.OrderBy(r => r.Kind).ThenBy(r => r.Name, StringComparer.Ordinal).ToImmutableArray();
        File = file;
    }

    public ImmutableArray<ClusterResource> Resources { get; }
    public string? File { get; }

    /// <summary>Warnings of the reader (names of resources the config does not declare).</summary>
    public ImmutableArray<SpecFinding> Warnings { get; }

    public IEnumerable<ClusterResource> OfKind(ClusterResourceKind kind) => Resources.Where(r => r.Kind == kind);

    public ClusterResource? Find(ClusterResourceKind kind, string name) =>
        Resources.FirstOrDefault(r => r.Kind == kind && string.Equals(r.Name, name, StringComparison.Ordinal));

    /// <summary>The cluster.yaml section name of each kind.</summary>
    public static string SectionOf(ClusterResourceKind kind) => kind switch
    {
        ClusterResourceKind.Queue => "queues",
        ClusterResourceKind.Tenant => "tenants",
        ClusterResourceKind.User => "users",
        ClusterResourceKind.WorkerGroup => "workerGroups",
        ClusterResourceKind.Environment => "environments",
        ClusterResourceKind.K8sCluster => "k8sClusters",
        ClusterResourceKind.K8sNamespace => "k8sNamespaces",
        ClusterResourceKind.DataSource => "dataSources",
        ClusterResourceKind.AlertInstance => "alertInstances",
        ClusterResourceKind.AlertGroup => "alertGroups",
        ClusterResourceKind.Project => "projects",
        ClusterResourceKind.File => "files",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
