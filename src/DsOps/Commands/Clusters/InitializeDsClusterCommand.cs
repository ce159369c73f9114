using System.Collections;
using System.Diagnostics;
using System.Management.Automation;
using DsOps.Engine.Apply;
using DsOps.Engine.Clusters;
using DsOps.Engine.Inspection;
using DsOps.Engine.Orchestration;
using DsOps.Infrastructure;

namespace DsOps.Commands.Clusters;

/// <summary>
/// <para type="synopsis">Takes a DolphinScheduler server (typically fresh: schema and admin only) to a working cluster in one command: cluster config, then workflows, then health checks.</para>
/// <para type="description">Applies the cluster config exactly as Sync-DsCluster does (tenants, queues, users,
/// worker groups, environments, k8s clusters and namespaces, data sources, alert instances and groups, projects and permissions, files), then the
/// workflow specs under -Workflows exactly as Sync-DsWorkflow does, with the -Environment mapping of their
/// environments file (so the specs' logical names resolve to this cluster's resources), then - when -HealthConfig is
/// given - Invoke-DsHealthCheck with that config. Workflows are not applied when a resource failed (they would fail
/// on the missing tenant or data source). Running it again plans zero changes and writes nothing. Writes one
/// ClusterBootstrapResult (counts, health summary, duration; Details holds every individual result).</para>
/// <example><code>Initialize-DsCluster -Config ./cluster.yaml -Workflows ./specs -Environment PROD -Connection $new</code><para>Stands up a new on-site cluster from Git: resources, then the PROD mapping of the workflows.</para></example>
/// <example><code>Initialize-DsCluster -Config ./cluster.yaml -Workflows ./specs -HealthConfig ./health.yaml -WhatIf</code><para>Shows what the bootstrap would create on the session's server, writing nothing.</para></example>
/// </summary>
[Cmdlet(VerbsData.Initialize, "DsCluster", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ClusterBootstrapResult))]
public sealed class InitializeDsClusterCommand : DsClusterCmdlet
{
    /// <summary><para type="description">The cluster config file (cluster.yaml).</para></summary>
    [Parameter(Mandatory = true, Position = 0, HelpMessage = "The cluster config file (cluster.yaml).")]
    [ValidateNotNullOrEmpty]
    public string Config { get; set; } = "";

    /// <summary><para type="description">Workflow spec folder or file (as Sync-DsWorkflow -Path).</para></summary>
    [Parameter(Position = 1, HelpMessage = "Workflow spec folder or file (as Sync-DsWorkflow -Path).")]
    [ValidateNotNullOrEmpty]
    public string? Workflows { get; set; }

    /// <summary><para type="description">Environment whose mapping from the specs' environments file is applied (e.g. PROD).</para></summary>
    [Parameter(HelpMessage = SpecLoading.EnvironmentHelp)]
    [ValidateNotNullOrEmpty]
    [SpecEnvironmentCompleter]
    public string? Environment { get; set; }

    /// <summary><para type="description">Environments file; default: environments.yaml in the spec folder.</para></summary>
    [Parameter(HelpMessage = SpecLoading.EnvironmentFileHelp)]
    [ValidateNotNullOrEmpty]
    public string? EnvironmentFile { get; set; }

    /// <summary><para type="description">Health config (Invoke-DsHealthCheck -ConfigPath); the checks run after the workflows.</para></summary>
    [Parameter(HelpMessage = "Health config to run Invoke-DsHealthCheck with after the sync.")]
    [ValidateNotNullOrEmpty]
    public string? HealthConfig { get; set; }

    /// <summary><para type="description">Run DS's connection test for every data source written.</para></summary>
    [Parameter(HelpMessage = "Test each data source written through DS's own connection test.")]
    public SwitchParameter TestConnection { get; set; }

    /// <summary><para type="description">Re-send the secrets of the resources these patterns select ("Kind/name" or name, wildcards; * = all) from their sources, although nothing else changed: DS never returns secrets, so a rotated password or webhook secret cannot be seen as a difference. The plan shows each as an update of the secret field naming only its reference.</para></summary>
    [Parameter(HelpMessage = "Re-send the secrets of these resources (Kind/name or name, wildcards; * = all) from their sources.")]
    [ValidateNotNullOrEmpty]
    public string[]? UpdateSecrets { get; set; }

    /// <summary><para type="description">How many workflows are written at the same time (default 4).</para></summary>
    [Parameter(HelpMessage = "Workflows written at the same time.")]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 4;

    protected override void EndProcessing()
    {
        var connection = ResolveConnection(Connection);
        var host = OperationHost;
        var clock = Stopwatch.StartNew();
        var details = new List<object>();
        IReadOnlyList<ClusterApplyResult> resources;
        try
        {
            var desired = LoadConfig(Config);
            var planRequest = new ClusterPlanRequest { UpdateSecrets = UpdateSecrets, StatePath = StateFile(Config, null, false) };
            var applyRequest = new ClusterApplyRequest { TestConnections = TestConnection, Activity = "Initialize-DsCluster", PlanLabel = "Cluster plan" };
            var outcome = host.Run(() => ClusterService(connection).SyncAsync(desired, planRequest, applyRequest, null, CancellationToken));
            resources = outcome.Results;
            foreach (var r in resources.Where(r => r.Status == ClusterApplyStatus.Failed))
                WriteDsError(r.Error ?? new InvalidOperationException(r.Message), r.Target, "DsSyncClusterResourceFailed");
            details.AddRange(resources);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowDsError(ex, Config);
            return;
        }

        var workflows = new List<WorkflowApplyResult>();
        var resourcesFailed = resources.Count(r => r.Status == ClusterApplyStatus.Failed);
        if (Workflows is not null && resourcesFailed > 0)
            WriteWarning($"{resourcesFailed} cluster resource(s) failed; the workflows were not applied. Fix the errors above and run again.");
        else if (Workflows is not null && host.WhatIf && resources.Any(r => r.Action != Engine.Planning.PlanAction.Unchanged))
            WriteVerbose("WhatIf: the workflows are planned once the cluster resources they name exist (run Compare-DsWorkflow after the bootstrap).");
        else if (Workflows is not null)
            workflows.AddRange(SyncWorkflows(connection, host));
        details.AddRange(workflows);

        var health = new Dictionary<string, int>(StringComparer.Ordinal);
        if (HealthConfig is not null && !host.WhatIf)
        {
            var p = new Hashtable { ["ConfigPath"] = HealthConfig, ["Connection"] = connection };
            foreach (var o in Nested("param($p) Invoke-DsHealthCheck @p 2>&1", p))
                if (o is DsHealthResult h)
                {
                    details.Add(h);
                    health[h.Status.ToString()] = health.GetValueOrDefault(h.Status.ToString()) + 1;
                }
        }
        var result = new ClusterBootstrapResult
        {
            Server = connection.Name,
            ResourcesApplied = resources.Count(r => r.Status == ClusterApplyStatus.Applied),
            ResourcesUnchanged = resources.Count(r => r.Status == ClusterApplyStatus.Unchanged),
            ResourcesFailed = resourcesFailed,
            WorkflowsApplied = workflows.Count(w => w.Status == ApplyStatus.Applied),
            WorkflowsUnchanged = workflows.Count(w => w.Status == ApplyStatus.Unchanged),
            WorkflowsFailed = workflows.Count(w => w.Status == ApplyStatus.Failed),
            Health = health,
            Duration = clock.Elapsed,
            Details = details,
            Succeeded = resourcesFailed == 0 && workflows.All(w => w.Status != ApplyStatus.Failed) && health.GetValueOrDefault("Fail") == 0 && health.GetValueOrDefault("Error") == 0,
        };
        WriteObject(result);
        WriteVerbose(result.ToString());
    }

    /// <summary>
    /// The workflows exactly as Sync-DsWorkflow -Path applies them (same engine service, same default state file);
    /// a failure of the whole sync is reported and the bootstrap result still written.
    /// </summary>
    private IEnumerable<WorkflowApplyResult> SyncWorkflows(Engine.Api.DsConnection connection, Infrastructure.CmdletOperationHost host)
    {
        var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Workflows!);
        try
        {
            var request = SpecLoading.Request(this, new SpecLoading.Options(path)
            {
                Environment = Environment, EnvironmentFile = EnvironmentFile is null ? null : ResolvePath(EnvironmentFile),
            }, new Engine.Specs.Loading.InterpolatedValues());
            var specs = SpecLoading.LoadFiles(this, request, validate: true, Workflows!);
            var options = new WorkflowSyncOptions { ThrottleLimit = ThrottleLimit, StatePath = SpecLoading.DefaultStatePath(path) };
            var outcome = host.Run(() => new WorkflowSyncService(connection, host).SyncAsync(specs, options, CancellationToken));
            foreach (var r in outcome.Results.Where(r => r.Status == ApplyStatus.Failed))
                WriteDsError(r.Error ?? new InvalidOperationException(r.Message), r.Target, "DsSyncWorkflowFailed");
            WriteVerbose(outcome.Summary);
            return outcome.Results.Concat(outcome.Skipped).ToList();
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteDsError(ex, Workflows);
            return Array.Empty<WorkflowApplyResult>();
        }
    }

    private IEnumerable<object> Nested(string script, Hashtable parameters)
    {
        var output = InvokeCommand.InvokeScript(SessionState, ScriptBlock.Create(script), parameters);
        foreach (var o in output)
        {
            if (o?.BaseObject is ErrorRecord e) WriteError(e);
            else if (o?.BaseObject is { } value) yield return value;
        }
    }
}
