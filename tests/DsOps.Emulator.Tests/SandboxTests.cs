namespace DsOps.Emulator.Tests;

/// <summary>The standalone sandbox mode: the clock runs by itself, accelerated.</summary>
public class SandboxTests
{
    [Fact]
    public async Task AutoRun_moves_the_clock_and_finishes_workflows_on_its_own()
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = "3.2", AutoRun = true, Acceleration = 600 });
        using var c = new DsTestClient(emu);
        var s = new Scenario(c);
        var project = await s.CreateProjectAsync();
        var (code, _) = await s.CreateChainAsync(project, "wf", "sleep 120");
        await s.ReleaseAsync(project, code, "ONLINE");
        var before = emu.Clock.Now;
        DsTestClient.Ok(await c.PostAsync($"projects/{project}/executors/start-process-instance", new Dictionary<string, string>
        {
            ["processDefinitionCode"] = code.ToString(), ["scheduleTime"] = "", ["failureStrategy"] = "END", ["warningType"] = "NONE",
        }));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && await c.ScalarAsync("SELECT COUNT(*) FROM t_ds_process_instance WHERE state = 7") == 0)
            await Task.Delay(100);
        Assert.Equal(1, await c.ScalarAsync("SELECT COUNT(*) FROM t_ds_process_instance WHERE state = 7"));
        Assert.True(emu.Clock.Now - before >= TimeSpan.FromSeconds(120));
    }
}
