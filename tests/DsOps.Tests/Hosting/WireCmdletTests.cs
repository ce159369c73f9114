using System.Diagnostics;
using System.Net;
using DsOps.Emulator;
using DsOps.Engine.Api;
using DsOps.Engine.Planning;
using DsOps.Tests.Api;
using DsOps.Tests.Fakes;
using Xunit;

namespace DsOps.Tests.Hosting;

/// <summary>Issue 13's wire items as a user meets them: cmdlets in the real engine against a dripping emulator, a
/// faulty emulator (the same faults as its --fault-* options) and a server answering lists with holes.</summary>
public sealed class WireCmdletTests : IDisposable
{
    private readonly HostedEngine _engine = new();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dsops-wire-" + Guid.NewGuid().ToString("N")[..8]);

    public WireCmdletTests()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "etl.yaml"), """
            project: etl
            workflows:
              - name: daily_sales
                schedule: { cron: "0 0 2 * * ? *", timezone: UTC, start: "2024-01-01 00:00:00", end: "2099-12-31 23:59:59" }
                tasks:
                  - { name: extract, type: SHELL, script: echo extract }
                  - { name: load, type: SHELL, script: echo load, dependsOn: [extract] }
              - name: weekly_report
                tasks:
                  - { name: report, type: SHELL, script: echo report }
            """);
    }

    [Fact]
    public async Task Connect_DsServer_with_a_timeout_is_not_held_by_a_server_dripping_one_byte_a_second()
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = "3.2", Faults = f => f.TrySet("--fault-drip-bytes-per-sec", "1") });
        var clock = Stopwatch.StartNew();

        var r = _engine.Script("try { Connect-DsServer -Uri $uri -Token $token -TimeoutSec 2 } catch { $_ }",
            new System.Collections.Hashtable { ["uri"] = emu.BaseUri, ["token"] = DsClientTests.Secure(emu.AdminToken) });

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(6), $"Connect-DsServer -TimeoutSec 2 took {clock.Elapsed.TotalSeconds:F1} s");
        var error = Assert.Single(r.Objects<System.Management.Automation.ErrorRecord>());
        Assert.Equal("DsTimeout,DsOps.Commands.ConnectDsServerCommand", error.FullyQualifiedErrorId);
        Assert.Contains("did not arrive in full", error.Exception.Message);
    }

    [Fact]
    public async Task Sync_through_injected_503_429_and_dropped_connections_retries_every_read_including_schedules_list()
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = "3.2" });
        var c = _engine.Run("Connect-DsServer", new { Uri = emu.BaseUri, Token = DsClientTests.Secure(emu.AdminToken) }).Objects<DsConnection>().Single();
        Assert.Empty(_engine.Run("Sync-DsWorkflow", new { Path = _dir, Connection = c, NoState = true }).Errors);
        foreach (var (option, value) in new[] { ("--fault-error-rate", "0.25"), ("--fault-429-rate", "0.15"), ("--fault-drop-rate", "0.05"), ("--fault-seed", "11") })
            emu.Faults.TrySet(option, value);
        var (retriesBefore, writesBefore) = (c.Statistics.Retries, c.Statistics.Writes);

        var compare = _engine.Run("Compare-DsWorkflow", new { Path = _dir, Connection = c });

        Assert.Empty(compare.Errors);
        Assert.All(compare.Objects<PlanItem>().Where(i => i.Level == PlanLevel.Workflow), i => Assert.Equal(PlanAction.Unchanged, i.Action));
        Assert.True(c.Statistics.Retries > retriesBefore, "the faults should have cost retries");
        Assert.Equal(writesBefore, c.Statistics.Writes); // POST …/schedules/list counted as the read it is
    }

    [Fact]
    public void Sync_s_server_validation_step_reports_a_list_with_a_hole_with_a_stable_id()
    {
        using var fake = new FakeDsServer("3.2.2");
        fake.Answer("GET datasources", _ => new FakeResponse(HttpStatusCode.OK,
            """{"code":0,"msg":"success","data":{"totalList":[null],"total":1,"totalPage":1,"pageSize":100,"currentPage":1}}"""));
        var uri = fake.StartListener();
        var c = _engine.Run("Connect-DsServer", new { Uri = uri, Token = DsClientTests.Secure(fake.Token) }).Objects<DsConnection>().Single();
        File.WriteAllText(Path.Combine(_dir, "etl.yaml"), """
            project: etl
            workflows:
              - name: load_dw
                tasks:
                  - { name: load, type: SQL, dataSource: dw_mysql, script: select 1 }
            """);

        foreach (var command in new[] { "Sync-DsWorkflow", "Compare-DsWorkflow", "Test-DsWorkflowSpec" })
        {
            var r = _engine.Script($"try {{ {command} -Path $dir -Connection $c }} catch {{ $_ }}", new System.Collections.Hashtable { ["dir"] = _dir, ["c"] = c });
            var error = Assert.Single(r.Errors.Concat(r.Objects<System.Management.Automation.ErrorRecord>()));
            Assert.StartsWith("DsInvalidResponse,", error.FullyQualifiedErrorId);
            Assert.Contains("null", error.Exception.Message);
            Assert.DoesNotContain("Exception", error.FullyQualifiedErrorId);
        }
    }

    public void Dispose()
    {
        _engine.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
