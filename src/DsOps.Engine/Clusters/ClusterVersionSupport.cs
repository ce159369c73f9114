using DsOps.Engine.Dialects;

namespace DsOps.Engine.Clusters;

/// <summary>
/// What a DS version cannot take of a cluster config, checked before anything is planned or written, so that a
/// bootstrap against such a server stops with one clear error instead of half a cluster. The dialect decides.
/// </summary>
public static class ClusterVersionSupport
{
    /// <summary>
    /// Throws DsResourceCenterUnsupported when the config declares resource-center files and the server's resource
    /// center is id based (DS 3.0/3.1, docs/ds-facts.md §3.9): DsOps manages files only by full path (3.2 and later).
    /// Likewise DsK8sClustersUnsupported for k8s clusters and namespaces on DS 3.0. Everything else of a cluster config
    /// works on every supported version.
    /// </summary>
    public static void EnsureSupported(ClusterConfig config, DsDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(dialect);
        var k8s = config.Resources.Where(r => r.Kind is ClusterResourceKind.K8sCluster or ClusterResourceKind.K8sNamespace).ToList();
        if (k8s.Count > 0 && !dialect.K8sClustersAsResources)
            throw new DsOpsException(DsErrorKind.InvalidState, "DsK8sClustersUnsupported",
                $"{(k8s[0].Location.IsKnown ? k8s[0].Location + ": " : "")}the config declares k8s clusters or namespaces ({string.Join(", ", k8s.Select(r => r.Name))}), " +
                $"but {dialect.Version} names a namespace's cluster as text (DS 3.0), which DsOps does not manage; k8s clusters are supported on DS 3.1 and later " +
                "(docs/ds-facts.md §3.10). Remove the 'k8sClusters' and 'k8sNamespaces' sections to apply the rest (nothing was written).");
        var files = config.OfKind(ClusterResourceKind.File).ToList();
        if (files.Count == 0 || dialect.ResourceCenterByPath) return;
        var first = files[0].Location;
        throw new DsOpsException(DsErrorKind.InvalidState, "DsResourceCenterUnsupported",
            $"{(first.IsKnown ? first + ": " : "")}the config declares {files.Count} resource-center file(s) ({string.Join(", ", files.Select(f => f.Name))}), " +
            $"but {dialect.Version} has the id-based resource center of DS 3.0/3.1, which DsOps does not manage; files are supported on DS 3.2 and later. " +
            "Remove the 'files' section to apply the rest of the config to this server (nothing was written).");
    }
}
