using System.Globalization;
using DsOps.Engine.Api;
using DsOps.Engine.Operations.Runs;

namespace DsOps.Commands.Operations;

/// <summary>Base of the run-control cmdlets: the project code of an input (codes from the pipeline need no request).</summary>
public abstract class DsRunCmdlet : DsApiCmdlet
{
    /// <summary>The project's code: digits are taken as they are (objects from the pipeline carry codes), a name is looked up.</summary>
    private protected long ProjectCodeOf(DsClient client, string project) =>
        long.TryParse(project, NumberStyles.None, CultureInfo.InvariantCulture, out var code)
            ? code
            : Await(client.ResolveProjectAsync(project, CancellationToken)).ProjectCode;

    private protected static RunControl RunControlFor(DsClient client) => new(client);
}
