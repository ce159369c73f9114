using System.Management.Automation;
using DsOps.Engine.Api;
using DsOps.Engine.Clusters.Comparison;
using DsOps.Engine.Specs.Loading;
using DsOps.Infrastructure;

namespace DsOps.Commands.Clusters;

/// <summary>
/// <para type="synopsis">Compares two DS clusters: resources and workflows, field by field, through the environment mapping.</para>
/// <para type="description">Reads both clusters (read-only) and reports what differs: every kind cluster.yaml manages,
/// with the fields it declares - queues, tenants, users (email, tenant, queue...), worker groups (their addresses),
/// environments (config and worker groups), k8s clusters and namespaces, data sources (type, note and connection
/// settings such as host, port, database and user), alert plugin instances (plugin and its settings), alert groups
/// (their instances by name), projects (description and the users granted them), resource-center files (by SHA-256
/// of the content when the sizes are equal) - and every workflow and task with the fields a plan compares. Secrets
/// are never compared by value: one DS returns (a webhook secret) shows as a fingerprint keyed per run, so equal
/// secrets match without being shown; passwords DS does not return are not compared. With -EnvironmentFile, each cluster's names are
/// first turned back into the logical names of the environments file (-ReferenceEnvironment and
/// -DifferenceEnvironment name the entries), so a worker group 'uat' on UAT and 'prod' on PROD that both map from
/// the same logical name are compared with each other and not reported as different; global parameters the mapping
/// sets are compared as "(mapped)". Each difference is one object: Kind, Name (the logical name), Change
/// (Different, OnlyInReference, OnlyInDifference), Field and the two values.</para>
/// <example><code>Compare-DsCluster -Reference $uat -Difference $prod -EnvironmentFile ./specs/environments.yaml -ReferenceEnvironment UAT -DifferenceEnvironment PROD</code><para>Lists what differs between UAT and PROD once the UAT and PROD names of the environments file are mapped to their logical names.</para></example>
/// <example><code>Compare-DsCluster $uat $prod -Project etl -WorkflowsOnly | Where-Object Kind -eq Task</code><para>Shows only the task differences of project etl.</para></example>
/// <example><code>Compare-DsCluster $uat $prod -ResourcesOnly | Format-Table Kind, Name, Field, ReferenceValue, DifferenceValue</code><para>Compares only cluster resources (tenants, worker groups, data sources...), not workflows.</para></example>
/// </summary>
[Cmdlet(VerbsData.Compare, "DsCluster")]
[OutputType(typeof(DsClusterDifference))]
public sealed class CompareDsClusterCommand : DsCmdlet
{
    /// <summary><para type="description">The reference cluster (Connect-DsServer), e.g. UAT.</para></summary>
    [Parameter(Mandatory = true, Position = 0, HelpMessage = "The reference cluster's connection (e.g. UAT).")]
    public DsConnection Reference { get; set; } = null!;

    /// <summary><para type="description">The cluster compared with the reference, e.g. PROD.</para></summary>
    [Parameter(Mandatory = true, Position = 1, HelpMessage = "The connection compared with the reference (e.g. PROD).")]
    public DsConnection Difference { get; set; } = null!;

    /// <summary><para type="description">Environments file whose mappings turn each cluster's names into logical names.</para></summary>
    [Parameter(HelpMessage = "Environments file (environments.yaml) with the two clusters' name mappings.")]
    [ValidateNotNullOrEmpty]
    public string? EnvironmentFile { get; set; }

    /// <summary><para type="description">The reference cluster's entry in the environments file (e.g. UAT).</para></summary>
    [Parameter(HelpMessage = "The reference cluster's entry in the environments file (e.g. UAT).")]
    [ValidateNotNullOrEmpty]
    [SpecEnvironmentCompleter]
    public string? ReferenceEnvironment { get; set; }

    /// <summary><para type="description">The difference cluster's entry in the environments file (e.g. PROD).</para></summary>
    [Parameter(HelpMessage = "The difference cluster's entry in the environments file (e.g. PROD).")]
    [ValidateNotNullOrEmpty]
    [SpecEnvironmentCompleter]
    public string? DifferenceEnvironment { get; set; }

    /// <summary><para type="description">Projects whose workflows are compared; all projects when omitted.</para></summary>
    [Parameter(HelpMessage = "Projects whose workflows are compared; all when omitted.")]
    [ProjectCompleter]
    [SupportsWildcards]
    public DsProjectParameter[]? Project { get; set; }

    /// <summary><para type="description">Compare only the resources (queues, tenants, users, worker groups, environments, k8s clusters and namespaces, data sources, alert instances and groups, projects, files).</para></summary>
    [Parameter(HelpMessage = "Compare only cluster resources, not workflows.")]
    public SwitchParameter ResourcesOnly { get; set; }

    /// <summary><para type="description">Compare only the workflows and their tasks.</para></summary>
    [Parameter(HelpMessage = "Compare only workflows and tasks.")]
    public SwitchParameter WorkflowsOnly { get; set; }

    protected override void EndProcessing()
    {
        try
        {
            if (ResourcesOnly && WorkflowsOnly)
                throw new ArgumentException("Give -ResourcesOnly or -WorkflowsOnly, not both.");
            if ((ReferenceEnvironment is not null || DifferenceEnvironment is not null) && EnvironmentFile is null)
                throw new ArgumentException("-ReferenceEnvironment and -DifferenceEnvironment need -EnvironmentFile.");
            var file = EnvironmentFile is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(EnvironmentFile);
            var options = new ClusterComparisonOptions
            {
                ReferenceMapping = file is null || ReferenceEnvironment is null ? null : EnvironmentOverlay.Load(file, ReferenceEnvironment),
                DifferenceMapping = file is null || DifferenceEnvironment is null ? null : EnvironmentOverlay.Load(file, DifferenceEnvironment),
                Projects = Project is null ? null : ProjectNames(Project),
                IncludeResources = !WorkflowsOnly,
                IncludeWorkflows = !ResourcesOnly,
            };
            var differences = AwaitWithProgress<IReadOnlyList<DsClusterDifference>, string>(
                progress => ClusterComparer.CompareAsync(Reference.Client, Difference.Client, options, progress, CancellationToken),
                status => new ProgressRecord(44, "Comparing clusters", status));
            WriteProgress(new ProgressRecord(44, "Comparing clusters", "done") { RecordType = ProgressRecordType.Completed });
            WriteVerbose($"{differences.Count} difference(s) between {Reference.Name} and {Difference.Name}.");
            foreach (var d in differences) WriteObject(d);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowDsError(ex, EnvironmentFile);
        }
    }

    /// <summary>
    /// -Project as names: a project missing on one side is a difference to report, so literal names (and codes, read
    /// on the reference) pass through; wildcards match either cluster's projects.
    /// </summary>
    private string[] ProjectNames(DsProjectParameter[] values)
    {
        var names = new List<string>();
        foreach (var v in values)
        {
            if (v.IsWildcard)
            {
                var pattern = new DsOps.Engine.Text.Wildcard(v.Name!);
                foreach (var side in new[] { Reference, Difference })
                    names.AddRange(Await(side.Client.GetProjectListAsync(CancellationToken)).Select(p => p.Name).Where(pattern.IsMatch));
            }
            else names.Add(v.Name ?? Await(v.ResolveAsync(Reference.Client, CancellationToken)).Name);
        }
        return names.Distinct(StringComparer.Ordinal).ToArray();
    }
}
