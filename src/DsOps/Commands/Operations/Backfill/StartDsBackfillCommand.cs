using System.Globalization;
using System.Management.Automation;
using DsOps.Engine.Api;
using DsOps.Engine.Operations.Backfill;
using DsOps.Engine.Operations.Runs;
using DsOps.Infrastructure;

namespace DsOps.Commands.Operations.Backfill;

/// <summary>
/// <para type="synopsis">Backfills a workflow over a date range without starving the scheduled runs.</para>
/// <para type="description">Submits one DS complement-data (backfill) command per date, at the lowest priority, and
/// only while fewer than -MaxRunning backfill instances of the project run (or wait in DS's queue), DS's command
/// queue holds fewer than -MaxBacklog commands and the server's clock is outside -QuietWindow. Every date is
/// recorded in a state file before it is submitted and after DS accepted it; a stopped or killed run started again
/// with the same parameters resumes from that file and checks on the server whether an interrupted submission
/// arrived, so no date is submitted twice. Waits until the last instance ends (unless -NoWait) and returns one
/// result per date with its instance, state and duration. -Dependent also backfills the downstream workflows
/// (DS's ALL_DEPENDENT mode, which multiplies the load). -WhatIf lists the dates it would submit.</para>
/// </summary>
/// <example><code>Start-DsBackfill -Project etl -Workflow daily_sales -From 2026-10-01 -To 2026-11-29 -QuietWindow '00:00-07:00'</code><para>Backfills 60 days, two at a time, and submits nothing between midnight and 7:00 server time so the morning's scheduled runs keep the cluster.</para></example>
/// <example><code>Get-DsWorkflow -Project etl -Name daily_sales | Start-DsBackfill -From 2026-11-01 -To 2026-11-30 -MaxRunning 4 -MaxBacklog 10</code><para>Backfills November with at most four backfill instances at once, pausing while DS's command queue holds ten or more commands.</para></example>
/// <example><code>Start-DsBackfill -Project etl -Workflow daily_sales -From 2026-11-01 -To 2026-11-30 -WhatIf</code><para>Lists the dates that would be submitted (those the state file does not show as submitted) without submitting anything.</para></example>
[Cmdlet(VerbsLifecycle.Start, "DsBackfill", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(DsBackfillDate))]
public sealed class StartDsBackfillCommand : DsApiCmdlet
{
    /// <summary><para type="description">Project name or code.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, HelpMessage = "Project name or code.")]
    [Alias("ProjectCode")]
    [ProjectCompleter]
    public DsProjectParameter Project { get; set; } = null!;

    /// <summary><para type="description">Workflow name or code.</para></summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true, HelpMessage = "Workflow name or code.")]
    [Alias("WorkflowCode")]
    [WorkflowCompleter]
    public DsWorkflowParameter Workflow { get; set; } = null!;

    /// <summary><para type="description">First business date (inclusive; the time of day is ignored).</para></summary>
    [Parameter(Mandatory = true, HelpMessage = "First business date (inclusive).")]
    public DateTime From { get; set; }

    /// <summary><para type="description">Last business date (inclusive).</para></summary>
    [Parameter(Mandatory = true, HelpMessage = "Last business date (inclusive).")]
    public DateTime To { get; set; }

    /// <summary><para type="description">Most backfill instances of the project running or queued at once (default 2).</para></summary>
    [Parameter(HelpMessage = "Most backfill instances of the project running or queued at once.")]
    [ValidateRange(1, 100)]
    public int MaxRunning { get; set; } = 2;

    /// <summary><para type="description">Submit nothing while DS's command queue holds this many commands or more (default 20).</para></summary>
    [Parameter(HelpMessage = "Submit nothing while DS's command queue holds this many commands or more.")]
    [ValidateRange(1, 100000)]
    public int MaxBacklog { get; set; } = 20;

    /// <summary><para type="description">One date at a time (same as -MaxRunning 1).</para></summary>
    [Parameter(HelpMessage = "One date at a time.")]
    public SwitchParameter Serial { get; set; }

    /// <summary><para type="description">Newest date first.</para></summary>
    [Parameter(HelpMessage = "Newest date first.")]
    public SwitchParameter Descending { get; set; }

    /// <summary><para type="description">Also backfill the workflows that depend on this one (DS's ALL_DEPENDENT mode; multiplies the load).</para></summary>
    [Parameter(HelpMessage = "Also backfill dependent workflows (ALL_DEPENDENT).")]
    public SwitchParameter Dependent { get; set; }

    /// <summary><para type="description">Daily window HH:mm-HH:mm in the server's time zone in which nothing is submitted, e.g. 00:00-07:00.</para></summary>
    [Parameter(HelpMessage = "Daily window HH:mm-HH:mm (server time) in which nothing is submitted.")]
    public string? QuietWindow { get; set; }

    /// <summary><para type="description">Instance priority of the backfill runs (default LOWEST, so scheduled runs go first).</para></summary>
    [Parameter(HelpMessage = "Instance priority of the backfill runs (default Lowest).")]
    public DsPriority Priority { get; set; } = DsPriority.Lowest;

    /// <summary><para type="description">Continue (default) or End: what a run does when one of its tasks fails.</para></summary>
    [Parameter(HelpMessage = "Continue or End when a task fails.")]
    public DsFailureStrategy FailureStrategy { get; set; } = DsFailureStrategy.Continue;

    /// <summary><para type="description">Worker group of the runs; DS applies it only to tasks whose own group is default.</para></summary>
    [Parameter(HelpMessage = "Worker group of the runs (applies to tasks in the default group).")]
    [WorkerGroupCompleter]
    public string WorkerGroup { get; set; } = "default";

    /// <summary><para type="description">Environment code of the runs (-1 none).</para></summary>
    [Parameter(HelpMessage = "Environment code of the runs (-1 none).")]
    [DsEnvironmentCompleter]
    public long EnvironmentCode { get; set; } = -1;

    /// <summary><para type="description">Tenant of the runs (DS 3.2+).</para></summary>
    [Parameter(HelpMessage = "Tenant of the runs (DS 3.2+).")]
    [TenantCompleter]
    public string? TenantCode { get; set; }

    /// <summary><para type="description">State file; default: one per project, workflow and range under the user's local application data folder.</para></summary>
    [Parameter(HelpMessage = "State file that makes the backfill resumable.")]
    public string? StatePath { get; set; }

    /// <summary><para type="description">Seconds between looks at the server (default 30).</para></summary>
    [Parameter(HelpMessage = "Seconds between looks at the server.")]
    [ValidateRange(1, 3600)]
    public int PollSeconds { get; set; } = 30;

    /// <summary><para type="description">Return when every date is submitted instead of waiting for the last runs to end.</para></summary>
    [Parameter(HelpMessage = "Return when every date is submitted.")]
    public SwitchParameter NoWait { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var client = Client;
            var project = ResolveProject(Project, client);
            var workflow = Await(Workflow.ResolveAsync(client, project.ProjectCode, CancellationToken));
            var from = DateOnly.FromDateTime(From);
            var to = DateOnly.FromDateTime(To);
            var options = new BackfillOptions
            {
                ProjectCode = project.ProjectCode,
                WorkflowCode = workflow.WorkflowCode,
                WorkflowName = workflow.Name,
                From = from,
                To = to,
                MaxRunning = MaxRunning,
                MaxBacklog = MaxBacklog,
                Serial = Serial,
                Descending = Descending,
                QuietWindow = string.IsNullOrWhiteSpace(QuietWindow) ? null : Engine.Operations.Backfill.QuietWindow.Parse(QuietWindow),
                Template = new DsComplementRequest
                {
                    Date = from, Priority = DsRunSettingNames.Of(Priority), FailureStrategy = DsRunSettingNames.Of(FailureStrategy), WorkerGroup = WorkerGroup,
                    EnvironmentCode = EnvironmentCode, TenantCode = TenantCode, Dependent = Dependent,
                },
                StatePath = StatePath is { Length: > 0 } p
                    ? SessionState.Path.GetUnresolvedProviderPathFromPSPath(p)
                    : BackfillState.DefaultPath(project.ProjectCode, workflow.WorkflowCode, from, to),
                NoWait = NoWait,
                PollInterval = TimeSpan.FromSeconds(PollSeconds),
            };
            var dates = BackfillRunner.PendingDates(options);
            var target = string.Create(CultureInfo.InvariantCulture,
                $"workflow '{workflow.Name}' of project '{project.Name}': {dates.Count} date(s) at {DsRunSettingNames.Of(Priority)} priority, at most {(Serial ? 1 : MaxRunning)} at once") +
                (Dependent ? ", with dependent workflows" : "") + ": " + string.Join(", ", dates.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
            if (!ShouldProcess(target, "Start backfill")) return;
            WriteVerbose("Backfill state file: " + options.StatePath);
            var results = AwaitWithProgress<IReadOnlyList<DsBackfillDate>, BackfillProgress>(
                progress => BackfillRunner.RunAsync(client, options, progress, CancellationToken),
                r => new ProgressRecord(1, $"Start-DsBackfill {workflow.Name}",
                    string.Create(CultureInfo.InvariantCulture, $"{r.Submitted} of {r.Total} submitted, {r.Finished} finished, {r.Running} running; {r.Activity}"))
                {
                    PercentComplete = r.Total == 0 ? 100 : (int)(100L * r.Finished / r.Total),
                });
            WriteProgress(new ProgressRecord(1, $"Start-DsBackfill {workflow.Name}", "Done") { RecordType = ProgressRecordType.Completed });
            foreach (var r in results) WriteObject(r);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteDsError(ex, Workflow);
        }
    }
}
