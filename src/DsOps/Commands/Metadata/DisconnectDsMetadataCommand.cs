using System.Management.Automation;
using DsOps.Engine.Metadata;

namespace DsOps.Commands.Metadata;

/// <summary>
/// <para type="synopsis">Closes a metadata connection and clears the session default.</para>
/// <para type="description">Closes the pooled sessions of the given connection (default: the session default) and
/// removes the default so later metadata cmdlets need a new Connect-DsMetadata.</para>
/// </summary>
/// <example><code>Disconnect-DsMetadata</code><para>Closes the session's default metadata connection.</para></example>
[Cmdlet(VerbsCommunications.Disconnect, "DsMetadata", SupportsShouldProcess = true)]
[OutputType(typeof(DsMetadataConnection))]
public sealed class DisconnectDsMetadataCommand : DsMetadataCmdlet
{
    /// <summary><para type="description">Returns the closed connection.</para></summary>
    [Parameter(HelpMessage = "Return the closed connection.")]
    public SwitchParameter PassThru { get; set; }

    protected override void EndProcessing()
    {
        var connection = ResolveMetadataConnection();
        if (!ShouldProcess(connection.ToString(), "Disconnect")) return;
        Run(async () => { await connection.DisconnectAsync().ConfigureAwait(false); return true; });
        Infrastructure.SessionDefaults.Metadata.ClearIf(SessionState, connection);
        if (PassThru) WriteObject(connection);
    }
}
