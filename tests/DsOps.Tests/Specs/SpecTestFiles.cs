using DsOps.Testing;

namespace DsOps.Tests.Specs;

/// <summary>A temporary folder of spec files for one test; deleted on dispose.</summary>
public sealed class SpecTestFiles : IDisposable
{
    public SpecTestFiles()
    {
        Root = Path.Combine(Path.GetTempPath(), "dsops-specs-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string Write(string relative, string text)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text.Replace("\r\n", "\n"));
        return path;
    }

    /// <summary>The example specs shipped in docs/examples/workflows.</summary>
    public static string ExampleFolder => Path.Combine(RepoPaths.RepoRoot, "docs", "examples", "workflows");

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
