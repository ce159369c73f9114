using System.Management.Automation;
using DsOps.Engine;
using DsOps.Engine.Api;
using DsOps.Engine.Apply;
using DsOps.Engine.Clusters.Promotion;
using DsOps.Engine.Models;
using DsOps.Engine.Orchestration;
using DsOps.Engine.Planning;
using DsOps.Engine.Specs.Loading;
using DsOps.Engine.Specs.Validation;
using DsOps.Infrastructure;

namespace DsOps.Commands.Clusters;

/// <summary>
/// <para type="synopsis">Copies workflows that are not in code from one DS cluster to another (e.g. UAT to PROD), mapping names through the environments file.</para>
/// <para type="description">Reads the selected workflows of the source cluster as specs (as Export-DsWorkflowSpec
/// does), maps their names through the environments file (the source's data sources, worker groups, tenants,
/// environments and alert groups back to logical names, then to the destination's), and plans and applies them on the
/// destination with the same planner and applier as Sync-DsWorkflow. Names are the identity: the destination gives
/// the copies its own workflow and task codes, and data sources, environments and alert groups get the destination's
/// ids. Before anything is written, every name the copy uses must exist on the destination; each one that does not is
/// named with its source name (DsCopyMappingMissing), and nothing is written. A second copy of unchanged workflows
/// plans no change and writes nothing. Schedules are copied only with -IncludeSchedule: a destination without a
/// schedule gets one, offline unless -ScheduleOnline; one it already has is updated in place, never created twice.
/// Without -IncludeSchedule the destination's own schedule stays as it is. A copy never deletes a workflow, and a
/// workflow the destination already has keeps its release state there. With -WhatIf it shows what would be
/// created or updated and writes nothing; -OutFile saves the plan for review and -Plan applies exactly that plan,
/// refusing when the source or the destination changed since. Copies into a project the destination does not have create it, unless
/// -RequireExistingProject.</para>
/// <example><code>Copy-DsWorkflow -Source $uat -Connection $prod -Project etl -Workflow daily_sales -EnvironmentFile ./environments.yaml -SourceEnvironment UAT -DestinationEnvironment PROD -WhatIf</code><para>Shows what copying daily_sales from UAT to PROD would create or change, with UAT's names mapped to PROD's, without writing.</para></example>
/// <example><code>Copy-DsWorkflow -Source $uat -Connection $prod -Project etl -Workflow 'daily_*' -EnvironmentFile ./environments.yaml -SourceEnvironment UAT -DestinationEnvironment PROD -Confirm:$false</code><para>Copies every daily workflow of project etl to PROD without asking for each one.</para></example>
/// <example><code>Get-DsWorkflow -Project etl -Connection $uat | Where-Object Name -like 'report_*' | Copy-DsWorkflow -Connection $prod -IncludeSchedule -Confirm:$false</code><para>Copies the piped workflows with their schedules, which arrive offline on PROD.</para></example>
/// <example><code>Copy-DsWorkflow -Source $uat -Connection $prod -Project etl -IncludeSchedule -OutFile ./copy-plan.json; Copy-DsWorkflow -Source $uat -Connection $prod -Project etl -IncludeSchedule -Plan ./copy-plan.json -Confirm:$false</code><para>Saves the copy's plan for review, then applies exactly that plan, or refuses if UAT's workflows or PROD changed in between.</para></example>
/// <example><code>Copy-DsWorkflow -Source $prod -Connection $prod -Project etl -DestinationProject etl_sandbox -PassThru -Confirm:$false</code><para>Copies every workflow of etl into project etl_sandbox of the same cluster and lists each copy with its new code.</para></example>
/// </summary>
[Cmdlet(VerbsCommon.Copy, "DsWorkflow", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = NamesSet)]
[OutputType(typeof(DsWorkflowCopyResult))]
public sealed class CopyDsWorkflowCommand : DsCmdlet
{
    private const string NamesSet = "Names", PipelineSet = "Pipeline";
    private readonly List<(string Project, string Workflow)> _piped = new();
    private DsConnection? _pipedSource;

    /// <summary><para type="description">The cluster the workflows are copied from (Connect-DsServer). With piped workflows: the connection they were read through, unless given.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = NamesSet, HelpMessage = "The source cluster's connection (e.g. UAT).")]
    [Parameter(ParameterSetName = PipelineSet, HelpMessage = "The source cluster's connection; default: the piped workflows' connection.")]
    [Alias("SourceConnection")]
    public DsConnection? Source { get; set; }

    /// <summary><para type="description">The cluster the workflows are copied to; default: the session's connection.</para></summary>
    [Parameter(HelpMessage = "The destination cluster's connection (e.g. PROD); default: the session's connection.")]
    [Alias("Destination")]
    public DsConnection? Connection { get; set; }

    /// <summary><para type="description">Source project names; wildcards allowed.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = NamesSet, HelpMessage = "Source project names; wildcards allowed.")]
    [ProjectCompleter]
    [SupportsWildcards]
    public DsProjectParameter[] Project { get; set; } = Array.Empty<DsProjectParameter>();

    /// <summary><para type="description">Workflow names (wildcards allowed) or codes (looked up in the one source project). Every workflow of the projects when omitted.</para></summary>
    [Parameter(Position = 1, ParameterSetName = NamesSet, HelpMessage = "Workflow names (wildcards allowed) or codes. All when omitted.")]
    [WorkflowCompleter]
    [SupportsWildcards]
    public DsWorkflowParameter[]? Workflow { get; set; }

    /// <summary><para type="description">Workflows from Get-DsWorkflow (their project, name and connection).</para></summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = PipelineSet, HelpMessage = "Workflows from Get-DsWorkflow.")]
    public DsWorkflow[] InputObject { get; set; } = Array.Empty<DsWorkflow>();

    /// <summary><para type="description">The project the workflows go to on the destination (one source project only); default: the source project's name.</para></summary>
    [Parameter(HelpMessage = "Destination project; default: the source project's name.")]
    [ProjectCompleter]
    public DsProjectParameter? DestinationProject { get; set; }

    /// <summary><para type="description">Environments file whose entries map each cluster's names (data sources, worker groups, tenants, environments, alert groups, parameter values).</para></summary>
    [Parameter(HelpMessage = "Environments file (environments.yaml) with the two clusters' name mappings.")]
    [ValidateNotNullOrEmpty]
    public string? EnvironmentFile { get; set; }

    /// <summary><para type="description">The source cluster's entry in the environments file (e.g. UAT): its names are turned back into logical names.</para></summary>
    [Parameter(HelpMessage = "The source cluster's entry in the environments file (e.g. UAT).")]
    [ValidateNotNullOrEmpty]
    [SpecEnvironmentCompleter]
    public string? SourceEnvironment { get; set; }

    /// <summary><para type="description">The destination cluster's entry in the environments file (e.g. PROD): logical names become its names.</para></summary>
    [Parameter(HelpMessage = "The destination cluster's entry in the environments file (e.g. PROD).")]
    [Alias("Environment")]
    [ValidateNotNullOrEmpty]
    [SpecEnvironmentCompleter]
    public string? DestinationEnvironment { get; set; }

    /// <summary><para type="description">Copy the source's schedules too: created offline where the destination has none (never a second one), updated in place where it has one.</para></summary>
    [Parameter(HelpMessage = "Copy the schedules too (offline unless -ScheduleOnline; never a second schedule).")]
    public SwitchParameter IncludeSchedule { get; set; }

    /// <summary><para type="description">With -IncludeSchedule: put the copied schedules online (and their workflows).</para></summary>
    [Parameter(HelpMessage = "With -IncludeSchedule: put the copied schedules and their workflows online.")]
    public SwitchParameter ScheduleOnline { get; set; }

    /// <summary><para type="description">Last-applied state file of the destination copies: records each copy, so a later copy flags edits made on the destination since (drift). None by default.</para></summary>
    [Parameter(HelpMessage = "Last-applied state file for drift detection on the destination (none by default).")]
    [ValidateNotNullOrEmpty]
    public string? StatePath { get; set; }

    /// <summary><para type="description">Refuse to create destination projects (DsProjectNotFound, nothing written).</para></summary>
    [Parameter(HelpMessage = "Refuse to create projects that do not exist on the destination.")]
    public SwitchParameter RequireExistingProject { get; set; }

    /// <summary><para type="description">How many workflows are written at the same time (default 4).</para></summary>
    [Parameter(HelpMessage = "Workflows written at the same time.")]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 4;

    /// <summary><para type="description">Seconds to wait for another sync or copy of the same destination projects on this machine (default 0: refuse at once with DsSyncLocked).</para></summary>
    [Parameter(HelpMessage = "Seconds to wait for another sync or copy of the same destination projects (default 0).")]
    [ValidateRange(0, 86400)]
    public int LockTimeout { get; set; }

    /// <summary><para type="description">Save the copy's plan to this file and write nothing to the destination; review it, then apply it exactly with -Plan.</para></summary>
    [Parameter(HelpMessage = "Save the plan to this file instead of copying (apply it later with -Plan).")]
    [ValidateNotNullOrEmpty]
    public string? OutFile { get; set; }

    /// <summary><para type="description">A plan saved by Copy-DsWorkflow -OutFile: the copy is recomputed with the same parameters and applied only
    /// when it is exactly that plan; a changed source (DsPlanSpecsChanged), a changed destination (DsPlanStale) or a
    /// different plan (DsPlanMismatch) is refused before any write.</para></summary>
    [Parameter(HelpMessage = "A plan saved by Copy-DsWorkflow -OutFile, applied only if source and destination are unchanged since.")]
    [ValidateNotNullOrEmpty]
    public string? Plan { get; set; }

    /// <summary><para type="description">Output a result for every selected workflow, also those the destination already has unchanged (by default only created, updated, skipped and failed ones).</para></summary>
    [Parameter(HelpMessage = "Output a result for every selected workflow, unchanged ones too.")]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var w in InputObject)
        {
            if (w.ProjectName is null)
            {
                WriteDsError("DsCopyInputInvalid", ErrorCategory.InvalidArgument, $"Workflow '{w.Name}' carries no project name; pass -Project and -Workflow instead.", w);
                continue;
            }
            _piped.Add((w.ProjectName, w.Name));
            _pipedSource ??= w.Connection;
        }
    }

    protected override void EndProcessing()
    {
        if (ParameterSetName == PipelineSet && _piped.Count == 0) return;
        var destination = ResolveConnection(Connection);
        var source = Source ?? _pipedSource;
        if (source is null)
            ThrowDsError("DsNotConnected", ErrorCategory.ConnectionError, "The piped workflows carry no connection; pass -Source.", null);
        var host = OperationHost;
        WorkflowCopyOutcome outcome;
        try
        {
            string? Resolve(string? path) => path is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
            var projects = SourceProjects(source!);
            var request = new WorkflowCopyRequest
            {
                Pairs = ParameterSetName == PipelineSet ? _piped : null, Projects = projects.Names, Workflows = SourceWorkflows(source!, projects.Resolved),
                DestinationProject = DestinationProject?.ToString(), EnvironmentFile = Resolve(EnvironmentFile),
                SourceEnvironment = SourceEnvironment, DestinationEnvironment = DestinationEnvironment,
                IncludeSchedule = IncludeSchedule, ScheduleOnline = ScheduleOnline, StatePath = Resolve(StatePath),
                RequireExistingProject = RequireExistingProject, ThrottleLimit = ThrottleLimit, LockTimeout = TimeSpan.FromSeconds(LockTimeout),
                OutFile = Resolve(OutFile), PlanPath = Resolve(Plan),
            };
            outcome = host.Run(() => new WorkflowCopyService(source!, destination, host).CopyAsync(request, CancellationToken));
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowDsError(ex, DestinationProject?.ToString() ?? string.Join(",", Project.Length > 0 ? Project.Texts()! : _piped.Select(p => p.Project).Distinct()));
            return;
        }
        foreach (var r in outcome.ProjectFailures)
            WriteDsError(r.Error ?? new InvalidOperationException(r.Message), r.Project, "DsCopyWorkflowFailed");
        foreach (var r in outcome.Results)
        {
            if (r.Status == ApplyStatus.Failed) WriteDsError(r.Error ?? new InvalidOperationException(r.Message), r.Destination, "DsCopyWorkflowFailed");
            if (r.Status != ApplyStatus.Unchanged || PassThru) WriteObject(r);
        }
        if (outcome.Summary is not null)
        {
            WriteVerbose(outcome.Summary);
            WriteInformation(new InformationRecord(outcome.Summary, "Copy-DsWorkflow"));
        }
    }

    /// <summary>
    /// -Project as source project names: names, codes and wildcards resolve on the source (one listing per connection
    /// and TTL). When nothing matches, the typed texts go on, so the engine names what matched nothing.
    /// </summary>
    private (IReadOnlyList<string> Names, IReadOnlyList<DsProject> Resolved) SourceProjects(DsConnection source)
    {
        if (ParameterSetName == PipelineSet) return (Array.Empty<string>(), Array.Empty<DsProject>());
        var resolved = Await(DsProjectParameter.ResolveAllAsync(source.Client, Project, CancellationToken));
        return (resolved.Count > 0 ? resolved.Select(p => p.Name).ToList() : Project.Texts()!, resolved);
    }

    /// <summary>
    /// -Workflow as source workflow names: a workflow code resolves to its name in the one source project (the copy
    /// selects by name, which is the identity across clusters); names and wildcards go on as typed.
    /// </summary>
    private IReadOnlyList<string>? SourceWorkflows(DsConnection source, IReadOnlyList<DsProject> projects)
    {
        // A name selects in every source project, so a code (which names a workflow of one project) needs exactly one.
        if (Workflow is not null && Workflow.Any(w => w.Name is null) && projects.Count != 1)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsWorkflowCodeNeedsOneProject",
                $"-Workflow: a workflow code is looked up in one project, but -Project names {projects.Count}; pass one project, or the workflow's name.");
        return Await(DsWorkflowParameter.NamesAsync(source.Client, Workflow, projects, CancellationToken));
    }
}
