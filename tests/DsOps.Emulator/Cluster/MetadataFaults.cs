using DsOps.Emulator.Hosting;
using DsOps.Engine.Dialects;

namespace DsOps.Emulator.Cluster;

/// <summary>Metadata faults the health checks look for, written the way DS leaves them (docs/inspection.md).</summary>
public enum MetadataFault
{
    /// <summary>The master stops consuming (as when BUSY) and 300 commands wait, the oldest for an hour.</summary>
    Backlog,
    /// <summary>A command the master moved to t_ds_error_command 5 minutes ago.</summary>
    ErrorCommand,
    /// <summary>A running instance whose host is a master that is not registered.</summary>
    StuckInstance,
    /// <summary>An instance marked for failover: host 'NULL' up to 3.2, state 18 FAILOVER from 3.3.</summary>
    PendingFailover,
    /// <summary>An old error command whose id is above t_ds_command's AUTO_INCREMENT (MySQL 5.7 restart after cleanup).</summary>
    IdReuse,
    /// <summary>An alert waiting (status 0) for an hour.</summary>
    AlertWaiting,
    /// <summary>A task that failed 30 minutes ago.</summary>
    FailedTask,
    /// <summary>A run going for two hours of a workflow that usually takes ten minutes.</summary>
    LongRunning,
    /// <summary>A running task whose worker is not registered.</summary>
    DeadWorkerTask,
    /// <summary>An online schedule of an offline workflow.</summary>
    OfflineSchedule,
    /// <summary>A scheduled online workflow with an SQL task node.</summary>
    SqlTaskNode,
}

/// <summary>Writes <see cref="MetadataFault"/>s into the emulator's metadata database.</summary>
public sealed class MetadataFaults(EmulatorContext ctx)
{
    private const long ProjectCode = 990_000_000_001;
    private long _nextCode = 990_000_001_000;
    private DateTime Now => ctx.Now;

    public async Task InjectAsync(MetadataFault fault)
    {
        switch (fault)
        {
            case MetadataFault.Backlog:
            {
                ctx.Master.ConsumeCommands = false;
                var code = await WorkflowAsync("backlog_probe", online: true).ConfigureAwait(false);
                await using var conn = await ctx.Db.ConnectAsync().ConfigureAwait(false);
                var rows = Enumerable.Range(0, 300).Select(i => (IReadOnlyDictionary<string, object?>)Command(code, Now.AddHours(-1).AddSeconds(i))).ToList();
                await ctx.Db.InsertAsync(conn, null, "t_ds_command", rows).ConfigureAwait(false);
                break;
            }
            case MetadataFault.ErrorCommand:
            {
                var code = await WorkflowAsync("error_probe", online: true).ConfigureAwait(false);
                // As DS does: the command gets its id from t_ds_command, then moves to the error table under that id.
                await ctx.Db.InTransactionAsync(async (c, tx) =>
                {
                    var row = Command(code, Now.AddMinutes(-5));
                    var id = await ctx.Db.InsertAsync(c, tx, "t_ds_command", row).ConfigureAwait(false);
                    await ctx.Db.ExecAsync("DELETE FROM t_ds_command WHERE id = @id", new { id }, c, tx).ConfigureAwait(false);
                    row["id"] = id;
                    row["message"] = "injected: tenant not exists";
                    await ctx.Db.InsertAsync(c, tx, "t_ds_error_command", row).ConfigureAwait(false);
                }).ConfigureAwait(false);
                break;
            }
            case MetadataFault.StuckInstance:
                await InstanceAsync(await WorkflowAsync("stuck_probe", true).ConfigureAwait(false), SimulatedRunning, "127.0.0.9:5678", Now.AddHours(-2), null).ConfigureAwait(false);
                break;
            case MetadataFault.PendingFailover:
            {
                var code = await WorkflowAsync("failover_probe", true).ConfigureAwait(false);
                if (ctx.Dialect.FailoverMarksState) await InstanceAsync(code, 18, "127.0.0.9:5678", Now.AddHours(-1), null).ConfigureAwait(false);
                else await InstanceAsync(code, SimulatedRunning, ctx.Dialect.FailoverHostMarker, Now.AddHours(-1), null).ConfigureAwait(false);
                break;
            }
            case MetadataFault.IdReuse:
            {
                var code = await WorkflowAsync("reuse_probe", true).ConfigureAwait(false);
                var next = await ctx.Db.ScalarAsync("SELECT COALESCE(AUTO_INCREMENT, 1) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't_ds_command'").ConfigureAwait(false);
                var row = Command(code, Now.AddDays(-3));
                row["id"] = next + 50;
                row["message"] = "injected: left from before a MySQL 5.7 restart";
                await ctx.Db.InsertAsync("t_ds_error_command", row).ConfigureAwait(false);
                break;
            }
            case MetadataFault.AlertWaiting:
                await ctx.Db.InsertAsync("t_ds_alert", new Dictionary<string, object?>
                {
                    ["title"] = "injected alert", ["sign"] = "", ["content"] = "[]", ["alert_status"] = 0, ["warning_type"] = 2, ["alertgroup_id"] = 1,
                    ["create_time"] = Now.AddHours(-1), ["update_time"] = Now.AddHours(-1),
                }).ConfigureAwait(false);
                break;
            case MetadataFault.FailedTask:
            {
                var code = await WorkflowAsync("failed_probe", true).ConfigureAwait(false);
                var id = await InstanceAsync(code, 6, ctx.MasterAddress, Now.AddHours(-1), Now.AddMinutes(-30)).ConfigureAwait(false);
                await TaskAsync(id, "failing_step", 6, ctx.WorkerAddress, Now.AddMinutes(-50), Now.AddMinutes(-30)).ConfigureAwait(false);
                break;
            }
            case MetadataFault.LongRunning:
            {
                var code = await WorkflowAsync("slow_probe", true).ConfigureAwait(false);
                for (var d = 1; d <= 3; d++) await InstanceAsync(code, 7, ctx.MasterAddress, Now.AddDays(-d), Now.AddDays(-d).AddMinutes(10)).ConfigureAwait(false);
                await InstanceAsync(code, SimulatedRunning, ctx.MasterAddress, Now.AddHours(-2), null).ConfigureAwait(false);
                break;
            }
            case MetadataFault.DeadWorkerTask:
            {
                var code = await WorkflowAsync("lost_task_probe", true).ConfigureAwait(false);
                var id = await InstanceAsync(code, SimulatedRunning, ctx.MasterAddress, Now.AddMinutes(-20), null).ConfigureAwait(false);
                await TaskAsync(id, "lost_step", SimulatedRunning, "127.0.0.9:1234", Now.AddMinutes(-15), null).ConfigureAwait(false);
                break;
            }
            case MetadataFault.OfflineSchedule:
                await ScheduleAsync(await WorkflowAsync("offline_probe", online: false).ConfigureAwait(false)).ConfigureAwait(false);
                break;
            case MetadataFault.SqlTaskNode:
            {
                var code = await WorkflowAsync("core_sql_probe", true).ConfigureAwait(false);
                var task = _nextCode++;
                await ctx.Db.InsertAsync("t_ds_task_definition", new Dictionary<string, object?>
                {
                    ["code"] = task, ["name"] = "load_orders_sql", ["version"] = 1, ["project_code"] = ProjectCode, ["user_id"] = 1, ["task_type"] = "SQL",
                    ["task_params"] = "{}", ["flag"] = 1, ["task_priority"] = 2, ["worker_group"] = "default", ["create_time"] = Now, ["update_time"] = Now,
                }).ConfigureAwait(false);
                await ctx.Db.InsertAsync("t_ds_process_task_relation", new Dictionary<string, object?>
                {
                    ["name"] = "", ["project_code"] = ProjectCode, ["process_definition_code"] = code, ["process_definition_version"] = 1, ["pre_task_code"] = 0,
                    ["pre_task_version"] = 0, ["post_task_code"] = task, ["post_task_version"] = 1, ["condition_type"] = 0, ["create_time"] = Now, ["update_time"] = Now,
                }).ConfigureAwait(false);
                await ScheduleAsync(code).ConfigureAwait(false);
                break;
            }
            default: throw new ArgumentOutOfRangeException(nameof(fault));
        }
    }

    private const int SimulatedRunning = 1;

    private Dictionary<string, object?> Command(long code, DateTime at) => new()
    {
        ["command_type"] = 0, ["process_definition_code"] = code, ["process_definition_version"] = 1, ["process_instance_id"] = 0, ["command_param"] = "{}",
        ["task_depend_type"] = 2, ["failure_strategy"] = 0, ["warning_type"] = 0, ["start_time"] = at, ["executor_id"] = 1, ["update_time"] = at,
        ["process_instance_priority"] = 2, ["worker_group"] = "default", ["tenant_code"] = "default", ["environment_code"] = -1L, ["dry_run"] = 0, ["test_flag"] = 0,
    };

    private async Task<long> WorkflowAsync(string name, bool online)
    {
        if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_project WHERE code = @ProjectCode", new { ProjectCode }).ConfigureAwait(false) == 0)
            await ctx.Db.InsertAsync("t_ds_project", new Dictionary<string, object?>
            {
                ["name"] = "fault_probes", ["code"] = ProjectCode, ["description"] = "health-check fault probes", ["user_id"] = 1, ["flag"] = 1,
                ["create_time"] = Now, ["update_time"] = Now,
            }).ConfigureAwait(false);
        var code = _nextCode++;
        await ctx.Db.InsertAsync("t_ds_process_definition", new Dictionary<string, object?>
        {
            ["code"] = code, ["name"] = name, ["version"] = 1, ["description"] = "", ["project_code"] = ProjectCode, ["release_state"] = online ? 1 : 0,
            ["user_id"] = 1, ["global_params"] = "[]", ["flag"] = 1, ["locations"] = "[]", ["warning_group_id"] = null, ["timeout"] = 0, ["tenant_id"] = -1,
            ["execution_type"] = 0, ["create_time"] = Now, ["update_time"] = Now,
        }).ConfigureAwait(false);
        return code;
    }

    private async Task<int> InstanceAsync(long code, int state, string host, DateTime start, DateTime? end) =>
        (int)await ctx.Db.InsertAsync("t_ds_process_instance", new Dictionary<string, object?>
        {
            ["name"] = $"probe-{code}-{start:yyyyMMddHHmmss}", ["process_definition_code"] = code, ["process_definition_version"] = 1, ["project_code"] = ProjectCode,
            ["state"] = state, ["recovery"] = 0, ["start_time"] = start, ["end_time"] = end, ["run_times"] = 1, ["host"] = host, ["command_type"] = 0,
            ["task_depend_type"] = 2, ["max_try_times"] = 0, ["failure_strategy"] = 0, ["warning_type"] = 0, ["flag"] = 1, ["update_time"] = end ?? start,
            ["is_sub_process"] = 0, ["executor_id"] = 1, ["process_instance_priority"] = 2, ["worker_group"] = "default", ["environment_code"] = -1L,
            ["timeout"] = 0, ["tenant_id"] = -1, ["tenant_code"] = "default", ["dry_run"] = 0, ["next_process_instance_id"] = 0, ["test_flag"] = 0,
        }).ConfigureAwait(false);

    private Task<long> TaskAsync(int instanceId, string name, int state, string host, DateTime start, DateTime? end) =>
        ctx.Db.InsertAsync("t_ds_task_instance", new Dictionary<string, object?>
        {
            ["name"] = name, ["task_type"] = "SHELL", ["task_code"] = _nextCode++, ["task_definition_version"] = 1, ["process_instance_id"] = instanceId,
            ["project_code"] = ProjectCode, ["state"] = state, ["submit_time"] = start, ["start_time"] = start, ["end_time"] = end, ["host"] = host,
            ["log_path"] = "/tmp/probe.log", ["alert_flag"] = 0, ["retry_times"] = 0, ["pid"] = 0, ["max_retry_times"] = 0, ["retry_interval"] = 1,
            ["flag"] = 1, ["task_instance_priority"] = 2, ["worker_group"] = "default", ["environment_code"] = -1L, ["executor_id"] = 1,
            ["first_submit_time"] = start, ["delay_time"] = 0, ["dry_run"] = 0, ["cpu_quota"] = -1, ["memory_max"] = -1, ["test_flag"] = 0,
        });

    /// <summary>An online schedule that starts in ten years, so the simulated master never fires it.</summary>
    private Task<long> ScheduleAsync(long code) => ctx.Db.InsertAsync("t_ds_schedules", new Dictionary<string, object?>
    {
        ["process_definition_code"] = code, ["start_time"] = Now.AddYears(10), ["end_time"] = Now.AddYears(11), ["timezone_id"] = "UTC",
        ["crontab"] = "0 0 3 * * ? *", ["failure_strategy"] = 0, ["user_id"] = 1, ["release_state"] = 1, ["warning_type"] = 0, ["warning_group_id"] = 0,
        ["process_instance_priority"] = 2, ["worker_group"] = "default", ["tenant_code"] = "default", ["environment_code"] = -1L,
        ["create_time"] = Now, ["update_time"] = Now,
    });
}
