using System.Management.Automation;
using DsOps.Engine;
using DsOps.Engine.Clusters;
using DsOps.Engine.Orchestration;

namespace DsOps.Commands.Clusters;

/// <summary>
/// <para type="synopsis">Applies a cluster config (cluster.yaml) to a DolphinScheduler server: creates and updates tenants, users, data sources, alert groups and the rest; deletes only with -Prune.</para>
/// <para type="description">Plans like Compare-DsClusterConfig, then applies the plan in dependency order (queues,
/// tenants, users, worker groups, environments, k8s clusters and namespaces, data sources, alert instances, alert groups, projects and their user
/// permissions, files; deletes in reverse order). Secrets are resolved just before use from environment variables
/// (${env:NAME}) or SecretManagement (${secret:NAME}) and never appear in output, plans or state. Resource-center
/// files are uploaded only when their SHA-256 differs from the server's copy. DS never returns secrets, so a
/// rotated secret is not a difference: -UpdateSecrets re-sends the secrets of the resources it selects. -TestConnection runs DS's own connection
/// test for each data source written. A failed resource is reported and the rest proceed; a rerun converges, and a run
/// with nothing to do writes nothing. -Plan applies a plan saved by Compare-DsClusterConfig -OutFile exactly, or
/// refuses when the config or the server changed since. With -WhatIf it shows the plan and writes nothing.</para>
/// <example><code>Sync-DsCluster ./cluster.yaml -WhatIf</code><para>Shows what would be created or changed on the session's server, writing nothing.</para></example>
/// <example><code>$env:DSOPS_DS_ODS_PASSWORD = 'pa55'; Sync-DsCluster ./cluster.yaml -Connection $uat -TestConnection</code><para>Applies the config to UAT with the data-source password from an environment variable, and tests each data source written through DS.</para></example>
/// <example><code>$env:DSOPS_DS_ODS_PASSWORD = 'n3w'; Sync-DsCluster ./cluster.yaml -UpdateSecrets ods_prod</code><para>After rotating the password in its source, re-sends it to data source ods_prod (DS never returns it, so no plan would see the change).</para></example>
/// <example><code>Sync-DsCluster -Plan ./cluster-plan.json -Connection $prod</code><para>Applies a reviewed plan exactly, or refuses if the config or the server changed since it was made.</para></example>
/// </summary>
[Cmdlet(VerbsData.Sync, "DsCluster", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = "Config")]
[OutputType(typeof(ClusterApplyResult))]
public sealed class SyncDsClusterCommand : DsClusterCmdlet
{
    /// <summary><para type="description">The cluster config file (cluster.yaml).</para></summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Config", ValueFromPipelineByPropertyName = true, HelpMessage = "The cluster config file (cluster.yaml).")]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string? Config { get; set; }

    /// <summary><para type="description">A plan saved by Compare-DsClusterConfig -OutFile; its config is reloaded and checked by fingerprint.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = "Plan", HelpMessage = "A saved plan (Compare-DsClusterConfig -OutFile) to apply exactly.")]
    [ValidateNotNullOrEmpty]
    public string? Plan { get; set; }

    /// <summary><para type="description">Also delete resources of the kinds the config declares that it does not list (asks first unless -Force).</para></summary>
    [Parameter(ParameterSetName = "Config", HelpMessage = "Delete resources the config does not list.")]
    public SwitchParameter Prune { get; set; }

    /// <summary><para type="description">Re-send the secrets of the resources these patterns select ("Kind/name" or name, wildcards; * = all) from their sources, although nothing else changed: DS never returns secrets, so a rotated password or webhook secret cannot be seen as a difference. The plan shows each as an update of the secret field naming only its reference.</para></summary>
    [Parameter(ParameterSetName = "Config", HelpMessage = "Re-send the secrets of these resources (Kind/name or name, wildcards; * = all) from their sources.")]
    [ValidateNotNullOrEmpty]
    public string[]? UpdateSecrets { get; set; }

    /// <summary><para type="description">Do not ask before deletes (-Prune) in scheduled jobs.</para></summary>
    [Parameter(HelpMessage = "Do not ask for confirmation before deletes.")]
    public SwitchParameter Force { get; set; }

    /// <summary><para type="description">Run DS's connection test (GET datasources/{id}/connect-test) for every data source written.</para></summary>
    [Parameter(HelpMessage = "Test each data source written through DS's own connection test.")]
    public SwitchParameter TestConnection { get; set; }

    /// <summary><para type="description">Last-applied state file; default .dsops-cluster-state.json beside the config.</para></summary>
    [Parameter(HelpMessage = "Last-applied state file (default: .dsops-cluster-state.json beside the config).")]
    [ValidateNotNullOrEmpty]
    public string? StatePath { get; set; }

    /// <summary><para type="description">Keep no last-applied state (no drift detection).</para></summary>
    [Parameter(HelpMessage = "Keep no last-applied state.")]
    public SwitchParameter NoState { get; set; }

    /// <summary><para type="description">Also output unchanged resources.</para></summary>
    [Parameter(HelpMessage = "Also output unchanged resources.")]
    public SwitchParameter IncludeUnchanged { get; set; }

    protected override void EndProcessing()
    {
        var connection = ResolveConnection(Connection);
        try
        {
            SavedClusterPlan? saved = null;
            if (Plan is not null)
            {
                saved = ClusterPlanFile.Load(ResolvePath(Plan));
                Config = saved.ConfigPath;
            }
            var desired = LoadConfig(Config!);
            var host = OperationHost;
            var planRequest = new ClusterPlanRequest { Prune = saved?.Prune ?? Prune, UpdateSecrets = saved?.UpdateSecrets ?? UpdateSecrets, StatePath = StateFile(Config!, StatePath, NoState) };
            var applyRequest = new ClusterApplyRequest { Force = Force, TestConnections = TestConnection, Activity = "Sync-DsCluster" };
            var outcome = host.Run(() => ClusterService(connection).SyncAsync(desired, planRequest, applyRequest, saved, CancellationToken));
            WriteResults(outcome, IncludeUnchanged, "Sync-DsCluster");
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowDsError(ex, Plan ?? Config);
        }
    }
}
