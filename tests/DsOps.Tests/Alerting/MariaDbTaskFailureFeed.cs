using DsOps.Engine.Alerting;
using DsOps.Engine.Dialects;
using MySqlConnector;

namespace DsOps.Tests.Alerting;

/// <summary>
/// Test feed over a real DS metadata database (schema loaded verbatim): failed and killed task instances
/// whose end_time is in the window. The production metadata feed belongs to the metadata layer; this one
/// exists to prove the sweep against real rows. Times are read as UTC (the test server runs in UTC).
/// </summary>
public sealed class MariaDbTaskFailureFeed(string connectionString, DsDialect dialect) : IFailureFeed
{
    public async Task<IReadOnlyList<FailureEvent>> GetFailuresAsync(DateTime sinceUtc, DateTime untilUtc, CancellationToken cancellationToken)
    {
        var failed = dialect.StateCode(DsRunState.Failed, DsStateScope.Task)!.Value.Code;
        var killed = dialect.StateCode(DsRunState.Killed, DsStateScope.Task)!.Value.Code;
        await using var conn = new MySqlConnection(connectionString);
        await conn.OpenAsync(cancellationToken);
        await using var cmd = new MySqlCommand("""
            SELECT ti.id, ti.name, ti.retry_times, ti.state, ti.start_time, ti.end_time, ti.host, ti.log_path,
                   pi.name AS workflow, p.name AS project
            FROM t_ds_task_instance ti
            LEFT JOIN t_ds_process_instance pi ON pi.id = ti.process_instance_id
            LEFT JOIN t_ds_project p ON p.code = ti.project_code
            WHERE ti.state IN (@failed, @killed) AND ti.end_time >= @since AND ti.end_time < @until
            ORDER BY ti.end_time, ti.id
            """, conn);
        cmd.Parameters.AddWithValue("@failed", failed);
        cmd.Parameters.AddWithValue("@killed", killed);
        cmd.Parameters.AddWithValue("@since", sinceUtc);
        cmd.Parameters.AddWithValue("@until", untilUtc);
        var events = new List<FailureEvent>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetInt32(0);
            var retry = reader.GetInt32(2);
            events.Add(new FailureEvent
            {
                Key = FailureEvent.TaskKey(id, retry), Scope = FailureScope.Task, InstanceId = id,
                Task = reader.GetString(1), RetryTimes = retry,
                State = dialect.StateOf(reader.GetInt32(3), DsStateScope.Task),
                StartTimeUtc = reader.IsDBNull(4) ? null : DateTime.SpecifyKind(reader.GetDateTime(4), DateTimeKind.Utc),
                EndTimeUtc = DateTime.SpecifyKind(reader.GetDateTime(5), DateTimeKind.Utc),
                Host = reader.IsDBNull(6) ? null : reader.GetString(6),
                LogPath = reader.IsDBNull(7) ? null : reader.GetString(7),
                Workflow = reader.IsDBNull(8) ? "" : reader.GetString(8),
                Project = reader.IsDBNull(9) ? "" : reader.GetString(9),
            });
        }
        return events;
    }
}
