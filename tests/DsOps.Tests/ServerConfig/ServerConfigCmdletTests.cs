using System.Collections;
using System.Management.Automation;
using DsOps.Engine.ServerConfig;
using DsOps.Tests.Hosting;
using DsOps.Tests.Specs;
using Xunit;

namespace DsOps.Tests.ServerConfig;

/// <summary>Get/Set/Test-DsServerConfig and Get-DsTuningAdvice in the real PowerShell engine.</summary>
public class ServerConfigCmdletTests
{
    [Fact]
    public void Get_DsServerConfig_writes_one_typed_object_per_server_and_values_with_their_lines()
    {
        using var home = new TempDsHome("3.2.2");
        using var engine = new HostedEngine();
        var roles = engine.Run("Get-DsServerConfig", new { Path = home.Root });
        Assert.False(roles.HadErrors, string.Join("\n", roles.Errors));
        Assert.Equal(4, roles.Output.Count);
        var master = (DsRoleConfig)roles.Output[0].BaseObject;
        Assert.Equal((ServerConfigRole.Master, 4096L, 10), (master.Role, master.Heap.MaxMB!.Value, master.FetchSize!.Value));

        var heap = engine.Run("Get-DsServerConfig", new { Path = home.Root, Key = new[] { "-Xm?" }, Role = new[] { ServerConfigRole.Worker } });
        Assert.Equal(new[] { "-Xms", "-Xmx", "-Xmn" }, heap.Output.Select(o => ((DsConfigSetting)o.BaseObject).Key));
        Assert.All(heap.Output, o => Assert.Equal("jvm_args_env.sh", Path.GetFileName(((DsConfigSetting)o.BaseObject).File)));

        var noOps = engine.Script($"Get-DsServerConfig '{home.Root}' -Setting | Where-Object Status -eq NoOp | ForEach-Object Key");
        Assert.Contains("master.pre-exec-threads", noOps.Output.Select(o => o.BaseObject));

        var bad = engine.Run("Get-DsServerConfig", new { Path = Path.Combine(home.Root, "missing") });
        Assert.Equal("DsConfigPathNotFound,DsOps.Commands.ServerConfig.GetDsServerConfigCommand", Assert.Single(bad.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void Set_DsServerConfig_WhatIf_writes_nothing_and_a_real_run_keeps_a_backup()
    {
        using var home = new TempDsHome("3.2.2");
        using var engine = new HostedEngine();
        var before = home.Snapshot();
        var whatIf = engine.Run("Set-DsServerConfig", new { Path = home.Root, Role = ServerConfigRole.Worker, Key = "worker.exec-threads", Value = 16, WhatIf = true });
        Assert.False(whatIf.HadErrors, string.Join("\n", whatIf.Errors));
        Assert.Empty(whatIf.Output);
        var after = home.Snapshot();
        Assert.Equal(before.Keys.OrderBy(k => k), after.Keys.OrderBy(k => k));
        foreach (var (f, b) in before) Assert.Equal(b, after[f]);

        // $WhatIfPreference is honoured like PowerShell's own cmdlets.
        var pref = engine.Script($"$WhatIfPreference = $true; Set-DsServerConfig '{home.Root}' -Role Worker -Key worker.exec-threads -Value 16; $WhatIfPreference = $false");
        Assert.False(pref.HadErrors);
        Assert.Equal(before.Count, home.Snapshot().Count);

        var run = engine.Run("Set-DsServerConfig", new { Path = home.Root, Role = ServerConfigRole.Worker, Key = "worker.exec-threads", Value = 16, Confirm = false });
        Assert.False(run.HadErrors, string.Join("\n", run.Errors));
        var result = (DsConfigWriteResult)Assert.Single(run.Output).BaseObject;
        Assert.Equal(home.PathOf(ServerConfigRole.Worker, "conf/application.yaml"), result.Path);
        Assert.Equal(before[result.Path], File.ReadAllBytes(result.BackupPath!));
        Assert.Contains("  exec-threads: 16\n", File.ReadAllText(result.Path));

        var heap = engine.Run("Set-DsServerConfig", new { Path = home.Root, Role = ServerConfigRole.Master, Setting = new Hashtable { ["-Xms"] = "1344m", ["-Xmx"] = "1344m", ["-Xmn"] = "640m" }, NoBackup = true });
        Assert.False(heap.HadErrors, string.Join("\n", heap.Errors));
        Assert.Null(((DsConfigWriteResult)Assert.Single(heap.Output).BaseObject).BackupPath);
        Assert.Contains("-Xms1344m\n-Xmx1344m\n-Xmn640m\n", File.ReadAllText(home.PathOf(ServerConfigRole.Master, "bin/jvm_args_env.sh")));
    }

    [Theory]
    [InlineData("master.pre-exec-threads", "20", "DsConfigKeyNoOp")]
    [InlineData("master.fetch-command-num", "20", "DsConfigKeyIgnored")]
    [InlineData("master.server-load-protection.max-system-memory-usage-percentage-thresholds", "85", "DsConfigValueOutOfRange")]
    public void Set_DsServerConfig_refusals_are_error_records_with_stable_ids(string key, string value, string id)
    {
        using var home = new TempDsHome("3.2.2");
        using var engine = new HostedEngine();
        var r = engine.Run("Set-DsServerConfig", new { Path = home.Root, Role = ServerConfigRole.Master, Key = key, Value = value });
        var error = Assert.Single(r.Errors);
        Assert.Equal($"{id},DsOps.Commands.ServerConfig.SetDsServerConfigCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains(key, error.Exception.Message);
        Assert.Empty(r.Output);
    }

    [Fact]
    public void Tuning_advice_from_the_pipeline_is_applied_by_Set_DsServerConfig_FromAdvice()
    {
        using var home = new TempDsHome("3.2.1");
        using var engine = new HostedEngine();
        var advice = engine.Script($"Get-DsServerConfig '{home.Root}' | Get-DsTuningAdvice -Cores 4 -MemoryGB 8 -Nodes 3");
        Assert.False(advice.HadErrors, string.Join("\n", advice.Errors));
        var items = advice.Output.Select(o => (DsTuningAdvice)o.BaseObject).ToList();
        Assert.Contains(items, a => a.Key == "-Xmx" && a.Role == ServerConfigRole.Api && a.Advised == "896m");
        Assert.All(items, a => Assert.Equal(home.Root, a.Path));

        var before = home.Snapshot();
        var whatIf = engine.Script($"Get-DsServerConfig '{home.Root}' | Get-DsTuningAdvice -Cores 4 -MemoryGB 8 -Nodes 3 | Set-DsServerConfig -FromAdvice -WhatIf");
        Assert.False(whatIf.HadErrors, string.Join("\n", whatIf.Errors));
        foreach (var (f, b) in before) Assert.Equal(b, File.ReadAllBytes(f));

        var applied = engine.Script($"Get-DsServerConfig '{home.Root}' | Get-DsTuningAdvice -Cores 4 -MemoryGB 8 -Nodes 3 | Set-DsServerConfig -FromAdvice -Confirm:$false");
        Assert.False(applied.HadErrors, string.Join("\n", applied.Errors));
        Assert.Equal(8, applied.Output.Count); // one result per file written: 4 servers x (application.yaml + jvm_args_env.sh)
        var again = engine.Script($"Get-DsServerConfig '{home.Root}' | Get-DsTuningAdvice -Cores 4 -MemoryGB 8 -Nodes 3 | Where-Object Action -eq Change");
        Assert.Empty(again.Output);

        var byConfig = engine.Script($"$c = Get-DsServerConfig '{home.Root}'; Get-DsTuningAdvice -Config $c -Cores 4 -MemoryGB 8 -Nodes 3 -Role Worker");
        Assert.False(byConfig.HadErrors, string.Join("\n", byConfig.Errors));
        Assert.All(byConfig.Output, o => Assert.Equal(ServerConfigRole.Worker, ((DsTuningAdvice)o.BaseObject).Role));
        Assert.Contains(byConfig.Output, o => ((DsTuningAdvice)o.BaseObject).Key == "-Xmx" && ((DsTuningAdvice)o.BaseObject).Advised == "4g"); // a worker alone: half of 8 GB

        var byVersion = engine.Run("Get-DsTuningAdvice", new { Cores = 4, MemoryGB = 8.0, Nodes = 3, Version = "3.2.2" });
        Assert.Contains(byVersion.Output.Select(o => (DsTuningAdvice)o.BaseObject), a => a.Key == "master.command-fetch-strategy.config.fetch-size" && a.Advised == "8");
        var noPath = engine.Script("Get-DsTuningAdvice -Cores 4 -MemoryGB 8 -Nodes 3 -Version 3.2.2 | Set-DsServerConfig -FromAdvice -WhatIf");
        Assert.Equal("DsConfigPathMissing,DsOps.Commands.ServerConfig.SetDsServerConfigCommand", noPath.Errors.First().FullyQualifiedErrorId);
    }

    [Fact]
    public void Test_DsServerConfig_compares_nodes_with_a_desired_state_file_and_its_results_fix_the_drift()
    {
        using var node1 = new TempDsHome("3.2.2");
        using var node2 = new TempDsHome("3.2.2");
        using var dir = new SpecTestFiles();
        var desired = dir.Write("desired.yaml",
            "version: 3.2.2\nmaster:\n  -Xmx: 4096m\n  master.command-fetch-strategy.config.fetch-size: 8\nworker:\n  worker.exec-threads: 16\n  spring.datasource.password: hunter2\n");
        using var engine = new HostedEngine();
        var r = engine.Run("Test-DsServerConfig", new { Path = new[] { node1.Root, node2.Root }, DesiredState = desired });
        Assert.False(r.HadErrors, string.Join("\n", r.Errors));
        var results = r.Output.Select(o => (DsConfigTestResult)o.BaseObject).ToList();
        Assert.Equal(8, results.Count);
        var xmx = results.First(x => x.Key == "-Xmx");
        Assert.True(xmx.InDesiredState); // 4g equals 4096m
        var fetch = results.First(x => x.Key.EndsWith("fetch-size", StringComparison.Ordinal));
        Assert.Equal(("8", "10", false), (fetch.Desired, fetch.Actual, fetch.InDesiredState));
        Assert.Equal($"Set-DsServerConfig -Path '{node1.Root}' -Role Master -Key 'master.command-fetch-strategy.config.fetch-size' -Value '8'", fetch.Fix);
        var pw = results.First(x => x.Key == "spring.datasource.password");
        Assert.Equal("********", pw.Desired);
        Assert.Contains("not set", pw.Message); // the worker has no datasource from 3.2.0
        Assert.DoesNotContain(results, x => (x.Fix ?? "").Contains("hunter2") || x.ToString().Contains("hunter2"));

        var quiet = engine.Run("Test-DsServerConfig", new { Path = new[] { node1.Root }, DesiredState = desired, Quiet = true });
        Assert.False((bool)Assert.Single(quiet.Output).BaseObject);

        var fix = engine.Script($"Test-DsServerConfig '{node1.Root}', '{node2.Root}' -DesiredState '{desired}' | Set-DsServerConfig -FromAdvice -Confirm:$false");
        Assert.False(fix.HadErrors, string.Join("\n", fix.Errors));
        var after = engine.Run("Test-DsServerConfig", new { Path = new[] { node1.Root, node2.Root }, DesiredState = desired })
            .Output.Select(o => (DsConfigTestResult)o.BaseObject).ToList();
        Assert.All(after.Where(x => x.Key != "spring.datasource.password"), x => Assert.True(x.InDesiredState, x.ToString()));

        var broken = dir.Write("broken.yaml", "master:\n  - not a mapping\n");
        // A bad desired-state file stops the command (terminating error) with the file and line.
        var e = Assert.ThrowsAny<RuntimeException>(() => engine.Run("Test-DsServerConfig", new { Path = new[] { node1.Root }, DesiredState = broken }));
        Assert.StartsWith("DsDesiredStateInvalid", e.ErrorRecord.FullyQualifiedErrorId);
        Assert.Contains("broken.yaml' line 2", e.Message);
    }
}
