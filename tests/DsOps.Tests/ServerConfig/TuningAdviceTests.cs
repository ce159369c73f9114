using DsOps.Engine;
using DsOps.Engine.Dialects;
using DsOps.Engine.ServerConfig;
using Xunit;

namespace DsOps.Tests.ServerConfig;

/// <summary>
/// Tuning advice for the users' cluster: 3 hosts x 4 cores x 8 GB, each running master, worker, api and alert,
/// against DS's shipped files of 3.0, 3.2.1, 3.2.2 and 3.3 (rules: docs/server-config.md "Tuning rules").
/// </summary>
public class TuningAdviceTests
{
    private static readonly ServerConfigRole[] All = { ServerConfigRole.Master, ServerConfigRole.Worker, ServerConfigRole.Api, ServerConfigRole.Alert };

    private static IReadOnlyList<DsTuningAdvice> Advise(DsServerConfig config) =>
        DsTuningAdvisor.Advise(new DsTuningInput { Cores = 4, MemoryGB = 8, Roles = All, Nodes = 3, Config = config });

    private static DsTuningAdvice One(IEnumerable<DsTuningAdvice> advice, ServerConfigRole role, string key, TuningAction? action = null) =>
        Assert.Single(advice, a => a.Role == role && a.Key == key && (action is null ? a.Action != TuningAction.Warning : a.Action == action));

    [Theory]
    [InlineData("3.0.1")]
    [InlineData("3.2.1")]
    [InlineData("3.2.2")]
    [InlineData("3.3-dev")]
    public void Heaps_sum_to_half_the_host_split_3_3_2_1_with_Xms_equal_and_Xmn_half(string version)
    {
        using var home = new TempDsHome(version);
        var advice = Advise(DsServerConfigReader.Read(home.Root));
        var expected = new Dictionary<ServerConfigRole, (string Xmx, string Xmn)>
        {
            [ServerConfigRole.Master] = ("1344m", "640m"),
            [ServerConfigRole.Worker] = ("1344m", "640m"),
            [ServerConfigRole.Api] = ("896m", "448m"),
            [ServerConfigRole.Alert] = ("448m", "192m"),
        };
        foreach (var (role, (xmx, xmn)) in expected)
        {
            var a = One(advice, role, "-Xmx");
            Assert.Equal(TuningAction.Change, a.Action);
            Assert.Equal(xmx, a.Advised);
            Assert.Equal(role is ServerConfigRole.Master or ServerConfigRole.Worker ? "4g" : "1g", a.Current);
            Assert.NotNull(a.File);
            Assert.Equal(xmx, One(advice, role, "-Xms").Advised);
            Assert.Equal(xmn, One(advice, role, "-Xmn").Advised);
        }
        var sum = advice.Where(a => a.Key == "-Xmx" && a.Action != TuningAction.Warning).Sum(a => ServerConfigKeyNames.ParseJvmSizeMegabytes(a.Advised!)!.Value);
        Assert.Equal(4032, sum);
        Assert.True(sum <= 8192 / 2, "heaps leave half the host for the OS, non-heap and tasks");
        var total = One(advice, ServerConfigRole.Master, "-Xmx (sum)", TuningAction.Warning);
        Assert.Contains("10240 MB on a 8192 MB host", total.Reason);
    }

    [Theory]
    [InlineData("3.2.1")]
    [InlineData("3.2.2")]
    [InlineData("3.3-dev")]
    public void Memory_thresholds_are_raised_above_the_idle_estimate(string version)
    {
        using var home = new TempDsHome(version);
        var advice = Advise(DsServerConfigReader.Read(home.Root));
        foreach (var (role, p) in new[] { (ServerConfigRole.Master, "master"), (ServerConfigRole.Worker, "worker") })
        {
            var mem = One(advice, role, $"{p}.server-load-protection.max-system-memory-usage-percentage-thresholds");
            Assert.Equal(TuningAction.Change, mem.Action);
            Assert.Equal("0.7", mem.Current);
            Assert.Equal("0.85", mem.Advised); // idle = (4032 + 4 x 256 + 1024) / 8192 = 74.2 %, + 10 points, rounded up to 0.05
            Assert.Contains("74.22 %", mem.Reason);
            var cpuKey = version == "3.2.1" ? "max-cpu-usage-percentage-thresholds" : "max-system-cpu-usage-percentage-thresholds";
            Assert.Equal(TuningAction.Keep, One(advice, role, $"{p}.server-load-protection.{cpuKey}").Action);
            var jvm = advice.Where(a => a.Role == role && a.Key == $"{p}.server-load-protection.max-jvm-memory-usage-percentage-thresholds").ToList();
            if (version == "3.2.1")
            {
                Assert.Equal("0.9", Assert.Single(jvm).Advised);
                Assert.Equal(TuningAction.Change, jvm[0].Action);
            }
            else Assert.Empty(jvm);
        }
    }

    [Fact]
    public void On_3_0_the_load_average_and_free_gigabyte_keys_are_kept()
    {
        using var home = new TempDsHome("3.0.1");
        var advice = Advise(DsServerConfigReader.Read(home.Root));
        Assert.Equal(TuningAction.Keep, One(advice, ServerConfigRole.Master, "master.max-cpu-load-avg").Action);
        Assert.Equal("0.3", One(advice, ServerConfigRole.Worker, "worker.reserved-memory").Advised);
        Assert.DoesNotContain(advice, a => a.Key.Contains("server-load-protection") && a.Action != TuningAction.Warning);
    }

    [Theory]
    [InlineData("3.0.1", "master.fetch-command-num", "worker.exec-threads")]
    [InlineData("3.2.1", "master.fetch-command-num", "worker.exec-threads")]
    [InlineData("3.2.2", "master.command-fetch-strategy.config.fetch-size", "worker.exec-threads")]
    [InlineData("3.3-dev", "master.command-fetch-strategy.config.fetch-size", "worker.exec-threads")]
    public void Fetch_size_and_task_slots_fit_four_cores(string version, string fetchKey, string slotsKey)
    {
        using var home = new TempDsHome(version);
        var advice = Advise(DsServerConfigReader.Read(home.Root));
        var fetch = One(advice, ServerConfigRole.Master, fetchKey);
        Assert.Equal(("10", "8", TuningAction.Change), (fetch.Current, fetch.Advised, fetch.Action));
        var slots = One(advice, ServerConfigRole.Worker, slotsKey);
        Assert.Equal(("100", "16", TuningAction.Change), (slots.Current, slots.Advised, slots.Action));
        Assert.Contains("2112 MB", slots.Reason);
    }

    [Theory]
    [InlineData("3.0.1", 4, "50", "10", TuningAction.Change)]   // 3 x 4 pools x 50 = 600 > 120
    [InlineData("3.2.1", 3, "50", "13", TuningAction.Change)]   // the worker has no pool from 3.2; 9 x 50 = 450 > 120
    [InlineData("3.2.2", 3, "10", "10", TuningAction.Keep)]     // no yaml value: HikariCP's 10; 9 x 10 = 90 <= 120
    [InlineData("3.3-dev", 3, "10", "10", TuningAction.Keep)]
    public void Db_pools_stay_within_80_percent_of_max_connections(string version, int poolRoles, string current, string advised, TuningAction action)
    {
        using var home = new TempDsHome(version);
        var advice = Advise(DsServerConfigReader.Read(home.Root));
        var pools = advice.Where(a => a.Rule == "DbPool" && a.Action != TuningAction.Warning).ToList();
        Assert.Equal(poolRoles, pools.Count);
        foreach (var a in pools)
        {
            Assert.Equal((current, advised, action), (a.Current, a.Advised, a.Action));
            Assert.Contains("80 % of max_connections 151", a.Reason);
        }
        Assert.Equal(version == "3.0.1", pools.Any(a => a.Role == ServerConfigRole.Worker));
    }

    [Theory]
    [InlineData("3.0.1", "MASTER_FETCH_COMMAND_NUM")]
    [InlineData("3.2.1", "master.pre-exec-threads")]
    [InlineData("3.2.2", "master.dispatch-task-number")]
    [InlineData("3.3-dev", "worker.physical-task-config.task-executor-thread-size")]
    public void Each_version_s_traps_are_warned_about(string version, string key)
    {
        using var home = new TempDsHome(version);
        var advice = Advise(DsServerConfigReader.Read(home.Root));
        var warning = Assert.Single(advice, a => a.Action == TuningAction.Warning && (a.Key == key || a.Reason.Contains(key, StringComparison.Ordinal)));
        Assert.False(string.IsNullOrWhiteSpace(warning.Reason));
    }

    [Theory]
    [InlineData("3.0.1")]
    [InlineData("3.2.1")]
    [InlineData("3.2.2")]
    [InlineData("3.3-dev")]
    public void Applying_the_advice_leaves_nothing_to_change(string version)
    {
        using var home = new TempDsHome(version);
        var advice = Advise(DsServerConfigReader.Read(home.Root));
        var changes = advice.Cast<IDsConfigChangeSource>().Where(a => a.IsChange).Select(a => new DsConfigChange(a.Role, a.Key, a.Value!)).ToList();
        Assert.NotEmpty(changes);
        DsServerConfigEditor.Apply(DsServerConfigEditor.Plan(DsServerConfigReader.Read(home.Root), changes), backup: false);
        var after = DsServerConfigReader.Read(home.Root);
        Assert.Equal(4032, after.TotalMaxHeapMB);
        Assert.Equal(16, after.Role(ServerConfigRole.Worker)!.ExecThreads);
        Assert.Equal(8, after.Role(ServerConfigRole.Master)!.FetchSize);
        var again = Advise(after);
        Assert.DoesNotContain(again, a => a.Action == TuningAction.Change);
    }

    [Fact]
    public void Without_files_the_current_values_are_DS_s_shipped_defaults()
    {
        var advice = DsTuningAdvisor.Advise(new DsTuningInput { Cores = 4, MemoryGB = 8, Roles = All, Nodes = 3, Dialect = DsDialect.Parse("3.2.2") });
        var xmx = One(advice, ServerConfigRole.Worker, "-Xmx");
        Assert.Equal(("4g", "DS default", "1344m"), (xmx.Current, xmx.CurrentSource, xmx.Advised));
        Assert.Null(xmx.Path);
        Assert.Equal("0.85", One(advice, ServerConfigRole.Worker, "worker.server-load-protection.max-system-memory-usage-percentage-thresholds").Advised);
        Assert.Contains(advice, a => a.Action == TuningAction.Warning && a.Key == "master.pre-exec-threads");
    }

    [Fact]
    public void Dedicated_hosts_and_bigger_hosts_get_other_numbers()
    {
        var worker = DsTuningAdvisor.Advise(new DsTuningInput { Cores = 8, MemoryGB = 16, Roles = new[] { ServerConfigRole.Worker }, Dialect = DsDialect.Parse("3.2.2") });
        Assert.Equal("8g", One(worker, ServerConfigRole.Worker, "-Xmx").Advised);
        Assert.Equal("32", One(worker, ServerConfigRole.Worker, "worker.exec-threads").Advised); // min(8 x 4, (16384-8192-256-1024)/128 = 54)
        Assert.Empty(worker.Where(a => a.Rule == "DbPool"));
    }

    [Theory]
    [InlineData(0, 8, 3, "-Cores")]
    [InlineData(4, 1, 3, "-MemoryGB")]
    [InlineData(4, 8, 0, "-Nodes")]
    public void Bad_input_names_the_parameter(int cores, double memory, int nodes, string parameter)
    {
        var ex = Assert.Throws<DsOpsException>(() => DsTuningAdvisor.Advise(new DsTuningInput { Cores = cores, MemoryGB = memory, Roles = All, Nodes = nodes, Dialect = DsDialect.V3_2 }));
        Assert.Equal("DsTuningInputInvalid", ex.ErrorId);
        Assert.Contains(parameter, ex.Message);
    }
}
