using System.Management.Automation;
using DsOps.Engine.Metadata;
using DsOps.Infrastructure;

namespace DsOps.Commands.Metadata;

/// <summary>
/// <para type="synopsis">Shows the master's command backlog (t_ds_command) and rejected commands (t_ds_error_command) by type and age.</para>
/// <para type="description">Masters delete commands as they consume them, so a growing count or an old oldest command
/// means the masters are not keeping up (DS issues #14078, #18570). With -ErrorDetail, lists the rejected commands
/// created since -Since with the master's message.</para>
/// </summary>
/// <example runnable="true"><code>Get-DsCommandQueue; Get-DsCommandQueue -ErrorDetail -Since (Get-Date).AddDays(-1)</code><para>Shows the command backlog per type, then the error commands of the last day.</para></example>
[Cmdlet(VerbsCommon.Get, "DsCommandQueue", DefaultParameterSetName = "Summary")]
[OutputType(typeof(DsCommandBacklog), ParameterSetName = new[] { "Summary" })]
[OutputType(typeof(DsErrorCommand), ParameterSetName = new[] { "ErrorDetail" })]
public sealed class GetDsCommandQueueCommand : DsMetadataCmdlet
{
    /// <summary><para type="description">List rejected commands one by one instead of the summary.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = "ErrorDetail", HelpMessage = "List rejected commands with their messages instead of the summary.")]
    public SwitchParameter ErrorDetail { get; set; }

    /// <summary><para type="description">With -ErrorDetail: only commands created since (default 24 hours ago).</para></summary>
    [Parameter(ParameterSetName = "ErrorDetail", HelpMessage = "With -ErrorDetail: only commands created since this time (default 24 hours ago).")]
    public DateTime? Since { get; set; }

    /// <summary><para type="description">With -ErrorDetail: at most this many rows (default 100).</para></summary>
    [Parameter(ParameterSetName = "ErrorDetail", HelpMessage = "With -ErrorDetail: at most this many rows (default 100).")]
    [ValidateRange(1, 100000)]
    public int First { get; set; } = 100;

    /// <summary><para type="description">Time zone to show times in (IANA id; default local).</para></summary>
    [Parameter(HelpMessage = "Time zone to show times in (IANA id); default: local zone.")]
    [TimeZoneCompleter]
    public string? TimeZone { get; set; }

    protected override void EndProcessing()
    {
        var reader = new DsMetadataReader(ResolveMetadataConnection(), ResolveTimeZone(TimeZone, nameof(TimeZone)));
        if (ErrorDetail)
        {
            var since = new DateTimeOffset(Since ?? DateTime.Now.AddDays(-1));
            foreach (var row in Run(() => reader.GetErrorCommandsAsync(since, First, CancellationToken))) WriteObject(row);
            return;
        }
        foreach (var row in Run(() => reader.GetCommandBacklogAsync(DateTimeOffset.Now, CancellationToken))) WriteObject(row);
    }
}
