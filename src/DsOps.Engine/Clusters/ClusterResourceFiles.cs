using DsOps.Engine.Api;

namespace DsOps.Engine.Clusters;

/// <summary>Reads files of DS's resource center (3.2+, path based).</summary>
internal static class ClusterResourceFiles
{
    public static Task<byte[]> DownloadAsync(DsClient client, ClusterServerState server, string name, CancellationToken ct = default) =>
        server.Files.TryGetValue(name, out var file)
            ? client.DownloadAsync("resources/download", new Dictionary<string, string> { ["fullName"] = file.FullName }, ct)
            : throw new DsOpsException(DsErrorKind.NotFound, "DsResourceNotFound", $"The resource center has no file '{name}'.");
}
