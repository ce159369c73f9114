using System.Globalization;
using System.Management.Automation;
using DsOps.Commands.Metadata;
using DsOps.Engine.Operations;

namespace DsOps.Commands.Operations;

/// <summary>
/// <para type="synopsis">Removes old workflow and task instances from the DS metadata database, in DS's own order.</para>
/// <para type="description">Deletes finished workflow instances (succeeded, failed, stopped, killed) that started and
/// ended before -OlderThan, with their sub-workflow instances and everything that hangs off them: task instances and
/// their dependants, sub-workflow links, alerts, error commands and trigger relations. Unfinished, paused and
/// recoverable instances, and instances a queued command refers to, are never touched. Each batch is one transaction,
/// so a killed run leaves nothing half deleted and a rerun continues where it stopped. The row counts per table are
/// counted first and shown by -WhatIf and in the confirmation. Needs a connection made with Connect-DsMetadata -AllowWrite.</para>
/// </summary>
/// <example runnable="true"><code>Remove-DsInstanceHistory -OlderThan (Get-Date).AddDays(-90) -WhatIf</code><para>Shows how many rows of each table a 90-day retention would delete, without deleting.</para></example>
/// <example><code>Remove-DsInstanceHistory -OlderThan (Get-Date).AddDays(-90) -PauseMilliseconds 200 -Confirm:$false</code><para>Deletes the history older than 90 days in batches with a pause between them, for a nightly job while DS runs.</para></example>
/// <example><code>Get-DsWorkflow -Project etl -Name 'tmp_*' | Remove-DsInstanceHistory -OlderThan (Get-Date).AddDays(-7)</code><para>Keeps only a week of history for the matching workflows (asks for confirmation).</para></example>
[Cmdlet(VerbsCommon.Remove, "DsInstanceHistory", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(HistoryCleanupResult))]
public sealed class RemoveDsInstanceHistoryCommand : DsMetadataCmdlet
{
    private readonly List<long> _workflowCodes = new();

    /// <summary><para type="description">Instances that started and ended before this time are removed (your local time unless the value says otherwise).</para></summary>
    [Parameter(Mandatory = true, Position = 0, HelpMessage = "Remove instances that started and ended before this time.")]
    public DateTime OlderThan { get; set; }

    /// <summary><para type="description">Only instances of these workflows (codes; binds from WorkflowCode of Get-DsWorkflow objects).</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true, HelpMessage = "Only instances of these workflow codes.")]
    public long[]? WorkflowCode { get; set; }

    /// <summary><para type="description">Top-level workflow instances per transaction (default 500).</para></summary>
    [Parameter(HelpMessage = "Top-level workflow instances per transaction (default 500).")]
    [ValidateRange(1, 10_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary><para type="description">Milliseconds to wait between batches, leaving the database to a running DS (default 0).</para></summary>
    [Parameter(HelpMessage = "Milliseconds to wait between batches (default 0).")]
    [ValidateRange(0, 60_000)]
    public int PauseMilliseconds { get; set; }

    protected override void ProcessRecord()
    {
        if (WorkflowCode is { } codes) _workflowCodes.AddRange(codes);
    }

    protected override void EndProcessing()
    {
        var connection = ResolveMetadataConnection();
        var options = new HistoryCleanupOptions
        {
            OlderThan = LocalOffset(OlderThan),
            BatchSize = BatchSize,
            Pause = TimeSpan.FromMilliseconds(PauseMilliseconds),
            WorkflowCodes = _workflowCodes.Count > 0 ? _workflowCodes.Distinct().ToArray() : null,
        };
        var counted = Run(() => InstanceHistoryCleanup.CountAsync(connection, options, cancellationToken: CancellationToken));
        var target = Describe(counted, connection.Name);
        if (counted.WorkflowInstances == 0)
        {
            WriteVerbose("Nothing to remove: " + target);
            return;
        }
        if (!ShouldProcess(target, "Remove run history")) return;
        var result = Run(() => Task.FromResult(AwaitWithProgress<HistoryCleanupResult, HistoryCleanupProgress>(
            progress => InstanceHistoryCleanup.RemoveAsync(connection, options, progress, CancellationToken),
            p => new ProgressRecord(1, "Remove-DsInstanceHistory",
                $"{p.WorkflowInstances:N0} of {counted.WorkflowInstances:N0} workflow instances, {p.TaskInstances:N0} task instances removed")
            {
                PercentComplete = (int)Math.Min(100, 100 * p.WorkflowInstances / Math.Max(1, counted.WorkflowInstances)),
            })));
        WriteProgress(new ProgressRecord(1, "Remove-DsInstanceHistory", "Done") { RecordType = ProgressRecordType.Completed });
        WriteObject(result);
    }

    private static string Describe(HistoryCleanupResult counted, string database) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{database}: instances before {counted.ServerCutoff:yyyy-MM-dd HH:mm:ss} (server time): ") +
        string.Join(", ", counted.Tables.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Table} {t.Rows:N0}"))) +
        (counted.Skipped > 0 ? string.Create(CultureInfo.InvariantCulture, $" ({counted.Skipped:N0} kept: a sub-workflow instance is not finished)") : "");
}
