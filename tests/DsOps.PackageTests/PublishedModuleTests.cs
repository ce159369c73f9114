using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Xunit;

namespace DsOps.PackageTests;

/// <summary>
/// Where the published module is. This project references nothing of DsOps (not even the test support library,
/// which depends on the engine): anything on its own load path would be used instead of the published copy.
/// </summary>
internal static class RepoPaths
{
    public static string ModuleManifest { get; } = Path.Combine(FindRepoRoot(), "out", "DsOps", "DsOps.psd1");

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DsOps.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("DsOps.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>
/// Imports the published out/DsOps/DsOps.psd1 exactly as a user would, in a process that has no reference to the
/// module, and invokes cmdlets so missing dependencies (which only fail at JIT time) are caught.
/// </summary>
public class PublishedModuleTests
{
    private static Runspace OpenWithModule(out PSModuleInfo module)
    {
        Assert.True(File.Exists(RepoPaths.ModuleManifest), $"{RepoPaths.ModuleManifest} is missing: run `dotnet publish src/DsOps`.");
        var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        runspace.Open();
        using var ps = PowerShell.Create();
        ps.Runspace = runspace;
        module = ps.AddCommand("Import-Module").AddParameter("Name", RepoPaths.ModuleManifest).AddParameter("PassThru").Invoke<PSModuleInfo>().Single();
        Assert.Empty(ps.Streams.Error);
        return runspace;
    }

    [Fact]
    public void The_published_module_imports_and_exports_its_cmdlets()
    {
        using var runspace = OpenWithModule(out var module);
        Assert.Equal("DsOps", module.Name);
        Assert.StartsWith(Path.GetDirectoryName(RepoPaths.ModuleManifest)!, module.ModuleBase);
        Assert.Contains("Connect-DsServer", module.ExportedCmdlets.Keys);
        Assert.Contains("Get-DsWorkflow", module.ExportedCmdlets.Keys);
        // Loaded from the published folder, not a build output.
        Assert.StartsWith(Path.GetDirectoryName(RepoPaths.ModuleManifest)!, module.ImplementingAssembly!.Location);
    }

    [Fact]
    public void A_first_command_runs_with_its_dependencies_from_the_module_folder()
    {
        using var runspace = OpenWithModule(out _);
        using var ps = PowerShell.Create();
        ps.Runspace = runspace;
        // Connecting to a closed port exercises Refit, Polly and the HTTP pipeline from out/DsOps.
        ps.AddCommand("Connect-DsServer").AddParameter("Uri", "http://127.0.0.1:9/dolphinscheduler")
            .AddParameter("Token", new System.Net.NetworkCredential("", "t").SecurePassword).AddParameter("TimeoutSec", 5);
        var ex = Assert.Throws<CmdletInvocationException>(() => ps.Invoke());
        Assert.Equal("DsServerUnavailable,DsOps.Commands.ConnectDsServerCommand", ex.ErrorRecord.FullyQualifiedErrorId);
        var refit = AppDomain.CurrentDomain.GetAssemblies().Single(a => a.GetName().Name == "Refit");
        Assert.StartsWith(Path.GetDirectoryName(RepoPaths.ModuleManifest)!, refit.Location);
    }

    [Fact]
    public void The_published_folder_has_no_copy_of_the_PowerShell_reference_assembly()
    {
        var folder = Path.GetDirectoryName(RepoPaths.ModuleManifest)!;
        Assert.False(File.Exists(Path.Combine(folder, "System.Management.Automation.dll")));
        Assert.True(File.Exists(Path.Combine(folder, "en-US", "DsOps.dll-Help.xml")));
        Assert.True(File.Exists(Path.Combine(folder, "DsOps.Engine.dll")));
    }

    [Fact]
    public void The_engine_and_its_libraries_are_published_with_ahead_of_time_code_the_engine_uses()
    {
        // src/DsOps/ReadyToRun.targets compiles them for this machine's OS, CPU and .NET; the cmdlet assembly stays IL.
        var folder = Path.GetDirectoryName(RepoPaths.ModuleManifest)!;
        foreach (var name in new[] { "DsOps.Engine.dll", "Refit.dll", "Polly.Core.dll", "YamlDotNet.dll", "MySqlConnector.dll" })
            Assert.True(HasReadyToRunCode(Path.Combine(folder, name)), $"{name} has no ReadyToRun code");
        Assert.False(HasReadyToRunCode(Path.Combine(folder, "DsOps.dll")));

        // And the runtime uses it: a first call of a precompiled engine method compiles nothing.
        using var runspace = OpenWithModule(out _);
        var engine = AppDomain.CurrentDomain.GetAssemblies().Single(a => a.GetName().Name == "DsOps.Engine");
        Assert.StartsWith(folder, engine.Location);
        // (A method nothing in these tests or the warm-up calls, that calls nothing the framework leaves to the JIT.)
        var dialect = engine.GetType("DsOps.Engine.Dialects.DsDialect", throwOnError: true)!.GetField("V3_3")!.GetValue(null)!;
        var hasTaskRelationRoutes = dialect.GetType().GetProperty("HasTaskRelationRoutes")!.GetMethod!.CreateDelegate<Func<bool>>(dialect);
        var before = System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: true);
        var has = hasTaskRelationRoutes();
        Assert.Equal(before, System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: true));
        Assert.True(has); // 3.3.0 still has them; they went in 3.4.2
    }

    private static bool HasReadyToRunCode(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
        return pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0;
    }
}
