using System.Diagnostics;
using System.Text.Json;
using DsOps.Testing;

namespace DsOps.Emulator.Tests;

/// <summary>
/// The standalone emulator (the sandbox's engine) owns what it starts: whichever way it is stopped, its MariaDB
/// process is gone and its work folder removed; two can run at once; the sandbox has demo content and history.
/// </summary>
public class StandaloneProcessTests
{
    internal static string EmulatorDll
    {
        get
        {
            // Same configuration and framework as this test assembly (bin/<Configuration>/<tfm>/).
            var own = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            return Path.Combine(RepoPaths.RepoRoot, "tests", "DsOps.Emulator", "bin", own.Parent!.Name, own.Name, "DsOps.Emulator.dll");
        }
    }

    internal sealed record Running(Process Process, string WorkDir, JsonElement Info) : IDisposable
    {
        public int DatabaseServerPid => Info.GetProperty("databaseServerPid").GetInt32();
        public void Dispose()
        {
            if (!Process.HasExited)
            {
                // Killed, the emulator cannot remove its work folder (with its database's data): the test does.
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit(10_000);
                try { Directory.Delete(WorkDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
            Process.Dispose();
        }
    }

    internal static async Task<Running> StartAsync(params string[] extra)
    {
        Assert.True(File.Exists(EmulatorDll), $"{EmulatorDll} is missing: build tests/DsOps.Emulator first.");
        var work = Path.Combine(Path.GetTempPath(), "dsops-emu-test-" + Guid.NewGuid().ToString("N")[..10]);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { EmulatorDll, "--work-dir", work }.Concat(extra)) psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        _ = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var info = Path.Combine(work, "info.json");
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!File.Exists(info))
        {
            if (process.HasExited) Assert.Fail($"The emulator exited with {process.ExitCode}: {await stderr}");
            if (DateTime.UtcNow > deadline) { process.Kill(true); Assert.Fail("The emulator did not write its info file within 2 minutes."); }
            await Task.Delay(100);
        }
        return new Running(process, work, JsonDocument.Parse(await File.ReadAllTextAsync(info)).RootElement.Clone());
    }

    private static bool IsAlive(int pid)
    {
        try { using var p = Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
    }

    private static void AssertCleanedUp(Running emu)
    {
        Assert.True(emu.Process.WaitForExit(30_000), "the emulator did not stop within 30 s");
        Assert.False(IsAlive(emu.DatabaseServerPid), $"mariadbd {emu.DatabaseServerPid} is still running");
        Assert.False(Directory.Exists(emu.WorkDir), $"{emu.WorkDir} was not removed");
    }

    [Fact]
    public async Task SIGTERM_stops_the_emulator_its_database_server_and_removes_its_data()
    {
        using var emu = await StartAsync("--dialect", "3.2");
        Assert.True(IsAlive(emu.DatabaseServerPid));
        Assert.True(Directory.Exists(emu.WorkDir));
        using (var kill = Process.Start("kill", new[] { "-s", "TERM", emu.Process.Id.ToString() })) kill.WaitForExit();
        AssertCleanedUp(emu);
    }

    [Fact]
    public async Task Closing_standard_input_stops_it_when_asked_and_two_run_at_once()
    {
        using var first = await StartAsync("--dialect", "3.0", "--exit-on-stdin-eof");
        using var second = await StartAsync("--dialect", "3.3", "--exit-on-stdin-eof");
        Assert.NotEqual(first.Info.GetProperty("apiUri").GetString(), second.Info.GetProperty("apiUri").GetString());
        using (var http = new HttpClient())
        {
            http.DefaultRequestHeaders.Add("token", second.Info.GetProperty("token").GetString());
            var body = await http.GetStringAsync(new Uri(new Uri(second.Info.GetProperty("apiUri").GetString()!), "projects/list"));
            Assert.Contains("\"code\":0", body);
        }
        first.Process.StandardInput.Close();
        AssertCleanedUp(first);
        Assert.False(second.Process.HasExited, "stopping one emulator must not stop the other");
        second.Process.StandardInput.Close();
        AssertCleanedUp(second);
    }

    [Fact]
    public async Task A_watched_process_ending_stops_it()
    {
        using var sleeper = Process.Start("sleep", "600");
        using var emu = await StartAsync("--watch-pid", sleeper.Id.ToString());
        sleeper.Kill();
        AssertCleanedUp(emu);
    }

    [Fact]
    public async Task Sandbox_has_demo_projects_scheduled_workflows_and_history_ending_the_day_before_its_clock()
    {
        using var emu = await StartAsync("--sandbox", "--clock-start", "2026-03-15T09:30:00", "--exit-on-stdin-eof");
        var cs = emu.Info.GetProperty("metadataConnectionString").GetString()!;
        await using var conn = new MySqlConnector.MySqlConnection(cs);
        await conn.OpenAsync();
        async Task<object?> Scalar(string sql)
        {
            await using var cmd = new MySqlConnector.MySqlCommand(sql, conn);
            return await cmd.ExecuteScalarAsync();
        }
        Assert.Equal(3L, Convert.ToInt64(await Scalar("SELECT COUNT(*) FROM t_ds_project WHERE name LIKE 'demo\\_%'")));
        Assert.Equal(40L, Convert.ToInt64(await Scalar("SELECT COUNT(*) FROM t_ds_schedules WHERE release_state = 1")));
        var first = (DateTime)(await Scalar("SELECT MIN(start_time) FROM t_ds_process_instance"))!;
        var last = (DateTime)(await Scalar("SELECT MAX(start_time) FROM t_ds_process_instance WHERE start_time < '2026-03-15'"))!;
        Assert.Equal(new DateTime(2026, 2, 13), first.Date); // 30 days: 2026-02-13 .. 2026-03-14
        Assert.Equal(new DateTime(2026, 3, 14), last.Date);
        Assert.True(Convert.ToInt64(await Scalar("SELECT COUNT(*) FROM t_ds_task_instance WHERE state = 6")) > 0, "history has failures");
        emu.Process.StandardInput.Close();
        AssertCleanedUp(emu);
    }
}
