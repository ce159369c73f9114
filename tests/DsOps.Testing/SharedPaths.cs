namespace DsOps.Testing;

/// <summary>Locates the repository root and the DS reference material in <c>../shared</c>.</summary>
public static class SharedPaths
{
    private static readonly Lazy<string> RepoRootLazy = new(FindRepoRoot);

    /// <summary>The folder that holds DsOps.sln.</summary>
    public static string RepoRoot => RepoRootLazy.Value;

    /// <summary>The shared reference folder beside the repository (<c>../shared</c>).</summary>
    public static string Shared
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("DSOPS_SHARED");
            if (!string.IsNullOrEmpty(env)) return env;
            var candidate = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));
            if (!Directory.Exists(candidate))
                throw new DirectoryNotFoundException($"DS reference material not found at '{candidate}'. Set DSOPS_SHARED to its location.");
            return candidate;
        }
    }

    public static string Schema(string version) => Path.Combine(Shared, "ds", "schema", $"dolphinscheduler_mysql_{version}.sql");
    public static string StatusTable(string version) => Path.Combine(Shared, "ds", "status", $"status_{version}.tsv");
    public static string Endpoints(string version) => Path.Combine(Shared, "ds", "endpoints", $"endpoints_{version}.txt");
    public static string Example(string name) => Path.Combine(Shared, "ds", "examples", name);
    public static string Config(string version, string file) => Path.Combine(Shared, "ds", "config", version, file);

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
