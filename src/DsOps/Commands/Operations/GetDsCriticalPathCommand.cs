using System.Management.Automation;
using DsOps.Commands.Metadata;
using DsOps.Engine.Operations.CriticalPath;
using DsOps.Engine.Reports;
using DsOps.Infrastructure;

namespace DsOps.Commands.Operations;

/// <summary>
/// <para type="synopsis">Shows the chain of workflow and task runs that set a T+1 workflow's finish time, or predicts today's finish against a deadline.</para>
/// <para type="description">Reads task-instance and workflow-instance history from the metadata database (Connect-DsMetadata).
/// For each selected workflow's run on -Date, it walks back from the run's end: the task that finished last, the upstream
/// task (DAG relation) that finished last before it, the run of another workflow a DEPENDENT task waited for, the child run
/// of a sub-workflow task, and so on, and writes that chain earliest first. Wait is the idle time before a task started;
/// Slack is how much earlier a step would have to finish before another run set the pace instead (empty when nothing
/// competes). With -Deadline it predicts when the run of -Date (default today) finishes, from what is running now and the
/// usual durations of the last 7 days (through DEPENDENT tasks), and says whether the deadline is at risk.</para>
/// </summary>
/// <example><code>Get-DsCriticalPath -Workflow dw/daily_report -Date 2026-12-03</code><para>Lists the runs that decided when daily_report finished on 3 December, with wait and slack per step.</para></example>
/// <example><code>Get-DsCriticalPath -Workflow daily_report, finance/close_* -Deadline 07:00</code><para>Predicts this morning's finish of the selected workflows and marks those that will probably miss 07:00 as AtRisk.</para></example>
/// <example><code>Get-DsCriticalPath -Workflow daily_report -Date (Get-Date).AddDays(-1) | Where-Object Slack -lt ([timespan]'00:05:00')</code><para>Shows yesterday's steps that beat another path by less than five minutes.</para></example>
[Cmdlet(VerbsCommon.Get, "DsCriticalPath")]
[OutputType(typeof(DsCriticalStep), typeof(DsDeadlineForecast))]
public sealed class GetDsCriticalPathCommand : DsMetadataCmdlet
{
    private readonly List<string> _workflows = new();

    /// <summary><para type="description">Workflows: name, project/name or code; wildcards allowed.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, HelpMessage = "Workflows: name, project/name or code; wildcards allowed.")]
    [Alias("WorkflowCode")]
    [WorkflowCompleter]
    [SupportsWildcards]
    public DsWorkflowParameter[] Workflow { get; set; } = Array.Empty<DsWorkflowParameter>();

    /// <summary><para type="description">Business date of the runs (runs that started that day in -TimeZone). Default: today.</para></summary>
    [Parameter(Position = 1, HelpMessage = "Business date of the runs (default today).")]
    public DateTime? Date { get; set; }

    /// <summary><para type="description">Deadline as a time after the start of the date ("07:00", or "1.02:00" for 02:00 the next day): predicts the finish instead of listing the chain.</para></summary>
    [Parameter(HelpMessage = "Deadline after the start of the date, e.g. 07:00: predicts the finish and whether it is at risk.")]
    public string? Deadline { get; set; }

    /// <summary><para type="description">Days of history the prediction learns usual durations from (default 7).</para></summary>
    [Parameter(HelpMessage = "Days of history the prediction learns from (default 7).")]
    [ValidateRange(1, 60)]
    public int HistoryDays { get; set; } = 7;

    /// <summary><para type="description">"Now" for running runs and predictions (default: the current time).</para></summary>
    [Parameter(HelpMessage = "The time to analyse as of (default now).")]
    public DateTime? AsOf { get; set; }

    /// <summary><para type="description">Time zone of the business date and of the times shown (IANA id; default local).</para></summary>
    [Parameter(HelpMessage = "Time zone of the business date and times (IANA id); default: local zone.")]
    [TimeZoneCompleter]
    public string? TimeZone { get; set; }

    protected override void ProcessRecord() => _workflows.AddRange(Workflow.Texts()!);

    protected override void EndProcessing()
    {
        TimeSpan? deadline = null;
        if (Deadline is not null)
        {
            deadline = DeadlineConfig.ParseOffset(Deadline);
            if (deadline is null)
                ThrowDsError("DsInvalidDeadline", ErrorCategory.InvalidArgument,
                    $"-Deadline: '{Deadline}' is not a time after the start of the date (use '07:00' or '1.02:00').", Deadline);
        }
        var connection = ResolveMetadataConnection();
        var zone = ResolveTimeZone(TimeZone, nameof(TimeZone));
        var asOf = AsOf is { } a ? LocalOffset(a) : DateTimeOffset.Now;
        var date = DateOnly.FromDateTime(Date ?? TimeZoneInfo.ConvertTime(asOf, zone).DateTime);
        var analyzer = new CriticalPathAnalyzer(connection, zone) { HistoryDays = HistoryDays };
        if (deadline is { } offset)
        {
            foreach (var forecast in Run(() => analyzer.ForecastAsync(date, _workflows, offset, asOf, CancellationToken)))
                WriteObject(forecast);
            return;
        }
        var paths = Run(() => analyzer.AnalyzeAsync(date, _workflows, asOf, CancellationToken));
        foreach (var missing in _workflows.Count > 0 && paths.Count == 0 ? new[] { string.Join(", ", _workflows) } : Array.Empty<string>())
            WriteWarning($"No run of {missing} started on {date:yyyy-MM-dd} ({zone.Id}).");
        foreach (var path in paths)
            foreach (var step in path.Steps)
                WriteObject(step);
    }
}
