using System.Management.Automation;
using DsOps.Engine.Api;

namespace DsOps.Infrastructure;

/// <summary>
/// Called by PowerShell when the module is imported: starts the engine's background warm-up
/// (<see cref="DsWarmUp"/>) so the first DS command of a session does not pay for JIT compilation.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer
{
    public void OnImport()
    {
        // The first call into the engine runs its module initializer (Refit's generated registrations), so even that
        // happens on the warm-up's thread, not on the importing one.
        var thread = new Thread(static () => DsWarmUp.Run()) { IsBackground = true, Name = "DsOps warm-up" };
        thread.Start();
    }
}
