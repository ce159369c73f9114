using System.Management.Automation;
using DsOps.Engine.Dialects;
using DsOps.Engine.Models;

namespace DsOps.Commands;

/// <summary>
/// <para type="synopsis">Gets the masters, workers and alert servers registered with DolphinScheduler.</para>
/// <para type="description">Reads the registry view of the API server (/monitor routes; DS 3.2.2+ also lists alert
/// servers) with each node's last heartbeat, CPU and memory usage, load and status (NORMAL, BUSY, ABNORMAL).
/// A BUSY master stops taking commands; a BUSY worker gets no tasks (server-load-protection).</para>
/// <example runnable="true"><code>Get-DsServerNode -Role Worker</code><para>Lists the workers with their CPU and memory use in percent, load and how long ago their last heartbeat was.</para></example>
/// <example runnable="true"><code>Get-DsServerNode | Where-Object { $_.HeartbeatAge -gt [timespan]'00:01:00' }</code><para>Lists the nodes whose last heartbeat is more than a minute old (the raw numbers stay on the objects).</para></example>
/// </summary>
[Cmdlet(VerbsCommon.Get, "DsServerNode")]
[OutputType(typeof(DsServerNode))]
public sealed class GetDsServerNodeCommand : DsApiCmdlet
{
    /// <summary>Which roles to list; all the server can report when omitted.</summary>
    [Parameter(Position = 0, HelpMessage = "Which roles to list: Master, Worker, AlertServer.")]
    public DsServerRole[]? Role { get; set; }

    protected override void EndProcessing()
    {
        var dialect = Client.Dialect;
        foreach (var role in Role ?? dialect.MonitoredRoles.ToArray())
        {
            if (!dialect.MonitoredRoles.Contains(role))
            {
                WriteDsError("DsRoleNotListed", ErrorCategory.NotImplemented, $"DS {dialect.Version} does not list {role} nodes through its API.", role);
                continue;
            }
            try
            {
                foreach (var node in Await(Client.GetServerNodesAsync(role, CancellationToken))) WriteObject(node);
            }
            catch (Exception ex) when (ex is not PipelineStoppedException)
            {
                WriteDsError(ex, role);
            }
        }
    }
}
