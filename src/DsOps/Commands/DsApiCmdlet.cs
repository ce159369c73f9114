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

    /// <summary>The project a -Project value names on this call's connection (cached per connection); DsProjectNotFound otherwise.</summary>
    private protected DsOps.Engine.Models.DsProject ResolveProject(DsProjectParameter project, DsClient? client = null) =>
        Await(project.ResolveAsync(client ?? Client, CancellationToken));

    /// <summary>A project's name for messages and confirmation prompts (users know projects by name); the code if it cannot be read.</summary>
    private protected string ProjectLabel(DsClient client, long projectCode) => Await(client.ProjectLabelAsync(projectCode, CancellationToken));

    /// <summary>A project's code: a code given (or carried by a piped object) needs no request; a name is resolved once per connection.</summary>
    private protected long ProjectCodeOf(DsClient client, DsProjectParameter project) =>
        project.Code ?? ResolveProject(project, client).ProjectCode;
}
