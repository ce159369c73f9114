using System.Management.Automation;
using DsOps.Engine;
using DsOps.Engine.Clusters;

namespace DsOps.Commands.Clusters;

/// <summary>
/// <para type="synopsis">Writes a DolphinScheduler server's cluster resources as a cluster config (cluster.yaml) that Sync-DsCluster plans as zero changes.</para>
/// <para type="description">Reads queues, tenants, users (not the admin user), worker groups, environments, k8s
/// clusters and namespaces (3.1+), data sources, alert plugin instances and groups, projects with their users and, on DS 3.2 and later, the resource
/// center's files, and writes them as cluster.yaml - the way to adopt an existing cluster. Secrets are never read
/// into the file: each becomes a reference such as ${env:DSOPS_DATASOURCE_ODS_PASSWORD}, and the variable names are
/// listed as a warning (set them, or change them to ${secret:NAME}, before syncing another cluster). Resource-center
/// files are downloaded into a 'files' folder beside the config. An existing file is kept unless -Force.</para>
/// <example><code>Export-DsCluster ./cluster.yaml -Connection $uat</code><para>Writes UAT's resources as cluster.yaml; Compare-DsClusterConfig ./cluster.yaml -Connection $uat then plans no changes.</para></example>
/// <example><code>Export-DsCluster ./prod/cluster.yaml -Connection $prod -Force</code><para>Refreshes an adopted production config in place, with its files under ./prod/files.</para></example>
/// </summary>
[Cmdlet(VerbsData.Export, "DsCluster", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportDsClusterCommand : DsClusterCmdlet
{
    /// <summary><para type="description">The cluster config file to write.</para></summary>
    [Parameter(Mandatory = true, Position = 0, HelpMessage = "The cluster.yaml file to write.")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary><para type="description">Overwrite an existing file.</para></summary>
    [Parameter(HelpMessage = "Overwrite an existing file.")]
    public SwitchParameter Force { get; set; }

    protected override void EndProcessing()
    {
        var connection = ResolveConnection(Connection);
        var target = ResolvePath(Path);
        try
        {
            if (File.Exists(target) && !Force)
                throw new DsOpsException(DsErrorKind.InvalidInput, "DsFileExists", $"'{target}' exists; use -Force to overwrite it.");
            var server = ReadServer(connection, null);
            var folder = System.IO.Path.GetDirectoryName(target) ?? ".";
            var files = server.Config.OfKind(ClusterResourceKind.File).ToList();
            if (!ShouldProcess(target, $"Write the cluster config ({server.Config.Resources.Length} resources{(files.Count > 0 ? $", {files.Count} file(s) under 'files'" : "")})")) return;
            foreach (var file in files)
            {
                var local = System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, "files", file.Name));
                if (!local.StartsWith(System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, "files")) + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal))
                    throw new DsOpsException(DsErrorKind.InvalidResponse, "DsUnsafeResourceName", $"The server's file '{file.Name}' would be written outside the 'files' folder; refused.");
                var bytes = Await(ClusterResourceFiles.DownloadAsync(connection.Client, server, file.Name, CancellationToken));
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(local)!);
                DsOps.Engine.IO.AtomicFile.Write(local, s => s.Write(bytes));
            }
            DsOps.Engine.IO.AtomicFile.WriteAllText(target, ClusterConfigWriter.Write(server.Config, f => "files/" + f.Name));
            var variables = server.Config.Resources.SelectMany(r => r.Secrets.Values).Select(v => v.Name).Distinct().Order(StringComparer.Ordinal).ToList();
            if (variables.Count > 0)
                WriteWarning($"The config refers to {variables.Count} secret(s) by environment variable; set them before syncing: {string.Join(", ", variables)}.");
            WriteObject(new FileInfo(target));
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowDsError(ex, target);
        }
    }
}
