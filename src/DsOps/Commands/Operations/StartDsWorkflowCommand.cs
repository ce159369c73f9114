using System.Collections;
using System.Globalization;
using System.Management.Automation;
using DsOps.Engine;
using DsOps.Engine.Models;
using DsOps.Engine.Operations.Runs;
using DsOps.Infrastructure;

namespace DsOps.Commands.Operations;

/// <summary>
/// <para type="synopsis">Starts a workflow now and returns the workflow instance the start created.</para>
/// <para type="description">Starts a manual run of an online workflow through DS's executor (start-process-instance,
/// start-workflow-instance from 3.3), with run-time parameters, start nodes, worker group, environment, tenant (3.2+),
/// priority, failure strategy, alerting, dry run and test run (3.2.0 to 3.3.0). The output is the created instance, not
/// just an acknowledgement: 3.3+ returns its id, 3.2 a trigger code DsOps looks it up by, and on 3.0/3.1, which return
/// nothing, DsOps takes the first manual-start instance of the workflow newer than the newest one before the call.
/// On 3.0 to 3.2 the instance exists only once a master has taken the start command; -CreationTimeout bounds that wait.
/// Pipe the result into Wait-DsWorkflowInstance to wait for the run to end.</para>
/// <example><code>Start-DsWorkflow -Project etl -Workflow daily_sales</code><para>Starts daily_sales with DS's defaults and shows the new instance.</para></example>
/// <example><code>Start-DsWorkflow etl daily_sales -Parameter @{ biz_date = '2026-12-03' } -Priority Low -WorkerGroup backfill | Wait-DsWorkflowInstance -ErrorOnFailure</code><para>Runs one day again with a run-time parameter on a separate worker group at low priority and waits for it; a failure becomes an error.</para></example>
/// <example><code>Start-DsWorkflow etl daily_sales -StartNode load_dw -StartNodeScope Downstream -FailureStrategy Continue</code><para>Runs only load_dw and everything after it, letting independent branches finish when one fails.</para></example>
/// <example><code>Get-DsWorkflow -Project etl -Name 'daily_*' | Start-DsWorkflow -DryRun -WhatIf</code><para>Shows which workflows would be started as dry runs, without starting any.</para></example>
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "DsWorkflow", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(DsWorkflowInstance))]
public sealed class StartDsWorkflowCommand : DsRunCmdlet
{
    /// <summary><para type="description">Project name or code.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, HelpMessage = "Project name or code.")]
    [Alias("ProjectCode")]
    [ProjectCompleter]
    public DsProjectParameter Project { get; set; } = null!;

    /// <summary><para type="description">Workflow name or code; the workflow must be online.</para></summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true, HelpMessage = "Workflow name or code.")]
    [Alias("WorkflowCode")]
    [WorkflowCompleter]
    public DsWorkflowParameter Workflow { get; set; } = null!;

    /// <summary><para type="description">Run-time values of the workflow's global parameters (DS's startParams), e.g. @{ biz_date = '2026-12-03' }.</para></summary>
    [Parameter(HelpMessage = "Run-time values of global parameters, e.g. @{ biz_date = '2026-12-03' }.")]
    public Hashtable? Parameter { get; set; }

    /// <summary><para type="description">Task names or codes to start from instead of the whole DAG.</para></summary>
    [Parameter(HelpMessage = "Task names or codes to start from.")]
    public string[]? StartNode { get; set; }

    /// <summary><para type="description">With -StartNode: Downstream (the nodes and what follows them; DS's default), Upstream (the nodes and what precedes them) or Only.</para></summary>
    [Parameter(HelpMessage = "With -StartNode: Downstream (default), Upstream or Only.")]
    public DsStartNodeScope StartNodeScope { get; set; } = DsStartNodeScope.Downstream;

    /// <summary><para type="description">Worker group for the run; DS applies it only to tasks whose own worker group is 'default'.</para></summary>
    [Parameter(HelpMessage = "Worker group for the run's default-group tasks.")]
    [WorkerGroupCompleter]
    public string? WorkerGroup { get; set; }

    /// <summary><para type="description">Code of the DS environment for the run (tab completion lists the codes with their names).
    /// Was -Environment, which elsewhere names an environment of the environments file.</para></summary>
    [Parameter(HelpMessage = "DS environment code for the run (Tab lists codes with names).")]
    [DsEnvironmentCompleter]
    public long? EnvironmentCode { get; set; }

    /// <summary><para type="description">Tenant to run as (DS 3.2 and later; older versions take it from the workflow).</para></summary>
    [Parameter(HelpMessage = "Tenant to run as (DS 3.2+).")]
    [Alias("Tenant")]
    [TenantCompleter]
    public string? TenantCode { get; set; }

    /// <summary><para type="description">Instance priority: Highest, High, Medium (DS's default), Low or Lowest.</para></summary>
    [Parameter(HelpMessage = "Instance priority: Highest, High, Medium, Low or Lowest.")]
    public DsPriority? Priority { get; set; }

    /// <summary><para type="description">End (default: a failed task ends the run) or Continue (other branches go on).</para></summary>
    [Parameter(HelpMessage = "End (default) or Continue.")]
    public DsFailureStrategy FailureStrategy { get; set; } = DsFailureStrategy.End;

    /// <summary><para type="description">When DS alerts about the run: None (default), Success, Failure or All.</para></summary>
    [Parameter(HelpMessage = "When DS alerts: None, Success, Failure or All.")]
    public DsWarningType WarningType { get; set; } = DsWarningType.None;

    /// <summary><para type="description">Alert group id DS alerts go to.</para></summary>
    [Parameter(HelpMessage = "Alert group id.")]
    [Alias("AlertGroupId")]
    [AlertGroupCompleter]
    public int? WarningGroupId { get; set; }

    /// <summary><para type="description">Dry run: DS dispatches the tasks without executing them.</para></summary>
    [Parameter(HelpMessage = "Dispatch the tasks without executing them.")]
    public SwitchParameter DryRun { get; set; }

    /// <summary><para type="description">Test run against the data sources' test connections (DS 3.2.0 to 3.3.0 only).</para></summary>
    [Parameter(HelpMessage = "Run against the test data sources (DS 3.2.0 to 3.3.0).")]
    public SwitchParameter TestRun { get; set; }

    /// <summary><para type="description">Seconds to wait for a master to create the instance (DS 3.0 to 3.2 queue a command first); default 60.</para></summary>
    [Parameter(HelpMessage = "Seconds to wait for the instance to be created; default 60.")]
    [ValidateRange(1, 86400)]
    public int CreationTimeout { get; set; } = (int)RunControl.DefaultCreationTimeout.TotalSeconds;

    protected override void ProcessRecord()
    {
        DsWorkflow? workflow = null;
        try
        {
            var client = Client;
            var projectCode = ProjectCodeOf(client, Project);
            workflow = Await(Workflow.ResolveAsync(client, projectCode, CancellationToken));
            var control = RunControlFor(client);
            var request = new DsStartRequest
            {
                ProjectCode = projectCode, WorkflowCode = workflow.WorkflowCode, Parameters = ParametersOf(Parameter),
                StartNodes = StartNode is { Length: > 0 } ? ResolveStartNodes(client, projectCode, workflow) : null, StartNodeScope = StartNodeScope,
                WorkerGroup = WorkerGroup, EnvironmentCode = EnvironmentCode, Tenant = TenantCode, Priority = Priority,
                FailureStrategy = FailureStrategy, WarningType = WarningType, WarningGroupId = WarningGroupId, DryRun = DryRun, TestRun = TestRun,
            };
            control.StartForm(request); // refuses flags this DS version does not have, before asking
            var target = $"workflow '{workflow.Name}' ({workflow.WorkflowCode}) in project '{ProjectLabel(client, projectCode)}'" + (DryRun ? " (dry run)" : "") + (TestRun ? " (test run)" : "");
            if (!ShouldProcess(target, "Start")) return;
            foreach (var instance in Await(control.StartAsync(request, workflow.Name, TimeSpan.FromSeconds(CreationTimeout), CancellationToken)))
                WriteObject(instance);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteDsError(ex, (object?)workflow ?? Workflow);
        }
    }

    private static IReadOnlyDictionary<string, string>? ParametersOf(Hashtable? table)
    {
        if (table is null || table.Count == 0) return null;
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in table)
        {
            var key = Convert.ToString(e.Key, CultureInfo.InvariantCulture);
            if (string.IsNullOrWhiteSpace(key))
                throw new DsOpsException(DsErrorKind.InvalidInput, "DsInvalidArgument", "-Parameter: a parameter name is empty.");
            result[key] = e.Value switch
            {
                null => "",
                DateTime d => d.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                PSObject p => Convert.ToString(p.BaseObject, CultureInfo.InvariantCulture) ?? "",
                var v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "",
            };
        }
        return result;
    }

    private IReadOnlyList<long> ResolveStartNodes(Engine.Api.DsClient client, long projectCode, DsWorkflow workflow)
    {
        var dag = client.MapDag(Await(client.GetWorkflowDagJsonAsync(projectCode, workflow.WorkflowCode, CancellationToken)), projectCode);
        var tasks = dag.Tasks ?? Array.Empty<DsTask>();
        var codes = new List<long>();
        foreach (var node in StartNode!)
        {
            var task = tasks.FirstOrDefault(t => string.Equals(t.Name, node, StringComparison.Ordinal))
                       ?? tasks.FirstOrDefault(t => t.TaskCode.ToString(CultureInfo.InvariantCulture) == node);
            if (task is null)
                throw new DsOpsException(DsErrorKind.InvalidInput, "DsTaskNotFound",
                    $"-StartNode '{node}': workflow '{workflow.Name}' has no task of that name or code (it has: {string.Join(", ", tasks.Select(t => t.Name).Take(20))}).");
            codes.Add(task.TaskCode);
        }
        return codes.Distinct().ToArray();
    }

}
