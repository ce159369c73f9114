using System.Management.Automation;
using DsOps.Engine.Api;

namespace DsOps.Infrastructure;

/// <summary>
/// The default DS connection of a runspace, kept in its session state (global scope), not in a static:
/// statics would leak between runspaces and between parallel jobs.
/// </summary>
internal static class ConnectionStore
{
    internal const string VariableName = "DsOpsDefaultConnection";

    public static DsConnection? GetDefault(SessionState state) =>
        state.PSVariable.GetValue("global:" + VariableName) is { } v ? (v is PSObject p ? p.BaseObject : v) as DsConnection : null;

    public static void SetDefault(SessionState state, DsConnection? connection)
    {
        if (connection is null) state.PSVariable.Remove("global:" + VariableName);
        else state.PSVariable.Set(new PSVariable("global:" + VariableName, connection, ScopedItemOptions.None));
    }

    /// <summary>For argument completers, which run with the caller's runspace but no cmdlet.</summary>
    public static DsConnection? GetDefaultFromCurrentRunspace()
    {
        var runspace = System.Management.Automation.Runspaces.Runspace.DefaultRunspace;
        var value = runspace?.SessionStateProxy.GetVariable(VariableName);
        return (value is PSObject p ? p.BaseObject : value) as DsConnection;
    }
}
