using System.Management.Automation;
using DsOps.Engine.Metadata;

namespace DsOps.Infrastructure;

/// <summary>The session's default metadata connection (Connect-DsMetadata), kept in the runspace's session state.</summary>
internal static class MetadataConnectionStore
{
    internal const string VariableName = "DsOpsDefaultMetadataConnection";

    public static DsMetadataConnection? GetDefault(SessionState state) =>
        state.PSVariable.GetValue("global:" + VariableName) is { } v ? (v is PSObject p ? p.BaseObject : v) as DsMetadataConnection : null;
}
