using System.Runtime.InteropServices;

namespace DsOps.Engine.IO;

/// <summary>
/// Gives the C heap's free pages back to the OS at the end of a phase that leaves much of it free. On Linux, the JIT
/// and the runtime allocate through glibc's malloc, one arena per thread, and a freed chunk stays resident; after
/// loading 4,000 workflow specs and reading their server copies ~15-30 MB of those arenas were free but resident at
/// the sync's peak (docs/benchmarks.md, "Sync in real pwsh"). <c>malloc_trim(0)</c> releases the free pages of every
/// arena; it changes no allocation and no result. Elsewhere (Windows, macOS, musl without the function) it does nothing.
/// </summary>
internal static class NativeHeap
{
    private static bool _unavailable = !OperatingSystem.IsLinux();

    public static void Trim()
    {
        if (_unavailable) return;
        try
        {
            MallocTrim(0);
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            _unavailable = true;
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
