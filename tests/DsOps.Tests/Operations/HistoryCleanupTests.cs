using DsOps.Engine;
using DsOps.Engine.Dialects;
using DsOps.Engine.Metadata;
using DsOps.Engine.Operations;
using DsOps.Testing;
using DsOps.Testing.History;
using MySqlConnector;
using Xunit;

namespace DsOps.Tests.Operations;

/// <summary>
/// History cleanup on DS's real schema per version: exactly the finished old instances and what hangs off them go,
/// families with a live sub-workflow and instances a queued command refers to stay, the dry run counts what the real
/// run deletes, an interrupted run leaves every instance whole, and a read-only connection deletes nothing.
/// </summary>
public class HistoryCleanupTests
{
    private static readonly DateTimeOffset Cutoff = new(2026, 3, 6, 0, 0, 0, TimeSpan.Zero);

    private sealed record Planted(long Parent, long Child, long LiveParent, long LiveChild, long Commanded, long Paused, long Newer);

    private static async Task<(string Cs, DsMetadataConnection Write, DsDialect D, Planted P)> SeedAsync(string schema)
    {
        var cs = await (await MariaDbFixture.Shared).CreateDsDatabaseAsync(schema);
        await HistoryGenerator.GenerateAsync(cs, schema, new HistoryOptions
        {
            Days = 10, Workflows = 40, TasksPerDay = 400, LastDay = new DateOnly(2026, 3, 10), StuckInstances = 0, StillRunning = 0,
            NotStarted = 0, Commands = 4, ErrorCommands = 2, Seed = 7,
        });
        var write = await DsMetadataConnection.ConnectAsync(cs, serverTimeZone: TimeZoneInfo.Utc, allowWrite: true);
        var d = write.Dialect;
        // Instances of day 1 (2026-03-01) are old and finished; pick some by id and shape them.
        var old = (await Longs(cs, $"SELECT id FROM {d.WorkflowInstanceTable} WHERE start_time < '2026-03-02' AND state = 7 ORDER BY id LIMIT 6")).ToArray();
        var newer = (await Longs(cs, $"SELECT id FROM {d.WorkflowInstanceTable} WHERE start_time >= '2026-03-09' ORDER BY id LIMIT 1")).Single();
        var p = new Planted(old[0], old[1], old[2], old[3], old[4], old[5], newer);
        var rel = d.SubWorkflowRelationTable;
        await Exec(cs, $"UPDATE {d.WorkflowInstanceTable} SET {d.IsSubWorkflowColumn} = 1 WHERE id IN ({p.Child}, {p.LiveChild})");
        await Exec(cs, $"UPDATE {d.WorkflowInstanceTable} SET state = 1, end_time = NULL WHERE id = {p.LiveChild}");
        await Exec(cs, $"UPDATE {d.WorkflowInstanceTable} SET state = 3 WHERE id = {p.Paused}");
        await Exec(cs, $"INSERT INTO {rel} ({d.SubWorkflowRelationParentColumn}, parent_task_instance_id, {d.WorkflowInstanceIdColumn}) VALUES " +
                       $"({p.Parent}, 0, {p.Child}), ({p.LiveParent}, 0, {p.LiveChild})");
        await Exec(cs, $"INSERT INTO {d.CommandTable} (command_type, {d.WorkflowCodeColumn}, {d.WorkflowInstanceIdColumn}, command_param, start_time, update_time) " +
                       $"SELECT 7, {d.WorkflowCodeColumn}, id, '{{}}', NOW(), NOW() FROM {d.WorkflowInstanceTable} WHERE id = {p.Commanded}");
        foreach (var id in new[] { p.Parent, p.Child, p.Newer })
        {
            await Exec(cs, $"INSERT INTO t_ds_alert (title, content, alert_status, {d.WorkflowInstanceIdColumn}, create_time, update_time) " +
                           $"VALUES ('t', '[]', 1, {id}, NOW(), NOW())");
            await Exec(cs, $"INSERT INTO {d.ErrorCommandTable} (id, command_type, {d.WorkflowCodeColumn}, {d.WorkflowInstanceIdColumn}, start_time, update_time, message) " +
                           $"SELECT {800_000 + id}, 7, {d.WorkflowCodeColumn}, id, NOW(), NOW(), 'planted' FROM {d.WorkflowInstanceTable} WHERE id = {id}");
            if (await HasTable(cs, "t_ds_task_group_queue"))
                await Exec(cs, $"INSERT INTO t_ds_task_group_queue (task_id, task_name, group_id, {d.TaskGroupQueueInstanceColumn}, priority, status, force_start, in_queue, create_time, update_time) " +
                               $"VALUES (1, 't', 1, {id}, 0, 1, 0, 0, NOW(), NOW())");
            if (await HasTable(cs, d.TriggerRelationTable))
                await Exec(cs, $"INSERT INTO {d.TriggerRelationTable} (trigger_type, trigger_code, job_id, create_time, update_time) VALUES (0, {9000 + id}, {id}, NOW(), NOW())");
        }
        return (cs, write, d, p);
    }

    [Theory]
    [InlineData("3.0.1")]
    [InlineData("3.2.2")]
    [InlineData("3.3-dev")]
    public async Task Removes_exactly_the_finished_old_history_and_what_hangs_off_it(string schema)
    {
        var (cs, write, d, p) = await SeedAsync(schema);
        var inst = d.WorkflowInstanceTable;
        var final = string.Join(",", d.FinalStateCodes(DsStateScope.Workflow));
        var expected = (await Longs(cs,
            $"SELECT id FROM {inst} WHERE {d.IsSubWorkflowColumn} = 0 AND state IN ({final}) AND start_time < '2026-03-06' AND end_time < '2026-03-06' " +
            $"AND id NOT IN ({p.LiveParent}, {p.Commanded})")).Append(p.Child).ToHashSet();
        var keptOld = new[] { p.LiveParent, p.LiveChild, p.Commanded, p.Paused };
        var tasksBefore = await Scalar(cs, $"SELECT COUNT(*) FROM {d.TaskInstanceTable}");
        var expectedTasks = await Scalar(cs, $"SELECT COUNT(*) FROM {d.TaskInstanceTable} WHERE {d.WorkflowInstanceIdColumn} IN ({string.Join(",", expected)})");
        var instancesBefore = await Scalar(cs, $"SELECT COUNT(*) FROM {inst}");

        var counted = await InstanceHistoryCleanup.CountAsync(write, new HistoryCleanupOptions { OlderThan = Cutoff, BatchSize = 7 });
        Assert.Equal(instancesBefore, await Scalar(cs, $"SELECT COUNT(*) FROM {inst}")); // the dry run deletes nothing
        Assert.Equal(expected.Count, counted.WorkflowInstances);
        Assert.Equal(expectedTasks, counted.TaskInstances);
        Assert.Equal(1, counted.Skipped);

        var done = await InstanceHistoryCleanup.RemoveAsync(write, new HistoryCleanupOptions { OlderThan = Cutoff, BatchSize = 7 });
        Assert.Equal(counted.Tables, done.Tables); // -WhatIf's numbers are the real ones
        Assert.True(done.Batches > 1);
        Assert.Equal(instancesBefore - expected.Count, await Scalar(cs, $"SELECT COUNT(*) FROM {inst}"));
        Assert.Equal(tasksBefore - expectedTasks, await Scalar(cs, $"SELECT COUNT(*) FROM {d.TaskInstanceTable}"));
        Assert.Equal(0, await Scalar(cs, $"SELECT COUNT(*) FROM {inst} WHERE id IN ({string.Join(",", expected)})"));
        Assert.Equal(keptOld.Length, await Scalar(cs, $"SELECT COUNT(*) FROM {inst} WHERE id IN ({string.Join(",", keptOld)})"));
        Assert.Equal(1, await Scalar(cs, $"SELECT COUNT(*) FROM {inst} WHERE id = {p.Newer}"));
        // No orphans: every task instance, link, alert and error command left points at an instance that exists.
        Assert.Equal(0, await Scalar(cs, $"SELECT COUNT(*) FROM {d.TaskInstanceTable} t LEFT JOIN {inst} i ON i.id = t.{d.WorkflowInstanceIdColumn} WHERE i.id IS NULL"));
        Assert.Equal(0, await Scalar(cs, $"SELECT COUNT(*) FROM {d.SubWorkflowRelationTable} r WHERE NOT EXISTS (SELECT 1 FROM {inst} i WHERE i.id = r.{d.WorkflowInstanceIdColumn})"));
        Assert.Equal(1, await Scalar(cs, $"SELECT COUNT(*) FROM {d.SubWorkflowRelationTable}")); // the live family's link stays
        Assert.Equal(1, await Scalar(cs, $"SELECT COUNT(*) FROM t_ds_alert"));
        Assert.Equal(1, await Scalar(cs, $"SELECT COUNT(*) FROM {d.ErrorCommandTable} WHERE message = 'planted'"));
        Assert.Equal(2, await Scalar(cs, $"SELECT COUNT(*) FROM {d.ErrorCommandTable} WHERE message <> 'planted'")); // generated ones refer to no instance
        if (await HasTable(cs, d.TriggerRelationTable))
            Assert.Equal(1, await Scalar(cs, $"SELECT COUNT(*) FROM {d.TriggerRelationTable}"));
        if (await HasTable(cs, "t_ds_task_group_queue"))
            Assert.Equal(1, await Scalar(cs, "SELECT COUNT(*) FROM t_ds_task_group_queue"));
        var integrity = await new IntegrityChecker(write).RunAsync();
        Assert.All(integrity.Where(f => f.Check != "RunningInstanceWithoutHost"), f => Assert.True(f.Severity == DsIntegritySeverity.Ok, $"{f.Check}: {f.Summary}"));

        // A second run finds nothing more.
        var again = await InstanceHistoryCleanup.RemoveAsync(write, new HistoryCleanupOptions { OlderThan = Cutoff });
        Assert.Equal(0, again.TotalRows);
    }

    [Fact]
    public async Task An_interrupted_run_leaves_every_instance_whole_and_a_rerun_finishes_the_job()
    {
        var (cs, write, d, _) = await SeedAsync("3.2.2");
        var tasksPerInstance = $"SELECT {d.WorkflowInstanceIdColumn} AS id, COUNT(*) AS n FROM {d.TaskInstanceTable} GROUP BY {d.WorkflowInstanceIdColumn}";
        var before = await Pairs(cs, tasksPerInstance);
        using var stop = new CancellationTokenSource();
        var batches = 0;
        var progress = new SyncProgress(_ => { if (++batches == 2) stop.Cancel(); });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            InstanceHistoryCleanup.RemoveAsync(write, new HistoryCleanupOptions { OlderThan = Cutoff, BatchSize = 5 }, progress, stop.Token));
        // Every instance still there has all its task instances: nothing half deleted.
        var instances = (await Longs(cs, $"SELECT id FROM {d.WorkflowInstanceTable}")).ToHashSet();
        foreach (var (id, n) in await Pairs(cs, tasksPerInstance)) Assert.Equal(before[id], n);
        Assert.All(before.Keys.Where(instances.Contains), id => Assert.True(before[id] > 0));
        Assert.True(instances.Count < before.Count, "the first batches were committed");

        var rest = await InstanceHistoryCleanup.RemoveAsync(write, new HistoryCleanupOptions { OlderThan = Cutoff });
        Assert.True(rest.WorkflowInstances > 0);
        Assert.Equal(0, (await InstanceHistoryCleanup.CountAsync(write, new HistoryCleanupOptions { OlderThan = Cutoff })).TotalRows);
    }

    [Fact]
    public async Task A_read_only_connection_refuses_to_delete_but_can_count()
    {
        var (cs, _, d, _) = await SeedAsync("3.2.2");
        var readOnly = await DsMetadataConnection.ConnectAsync(cs, serverTimeZone: TimeZoneInfo.Utc);
        var before = await Scalar(cs, $"SELECT COUNT(*) FROM {d.WorkflowInstanceTable}");
        var ex = await Assert.ThrowsAsync<DsOpsException>(() => InstanceHistoryCleanup.RemoveAsync(readOnly, new HistoryCleanupOptions { OlderThan = Cutoff }));
        Assert.Equal("DsMetadataReadOnly", ex.ErrorId);
        Assert.Contains("-AllowWrite", ex.Message);
        Assert.True((await InstanceHistoryCleanup.CountAsync(readOnly, new HistoryCleanupOptions { OlderThan = Cutoff })).WorkflowInstances > 0);
        Assert.Equal(before, await Scalar(cs, $"SELECT COUNT(*) FROM {d.WorkflowInstanceTable}"));
    }

    [Fact]
    public async Task Workflow_filter_limits_the_cleanup_to_those_workflows()
    {
        var (cs, write, d, _) = await SeedAsync("3.3-dev");
        var code = HistoryGenerator.WorkflowCodeBase + 3;
        var result = await InstanceHistoryCleanup.RemoveAsync(write, new HistoryCleanupOptions { OlderThan = Cutoff, WorkflowCodes = new[] { code } });
        Assert.InRange(result.WorkflowInstances, 4, 5);
        Assert.Equal(0, await Scalar(cs, $"SELECT COUNT(*) FROM {d.WorkflowInstanceTable} WHERE {d.WorkflowCodeColumn} = {code} AND end_time < '2026-03-06'"));
        Assert.Equal(10L * 40 - result.WorkflowInstances, await Scalar(cs, $"SELECT COUNT(*) FROM {d.WorkflowInstanceTable}"));
    }

    [Theory]
    [InlineData("3.0.1")]
    [InlineData("3.2.2")]
    public async Task Remove_commands_takes_the_matching_commands_and_their_trigger_relations(string schema)
    {
        var (cs, write, d, _) = await SeedAsync(schema);
        var ids = await Longs(cs, $"SELECT id FROM {d.CommandTable} WHERE command_type = 6 ORDER BY id");
        Assert.NotEmpty(ids);
        if (await HasTable(cs, d.TriggerRelationTable))
            foreach (var id in ids)
                await Exec(cs, $"INSERT INTO {d.TriggerRelationTable} (trigger_type, trigger_code, job_id, create_time, update_time) VALUES (2, {7000 + id}, {id}, NOW(), NOW())");
        var all = await Scalar(cs, $"SELECT COUNT(*) FROM {d.CommandTable}");

        var selection = new CommandSelection { CommandTypes = new[] { "SCHEDULER" } };
        var found = await CommandCleanup.FindAsync(write, selection);
        Assert.Equal(ids, found.Select(c => c.Id));
        Assert.All(found, c => Assert.Equal("SCHEDULER", c.CommandType));
        Assert.Equal(all, await Scalar(cs, $"SELECT COUNT(*) FROM {d.CommandTable}"));

        var removed = await CommandCleanup.RemoveAsync(write, selection);
        Assert.Equal(ids, removed.Select(c => c.Id));
        Assert.Equal(all - ids.Count, await Scalar(cs, $"SELECT COUNT(*) FROM {d.CommandTable}"));
        if (await HasTable(cs, d.TriggerRelationTable))
            Assert.Equal(0, await Scalar(cs, $"SELECT COUNT(*) FROM {d.TriggerRelationTable} WHERE trigger_type = 2"));

        var empty = await Assert.ThrowsAsync<DsOpsException>(() => CommandCleanup.RemoveAsync(write, new CommandSelection()));
        Assert.Equal("DsCommandSelectionEmpty", empty.ErrorId);
        var bad = await Assert.ThrowsAsync<DsOpsException>(() => CommandCleanup.FindAsync(write, new CommandSelection { CommandTypes = new[] { "NO_SUCH" } }));
        Assert.Equal("DsUnknownCommandType", bad.ErrorId);
        Assert.Contains("-CommandType", bad.Message);
    }

    private sealed class SyncProgress(Action<HistoryCleanupProgress> onReport) : IProgress<HistoryCleanupProgress>
    {
        public void Report(HistoryCleanupProgress value) => onReport(value);
    }

    internal static async Task Exec(string cs, string sql)
    {
        await using var conn = new MySqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new MySqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    internal static async Task<long> Scalar(string cs, string sql)
    {
        await using var conn = new MySqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new MySqlCommand(sql, conn);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    internal static async Task<List<long>> Longs(string cs, string sql)
    {
        var list = new List<long>();
        await using var conn = new MySqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new MySqlCommand(sql, conn);
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) list.Add(Convert.ToInt64(r.GetValue(0)));
        return list;
    }

    private static async Task<Dictionary<long, long>> Pairs(string cs, string sql)
    {
        var map = new Dictionary<long, long>();
        await using var conn = new MySqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new MySqlCommand(sql, conn);
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) map[Convert.ToInt64(r.GetValue(0))] = Convert.ToInt64(r.GetValue(1));
        return map;
    }

    private static async Task<bool> HasTable(string cs, string table) =>
        await Scalar(cs, $"SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '{table}'") > 0;
}
