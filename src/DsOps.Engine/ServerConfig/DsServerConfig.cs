using System.Globalization;
using DsOps.Engine.Dialects;

namespace DsOps.Engine.ServerConfig;

/// <summary>One value of a DS server's config, typed by DsOps's catalogue for the version, with its file and line.</summary>
public sealed class DsConfigSetting
{
    internal DsConfigSetting(ServerConfigRole role, ConfigSourceFile file, ConfigEntry entry, ServerConfigKey? info)
    {
        Role = role;
        SourceFile = file;
        Entry = entry;
        Key = entry.Key;
        IsSecret = ServerConfigKeyNames.IsSecret(entry.Key);
        Status = info?.Status ?? ConfigKeyStatus.Uncatalogued;
        Meaning = info?.Meaning;
        Note = info?.Note;
        ReplacedBy = info?.ReplacedBy;
    }

    public ServerConfigRole Role { get; }
    /// <summary>Dotted yaml key (spring.datasource.hikari.maximum-pool-size), JVM option (-Xmx) or environment variable.</summary>
    public string Key { get; }
    /// <summary>The value as written in the file; secrets (passwords, tokens, digests) are masked.</summary>
    public string Value => IsSecret && Entry.Value.Length > 0 ? ServerConfigKeyNames.SecretMask : Entry.Value;
    /// <summary>The value DS uses: an exported environment variable wins over the yaml (Spring binding); masked like Value.</summary>
    public string EffectiveValue => IsSecret && Entry.Value.Length > 0 ? ServerConfigKeyNames.SecretMask : OverrideValue ?? Entry.Value;
    public bool IsSecret { get; }
    public ConfigKeyStatus Status { get; internal set; }
    public string? Meaning { get; }
    /// <summary>Why the key is a no-op or ignored on this version, or a caveat.</summary>
    public string? Note { get; internal set; }
    /// <summary>The key this version reads instead (for renamed keys).</summary>
    public string? ReplacedBy { get; }
    /// <summary>"NAME (file:line)" when dolphinscheduler_env.sh exports a variable Spring binds over this key.</summary>
    public string? OverriddenBy { get; internal set; }
    public ConfigFileKind Source => SourceFile.Kind;
    public string File => SourceFile.Path;
    public int Line => Entry.Line;
    public int Column => Entry.Column;
    /// <summary>Spring profile of the yaml document ('mysql' for the override document DS ships), null for the base document.</summary>
    public string? Profile => Entry.Profile;
    /// <summary>file name:line, for tables.</summary>
    public string Location => $"{System.IO.Path.GetFileName(File)}:{Line}";

    internal ConfigSourceFile SourceFile { get; }
    internal ConfigEntry Entry { get; }
    internal string? OverrideValue { get; set; }

    internal string RawEffectiveValue => OverrideValue ?? Entry.Value;

    public override string ToString() => $"{Role} {Key}={Value} ({Location})";
}

/// <summary>JVM heap of one server, in MB (null when not set anywhere DsOps reads).</summary>
public sealed class DsHeapSettings
{
    public long? InitialMB { get; init; }
    public long? MaxMB { get; init; }
    public long? YoungMB { get; init; }
    /// <summary>Where the -Xmx value comes from (jvm_args_env.sh, start.sh or JAVA_OPTS in dolphinscheduler_env.sh).</summary>
    public DsConfigSetting? MaxSource { get; init; }
    public override string ToString() => $"-Xms{InitialMB}m -Xmx{MaxMB}m -Xmn{YoungMB}m";
}

/// <summary>Overload protection of a master or worker as this version reads it (null = not set).</summary>
public sealed class DsOverloadSettings
{
    public OverloadProtectionStyle Style { get; init; }
    /// <summary>3.2.1+: server-load-protection.enabled (DS defaults it to true).</summary>
    public bool? Enabled { get; init; }
    public double? SystemCpuThreshold { get; init; }
    public double? JvmCpuThreshold { get; init; }
    public double? SystemMemoryThreshold { get; init; }
    public double? DiskThreshold { get; init; }
    /// <summary>3.2.1 only: heap used / max ceiling.</summary>
    public double? JvmMemoryThreshold { get; init; }
    /// <summary>3.0–3.2.0: max-cpu-load-avg (load average before 3.2, free cpu share on 3.2.0).</summary>
    public double? MaxCpuLoadAvg { get; init; }
    /// <summary>3.0–3.2.0: reserved-memory (GB before 3.2, free fraction on 3.2.0).</summary>
    public double? ReservedMemory { get; init; }

    public override string ToString() => Style switch
    {
        OverloadProtectionStyle.LoadAverageAndFreeGigabytes => $"load<{Fmt(MaxCpuLoadAvg)} free>{Fmt(ReservedMemory)}G",
        OverloadProtectionStyle.FreeFractions => $"freeCpu>{Fmt(MaxCpuLoadAvg)} freeMem>{Fmt(ReservedMemory)}",
        OverloadProtectionStyle.UsageThresholdsWithJvmMemory => Enabled == false ? "off" : $"cpu {Fmt(SystemCpuThreshold)} heap {Fmt(JvmMemoryThreshold)} mem {Fmt(SystemMemoryThreshold)}",
        _ => Enabled == false ? "off" : $"cpu {Fmt(SystemCpuThreshold)} mem {Fmt(SystemMemoryThreshold)} disk {Fmt(DiskThreshold)}",
    };

    private static string Fmt(double? d) => d?.ToString(CultureInfo.InvariantCulture) ?? "-";
}

/// <summary>The config of one DS server process (master, worker, api, alert or standalone) on one host.</summary>
public sealed class DsRoleConfig
{
    internal DsRoleConfig(ServerConfigRole role, DsDialect dialect, string? directory, IReadOnlyList<ConfigSourceFile> files, IReadOnlyList<DsConfigSetting> settings)
    {
        Role = role;
        Dialect = dialect;
        Directory = directory;
        Files = files.Select(f => f.Path).ToList();
        Settings = settings;
        Heap = new DsHeapSettings
        {
            InitialMB = Mb("-Xms"),
            MaxMB = Mb("-Xmx"),
            YoungMB = Mb("-Xmn"),
            MaxSource = Find("-Xmx"),
        };
        var p = role == ServerConfigRole.Standalone ? "master" : role.ToString().ToLowerInvariant();
        const string lp = "server-load-protection.";
        Overload = new DsOverloadSettings
        {
            Style = dialect.OverloadStyle,
            Enabled = Bool($"{p}.{lp}enabled"),
            SystemCpuThreshold = Num($"{p}.{lp}max-system-cpu-usage-percentage-thresholds") ?? Num($"{p}.{lp}max-cpu-usage-percentage-thresholds"),
            JvmCpuThreshold = Num($"{p}.{lp}max-jvm-cpu-usage-percentage-thresholds"),
            SystemMemoryThreshold = Num($"{p}.{lp}max-system-memory-usage-percentage-thresholds"),
            DiskThreshold = Num($"{p}.{lp}max-disk-usage-percentage-thresholds"),
            JvmMemoryThreshold = Num($"{p}.{lp}max-jvm-memory-usage-percentage-thresholds"),
            MaxCpuLoadAvg = Num($"{p}.max-cpu-load-avg"),
            ReservedMemory = Num($"{p}.reserved-memory"),
        };
        if (role is ServerConfigRole.Worker or ServerConfigRole.Standalone)
            ExecThreads = dialect.WorkerExecThreadsKeys.Select(Int).FirstOrDefault(v => v is not null);
        if (role is ServerConfigRole.Master or ServerConfigRole.Standalone)
        {
            MasterExecThreads = Int(dialect.MasterExecThreadsKey);
            FetchSize = Int(dialect.MasterFetchSizeKey);
            PreExecThreads = Int("master.pre-exec-threads");
        }
        if (dialect.ServerConfigKey(role, "spring.datasource.hikari.maximum-pool-size")?.Status == ConfigKeyStatus.Active)
        {
            DbPoolSize = Int("spring.datasource.hikari.maximum-pool-size");
            DbPoolSizeIsDefault = DbPoolSize is null;
            DbPoolSize ??= 10; // HikariCP's own default when the yaml sets none (3.2.2+ yaml).
        }
    }

    public ServerConfigRole Role { get; }
    public DsDialect Dialect { get; }
    /// <summary>The whole config this server's was read with (what Get-DsTuningAdvice and Set-DsServerConfig take from the pipeline).</summary>
    public DsServerConfig Config { get; internal set; } = null!;
    /// <summary>The path the config was read from (a DS_HOME, a folder or a file).</summary>
    public string Path => Config.Path;
    /// <summary>The DS version whose key names were applied, e.g. 3.2.2.</summary>
    public string Version => Dialect.Version.ToString();
    /// <summary>The server's folder (&lt;DS_HOME&gt;/&lt;role&gt;-server) or the folder of the single file read.</summary>
    public string? Directory { get; }
    /// <summary>The files read for this server.</summary>
    public IReadOnlyList<string> Files { get; }
    /// <summary>Every value read from every file of this server.</summary>
    public IReadOnlyList<DsConfigSetting> Settings { get; }
    public DsHeapSettings Heap { get; }
    public DsOverloadSettings Overload { get; }
    /// <summary>Worker task slots (exec-threads; 3.3: physical-task-config.task-executor-thread-size).</summary>
    public int? ExecThreads { get; }
    /// <summary>Master: workflow instances handled at once (exec-threads; 3.3: workflow-event-bus-fire-thread-count).</summary>
    public int? MasterExecThreads { get; }
    /// <summary>Master: commands read per poll (fetch-command-num; 3.2.2+: command-fetch-strategy.config.fetch-size).</summary>
    public int? FetchSize { get; }
    /// <summary>Master: pre-exec-threads (read up to 3.1; a no-op on 3.2.x).</summary>
    public int? PreExecThreads { get; }
    /// <summary>Hikari maximum-pool-size of the metadata datasource; 10 (HikariCP's default) when the yaml sets none; null when the server has no datasource.</summary>
    public int? DbPoolSize { get; }
    public bool DbPoolSizeIsDefault { get; }

    /// <summary>The setting DS uses for a key: base yaml document or an active profile, JVM option from the highest-priority file.</summary>
    public DsConfigSetting? Find(string key)
    {
        var k = ServerConfigKeyNames.Normalize(key);
        if (ServerConfigKeyNames.IsHeapOption(k))
        {
            // An exported JAVA_OPTS replaces the start.sh / jvm_args_env.sh options entirely.
            return Settings.LastOrDefault(s => s.Key == k && s.Source == ConfigFileKind.EnvScript)
                ?? Settings.LastOrDefault(s => s.Key == k); // the JVM keeps the last of repeated options
        }
        return Settings.LastOrDefault(s => string.Equals(s.Key, k, StringComparison.OrdinalIgnoreCase)
                                           && s.Source is ConfigFileKind.ApplicationYaml or ConfigFileKind.BootstrapYaml && s.Profile is null)
            ?? Settings.FirstOrDefault(s => string.Equals(s.Key, k, StringComparison.OrdinalIgnoreCase) && s.Source == ConfigFileKind.EnvScript);
    }

    private long? Mb(string key) => Find(key) is { } s ? ServerConfigKeyNames.ParseJvmSizeMegabytes(s.RawEffectiveValue) : null;
    private int? Int(string key) => Find(key) is { } s && int.TryParse(s.RawEffectiveValue, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;
    private double? Num(string key) => Find(key) is { } s && double.TryParse(s.RawEffectiveValue, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
    private bool? Bool(string key) => Find(key) is { } s && bool.TryParse(s.RawEffectiveValue, out var v) ? v : null;

    public override string ToString() => $"{Role} ({Version}) {Heap}";
}

/// <summary>The config of the DS servers found under one path (a DS_HOME, one server's folder, a conf folder or one file).</summary>
public sealed class DsServerConfig
{
    internal DsServerConfig(string path, DsDialect dialect, string versionSource, IReadOnlyList<DsRoleConfig> roles)
    {
        Path = path;
        Dialect = dialect;
        VersionSource = versionSource;
        Roles = roles;
        foreach (var r in roles) r.Config = this;
    }

    public string Path { get; }
    public DsDialect Dialect { get; }
    public string Version => Dialect.Version.ToString();
    /// <summary>How the version was decided: -Version, a jar name under libs/, or inferred from the keys present.</summary>
    public string VersionSource { get; }
    public IReadOnlyList<DsRoleConfig> Roles { get; }

    /// <summary>The config of one role, or null when it was not found under Path.</summary>
    public DsRoleConfig? Role(ServerConfigRole role) => Roles.FirstOrDefault(r => r.Role == role);

    /// <summary>Sum of -Xmx over the servers read (the heap one host reserves when it runs all of them); null when none sets it.</summary>
    public long? TotalMaxHeapMB => Roles.Any(r => r.Heap.MaxMB is not null) ? Roles.Sum(r => r.Heap.MaxMB ?? 0) : null;

    public override string ToString() => $"{Path} (DS {Version}; {string.Join(", ", Roles.Select(r => r.Role))})";
}
