using System.Text.RegularExpressions;
using DsOps.Engine.ServerConfig;

namespace DsOps.Engine.Dialects;

/// <summary>
/// Server config keys per DS version: which keys a version's code reads, which it carries in its shipped yaml
/// without reading (no-ops), which it renamed or dropped (ignored), their units and ranges.
/// Facts: docs/server-config.md (keys and their meanings per version) and docs/ds-facts.md §6.
/// </summary>
public sealed partial class DsDialect
{
    private const string LoadProtectionPrefix = "server-load-protection.";

    /// <summary>The catalogued keys for one role on this version (yaml keys relative to the file root, JVM options as -Xms/-Xmx/-Xmn).</summary>
    internal IReadOnlyList<ServerConfigKey> ServerConfigKeys(ServerConfigRole role)
    {
        if (role == ServerConfigRole.Standalone)
            return new[] { ServerConfigRole.Master, ServerConfigRole.Worker, ServerConfigRole.Api, ServerConfigRole.Alert }
                .SelectMany(ServerConfigKeys).DistinctBy(k => k.Key).ToList();
        var keys = new List<ServerConfigKey>();
        keys.AddRange(JvmKeys());
        keys.Add(new("server.port", ConfigValueKind.Integer, 1, 65535, ConfigKeyStatus.Active, "Spring web port (actuator; the API's REST port)."));
        keys.AddRange(DataSourceKeys(role));
        switch (role)
        {
            case ServerConfigRole.Master: keys.AddRange(MasterKeys()); break;
            case ServerConfigRole.Worker: keys.AddRange(WorkerKeys()); break;
        }
        return keys;
    }

    /// <summary>The catalogue entry for a key, or null when DsOps has no rule for it.</summary>
    internal ServerConfigKey? ServerConfigKey(ServerConfigRole role, string key) =>
        ServerConfigKeys(role).FirstOrDefault(k => string.Equals(k.Key, ServerConfigKeyNames.Normalize(key), StringComparison.OrdinalIgnoreCase));

    /// <summary>Heap options live in bin/start.sh (JAVA_OPTS default) before 3.2, in bin/jvm_args_env.sh from 3.2.0.</summary>
    public bool JvmArgsInEnvFile => AtLeast(2);

    /// <summary>bootstrap.yaml (spring.application.name, cloud config) exists from 3.1.0.</summary>
    public bool HasBootstrapYaml => AtLeast(1);

    /// <summary>From 3.2.0 the worker has no metadata datasource (no Hikari pool of its own).</summary>
    public bool WorkerHasDataSource => !AtLeast(2);

    /// <summary>How this version decides that a master or worker is overloaded.</summary>
    internal OverloadProtectionStyle OverloadStyle => Version switch
    {
        { Minor: < 2 } => OverloadProtectionStyle.LoadAverageAndFreeGigabytes,
        { Minor: 2, Build: 0 } => OverloadProtectionStyle.FreeFractions,
        { Minor: 2, Build: 1 } => OverloadProtectionStyle.UsageThresholdsWithJvmMemory,
        _ => OverloadProtectionStyle.UsageThresholds,
    };

    /// <summary>Shipped default of the server-load-protection thresholds: 0.7 up to 3.3, 0.8 in the 3.4 yaml (release value unverified).</summary>
    public double ShippedLoadProtectionThreshold => AtLeast(4) ? 0.8 : 0.7;

    /// <summary>
    /// Heap DS ships (MB: -Xms, -Xmx, -Xmn): master, worker and standalone 4g/4g/2g, api and alert 1g/1g/512m; the same in every
    /// tag from 3.0.0 to 3.2.2 and the 3.3 development line (3.3.x/3.4.x release copies unverified).
    /// </summary>
    public (long Initial, long Max, long Young) ShippedHeapMB(ServerConfigRole role) =>
        role is ServerConfigRole.Api or ServerConfigRole.Alert ? (1024, 1024, 512) : (4096, 4096, 2048);

    /// <summary>Hikari maximum-pool-size as shipped: 50 in the yaml up to 3.2.1; 3.2.2+ set none, so HikariCP's default of 10 applies.</summary>
    public int ShippedDbPoolSize => AtLeast(2, 2) ? 10 : 50;

    /// <summary>Up to 3.1.x DS's dolphinscheduler_env.sh exports MASTER_FETCH_COMMAND_NUM (default 10), which Spring binds over the yaml key.</summary>
    public bool ShippedEnvExportsMasterFetchCommandNum => !AtLeast(2);

    /// <summary>From 3.2.2 the 3.2.1 names of the server-load-protection thresholds are no longer read.</summary>
    public bool IgnoresLoadProtectionNamesOf321 => AtLeast(2, 2);

    /// <summary>The key that sets how many commands a master reads per poll.</summary>
    public string MasterFetchSizeKey => AtLeast(2, 2) ? "master.command-fetch-strategy.config.fetch-size" : "master.fetch-command-num";

    /// <summary>
    /// The key(s) that size the worker's task thread pool, preferred first. 3.3: the October 2024 development
    /// line still reads exec-threads; DS's 3.3.0 upgrade notes name physical-task-config.task-executor-thread-size (unverified for the release).
    /// </summary>
    public IReadOnlyList<string> WorkerExecThreadsKeys => AtLeast(3)
        ? new[] { "worker.physical-task-config.task-executor-thread-size", "worker.exec-threads" }
        : new[] { "worker.exec-threads" };

    /// <summary>The master's pool of threads handling workflow instances; 3.3 replaced exec-threads by an event-bus pool sized from the cores.</summary>
    public string MasterExecThreadsKey => AtLeast(3) ? "master.workflow-event-bus-fire-thread-count" : "master.exec-threads";

    private static IEnumerable<ServerConfigKey> JvmKeys() => new ServerConfigKey[]
    {
        new("-Xms", ConfigValueKind.JvmSize, 64, 1024 * 1024, ConfigKeyStatus.Active, "Initial heap (MB range)."),
        new("-Xmx", ConfigValueKind.JvmSize, 128, 1024 * 1024, ConfigKeyStatus.Active, "Maximum heap (MB range)."),
        new("-Xmn", ConfigValueKind.JvmSize, 32, 1024 * 1024, ConfigKeyStatus.Active, "Young generation size (MB range); must stay below -Xmx."),
    };

    private IEnumerable<ServerConfigKey> DataSourceKeys(ServerConfigRole role)
    {
        var has = role != ServerConfigRole.Worker || WorkerHasDataSource;
        var status = has ? ConfigKeyStatus.Active : ConfigKeyStatus.Ignored;
        var why = has ? null : "The worker has no metadata datasource from 3.2.0.";
        yield return new("spring.datasource.hikari.maximum-pool-size", ConfigValueKind.Integer, 1, 1000, status,
            "Most metadata DB connections this server opens (HikariCP; 10 when absent).", Note: why, DefaultValue: "10");
        yield return new("spring.datasource.hikari.minimum-idle", ConfigValueKind.Integer, 0, 1000, status,
            "Idle connections kept open.", Note: why);
    }

    private IEnumerable<ServerConfigKey> MasterKeys()
    {
        bool v322 = AtLeast(2, 2), v321 = AtLeast(2, 1), v32 = AtLeast(2), v33 = AtLeast(3);
        yield return Versioned("master.fetch-command-num", ConfigValueKind.Integer, 1, 10000, !v322, "Commands read per poll.",
            "master.command-fetch-strategy.config.fetch-size", "10");
        yield return Versioned("master.command-fetch-strategy.config.fetch-size", ConfigValueKind.Integer, 1, 10000, v322,
            "Commands read per poll (3.2.2+).", "master.fetch-command-num", "10");
        yield return Versioned("master.command-fetch-strategy.config.id-step", ConfigValueKind.Integer, 1, 1000, v322,
            "Id step of the command slots (3.2.2+).", null, "1");
        foreach (var (key, kind, min, max, meaning) in new (string, ConfigValueKind, double, double, string)[]
                 {
                     ("master.pre-exec-threads", ConfigValueKind.Integer, 1, 1000, "Threads turning commands into workflow instances."),
                     ("master.dispatch-task-number", ConfigValueKind.Integer, 1, 1000, "Tasks dispatched per batch."),
                     ("master.task-commit-retry-times", ConfigValueKind.Integer, 0, 1000, "Task commit retries."),
                     ("master.task-commit-interval", ConfigValueKind.Duration, 0, double.MaxValue, "Pause between task commit retries."),
                 })
        {
            // Read up to 3.1.x; still shipped in the 3.2.x yaml but read by no code (docs/server-config.md); gone in 3.3.
            var status = !v32 ? ConfigKeyStatus.Active : !v33 ? ConfigKeyStatus.NoOp : ConfigKeyStatus.Ignored;
            yield return new(key, kind, min, max, status, meaning,
                Note: status == ConfigKeyStatus.NoOp ? "Shipped in the 3.2.x yaml, but no 3.2.x code reads it: changing it has no effect."
                    : status == ConfigKeyStatus.Ignored ? "Removed in 3.3." : null);
        }
        yield return Versioned("master.exec-threads", ConfigValueKind.Integer, 1, 10000, !v33,
            "Workflow instances the master handles at once.", "master.workflow-event-bus-fire-thread-count", "100");
        yield return Versioned("master.workflow-event-bus-fire-thread-count", ConfigValueKind.Integer, 1, 10000, v33,
            "Threads firing workflow events (3.3+; 2 x cores + 1 when absent).", "master.exec-threads");
        yield return Versioned("master.host-selector", ConfigValueKind.Enum, 0, 0, !v33, "Worker selection.",
            "master.worker-load-balancer-configuration-properties.type", Allowed: new[] { "random", "round_robin", "lower_weight" });
        yield return Versioned("master.worker-load-balancer-configuration-properties.type", ConfigValueKind.Enum, 0, 0, v33, "Worker selection (3.3+).",
            "master.host-selector", Allowed: new[] { "RANDOM", "ROUND_ROBIN", "FIXED_WEIGHTED_ROUND_ROBIN", "DYNAMIC_WEIGHTED_ROUND_ROBIN" });
        yield return Versioned("master.failover-interval", ConfigValueKind.Duration, 0, double.MaxValue, !v33, "Failover check interval.", null);
        yield return Versioned("master.max-concurrent-workflow-instances", ConfigValueKind.Integer, 1, int.MaxValue, AtLeast(4),
            "Cap on running workflow instances per master (3.4 yaml).", null);
        foreach (var k in CommonNodeKeys("master", v321, v322, v32)) yield return k;
    }

    private IEnumerable<ServerConfigKey> WorkerKeys()
    {
        bool v322 = AtLeast(2, 2), v321 = AtLeast(2, 1), v32 = AtLeast(2), v33 = AtLeast(3);
        yield return new("worker.exec-threads", ConfigValueKind.Integer, 1, 10000, ConfigKeyStatus.Active,
            "Task slots: tasks the worker runs at once.", DefaultValue: "100",
            Note: v33 ? "Read by the 3.3 development line; DS's 3.3.0 upgrade notes name worker.physical-task-config.task-executor-thread-size instead (unverified for the release)." : null);
        yield return Versioned("worker.physical-task-config.task-executor-thread-size", ConfigValueKind.Integer, 1, 10000, v33,
            "Task slots (3.3.0 name per DS's upgrade notes; unverified).", "worker.exec-threads", "100");
        yield return new("worker.host-weight", ConfigValueKind.Integer, 1, 10000, ConfigKeyStatus.Active, "Weight in worker selection.");
        yield return Versioned("worker.groups", ConfigValueKind.Text, 0, 0, !AtLeast(1, 1), "Worker groups (3.0 to 3.1.0; later only in the UI/DB).", null);
        yield return Versioned("worker.tenant-auto-create", ConfigValueKind.Boolean, 0, 0, !v321, "Create OS users for tenants.",
            "worker.tenant-config.auto-create-tenant-enabled");
        yield return Versioned("worker.tenant-config.auto-create-tenant-enabled", ConfigValueKind.Boolean, 0, 0, v321,
            "Create OS users for tenants (3.2.1+).", "worker.tenant-auto-create");
        yield return Versioned("worker.alert-listen-host", ConfigValueKind.Text, 0, 0, !v32, "Alert server host (before 3.2).", null);
        yield return Versioned("worker.alert-listen-port", ConfigValueKind.Integer, 1, 65535, !v32, "Alert server port (before 3.2).", null);
        yield return Versioned("worker.task-execute-threads-full-policy", ConfigValueKind.Enum, 0, 0, AtLeast(1, 1),
            "REJECT refuses dispatch when all slots are busy; CONTINUE queues.", null, Allowed: new[] { "REJECT", "CONTINUE" });
        foreach (var k in CommonNodeKeys("worker", v321, v322, v32)) yield return k;
    }

    /// <summary>Heartbeat and overload keys shared by master and worker.</summary>
    private IEnumerable<ServerConfigKey> CommonNodeKeys(string p, bool v321, bool v322, bool v32)
    {
        yield return Versioned($"{p}.heartbeat-interval", ConfigValueKind.Duration, 0, double.MaxValue, !v321, "Registry heartbeat.", $"{p}.max-heartbeat-interval");
        yield return Versioned($"{p}.max-heartbeat-interval", ConfigValueKind.Duration, 0, double.MaxValue, v321, "Registry heartbeat (3.2.1+).", $"{p}.heartbeat-interval");
        yield return Versioned($"{p}.heartbeat-error-threshold", ConfigValueKind.Integer, 1, 1000, !AtLeast(1), "Heartbeat failures before shutdown (3.0).", null);
        // Before 3.2: load average ceiling (-1 = cores x 2) and free memory floor in GB. 3.2.0: both re-read as fractions.
        var cpuMeaning = v32 ? "3.2.0: compared with the FREE cpu share (1 = 100 %); as shipped (1) it never trips."
                             : "Load-average ceiling; -1 means cores x 2.";
        var memMeaning = v32 ? "3.2.0: fraction of memory that must stay free (0.3 = 30 %)."
                             : "Free memory floor in GB.";
        yield return Versioned($"{p}.max-cpu-load-avg", v32 ? ConfigValueKind.Fraction : ConfigValueKind.LoadAverage, v32 ? 0 : -1, v32 ? 1 : 10000,
            !v321, cpuMeaning, $"{p}.{LoadProtectionPrefix}*", v32 ? "1" : "-1");
        yield return Versioned($"{p}.reserved-memory", v32 ? ConfigValueKind.Fraction : ConfigValueKind.Number, 0, v32 ? 1 : 1024,
            !v321, memMeaning, $"{p}.{LoadProtectionPrefix}*", "0.3");
        yield return Versioned($"{p}.{LoadProtectionPrefix}enabled", ConfigValueKind.Boolean, 0, 0, v321, "Overload protection on/off (3.2.1+).", null, "true");
        var t = ShippedLoadProtectionThreshold.ToString(System.Globalization.CultureInfo.InvariantCulture);
        yield return Versioned($"{p}.{LoadProtectionPrefix}max-cpu-usage-percentage-thresholds", ConfigValueKind.Fraction, 0, 1, v321 && !v322,
            "3.2.1: cpu usage ceiling.", $"{p}.{LoadProtectionPrefix}max-system-cpu-usage-percentage-thresholds", t);
        yield return Versioned($"{p}.{LoadProtectionPrefix}max-jvm-memory-usage-percentage-thresholds", ConfigValueKind.Fraction, 0, 1, v321 && !v322,
            "3.2.1: heap used / max ceiling.", null, t);
        yield return Versioned($"{p}.{LoadProtectionPrefix}max-system-cpu-usage-percentage-thresholds", ConfigValueKind.Fraction, 0, 1, v322,
            "System cpu usage ceiling (3.2.2+).", $"{p}.{LoadProtectionPrefix}max-cpu-usage-percentage-thresholds", t);
        yield return Versioned($"{p}.{LoadProtectionPrefix}max-jvm-cpu-usage-percentage-thresholds", ConfigValueKind.Fraction, 0, 1, v322,
            "JVM cpu usage ceiling (3.2.2+).", null, t);
        yield return Versioned($"{p}.{LoadProtectionPrefix}max-system-memory-usage-percentage-thresholds", ConfigValueKind.Fraction, 0, 1, v321,
            "System memory used / total ceiling (3.2.1+).", null, t);
        yield return Versioned($"{p}.{LoadProtectionPrefix}max-disk-usage-percentage-thresholds", ConfigValueKind.Fraction, 0, 1, v321,
            "Disk usage ceiling (3.2.1+).", null, t);
    }

    private ServerConfigKey Versioned(string key, ConfigValueKind kind, double min, double max, bool readHere, string meaning,
        string? otherName, string? defaultValue = null, string[]? Allowed = null) =>
        new(key, kind, min, max, readHere ? ConfigKeyStatus.Active : ConfigKeyStatus.Ignored, meaning,
            Note: readHere ? null : otherName is null ? $"DS {Version} does not read this key." : $"DS {Version} does not read this key; it reads {otherName}.",
            ReplacedBy: readHere ? null : otherName, DefaultValue: defaultValue, Allowed: Allowed);

    /// <summary>The file-name pattern of DS's own jars under &lt;role&gt;-server/libs.</summary>
    internal const string DsJarSearchPattern = "dolphinscheduler-*.jar";

    // dolphinscheduler-<module>-<3.x.y>[-qualifier].jar, as DS's binary distribution names its modules (docs/server-config.md "Which version").
    [GeneratedRegex(@"^dolphinscheduler-[a-z-]+-(3\.\d+\.\d+)(?:-[A-Za-z0-9.]+)?\.jar$")]
    private static partial Regex DsJarName();

    /// <summary>
    /// The version a DS jar's file name carries (dolphinscheduler-master-3.2.2.jar → 3.2.2), or null for any other file.
    /// A DS version outside the supported range throws as <see cref="Parse"/> does.
    /// </summary>
    internal static DsDialect? VersionFromJarName(string fileName)
    {
        var m = DsJarName().Match(fileName);
        return m.Success ? Parse(m.Groups[1].Value) : null;
    }

    /// <summary>
    /// Infers the version from a server's application.yaml keys and files when no dolphinscheduler-*.jar names it
    /// (docs/server-config.md "Which version"): the earliest version whose keys fit, with the evidence for the output.
    /// </summary>
    internal static (DsDialect Dialect, string Evidence) FromServerConfig(IReadOnlySet<string> applicationKeys, bool hasJvmArgs, bool hasBootstrapYaml)
    {
        bool Any(params string[] k) => k.Any(applicationKeys.Contains);
        bool AnyEndsWith(string suffix) => applicationKeys.Any(k => k.EndsWith(suffix, StringComparison.Ordinal));
        if (Any("master.worker-load-balancer-configuration-properties.type") || AnyEndsWith("physical-task-config.task-executor-thread-size"))
            return (Parse("3.3"), "inferred: 3.3 keys (worker-load-balancer-configuration-properties / physical-task-config)");
        if (AnyEndsWith("server-load-protection.max-system-cpu-usage-percentage-thresholds") || Any("master.command-fetch-strategy.config.fetch-size"))
            return (Parse("3.2.2"), "inferred: 3.2.2 keys (command-fetch-strategy / max-system-cpu-usage-percentage-thresholds)");
        if (AnyEndsWith("server-load-protection.max-cpu-usage-percentage-thresholds") || AnyEndsWith("server-load-protection.enabled"))
            return (Parse("3.2.1"), "inferred: 3.2.1 keys (max-cpu-usage-percentage-thresholds)");
        if (hasJvmArgs || AnyEndsWith("kill-application-when-task-failover"))
            return (Parse("3.2.0"), "inferred: 3.2.0 (jvm_args_env.sh with max-cpu-load-avg)");
        if (hasBootstrapYaml)
            return (Parse("3.1"), "inferred: 3.1 (bootstrap.yaml, no jvm_args_env.sh)");
        return (Parse("3.0"), "inferred: 3.0 (no bootstrap.yaml, no jvm_args_env.sh)");
    }
}
