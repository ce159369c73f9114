using DsOps.Engine.ServerConfig;
using DsOps.Testing;

namespace DsOps.Tests.ServerConfig;

/// <summary>DS's shipped config files (tests/third_party/dolphinscheduler/config/&lt;ver&gt;) and throwaway DS_HOME layouts built from them.</summary>
public static class ShippedConfig
{
    public static readonly string[] Versions = { "3.0.1", "3.2.1", "3.2.2", "3.3-dev" };

    public static string Folder(string version) => Path.Combine(RepoPaths.DsData, "config", version);

    /// <summary>Every shipped file as (version, file name).</summary>
    public static IEnumerable<object[]> Files() =>
        Directory.GetDirectories(Path.Combine(RepoPaths.DsData, "config")).OrderBy(d => d, StringComparer.Ordinal)
            .SelectMany(d => Directory.GetFiles(d).OrderBy(f => f, StringComparer.Ordinal).Select(f => new object[] { Path.GetFileName(d), Path.GetFileName(f) }));

    public static readonly (ServerConfigRole Role, string Folder, string Prefix)[] Roles =
    {
        (ServerConfigRole.Master, "master-server", "master"),
        (ServerConfigRole.Worker, "worker-server", "worker"),
        (ServerConfigRole.Api, "api-server", "api"),
        (ServerConfigRole.Alert, "alert-server", "alert-server"),
    };
}

/// <summary>A temporary DS_HOME in the binary-install layout, filled with one version's shipped files; deleted on dispose.</summary>
public sealed class TempDsHome : IDisposable
{
    public TempDsHome(string version, bool withJar = false)
    {
        Root = Path.Combine(Path.GetTempPath(), "dsops-home-" + Guid.NewGuid().ToString("N")[..10]);
        var src = ShippedConfig.Folder(version);
        foreach (var (_, folder, prefix) in ShippedConfig.Roles)
        {
            void Copy(string suffix, string relative)
            {
                var from = Path.Combine(src, $"{prefix}-{suffix}");
                if (!File.Exists(from)) return;
                var to = Path.Combine(Root, folder, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                File.Copy(from, to);
            }
            Copy("application.yaml", Path.Combine("conf", "application.yaml"));
            Copy("bootstrap.yaml", Path.Combine("conf", "bootstrap.yaml"));
            Copy("jvm_args_env.sh", Path.Combine("bin", "jvm_args_env.sh"));
            Copy("start.sh", Path.Combine("bin", "start.sh"));
            if (withJar)
            {
                Directory.CreateDirectory(Path.Combine(Root, folder, "libs"));
                File.WriteAllText(Path.Combine(Root, folder, "libs", $"dolphinscheduler-{prefix}-{version.Replace("-dev", ".0")}.jar"), "");
            }
        }
        var env = Path.Combine(src, "dolphinscheduler_env.sh");
        Directory.CreateDirectory(Path.Combine(Root, "bin", "env"));
        File.Copy(env, Path.Combine(Root, "bin", "env", "dolphinscheduler_env.sh"));
    }

    public string Root { get; }

    public string PathOf(ServerConfigRole role, string relative) =>
        Path.Combine(Root, ShippedConfig.Roles.Single(r => r.Role == role).Folder, relative);

    /// <summary>Every file under the home with its bytes (to prove that nothing else changed).</summary>
    public Dictionary<string, byte[]> Snapshot() =>
        Directory.GetFiles(Root, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllBytes);

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
