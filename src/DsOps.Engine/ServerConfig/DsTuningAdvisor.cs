using System.Globalization;
using DsOps.Engine.Dialects;

namespace DsOps.Engine.ServerConfig;

/// <summary>The hosts and servers to tune for.</summary>
public sealed record DsTuningInput
{
    /// <summary>CPU cores per host.</summary>
    public required int Cores { get; init; }
    /// <summary>Memory per host in GB.</summary>
    public required double MemoryGB { get; init; }
    /// <summary>The DS servers every host runs (all four on the users' 3-host clusters).</summary>
    public required IReadOnlyList<ServerConfigRole> Roles { get; init; }
    /// <summary>Hosts in the cluster (each runs <see cref="Roles"/>).</summary>
    public int Nodes { get; init; } = 1;
    /// <summary>The DS version; taken from <see cref="Config"/> when that is given.</summary>
    public DsDialect? Dialect { get; init; }
    /// <summary>A config read by <see cref="DsServerConfigReader"/>: current values, files and lines come from it.</summary>
    public DsServerConfig? Config { get; init; }
    /// <summary>The metadata database's max_connections (MySQL's default 151 when not given).</summary>
    public int MaxConnections { get; init; } = 151;
}

/// <summary>Change: the advised value differs; Keep: the current value is fine; Warning: a trap of this version or setup.</summary>
public enum TuningAction { Change, Keep, Warning }

/// <summary>One recommended setting: current value, advised value and why (docs/server-config.md "Tuning rules").</summary>
public sealed class DsTuningAdvice : IDsConfigChangeSource
{
    public required ServerConfigRole Role { get; init; }
    public required string Key { get; init; }
    public string? Current { get; init; }
    /// <summary>Where the current value comes from: file:line, or "DS default" when no file was read or the key is absent.</summary>
    public string? CurrentSource { get; init; }
    public string? Advised { get; init; }
    public required TuningAction Action { get; init; }
    public required string Reason { get; init; }
    /// <summary>The rule that produced the advice (Heap, Protection, ExecThreads, FetchSize, DbPool, Trap).</summary>
    public required string Rule { get; init; }
    public string Version { get; init; } = "";
    /// <summary>The config path the advice was computed from (null without -Config).</summary>
    public string? Path { get; init; }
    public string? File { get; init; }
    public int? Line { get; init; }

    string? IDsConfigChangeSource.Value => Advised;
    bool IDsConfigChangeSource.IsChange => Action == TuningAction.Change;

    public override string ToString() => $"{Action} {Role} {Key}: {Current ?? "-"} -> {Advised ?? "-"} ({Reason})";
}

/// <summary>
/// Tuning advice for small DS clusters. Every number comes from a rule written down in docs/server-config.md ("Tuning rules"):
/// half of each host's memory for heaps, split 3:3:2:1 between master, worker, api and alert; memory thresholds above the idle
/// estimate; worker slots from cores and leftover memory; fetch size from cores; Hikari pools within 80 % of max_connections;
/// and the version's traps.
/// </summary>
public static class DsTuningAdvisor
{
    public const double HeapShareOfMemory = 0.5;
    public const long NonHeapPerJvmMB = 256;
    public const long OsReserveMB = 1024;
    public const long MemoryPerTaskMB = 128;
    public const int TasksPerCore = 4;
    public const int FetchPerCore = 2;
    public const double ConnectionShare = 0.8;
    public const double IdleMargin = 0.10;

    private static int Weight(ServerConfigRole r) => r switch
    {
        ServerConfigRole.Master or ServerConfigRole.Worker => 3,
        ServerConfigRole.Api => 2,
        ServerConfigRole.Alert => 1,
        _ => 9,
    };

    private static long MinHeap(ServerConfigRole r) => r is ServerConfigRole.Api or ServerConfigRole.Alert ? 256 : 512;

    private static long Floor64(double mb) => (long)Math.Floor(mb / 64) * 64;

    private static string F(double d) => d.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>The advised -Xmx per role for a host of <paramref name="memoryMB"/> running <paramref name="roles"/>.</summary>
    public static IReadOnlyDictionary<ServerConfigRole, long> AdvisedMaxHeapMB(IReadOnlyList<ServerConfigRole> roles, long memoryMB)
    {
        var budget = memoryMB * HeapShareOfMemory;
        var total = roles.Sum(Weight);
        return roles.Distinct().ToDictionary(r => r, r => Math.Max(MinHeap(r), Floor64(budget * Weight(r) / total)));
    }

    public static IReadOnlyList<DsTuningAdvice> Advise(DsTuningInput input)
    {
        if (input.Cores < 1) throw new DsOpsException(DsErrorKind.InvalidInput, "DsTuningInputInvalid", $"-Cores must be at least 1 (got {input.Cores}).");
        if (input.MemoryGB < 2) throw new DsOpsException(DsErrorKind.InvalidInput, "DsTuningInputInvalid", $"-MemoryGB must be at least 2 (got {F(input.MemoryGB)}).");
        if (input.Nodes < 1) throw new DsOpsException(DsErrorKind.InvalidInput, "DsTuningInputInvalid", $"-Nodes must be at least 1 (got {input.Nodes}).");
        if (input.Roles.Count == 0) throw new DsOpsException(DsErrorKind.InvalidInput, "DsTuningInputInvalid", "-Role names no server.");
        var dialect = input.Config?.Dialect ?? input.Dialect
            ?? throw new DsOpsException(DsErrorKind.InvalidInput, "DsTuningInputInvalid", "Pass -Version or -Config so the advice uses that version's keys.");
        var roles = input.Roles.Distinct().ToList();
        var ctx = new Context(input, dialect);
        var memMB = (long)(input.MemoryGB * 1024);
        var advisedHeap = AdvisedMaxHeapMB(roles, memMB);

        // ---- Heap ----
        var currentTotal = roles.Sum(r => ctx.HeapMB(r, "-Xmx") ?? dialect.ShippedHeapMB(r).Max);
        var advisedTotal = advisedHeap.Values.Sum();
        foreach (var r in roles)
        {
            var xmx = advisedHeap[r];
            var why = $"{F(input.MemoryGB)} GB host running {string.Join("+", roles.Select(x => x.ToString().ToLowerInvariant()))}: half the memory ({memMB / 2} MB) goes to heaps, " +
                      $"split master 3 : worker 3 : api 2 : alert 1 (sum {advisedTotal} MB; now {currentTotal} MB). The rest is for the OS, JVM non-heap and the worker's task processes.";
            ctx.Add(r, "-Xmx", ServerConfigKeyNames.FormatJvmSize(xmx), "Heap", why, ConfigValueKind.JvmSize);
            ctx.Add(r, "-Xms", ServerConfigKeyNames.FormatJvmSize(xmx), "Heap", "Same as -Xmx, as DS ships it: the heap is committed at start, so the footprint is known from the first minute.", ConfigValueKind.JvmSize);
            ctx.Add(r, "-Xmn", ServerConfigKeyNames.FormatJvmSize(Floor64(xmx / 2.0)), "Heap", "Half of -Xmx, the ratio DS ships (4g/2g, 1g/512m).", ConfigValueKind.JvmSize);
        }
        if (currentTotal > memMB)
            ctx.Warn(roles[0], "-Xmx (sum)", $"{currentTotal} MB", "Heap",
                $"The heaps of {string.Join(", ", roles)} add up to {currentTotal} MB on a {memMB} MB host: the JVMs cannot all get their heap, the OS swaps or kills one, " +
                "and memory protection reports the node busy at idle.");

        // ---- Overload protection: thresholds that do not trip at idle ----
        var idleMB = advisedTotal + NonHeapPerJvmMB * roles.Count + OsReserveMB;
        var idle = (double)idleMB / memMB;
        var memThreshold = Math.Min(0.95, Math.Ceiling((idle + IdleMargin) * 20 - 1e-9) / 20);
        var idleWhy = $"At idle a host uses about {idleMB} MB of {memMB} ({F(idle * 100)} %: heaps {advisedTotal} MB + {NonHeapPerJvmMB} MB non-heap per JVM + {OsReserveMB} MB OS);";
        foreach (var (r, p) in NodeSections(roles))
        {
            switch (dialect.OverloadStyle)
            {
                case OverloadProtectionStyle.LoadAverageAndFreeGigabytes:
                    ctx.AtLeastOrKeep(r, $"{p}.max-cpu-load-avg", "-1", "Protection",
                        $"-1 means a load-average ceiling of cores x 2 ({input.Cores * 2}); idle hosts stay far below it.", keepOnly: true);
                    ctx.AtLeastOrKeep(r, $"{p}.reserved-memory", "0.3", "Protection",
                        "Busy only when less than 0.3 GB is available; with heaps that fit, idle hosts keep more than that free.", keepOnly: true);
                    break;
                case OverloadProtectionStyle.FreeFractions:
                    ctx.Add(r, $"{p}.reserved-memory", F(Math.Round(1 - memThreshold, 2)), "Protection",
                        $"{idleWhy} on 3.2.0 this key is the share of memory that must stay FREE, so 0.3 trips whenever more than 70 % is used. " +
                        $"{F(1 - memThreshold)} leaves {F(IdleMargin * 100)} points above idle.", ConfigValueKind.Fraction);
                    ctx.AtLeastOrKeep(r, $"{p}.max-cpu-load-avg", "1", "Protection",
                        "On 3.2.0 this is compared with the FREE cpu share, so the shipped 1 never trips; a lower value would trip on an idle host.", keepOnly: true);
                    break;
                default:
                    var lp = $"{p}.server-load-protection.";
                    ctx.AtLeastOrKeep(r, lp + "max-system-memory-usage-percentage-thresholds", F(memThreshold), "Protection",
                        $"{idleWhy} a threshold below {F(memThreshold)} (idle + {F(IdleMargin * 100)} points, rounded up to 0.05) reports the node busy at idle or as soon as " +
                        $"a few tasks start, and then {(p == "master" ? "the master stops taking commands" : "the worker gets no tasks")} (DS ships {F(dialect.ShippedLoadProtectionThreshold)}).");
                    var cpuKey = dialect.OverloadStyle == OverloadProtectionStyle.UsageThresholdsWithJvmMemory
                        ? lp + "max-cpu-usage-percentage-thresholds" : lp + "max-system-cpu-usage-percentage-thresholds";
                    ctx.AtLeastOrKeep(r, cpuKey, F(dialect.ShippedLoadProtectionThreshold), "Protection",
                        "Idle cpu is near zero; the shipped ceiling only trips under real load, which is its purpose.", keepOnly: true);
                    if (dialect.OverloadStyle == OverloadProtectionStyle.UsageThresholdsWithJvmMemory)
                        ctx.AtLeastOrKeep(r, lp + "max-jvm-memory-usage-percentage-thresholds", "0.9", "Protection",
                            "3.2.1 also counts heap used / max as overload; used heap includes garbage not yet collected, so smaller heaps cross 0.7 " +
                            "between collections and the node flips between busy and normal (inferred from the code, not measured).");
                    if (ctx.Role(r)?.Overload.Enabled == false)
                        ctx.Warn(r, lp + "enabled", "false", "Protection",
                            "Overload protection is off: an overloaded node keeps taking work (DS's Helm chart turns it off; the yaml default is true).");
                    break;
            }
        }

        // ---- Worker task slots ----
        var taskMB = memMB - idleMB;
        var slots = Math.Max(input.Cores, Math.Min(input.Cores * TasksPerCore, (int)(taskMB / MemoryPerTaskMB)));
        foreach (var r in roles.Where(r => r is ServerConfigRole.Worker or ServerConfigRole.Standalone))
        {
            var key = ctx.Role(r) is { } rc ? dialect.WorkerExecThreadsKeys.FirstOrDefault(k => rc.Find(k) is not null) ?? dialect.WorkerExecThreadsKeys[0]
                : dialect.WorkerExecThreadsKeys[^1];
            ctx.Add(r, key, slots.ToString(CultureInfo.InvariantCulture), "ExecThreads",
                $"Tasks one worker runs at once: at most {TasksPerCore} per core ({input.Cores * TasksPerCore}) and one per {MemoryPerTaskMB} MB left after heaps, " +
                $"non-heap and OS ({taskMB} MB → {taskMB / MemoryPerTaskMB}). The shipped 100 lets a burst start more shell processes than {input.Cores} cores and the memory left can carry.",
                ConfigValueKind.Integer);
            if (dialect.WorkerExecThreadsKeys.Count > 1)
                ctx.Warn(r, dialect.WorkerExecThreadsKeys[0], null, "Trap",
                    "3.3: the October 2024 development line reads worker.exec-threads; DS's 3.3.0 upgrade notes name physical-task-config.task-executor-thread-size. " +
                    "Check which key your release's yaml has (unverified).");
        }

        // ---- Master fetch size ----
        var fetch = Math.Clamp(input.Cores * FetchPerCore, 4, 20);
        foreach (var r in roles.Where(r => r is ServerConfigRole.Master or ServerConfigRole.Standalone))
        {
            ctx.Add(r, dialect.MasterFetchSizeKey, fetch.ToString(CultureInfo.InvariantCulture), "FetchSize",
                $"Commands one master turns into workflow instances per poll: {FetchPerCore} per core. {input.Nodes} master(s) x {fetch} = {input.Nodes * fetch} per round, " +
                "so a burst of scheduled starts is taken in steps a small master's cpu and heap absorb without tripping overload protection.", ConfigValueKind.Integer);
            if (ctx.Role(r)?.Find(dialect.MasterFetchSizeKey)?.OverriddenBy is { } over)
                ctx.Warn(r, dialect.MasterFetchSizeKey, null, "Trap",
                    $"{over} is exported to the master and Spring binds it over the yaml value; Set-DsServerConfig changes both.");
        }

        // ---- Metadata DB connections ----
        var poolRoles = roles.Where(r => dialect.ServerConfigKey(r, "spring.datasource.hikari.maximum-pool-size")?.Status == ConfigKeyStatus.Active).ToList();
        if (poolRoles.Count > 0)
        {
            var pools = input.Nodes * poolRoles.Count;
            var budget = (int)Math.Floor(input.MaxConnections * ConnectionShare);
            var perPool = budget / pools;
            var currentSum = input.Nodes * poolRoles.Sum(r => ctx.Role(r)?.DbPoolSize ?? dialect.ShippedDbPoolSize);
            foreach (var r in poolRoles)
            {
                var current = ctx.Role(r)?.DbPoolSize ?? dialect.ShippedDbPoolSize;
                var why = $"{input.Nodes} node(s) x {poolRoles.Count} server(s) with a metadata pool ({string.Join(", ", poolRoles)}) = {pools} pools; " +
                          $"now up to {currentSum} connections against {budget} (80 % of max_connections {input.MaxConnections}; the rest for DS's tools, the DBA and other clients).";
                if (perPool < 5)
                    ctx.Warn(r, "spring.datasource.hikari.maximum-pool-size", current.ToString(CultureInfo.InvariantCulture), "DbPool",
                        why + $" Even 5 per pool needs max_connections of at least {(int)Math.Ceiling(pools * 5 / ConnectionShare)}: raise it on the database.");
                else if (current <= perPool)
                    ctx.Keep(r, "spring.datasource.hikari.maximum-pool-size", current.ToString(CultureInfo.InvariantCulture), "DbPool", why + " The pools fit.");
                else
                    ctx.Add(r, "spring.datasource.hikari.maximum-pool-size", perPool.ToString(CultureInfo.InvariantCulture), "DbPool",
                        why + $" {perPool} per pool keeps the sum within the budget.", ConfigValueKind.Integer);
            }
        }

        // ---- The version's traps ----
        Traps(ctx, roles, dialect);
        return ctx.Result;
    }

    private static IEnumerable<(ServerConfigRole, string)> NodeSections(IEnumerable<ServerConfigRole> roles)
    {
        foreach (var r in roles)
        {
            if (r is ServerConfigRole.Master or ServerConfigRole.Standalone) yield return (r, "master");
            if (r is ServerConfigRole.Worker or ServerConfigRole.Standalone) yield return (r, "worker");
        }
    }

    private static void Traps(Context ctx, IReadOnlyList<ServerConfigRole> roles, DsDialect dialect)
    {
        // Keys in the files that this version does not use.
        foreach (var r in roles)
        {
            var rc = ctx.Role(r);
            if (rc is null) continue;
            foreach (var s in rc.Settings.Where(s => s.Status is ConfigKeyStatus.NoOp or ConfigKeyStatus.Ignored && s.Profile is null))
                ctx.Warn(r, s.Key, s.Value, "Trap", s.Status == ConfigKeyStatus.NoOp
                    ? $"Present, but no DS {dialect.Version} code reads it: tuning it changes nothing. {s.Note}"
                    : $"Not read by DS {dialect.Version}" + (s.ReplacedBy is null ? "." : $"; set {s.ReplacedBy} instead.") + (s.Note is { } n && s.ReplacedBy is null ? " " + n : ""),
                    s);
            if (rc.Settings.FirstOrDefault(s => s.Source == ConfigFileKind.EnvScript && s.Key == "JAVA_OPTS" && s.Entry.Value.Trim().Length > 0) is { } jo)
                ctx.Warn(r, "JAVA_OPTS", jo.Value, "Trap", "Exported in dolphinscheduler_env.sh: it replaces the JVM options of start.sh / jvm_args_env.sh, heap included.", jo);
        }
        var masters = roles.Where(r => r is ServerConfigRole.Master or ServerConfigRole.Standalone).ToList();
        var nodes = roles.Where(r => r is ServerConfigRole.Master or ServerConfigRole.Worker or ServerConfigRole.Standalone).ToList();
        if (ctx.Config is null)
        {
            // Without files, name the traps this version ships with.
            foreach (var r in masters)
                foreach (var k in dialect.ServerConfigKeys(ServerConfigRole.Master).Where(k => k.Status == ConfigKeyStatus.NoOp && k.Key.StartsWith("master.", StringComparison.Ordinal)))
                    ctx.Warn(r, k.Key, null, "Trap", $"Shipped in the yaml of DS {dialect.Version}, but no code reads it: tuning it changes nothing.");
            if (dialect.IgnoresLoadProtectionNamesOf321)
                foreach (var r in nodes)
                    ctx.Warn(r, "server-load-protection.max-cpu-usage-percentage-thresholds", null, "Trap",
                        "3.2.1's key names (max-cpu-usage-…, max-jvm-memory-usage-…) are silently ignored from 3.2.2: a config carried over from 3.2.1 loses its thresholds.");
            if (dialect.ShippedEnvExportsMasterFetchCommandNum)
                foreach (var r in masters)
                    ctx.Warn(r, "MASTER_FETCH_COMMAND_NUM", null, "Trap",
                        "DS's dolphinscheduler_env.sh up to 3.1 exports MASTER_FETCH_COMMAND_NUM (default 10), which Spring binds over master.fetch-command-num in the yaml.");
        }
        if (dialect.WorkerHasDataSource && roles.Contains(ServerConfigRole.Worker))
            ctx.Warn(ServerConfigRole.Worker, "spring.datasource.hikari.maximum-pool-size", null, "Trap",
                "Before 3.2 the worker opens its own metadata pool too: it counts in the connection budget.");
    }

    private sealed class Context(DsTuningInput input, DsDialect dialect)
    {
        public List<DsTuningAdvice> Result { get; } = new();
        public DsServerConfig? Config => input.Config;

        public DsRoleConfig? Role(ServerConfigRole r) => input.Config?.Role(r);

        public long? HeapMB(ServerConfigRole r, string key) =>
            Role(r)?.Find(key) is { } s ? ServerConfigKeyNames.ParseJvmSizeMegabytes(s.RawEffectiveValue) : null;

        private (string? Value, string Source, DsConfigSetting? Setting) Current(ServerConfigRole r, string key)
        {
            var s = Role(r)?.Find(key);
            if (s is not null) return (s.EffectiveValue, s.OverriddenBy ?? s.Location, s);
            if (ServerConfigKeyNames.IsHeapOption(key))
            {
                var (xms, xmx, xmn) = dialect.ShippedHeapMB(r);
                var mb = key == "-Xms" ? xms : key == "-Xmx" ? xmx : xmn;
                return (ServerConfigKeyNames.FormatJvmSize(mb), "DS default", null);
            }
            if (key.EndsWith("maximum-pool-size", StringComparison.Ordinal))
                return (dialect.ShippedDbPoolSize.ToString(CultureInfo.InvariantCulture), "DS default", null);
            if (key.Contains("server-load-protection.", StringComparison.Ordinal) && key.EndsWith("thresholds", StringComparison.Ordinal))
                return (F(dialect.ShippedLoadProtectionThreshold), "DS default", null);
            return (dialect.ServerConfigKey(r, key)?.DefaultValue, "DS default", null);
        }

        public void Add(ServerConfigRole r, string key, string advised, string rule, string reason, ConfigValueKind kind)
        {
            var (cur, src, s) = Current(r, key);
            var same = cur is not null && DsDesiredServerConfig.SameValue(kind, advised, cur);
            Emit(r, key, cur, src, advised, same ? TuningAction.Keep : TuningAction.Change, rule, reason, s);
        }

        public void AtLeastOrKeep(ServerConfigRole r, string key, string advised, string rule, string reason, bool keepOnly = false)
        {
            var (cur, src, s) = Current(r, key);
            var curNum = double.TryParse(cur, NumberStyles.Float, CultureInfo.InvariantCulture, out var c) ? c : (double?)null;
            var adv = double.Parse(advised, CultureInfo.InvariantCulture);
            if (keepOnly || curNum is { } v && v >= adv)
                Emit(r, key, cur, src, cur ?? advised, TuningAction.Keep, rule, reason, s);
            else
                Emit(r, key, cur, src, advised, TuningAction.Change, rule, reason, s);
        }

        public void Keep(ServerConfigRole r, string key, string value, string rule, string reason)
        {
            var (cur, src, s) = Current(r, key);
            Emit(r, key, cur ?? value, src, cur ?? value, TuningAction.Keep, rule, reason, s);
        }

        public void Warn(ServerConfigRole r, string key, string? current, string rule, string reason, DsConfigSetting? s = null)
        {
            if (Result.Any(a => a.Action == TuningAction.Warning && a.Role == r && a.Key == key && a.Rule == rule)) return;
            Emit(r, key, current, s?.Location, null, TuningAction.Warning, rule, reason, s);
        }

        private void Emit(ServerConfigRole r, string key, string? cur, string? src, string? advised, TuningAction action, string rule, string reason, DsConfigSetting? s) =>
            Result.Add(new DsTuningAdvice
            {
                Role = r,
                Key = key,
                Current = cur,
                CurrentSource = src,
                Advised = advised,
                Action = action,
                Reason = reason,
                Rule = rule,
                Version = dialect.Version.ToString(),
                Path = input.Config?.Path,
                File = s?.File,
                Line = s?.Line,
            });
    }
}
