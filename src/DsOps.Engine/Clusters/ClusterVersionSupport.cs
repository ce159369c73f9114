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
    /// Everything else of a cluster config works on every supported version.
    /// </summary>
    public static void EnsureSupported(ClusterConfig config, DsDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(dialect);
        var files = config.OfKind(ClusterResourceKind.File).ToList();
        if (files.Count == 0 || dialect.ResourceCenterByPath) return;
        var first = files[0].Location;
        throw new DsOpsException(DsErrorKind.InvalidState, "DsResourceCenterUnsupported",
            $"{(first.IsKnown ? first + ": " : "")}the config declares {files.Count} resource-center file(s) ({string.Join(", ", files.Select(f => f.Name))}), " +
            $"but {dialect.Version} has the id-based resource center of DS 3.0/3.1, which DsOps does not manage; files are supported on DS 3.2 and later. " +
            "Remove the 'files' section to apply the rest of the config to this server (nothing was written).");
    }
}
