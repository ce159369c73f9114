using DsOps.Engine.Dialects;
using MySqlConnector;

namespace DsOps.Testing.History;

/// <summary>What to generate. Defaults match the benchmark's shape scaled down by the caller.</summary>
public sealed record HistoryOptions
{
    /// <summary>Number of business days, ending with <see cref="LastDay"/>.</summary>
    public int Days { get; init; } = 30;
    public int Workflows { get; init; } = 4000;
    /// <summary>Target task instances per day (each workflow runs once a day; its tasks share this budget).</summary>
    public int TasksPerDay { get; init; } = 20_000;
    /// <summary>Share of workflow instances that fail (one task fails after its retries).</summary>
    public double FailureRate { get; init; } = 0.03;
    public int Seed { get; init; } = 42;
    /// <summary>Last business day (server-local dates; DS stores server-local DATETIME).</summary>
    public DateOnly LastDay { get; init; } = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);
    /// <summary>Projects; 0 means one per 200 workflows (or one per name of <see cref="ProjectNames"/>).</summary>
    public int Projects { get; init; }
    /// <summary>Project names (default project_00, project_01, ...); their count sets the number of projects.</summary>
    public IReadOnlyList<string>? ProjectNames { get; init; }
    /// <summary>Workflow name prefix per project index (default "wf": wf_00000, wf_00001, ...).</summary>
    public string WorkflowNamePrefix { get; init; } = "wf";
    /// <summary>Instances left RUNNING with a NULL host (failover never finished, docs/ds-facts.md §7 #16/#13355).</summary>
    public int StuckInstances { get; init; } = 2;
    /// <summary>Instances of the last day still running normally (host set, no end time).</summary>
    public int StillRunning { get; init; } = 3;
    /// <summary>Scheduled workflows with no instance at all on the last day.</summary>
    public int NotStarted { get; init; } = 4;
    /// <summary>Pending rows in t_ds_command and rejected rows in t_ds_error_command.</summary>
    public int Commands { get; init; } = 40;
    public int ErrorCommands { get; init; } = 3;
}

/// <summary>Facts about one generated business day, for asserting what reports must find.</summary>
public sealed class HistoryDay
{
    public DateOnly Date { get; init; }
    public List<int> InstanceIds { get; } = new();
    public List<int> FailedInstanceIds { get; } = new();
    public List<int> SucceededInstanceIds { get; } = new();
    public List<int> RunningInstanceIds { get; } = new();
    /// <summary>Final (flag=1) task instances in state FAILURE.</summary>
    public List<int> FailedTaskInstanceIds { get; } = new();
    /// <summary>All task-instance rows of the day, including flag=0 earlier tries.</summary>
    public int TaskRows { get; set; }
    public int LongestInstanceId { get; set; }
}

/// <summary>What the generator wrote: ids and codes tests can assert against.</summary>
public sealed class HistoryFacts
{
    public required DsDialect Dialect { get; init; }
    public required HistoryOptions Options { get; init; }
    public Dictionary<DateOnly, HistoryDay> Days { get; } = new();
    public Dictionary<long, string> WorkflowNames { get; } = new();
    public Dictionary<long, string> WorkflowProjects { get; } = new();
    public List<long> ProjectCodes { get; } = new();
    public List<int> StuckInstanceIds { get; } = new();
    /// <summary>Workflows with an online schedule that did not run on the last day.</summary>
    public List<long> NotStartedWorkflowCodes { get; } = new();
    public Dictionary<int, int> CommandsByType { get; } = new();
    public List<int> ErrorCommandIds { get; } = new();
    public int TotalTaskRows { get; set; }
    public int TotalInstances { get; set; }
    public HistoryDay Day(DateOnly date) => Days[date];
    public HistoryDay LastDay => Days[Options.LastDay];
}

/// <summary>
/// Fills a DS-schema database (3.0.1, 3.1.9, 3.2.2, 3.3-dev or 3.4.3) with realistic history:
/// projects, workflow and task definitions (+ _log) chained by relations, daily schedules, one
/// instance per workflow per day with a start-time spread and long tails, task instances with
/// retries (flag=0 earlier tries), failures, still-running and stuck instances, commands and
/// error commands. Deterministic from <see cref="HistoryOptions.Seed"/>. Uses LOAD DATA LOCAL INFILE.
/// Shared by tests, benchmarks and the emulator's sandbox.
/// </summary>
public static class HistoryGenerator
{
    public const long ProjectCodeBase = 9_000_000_000_000L;
    public const long WorkflowCodeBase = 10_000_000_000_000L;
    public const long TaskCodeBase = 20_000_000_000_000L;
    private static readonly string[] MasterHosts = { "10.0.0.11:5678", "10.0.0.12:5678", "10.0.0.13:5678" };
    private static readonly string[] WorkerHosts = Enumerable.Range(1, 8).Select(i => $"10.0.1.{i}:1234").ToArray();
    private static readonly string[] TaskTypes = { "SHELL", "SQL", "SHELL", "PYTHON", "SHELL", "SPARK", "SQL" };

    /// <summary>Detects the dialect from the schema label ("3.0.1", "3.2.2", "3.3-dev", "3.4.3") and generates.</summary>
    public static Task<HistoryFacts> GenerateAsync(string connectionString, string schemaVersion, HistoryOptions options,
        CancellationToken cancellationToken = default) =>
        GenerateAsync(connectionString, DsDialect.Parse(schemaVersion), options, cancellationToken);

    public static async Task<HistoryFacts> GenerateAsync(string connectionString, DsDialect dialect, HistoryOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Days < 1 || options.Workflows < 1 || options.TasksPerDay < options.Workflows)
            throw new ArgumentException("Need Days >= 1, Workflows >= 1 and TasksPerDay >= Workflows.", nameof(options));

        var builder = new MySqlConnectionStringBuilder(connectionString) { AllowLoadLocalInfile = true, AllowUserVariables = true };
        await using var conn = new MySqlConnection(builder.ConnectionString);
        await conn.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var cmd = new MySqlCommand("SET SESSION foreign_key_checks = 0, unique_checks = 0", conn))
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

        var d = dialect;
        var rng = new Random(options.Seed);
        var facts = new HistoryFacts { Dialect = d, Options = options };
        var created = options.LastDay.AddDays(-options.Days - 30).ToDateTime(new TimeOnly(9, 0));
        var projects = options.ProjectNames is { Count: > 0 } names ? names.Count
            : options.Projects > 0 ? options.Projects : Math.Max(1, options.Workflows / 200);
        string ProjectName(int p) => options.ProjectNames is { Count: > 0 } n ? n[p] : $"project_{p:00}";

        // ---- projects ----
        var projectTable = new BulkTable(d.ProjectTable, new[] { "id", "name", "code", "description", "user_id", "flag", "create_time", "update_time" });
        for (var p = 0; p < projects; p++)
        {
            facts.ProjectCodes.Add(ProjectCodeBase + p);
            await projectTable.AddAsync(conn, p + 1, ProjectName(p), ProjectCodeBase + p, "generated", 1, 1, created, created).ConfigureAwait(false);
        }
        await projectTable.FlushAsync(conn).ConfigureAwait(false);

        // ---- workflow and task definitions, relations, schedules ----
        var defColumns = HistoryColumns.WorkflowDefinition(d);
        var defLogColumns = defColumns.Concat(HistoryColumns.LogExtra).ToList();
        var wfDef = new BulkTable(d.WorkflowDefinitionTable, defColumns);
        var wfDefLog = new BulkTable(d.WorkflowDefinitionLogTable, defLogColumns);

        var taskDef = new BulkTable(d.TaskDefinitionTable, HistoryColumns.TaskDefinition);
        var taskDefLog = new BulkTable(d.TaskDefinitionLogTable, HistoryColumns.TaskDefinition.Concat(HistoryColumns.LogExtra));

        var relColumns = HistoryColumns.Relation(d);
        var rel = new BulkTable(d.WorkflowTaskRelationTable, relColumns);
        var relLog = new BulkTable(d.WorkflowTaskRelationLogTable, relColumns.Concat(HistoryColumns.LogExtra));

        var schedColumns = new List<string> { d.WorkflowCodeColumn, "start_time", "end_time", "timezone_id", "crontab", "failure_strategy",
            "user_id", "release_state", "warning_type", "warning_group_id", d.WorkflowPriorityColumn, "worker_group", "environment_code",
            "create_time", "update_time" };
        var sched = new BulkTable(d.ScheduleTable, schedColumns);

        var baseTasks = options.TasksPerDay / options.Workflows;
        var extraTasks = options.TasksPerDay % options.Workflows;
        var wf = new WorkflowPlan[options.Workflows];
        long nextTaskCode = TaskCodeBase;
        for (var w = 0; w < options.Workflows; w++)
        {
            var code = WorkflowCodeBase + w;
            var project = ProjectCodeBase + w % projects;
            var name = $"{options.WorkflowNamePrefix}_{w:00000}";
            var taskCount = baseTasks + (w < extraTasks ? 1 : 0);
            var tasks = new (long Code, string Name, string Type, int Retries)[taskCount];
            for (var t = 0; t < taskCount; t++)
                tasks[t] = (nextTaskCode++, $"{name}_t{t}", TaskTypes[rng.Next(TaskTypes.Length)], rng.Next(0, 3));
            // Start spread over 00:00–06:00 (most batch windows); durations 1–30 min with a few heavy ones.
            var startMinute = rng.Next(0, 360);
            var baseSeconds = rng.Next(60, 1800) * (rng.NextDouble() < 0.02 ? 6 : 1);
            wf[w] = new WorkflowPlan(code, name, project, tasks, startMinute, baseSeconds);
            facts.WorkflowNames[code] = name;
            facts.WorkflowProjects[code] = ProjectName(w % projects);

            var defValues = new List<object?> { code, name, 1, "generated", project, 1, 1, "[]", 1, "[]", null, 0, 0, created, created };
            if (d.DefinitionsHaveTenantId) defValues.Add(-1);
            await wfDef.AddAsync(conn, defValues.ToArray()).ConfigureAwait(false);
            await wfDefLog.AddAsync(conn, defValues.Concat(new object?[] { 1, created }).ToArray()).ConfigureAwait(false);

            long pre = 0;
            foreach (var task in tasks)
            {
                object?[] tv = { task.Code, task.Name, 1, "", project, 1, task.Type, "{\"rawScript\":\"echo generated\"}", 1, 2,
                    "default", -1L, task.Retries, 1, 0, 0, 0, created, created };
                await taskDef.AddAsync(conn, tv).ConfigureAwait(false);
                await taskDefLog.AddAsync(conn, tv.Concat(new object?[] { 1, created }).ToArray()).ConfigureAwait(false);
                object?[] rv = { "", project, code, 1, pre, pre == 0 ? 0 : 1, task.Code, 1, 0, "{}", created, created };
                await rel.AddAsync(conn, rv).ConfigureAwait(false);
                await relLog.AddAsync(conn, rv.Concat(new object?[] { 1, created }).ToArray()).ConfigureAwait(false);
                pre = task.Code;
            }
            var crontab = $"0 {startMinute % 60} {startMinute / 60} * * ? *";
            await sched.AddAsync(conn, code, created, created.AddYears(10), "UTC", crontab, 0, 1, 1, 0, null, 2, "default", -1L, created, created)
                .ConfigureAwait(false);
        }
        foreach (var t in new[] { wfDef, wfDefLog, taskDef, taskDefLog, rel, relLog, sched })
            await t.FlushAsync(conn).ConfigureAwait(false);

        // ---- instances and task instances, day by day ----
        var inst = new BulkTable(d.WorkflowInstanceTable, HistoryColumns.WorkflowInstance(d));
        var ti = new BulkTable(d.TaskInstanceTable, HistoryColumns.TaskInstance(d, withWorkflowName: true), flushRows: 100_000);

        var notStarted = new HashSet<int>();
        while (notStarted.Count < Math.Min(options.NotStarted, options.Workflows / 2)) notStarted.Add(rng.Next(options.Workflows));
        facts.NotStartedWorkflowCodes.AddRange(notStarted.Select(w => wf[w].Code).OrderBy(c => c));
        var runningToday = new HashSet<int>();
        while (runningToday.Count < Math.Min(options.StillRunning, options.Workflows / 2))
        {
            var w = rng.Next(options.Workflows);
            if (!notStarted.Contains(w)) runningToday.Add(w);
        }

        var instanceId = 0;
        var taskInstanceId = 0;
        var firstDay = options.LastDay.AddDays(-(options.Days - 1));
        for (var day = firstDay; day <= options.LastDay; day = day.AddDays(1))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var facet = new HistoryDay { Date = day };
            facts.Days[day] = facet;
            var midnight = day.ToDateTime(TimeOnly.MinValue);
            var isLast = day == options.LastDay;
            var longest = TimeSpan.Zero;
            for (var w = 0; w < wf.Length; w++)
            {
                if (isLast && notStarted.Contains(w)) continue;
                var plan = wf[w];
                var id = ++instanceId;
                var scheduled = midnight.AddMinutes(plan.StartMinute);
                // Keep every start inside its business day so day facts are exact.
                var start = scheduled.AddSeconds(rng.Next(0, 90));
                var factor = 0.8 + rng.NextDouble() * 0.4;
                if (rng.NextDouble() < 0.01) factor *= 5; // long tail
                var duration = TimeSpan.FromSeconds(plan.BaseSeconds * factor);
                var failed = rng.NextDouble() < options.FailureRate;
                var running = isLast && runningToday.Contains(w);
                var failAt = failed ? rng.Next(plan.Tasks.Length) : -1;
                var runAt = running ? rng.Next(plan.Tasks.Length) : -1;
                var state = running ? 1 : failed ? 6 : 7;
                var master = MasterHosts[w % MasterHosts.Length];

                // Tasks: sequential chain sharing the instance's duration.
                var slice = TimeSpan.FromTicks(duration.Ticks / plan.Tasks.Length);
                var cursor = start.AddSeconds(1);
                for (var t = 0; t < plan.Tasks.Length; t++)
                {
                    var task = plan.Tasks[t];
                    var worker = WorkerHosts[(w + t) % WorkerHosts.Length];
                    var taskState = t == failAt ? 6 : t == runAt ? 1 : 7;
                    // Earlier tries: the failing task uses all its retries; a few successful ones needed one retry.
                    var tries = taskState == 6 ? task.Retries : taskState == 7 && rng.NextDouble() < 0.03 && task.Retries > 0 ? 1 : 0;
                    for (var r = 0; r < tries; r++)
                    {
                        var tryEnd = cursor.AddSeconds(5 + rng.Next(20));
                        await ti.AddAsync(conn, TaskRow(d, ++taskInstanceId, task, id, 6, cursor, tryEnd, worker, r, 0, plan, day)).ConfigureAwait(false);
                        facet.TaskRows++;
                        cursor = tryEnd.AddSeconds(60);
                    }
                    var end = cursor + slice;
                    await ti.AddAsync(conn, TaskRow(d, ++taskInstanceId, task, id, taskState, cursor, taskState == 1 ? null : end, worker, tries, 1, plan, day))
                        .ConfigureAwait(false);
                    facet.TaskRows++;
                    if (taskState == 6) facet.FailedTaskInstanceIds.Add(taskInstanceId);
                    cursor = end.AddSeconds(1);
                    if (taskState != 7) break; // failure strategy END; a running task is the last one so far
                }
                var instanceEnd = running ? (DateTime?)null : cursor;
                if (instanceEnd is { } e && e - start > longest)
                {
                    longest = e - start;
                    facet.LongestInstanceId = id;
                }
                await inst.AddAsync(conn, InstanceRow(d, id, plan, state, start, instanceEnd, master, scheduled)).ConfigureAwait(false);
                facet.InstanceIds.Add(id);
                (state switch { 6 => facet.FailedInstanceIds, 7 => facet.SucceededInstanceIds, _ => facet.RunningInstanceIds }).Add(id);
            }
            facts.TotalTaskRows += facet.TaskRows;
        }

        // Stuck: RUNNING with NULL host, started two days before the last day (or on it when only one day).
        var stuckDay = options.LastDay.AddDays(-Math.Min(2, options.Days - 1));
        for (var s = 0; s < options.StuckInstances; s++)
        {
            var plan = wf[(s * 7 + 1) % wf.Length];
            var id = ++instanceId;
            var start = stuckDay.ToDateTime(new TimeOnly(7, 0)).AddMinutes(s * 3);
            await inst.AddAsync(conn, InstanceRow(d, id, plan, 1, start, null, null, start)).ConfigureAwait(false);
            await ti.AddAsync(conn, TaskRow(d, ++taskInstanceId, plan.Tasks[0], id, 1, start.AddSeconds(2), null, WorkerHosts[0], 0, 1, plan, stuckDay))
                .ConfigureAwait(false);
            facts.StuckInstanceIds.Add(id);
            facts.Days[stuckDay].InstanceIds.Add(id);
            facts.Days[stuckDay].RunningInstanceIds.Add(id);
            facts.Days[stuckDay].TaskRows++;
            facts.TotalTaskRows++;
        }
        await inst.FlushAsync(conn).ConfigureAwait(false);
        await ti.FlushAsync(conn).ConfigureAwait(false);
        facts.TotalInstances = instanceId;

        // ---- command queue and rejected commands ----
        var cmdColumns = new List<string> { "command_type", d.WorkflowCodeColumn, d.WorkflowVersionColumn, d.WorkflowInstanceIdColumn,
            "command_param", "task_depend_type", "failure_strategy", "warning_type", "schedule_time", "start_time", "executor_id",
            "update_time", d.WorkflowPriorityColumn, "worker_group", "environment_code", "dry_run" };
        if (d.CommandsHaveTenantCode) cmdColumns.Add("tenant_code");
        var commands = new BulkTable(d.CommandTable, cmdColumns);
        var now = options.LastDay.AddDays(1).ToDateTime(new TimeOnly(8, 0));
        int[] typeMix = { 6, 6, 6, 6, 0, 7, 5 };
        for (var c = 0; c < options.Commands; c++)
        {
            var type = typeMix[c % typeMix.Length];
            facts.CommandsByType[type] = facts.CommandsByType.GetValueOrDefault(type) + 1;
            var created2 = now.AddMinutes(-(c * 7 % 600));
            var values = new List<object?> { type, wf[c % wf.Length].Code, 1, 0, "{}", 2, 0, 0, created2, created2, 1, created2, 2, "default", -1L, 0 };
            if (d.CommandsHaveTenantCode) values.Add("default");
            await commands.AddAsync(conn, values.ToArray()).ConfigureAwait(false);
        }
        await commands.FlushAsync(conn).ConfigureAwait(false);

        var errColumns = cmdColumns.Where(c => c != "tenant_code").Prepend("id").Append("message").ToList();
        if (d.CommandsHaveTenantCode) errColumns.Add("tenant_code");
        var errors = new BulkTable(d.ErrorCommandTable, errColumns);
        for (var c = 0; c < options.ErrorCommands; c++)
        {
            var id = 900_000 + c;
            facts.ErrorCommandIds.Add(id);
            var at = now.AddHours(-3).AddMinutes(c);
            var values = new List<object?> { id, 6, wf[(c * 13) % wf.Length].Code, 1, 0, "{}", 2, 0, 0, at, at, 1, at, 2, "default", -1L, 0,
                "generated: master could not create the workflow instance" };
            if (d.CommandsHaveTenantCode) values.Add("default");
            await errors.AddAsync(conn, values.ToArray()).ConfigureAwait(false);
        }
        await errors.FlushAsync(conn).ConfigureAwait(false);

        await using (var analyze = new MySqlCommand(
                         $"ANALYZE TABLE `{d.WorkflowInstanceTable}`, `{d.TaskInstanceTable}`, `{d.WorkflowDefinitionTable}`, `{d.TaskDefinitionTable}`", conn))
        {
            analyze.CommandTimeout = 300;
            await using var reader = await analyze.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) { }
        }
        return facts;
    }

    private static object?[] InstanceRow(DsDialect d, int id, WorkflowPlan plan, int state, DateTime start, DateTime? end, string? host, DateTime scheduled)
    {
        var values = new List<object?> { id, $"{plan.Name}-1-{start:yyyyMMddHHmmssfff}", plan.Code, 1, state, 0, start, end, 1, host, 6, 2, 0, 0, 0,
            scheduled, scheduled, 1, 0, 1, 2, "default", 0, d.InstanceTenantColumn == "tenant_code" ? "default" : -1, 0 };
        if (d.InstancesHaveProjectCode) values.Add(plan.Project);
        if (d.HasTestFlag) values.Add(0);
        return values.ToArray();
    }

    private static object?[] TaskRow(DsDialect d, int id, (long Code, string Name, string Type, int Retries) task, int instanceId, int state,
        DateTime start, DateTime? end, string host, int retryTimes, int flag, WorkflowPlan plan, DateOnly day)
    {
        var values = new List<object?> { id, task.Name, task.Type, task.Code, 1, instanceId, state, start, start, end, host,
            $"/tmp/dolphinscheduler/exec/{instanceId}/{id}", $"/opt/ds/logs/{day:yyyyMMdd}/{instanceId}/{id}.log", retryTimes, task.Retries,
            1, flag, 2, "default", 1, start };
        if (d.TaskInstanceWorkflowNameColumn is not null) values.Add($"{plan.Name}-1");
        if (d.InstancesHaveProjectCode) values.Add(plan.Project);
        if (d.HasTestFlag) values.Add(0);
        return values.ToArray();
    }

    private sealed record WorkflowPlan(long Code, string Name, long Project, (long Code, string Name, string Type, int Retries)[] Tasks,
        int StartMinute, int BaseSeconds);
}
