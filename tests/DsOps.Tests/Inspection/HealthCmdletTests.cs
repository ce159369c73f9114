using System.Management.Automation;
using System.Text.Json;
using System.Xml.Linq;
using DsOps.Engine.Inspection;
using DsOps.Engine.Notifications;
using DsOps.Tests.Api;
using DsOps.Tests.Hosting;
using DsOps.Tests.Notifications;
using Xunit;

namespace DsOps.Tests.Inspection;

/// <summary>The health cmdlets in a hosted PowerShell against the emulator's three-host cluster.</summary>
public sealed class HealthCmdletTests : IAsyncLifetime
{
    private HealthCheckTests.Cluster _c = null!;
    private readonly HostedEngine _e = new();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dsops-hcmd-" + Guid.NewGuid().ToString("N")[..8]);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _c = await HealthCheckTests.Cluster.StartAsync("3.2");
        Assert.Empty(_e.Run("Connect-DsServer", new { Uri = _c.Emulator.BaseUri, Token = DsClientTests.Secure(_c.Emulator.AdminToken) }).Errors);
        Assert.Empty(_e.Run("Connect-DsMetadata", new { ConnectionString = DsClientTests.Secure(_c.Emulator.ConnectionString), ServerTimeZone = "UTC" }).Errors);
    }

    public async Task DisposeAsync()
    {
        _e.Dispose();
        await _c.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    [Fact]
    public void Invoke_selects_by_wildcard_tag_and_exclusion_and_returns_typed_results()
    {
        var r = _e.Run("Invoke-DsHealthCheck", new { Check = new[] { "Node.*" }, ExcludeCheck = new[] { "Node.Heap*" }, ConfigPath = _c.ConfigPath });
        Assert.Empty(r.Errors);
        var results = r.Objects<DsHealthResult>();
        Assert.Equal(new[] { "Node.Actuator", "Node.Heartbeat", "Node.Inventory", "Node.Load" }, results.Select(x => x.CheckId).Distinct().Order());
        Assert.All(results, x => Assert.Equal(DsHealthStatus.Pass, x.Status));
        Assert.Contains(r.Progress, p => p.Activity == "DS health checks");

        var quick = _e.Run("Invoke-DsHealthCheck", new { Tag = new[] { "Quick" }, ConfigPath = _c.ConfigPath, Baseline = "2026.12" }).Objects<DsHealthResult>();
        Assert.All(quick, x => Assert.Contains("Quick", x.Tags));
        Assert.DoesNotContain(quick, x => x.CheckId.StartsWith("Integrity.", StringComparison.Ordinal));

        var bad = Assert.ThrowsAny<RuntimeException>(() => _e.Run("Invoke-DsHealthCheck", new { Check = new[] { "Nope.*" } }));
        Assert.Equal("DsUnknownHealthCheck,DsOps.Commands.Inspection.InvokeDsHealthCheckCommand", bad.ErrorRecord.FullyQualifiedErrorId);
        var badThreshold = Assert.ThrowsAny<RuntimeException>(() => _e.Run("Invoke-DsHealthCheck", new
        {
            Check = new[] { "Command.Backlog" }, Threshold = new System.Collections.Hashtable { ["Command.Backlog.maxCount"] = "lots" },
        }));
        Assert.Contains("-Threshold", badThreshold.Message);
    }

    [Fact]
    public void Assert_is_silent_on_a_healthy_cluster_and_throws_a_readable_terminating_error_on_a_failure()
    {
        var ok = _e.Run("Assert-DsHealth", new { Tag = new[] { "Quick" }, ConfigPath = _c.ConfigPath });
        Assert.Empty(ok.Errors);
        Assert.Empty(ok.Output);

        _c.Emulator.Cluster["worker-3"].Registered = false;
        var ex = Assert.ThrowsAny<RuntimeException>(() => _e.Run("Assert-DsHealth", new { Tag = new[] { "Quick" }, ConfigPath = _c.ConfigPath }));
        Assert.Equal("DsHealthCheckFailed,DsOps.Commands.Inspection.AssertDsHealthCommand", ex.ErrorRecord.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidResult, ex.ErrorRecord.CategoryInfo.Category);
        Assert.Contains("[Fail] Node.Inventory worker 127.0.0.3:1234", ex.Message);
        var failing = Assert.IsType<DsHealthResult[]>(ex.ErrorRecord.TargetObject);
        Assert.Single(failing);

        // Pipeline input: the same results, asserted without running again.
        var piped = _e.Script("Invoke-DsHealthCheck -Check Node.Inventory -ConfigPath $p | Assert-DsHealth", new System.Collections.Hashtable { ["p"] = _c.ConfigPath });
        Assert.Contains(piped.Errors, e => e.FullyQualifiedErrorId.StartsWith("DsHealthCheckFailed", StringComparison.Ordinal));
    }

    [Fact]
    public void Export_writes_junit_nunit_json_and_prometheus_and_honours_whatif()
    {
        _c.Emulator.Cluster["master-2"].Overloaded = true;
        var results = _e.Run("Invoke-DsHealthCheck", new { Tag = new[] { "Node" }, ConfigPath = _c.ConfigPath }).Objects<DsHealthResult>();
        Assert.Contains(results, r => r.Status == DsHealthStatus.Fail);

        var whatIf = Path.Combine(_dir, "whatif.xml");
        _e.Run("Export-DsHealthReport", new { Path = whatIf, WhatIf = true }, results);
        Assert.False(File.Exists(whatIf));

        var junit = Path.Combine(_dir, "h.xml");
        Assert.Empty(_e.Run("Export-DsHealthReport", new { Path = junit }, results).Errors);
        var j = XDocument.Load(junit).Root!;
        Assert.Equal("testsuites", j.Name.LocalName);
        Assert.Equal("1", j.Attribute("failures")!.Value);
        var failure = j.Descendants("failure").Single();
        Assert.Contains("Overloaded", failure.Attribute("message")!.Value);
        Assert.Contains("Remediation:", failure.Value);

        var nunit = Path.Combine(_dir, "n.xml");
        _e.Run("Export-DsHealthReport", new { Path = nunit, Format = DsHealthReportFormat.NUnit }, results);
        var n = XDocument.Load(nunit).Root!;
        Assert.Equal("test-results", n.Name.LocalName);
        Assert.Equal("1", n.Attribute("failures")!.Value);
        Assert.Equal(results.Count, n.Descendants("test-case").Count());

        var json = Path.Combine(_dir, "h.json");
        _e.Run("Export-DsHealthReport", new { Path = json }, results);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(1, doc.RootElement.GetProperty("summary").GetProperty("fail").GetInt32());
        Assert.Equal(results.Count, doc.RootElement.GetProperty("results").GetArrayLength());

        var prom = Path.Combine(_dir, "dsops.prom");
        _e.Run("Export-DsHealthReport", new { Path = prom }, results);
        var text = File.ReadAllText(prom);
        Assert.Contains("# TYPE dsops_health_check_status gauge", text);
        Assert.Contains("dsops_health_check_status{check=\"Node.Load\",target=\"master 127.0.0.2:5678\",severity=\"critical\"} 2", text);
        Assert.Contains("dsops_health_results{status=\"fail\"} 1", text);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));

        var unknown = Assert.ThrowsAny<RuntimeException>(() => _e.Run("Export-DsHealthReport", new { Path = Path.Combine(_dir, "h.txt") }, results));
        Assert.StartsWith("DsHealthReportFormatUnknown", unknown.ErrorRecord.FullyQualifiedErrorId);
    }

    [Fact]
    public void Send_reports_problems_to_a_signed_DingTalk_robot_and_stays_quiet_when_asked_and_all_pass()
    {
        using var robot = new FakeRobotServer();
        var target = _e.Run("New-DsNotificationTarget", new
        {
            Name = "ops", Channel = NotificationChannel.DingTalk, WebhookUri = DsClientTests.Secure(robot.Url("/robot/send?access_token=t0k3n")),
            Secret = DsClientTests.Secure("SECxyz"),
        }).Objects<NotificationTarget>().Single();

        var healthy = _e.Run("Invoke-DsHealthCheck", new { Tag = new[] { "Node" }, ConfigPath = _c.ConfigPath }).Objects<DsHealthResult>();
        Assert.Empty(_e.Run("Send-DsHealthReport", new { Target = target, OnlyWhenFailing = true }, healthy).Errors);
        Assert.Empty(robot.Received);

        _c.Emulator.Cluster["worker-2"].Registered = false;
        var failing = _e.Run("Invoke-DsHealthCheck", new { Tag = new[] { "Node" }, ConfigPath = _c.ConfigPath }).Objects<DsHealthResult>();
        _e.Run("Send-DsHealthReport", new { Target = target, OnlyWhenFailing = true, Cluster = "emu", WhatIf = true }, failing);
        Assert.Empty(robot.Received);
        var r = _e.Run("Send-DsHealthReport", new { Target = target, OnlyWhenFailing = true, Cluster = "emu", PassThru = true }, failing);
        Assert.Empty(r.Errors);
        Assert.True(Assert.Single(r.Objects<NotificationDelivery>()).Succeeded);
        var body = JsonDocument.Parse(Assert.Single(robot.Received).Body).RootElement.GetProperty("markdown");
        Assert.Contains("DS health emu: FAILING", body.GetProperty("title").GetString());
        var text = body.GetProperty("text").GetString()!;
        Assert.Contains("**Fail** `Node.Inventory` worker 127.0.0.2:1234", text);
        Assert.DoesNotContain("Node.Heartbeat", text); // passes are counted, not listed
    }

    [Fact]
    public void Get_lists_the_catalogue_with_thresholds_and_the_view_fits_120_columns()
    {
        var all = _e.Run("Get-DsHealthCheck").Objects<DsHealthCheckInfo>();
        Assert.True(all.Count >= 25);
        var load = Assert.Single(_e.Run("Get-DsHealthCheck", new { Check = new[] { "Node.Lo*" } }).Objects<DsHealthCheckInfo>());
        Assert.Contains(load.Thresholds, t => t.Name == "maxSystemMemory" && t.Default is null);
        Assert.All(_e.Run("Get-DsHealthCheck", new { Tag = new[] { "Deep" } }).Objects<DsHealthCheckInfo>(), c => Assert.Contains("Deep", c.Tags));

        // The default views load, name only real properties, and their fixed columns leave the message room within 120.
        var path = Path.Combine(Path.GetDirectoryName(typeof(DsOps.Commands.DsCmdlet).Assembly.Location)!, "DsOps.Inspection.Format.ps1xml");
        _ = new System.Management.Automation.Runspaces.FormatTable(new[] { path });
        foreach (var view in XDocument.Load(path).Descendants("View"))
        {
            var type = typeof(DsHealthResult).Assembly.GetType(view.Element("ViewSelectedBy")!.Element("TypeName")!.Value)!;
            Assert.NotNull(type);
            foreach (var p in view.Descendants("PropertyName").Select(e => e.Value)) Assert.NotNull(type.GetProperty(p));
            var widths = view.Descendants("Width").Select(w => int.Parse(w.Value)).ToList();
            var columns = view.Descendants("TableColumnHeader").Count();
            Assert.True(widths.Sum() + columns - 1 <= 120 - 25, $"{type.Name}: fixed columns take {widths.Sum() + columns - 1} of 120");
        }
    }
}
