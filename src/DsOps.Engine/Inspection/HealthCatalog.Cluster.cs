using DsOps.Engine.Dialects;
using DsOps.Engine.Models;

namespace DsOps.Engine.Inspection;

// Checks of the running services: registry, heartbeats, load protection, actuator health, heap, database connections.
// Facts: docs/inspection.md (load protection per version, actuator per version, pools), docs/ds-facts.md §6.
internal static partial class HealthCatalog
{
    private static IEnumerable<HealthCheck> ClusterChecks()
    {
        yield return new HealthCheck
        {
            Info = Info("Node.Inventory", "Expected masters, workers and alert servers are registered", Critical, Api | Inventory,
                "DS's monitor lists only servers that hold a registry session; a dead server simply disappears, so only an expected list shows it is gone.",
                "Start the missing service (or fix its registry connection); if it was retired on purpose, remove it from the inventory.",
                "3.0-3.4 (alert servers listed from 3.2.2)", Quick, Node),
            Evaluate = async (run, c, ct) =>
            {
                if (run.Api is null) return new[] { c.Skip(run, "No DS API connection (Connect-DsServer).") };
                if (!run.Config.HasInventory) return new[] { c.Skip(run, "No inventory: list the expected hosts and roles in the health config file.") };
                var registered = await run.RegisteredAsync(ct).ConfigureAwait(false);
                var results = new List<DsHealthResult>();
                foreach (var node in run.Config.Nodes.Where(n => n.Role != DsNodeRole.Api))
                {
                    results.Add(HealthRun.IsRegistered(node, registered) switch
                    {
                        true => c.Pass(run, node.ToString(), "registered", "registered", "registered"),
                        false => c.Violated(run, node.ToString(), $"{node} is not in DS's registry: the server is down or lost its registry session.", "absent", "registered"),
                        null => c.Skip(run, $"DS {run.Dialect.Version} does not list {HealthConfig.RoleName(node.Role)} servers through its API.", node.ToString()),
                    });
                }
                foreach (var (role, nodes) in registered)
                    foreach (var n in nodes.Where(n => !run.Config.Nodes.Any(e => HealthRun.RegistryRole(e.Role) == role && HealthRun.SameHost(e.Host, n.Host) && e.Port == n.Port)))
                        results.Add(c.Warn(run, $"{HealthConfig.RoleName(HealthRun.RoleOf(role))} {n.Address}", "Registered but not in the inventory: add it to the inventory so its absence is noticed.", "registered", "in inventory"));
                return results;
            },
        };

        yield return new HealthCheck
        {
            Info = Info("Node.Heartbeat", "Registered servers report fresh heartbeats", Critical, Api,
                "A registered server whose heartbeat is old is hung (long GC, stuck thread) or cut off; masters stop dispatching to such a worker.",
                "Look at the server's GC log and thread dump; restart it if it does not recover.",
                "3.0-3.4", Quick, Node, T("maxAgeSeconds", 60, "s", "oldest acceptable heartbeat (DS beats every 10 s by default)")),
            Evaluate = async (run, c, ct) =>
            {
                if (run.Api is null) return new[] { c.Skip(run, "No DS API connection (Connect-DsServer).") };
                var max = run.Required(c, "maxAgeSeconds");
                var results = new List<DsHealthResult>();
                foreach (var (role, nodes) in await run.RegisteredAsync(ct).ConfigureAwait(false))
                    foreach (var n in nodes)
                    {
                        var target = $"{HealthConfig.RoleName(HealthRun.RoleOf(role))} {n.Address}";
                        if (n.LastHeartbeat is not { } beat) { results.Add(c.Error(run, "The registry entry has no heartbeat time.", target)); continue; }
                        var age = (run.AsOf - new DateTimeOffset(beat)).TotalSeconds;
                        results.Add(age <= max
                            ? c.Pass(run, target, $"heartbeat {HealthCheck.F(age, "0")} s ago", HealthCheck.F(age, "0") + " s", "≤ " + HealthCheck.F(max) + " s")
                            : c.Violated(run, target, $"Last heartbeat {HealthCheck.F(age, "0")} s ago.", HealthCheck.F(age, "0") + " s", "≤ " + HealthCheck.F(max) + " s"));
                    }
                return results;
            },
        };

        yield return new HealthCheck
        {
            Info = Info("Node.Load", "Masters and workers are below their version's overload thresholds", Critical, Api,
                "An overloaded master stops consuming commands and an overloaded worker gets no tasks; with DS's default heaps on small hosts this trips at idle.",
                "Lower heaps and exec threads, raise the protection thresholds to fit the host (server-load-protection on 3.2.1+, reserved-memory / max-cpu-load-avg before), or add capacity.",
                "3.0-3.4 (thresholds per version)", Quick, Node,
                T("maxSystemCpu", null, "", "system CPU usage fraction (version default: 0.7; 0.8 on 3.4)"),
                T("maxJvmCpu", null, "", "JVM CPU usage fraction (3.2.2+)"),
                T("maxSystemMemory", null, "", "system memory usage fraction (3.2.0: 1 - reserved-memory)"),
                T("maxJvmMemory", null, "", "heap usage fraction (3.2.1 only)"),
                T("maxDisk", null, "", "disk usage fraction (3.2.1+)")),
            Evaluate = async (run, c, ct) =>
            {
                if (run.Api is null) return new[] { c.Skip(run, "No DS API connection (Connect-DsServer).") };
                var p = run.Dialect.LoadProtection;
                var results = new List<DsHealthResult>();
                foreach (var (role, nodes) in await run.RegisteredAsync(ct).ConfigureAwait(false))
                {
                    if (role == DsServerRole.AlertServer) continue;
                    foreach (var n in nodes)
                    {
                        var target = $"{HealthConfig.RoleName(HealthRun.RoleOf(role))} {n.Address}";
                        var over = new List<string>();
                        var measured = new List<string>();
                        var limits = new List<string>();
                        void Compare(string label, double? value, double? limit)
                        {
                            if (value is null || limit is null) return;
                            measured.Add($"{label} {HealthCheck.F(value.Value)}");
                            limits.Add($"{label} ≤ {HealthCheck.F(limit.Value)}");
                            if (value > limit) over.Add($"{label} {HealthCheck.F(value.Value)} > {HealthCheck.F(limit.Value)}");
                        }
                        if (p.Model == DsLoadModel.LoadAverageAndFreeMemory)
                        {
                            // 3.0/3.1: the heartbeat carries the node's own limits (max-cpu-load-avg, reserved-memory in GB).
                            Compare("load", n.LoadAverage, run.Threshold(c, "maxSystemCpu") ?? n.MaxCpuLoadAverage);
                            if (n.AvailableMemoryGB is { } free && n.ReservedMemoryGB is { } reserved)
                            {
                                measured.Add($"free {HealthCheck.F(free)} GB");
                                limits.Add($"free ≥ {HealthCheck.F(reserved)} GB");
                                if (free < reserved) over.Add($"free memory {HealthCheck.F(free)} GB < reserved {HealthCheck.F(reserved)} GB");
                            }
                        }
                        else
                        {
                            Compare("cpu", n.CpuUsage, run.Threshold(c, "maxSystemCpu") ?? p.SystemCpu);
                            Compare("jvmCpu", n.JvmCpuUsage, run.Threshold(c, "maxJvmCpu") ?? p.JvmCpu);
                            Compare("mem", n.MemoryUsage, run.Threshold(c, "maxSystemMemory") ?? p.SystemMemory);
                            Compare("heap", n.JvmMemoryUsage, run.Threshold(c, "maxJvmMemory") ?? p.JvmMemory);
                            Compare("disk", n.DiskUsage, run.Threshold(c, "maxDisk") ?? p.Disk);
                        }
                        if (string.Equals(n.Status, "BUSY", StringComparison.OrdinalIgnoreCase)) over.Add("DS reports the node BUSY");
                        var m = string.Join(", ", measured);
                        var l = string.Join(", ", limits);
                        results.Add(over.Count == 0
                            ? c.Pass(run, target, "below the overload thresholds", m, l)
                            : c.Violated(run, target, "Overloaded: " + string.Join("; ", over) + ".", m, l));
                    }
                }
                return results;
            },
        };

        yield return new HealthCheck
        {
            Info = Info("Node.Actuator", "Each service's /actuator/health is UP", Critical, Actuator,
                "Spring's health endpoint checks the service's database pool and, from 3.2.2, its registry connection; DOWN means the service cannot do its job even if the process runs.",
                "Read the named DOWN component: db = metadata database pool, master/worker/alert/api = registry connection (3.2.2+). Fix it or restart the service.",
                "3.0-3.4 (registry components from 3.2.2)", Quick, Node),
            Evaluate = async (run, c, ct) =>
            {
                var targets = await run.ActuatorTargetsAsync(ct).ConfigureAwait(false);
                if (targets.Count == 0) return new[] { c.Skip(run, "No inventory and no DS API connection: nothing to probe.") };
                var registered = run.Api is null ? null : await run.RegisteredAsync(ct).ConfigureAwait(false);
                var results = await Task.WhenAll(targets.Select(async node =>
                {
                    var target = $"{HealthConfig.RoleName(node.Role)} {node.Host}:{node.ActuatorPort}";
                    // A node missing from the registry is reported once, by Node.Inventory.
                    if (registered is not null && HealthRun.IsRegistered(node, registered) == false)
                        return c.Skip(run, $"{node} is not registered (see Node.Inventory).", target);
                    var h = await run.HealthOfAsync(node, ct).ConfigureAwait(false);
                    if (h.IsUp) return c.Pass(run, target, "UP", "UP", "UP");
                    var down = h.Components.Where(x => !string.Equals(x.Value, "UP", StringComparison.OrdinalIgnoreCase)).Select(x => $"{x.Key} {x.Value}").ToList();
                    var why = h.Error ?? (down.Count > 0 ? "components " + string.Join(", ", down) : "no component named");
                    return c.Violated(run, target, $"Health is {h.Status}: {why}.", h.Status, "UP");
                })).ConfigureAwait(false);
                return results;
            },
        };

        yield return new HealthCheck
        {
            Info = Info("Node.HeapVsMemory", "The DS heaps on each host fit its memory with head-room", Critical, Actuator | Inventory,
                "DS ships 4 GB heaps for master and worker and 1 GB for api and alert: 10 GB on one host; on an 8 GB host the OS, page cache and task processes starve and memory protection trips.",
                "Lower -Xms/-Xmx per role (jvm_args_env.sh from 3.2, start.sh JAVA_OPTS before) so the heaps of a host sum below the threshold.",
                "3.0-3.4", Quick, Node, T("maxHeapFraction", 0.75, "", "sum of heaps as a fraction of the host's memory")),
            Evaluate = async (run, c, ct) =>
            {
                var hosts = run.Config.Hosts.Where(h => h.MemoryGB is > 0).ToList();
                if (hosts.Count == 0) return new[] { c.Skip(run, "No inventory hosts with memoryGB in the health config file.") };
                var fraction = run.Required(c, "maxHeapFraction");
                var results = new List<DsHealthResult>();
                foreach (var host in hosts)
                {
                    var target = "host " + host.Host;
                    var parts = new List<string>();
                    double total = 0;
                    var unknown = new List<string>();
                    foreach (var node in run.Config.Nodes.Where(n => HealthRun.SameHost(n.Host, host.Host)))
                    {
                        var heap = await run.HeapOfAsync(node, ct).ConfigureAwait(false);
                        if (heap is null) { unknown.Add(HealthConfig.RoleName(node.Role)); continue; }
                        total += heap.Value;
                        parts.Add($"{HealthConfig.RoleName(node.Role)} {HealthCheck.F(heap.Value, "0")} MB");
                    }
                    if (unknown.Count > 0)
                    {
                        results.Add(c.Skip(run, $"Heap unknown for {string.Join(", ", unknown)}: actuator metrics unreachable and no heapMB in the inventory.", target));
                        continue;
                    }
                    var limitGb = host.MemoryGB!.Value * fraction;
                    var totalGb = total / 1024;
                    var measured = $"{HealthCheck.F(totalGb, "0.0")} GB";
                    var threshold = $"≤ {HealthCheck.F(limitGb, "0.0")} GB";
                    results.Add(totalGb <= limitGb
                        ? c.Pass(run, target, $"heaps {string.Join(", ", parts)}", measured, threshold)
                        : c.Violated(run, target, $"Heaps sum to {measured} on a {HealthCheck.F(host.MemoryGB.Value)} GB host ({string.Join(", ", parts)}).", measured, threshold));
                }
                return results;
            },
        };

        yield return new HealthCheck
        {
            Info = Info("Db.ConnectionUsage", "The metadata database has free connections", Critical, Api,
                "When MySQL reaches max_connections every DS service fails its queries at once (commands, heartbeats, API).",
                "Raise max_connections or shrink DS's pools (spring.datasource.hikari.maximum-pool-size per service).",
                "3.0-3.4", Quick, Database, T("maxUsage", 0.8, "", "connected threads as a fraction of max_connections")),
            Evaluate = async (run, c, ct) =>
            {
                if (run.Api is null) return new[] { c.Skip(run, "No DS API connection (Connect-DsServer).") };
                var db = await run.DatabaseAsync(ct).ConfigureAwait(false);
                if (db is null || db.MaxConnections <= 0) return new[] { c.Error(run, "The API reported no database figures (/monitor/databases).") };
                var max = run.Required(c, "maxUsage");
                var usage = (double)db.ThreadsConnected / db.MaxConnections;
                var measured = $"{db.ThreadsConnected}/{db.MaxConnections}";
                var threshold = "≤ " + HealthCheck.F(max * 100, "0") + " %";
                return new[]
                {
                    usage <= max
                        ? c.Pass(run, "metadata database", $"{HealthCheck.F(usage * 100, "0")} % of max_connections in use", measured, threshold)
                        : c.Violated(run, "metadata database", $"{HealthCheck.F(usage * 100, "0")} % of max_connections in use.", measured, threshold),
                };
            },
        };

        yield return new HealthCheck
        {
            Info = Info("Db.PoolBudget", "DS's connection pools fit the database's max_connections", Warning, Api | Inventory,
                "Every master, api and alert server (and worker up to 3.1) has its own pool (50 connections up to 3.2.1, Hikari's 10 from 3.2.2); three full nodes on 3.0 can open 600 against MySQL's default 151.",
                "Set spring.datasource.hikari.maximum-pool-size per service so the sum fits, or raise max_connections.",
                "3.0-3.4 (pool default per version)", Quick, Database,
                T("poolSize", null, "", "pool size per service (version default: 50 up to 3.2.1, 10 from 3.2.2)"),
                T("maxFraction", 0.8, "", "sum of pools as a fraction of max_connections")),
            Evaluate = async (run, c, ct) =>
            {
                if (run.Api is null) return new[] { c.Skip(run, "No DS API connection (Connect-DsServer).") };
                if (!run.Config.HasInventory) return new[] { c.Skip(run, "No inventory: list the expected hosts and roles in the health config file.") };
                var db = await run.DatabaseAsync(ct).ConfigureAwait(false);
                if (db is null || db.MaxConnections <= 0) return new[] { c.Error(run, "The API reported no database figures (/monitor/databases).") };
                var pool = run.Threshold(c, "poolSize") ?? run.Dialect.DefaultMetadataPoolSize;
                var services = run.Config.Nodes.Count(n => n.Role is DsNodeRole.Master or DsNodeRole.Api or DsNodeRole.Alert
                    || (n.Role == DsNodeRole.Worker && run.Dialect.WorkerHasMetadataPool));
                var total = services * pool;
                var limit = db.MaxConnections * run.Required(c, "maxFraction");
                var measured = $"{services} × {HealthCheck.F(pool)} = {HealthCheck.F(total)}";
                var threshold = $"≤ {HealthCheck.F(limit, "0")} of {db.MaxConnections}";
                return new[]
                {
                    total <= limit
                        ? c.Pass(run, "metadata database", "pools fit max_connections", measured, threshold)
                        : c.Violated(run, "metadata database", $"{services} pooled services may open {HealthCheck.F(total)} connections; max_connections is {db.MaxConnections}.", measured, threshold),
                };
            },
        };
    }
}
