using DsOps.Emulator.Hosting;
using DsOps.Emulator.Simulation;
using DsOps.Emulator.Storage;
using DsOps.Engine.Dialects;

namespace DsOps.Emulator.Api;

/// <summary>
/// Task-instance actions per line (docs/ds-facts.md §3.7): force-success (every line) and stop (3.1+). The
/// workflow-instance execute actions (STOP, PAUSE, reruns) are in <see cref="ExecutorsApi"/>.
/// </summary>
public static class RunControlApi
{
    private const int NeedFaultTolerance = 8;

    public static void Register(EmulatorContext ctx, HandlerTable t)
    {
        const string tseg = "/projects/{projectCode}/task-instances";
        t.Map("POST", tseg + "/{id}/force-success", async r =>
        {
            var projectCode = r.PathLong(0);
            await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
            await ForceSuccessAsync(ctx, projectCode, (int)r.PathLong(1)).ConfigureAwait(false);
            return null;
        });

        if (ctx.Dialect.HasTaskInstanceStop)
        {
            t.Map("POST", tseg + "/{id}/stop", async r =>
            {
                var projectCode = r.PathLong(0);
                await ProjectsApi.RequireAsync(ctx, r, projectCode).ConfigureAwait(false);
                var id = (int)r.PathLong(1);
                _ = await ctx.Db.QuerySingleAsync("SELECT id FROM t_ds_task_instance WHERE id = @id", new { id }).ConfigureAwait(false)
                    ?? throw new DsServiceException(10008);
                // DS sends the kill to the task's worker without looking at the state; a task not running is left alone.
                await ctx.Master.KillTaskAsync(id).ConfigureAwait(false);
                return null;
            });
        }
    }

    /// <summary>
    /// 3.0/3.1: the task must be FAILURE, NEED_FAULT_TOLERANCE or KILL (10166). 3.2+: also in the project (10000) and
    /// its workflow instance finished (10000). When it was the workflow's only failed task and every task of the
    /// definition ran, a FAILURE or STOP workflow instance becomes SUCCESS.
    /// </summary>
    private static async Task ForceSuccessAsync(EmulatorContext ctx, long projectCode, int id)
    {
        var d = ctx.Dialect;
        var ti = await ctx.Db.QuerySingleAsync("SELECT ti.*, tl.project_code AS definition_project FROM t_ds_task_instance ti " +
            "LEFT JOIN t_ds_task_definition_log tl ON tl.code = ti.task_code AND tl.version = ti.task_definition_version WHERE ti.id = @id", new { id }).ConfigureAwait(false)
            ?? throw new DsServiceException(10008);
        var inProject = ti.Str("definition_project") is null || ti.Long("definition_project") == projectCode;
        if (!inProject)
            throw d.ForceSuccessNeedsFinishedWorkflow ? new DsServiceException(10000, "The task instance is not under the project: " + projectCode) : new DsServiceException(10008);
        var instanceId = ti.Int("process_instance_id");
        var inst = await ctx.Db.QuerySingleAsync("SELECT * FROM t_ds_process_instance WHERE id = @instanceId", new { instanceId }).ConfigureAwait(false)
            ?? throw new DsServiceException(50001, instanceId);
        var workflowState = inst.Int("state");
        if (d.ForceSuccessNeedsFinishedWorkflow && DsDialect.IsInProgress(d.StateOf(workflowState, DsStateScope.Workflow)))
            throw new DsServiceException(10000, $"The workflow instance is not finished: {d.StateName(workflowState, DsStateScope.Workflow)} cannot force start task instance");
        var state = ti.Int("state");
        if (state is not (SimulatedMaster.Failure or SimulatedMaster.Kill or NeedFaultTolerance))
            throw new DsServiceException(10166, id, d.StateName(state, DsStateScope.Task));
        await ctx.Db.ExecAsync("UPDATE t_ds_task_instance SET state = @s" + (d.ForceSuccessNeedsFinishedWorkflow ? ", end_time = @now" : "") + " WHERE id = @id",
            new { s = SimulatedMaster.ForcedSuccess, now = ctx.Now, id }).ConfigureAwait(false);

        if (workflowState is not (SimulatedMaster.Failure or SimulatedMaster.Stop)) return;
        var valid = await ctx.Db.QueryAsync("SELECT task_code, state FROM t_ds_task_instance WHERE process_instance_id = @instanceId AND flag = 1", new { instanceId }).ConfigureAwait(false);
        var defined = await ctx.Db.QueryAsync("SELECT DISTINCT r.post_task_code AS code FROM t_ds_process_task_relation_log r " +
            "JOIN t_ds_task_definition_log tl ON tl.code = r.post_task_code AND tl.version = r.post_task_version " +
            "WHERE r.process_definition_code = @code AND r.process_definition_version = @version AND tl.flag = 1",
            new { code = inst.Long("process_definition_code"), version = inst.Int("process_definition_version") }).ConfigureAwait(false);
        var ran = valid.Select(v => v.Long("task_code")).ToHashSet();
        var failedOthers = valid.Count(v => v.Int("state") is SimulatedMaster.Failure or SimulatedMaster.Kill or NeedFaultTolerance);
        if (failedOthers == 0 && ran.SetEquals(defined.Select(x => x.Long("code"))))
            await ctx.Db.ExecAsync("UPDATE t_ds_process_instance SET state = @s WHERE id = @instanceId", new { s = SimulatedMaster.Success, instanceId }).ConfigureAwait(false);
    }
}
