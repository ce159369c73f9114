namespace DsOps.Testing;

/// <summary>
/// Locates the repository root and the third-party DS test data vendored in
/// <c>tests/third_party/dolphinscheduler</c> (schemas, route and status lists, shipped config files, payloads).
/// </summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RepoRootLazy = new(FindRepoRoot);

    /// <summary>The folder that holds DsOps.sln.</summary>
    public static string RepoRoot => RepoRootLazy.Value;

    /// <summary>DS's own files kept as test data (Apache-2.0, see the NOTICE there). DSOPS_DS_DATA overrides it.</summary>
    public static string DsData
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("DSOPS_DS_DATA");
            return string.IsNullOrEmpty(env) ? Path.Combine(RepoRoot, "tests", "third_party", "dolphinscheduler") : env;
        }
    }

    public static string Schema(string version) => Path.Combine(DsData, "schema", $"dolphinscheduler_mysql_{version}.sql");
    public static string StatusTable(string version) => Path.Combine(DsData, "status", $"status_{version}.tsv");
    public static string Endpoints(string version) => Path.Combine(DsData, "endpoints", $"endpoints_{version}.txt");
    public static string Example(string name) => Path.Combine(DsData, "examples", name);
    public static string Config(string version, string file) => Path.Combine(DsData, "config", version, file);

    /// <summary>pydolphinscheduler's example files kept as test fixtures (Apache-2.0, see the NOTICE there).</summary>
    public static string PyDsData => Path.Combine(RepoRoot, "tests", "third_party", "pydolphinscheduler");

    /// <summary>The SDK's examples/yaml_define folder.</summary>
    public static string PyDsExamples => Path.Combine(PyDsData, "examples", "yaml_define");

    /// <summary>The published module manifest (built by <c>dotnet publish src/DsOps</c>).</summary>
    public static string ModuleManifest => Path.Combine(RepoRoot, "out", "DsOps", "DsOps.psd1");

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DsOps.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("DsOps.sln not found above " + AppContext.BaseDirectory);
    }
}
