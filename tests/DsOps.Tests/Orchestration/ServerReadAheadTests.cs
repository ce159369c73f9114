using DsOps.Emulator;
using DsOps.Engine.Api;
using DsOps.Engine.Apply;
using DsOps.Engine.Orchestration;
using DsOps.Engine.Planning;
using DsOps.Tests.Api;
using DsOps.Tests.Hosting;
using Xunit;

namespace DsOps.Tests.Orchestration;

/// <summary>
/// The server read a sync or compare begins while the specs load (Orchestration/ServerReadAhead.cs): used when it is of
/// exactly the specs' projects, dropped otherwise without effect, never a reason to refuse, and its lock released at once
/// when it is not used. Against the emulator on real MariaDB, through the cmdlets.
/// </summary>
public sealed class ServerReadAheadTests : IAsyncLifetime
{
    private const string Etl = """
        project: etl
        workflows:
          - name: daily_sales
            tasks:
              - name: extract
                type: SHELL
                script: echo extract
              - name: load
                type: SHELL
                dependsOn: [extract]
                script: echo load
        """;

    private const string Other = """
        project: other
        workflows:
          - name: keep_me
            tasks:
              - name: ping
                type: SHELL
                script: echo ping
        """;

    private const string ReadAheadNote = "(begun while the specs loaded)";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dsops-readahead-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly HostedEngine _engine = new();
    private DsEmulator _emu = null!;

    private string SpecDir => Path.Combine(_dir, "specs");
    private string StatePath => Path.Combine(SpecDir, AppliedState.DefaultFileName);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(SpecDir);
        File.WriteAllText(Path.Combine(SpecDir, "etl.yaml"), Etl);
        _emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = "3.2" });
    }

    private DsConnection Connect(int timeoutSec = 30) =>
        _engine.Run("Connect-DsServer", new { Uri = _emu.BaseUri, Token = DsClientTests.Secure(_emu.AdminToken), TimeoutSec = timeoutSec })
            .Objects<DsConnection>().Single();

    private HostedResult Run(string command, DsConnection c, object? extra = null)
    {
        var p = new Dictionary<string, object?> { ["Path"] = SpecDir, ["Connection"] = c, ["Verbose"] = true };
        if (extra is not null) foreach (var prop in extra.GetType().GetProperties()) p[prop.Name] = prop.GetValue(extra);
        return _engine.Run(command, p);
    }

    private static bool ReadAhead(HostedResult r) => r.Verbose.Any(v => v.Contains(ReadAheadNote, StringComparison.Ordinal));

    [Fact]
    public void A_rerun_with_a_state_file_reads_ahead_and_a_no_change_sync_writes_nothing()
    {
        var c = Connect();
        var first = Run("Sync-DsWorkflow", c);
        Assert.Empty(first.Errors);
        Assert.False(ReadAhead(first)); // no state file yet: nothing to go by

        var writes = _emu.RequestLog.WritingRequests;
        var again = Run("Sync-DsWorkflow", c);
        Assert.Empty(again.Errors);
        Assert.True(ReadAhead(again), string.Join("\n", again.Verbose));
        Assert.Empty(again.Objects<WorkflowApplyResult>());
        Assert.Equal(writes, _emu.RequestLog.WritingRequests);

        var compare = Run("Compare-DsWorkflow", c);
        Assert.Empty(compare.Errors);
        Assert.True(ReadAhead(compare));
        Assert.All(compare.Objects<PlanItem>(), i => Assert.Equal(PlanAction.Unchanged, i.Action));

        // An edited spec is still planned and applied from the read-ahead's snapshot.
        File.WriteAllText(Path.Combine(SpecDir, "etl.yaml"), Etl.Replace("echo load", "echo load v2", StringComparison.Ordinal));
        var edit = Run("Sync-DsWorkflow", c);
        Assert.True(ReadAhead(edit));
        Assert.Equal(ApplyStatus.Applied, Assert.Single(edit.Objects<WorkflowApplyResult>()).Status);
    }

    [Fact]
    public async Task A_read_ahead_of_other_projects_is_dropped_so_prune_stays_within_the_specs_projects()
    {
        var c = Connect();
        File.WriteAllText(Path.Combine(SpecDir, "other.yaml"), Other);
        Assert.Empty(Run("Sync-DsWorkflow", c).Errors);
        File.Delete(Path.Combine(SpecDir, "other.yaml")); // the state still lists project 'other'

        var pruned = Run("Sync-DsWorkflow", c, new { Prune = true, Force = true });

        Assert.Empty(pruned.Errors);
        Assert.False(ReadAhead(pruned)); // it read etl and other; the specs name etl only
        Assert.Contains(pruned.Verbose, v => v.StartsWith("Reading 1 project(s)", StringComparison.Ordinal));
        Assert.DoesNotContain(pruned.Objects<WorkflowApplyResult>(), r => r.Action == PlanAction.Delete);
        var other = await DsServerSnapshot.ReadAsync(c.Client, new[] { "other" });
        Assert.Equal("keep_me", Assert.Single(other.Workflows).Name);
    }

    [Fact]
    public async Task A_read_ahead_gives_way_when_another_sync_holds_one_of_its_projects()
    {
        var c = Connect();
        File.WriteAllText(Path.Combine(SpecDir, "other.yaml"), Other);
        Assert.Empty(Run("Sync-DsWorkflow", c).Errors);
        File.Delete(Path.Combine(SpecDir, "other.yaml"));

        // Another sync holds 'other', which the state lists but the specs no longer name: this sync needs only etl.
        using (await SyncLock.AcquireAsync(c.Client.BaseUri, new[] { "other" }, null, TimeSpan.Zero))
        {
            var result = Run("Sync-DsWorkflow", c);
            Assert.Empty(result.Errors);
            Assert.False(ReadAhead(result));
        }

        // A sync that does need the held project is still refused, as without a read-ahead.
        File.WriteAllText(Path.Combine(SpecDir, "other.yaml"), Other);
        using (await SyncLock.AcquireAsync(c.Client.BaseUri, new[] { "other" }, null, TimeSpan.Zero))
        {
            var ex = Assert.Throws<System.Management.Automation.CmdletInvocationException>(() => Run("Sync-DsWorkflow", c));
            Assert.Equal("DsSyncLocked,DsOps.Commands.Specs.SyncDsWorkflowCommand", ex.ErrorRecord.FullyQualifiedErrorId);
        }
    }

    [Fact]
    public async Task A_read_ahead_that_is_not_used_releases_its_lock_before_the_command_returns()
    {
        var c = Connect();
        Assert.Empty(Run("Sync-DsWorkflow", c).Errors);
        File.WriteAllText(Path.Combine(SpecDir, "etl.yaml"), "project: etl\nworkflows: [\n"); // the specs fail to load

        Assert.Throws<System.Management.Automation.CmdletInvocationException>(() => Run("Sync-DsWorkflow", c));

        // The read-ahead had locked etl and the state file; both are free now, without waiting.
        using var free = await SyncLock.AcquireAsync(c.Client.BaseUri, new[] { "etl" }, StatePath, TimeSpan.Zero);
    }

    [Fact]
    public async Task A_read_ahead_is_used_only_while_its_answer_is_within_half_the_connection_timeout()
    {
        var c = Connect(timeoutSec: 2);
        Assert.Empty(Run("Sync-DsWorkflow", c).Errors);
        var service = new WorkflowSyncService(c, new SilentOperationHost());

        using (var fresh = service.StartReadAhead(StatePath, forSync: false, CancellationToken.None)!)
        using (var taken = await fresh.TakeAsync(new[] { "etl" }, CancellationToken.None))
            Assert.NotNull(taken);

        using var late = service.StartReadAhead(StatePath, forSync: false, CancellationToken.None)!;
        await Task.Delay(TimeSpan.FromSeconds(1.3));
        Assert.Null(await late.TakeAsync(new[] { "etl" }, CancellationToken.None));

        Assert.Null(service.StartReadAhead(Path.Combine(_dir, "no-such-state.json"), forSync: false, CancellationToken.None));
    }

    public async Task DisposeAsync()
    {
        _engine.Dispose();
        if (_emu is not null) await _emu.DisposeAsync();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
