using System.Management.Automation;
using DsOps.Engine.Alerting;

namespace DsOps.Commands.Alerting;

/// <summary>
/// The seam for Invoke-DsAlertSweep's default feed. When -Feed is not given, the sweep asks
/// <see cref="Default"/> for one, so the metadata (or API) layer can register a factory that builds a feed
/// from the session's default connection, e.g. at module import:
/// <code>FailureFeedSource.Default = cmdlet => MetadataFailureFeed.FromSession(cmdlet.SessionState);</code>
/// Until one is registered, -Feed is required.
/// </summary>
public static class FailureFeedSource
{
    public static Func<PSCmdlet, IFailureFeed?>? Default { get; set; }
}
