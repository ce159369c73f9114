using System.Management.Automation;
using DsOps.Engine;
using DsOps.Engine.Api;
using DsOps.Engine.Clusters;
using DsOps.Engine.Orchestration;
using DsOps.Engine.Planning;

namespace DsOps.Commands.Clusters;

/// <summary>Base of the cluster-config cmdlets: the connection, reading cluster.yaml and the server, planning, secrets.</summary>
public abstract class DsClusterCmdlet : DsCmdlet
{
    /// <summary><para type="description">A DS connection (Connect-DsServer); default: the session's connection.</para></summary>
    [Parameter(HelpMessage = "A DS connection; default: the session's connection.")]
    public DsConnection? Connection { get; set; }

    protected string ResolvePath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

    /// <summary>Reads cluster.yaml; reader warnings go to the warning stream.</summary>
    protected ClusterConfig LoadConfig(string path) => ClusterSyncService.Describe(OperationHost, ClusterConfigReader.ReadFile(ResolvePath(path)));

    /// <summary>The engine's cluster rules for this call; secrets come from the environment or SecretManagement's Get-Secret.</summary>
    internal ClusterSyncService ClusterService(DsConnection connection) =>
        new(connection, OperationHost, reference => reference.Source == SecretSource.Environment
            ? System.Environment.GetEnvironmentVariable(reference.Name) : GetSecret(reference.Name));

    protected ClusterServerState ReadServer(DsConnection connection, ClusterConfig? desired) =>
        OperationHost.Run(() => ClusterService(connection).ReadServerAsync(desired, CancellationToken));

    protected string? StateFile(string configPath, string? statePath, bool noState) =>
        noState ? null : statePath is not null ? ResolvePath(statePath)
        : System.IO.Path.Combine(System.IO.Path.GetDirectoryName(ResolvePath(configPath)) ?? ".", ClusterAppliedState.DefaultFileName);

    /// <summary>
    /// Resolves the secret references of the given resources on the pipeline thread (SecretManagement's Get-Secret
    /// cannot be called from the engine's threads). Every value is registered for masking at once. Unset references are
    /// left out; the applier then fails that resource with DsClusterSecretNotFound, naming the reference.
    /// </summary>
    private string? GetSecret(string name)
    {
        if (InvokeCommand.GetCommand("Get-Secret", CommandTypes.Cmdlet | CommandTypes.Function) is null)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsSecretManagementMissing",
                $"${{secret:{name}}} needs the Microsoft.PowerShell.SecretManagement module (Get-Secret) with a registered vault; install and import it, or use ${{env:NAME}}.");
        var output = InvokeCommand.InvokeScript("param($n) Get-Secret -Name $n -AsPlainText -ErrorAction Stop", false, System.Management.Automation.Runspaces.PipelineResultTypes.None, null, name);
        return output.Count == 0 ? null : output[0]?.BaseObject switch
        {
            string s => s,
            System.Security.SecureString ss => new System.Net.NetworkCredential("", ss).Password,
            var o => o?.ToString(),
        };
    }

    /// <summary>
    /// Applies a plan: asks ShouldProcess per resource (deletes once more unless -Force), resolves the secrets of the
    /// approved ones, applies with progress, re-reads the server and records the applied state. Returns the results.
    /// </summary>
    /// <summary>Writes a cluster sync's results (failures also as errors) and its summary.</summary>
    internal void WriteResults(ClusterSyncOutcome outcome, bool includeUnchanged, string activity)
    {
        foreach (var r in outcome.Results)
        {
            if (r.Status == ClusterApplyStatus.Failed) WriteDsError(r.Error ?? new InvalidOperationException(r.Message), r.Target, "DsSyncClusterResourceFailed");
            if (r.Status != ClusterApplyStatus.Unchanged || includeUnchanged) WriteObject(r);
        }
        WriteVerbose(outcome.Summary);
        WriteInformation(new InformationRecord(outcome.Summary, activity));
    }
}
