using DsOps.Engine.Dialects;
using MySqlConnector;

namespace DsOps.Testing.History;

/// <summary>The codes and ids of the problems <see cref="IntegrityProblems.SeedAsync"/> planted.</summary>
public sealed class SeededProblems
{
    public long DuplicatedTaskCode { get; init; }
    public long DuplicatedLogTaskCode { get; init; }
    public long MissingTaskCode { get; init; }
    public int DanglingRelationId { get; init; }
    public long OrphanTaskCode { get; init; }
    public long ScheduleWorkflowCode { get; init; }
    public int DeadScheduleId { get; init; }
    public long CommandWorkflowCode { get; init; }
    public int RunningWithoutHostId { get; init; }
    /// <summary>3.0-3.2 only (0 otherwise): a running instance whose host is the text 'NULL' that DS's failover writes.</summary>
    public int RunningWithFailoverHostId { get; init; }
}

/// <summary>
/// Plants one of each metadata problem from docs/ds-facts.md §7 into a generated history (after
/// <see cref="HistoryGenerator"/>), with parameterized INSERTs on the admin connection.
/// </summary>
public static class IntegrityProblems
{
    public static async Task<SeededProblems> SeedAsync(string connectionString, DsDialect d, CancellationToken cancellationToken = default)
    {
        await using var conn = new MySqlConnection(connectionString);
        await conn.OpenAsync(cancellationToken).ConfigureAwait(false);
        var now = new DateTime(2026, 1, 1, 12, 0, 0);
        var dupCode = HistoryGenerator.TaskCodeBase;          // first generated task
        var dupLogCode = HistoryGenerator.TaskCodeBase + 1;
        const long missingTask = 99_999_999_999_001L;
        const long orphan = 99_999_999_999_002L;
        const long deadWorkflow = 99_999_999_999_003L;
        const long commandWorkflow = 99_999_999_999_004L;

        async Task<long> Exec(string sql, params (string, object?)[] ps)
        {
            await using var cmd = new MySqlCommand(sql, conn);
            foreach (var (n, v) in ps) cmd.Parameters.AddWithValue(n, v);
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return cmd.LastInsertedId;
        }

        var taskInsert = "(code, name, version, project_code, user_id, task_type, task_params, flag, create_time, update_time) " +
                         "VALUES (@code, @name, 1, @project, 1, 'SHELL', '{}', 1, @now, @now)";
        await Exec($"INSERT INTO {d.TaskDefinitionTable} {taskInsert}", ("@code", dupCode), ("@name", "dup_copy"), ("@project", HistoryGenerator.ProjectCodeBase), ("@now", now));
        await Exec($"INSERT INTO {d.TaskDefinitionLogTable} (code, name, version, project_code, user_id, task_type, task_params, flag, operator, operate_time, create_time, update_time) " +
                   "VALUES (@code, 'dup_log', 1, @project, 1, 'SHELL', '{}', 1, 1, @now, @now, @now)",
            ("@code", dupLogCode), ("@project", HistoryGenerator.ProjectCodeBase), ("@now", now));
        await Exec($"INSERT INTO {d.TaskDefinitionTable} {taskInsert}", ("@code", orphan), ("@name", "orphan_task"), ("@project", HistoryGenerator.ProjectCodeBase), ("@now", now));
        var relationId = (int)await Exec($"INSERT INTO {d.WorkflowTaskRelationTable} (name, project_code, {d.WorkflowCodeColumn}, {d.WorkflowVersionColumn}, " +
                                         "pre_task_code, pre_task_version, post_task_code, post_task_version, condition_type, create_time, update_time) " +
                                         "VALUES ('', @project, @wf, 1, @pre, 1, @post, 1, 0, @now, @now)",
            ("@project", HistoryGenerator.ProjectCodeBase), ("@wf", HistoryGenerator.WorkflowCodeBase), ("@pre", dupLogCode), ("@post", missingTask), ("@now", now));
        var scheduleId = (int)await Exec($"INSERT INTO {d.ScheduleTable} ({d.WorkflowCodeColumn}, start_time, end_time, timezone_id, crontab, failure_strategy, user_id, " +
                                         "release_state, warning_type, create_time, update_time) VALUES (@wf, @now, @now, 'UTC', '0 0 1 * * ? *', 0, 1, 1, 0, @now, @now)",
            ("@wf", deadWorkflow), ("@now", now));
        await Exec($"INSERT INTO {d.CommandTable} (command_type, {d.WorkflowCodeColumn}, start_time, update_time) VALUES (6, @wf, @now, @now)",
            ("@wf", commandWorkflow), ("@now", now));
        var running = (int)await Exec($"INSERT INTO {d.WorkflowInstanceTable} (name, {d.WorkflowCodeColumn}, state, start_time, host, executor_id) " +
                                      "VALUES ('no_host', @wf, 1, @now, NULL, 1)", ("@wf", HistoryGenerator.WorkflowCodeBase + 1), ("@now", now));
        var failoverHost = d.FailoverMarksState ? 0
            : (int)await Exec($"INSERT INTO {d.WorkflowInstanceTable} (name, {d.WorkflowCodeColumn}, state, start_time, host, executor_id) " +
                              "VALUES ('failover_pending', @wf, 1, @now, @host, 1)",
                ("@wf", HistoryGenerator.WorkflowCodeBase + 2), ("@now", now), ("@host", d.FailoverHostMarker));
        return new SeededProblems
        {
            DuplicatedTaskCode = dupCode, DuplicatedLogTaskCode = dupLogCode, MissingTaskCode = missingTask, DanglingRelationId = relationId,
            OrphanTaskCode = orphan, ScheduleWorkflowCode = deadWorkflow, DeadScheduleId = scheduleId, CommandWorkflowCode = commandWorkflow,
            RunningWithoutHostId = running, RunningWithFailoverHostId = failoverHost,
        };
    }
}
