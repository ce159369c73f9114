using System.Collections.Immutable;
using DsOps.Engine.Api;
using DsOps.Engine.Apply;
using DsOps.Engine.Planning;
using DsOps.Engine.Specs.Loading;
using DsOps.Engine.Specs.Model;

namespace DsOps.Engine.Clusters.Comparison;

/// <summary>How one thing differs between the reference and the difference cluster.</summary>
public enum ClusterChange { Different, OnlyInReference, OnlyInDifference }

/// <summary>One difference between two clusters: a resource or workflow field, or a thing only one side has.</summary>
public sealed class DsClusterDifference
{
    /// <summary>Queue, Tenant, User, WorkerGroup, Environment, DataSource, AlertInstance, AlertGroup, Project, File, Workflow or Task.</summary>
    public required string Kind { get; init; }
    /// <summary>The name both sides share after the environment mapping (logical name), e.g. project/workflow/task.</summary>
    public required string Name { get; init; }
    public required ClusterChange Change { get; init; }
    /// <summary>The field that differs (null for OnlyIn... rows).</summary>
    public string? Field { get; init; }
    /// <summary>The value on the reference cluster (secrets masked).</summary>
    public string? ReferenceValue { get; init; }
    /// <summary>The value on the difference cluster (secrets masked).</summary>
    public string? DifferenceValue { get; init; }
    /// <summary>The name on each cluster when the mapping renames it (e.g. worker group 'uat' vs 'prod').</summary>
    public string? ReferenceName { get; init; }
    public string? DifferenceName { get; init; }

    public override string ToString() => $"{Kind} {Name}: " + Change switch
    {
        ClusterChange.OnlyInReference => "only in the reference",
        ClusterChange.OnlyInDifference => "only in the difference",
        _ => $"{Field}: {ReferenceValue ?? "(unset)"} -> {DifferenceValue ?? "(unset)"}",
    };
}

/// <summary>What to compare and how names map (the environments file's entries of the two clusters).</summary>
public sealed record ClusterComparisonOptions
{
    /// <summary>Mapping of the reference cluster (logical name -> that cluster's name), e.g. UAT.</summary>
    public EnvironmentOverlay? ReferenceMapping { get; init; }
    /// <summary>Mapping of the difference cluster, e.g. PROD.</summary>
    public EnvironmentOverlay? DifferenceMapping { get; init; }
    /// <summary>Projects whose workflows are compared (null = every project).</summary>
    public IReadOnlyCollection<string>? Projects { get; init; }
    public bool IncludeWorkflows { get; init; } = true;
    public bool IncludeResources { get; init; } = true;
}

/// <summary>One cluster read for comparison: resources as field maps by kind and logical name, workflows as specs.</summary>
internal sealed class ClusterSnapshot
{
    /// <summary>Kind -> logical name -> (cluster name, fields).</summary>
    public Dictionary<string, SortedDictionary<string, (string ClusterName, SortedDictionary<string, string?> Fields)>> Resources { get; } = new(StringComparer.Ordinal);
    public IReadOnlyList<WorkflowSpec> Workflows { get; init; } = Array.Empty<WorkflowSpec>();

    internal void Add(string kind, string logical, string clusterName, SortedDictionary<string, string?> fields)
    {
        if (!Resources.TryGetValue(kind, out var byName)) Resources[kind] = byName = new(StringComparer.Ordinal);
        byName[logical] = (clusterName, fields);
    }
}

/// <summary>
/// Compares two clusters (e.g. UAT and PROD) resource by resource and workflow by workflow, field by field, through
/// the environment mapping: each side's names are first turned back into the logical names of the environments
/// file (the inverse of its mapping), and global parameters the mapping sets are compared as "(mapped)", so that
/// differences the mapping explains are not reported. Resources are read by the same reader as cluster config
/// (<see cref="ClusterStateReader"/>), so every kind cluster.yaml manages is compared with the fields it has: queues,
/// tenants, users, worker groups, environments, data sources, alert plugin instances (with their plugin settings),
/// alert groups (their instances by name), projects (with the users granted them) and resource-center files (by
/// SHA-256 of the content when the sizes are equal, else by size). Secrets are never read as values into the
/// comparison: a secret DS returns (an alert plugin's webhook secret) is compared by a keyed fingerprint that is
/// only comparable within one run; secrets DS does not return (passwords) cannot be compared. Workflow fields are
/// the plan's fields (SpecFields), reused through the planner.
/// </summary>
internal static class ClusterComparer
{
    /// <summary>Resource kinds in dependency order (the order of the report), then workflows and tasks.</summary>
    public static readonly string[] Kinds =
        Enum.GetValues<ClusterResourceKind>().Select(k => k.ToString()).Concat(new[] { "Workflow", "Task" }).ToArray();

    public static async Task<IReadOnlyList<DsClusterDifference>> CompareAsync(DsClient reference, DsClient difference, ClusterComparisonOptions? options = null,
        IProgress<string>? progress = null, CancellationToken ct = default)
    {
        options ??= new ClusterComparisonOptions();
        progress?.Report("reading the reference cluster");
        var leftState = options.IncludeResources ? await ClusterStateReader.ReadAsync(reference, null, ct).ConfigureAwait(false) : null;
        var left = await ReadAsync(reference, options.ReferenceMapping, options, leftState, ct).ConfigureAwait(false);
        progress?.Report("reading the difference cluster");
        var rightState = options.IncludeResources ? await ClusterStateReader.ReadAsync(difference, null, ct).ConfigureAwait(false) : null;
        var right = await ReadAsync(difference, options.DifferenceMapping, options, rightState, ct).ConfigureAwait(false);
        if (leftState is not null && rightState is not null)
        {
            // Files of equal size on both sides are downloaded and hashed (different sizes already tell them apart).
            var same = leftState.Files.Values.Where(f => rightState.Files.TryGetValue(f.Name, out var g) && g.Size == f.Size).Select(f => f.Name).ToList();
            if (same.Count > 0) progress?.Report($"hashing {same.Count} file(s) of equal size");
            foreach (var name in same)
            {
                var a = ClusterConfigReader.Sha256(await ClusterResourceFiles.DownloadAsync(reference, leftState, name, ct).ConfigureAwait(false));
                var b = ClusterConfigReader.Sha256(await ClusterResourceFiles.DownloadAsync(difference, rightState, name, ct).ConfigureAwait(false));
                left.Resources["File"][name].Fields["sha256"] = a;
                right.Resources["File"][name].Fields["sha256"] = b;
            }
        }
        return Compare(left, right);
    }

    /// <summary>Reads one cluster and turns its names into logical names through <paramref name="mapping"/> (files by size only).</summary>
    public static async Task<ClusterSnapshot> ReadAsync(DsClient client, EnvironmentOverlay? mapping, ClusterComparisonOptions options, CancellationToken ct = default) =>
        await ReadAsync(client, mapping, options, options.IncludeResources ? await ClusterStateReader.ReadAsync(client, null, ct).ConfigureAwait(false) : null, ct).ConfigureAwait(false);

    private static async Task<ClusterSnapshot> ReadAsync(DsClient client, EnvironmentOverlay? mapping, ClusterComparisonOptions options, ClusterServerState? state, CancellationToken ct)
    {
        var names = new EnvironmentMappingInverse(mapping);
        IReadOnlyList<WorkflowSpec> workflows = Array.Empty<WorkflowSpec>();
        if (options.IncludeWorkflows)
        {
            var projects = new List<string>();
            await foreach (var p in client.GetProjectsAsync(null, ct).ConfigureAwait(false)) projects.Add(p.Name);
            var scope = options.Projects is null ? projects : projects.Where(options.Projects.Contains).ToList();
            var snapshot = await DsServerSnapshot.ReadAsync(client, scope, ct).ConfigureAwait(false);
            workflows = snapshot.Workflows.Select(w => names.Workflow(w, mapping)).ToList();
        }
        var result = new ClusterSnapshot { Workflows = workflows };
        if (state is not null) AddResources(result, state.Config, names);
        return result;
    }

    /// <summary>Each resource under its logical name, with the names it refers to mapped as well; secrets as fingerprints.</summary>
    public static void AddResources(ClusterSnapshot into, ClusterConfig resources, EnvironmentMappingInverse names)
    {
        static string MapList(string? list, Func<string, string> map) =>
            string.Join(",", (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(map).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        foreach (var r in resources.Resources)
        {
            var fields = new SortedDictionary<string, string?>(StringComparer.Ordinal);
            foreach (var (k, v) in r.Fields) fields[k] = v.Length == 0 ? null : v;
            foreach (var (k, digest) in r.SecretDigests) fields[k] = "(secret " + digest + ")";
            string logical;
            switch (r.Kind)
            {
                case ClusterResourceKind.Tenant: logical = names.Tenant(r.Name); break;
                case ClusterResourceKind.User:
                    logical = r.Name;
                    if (r.Field("tenant") is { } tenant) fields["tenant"] = names.Tenant(tenant);
                    break;
                case ClusterResourceKind.WorkerGroup: logical = names.WorkerGroup(r.Name); break;
                case ClusterResourceKind.Environment:
                    logical = names.Environment(r.Name);
                    if (r.Field("workerGroups") is { } groups) fields["workerGroups"] = MapList(groups, names.WorkerGroup);
                    if (fields.TryGetValue("config", out var config) && config is not null) fields["config"] = config.Replace("\r\n", "\n", StringComparison.Ordinal).Trim();
                    break;
                case ClusterResourceKind.DataSource: logical = names.DataSource(r.Name); break;
                case ClusterResourceKind.AlertGroup: logical = names.AlertGroup(r.Name); break;
                default: logical = r.Name; break;
            }
            into.Add(r.Kind.ToString(), logical, r.Name, fields);
        }
    }

    /// <summary>The differences between two snapshots, resources first (dependency order), then workflows and tasks.</summary>
    public static IReadOnlyList<DsClusterDifference> Compare(ClusterSnapshot reference, ClusterSnapshot difference)
    {
        var result = new List<DsClusterDifference>();
        foreach (var kind in Kinds)
        {
            var left = reference.Resources.GetValueOrDefault(kind);
            var right = difference.Resources.GetValueOrDefault(kind);
            if (left is null && right is null) continue;
            left ??= new(StringComparer.Ordinal);
            right ??= new(StringComparer.Ordinal);
            foreach (var name in left.Keys.Union(right.Keys).Order(StringComparer.Ordinal))
            {
                var hasL = left.TryGetValue(name, out var l);
                var hasR = right.TryGetValue(name, out var r);
                if (!hasR) { result.Add(new DsClusterDifference { Kind = kind, Name = name, Change = ClusterChange.OnlyInReference, ReferenceName = l.ClusterName }); continue; }
                if (!hasL) { result.Add(new DsClusterDifference { Kind = kind, Name = name, Change = ClusterChange.OnlyInDifference, DifferenceName = r.ClusterName }); continue; }
                foreach (var field in l.Fields.Keys.Union(r.Fields.Keys).Order(StringComparer.Ordinal))
                {
                    var a = l.Fields.GetValueOrDefault(field);
                    var b = r.Fields.GetValueOrDefault(field);
                    if (string.Equals(a, b, StringComparison.Ordinal)) continue;
                    result.Add(new DsClusterDifference
                    {
                        Kind = kind, Name = name, Change = ClusterChange.Different, Field = field, ReferenceValue = a, DifferenceValue = b,
                        ReferenceName = l.ClusterName, DifferenceName = r.ClusterName,
                    });
                }
            }
        }
        result.AddRange(CompareWorkflows(reference.Workflows, difference.Workflows));
        return result;
    }

    /// <summary>Workflows through the planner: the reference as desired, the difference as current, every workflow in scope.</summary>
    private static IEnumerable<DsClusterDifference> CompareWorkflows(IReadOnlyList<WorkflowSpec> reference, IReadOnlyList<WorkflowSpec> difference)
    {
        var referenceProjects = reference.Select(w => w.Project).ToHashSet(StringComparer.Ordinal);
        var plan = WorkflowPlanner.Plan(reference, difference, new PlanOptions { Prune = true });
        var wholeWorkflow = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in plan.Items)
        {
            if (item.Level == PlanLevel.Project) continue;
            var workflowKey = item.Project + "/" + item.Workflow;
            if (item.Level == PlanLevel.Workflow && item.Action is PlanAction.Create or PlanAction.Delete) wholeWorkflow.Add(workflowKey);
            else if (item.Level == PlanLevel.Task && wholeWorkflow.Contains(workflowKey)) continue;
            var kind = item.Level == PlanLevel.Workflow ? "Workflow" : "Task";
            switch (item.Action)
            {
                case PlanAction.Create:
                    yield return new DsClusterDifference { Kind = kind, Name = item.Target, Change = ClusterChange.OnlyInReference };
                    break;
                case PlanAction.Delete:
                    yield return new DsClusterDifference { Kind = kind, Name = item.Target, Change = ClusterChange.OnlyInDifference };
                    break;
                default:
                    foreach (var c in item.Changes)
                        yield return new DsClusterDifference { Kind = kind, Name = item.Target, Change = ClusterChange.Different, Field = c.Field, ReferenceValue = c.After, DifferenceValue = c.Before };
                    break;
            }
        }
        // Workflows of projects only the difference cluster has (the planner's scope is the reference's projects).
        foreach (var w in difference.Where(w => !referenceProjects.Contains(w.Project)).OrderBy(w => w.Key, StringComparer.Ordinal))
            yield return new DsClusterDifference { Kind = "Workflow", Name = w.Key, Change = ClusterChange.OnlyInDifference };
    }
}

/// <summary>
/// A cluster's names turned back into the logical names of the environments file: the inverse of its mapping
/// (used by Compare-DsCluster and Copy-DsWorkflow). A cluster name two logical names map to goes back to the first.
/// </summary>
internal sealed class EnvironmentMappingInverse
{
    private readonly Dictionary<string, string> _dataSources, _workerGroups, _tenants, _alertGroups, _environments;

    public EnvironmentMappingInverse(EnvironmentOverlay? mapping)
    {
        static Dictionary<string, string> Invert(IReadOnlyDictionary<string, string>? map)
        {
            var d = new Dictionary<string, string>(StringComparer.Ordinal);
            if (map is not null) foreach (var (logical, cluster) in map.OrderBy(m => m.Key, StringComparer.Ordinal)) d.TryAdd(cluster, logical);
            return d;
        }
        _dataSources = Invert(mapping?.DataSources);
        _workerGroups = Invert(mapping?.WorkerGroups);
        _tenants = Invert(mapping?.Tenants);
        _alertGroups = Invert(mapping?.AlertGroups);
        _environments = Invert(mapping?.Environments);
    }

    public string DataSource(string n) => _dataSources.GetValueOrDefault(n) ?? n;
    public string WorkerGroup(string n) => _workerGroups.GetValueOrDefault(n) ?? n;
    public string Tenant(string n) => _tenants.GetValueOrDefault(n) ?? n;
    public string AlertGroup(string n) => _alertGroups.GetValueOrDefault(n) ?? n;
    public string Environment(string n) => _environments.GetValueOrDefault(n) ?? n;
    private string? Opt(string? n, Func<string, string> map) => n is null ? null : map(n);

    /// <summary>
/// The workflow with logical names. With <paramref name="parameterMapping"/>, a global parameter whose value is the
/// one that mapping sets is replaced by "(mapped)" (comparison); without, values are kept.
/// </summary>
public WorkflowSpec Workflow(WorkflowSpec w, EnvironmentOverlay? parameterMapping) => w with
    {
        Tenant = Opt(w.Tenant, Tenant),
        // A global parameter whose value is the one the mapping sets for this cluster is compared as "(mapped)".
        Parameters = w.Parameters.Select(p => parameterMapping is not null && parameterMapping.Parameters.TryGetValue(p.Name, out var v) && v == p.Value ? p with { Value = "(mapped)" } : p).ToImmutableArray(),
        Schedule = w.Schedule is null ? null : w.Schedule with
        {
            WorkerGroup = WorkerGroup(w.Schedule.WorkerGroup), Environment = Opt(w.Schedule.Environment, Environment), WarningGroup = Opt(w.Schedule.WarningGroup, AlertGroup),
        },
        Tasks = w.Tasks.Select(t => t with
        {
            WorkerGroup = WorkerGroup(t.WorkerGroup),
            Environment = Opt(t.Environment, Environment),
            DataSource = Opt(t.DataSource, DataSource),
            DataTarget = Opt(t.DataTarget, DataSource),
        }).ToImmutableArray(),
    };
}
