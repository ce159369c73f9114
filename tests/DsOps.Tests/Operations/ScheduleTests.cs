using System.Text.Json.Nodes;
using DsOps.Emulator;
using DsOps.Engine.Api;
using DsOps.Engine.Dialects;
using DsOps.Engine.Models;
using DsOps.Engine.Operations.Schedules;
using DsOps.Engine.Reports;
using DsOps.Tests.Api;
using DsOps.Tests.Hosting;
using MySqlConnector;
using Xunit;

namespace DsOps.Tests.Operations;

/// <summary>Get/Disable/Enable/Set-DsSchedule against the emulator of each dialect, and the missed-fire estimate.</summary>
public sealed class ScheduleTests : IAsyncLifetime
{
    private const string Specs = """
        project: sched
        workflows:
          - name: hourly_a
            schedule: { cron: "0 0 * * * ? *", timezone: UTC, start: "2024-01-01 00:00:00", end: "2099-12-31 23:59:59" }
            tasks: [ { name: t, type: SHELL, script: echo a } ]
          - name: daily_b
            schedule: { cron: "0 0 2 * * ? *", timezone: UTC, start: "2024-01-01 00:00:00", end: "2099-12-31 23:59:59" }
            tasks: [ { name: t, type: SHELL, script: echo b } ]
          - name: daily_c
            schedule: { cron: "0 30 3 * * ? *", timezone: UTC, start: "2024-01-01 00:00:00", end: "2099-12-31 23:59:59" }
            tasks: [ { name: t, type: SHELL, script: echo c } ]
          - name: parked_d
            schedule: { cron: "0 0 4 * * ? *", timezone: UTC, start: "2024-01-01 00:00:00", end: "2099-12-31 23:59:59" }
            tasks: [ { name: t, type: SHELL, script: echo d } ]
        """;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dsops-sched-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly HostedEngine _engine = new();

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "sched.yaml"), Specs);
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData("3.0")]
    [InlineData("3.2")]
    [InlineData("3.3")]
    public async Task Disabled_then_restored_leaves_exactly_the_prior_set_online(string dialect)
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        var connection = _engine.Run("Connect-DsServer", new { Uri = emu.BaseUri, Token = DsClientTests.Secure(emu.AdminToken) }).Objects<DsConnection>().Single();
        Assert.Empty(_engine.Run("Sync-DsWorkflow", new { Path = _dir, NoState = true }).Errors);
        // Prior state: a, b, c online; d offline.
        foreach (var s in _engine.Run("Get-DsSchedule", new { Project = "sched" }).Objects<DsSchedule>())
            if (s.IsOnline != (s.WorkflowName != "parked_d")) await connection.Client.SetScheduleOnlineAsync(s.ProjectCode, s.Id, !s.IsOnline);
        Assert.Equal(new[] { "daily_b", "daily_c", "hourly_a" }, await OnlineAsync(emu, dialect));

        var file = Path.Combine(_dir, "online.json");
        var disabled = _engine.Script($"Get-DsWorkflow -Project sched | Disable-DsSchedule -SaveTo '{file}'");
        Assert.Empty(disabled.Errors);
        var changes = disabled.Objects<DsScheduleChange>();
        Assert.Equal(new[] { "daily_b", "daily_c", "hourly_a" }, changes.Where(c => c.Action == "Offline").Select(c => c.Workflow).Order());
        Assert.Equal("parked_d", changes.Single(c => c.Action == "Unchanged").Workflow);
        Assert.Empty(await OnlineAsync(emu, dialect));
        Assert.Equal(3, ScheduleSnapshot.Load(file)!.Schedules.Count);

        // Restoring right away: nothing was missed, exactly the three come back.
        var enabled = _engine.Run("Enable-DsSchedule", new { FromFile = file });
        Assert.Empty(enabled.Errors);
        Assert.All(enabled.Objects<DsScheduleChange>(), c => Assert.Equal("Online", c.Action));
        Assert.Equal(new[] { "daily_b", "daily_c", "hourly_a" }, await OnlineAsync(emu, dialect));

        // A long outage: the file says they went offline three days ago. The hourly one missed ~72 fires and the
        // dailies 3 each; without -Force every one is refused with the count, with -Force they come back.
        Assert.Empty(_engine.Run("Disable-DsSchedule", new { Project = "sched", SaveTo = Path.Combine(_dir, "again.json") }).Errors);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir, "again.json")))!;
        foreach (var e in json["schedules"]!.AsArray()) e!["offlineUtc"] = DateTime.UtcNow.AddDays(-3).ToString("O");
        File.WriteAllText(Path.Combine(_dir, "again.json"), json.ToJsonString());
        var refused = _engine.Run("Enable-DsSchedule", new { FromFile = Path.Combine(_dir, "again.json") });
        Assert.Equal(3, refused.Errors.Count);
        Assert.All(refused.Errors, e => Assert.Equal("DsMissedFires", e.FullyQualifiedErrorId.Split(',')[0]));
        Assert.Contains(refused.Errors, e => e.Exception.Message.Contains("about 72 fire(s)") || e.Exception.Message.Contains("about 73 fire(s)"));
        Assert.Contains(refused.Errors, e => e.Exception.Message.Contains("about 3 fire(s)"));
        Assert.Empty(await OnlineAsync(emu, dialect));
        var forced = _engine.Run("Enable-DsSchedule", new { FromFile = Path.Combine(_dir, "again.json"), Force = true });
        Assert.Empty(forced.Errors);
        Assert.Equal(3, forced.Warnings.Count);
        Assert.Equal(new[] { "daily_b", "daily_c", "hourly_a" }, await OnlineAsync(emu, dialect));

        // Set-DsSchedule edits an online schedule (DS refuses that with 10023) by taking it offline and back.
        var set = _engine.Run("Set-DsSchedule", new { Project = "sched", Workflow = new[] { "daily_b" }, Crontab = "0 15 5 * * ? *", Priority = "HIGH", FailureStrategy = "END" });
        Assert.Empty(set.Errors);
        var after = _engine.Run("Get-DsSchedule", new { Project = "sched", Workflow = new[] { "daily_b" } }).Objects<DsSchedule>().Single();
        Assert.Equal("0 15 5 * * ? *", after.Crontab);
        Assert.Equal("HIGH", after.Priority);
        Assert.Equal("END", after.FailureStrategy);
        Assert.True(after.IsOnline);
        // The same enums as Start-DsWorkflow: PowerShell's spelling binds too, and DS gets its own constants.
        Assert.Empty(_engine.Run("Set-DsSchedule", new { Project = "sched", Workflow = new[] { "daily_b" }, Priority = "Lowest", WarningType = "failure" }).Errors);
        var edited = _engine.Run("Get-DsSchedule", new { Project = "sched", Workflow = new[] { "daily_b" } }).Objects<DsSchedule>().Single();
        Assert.Equal(("LOWEST", "FAILURE", "END"), (edited.Priority, edited.WarningType, edited.FailureStrategy));

        // DS refuses a schedule of an offline workflow (50004); the error carries DS's code and the others go on.
        var parked = _engine.Script("Get-DsWorkflow -Project sched -Name parked_d").Objects<DsWorkflow>().Single();
        await connection.Client.ReleaseWorkflowAsync(parked.ProjectCode, parked.WorkflowCode, online: false);
        var refusedByDs = _engine.Run("Enable-DsSchedule", new { Project = "sched", Workflow = new[] { "parked_d" }, Force = true });
        Assert.Single(refusedByDs.Errors);
        Assert.Contains("50004", refusedByDs.Errors[0].FullyQualifiedErrorId + refusedByDs.Errors[0].Exception.Message);
        Assert.Equal(new[] { "daily_b", "daily_c", "hourly_a" }, await OnlineAsync(emu, dialect));
    }

    [Fact]
    public void Missed_fires_are_counted_from_the_cron_and_only_where_DS_replays_them()
    {
        var from = new DateTime(2024, 3, 1, 8, 0, 0);
        var to = from.AddDays(3);
        Assert.Equal(72, QuartzCronCalendar.CountFires("0 0 * * * ? *", from, to));
        Assert.Equal(3, QuartzCronCalendar.CountFires("0 0 1 * * ? *", from, to));
        Assert.Equal(0, QuartzCronCalendar.CountFires("0 0 1 * * ? 2030", from, to));
        Assert.Equal(2 * 24 * 4, QuartzCronCalendar.CountFires("0 0/15 * ? * SAT,SUN", from, to)); // Mar 2 and 3, 2024 are a weekend
        Assert.Null(QuartzCronCalendar.CountFires("0 0 1 L * ?", from, to));

        var schedule = new DsSchedule { Id = 1, WorkflowCode = 1, Crontab = "0 0 * * * ? *", StartTime = new DateTime(2024, 1, 1), EndTime = new DateTime(2099, 1, 1) };
        using var v32 = new DsClient(new Uri("http://127.0.0.1:9/dolphinscheduler/"), DsDialect.V3_2, new DsHttpOptions(), null);
        using var v343 = new DsClient(new Uri("http://127.0.0.1:9/dolphinscheduler/"), DsDialect.For(new Version(3, 4, 3)), new DsHttpOptions(), null);
        Assert.Equal(72, ScheduleOperations.EstimateMissedFires(v32, schedule, from, to));
        Assert.Equal(0, ScheduleOperations.EstimateMissedFires(v343, schedule, from, to));
        // The schedule's own end bounds the estimate.
        var ended = new DsSchedule { Id = 2, WorkflowCode = 1, Crontab = "0 0 * * * ? *", StartTime = new DateTime(2024, 1, 1), EndTime = from.AddHours(10) };
        Assert.Equal(10, ScheduleOperations.EstimateMissedFires(v32, ended, from, to));
    }

    private static async Task<string[]> OnlineAsync(DsEmulator emu, string dialect)
    {
        var d = DsDialect.Parse(dialect);
        await using var conn = new MySqlConnection(emu.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new MySqlCommand(
            $"SELECT w.name FROM t_ds_schedules s JOIN {d.WorkflowDefinitionTable} w ON w.code = s.{d.WorkflowCodeColumn} WHERE s.release_state = 1 ORDER BY w.name", conn);
        var names = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) names.Add(reader.GetString(0));
        return names.ToArray();
    }

    public Task DisposeAsync()
    {
        _engine.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}
