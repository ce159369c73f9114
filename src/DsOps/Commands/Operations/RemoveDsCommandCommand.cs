using System.Management.Automation;
using DsOps.Commands.Metadata;
using DsOps.Engine.Operations;

namespace DsOps.Commands.Operations;

/// <summary>
/// <para type="synopsis">Removes queued commands from the DS metadata database (t_ds_command), so they never run.</para>
/// <para type="description">For commands stuck in the queue or a backfill flood that must not start: removes the
/// commands matching every given filter, and their trigger relations (3.2.x), in one transaction. A command a master
/// took meanwhile is already gone and is not reported. Needs a connection made with Connect-DsMetadata -AllowWrite;
/// -WhatIf lists the commands that would be removed. Get-DsCommandQueue shows the backlog.</para>
/// </summary>
/// <example runnable="true"><code>Remove-DsCommand -CommandType COMPLEMENT_DATA -WhatIf</code><para>Lists the queued backfill commands that would be removed.</para></example>
/// <example><code>Remove-DsCommand -OlderThan (Get-Date).AddHours(-6) -Confirm:$false</code><para>Removes every command that has waited more than six hours, without asking.</para></example>
/// <example><code>Remove-DsCommand -Id 4711, 4712</code><para>Removes two commands by id after confirmation.</para></example>
[Cmdlet(VerbsCommon.Remove, "DsCommand", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(DsQueuedCommand))]
public sealed class RemoveDsCommandCommand : DsMetadataCmdlet
{
    private readonly List<long> _ids = new();

    /// <summary><para type="description">Command ids (t_ds_command.id).</para></summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true, HelpMessage = "Command ids (t_ds_command.id).")]
    [Alias("CommandId")]
    public long[]? Id { get; set; }

    /// <summary><para type="description">Only commands created before this time.</para></summary>
    [Parameter(HelpMessage = "Only commands created before this time.")]
    public DateTime? OlderThan { get; set; }

    /// <summary><para type="description">Only commands of these workflow codes.</para></summary>
    [Parameter(HelpMessage = "Only commands of these workflow codes.")]
    public long[]? WorkflowCode { get; set; }

    /// <summary><para type="description">Only commands of these DS command types (START_PROCESS, COMPLEMENT_DATA, SCHEDULER, REPEAT_RUNNING...).</para></summary>
    [Parameter(HelpMessage = "Only commands of these DS command types, e.g. COMPLEMENT_DATA.")]
    [DsOps.Infrastructure.CommandTypeCompleter]
    public string[]? CommandType { get; set; }

    protected override void ProcessRecord()
    {
        if (Id is { } ids) _ids.AddRange(ids);
    }

    protected override void EndProcessing()
    {
        var connection = ResolveMetadataConnection();
        var selection = new CommandSelection
        {
            Ids = _ids.Count > 0 ? _ids.Distinct().ToArray() : null,
            OlderThan = OlderThan is { } t ? LocalOffset(t) : null,
            WorkflowCodes = WorkflowCode,
            CommandTypes = CommandType,
        };
        var found = Run(() => CommandCleanup.FindAsync(connection, selection, CancellationToken));
        if (found.Count == 0)
        {
            WriteVerbose("No queued command matches.");
            return;
        }
        var target = $"{connection.Name}: {found.Count} queued command(s): " +
                     string.Join(", ", found.Take(20).Select(c => $"#{c.Id} {c.CommandType}")) + (found.Count > 20 ? ", ..." : "");
        if (!ShouldProcess(target, "Remove commands")) return;
        foreach (var command in Run(() => CommandCleanup.RemoveAsync(connection, selection, CancellationToken)))
            WriteObject(command);
    }
}
