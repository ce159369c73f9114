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

    /// <summary>
    /// For argument completers: they run inside the caller's pipeline, where SessionStateProxy calls are refused,
    /// so ask Get-DsConnection through a nested pipeline of the current runspace.
    /// </summary>
    public static DsConnection? GetDefaultFromCurrentRunspace()
    {
        using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
        var result = ps.AddCommand("Get-DsConnection").Invoke();
        return result.Count == 0 ? null : result[0].BaseObject as DsConnection;
    }
}
