using System.Management.Automation;
using DsOps.Engine.Api;
using DsOps.Infrastructure;

namespace DsOps.Commands;

/// <summary>Base of cmdlets that call the DS REST API: adds -Connection and resolves the runspace default.</summary>
public abstract class DsApiCmdlet : DsCmdlet
{
    /// <summary>
    /// The DS connection to use (from Connect-DsServer). Defaults to the session's current connection.
    /// Objects returned by DsOps carry their connection, so piping keeps to one server.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true, HelpMessage = "The DS connection to use; defaults to the one made by Connect-DsServer.")]
    public DsConnection? Connection { get; set; }

    /// <summary>The connection for this call, or a terminating DsNotConnected error.</summary>
    protected DsConnection ResolvedConnection => ResolveConnection(Connection);

    private protected DsClient Client => ResolvedConnection.Client;
}
