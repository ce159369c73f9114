using System.Management.Automation;
using DsOps.Engine.Operations;
using DsOps.Testing;
using DsOps.Testing.History;
using DsOps.Tests.Hosting;
using Xunit;

namespace DsOps.Tests.Operations;

/// <summary>Remove-DsInstanceHistory and Remove-DsCommand in a hosted runspace: WhatIf deletes nothing, the
/// confirmation names the exact rows per table, -AllowWrite is required, results are typed.</summary>
public class MaintenanceCmdletTests
{
    private static async Task<(HostedEngine Engine, string Cs)> ConnectAsync(bool allowWrite)
    {
        var cs = await (await MariaDbFixture.Shared).CreateDsDatabaseAsync("3.2.2");
        await HistoryGenerator.GenerateAsync(cs, "3.2.2", new HistoryOptions
        {
            Days = 6, Workflows = 20, TasksPerDay = 100, LastDay = new DateOnly(2026, 3, 10), StuckInstances = 0, StillRunning = 0,
            NotStarted = 0, Commands = 6, ErrorCommands = 1,
        });
        var engine = new HostedEngine();
        engine.Run("Connect-DsMetadata", new { ConnectionString = cs, ServerTimeZone = "UTC", AllowWrite = allowWrite });
        return (engine, cs);
    }

    [Fact]
    public async Task WhatIf_deletes_nothing_and_a_confirmed_run_deletes_the_counted_rows()
    {
        var (engine, cs) = await ConnectAsync(allowWrite: true);
        using var _ = engine;
        var cutoff = new DateTime(2026, 3, 8, 0, 0, 0, DateTimeKind.Utc);
        var before = await HistoryCleanupTests.Scalar(cs, "SELECT COUNT(*) FROM t_ds_task_instance");
        var whatIf = engine.Run("Remove-DsInstanceHistory", new { OlderThan = cutoff, WhatIf = true });
        Assert.False(whatIf.HadErrors);
        Assert.Empty(whatIf.Output);
        Assert.Equal(before, await HistoryCleanupTests.Scalar(cs, "SELECT COUNT(*) FROM t_ds_task_instance"));

        var expected = await HistoryCleanupTests.Scalar(cs,
            "SELECT COUNT(*) FROM t_ds_task_instance t JOIN t_ds_process_instance i ON i.id = t.process_instance_id WHERE i.end_time < '2026-03-08' AND i.start_time < '2026-03-08'");
        var run = engine.Run("Remove-DsInstanceHistory", new { OlderThan = cutoff, Confirm = false, Verbose = true, BatchSize = 10 });
        Assert.False(run.HadErrors, string.Join("\n", run.Errors));
        var result = run.Objects<HistoryCleanupResult>().Single();
        Assert.Equal(expected, result.TaskInstances);
        Assert.Contains(run.Verbose, v => v.Contains($"t_ds_task_instance {expected:N0}", StringComparison.Ordinal));
        Assert.Equal(before - expected, await HistoryCleanupTests.Scalar(cs, "SELECT COUNT(*) FROM t_ds_task_instance"));
    }

    [Fact]
    public async Task WhatIfPreference_is_honoured_and_a_read_only_connection_is_refused_with_a_stable_id()
    {
        var (engine, cs) = await ConnectAsync(allowWrite: false);
        using var _ = engine;
        var before = await HistoryCleanupTests.Scalar(cs, "SELECT COUNT(*) FROM t_ds_process_instance");
        var preview = engine.Script("& { $WhatIfPreference = $true; Remove-DsInstanceHistory -OlderThan ([datetime]'2026-03-08') }");
        Assert.False(preview.HadErrors, string.Join("\n", preview.Errors));
        var refused = TerminatingError(engine, "Remove-DsInstanceHistory -OlderThan ([datetime]'2026-03-08') -Confirm:$false");
        Assert.Equal("DsMetadataReadOnly,DsOps.Commands.Operations.RemoveDsInstanceHistoryCommand", refused.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidOperation, refused.CategoryInfo.Category);
        Assert.Equal(before, await HistoryCleanupTests.Scalar(cs, "SELECT COUNT(*) FROM t_ds_process_instance"));
    }

    [Fact]
    public async Task Remove_DsCommand_honours_WhatIf_and_removes_only_the_selected_type()
    {
        var (engine, cs) = await ConnectAsync(allowWrite: true);
        using var _ = engine;
        var scheduler = await HistoryCleanupTests.Scalar(cs, "SELECT COUNT(*) FROM t_ds_command WHERE command_type = 6");
        var all = await HistoryCleanupTests.Scalar(cs, "SELECT COUNT(*) FROM t_ds_command");
        engine.Run("Remove-DsCommand", new { CommandType = new[] { "SCHEDULER" }, WhatIf = true });
        Assert.Equal(all, await HistoryCleanupTests.Scalar(cs, "SELECT COUNT(*) FROM t_ds_command"));
        var removed = engine.Run("Remove-DsCommand", new { CommandType = new[] { "SCHEDULER" }, Confirm = false }).Objects<DsQueuedCommand>().ToList();
        Assert.Equal(scheduler, removed.Count);
        Assert.All(removed, c => Assert.True(c.Removed && c.CommandType == "SCHEDULER"));
        Assert.Equal(all - scheduler, await HistoryCleanupTests.Scalar(cs, "SELECT COUNT(*) FROM t_ds_command"));
        var none = TerminatingError(engine, "Remove-DsCommand -Confirm:$false");
        Assert.Equal("DsCommandSelectionEmpty,DsOps.Commands.Operations.RemoveDsCommandCommand", none.FullyQualifiedErrorId);
    }

    private static ErrorRecord TerminatingError(HostedEngine e, string script) =>
        Assert.Single(e.Script($"try {{ {script}; 'no error' }} catch {{ $_ }}").Objects<ErrorRecord>());
}
