using DsOps.Engine;
using DsOps.Engine.ServerConfig;
using DsOps.Tests.Specs;
using Xunit;

namespace DsOps.Tests.ServerConfig;

/// <summary>Reading DS's shipped config into typed settings per version.</summary>
public class ServerConfigReaderTests
{
    [Theory]
    [InlineData("3.0.1", "3.0.1", "inferred: 3.0")]
    [InlineData("3.2.1", "3.2.1", "inferred: 3.2.1")]
    [InlineData("3.2.2", "3.2.2", "inferred: 3.2.2")]
    [InlineData("3.3-dev", "3.3.0", "inferred: 3.3")]
    public void The_version_is_inferred_from_the_keys_of_the_shipped_files(string folder, string version, string source)
    {
        using var home = new TempDsHome(folder);
        var config = DsServerConfigReader.Read(home.Root);
        Assert.Equal(version, config.Version);
        Assert.StartsWith(source, config.VersionSource);
        Assert.Equal(new[] { ServerConfigRole.Master, ServerConfigRole.Worker, ServerConfigRole.Api, ServerConfigRole.Alert }, config.Roles.Select(r => r.Role));
    }

    [Fact]
    public void A_jar_under_libs_names_the_exact_version()
    {
        using var home = new TempDsHome("3.2.2", withJar: true);
        var config = DsServerConfigReader.Read(home.Root);
        Assert.Equal("3.2.2", config.Version);
        Assert.StartsWith("libs/dolphinscheduler-", config.VersionSource);
    }

    [Theory]
    [InlineData("3.0.1", "start.sh")]
    [InlineData("3.2.1", "jvm_args_env.sh")]
    [InlineData("3.2.2", "jvm_args_env.sh")]
    [InlineData("3.3-dev", "jvm_args_env.sh")]
    public void Heap_is_read_per_role_with_its_file_and_line(string version, string file)
    {
        using var home = new TempDsHome(version);
        var config = DsServerConfigReader.Read(home.Root);
        foreach (var role in config.Roles)
        {
            var big = role.Role is ServerConfigRole.Master or ServerConfigRole.Worker;
            Assert.Equal(big ? 4096 : 1024, role.Heap.MaxMB);
            Assert.Equal(big ? 4096 : 1024, role.Heap.InitialMB);
            Assert.Equal(big ? 2048 : 512, role.Heap.YoungMB);
            Assert.Equal(file, Path.GetFileName(role.Heap.MaxSource!.File));
            Assert.Equal(file == "start.sh" ? (role.Role == ServerConfigRole.Worker ? 27 : 24) : 19, role.Heap.MaxSource.Line);
        }
        Assert.Equal(10240, config.TotalMaxHeapMB);
    }

    [Fact]
    public void Overload_settings_follow_each_version_s_keys()
    {
        using var h30 = new TempDsHome("3.0.1");
        using var h321 = new TempDsHome("3.2.1");
        using var h322 = new TempDsHome("3.2.2");
        var o30 = DsServerConfigReader.Read(h30.Root).Role(ServerConfigRole.Master)!.Overload;
        Assert.Equal(OverloadProtectionStyle.LoadAverageAndFreeGigabytes, o30.Style);
        Assert.Equal(-1, o30.MaxCpuLoadAvg);
        Assert.Equal(0.3, o30.ReservedMemory);
        Assert.Null(o30.SystemMemoryThreshold);

        var o321 = DsServerConfigReader.Read(h321.Root).Role(ServerConfigRole.Worker)!.Overload;
        Assert.Equal(OverloadProtectionStyle.UsageThresholdsWithJvmMemory, o321.Style);
        Assert.Equal(0.7, o321.JvmMemoryThreshold);
        Assert.Equal(0.7, o321.SystemCpuThreshold);
        Assert.True(o321.Enabled);

        var o322 = DsServerConfigReader.Read(h322.Root).Role(ServerConfigRole.Master)!.Overload;
        Assert.Equal(OverloadProtectionStyle.UsageThresholds, o322.Style);
        Assert.Null(o322.JvmMemoryThreshold);
        Assert.Equal(0.7, o322.JvmCpuThreshold);
        Assert.Equal(0.7, o322.SystemMemoryThreshold);
    }

    [Fact]
    public void Threads_fetch_size_and_pool_use_the_version_s_key_names()
    {
        using var h30 = new TempDsHome("3.0.1");
        using var h321 = new TempDsHome("3.2.1");
        using var h322 = new TempDsHome("3.2.2");
        using var h33 = new TempDsHome("3.3-dev");
        var c30 = DsServerConfigReader.Read(h30.Root);
        Assert.Equal(10, c30.Role(ServerConfigRole.Master)!.FetchSize);
        Assert.Equal(10, c30.Role(ServerConfigRole.Master)!.PreExecThreads);
        Assert.Equal(50, c30.Role(ServerConfigRole.Worker)!.DbPoolSize); // the worker has its own pool before 3.2
        Assert.False(c30.Role(ServerConfigRole.Worker)!.DbPoolSizeIsDefault);

        var c321 = DsServerConfigReader.Read(h321.Root);
        Assert.Equal(10, c321.Role(ServerConfigRole.Master)!.FetchSize);
        Assert.Equal(50, c321.Role(ServerConfigRole.Api)!.DbPoolSize);
        Assert.Null(c321.Role(ServerConfigRole.Worker)!.DbPoolSize);

        var c322 = DsServerConfigReader.Read(h322.Root);
        var m322 = c322.Role(ServerConfigRole.Master)!;
        Assert.Equal(10, m322.FetchSize);
        Assert.Equal("master.command-fetch-strategy.config.fetch-size", m322.Settings.Single(s => s.Key.EndsWith("fetch-size")).Key);
        Assert.Equal(10, m322.DbPoolSize);
        Assert.True(m322.DbPoolSizeIsDefault);
        Assert.Equal(100, c322.Role(ServerConfigRole.Worker)!.ExecThreads);

        var c33 = DsServerConfigReader.Read(h33.Root);
        Assert.Null(c33.Role(ServerConfigRole.Master)!.MasterExecThreads); // 3.3 replaced exec-threads (commented out in the yaml)
        Assert.Equal(100, c33.Role(ServerConfigRole.Worker)!.ExecThreads);
    }

    [Fact]
    public void Keys_no_code_reads_on_3_2_x_are_reported_as_no_ops_and_renamed_keys_as_ignored()
    {
        using var h322 = new TempDsHome("3.2.2");
        var master = DsServerConfigReader.Read(h322.Root).Role(ServerConfigRole.Master)!;
        foreach (var key in new[] { "master.pre-exec-threads", "master.dispatch-task-number", "master.task-commit-retry-times", "master.task-commit-interval" })
        {
            var s = master.Find(key)!;
            Assert.Equal(ConfigKeyStatus.NoOp, s.Status);
            Assert.Contains("no effect", s.Note);
        }
        Assert.Equal(ConfigKeyStatus.Active, master.Find("master.exec-threads")!.Status);

        // The same 3.2.2 yaml read as 3.0: the 3.2.2 names are not keys of 3.0.
        var as30 = DsServerConfigReader.Read(h322.Root, new DsServerConfigReadOptions { Dialect = Engine.Dialects.DsDialect.Parse("3.0") }).Role(ServerConfigRole.Master)!;
        var fetch = as30.Find("master.command-fetch-strategy.config.fetch-size")!;
        Assert.Equal(ConfigKeyStatus.Ignored, fetch.Status);
        Assert.Equal("master.fetch-command-num", fetch.ReplacedBy);
        Assert.Equal(ConfigKeyStatus.Active, as30.Find("master.pre-exec-threads")!.Status);
    }

    [Fact]
    public void Dolphinscheduler_env_sh_exports_override_yaml_keys_and_JAVA_OPTS_overrides_the_heap()
    {
        using var home = new TempDsHome("3.0.1");
        var env = Path.Combine(home.Root, "bin", "env", "dolphinscheduler_env.sh");
        File.AppendAllText(env, "export JAVA_OPTS=\"-server -Xms768m -Xmx768m -Xmn256m\"\n");
        var master = DsServerConfigReader.Read(home.Root).Role(ServerConfigRole.Master)!;
        Assert.Equal(768, master.Heap.MaxMB);
        Assert.Equal(ConfigFileKind.EnvScript, master.Heap.MaxSource!.Source);
        Assert.Equal(ConfigKeyStatus.Ignored, master.Settings.Single(s => s.Source == ConfigFileKind.StartScript && s.Key == "-Xmx").Status);
        var fetch = master.Find("master.fetch-command-num")!;
        Assert.Equal("10", fetch.EffectiveValue);
        Assert.Contains("MASTER_FETCH_COMMAND_NUM", fetch.OverriddenBy);
        Assert.Equal(10, master.FetchSize);
    }

    [Fact]
    public void Secrets_are_masked_in_settings()
    {
        using var home = new TempDsHome("3.2.2");
        var config = DsServerConfigReader.Read(home.Root);
        var api = config.Role(ServerConfigRole.Api)!;
        var password = api.Find("spring.datasource.password")!;
        Assert.Equal("********", password.Value);
        Assert.Equal("********", password.EffectiveValue);
        Assert.DoesNotContain("root", password.ToString());
        var token = api.Settings.Single(s => s.Key == "api.python-gateway.auth-token");
        Assert.Equal("********", token.Value);
        Assert.DoesNotContain(config.Roles.SelectMany(r => r.Settings), s => s.Key.EndsWith("password") && s.Value != "********" && s.Value.Length > 0);
    }

    [Fact]
    public void Single_files_conf_folders_and_server_folders_are_read()
    {
        using var home = new TempDsHome("3.2.2");
        var file = DsServerConfigReader.Read(home.PathOf(ServerConfigRole.Worker, "conf/application.yaml"));
        Assert.Equal(ServerConfigRole.Worker, Assert.Single(file.Roles).Role);
        var conf = DsServerConfigReader.Read(home.PathOf(ServerConfigRole.Master, "conf"));
        Assert.Equal(4096, Assert.Single(conf.Roles).Heap.MaxMB);
        var flat = DsServerConfigReader.Read(ShippedConfig.Folder("3.2.1"));
        Assert.Equal("3.2.1", flat.Version);
        Assert.Equal(4, flat.Roles.Count);
    }

    [Fact]
    public void Bad_input_names_the_file_and_line()
    {
        using var dir = new SpecTestFiles();
        var bad = dir.Write("master-application.yaml", "master:\n  exec-threads: [1, 2\n");
        var ex = Assert.Throws<DsOpsException>(() => DsServerConfigReader.Read(bad));
        Assert.Equal("DsConfigYamlSyntax", ex.ErrorId);
        Assert.Contains(bad, ex.Message);
        Assert.Contains("line", ex.Message);
        var missing = Assert.Throws<DsOpsException>(() => DsServerConfigReader.Read(Path.Combine(dir.Root, "nope")));
        Assert.Equal("DsConfigPathNotFound", missing.ErrorId);
        var unknown = dir.Write("notes.txt", "x");
        Assert.Equal("DsConfigFileUnknown", Assert.Throws<DsOpsException>(() => DsServerConfigReader.Read(unknown)).ErrorId);
        var nameless = dir.Write("application.yaml", "spring:\n  banner:\n    charset: UTF-8\n");
        Assert.Equal("DsConfigRoleUnknown", Assert.Throws<DsOpsException>(() => DsServerConfigReader.Read(nameless)).ErrorId);
    }
}
