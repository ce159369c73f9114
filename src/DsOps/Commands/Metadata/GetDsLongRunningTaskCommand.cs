using System.Management.Automation;
using DsOps.Engine.Metadata;
using DsOps.Infrastructure;

namespace DsOps.Commands.Metadata;

/// <summary>
/// <para type="synopsis">Lists task instances still running longer than a threshold.</para>
/// <para type="description">Looks at workflow instances started within -LookbackDays that have not ended, and their
/// tasks in progress that started more than -Threshold ago. Each row shows the task's usual (median) duration.</para>
/// </summary>
/// <example runnable="true"><code>Get-DsLongRunningTask -MinimumRuntime 02:00:00</code><para>Lists tasks that have been running for more than two hours.</para></example>
[Cmdlet(VerbsCommon.Get, "DsLongRunningTask")]
[OutputType(typeof(DsLongRunningTask))]
public sealed class GetDsLongRunningTaskCommand : DsMetadataCmdlet
{
    /// <summary><para type="description">Minimum running time (default 1 hour).</para></summary>
    [Parameter(Position = 0, HelpMessage = "Minimum time a task has been running (default 01:00:00).")]
    public TimeSpan MinimumRuntime { get; set; } = TimeSpan.FromHours(1);

    /// <summary><para type="description">How many days back to look for running workflow instances (default 7).</para></summary>
    [Parameter(HelpMessage = "How many days back to look for running workflow instances (default 7).")]
    [ValidateRange(1, 90)]
    public int LookbackDays { get; set; } = 7;

    /// <summary><para type="description">Time zone to show times in (IANA id; default local).</para></summary>
    [Parameter(HelpMessage = "Time zone to show times in (IANA id); default: local zone.")]
    [TimeZoneCompleter]
    public string? TimeZone { get; set; }

    protected override void EndProcessing()
    {
        if (MinimumRuntime <= TimeSpan.Zero)
            ThrowDsError("DsInvalidMinimumRuntime", ErrorCategory.InvalidArgument, "-MinimumRuntime must be a positive duration.", MinimumRuntime);
        var reader = new DsMetadataReader(ResolveMetadataConnection(), ResolveTimeZone(TimeZone, nameof(TimeZone)));
        foreach (var row in Run(() => reader.GetLongRunningTasksAsync(MinimumRuntime, DateTimeOffset.Now, TimeSpan.FromDays(LookbackDays), CancellationToken)))
            WriteObject(row);
    }
}
