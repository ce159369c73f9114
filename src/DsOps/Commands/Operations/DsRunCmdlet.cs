using System.Globalization;
using DsOps.Engine.Api;
using DsOps.Engine.Operations.Runs;

namespace DsOps.Commands.Operations;

/// <summary>Base of the run-control cmdlets: the project code of an input (codes from the pipeline need no request).</summary>
public abstract class DsRunCmdlet : DsApiCmdlet
{
    private protected static RunControl RunControlFor(DsClient client) => new(client);
}
