using DsOps.Emulator.Measurement;
using Xunit.Abstractions;

namespace DsOps.Emulator.Tests;

/// <summary>
/// Throughput probe at a CI-friendly size (the full 4,000 × 10 run is `dotnet run --project tests/DsOps.Emulator -- --measure 4000`,
/// results in tests/DsOps.Emulator/README.md). Prints timings; asserts only correctness (everything created is listed).
/// </summary>
public class ScaleTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("3.2")]
    [InlineData("3.3")]
    public async Task Workflows_of_ten_tasks_are_created_and_listed(string dialect)
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        var report = await ThroughputProbe.RunAsync(emu, workflows: 200);
        output.WriteLine(report.ToString());
        using var c = new DsTestClient(emu);
        Assert.Equal(200, await c.ScalarAsync($"SELECT COUNT(*) FROM {c.T("t_ds_process_definition")}"));
        Assert.Equal(2000, await c.ScalarAsync("SELECT COUNT(*) FROM t_ds_task_definition_log"));
        Assert.Equal(2, report.ListPages);
    }
}
