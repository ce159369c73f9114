using DsOps.Engine.Dialects;

namespace DsOps.Testing.History;

/// <summary>Column lists of the DS tables the history generators bulk-load, per dialect (one place for both generators).</summary>
public static class HistoryColumns
{
    /// <summary>Added to a definition table's columns for its _log table.</summary>
    public static readonly string[] LogExtra = { "operator", "operate_time" };

    public static List<string> WorkflowDefinition(DsDialect d)
    {
        var columns = new List<string> { "code", "name", "version", "description", "project_code", "release_state", "user_id",
            "global_params", "flag", "locations", "warning_group_id", "timeout", "execution_type", "create_time", "update_time" };
        if (d.DefinitionsHaveTenantId) columns.Add("tenant_id");
        return columns;
    }

    public static string[] TaskDefinition { get; } = { "code", "name", "version", "description", "project_code", "user_id", "task_type", "task_params",
        "flag", "task_priority", "worker_group", "environment_code", "fail_retry_times", "fail_retry_interval", "timeout_flag",
        "timeout", "delay_time", "create_time", "update_time" };

    public static string[] Relation(DsDialect d) => new[] { "name", "project_code", d.WorkflowCodeColumn, d.WorkflowVersionColumn, "pre_task_code",
        "pre_task_version", "post_task_code", "post_task_version", "condition_type", "condition_params", "create_time", "update_time" };

    public static List<string> WorkflowInstance(DsDialect d)
    {
        var columns = new List<string> { "id", "name", d.WorkflowCodeColumn, d.WorkflowVersionColumn, "state", "recovery", "start_time",
            "end_time", "run_times", "host", "command_type", "task_depend_type", "max_try_times", "failure_strategy", "warning_type",
            "schedule_time", "command_start_time", "flag", d.IsSubWorkflowColumn, "executor_id", d.WorkflowPriorityColumn, "worker_group",
            "timeout", d.InstanceTenantColumn, "dry_run" };
        if (d.InstancesHaveProjectCode) columns.Add("project_code");
        if (d.HasTestFlag) columns.Add("test_flag");
        return columns;
    }

    /// <summary>Task-instance columns; the denormalised workflow-instance name (3.2+) only when <paramref name="withWorkflowName"/>.</summary>
    public static List<string> TaskInstance(DsDialect d, bool withWorkflowName)
    {
        var columns = new List<string> { "id", "name", "task_type", "task_code", "task_definition_version", d.WorkflowInstanceIdColumn,
            "state", "submit_time", "start_time", "end_time", "host", "execute_path", "log_path", "retry_times", "max_retry_times",
            "retry_interval", "flag", "task_instance_priority", "worker_group", "executor_id", "first_submit_time" };
        if (withWorkflowName && d.TaskInstanceWorkflowNameColumn is { } name) columns.Add(name);
        if (d.InstancesHaveProjectCode) columns.Add("project_code");
        if (d.HasTestFlag) columns.Add("test_flag");
        return columns;
    }
}
