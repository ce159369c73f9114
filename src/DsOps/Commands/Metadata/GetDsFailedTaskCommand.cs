using System.Management.Automation;
using DsOps.Engine.Metadata;
using DsOps.Infrastructure;

namespace DsOps.Commands.Metadata;

/// <summary>
/// <para type="synopsis">Lists task instances that failed (FAILURE, KILL, NEED_FAULT_TOLERANCE) in a time window.</para>
/// <para type="description">Finds tasks whose end time falls in [-Since, -Until) with host, start, end and retries.
/// Only final tries by default; -IncludeEarlierTries adds the tries DS retried. Workflow instances are found
/// through start_time_index, looking back 3 days before -Since for long-running instances.</para>
/// </summary>
/// <example runnable="true"><code>Get-DsFailedTask -Since (Get-Date).AddDays(-2) -Project demo*</code><para>Lists the tasks of projects starting with demo that failed in the last two days.</para></example>
[Cmdlet(VerbsCommon.Get, "DsFailedTask")]
[OutputType(typeof(DsFailedTask))]
public sealed class GetDsFailedTaskCommand : DsMetadataCmdlet
{
    /// <summary><para type="description">Start of the window (default: 24 hours ago).</para></summary>
    [Parameter(HelpMessage = "Start of the window (default: 24 hours ago).")]
    public DateTime? Since { get; set; }

    /// <summary><para type="description">End of the window (default: now).</para></summary>
    [Parameter(HelpMessage = "End of the window (default: now).")]
    public DateTime? Until { get; set; }

    /// <summary><para type="description">Also list earlier failed tries that DS retried (flag = 0).</para></summary>
    [Parameter(HelpMessage = "Also list earlier failed tries that DS retried.")]
    public SwitchParameter IncludeEarlierTries { get; set; }

    /// <summary><para type="description">Only projects matching (names with wildcards, or project codes).</para></summary>
    [Parameter(HelpMessage = "Only projects whose name matches (wildcards allowed) or whose code is given.")]
    [ProjectCompleter]
    [SupportsWildcards]
    public DsProjectParameter[]? Project { get; set; }

    /// <summary><para type="description">Only workflows matching (names with wildcards, or workflow codes).</para></summary>
    [Parameter(HelpMessage = "Only workflows whose name matches (wildcards allowed) or whose code is given.")]
    [WorkflowCompleter]
    [SupportsWildcards]
    public DsWorkflowParameter[]? Workflow { get; set; }

    /// <summary><para type="description">Time zone to show times in (IANA id; default local).</para></summary>
    [Parameter(HelpMessage = "Time zone to show times in (IANA id); default: local zone.")]
    [TimeZoneCompleter]
    public string? TimeZone { get; set; }

    protected override void EndProcessing()
    {
        var connection = ResolveMetadataConnection();
        var zone = ResolveTimeZone(TimeZone, nameof(TimeZone));
        var until = (Until ?? DateTime.Now).ToUniversalTime();
        var since = (Since ?? DateTime.Now.AddDays(-1)).ToUniversalTime();
        if (until <= since)
            ThrowDsError("DsInvalidTimeWindow", ErrorCategory.InvalidArgument, "-Until must be after -Since.");
        var reader = new DsMetadataReader(connection, zone);
        // Project and workflow patterns filter in the engine's query (SQL parameters), not here.
        foreach (var row in Run(() => reader.GetFailedTasksAsync(since, until, IncludeEarlierTries, Project.Texts(), Workflow.Texts(), CancellationToken)))
            WriteObject(row);
    }
}
