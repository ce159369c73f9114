using DsOps.Emulator;
using DsOps.Emulator.Cluster;
using DsOps.Engine.Api;
using DsOps.Engine.Inspection;
using DsOps.Engine.Metadata;
using DsOps.Testing.History;
using DsOps.Tests.Api;
using Xunit;

namespace DsOps.Tests.Inspection;

/// <summary>
/// The catalogue against the emulator (three loopback hosts, real actuators, the real metadata schema per DS line):
/// a healthy cluster is all Pass, and each injected fault turns exactly its own check to Fail (Warn for checks that
/// are not Critical) while every other check keeps its healthy outcome.
/// </summary>
public sealed class HealthCheckTests
{
    internal sealed class Cluster : IAsyncDisposable
    {
        public required DsEmulator Emulator { get; init; }
        public required DsConnection Api { get; init; }
        public required DsMetadataConnection Metadata { get; init; }
        public required HealthConfig Config { get; init; }
        public required string ConfigPath { get; init; }

        public static async Task<Cluster> StartAsync(string dialect)
        {
            var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect, Cluster = EmulatedCluster.ThreeHosts() });
            // The shared test MariaDB serves every parallel test; report a steady connection count so the healthy
            // baseline does not depend on what else runs (the fault tests move it explicitly).
            emu.Cluster.ThreadsConnectedOverride = 40;
            var api = await DsConnection.ConnectAsync(new DsConnectOptions { Uri = emu.BaseUri, Token = DsClientTests.Secure(emu.AdminToken) });
            var metadata = await DsMetadataConnection.ConnectAsync(emu.ConnectionString, serverTimeZone: TimeZoneInfo.Utc);
            var path = Path.Combine(Path.GetTempPath(), "dsops-health-" + Guid.NewGuid().ToString("N")[..8] + ".yaml");
            await File.WriteAllTextAsync(path, emu.HealthConfigYaml());
            return new Cluster { Emulator = emu, Api = api, Metadata = metadata, Config = HealthConfig.Load(path), ConfigPath = path };
        }

        public Task<IReadOnlyList<DsHealthResult>> RunAsync(IReadOnlyDictionary<string, double>? thresholds = null, IReadOnlyCollection<string>? tags = null) =>
            HealthInspector.RunAsync(new HealthInspectionOptions
            {
                Api = Api, Metadata = Metadata, Config = Config, BusinessTimeZone = TimeZoneInfo.Utc,
                Thresholds = thresholds ?? new Dictionary<string, double>(), Tags = tags ?? Array.Empty<string>(),
            });

        public async ValueTask DisposeAsync()
        {
            Api.Dispose();
            await Emulator.DisposeAsync();
            File.Delete(ConfigPath);
            // Idle pooled sessions to this test's databases would otherwise stay open on the shared test server.
            await MySqlConnector.MySqlConnection.ClearAllPoolsAsync();
        }
    }

    /// <summary>Healthy outcomes: Pass, or Skipped where the check or target does not exist on this DS line.</summary>
    private static void AssertHealthy(IEnumerable<DsHealthResult> results, string? except = null)
    {
        foreach (var r in results.Where(r => r.CheckId != except))
        {
            Assert.True(r.Status == DsHealthStatus.Pass || (r.Status == DsHealthStatus.Skipped && NotOnThisLine(r)),
                $"{r.CheckId} {r.Target}: {r.Status} {r.Message}");
        }
    }

    private static bool NotOnThisLine(DsHealthResult r) =>
        r.Message.StartsWith("Does not apply to DS", StringComparison.Ordinal) || r.Message.Contains("does not list alert servers", StringComparison.Ordinal)
        // A node missing from the registry is reported once, by Node.Inventory; its actuator result says so.
        || r.Message.EndsWith("is not registered (see Node.Inventory).", StringComparison.Ordinal);

    [Theory]
    [InlineData("3.0")]
    [InlineData("3.1")]
    [InlineData("3.2")]
    [InlineData("3.3")]
    [InlineData("3.4")]
    public async Task A_healthy_cluster_passes_at_least_twenty_distinct_checks(string dialect)
    {
        await using var c = await Cluster.StartAsync(dialect);
        var results = await c.RunAsync();
        AssertHealthy(results);
        var passed = results.Where(r => r.Status == DsHealthStatus.Pass).Select(r => r.CheckId).Distinct().ToList();
        Assert.True(passed.Count >= 20, $"only {passed.Count} checks passed: {string.Join(", ", passed)}");
        // Every node of the three hosts was seen: 2 masters, 3 workers, and (3.2.2+) the alert server in the registry.
        Assert.Equal(c.Api.Dialect.MonitoredRoles.Contains(DsOps.Engine.Dialects.DsServerRole.AlertServer) ? 6 : 5,
            results.Count(r => r.CheckId == "Node.Inventory" && r.Status == DsHealthStatus.Pass));
        Assert.Equal(7, results.Count(r => r.CheckId == "Node.Actuator" && r.Status == DsHealthStatus.Pass));
        Assert.Equal(3, results.Count(r => r.CheckId == "Node.HeapVsMemory" && r.Status == DsHealthStatus.Pass));
    }

    public static TheoryData<string, string, string> NodeFaults => new()
    {
        { "3.0", "worker-gone", "Node.Inventory" }, { "3.2", "worker-gone", "Node.Inventory" }, { "3.3", "worker-gone", "Node.Inventory" },
        { "3.0", "overload", "Node.Load" }, { "3.2", "overload", "Node.Load" }, { "3.3", "overload", "Node.Load" },
        { "3.0", "actuator-down", "Node.Actuator" }, { "3.2", "actuator-down", "Node.Actuator" }, { "3.3", "actuator-down", "Node.Actuator" },
        { "3.2", "heartbeat", "Node.Heartbeat" }, { "3.0", "heartbeat", "Node.Heartbeat" },
        { "3.2", "heap", "Node.HeapVsMemory" }, { "3.0", "heap", "Node.HeapVsMemory" },
        { "3.2", "db-connections", "Db.ConnectionUsage" },
    };

    [Theory]
    [MemberData(nameof(NodeFaults))]
    public async Task A_node_fault_turns_exactly_its_check_to_fail(string dialect, string fault, string check)
    {
        await using var c = await Cluster.StartAsync(dialect);
        var cluster = c.Emulator.Cluster;
        switch (fault)
        {
            case "worker-gone": cluster["worker-2"].Registered = false; break;
            case "overload": cluster["master-2"].Overloaded = true; break;
            case "actuator-down": cluster["worker-3"].ActuatorDown = true; break;
            case "heartbeat": cluster["worker-1"].HeartbeatAge = TimeSpan.FromMinutes(5); break;
            case "heap": cluster["master-1"].HeapMB = 4096; cluster["worker-1"].HeapMB = 4096; break;
            case "db-connections": cluster.ThreadsConnectedOverride = 490; break; // of max_connections 500
        }
        var results = await c.RunAsync();
        AssertHealthy(results, except: check);
        var failed = results.Where(r => r.CheckId == check && r.Status == DsHealthStatus.Fail).ToList();
        var single = Assert.Single(failed);
        Assert.NotNull(single.Remediation);
        Assert.False(string.IsNullOrEmpty(single.Measured));
        var expectedTarget = fault switch
        {
            "worker-gone" => "worker 127.0.0.2:1234", "overload" => "master 127.0.0.2:5678", "heartbeat" => "worker 127.0.0.1:1234",
            "heap" => "host 127.0.0.1", "db-connections" => "metadata database",
            _ => $"worker 127.0.0.3:{cluster["worker-3"].ActuatorPort}",
        };
        Assert.Equal(expectedTarget, single.Target);

        // The fault cleared, the same cluster is healthy again: the check itself moved, not the environment.
        cluster.Reset();
        cluster.ThreadsConnectedOverride = 40;
        AssertHealthy(await c.RunAsync());
    }

    public static TheoryData<string, MetadataFault, string, DsHealthStatus> MetadataFaultCases => new()
    {
        { "3.2", MetadataFault.Backlog, "Command.Backlog", DsHealthStatus.Fail },
        { "3.2", MetadataFault.ErrorCommand, "Command.Errors", DsHealthStatus.Fail },
        { "3.2", MetadataFault.StuckInstance, "Instance.DeadHost", DsHealthStatus.Fail },
        { "3.3", MetadataFault.StuckInstance, "Instance.DeadHost", DsHealthStatus.Fail },
        { "3.0", MetadataFault.PendingFailover, "Instance.PendingFailover", DsHealthStatus.Fail },
        { "3.2", MetadataFault.PendingFailover, "Instance.PendingFailover", DsHealthStatus.Fail },
        { "3.3", MetadataFault.PendingFailover, "Instance.PendingFailover", DsHealthStatus.Fail },
        { "3.0", MetadataFault.IdReuse, "Command.IdReuse", DsHealthStatus.Fail },
        { "3.2", MetadataFault.IdReuse, "Command.IdReuse", DsHealthStatus.Fail },
        { "3.3", MetadataFault.IdReuse, "Command.IdReuse", DsHealthStatus.Fail },
        { "3.2", MetadataFault.AlertWaiting, "Alert.Delivery", DsHealthStatus.Fail },
        { "3.2", MetadataFault.DeadWorkerTask, "Task.DeadWorker", DsHealthStatus.Fail },
        { "3.2", MetadataFault.FailedTask, "Task.Failed", DsHealthStatus.Warn },
        { "3.2", MetadataFault.LongRunning, "Instance.LongRunning", DsHealthStatus.Warn },
        { "3.3", MetadataFault.LongRunning, "Instance.LongRunning", DsHealthStatus.Warn },
        { "3.2", MetadataFault.OfflineSchedule, "Schedule.OfflineWorkflow", DsHealthStatus.Warn },
        { "3.2", MetadataFault.SqlTaskNode, "Workflow.SqlTaskNodes", DsHealthStatus.Warn },
    };

    [Theory]
    [MemberData(nameof(MetadataFaultCases))]
    public async Task A_metadata_fault_turns_exactly_its_check_to_fail(string dialect, MetadataFault fault, string check, DsHealthStatus expected)
    {
        await using var c = await Cluster.StartAsync(dialect);
        AssertHealthy(await c.RunAsync());
        await c.Emulator.InjectAsync(fault);
        var results = await c.RunAsync();
        // On 3.0-3.2 a pending failover is the host text 'NULL': no master owns the instance, so the integrity check
        // for hostless running instances reports it as well (DsDialect.HostMeansNoMaster).
        const string hostless = "Integrity.RunningInstanceWithoutHost";
        var alsoHostless = fault == MetadataFault.PendingFailover && !c.Api.Dialect.FailoverMarksState;
        AssertHealthy(alsoHostless ? results.Where(r => r.CheckId != hostless) : results, except: check);
        if (alsoHostless) Assert.Contains(results, r => r.CheckId == hostless && r.Status == DsHealthStatus.Fail);
        var hit = results.Where(r => r.CheckId == check).ToList();
        Assert.NotEmpty(hit);
        Assert.All(hit, r => Assert.Equal(expected, r.Status));
        Assert.All(hit, r => Assert.NotNull(r.Remediation));
    }

    [Fact]
    public async Task A_zookeeper_blip_on_3_2_2_shows_on_the_registry_health_component()
    {
        // 3.2.2 added registry indicators: a DOWN one names the role's component; 3.0 reports only db.
        foreach (var (dialect, component) in new[] { ("3.2", "worker DOWN"), ("3.0", "db DOWN") })
        {
            await using var c = await Cluster.StartAsync(dialect);
            c.Emulator.Cluster["worker-1"].ActuatorDown = true;
            var r = (await c.RunAsync()).Single(x => x.CheckId == "Node.Actuator" && x.Status == DsHealthStatus.Fail);
            Assert.Contains(component, r.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Seeded_integrity_problems_fail_the_integrity_checks_and_only_those()
    {
        await using var c = await Cluster.StartAsync("3.2");
        await HistoryGenerator.GenerateAsync(c.Emulator.ConnectionString, "3.2.2",
            DsOps.Tests.Metadata.GeneratedHistoryFixture.Options with { Days = 2, StuckInstances = 0, StillRunning = 0 });
        var clean = await c.RunAsync(tags: new[] { "Integrity" });
        Assert.All(clean, r => Assert.True(r.Status is DsHealthStatus.Pass or DsHealthStatus.Skipped, $"{r.CheckId}: {r.Message}"));
        Assert.True(clean.Count(r => r.Status == DsHealthStatus.Pass) >= 8);
        await IntegrityProblems.SeedAsync(c.Emulator.ConnectionString, c.Metadata.Dialect);
        var results = (await c.RunAsync(tags: new[] { "Integrity" })).ToDictionary(r => r.CheckId);
        foreach (var id in new[] { "DuplicateTaskDefinitionCode", "RelationMissingTask", "ScheduleMissingWorkflow", "RunningInstanceWithoutHost" })
            Assert.Equal(DsHealthStatus.Fail, results["Integrity." + id].Status);
        foreach (var id in new[] { "DuplicateTaskDefinitionVersion", "OrphanTaskDefinition", "CommandMissingWorkflow" })
            Assert.Equal(DsHealthStatus.Warn, results["Integrity." + id].Status);
        Assert.Equal(DsHealthStatus.Pass, results["Integrity.DuplicateWorkflowDefinitionCode"].Status);
        Assert.Equal(DsHealthStatus.Skipped, results["Integrity.DuplicateWorkflowDefinitionVersion"].Status);
    }

    [Fact]
    public async Task Pool_budget_warns_when_the_pools_exceed_max_connections_and_thresholds_override_defaults()
    {
        await using var c = await Cluster.StartAsync("3.2");
        var ok = (await c.RunAsync()).Single(r => r.CheckId == "Db.PoolBudget");
        Assert.Equal(DsHealthStatus.Pass, ok.Status);
        Assert.Equal("4 × 10 = 40", ok.Measured); // 3.2.2: two masters, api and alert with Hikari's default 10
        var results = await c.RunAsync(new Dictionary<string, double> { ["Db.PoolBudget.poolSize"] = 200 });
        AssertHealthy(results, except: "Db.PoolBudget");
        Assert.Equal(DsHealthStatus.Warn, results.Single(r => r.CheckId == "Db.PoolBudget").Status);

    }

    [Fact]
    public async Task Without_inventory_or_metadata_checks_are_skipped_with_a_reason_never_passed()
    {
        await using var c = await Cluster.StartAsync("3.2");
        var results = await HealthInspector.RunAsync(new HealthInspectionOptions { Api = c.Api });
        Assert.Contains(results, r => r.CheckId == "Node.Inventory" && r.Status == DsHealthStatus.Skipped && r.Message.Contains("inventory"));
        Assert.Contains(results, r => r.CheckId == "Command.Backlog" && r.Status == DsHealthStatus.Skipped && r.Message.Contains("metadata"));
        // Without an inventory the actuator check still probes the registered nodes on their role's default ports
        // (not where the emulator listens), and the API server on the connection's own port.
        Assert.Contains(results, r => r.CheckId == "Node.Actuator" && r.Target.StartsWith("api ", StringComparison.Ordinal) && r.Status == DsHealthStatus.Pass);
    }

    [Fact]
    public void The_catalogue_has_stable_unique_ids_with_rationale_remediation_tags_and_versions()
    {
        var all = HealthInspector.Catalogue;
        Assert.True(all.Count >= 25);
        Assert.Equal(all.Count, all.Select(c => c.Id).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(all, c =>
        {
            Assert.Matches(@"^[A-Z][A-Za-z]+\.[A-Z][A-Za-z]+$", c.Id);
            Assert.False(string.IsNullOrWhiteSpace(c.Rationale));
            Assert.False(string.IsNullOrWhiteSpace(c.Remediation));
            Assert.False(string.IsNullOrWhiteSpace(c.AppliesTo));
            Assert.Contains(c.Tags, t => t is "Quick" or "Deep");
            Assert.Contains(c.Since, DsHealthBaselines.All);
        });
    }

    [Fact]
    public void Baselines_pin_the_check_set_and_unknown_inputs_are_named_errors()
    {
        Assert.Equal(HealthInspector.Catalogue.Count, HealthInspector.Select(new HealthInspectionOptions { Baseline = "2026.12" }).Count);
        // A later baseline's check is not part of an earlier pinned one.
        Assert.False(DsHealthBaselines.Contains("2026.12", "2027.03"));
        Assert.True(DsHealthBaselines.Contains("2027.03", "2026.12"));
        var e = Assert.Throws<DsOps.Engine.DsOpsException>(() => HealthInspector.Select(new HealthInspectionOptions { Baseline = "2025.01" }));
        Assert.Equal("DsUnknownHealthBaseline", e.ErrorId);
        e = Assert.Throws<DsOps.Engine.DsOpsException>(() => HealthInspector.Select(new HealthInspectionOptions { Checks = new[] { "Node.Nope" } }));
        Assert.Equal("DsUnknownHealthCheck", e.ErrorId);
        e = Assert.Throws<DsOps.Engine.DsOpsException>(() => HealthInspector.Select(new HealthInspectionOptions
        {
            Thresholds = new Dictionary<string, double> { ["Command.Backlog.maxCuont"] = 1 },
        }));
        Assert.Equal("DsUnknownHealthThreshold", e.ErrorId);
        var quick = HealthInspector.Select(new HealthInspectionOptions { Tags = new[] { "Quick" }, Exclude = new[] { "Node.Load" } });
        Assert.DoesNotContain(quick, c => c.Id == "Node.Load");
        Assert.All(quick, c => Assert.Contains("Quick", c.Tags));
    }

    [Fact]
    public void The_config_file_reader_names_file_line_and_key_and_reads_json_too()
    {
        var dir = Path.Combine(Path.GetTempPath(), "dsops-hc-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var yaml = Path.Combine(dir, "bad.yaml");
            File.WriteAllText(yaml, "inventory:\n  - host: a\n    roles: [master, sorcerer]\n");
            var e = Assert.Throws<DsOps.Engine.DsOpsException>(() => HealthConfig.Load(yaml));
            Assert.Equal("DsHealthConfigInvalid", e.ErrorId);
            Assert.Contains("bad.yaml", e.Message);
            Assert.Contains(":3:", e.Message);
            Assert.Contains("sorcerer", e.Message);

            File.WriteAllText(yaml, "!!python/object:os.system ls\n");
            Assert.Throws<DsOps.Engine.DsOpsException>(() => HealthConfig.Load(yaml));

            var json = Path.Combine(dir, "ok.json");
            File.WriteAllText(json, """
                { "inventory": [ { "host": "10.0.0.1", "memoryGB": 8, "roles": ["master", "api"], "heapMB": { "master": 1024 } } ],
                  "thresholds": { "Command.Backlog": { "maxCount": 50 }, "Node.Heartbeat.maxAgeSeconds": 30 },
                  "exclude": ["Workflow.SqlTaskNodes"], "baseline": "2026.12", "coreWorkflows": ["etl/*"] }
                """);
            var config = HealthConfig.Load(json);
            Assert.Equal(2, config.Nodes.Count);
            Assert.Equal(5679, config.Nodes.Single(n => n.Role == DsNodeRole.Master).ActuatorPort);
            Assert.Equal(1024, config.Nodes.Single(n => n.Role == DsNodeRole.Master).HeapMB);
            Assert.Equal(50, config.Thresholds["Command.Backlog.maxCount"]);
            Assert.Equal(30, config.Thresholds["Node.Heartbeat.maxAgeSeconds"]);
            Assert.Equal("2026.12", config.Baseline);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
