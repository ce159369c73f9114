using System.Management.Automation;
using DsOps.Engine.Clusters;
using DsOps.Engine.Orchestration;
using DsOps.Engine.Planning;

namespace DsOps.Commands.Clusters;

/// <summary>
/// <para type="synopsis">Plans what applying a cluster config (cluster.yaml) would change on a DolphinScheduler server.</para>
/// <para type="description">Reads the config (tenants, queues, users, worker groups, environments, k8s clusters and namespaces, data sources, alert
/// plugin instances and groups, projects with their users, resource-center files), reads the same kinds from the server,
/// and writes one ClusterPlanItem per resource in dependency order: create, update (with the fields that differ) or
/// unchanged, and with -Prune the deletes of resources the config does not list. Only the fields a resource declares
/// are compared; secrets are never compared or shown (only their ${env:} or ${secret:} references); files compare by
/// SHA-256 of their content. -OutFile saves the plan with fingerprints of the config and the server state, for
/// Sync-DsCluster -Plan. Nothing is written to the server.</para>
/// <example><code>Compare-DsClusterConfig ./cluster.yaml</code><para>Shows what Sync-DsCluster would change on the session's server.</para></example>
/// <example><code>Compare-DsClusterConfig ./cluster.yaml -UpdateSecrets 'DataSource/*'</code><para>Shows that every data source's password would be re-sent from its ${env:} or ${secret:} source (the plan names the references, never the values).</para></example>
/// <example><code>Compare-DsClusterConfig ./cluster.yaml -Connection $prod -Prune -OutFile cluster-plan.json</code><para>Saves a plan for review, including deletes of resources the config does not list; Sync-DsCluster -Plan applies exactly it.</para></example>
/// </summary>
[Cmdlet(VerbsData.Compare, "DsClusterConfig")]
[OutputType(typeof(ClusterPlanItem))]
public sealed class CompareDsClusterConfigCommand : DsClusterCmdlet
{
    /// <summary><para type="description">The cluster config file (cluster.yaml).</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, HelpMessage = "The cluster config file (cluster.yaml).")]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string Config { get; set; } = "";

    /// <summary><para type="description">Also plan deletes of server resources of the kinds the config declares that it does not list (never projects or DS's built-ins).</para></summary>
    [Parameter(HelpMessage = "Also plan deletes of resources the config does not list.")]
    public SwitchParameter Prune { get; set; }

    /// <summary><para type="description">Re-send the secrets of the resources these patterns select ("Kind/name" or name, wildcards; * = all) from their sources, although nothing else changed: DS never returns secrets, so a rotated password or webhook secret cannot be seen as a difference. The plan shows each as an update of the secret field naming only its reference.</para></summary>
    [Parameter(HelpMessage = "Re-send the secrets of these resources (Kind/name or name, wildcards; * = all) from their sources.")]
    [ValidateNotNullOrEmpty]
    public string[]? UpdateSecrets { get; set; }

    /// <summary><para type="description">Save the plan as JSON to this file.</para></summary>
    [Parameter(HelpMessage = "Save the plan as JSON to this file.")]
    [ValidateNotNullOrEmpty]
    public string? OutFile { get; set; }

    /// <summary><para type="description">Last-applied state (drift); default .dsops-cluster-state.json beside the config.</para></summary>
    [Parameter(HelpMessage = "Last-applied state file (default: .dsops-cluster-state.json beside the config).")]
    [ValidateNotNullOrEmpty]
    public string? StatePath { get; set; }

    /// <summary><para type="description">Read no last-applied state (no drift detection).</para></summary>
    [Parameter(HelpMessage = "Read no last-applied state.")]
    public SwitchParameter NoState { get; set; }

    /// <summary><para type="description">Also output unchanged resources.</para></summary>
    [Parameter(HelpMessage = "Also output unchanged resources.")]
    public SwitchParameter IncludeUnchanged { get; set; }

    protected override void ProcessRecord()
    {
        var connection = ResolveConnection(Connection);
        ClusterPlan plan;
        try
        {
            var desired = LoadConfig(Config);
            var service = ClusterService(connection);
            var server = OperationHost.Run(() => service.ReadServerAsync(desired, CancellationToken));
            plan = service.Plan(desired, server, new ClusterPlanRequest { Prune = Prune, UpdateSecrets = UpdateSecrets, StatePath = StateFile(Config, StatePath, NoState) });
            if (OutFile is not null) ClusterPlanFile.Save(ResolvePath(OutFile), plan, desired.File!);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowDsError(ex, Config);
            return;
        }
        foreach (var item in plan.Items)
            if (item.Action != PlanAction.Unchanged || IncludeUnchanged) WriteObject(item);
        WriteVerbose(plan.Summary);
    }
}
