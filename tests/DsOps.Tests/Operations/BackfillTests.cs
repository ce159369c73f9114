using DsOps.Emulator;
using DsOps.Engine.Api;
using DsOps.Engine.Dialects;
using DsOps.Engine.Models;
using DsOps.Engine.Operations.Backfill;
using DsOps.Tests.Api;
using DsOps.Tests.Hosting;
using MySqlConnector;
using Xunit;

namespace DsOps.Tests.Operations;

/// <summary>
/// Start-DsBackfill's engine against the emulator of each dialect on real MariaDB: the running-instance limit holds
/// (sampled from the metadata database after every step of simulated time), every date is submitted exactly once
/// across two interruptions (after DS accepted but before the state file said so, and after the intent was written
/// but before the call), nothing is submitted inside the quiet window, and the T+1 schedule fires on time.
/// </summary>
public sealed class BackfillTests : IAsyncLifetime
{
    private const string Specs = """
        project: ops
        workflows:
          - name: history
            tasks:
              - name: load
                type: SHELL
                script: sleep 2h
          - name: t1_morning
            schedule:
              cron: "0 0 1 * * ? *"
              timezone: UTC
              start: "2024-01-01 00:00:00"
              end: "2099-12-31 23:59:59"
            tasks:
              - name: report
                type: SHELL
                script: sleep 10m
        """;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dsops-backfill-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly HostedEngine _engine = new();

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "ops.yaml"), Specs);
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData("3.0")]
    [InlineData("3.2")]
    [InlineData("3.3")]
    public async Task Sixty_days_with_a_limit_of_four_survive_two_kills_and_leave_the_T1_window_alone(string dialect)
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect, ClockStart = new DateTime(2024, 3, 1, 8, 0, 0) });
        var connection = _engine.Run("Connect-DsServer", new { Uri = emu.BaseUri, Token = DsClientTests.Secure(emu.AdminToken) }).Objects<DsConnection>().Single();
        Assert.Empty(_engine.Run("Sync-DsWorkflow", new { Path = _dir, NoState = true }).Errors);
        var workflows = _engine.Script("Get-DsProject -Name ops | Get-DsWorkflow").Objects<DsWorkflow>();
        var history = workflows.Single(w => w.Name == "history");
        var t1 = workflows.Single(w => w.Name == "t1_morning");
        var schedule = _engine.Run("Get-DsSchedule", new { Project = "ops", Workflow = new[] { "t1_morning" } }).Objects<DsSchedule>().Single();
        if (!schedule.IsOnline) await connection.Client.SetScheduleOnlineAsync(schedule.ProjectCode, schedule.Id, true);

        var d = emu.Dialect;
        var maxRunning = 0;
        var samples = 0;
        async Task SampleAsync()
        {
            await using var db = new MySqlConnection(emu.ConnectionString);
            await db.OpenAsync();
            await using var cmd = new MySqlCommand(
                $"SELECT COUNT(*) FROM {d.WorkflowInstanceTable} WHERE command_type = 5 AND state IN (0, 1, 2, 4, 12, 17)", db);
            var running = Convert.ToInt32(await cmd.ExecuteScalarAsync());
            maxRunning = Math.Max(maxRunning, running);
            samples++;
        }

        var statePath = Path.Combine(_dir, "backfill.json");
        BackfillOptions Options(Func<DateOnly, Task>? afterIntent = null, Func<DateOnly, Task>? afterSubmit = null) => new()
        {
            ProjectCode = history.ProjectCode, WorkflowCode = history.WorkflowCode, WorkflowName = history.Name,
            From = new DateOnly(2024, 1, 1), To = new DateOnly(2024, 2, 29), MaxRunning = 4, MaxBacklog = 50,
            QuietWindow = QuietWindow.Parse("00:00-07:00"), StatePath = statePath,
            Clock = () => new DateTimeOffset(emu.Clock.Now, TimeSpan.Zero),
            Delay = async (_, _) =>
            {
                await SampleAsync();
                await emu.AdvanceAsync(TimeSpan.FromMinutes(5));
                await SampleAsync();
            },
            AfterIntent = afterIntent, AfterSubmit = afterSubmit,
        };

        // Run 1 dies after DS accepted its 10th date but before the state file recorded it.
        var submitted = 0;
        await Assert.ThrowsAsync<SimulatedKill>(() => BackfillRunner.RunAsync(connection.Client, Options(afterSubmit: _ =>
            ++submitted == 10 ? throw new SimulatedKill() : Task.CompletedTask)));
        var afterFirst = BackfillState.Load(statePath)!;
        Assert.Equal(BackfillDateStatus.Submitting, afterFirst.Dates.Single(e => e.Status == BackfillDateStatus.Submitting).Status);

        // Run 2 dies after writing the intent of its 5th date, before calling DS.
        var intents = 0;
        await Assert.ThrowsAsync<SimulatedKill>(() => BackfillRunner.RunAsync(connection.Client, Options(afterIntent: _ =>
            ++intents == 5 ? throw new SimulatedKill() : Task.CompletedTask)));

        // Run 3 resumes and finishes.
        var results = await BackfillRunner.RunAsync(connection.Client, Options());

        Assert.Equal(60, results.Count);
        Assert.All(results, r =>
        {
            Assert.Equal(BackfillDateStatus.Finished, r.Status);
            Assert.Equal(DsRunState.Succeeded, r.State);
            Assert.NotNull(r.WorkflowInstanceId);
            Assert.Equal(TimeSpan.FromHours(2), r.Duration);
        });
        Assert.Equal(60, results.Select(r => r.WorkflowInstanceId).Distinct().Count());
        Assert.True(samples > 50, $"only {samples} samples");
        Assert.True(maxRunning <= 4, $"{maxRunning} backfill instances ran at once (limit 4)");
        Assert.Equal(4, maxRunning); // the limit was actually reached, so the test can tell

        await using var conn = new MySqlConnection(emu.ConnectionString);
        await conn.OpenAsync();
        // Each business date exactly once, with the lowest priority (4).
        var perDate = new Dictionary<DateOnly, int>();
        await using (var cmd = new MySqlCommand(
            $"SELECT DATE(schedule_time), COUNT(*), MIN({d.WorkflowPriorityColumn}), MIN(TIME(start_time)) FROM {d.WorkflowInstanceTable} " +
            "WHERE command_type = 5 GROUP BY DATE(schedule_time)", conn))
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync())
            {
                perDate[DateOnly.FromDateTime(reader.GetDateTime(0))] = reader.GetInt32(1);
                Assert.Equal(4, reader.GetInt32(2));
            }
        Assert.Equal(60, perDate.Count);
        Assert.All(perDate, p => Assert.Equal(1, p.Value));

        // Nothing started inside the quiet window, and the night did pass during the backfill.
        await using (var cmd = new MySqlCommand(
            $"SELECT COUNT(*) FROM {d.WorkflowInstanceTable} WHERE command_type = 5 AND TIME(start_time) < '07:00:00'", conn))
            Assert.Equal(0L, Convert.ToInt64(await cmd.ExecuteScalarAsync()));
        Assert.True(emu.Clock.Now > new DateTime(2024, 3, 2, 7, 0, 0), $"the backfill ended at {emu.Clock.Now}, before the night");

        // The T+1 run of 2024-03-02 01:00 started on time.
        await using (var cmd = new MySqlCommand(
            $"SELECT start_time FROM {d.WorkflowInstanceTable} WHERE {d.WorkflowCodeColumn} = @code AND schedule_time = '2024-03-02 01:00:00'", conn))
        {
            cmd.Parameters.AddWithValue("@code", t1.WorkflowCode);
            var started = (DateTime)(await cmd.ExecuteScalarAsync())!;
            Assert.InRange(started, new DateTime(2024, 3, 2, 1, 0, 0), new DateTime(2024, 3, 2, 1, 1, 0));
        }
        Assert.All(BackfillState.Load(statePath)!.Dates, e => Assert.Equal(BackfillDateStatus.Finished, e.Status));
    }

    [Fact]
    public async Task WhatIf_lists_the_dates_and_writes_nothing()
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = "3.2", ClockStart = new DateTime(2024, 3, 1, 8, 0, 0) });
        _engine.Run("Connect-DsServer", new { Uri = emu.BaseUri, Token = DsClientTests.Secure(emu.AdminToken) });
        Assert.Empty(_engine.Run("Sync-DsWorkflow", new { Path = _dir, NoState = true }).Errors);
        var statePath = Path.Combine(_dir, "whatif.json");
        var writesBefore = emu.RequestLog.WritingRequests;
        var result = _engine.Run("Start-DsBackfill", new
        {
            Project = "ops", Workflow = "history", From = new DateTime(2024, 1, 1), To = new DateTime(2024, 1, 3), StatePath = statePath, WhatIf = true,
        });
        Assert.Empty(result.Errors);
        Assert.Empty(result.Output);
        Assert.False(File.Exists(statePath));
        Assert.Equal(writesBefore, emu.RequestLog.WritingRequests);
        await using var conn = new MySqlConnection(emu.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new MySqlCommand("SELECT COUNT(*) FROM t_ds_command", conn);
        Assert.Equal(0L, Convert.ToInt64(await cmd.ExecuteScalarAsync()));
    }

    [Theory]
    [InlineData("7:00-0:00", true)]
    [InlineData("00:00-07:00", true)]
    [InlineData("22:00-06:00", true)]
    [InlineData("08:00", false)]
    [InlineData("07:00-07:00", false)]
    [InlineData("25:00-07:00", false)]
    public void Quiet_windows_parse_or_name_the_parameter(string text, bool valid)
    {
        if (!valid)
        {
            var ex = Assert.Throws<Engine.DsOpsException>(() => QuietWindow.Parse(text));
            Assert.Contains("-QuietWindow", ex.Message);
            Assert.Contains(text, ex.Message);
            return;
        }
        var w = QuietWindow.Parse(text);
        Assert.True(w.Contains(w.From));
        Assert.False(w.Contains(w.To));
        Assert.True(w.Contains(w.To.AddMinutes(-1)));
        Assert.False(w.Contains(w.From.AddMinutes(-1)));
        if (w.From > w.To) Assert.True(w.Contains(new TimeOnly(23, 59)));
        if (text == "22:00-06:00") Assert.True(w.Contains(new TimeOnly(0, 30)));
    }

    public Task DisposeAsync()
    {
        _engine.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    private sealed class SimulatedKill : Exception;
}
