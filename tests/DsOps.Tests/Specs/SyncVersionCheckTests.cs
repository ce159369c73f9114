using System.Management.Automation;
using DsOps.Emulator;
using DsOps.Engine.Api;
using DsOps.Tests.Api;
using DsOps.Tests.Hosting;
using Xunit;

namespace DsOps.Tests.Specs;

/// <summary>Sync-DsWorkflow refuses specs the connected DS version cannot hold, before writing anything.</summary>
public sealed class SyncVersionCheckTests : IAsyncLifetime
{
    private readonly SpecTestFiles _files = new();
    private readonly HostedEngine _engine = new();
    private DsEmulator? _emu;

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Removed_task_type_stops_the_sync_with_no_writes()
    {
        _files.Write("etl.yaml", "project: etl\nworkflow:\n  name: quality\n  tasks:\n    - { name: check, type: DATA_QUALITY, params: { ruleId: 1 } }\n");
        _emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = "3.3" });
        var c = _engine.Run("Connect-DsServer", new { Uri = _emu.BaseUri, Token = DsClientTests.Secure(_emu.AdminToken) }).Objects<DsConnection>().Single();
        var writes = _emu.RequestLog.WritingRequests;

        var ex = Assert.ThrowsAny<RuntimeException>(() => _engine.Run("Sync-DsWorkflow", new Dictionary<string, object?> { ["Path"] = _files.Root, ["Connection"] = c }));

        Assert.StartsWith("DsSpecVersionMismatch,", ex.ErrorRecord.FullyQualifiedErrorId);
        Assert.Equal(writes, _emu.RequestLog.WritingRequests);
    }

    public async Task DisposeAsync()
    {
        _engine.Dispose();
        if (_emu is not null) await _emu.DisposeAsync();
        _files.Dispose();
    }
}
