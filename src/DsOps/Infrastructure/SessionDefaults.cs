using System.Management.Automation;
using DsOps.Engine.Api;
using DsOps.Engine.Metadata;

namespace DsOps.Infrastructure;

/// <summary>
/// A session's default connection, kept in the runspace's session state (a global-scope variable), never in a
/// static: statics would leak between runspaces and between parallel jobs.
/// </summary>
internal sealed class SessionDefault<T>(string variableName) where T : class
{
    public string VariableName { get; } = variableName;

    public T? Get(SessionState state) => Unwrap(state.PSVariable.GetValue("global:" + VariableName));

    public void Set(SessionState state, T? value)
    {
        if (value is null) state.PSVariable.Remove("global:" + VariableName);
        else state.PSVariable.Set(new PSVariable("global:" + VariableName, value, ScopedItemOptions.None));
    }

    /// <summary>Clears the default only if it is <paramref name="value"/> (disconnecting another connection keeps it).</summary>
    public void ClearIf(SessionState state, T value)
    {
        if (ReferenceEquals(Get(state), value)) Set(state, null);
    }

    private static T? Unwrap(object? value) => (value is PSObject p ? p.BaseObject : value) as T;
}

/// <summary>The defaults DsOps keeps per session.</summary>
internal static class SessionDefaults
{
    public static readonly SessionDefault<DsConnection> Server = new("DsOpsDefaultConnection");
    public static readonly SessionDefault<DsMetadataConnection> Metadata = new("DsOpsDefaultMetadataConnection");

    /// <summary>
    /// For argument completers: they run inside the caller's pipeline, where SessionStateProxy calls are refused,
    /// so ask Get-DsConnection through a nested pipeline of the current runspace.
    /// </summary>
    public static DsConnection? ServerFromCurrentRunspace()
    {
        using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
        var result = ps.AddCommand("Get-DsConnection").Invoke();
        return result.Count == 0 ? null : result[0].BaseObject as DsConnection;
    }
}
