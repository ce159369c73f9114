using DsOps.Engine.Dialects;

namespace DsOps.Engine.ServerConfig;

/// <summary>What to read and how to interpret it.</summary>
public sealed record DsServerConfigReadOptions
{
    /// <summary>The DS version whose key names apply; when null it is taken from a jar name under libs/ or inferred from the keys.</summary>
    public DsDialect? Dialect { get; init; }
    /// <summary>Only these roles (all found when null).</summary>
    public IReadOnlyCollection<ServerConfigRole>? Roles { get; init; }
    /// <summary>The role of a single file or conf folder whose name does not say it.</summary>
    public ServerConfigRole? Role { get; init; }
}

/// <summary>
/// Finds and reads a DS server's config files: a binary install (&lt;DS_HOME&gt;/&lt;role&gt;-server/conf/application.yaml,
/// conf/bootstrap.yaml, bin/jvm_args_env.sh or bin/start.sh, conf/dolphinscheduler_env.sh, and &lt;DS_HOME&gt;/bin/env/dolphinscheduler_env.sh,
/// which DS's daemon script copies over the conf one), one server's folder, a conf folder, a folder of role-prefixed copies
/// (master-application.yaml, worker-jvm_args_env.sh, ...), or a single file.
/// </summary>
public static partial class DsServerConfigReader
{
    private static readonly (ServerConfigRole Role, string Folder, string Prefix)[] Layout =
    {
        (ServerConfigRole.Master, "master-server", "master"),
        (ServerConfigRole.Worker, "worker-server", "worker"),
        (ServerConfigRole.Api, "api-server", "api"),
        (ServerConfigRole.Alert, "alert-server", "alert-server"),
        (ServerConfigRole.Standalone, "standalone-server", "standalone-server"),
    };

    public static DsServerConfig Read(string path, DsServerConfigReadOptions? options = null)
    {
        options ??= new DsServerConfigReadOptions();
        var full = System.IO.Path.GetFullPath(path);
        var found = new List<(ServerConfigRole Role, string? Dir, List<ConfigSourceFile> Files)>();
        if (File.Exists(full))
        {
            var kind = KindOf(full) ?? throw new DsOpsException(DsErrorKind.InvalidInput, "DsConfigFileUnknown",
                $"'{full}' is not a DS config file DsOps reads (application.yaml, bootstrap.yaml, jvm_args_env.sh, start.sh, dolphinscheduler_env.sh).");
            var file = ConfigSourceFile.Load(full, kind);
            var role = options.Role ?? RoleFromName(full) ?? RoleFromContent(file) ?? throw new DsOpsException(DsErrorKind.InvalidInput,
                "DsConfigRoleUnknown", $"Cannot tell which DS server '{full}' belongs to; pass -Role.");
            found.Add((role, System.IO.Path.GetDirectoryName(full), new List<ConfigSourceFile> { file }));
        }
        else if (Directory.Exists(full))
        {
            found.AddRange(ReadDirectory(full, options));
        }
        else
        {
            throw new DsOpsException(DsErrorKind.NotFound, "DsConfigPathNotFound", $"'{full}' does not exist.");
        }
        if (options.Roles is { Count: > 0 } only) found.RemoveAll(f => !only.Contains(f.Role));
        if (found.Count == 0)
            throw new DsOpsException(DsErrorKind.NotFound, "DsConfigNotFound",
                $"No DS server config under '{full}' (expected <role>-server/conf/application.yaml, conf/application.yaml or <role>-application.yaml).");

        var (dialect, source) = options.Dialect is { } d ? (d, "-Version") : DetectVersion(found.SelectMany(f => f.Files).ToList(), found.Select(f => f.Dir));
        var roles = found.Select(f => Build(f.Role, dialect, f.Dir, f.Files)).ToList();
        return new DsServerConfig(full, dialect, source, roles);
    }

    private static IEnumerable<(ServerConfigRole, string?, List<ConfigSourceFile>)> ReadDirectory(string dir, DsServerConfigReadOptions options)
    {
        var homeEnvPath = System.IO.Path.Combine(dir, "bin", "env", "dolphinscheduler_env.sh");
        // DS_HOME with <role>-server folders.
        var roleDirs = Layout.Where(l => Directory.Exists(System.IO.Path.Combine(dir, l.Folder))).ToList();
        if (roleDirs.Count > 0)
        {
            // One file shared by every server: loaded once so edits of it from several roles land in one plan entry.
            var homeEnv = File.Exists(homeEnvPath) ? ConfigSourceFile.Load(homeEnvPath, ConfigFileKind.EnvScript) : null;
            foreach (var l in roleDirs)
            {
                var files = RoleFolderFiles(System.IO.Path.Combine(dir, l.Folder), homeEnv);
                if (files.Count > 0) yield return (l.Role, System.IO.Path.Combine(dir, l.Folder), files);
            }
            yield break;
        }
        // One server's folder, or its conf folder.
        var name = System.IO.Path.GetFileName(dir.TrimEnd(System.IO.Path.DirectorySeparatorChar));
        var serverDir = name == "conf" ? System.IO.Path.GetDirectoryName(dir)! : dir;
        if (File.Exists(System.IO.Path.Combine(serverDir, "conf", "application.yaml")))
        {
            var files = RoleFolderFiles(serverDir, null);
            var role = options.Role ?? Layout.Where(l => System.IO.Path.GetFileName(serverDir) == l.Folder).Select(l => (ServerConfigRole?)l.Role).FirstOrDefault()
                ?? RoleFromContent(files[0]) ?? throw new DsOpsException(DsErrorKind.InvalidInput, "DsConfigRoleUnknown",
                    $"Cannot tell which DS server '{serverDir}' is; pass -Role.");
            yield return (role, serverDir, files);
            yield break;
        }
        // A folder of role-prefixed copies (master-application.yaml, master-jvm_args_env.sh, ... and one dolphinscheduler_env.sh).
        var envPath = System.IO.Path.Combine(dir, "dolphinscheduler_env.sh");
        var env = File.Exists(envPath) ? ConfigSourceFile.Load(envPath, ConfigFileKind.EnvScript) : null;
        foreach (var l in Layout)
        {
            var files = new List<ConfigSourceFile>();
            foreach (var (suffix, kind) in new[] { ("application.yaml", ConfigFileKind.ApplicationYaml), ("bootstrap.yaml", ConfigFileKind.BootstrapYaml),
                         ("start.sh", ConfigFileKind.StartScript), ("jvm_args_env.sh", ConfigFileKind.JvmArgs) })
            {
                var f = System.IO.Path.Combine(dir, $"{l.Prefix}-{suffix}");
                if (File.Exists(f)) files.Add(ConfigSourceFile.Load(f, kind));
            }
            if (files.Count == 0) continue;
            if (env is not null) files.Add(env);
            yield return (l.Role, dir, files);
        }
    }

    private static List<ConfigSourceFile> RoleFolderFiles(string serverDir, ConfigSourceFile? homeEnv)
    {
        var files = new List<ConfigSourceFile>();
        void Add(string relative, ConfigFileKind kind)
        {
            var f = System.IO.Path.Combine(serverDir, relative);
            if (File.Exists(f)) files.Add(ConfigSourceFile.Load(f, kind));
        }
        Add(System.IO.Path.Combine("conf", "application.yaml"), ConfigFileKind.ApplicationYaml);
        Add(System.IO.Path.Combine("conf", "bootstrap.yaml"), ConfigFileKind.BootstrapYaml);
        Add(System.IO.Path.Combine("bin", "start.sh"), ConfigFileKind.StartScript);
        Add(System.IO.Path.Combine("bin", "jvm_args_env.sh"), ConfigFileKind.JvmArgs);
        // dolphinscheduler-daemon.sh copies <DS_HOME>/bin/env/dolphinscheduler_env.sh over conf/ when it exists.
        if (homeEnv is not null) files.Add(homeEnv);
        else Add(System.IO.Path.Combine("conf", "dolphinscheduler_env.sh"), ConfigFileKind.EnvScript);
        return files;
    }

    internal static ConfigFileKind? KindOf(string file)
    {
        var n = System.IO.Path.GetFileName(file);
        if (n.EndsWith("application.yaml", StringComparison.Ordinal) || n.EndsWith("application.yml", StringComparison.Ordinal)) return ConfigFileKind.ApplicationYaml;
        if (n.EndsWith("bootstrap.yaml", StringComparison.Ordinal) || n.EndsWith("bootstrap.yml", StringComparison.Ordinal)) return ConfigFileKind.BootstrapYaml;
        if (n.EndsWith("jvm_args_env.sh", StringComparison.Ordinal)) return ConfigFileKind.JvmArgs;
        if (n.EndsWith("dolphinscheduler_env.sh", StringComparison.Ordinal)) return ConfigFileKind.EnvScript;
        if (n.EndsWith("start.sh", StringComparison.Ordinal)) return ConfigFileKind.StartScript;
        return null;
    }

    private static ServerConfigRole? RoleFromName(string file)
    {
        var name = System.IO.Path.GetFileName(file);
        foreach (var l in Layout)
            if (name.StartsWith(l.Prefix + "-", StringComparison.Ordinal)) return l.Role;
        // <role>-server/conf/x or <role>-server/bin/x
        var server = System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(System.IO.Path.GetDirectoryName(file)) ?? "");
        return Layout.Where(l => l.Folder == server).Select(l => (ServerConfigRole?)l.Role).FirstOrDefault();
    }

    private static ServerConfigRole? RoleFromContent(ConfigSourceFile file)
    {
        var app = file.Entries.FirstOrDefault(e => e.Key == "spring.application.name")?.Value;
        foreach (var l in Layout)
            if (app == l.Folder) return l.Role;
        bool Has(string top) => file.Entries.Any(e => e.Key.StartsWith(top + ".", StringComparison.Ordinal));
        if (Has("master") && Has("worker")) return ServerConfigRole.Standalone;
        if (Has("master")) return ServerConfigRole.Master;
        if (Has("worker")) return ServerConfigRole.Worker;
        if (Has("alert")) return ServerConfigRole.Alert;
        if (Has("api") || Has("python-gateway")) return ServerConfigRole.Api;
        return null;
    }

    /// <summary>
    /// The version from a DS jar under &lt;role&gt;-server/libs, else inferred from keys only some versions have
    /// (see docs/server-config.md "Which version"); a bare inference names the earliest version that fits.
    /// </summary>
    internal static (DsDialect, string) DetectVersion(IReadOnlyList<ConfigSourceFile> files, IEnumerable<string?> dirs)
    {
        foreach (var dir in dirs.Where(d => d is not null).Distinct())
        {
            var libs = System.IO.Path.Combine(dir!, "libs");
            if (!Directory.Exists(libs)) continue;
            foreach (var jar in Directory.EnumerateFiles(libs, DsDialect.DsJarSearchPattern))
            {
                var name = System.IO.Path.GetFileName(jar);
                if (DsDialect.VersionFromJarName(name) is { } fromJar) return (fromJar, $"libs/{name}");
            }
        }
        var keys = files.Where(f => f.Kind is ConfigFileKind.ApplicationYaml).SelectMany(f => f.Entries).Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
        return DsDialect.FromServerConfig(keys, files.Any(f => f.Kind == ConfigFileKind.JvmArgs), files.Any(f => f.Kind == ConfigFileKind.BootstrapYaml));
    }

    private static DsRoleConfig Build(ServerConfigRole role, DsDialect dialect, string? dir, List<ConfigSourceFile> files)
    {
        var settings = new List<DsConfigSetting>();
        foreach (var file in files)
            foreach (var entry in file.Entries)
            {
                var info = dialect.ServerConfigKey(role, entry.Key);
                settings.Add(new DsConfigSetting(role, file, entry, info));
            }
        // Spring binds exported variables over yaml keys (MASTER_FETCH_COMMAND_NUM over master.fetch-command-num).
        var env = settings.Where(s => s.Source == ConfigFileKind.EnvScript && !ServerConfigKeyNames.IsHeapOption(s.Key)).ToList();
        foreach (var s in settings.Where(s => s.Source == ConfigFileKind.ApplicationYaml))
        {
            var over = env.LastOrDefault(e => ServerConfigKeyNames.EnvironmentNameMatches(e.Key, s.Key));
            if (over is null) continue;
            s.OverriddenBy = $"{over.Key} ({over.Location})";
            s.OverrideValue = over.Entry.Value;
            over.Note = $"Exported to the server's environment; Spring binds it over {s.Key}" +
                        (over.Entry.Value.StartsWith('$') ? "." : $" (yaml value {s.Value} is not used).");
        }
        // An exported JAVA_OPTS replaces the JVM options of start.sh / jvm_args_env.sh.
        if (settings.Any(s => s.Source == ConfigFileKind.EnvScript && s.Key == "JAVA_OPTS" && s.Entry.Value.Trim().Length > 0))
            foreach (var s in settings.Where(s => s.Source is ConfigFileKind.JvmArgs or ConfigFileKind.StartScript))
            {
                s.Status = ConfigKeyStatus.Ignored;
                s.Note = "JAVA_OPTS exported in dolphinscheduler_env.sh replaces these JVM options.";
            }
        return new DsRoleConfig(role, dialect, dir, files, settings);
    }
}
