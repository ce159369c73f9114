using System.Globalization;
using System.Management.Automation;
using DsOps.Engine;
using DsOps.Engine.Api;
using DsOps.Engine.Dialects;
using DsOps.Engine.Models;
using DsOps.Engine.Operations.Runs;
using DsOps.Infrastructure;

namespace DsOps.Commands.Operations;

/// <summary>
/// <para type="synopsis">Waits until workflow instances reach a final state and returns them.</para>
/// <para type="description">Reads each instance every -PollInterval seconds until it has finished (succeeded, failed,
/// stopped, killed, or paused), then writes it with its final state. Takes any number of instances at once from the
/// pipeline (Get-DsWorkflowInstance, Start-DsWorkflow, Restart-DsWorkflowInstance, ...), across projects and
/// connections, and shows one progress bar for all of them. After a restart or resume it waits for the new run, not the
/// old final state. For scheduled jobs: -Timeout ends the wait with a DsWaitTimeout error for each instance still
/// running, and -ErrorOnFailure writes a DsWorkflowInstanceUnsuccessful error for each instance that did not succeed,
/// so -ErrorAction Stop (or $ErrorActionPreference = 'Stop') makes the job fail. Without -Timeout it waits as long as it
/// takes (Ctrl+C stops it).</para>
/// <example><code>Start-DsWorkflow etl daily_sales | Wait-DsWorkflowInstance</code><para>Starts a run and waits for it to end.</para></example>
/// <example><code>Get-DsWorkflowInstance etl -State Running | Wait-DsWorkflowInstance -Timeout 3600 -ErrorOnFailure -ErrorAction Stop</code><para>In a scheduled job: waits up to an hour for every running instance of the project and fails the job if any times out or ends unsuccessfully.</para></example>
/// <example><code>Wait-DsWorkflowInstance -Project etl -Id 1201, 1202, 1203 -Any</code><para>Returns as soon as the first of three instances has finished.</para></example>
/// </summary>
[Cmdlet(VerbsLifecycle.Wait, "DsWorkflowInstance", DefaultParameterSetName = "InputObject")]
[OutputType(typeof(DsWorkflowInstance))]
public sealed class WaitDsWorkflowInstanceCommand : DsRunCmdlet
{
    private readonly List<(DsWaitTarget Target, object Source)> _targets = new();
    private readonly HashSet<(DsClient, long, int)> _seen = new();

    /// <summary><para type="description">Workflow instances (or results of Start-, Restart-, Resume-DsWorkflowInstance, or task instances, whose workflow instance is waited for).</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = "InputObject", HelpMessage = "Workflow instances to wait for.")]
    public PSObject[] InputObject { get; set; } = null!;

    /// <summary><para type="description">Project name or code of the instances given by -Id.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Id", HelpMessage = "Project name or code.")]
    [Alias("ProjectCode")]
    [ProjectCompleter]
    public DsProjectParameter Project { get; set; } = null!;

    /// <summary><para type="description">Workflow instance ids.</para></summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = "Id", HelpMessage = "Workflow instance ids.")]
    [Alias("WorkflowInstanceId")]
    public int[] Id { get; set; } = null!;

    /// <summary><para type="description">Seconds to wait at most; instances still running then get a DsWaitTimeout error each. Default: no limit.</para></summary>
    [Parameter(HelpMessage = "Seconds to wait at most (default: no limit).")]
    [ValidateRange(0, int.MaxValue)]
    public int? Timeout { get; set; }

    /// <summary><para type="description">Seconds between two reads of each instance; default 5.</para></summary>
    [Parameter(HelpMessage = "Seconds between two reads of each instance; default 5.")]
    [ValidateRange(0.1, 3600)]
    public double PollInterval { get; set; } = 5;

    /// <summary><para type="description">Return when the first instance has finished (the others are neither output nor errors).</para></summary>
    [Parameter(HelpMessage = "Return when the first instance has finished.")]
    public SwitchParameter Any { get; set; }

    /// <summary><para type="description">Write a DsWorkflowInstanceUnsuccessful error for each instance that ends in any state but Succeeded or ForcedSuccess (the instance is still output).</para></summary>
    [Parameter(HelpMessage = "Write an error for each instance that does not end in success.")]
    public SwitchParameter ErrorOnFailure { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            if (ParameterSetName == "Id")
            {
                var client = Client;
                var projectCode = ProjectCodeOf(client, Project);
                foreach (var id in Id) Add(new DsWaitTarget(client, projectCode, id), id);
                return;
            }
            foreach (var item in InputObject)
            {
                try { Add(TargetOf(item), item); }
                catch (Exception ex) when (ex is not PipelineStoppedException) { WriteDsError(ex, item); }
            }
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteDsError(ex, Project);
        }
    }

    private void Add(DsWaitTarget target, object source)
    {
        if (_seen.Add((target.Client, target.ProjectCode, target.WorkflowInstanceId))) _targets.Add((target, source));
    }

    private DsWaitTarget TargetOf(PSObject item) => item.BaseObject switch
    {
        DsWorkflowInstance i => new DsWaitTarget(ClientOf(i.Connection), i.ProjectCode, i.WorkflowInstanceId) { Name = i.Name },
        DsRunActionResult r => new DsWaitTarget(ClientOf(r.Connection), r.ProjectCode, r.WorkflowInstanceId)
        {
            Name = r.Name, RunTimesBefore = r.StartsNewRun ? r.RunTimesBefore : null,
        },
        DsTaskInstance t => new DsWaitTarget(ClientOf(t.Connection), t.ProjectCode, t.WorkflowInstanceId) { Name = t.WorkflowInstanceName },
        _ => throw new DsOpsException(DsErrorKind.InvalidInput, "DsInvalidInputObject",
            $"-InputObject: a {item.BaseObject?.GetType().Name ?? "null"} is not a workflow instance; pipe objects from Get-DsWorkflowInstance, Start-DsWorkflow or Restart-DsWorkflowInstance, or use -Project and -Id."),
    };

    private DsClient ClientOf(DsConnection? connection) => (Connection ?? connection ?? ResolvedConnection).Client;

    protected override void EndProcessing()
    {
        if (_targets.Count == 0) return;
        var timeout = Timeout is { } t ? TimeSpan.FromSeconds(t) : (TimeSpan?)null;
        const string activity = "Waiting for workflow instances";
        var outcomes = AwaitWithProgress<IReadOnlyList<DsWaitOutcome>, DsWaitProgress>(
            progress => RunWaiter.WaitAsync(_targets.Select(x => x.Target).ToArray(), timeout, TimeSpan.FromSeconds(PollInterval), Any, progress, CancellationToken),
            p => new ProgressRecord(1, activity,
                $"{p.Finished} of {p.Total} finished ({p.Succeeded} succeeded, {p.Unsuccessful} not), {p.Elapsed:hh\\:mm\\:ss} elapsed" +
                (p.Latest is null ? "" : $"; last: {p.Latest}"))
            {
                PercentComplete = p.Total == 0 ? 100 : p.Finished * 100 / p.Total,
            });
        WriteProgress(new ProgressRecord(1, activity, "done") { RecordType = ProgressRecordType.Completed });

        var anyFinished = outcomes.Any(o => o.Finished);
        foreach (var o in outcomes)
        {
            var label = o.Instance is { } last ? RunControl.Describe(last) : $"#{o.Target.WorkflowInstanceId}";
            if (o.Error is { } error)
            {
                WriteDsError(error, (object?)o.Instance ?? o.Target.WorkflowInstanceId);
                continue;
            }
            if (!o.Finished)
            {
                if (Any && anyFinished) continue;
                WriteDsError("DsWaitTimeout", ErrorCategory.OperationTimeout,
                    $"Workflow instance {label} in project '{ProjectLabel(o.Target.Client, o.Target.ProjectCode)}' had not finished after {Timeout} s.",
                    (object?)o.Instance ?? o.Target.WorkflowInstanceId);
                continue;
            }
            var instance = o.Instance!;
            WriteObject(instance);
            if (ErrorOnFailure && !DsDialect.IsSuccess(instance.State))
                WriteDsError("DsWorkflowInstanceUnsuccessful", ErrorCategory.InvalidResult,
                    $"Workflow instance {label} in project '{ProjectLabel(o.Target.Client, o.Target.ProjectCode)}' ended {instance.State}.", instance);
        }
    }
}
