using DsOps.Engine.Dialects;
using DsOps.Engine.Metadata;

namespace DsOps.Engine.Inspection;

// Checks that read the metadata database. Every query is a read-only SELECT on DsOps's metadata session;
// instance scans enter through start_time_index (docs/reports-and-metadata.md), so cost follows the look-back window.
internal static partial class HealthCatalog
{
    private static DsHealthResult[] NoMetadata(HealthRun run, HealthCheck c) => new[] { c.Skip(run, "No metadata connection (Connect-DsMetadata).") };

    private static IEnumerable<HealthCheck> MetadataChecks()
    {
        yield return new HealthCheck
        {
            Info = Info("Command.Backlog", "The command queue is short and moving", Critical, Metadata,
                "Commands wait in t_ds_command until a master turns them into instances; a growing or old queue means masters are overloaded, stuck or gone, and schedules run late.",
                "Check Node.Load and Node.Inventory for masters; restart a stuck master; spread large backfills over time.",
                "3.0-3.4", Quick, Commands,
                T("maxCount", 200, " commands", "pending commands"), T("maxAgeMinutes", 15, " min", "age of the oldest pending command")),
            Evaluate = async (run, c, ct) =>
            {
                if (run.Metadata is null) return NoMetadata(run, c);
                var d = run.Dialect;
                var row = (await run.QueryAsync($"SELECT COUNT(*), MIN(start_time) FROM {d.CommandTable}", null,
                    r => (Count: r.GetInt64(0), Oldest: r.IsDBNull(1) ? (DateTime?)null : r.GetDateTime(1)), ct).ConfigureAwait(false))[0];
                var maxCount = run.Required(c, "maxCount");
                var maxAge = run.Required(c, "maxAgeMinutes");
                var age = row.Oldest is { } o ? (run.ServerNow - o).TotalMinutes : 0;
                var measured = $"{row.Count} commands, oldest {HealthCheck.F(Math.Max(age, 0), "0")} min";
                var threshold = $"≤ {HealthCheck.F(maxCount)} commands, ≤ {HealthCheck.F(maxAge)} min";
                return new[]
                {
                    row.Count <= maxCount && age <= maxAge
                        ? c.Pass(run, d.CommandTable, "the queue is short", measured, threshold)
                        : c.Violated(run, d.CommandTable, $"{row.Count} commands waiting, the oldest for {HealthCheck.F(age, "0")} min.", measured, threshold),
                };
            },
        };

        yield return new HealthCheck
        {
            Info = Info("Command.Errors", "No command was rejected recently", Critical, Metadata,
                "A master moves a command it cannot turn into an instance to t_ds_error_command: that run (often a scheduled one) never happened.",
                "Read the message; fix the cause (missing workflow, tenant, worker group, duplicate key), then re-run the workflow for the missed date and delete the error row.",
                "3.0-3.4", Quick, Commands,
                T("lookbackHours", 24, " h", "how far back to look"), T("maxCount", 0, " commands", "rejected commands tolerated")),
            Evaluate = async (run, c, ct) =>
            {
                if (run.Metadata is null) return NoMetadata(run, c);
                var hours = run.Required(c, "lookbackHours");
                var errors = await run.Reader!.GetErrorCommandsAsync(run.AsOf.AddHours(-hours), 50, ct).ConfigureAwait(false);
                var max = run.Required(c, "maxCount");
                if (errors.Count <= max)
                    return new[] { c.Pass(run, run.Dialect.ErrorCommandTable, $"{errors.Count} rejected commands in the last {HealthCheck.F(hours)} h", errors.Count.ToString(), "≤ " + HealthCheck.F(max)) };
                return errors.Select(e => c.Violated(run, $"error command #{e.Id} {e.Project}/{e.Workflow}",
                    $"{e.CommandType} rejected at {e.Created:yyyy-MM-dd HH:mm}: {Shorten(e.Message)}", errors.Count.ToString(), "≤ " + HealthCheck.F(max))).ToArray();
            },
        };

        yield return new HealthCheck
        {
            Info = Info("Command.IdReuse", "New command ids cannot collide with error commands or trigger relations", Critical, Metadata,
                "DS reuses the command id as t_ds_error_command's key and (3.2) t_ds_trigger_relation.job_id; MySQL up to 5.7 resets AUTO_INCREMENT to MAX(id)+1 on restart, so after cleanup new commands collide ('Duplicate entry', 'selectOne … found: 2') and workflows stop starting.",
                "Delete t_ds_error_command and t_ds_trigger_relation rows at or above the next command id (after checking them), or raise t_ds_command's AUTO_INCREMENT above them.",
                "3.0-3.4 (trigger relations 3.2.x)", Deep, Commands),
            Evaluate = async (run, c, ct) =>
            {
                if (run.Metadata is null) return NoMetadata(run, c);
                var d = run.Dialect;
                // MySQL 8 may serve information_schema.TABLES.AUTO_INCREMENT from a cache (information_schema_stats_expiry);
                // MySQL 8 also persists the counter, so the reuse hazard itself is a ≤5.7 (and MariaDB < 10.2.4) one.
                var next = (await run.QueryAsync(
                    $"SELECT COALESCE(AUTO_INCREMENT, 1) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{d.CommandTable}'",
                    null, r => Convert.ToInt64(r.GetValue(0)), ct).ConfigureAwait(false)).FirstOrDefault(1);
                var maxError = (await run.QueryAsync($"SELECT COALESCE(MAX(id), 0) FROM {d.ErrorCommandTable}", null, r => Convert.ToInt64(r.GetValue(0)), ct).ConfigureAwait(false))[0];
                long maxTrigger = 0;
                if (d.HasTriggerRelation)
                    // trigger_type 2 = COMMAND (job_id holds a command id); 0/1 rows hold instance ids. Type numbering unverified.
                    maxTrigger = (await run.QueryAsync($"SELECT COALESCE(MAX(job_id), 0) FROM {d.TriggerRelationTable} WHERE trigger_type = {DsDialect.TriggerTypeCommand}", null,
                        r => Convert.ToInt64(r.GetValue(0)), ct).ConfigureAwait(false))[0];
                var measured = $"next {next}; error max {maxError}" + (d.HasTriggerRelation ? $"; trigger max {maxTrigger}" : "");
                var threshold = "next > every used id";
                var clash = Math.Max(maxError, maxTrigger);
                return new[]
                {
                    next > clash
                        ? c.Pass(run, d.CommandTable, "the next command id is above every id it is reused as", measured, threshold)
                        : c.Violated(run, d.CommandTable, $"The next command id {next} is not above {clash}, already used by " +
                            (maxError >= maxTrigger ? d.ErrorCommandTable : d.TriggerRelationTable) + ": new commands will collide.", measured, threshold),
                };
            },
        };

        yield return new HealthCheck
        {
            Info = Info("Instance.PendingFailover", "No workflow instance is left waiting for failover", Critical, Metadata,
                "When a master dies its instances are marked for failover (host 'NULL' up to 3.2, state FAILOVER from 3.3) until another master takes them; if that master dies too they stay marked forever.",
                "Make sure a master is running (failover runs when masters start and on registry changes); if the mark stays, stop the instance and rerun it.",
                "3.0-3.4 (marker per version)", Deep, Instances, T("lookbackDays", 7, " days", "instances started within")),
            Evaluate = async (run, c, ct) =>
            {
                if (run.Metadata is null) return NoMetadata(run, c);
                var d = run.Dialect;
                var rows = await run.InProgressInstancesAsync(run.Required(c, "lookbackDays"), ct).ConfigureAwait(false);
                var marked = rows.Where(r => IsFailoverMarked(d, r)).ToList();
                if (marked.Count == 0) return new[] { c.Pass(run, "instances", "no instance awaits failover", "0", "0") };
                var catalog = await run.CatalogAsync(ct).ConfigureAwait(false);
                return marked.Select(r => c.Violated(run, InstanceTarget(catalog, r.Id, r.Code),
                    $"Awaiting failover since it started {run.Business(r.Start):yyyy-MM-dd HH:mm} ({(d.FailoverMarksState ? "state FAILOVER" : "host 'NULL'")}).",
                    d.FailoverMarksState ? "FAILOVER" : "host NULL", "owned by a live master")).ToArray();
            },
        };

        yield return new HealthCheck
        {
            Info = Info("Instance.DeadHost", "Running workflow instances belong to live masters", Critical, Metadata | Api,
                "An instance whose host is not a registered master has no one driving it: it stays running until failover picks it up, which never happens if failover was missed.",
                "Check the master on that host; once a master is up, failover should take the instance; otherwise stop and rerun it.",
                "3.0-3.4", Deep, Instances, T("lookbackDays", 7, " days", "instances started within")),
            Evaluate = async (run, c, ct) =>
            {
                if (run.Metadata is null) return NoMetadata(run, c);
                if (run.Api is null) return new[] { c.Skip(run, "No DS API connection: the live masters come from its registry (Connect-DsServer).") };
                var registered = await run.RegisteredAsync(ct).ConfigureAwait(false);
                var masters = registered[Dialects.DsServerRole.Master].Select(n => n.Address).ToHashSet(StringComparer.OrdinalIgnoreCase);
                var rows = await run.InProgressInstancesAsync(run.Required(c, "lookbackDays"), ct).ConfigureAwait(false);
                var orphaned = rows.Where(r => !IsFailoverMarked(run.Dialect, r) && !string.IsNullOrEmpty(r.Host) && !masters.Contains(r.Host)).ToList();
                if (orphaned.Count == 0) return new[] { c.Pass(run, "instances", $"{rows.Count} running instances, all on live masters", "0", "0") };
                var catalog = await run.CatalogAsync(ct).ConfigureAwait(false);
                return orphaned.Select(r => c.Violated(run, InstanceTarget(catalog, r.Id, r.Code),
                    $"Running on {r.Host}, which is not a registered master (live: {string.Join(", ", masters)}).", r.Host, "a live master")).ToArray();
            },
        };

        yield return new HealthCheck
        {
            Info = Info("Task.DeadWorker", "Running task instances belong to live workers", Critical, Metadata | Api,
                "A task still running on a host that is not a registered worker has lost its worker; the master fails it over only if it noticed the worker leave.",
                "Check the worker; if it is gone for good, the task needs failover or a stop and rerun of its workflow instance.",
                "3.0-3.4", Deep, Instances, T("lookbackDays", 7, " days", "workflow instances started within")),
            Evaluate = async (run, c, ct) =>
            {
                if (run.Metadata is null) return NoMetadata(run, c);
                if (run.Api is null) return new[] { c.Skip(run, "No DS API connection: the live workers come from its registry (Connect-DsServer).") };
                var d = run.Dialect;
                var registered = await run.RegisteredAsync(ct).ConfigureAwait(false);
                var workers = registered[Dialects.DsServerRole.Worker].Select(n => n.Address).ToHashSet(StringComparer.OrdinalIgnoreCase);
                var p = new Dictionary<string, object?>
                {
                    ["@from"] = run.ServerNow - TimeSpan.FromDays(run.Required(c, "lookbackDays")), ["@now"] = run.ServerNow,
                };
                var sql = $"SELECT ti.id, ti.name, ti.host, i.id, i.{d.WorkflowCodeColumn} FROM {d.WorkflowInstanceTable} i FORCE INDEX ({d.InstanceStartTimeIndex}) " +
                          $"STRAIGHT_JOIN {d.TaskInstanceTable} ti FORCE INDEX ({d.TaskInstanceByWorkflowInstanceIndex}) ON ti.{d.WorkflowInstanceIdColumn} = i.id " +
                          "WHERE i.start_time >= @from AND i.start_time < @now AND i.end_time IS NULL AND ti.flag = 1 AND ti.end_time IS NULL " +
                          $"AND ti.state IN ({SqlText.In(p, "s", d.InProgressStateCodes(DsStateScope.Task))}) AND ti.host IS NOT NULL AND ti.host <> ''";
                var tasks = await run.QueryAsync(sql, p, r => (Id: r.GetInt32(0), Name: r.IsDBNull(1) ? "" : r.GetString(1), Host: r.GetString(2), Instance: r.GetInt32(3), Code: r.GetInt64(4)), ct).ConfigureAwait(false);
                var lost = tasks.Where(t => !workers.Contains(t.Host)).ToList();
                if (lost.Count == 0) return new[] { c.Pass(run, "task instances", $"{tasks.Count} running tasks, all on live workers", "0", "0") };
                var catalog = await run.CatalogAsync(ct).ConfigureAwait(false);
                return lost.Select(t => c.Violated(run, $"task #{t.Id} {t.Name} in {InstanceTarget(catalog, t.Instance, t.Code)}",
                    $"Running on {t.Host}, which is not a registered worker.", t.Host, "a live worker")).ToArray();
            },
        };

        yield return new HealthCheck
        {
            Info = Info("Instance.LongRunning", "Running instances are within their usual duration", Warning, Metadata,
                "A run far beyond its usual (median) duration is usually blocked on a task, a lock or an external system, and delays everything that depends on it.",
                "Open the instance's running task and its log; kill and rerun it if it is hung.",
                "3.0-3.4", Deep, Instances,
                T("factor", 3, "x", "times the workflow's median successful duration"), T("minRuntimeMinutes", 30, " min", "ignore runs shorter than this"),
                T("lookbackDays", 7, " days", "history used for the usual duration")),
            Evaluate = async (run, c, ct) =>
            {
                if (run.Metadata is null) return NoMetadata(run, c);
                var factor = run.Required(c, "factor");
                var stuck = (await run.Reader!.GetStuckInstancesAsync(run.AsOf, TimeSpan.FromDays(run.Required(c, "lookbackDays")), factor,
                    TimeSpan.FromMinutes(run.Required(c, "minRuntimeMinutes")), ct).ConfigureAwait(false)).Where(s => s.Reason == DsStuckReason.FarLongerThanUsual).ToList();
                if (stuck.Count == 0) return new[] { c.Pass(run, "instances", "no run is far beyond its usual duration", "0", "≤ " + HealthCheck.F(factor) + "x usual") };
                return stuck.Select(s => c.Violated(run, $"instance #{s.InstanceId} {s.Project}/{s.Workflow}", s.Detail,
                    $"{HealthCheck.F(s.RunningFor.TotalMinutes, "0")} min", $"≤ {HealthCheck.F(factor)} × {HealthCheck.F(s.UsualDuration?.TotalMinutes ?? 0, "0.#")} min")).ToArray();
            },
        };

        yield return new HealthCheck
        {
            Info = Info("Task.Failed", "No task failed recently", Warning, Metadata,
                "Failed final tries mean missing data downstream; a burst of them often points at a shared cause (data source, worker, tenant).",
                "Get-DsFailedTask lists them with log paths; fix and rerun from the failed task.",
                "3.0-3.4", Deep, Instances, T("lookbackHours", 24, " h", "how far back to look"), T("maxCount", 0, " tasks", "failed tasks tolerated")),
            Evaluate = async (run, c, ct) =>
            {
                if (run.Metadata is null) return NoMetadata(run, c);
                var hours = run.Required(c, "lookbackHours");
                var max = run.Required(c, "maxCount");
                var failed = await run.Reader!.GetFailedTasksAsync(run.AsOf.UtcDateTime.AddHours(-hours), run.AsOf.UtcDateTime, false, ct).ConfigureAwait(false);
                var measured = $"{failed.Count} tasks";
                var threshold = "≤ " + HealthCheck.F(max);
                if (failed.Count <= max) return new[] { c.Pass(run, "task instances", $"{failed.Count} failed tasks in the last {HealthCheck.F(hours)} h", measured, threshold) };
                var sample = string.Join(", ", failed.Take(5).Select(f => $"{f.Project}/{f.Workflow}/{f.Task}"));
                return new[] { c.Violated(run, "task instances", $"{failed.Count} tasks failed in the last {HealthCheck.F(hours)} h, e.g. {sample}.", measured, threshold) };
            },
        };

        yield return new HealthCheck
        {
            Info = Info("Schedule.OfflineWorkflow", "No online schedule belongs to an offline workflow", Warning, Metadata,
                "A schedule left online for an offline workflow fires into commands the master rejects, or the workflow silently stops running when someone took it offline for a change.",
                "Bring the workflow back online, or take the schedule offline on purpose.",
                "3.0-3.4", Deep, Workflows),
            Evaluate = async (run, c, ct) =>
            {
                if (run.Metadata is null) return NoMetadata(run, c);
                var catalog = await run.CatalogAsync(ct).ConfigureAwait(false);
                var bad = catalog.Schedules.Where(s => catalog.Workflows.TryGetValue(s.WorkflowCode, out var w) && !w.Online).ToList();
                if (bad.Count == 0) return new[] { c.Pass(run, "schedules", $"{catalog.Schedules.Count} online schedules, all of online workflows", "0", "0") };
                return bad.Select(s => c.Violated(run, $"{catalog.ProjectOfWorkflow(s.WorkflowCode)}/{catalog.WorkflowName(s.WorkflowCode)}",
                    $"Schedule '{s.Crontab}' is online but the workflow is offline.", "workflow offline", "workflow online")).ToArray();
            },
        };

        yield return new HealthCheck
        {
            Info = Info("Workflow.SqlTaskNodes", "Core workflows avoid SQL task nodes", Advisory, Metadata,
                "SQL task nodes share DS's datasource pools and fail sporadically on stale connections and timeouts; the team moved core jobs to shell nodes for stability.",
                "Move the statement into a SHELL task that calls the database client, or accept the risk for this workflow.",
                "3.0-3.4", Deep, Workflows),
            Evaluate = async (run, c, ct) =>
            {
                if (run.Metadata is null) return NoMetadata(run, c);
                var d = run.Dialect;
                var catalog = await run.CatalogAsync(ct).ConfigureAwait(false);
                var sqlTasks = (await run.QueryAsync($"SELECT code, name FROM {d.TaskDefinitionTable} WHERE task_type = 'SQL'", null,
                    r => (Code: r.GetInt64(0), Name: r.IsDBNull(1) ? "" : r.GetString(1)), ct).ConfigureAwait(false))
                    .GroupBy(t => t.Code).ToDictionary(g => g.Key, g => g.First().Name);
                Func<string, bool> isCore = run.Config.CoreWorkflows.Count > 0
                    ? HealthGlob.Compile(run.Config.CoreWorkflows)
                    : _ => false;
                var scheduled = catalog.Schedules.Select(s => s.WorkflowCode).ToHashSet();
                bool Core(long code) => run.Config.CoreWorkflows.Count > 0
                    ? isCore($"{catalog.ProjectOfWorkflow(code)}/{catalog.WorkflowName(code)}")
                    : scheduled.Contains(code) && catalog.Workflows.TryGetValue(code, out var w) && w.Online;
                var uses = new Dictionary<long, List<string>>();
                if (sqlTasks.Count > 0)
                {
                    var p = new Dictionary<string, object?>();
                    var rows = await run.QueryAsync($"SELECT {d.WorkflowCodeColumn}, post_task_code FROM {d.WorkflowTaskRelationTable} " +
                        $"WHERE post_task_code IN ({SqlText.In(p, "t", sqlTasks.Keys)})", p, r => (Workflow: r.GetInt64(0), Task: r.GetInt64(1)), ct).ConfigureAwait(false);
                    foreach (var (workflow, task) in rows.Where(r => Core(r.Workflow)))
                        (uses.TryGetValue(workflow, out var l) ? l : uses[workflow] = new List<string>()).Add(sqlTasks[task]);
                }
                if (uses.Count == 0) return new[] { c.Pass(run, "core workflows", "no core workflow uses an SQL task node", "0", "0") };
                return uses.Select(u => c.Violated(run, $"{catalog.ProjectOfWorkflow(u.Key)}/{catalog.WorkflowName(u.Key)}",
                    $"Uses {u.Value.Count} SQL task node(s): {string.Join(", ", u.Value.Distinct().Take(5))}.", $"{u.Value.Count} SQL nodes", "0")).ToArray();
            },
        };

        yield return new HealthCheck
        {
            Info = Info("Alert.Delivery", "Alerts are being sent", Critical, Metadata,
                "Alerts wait in t_ds_alert (status 0) until an alert server sends them; old waiting rows mean no alert server is working, so failures go unnoticed.",
                "Check the alert server (Node.Inventory, Node.Actuator) and its plugin instances; restart it.",
                "3.0-3.4", Quick, Workflows, T("maxWaitMinutes", 10, " min", "how long an alert may wait")),
            Evaluate = async (run, c, ct) =>
            {
                if (run.Metadata is null) return NoMetadata(run, c);
                var wait = run.Required(c, "maxWaitMinutes");
                var p = new Dictionary<string, object?> { ["@cutoff"] = run.ServerNow.AddMinutes(-wait) };
                var row = (await run.QueryAsync($"SELECT COUNT(*), MIN(create_time) FROM {run.Dialect.AlertTable} WHERE alert_status = 0 AND create_time < @cutoff", p,
                    r => (Count: r.GetInt64(0), Oldest: r.IsDBNull(1) ? (DateTime?)null : r.GetDateTime(1)), ct).ConfigureAwait(false))[0];
                var threshold = $"none waiting > {HealthCheck.F(wait)} min";
                return new[]
                {
                    row.Count == 0
                        ? c.Pass(run, run.Dialect.AlertTable, "no alert waits too long", "0", threshold)
                        : c.Violated(run, run.Dialect.AlertTable, $"{row.Count} alerts waiting, the oldest since {run.Business(row.Oldest):yyyy-MM-dd HH:mm}.", $"{row.Count} waiting", threshold),
                };
            },
        };
    }

    private static bool IsFailoverMarked(DsDialect d, DsMetadataReader.InstanceRow r) => d.FailoverMarksState
        ? d.StateOf(r.State, DsStateScope.Workflow) == DsRunState.Failover
        : string.Equals(r.Host, d.FailoverHostMarker, StringComparison.Ordinal);

    private static string InstanceTarget(MetadataCatalog catalog, int id, long code) => $"instance #{id} {catalog.ProjectOfWorkflow(code)}/{catalog.WorkflowName(code)}";

    private static string Shorten(string text) => text.Length <= 160 ? text : text[..157] + "...";

    private static IEnumerable<HealthCheck> IntegrityChecks()
    {
        // The superset of every version's integrity checks (3.0 has one more); each applies where the checker has it.
        foreach (var info in IntegrityChecker.Describe(DsDialect.V3_0))
        {
            var id = info.Id;
            yield return new HealthCheck
            {
                Info = Info("Integrity." + id, info.Summary[..1].ToUpperInvariant() + info.Summary[1..] + ": none", info.Severity == DsIntegritySeverity.Error ? Critical : Warning,
                    Metadata, info.Meaning, info.Remedy, id == "DuplicateWorkflowDefinitionVersion" ? "3.0.x" : "3.0-3.4", Deep, Integrity),
                Applies = d => IntegrityChecker.Describe(d).Any(x => x.Id == id),
                Evaluate = async (run, c, ct) =>
                {
                    if (run.Metadata is null) return NoMetadata(run, c);
                    // Each integrity query on its own pooled session: the checks run concurrently, like every other check.
                    var f = (await new IntegrityChecker(run.Metadata).RunAsync(new[] { id }, 5, ct).ConfigureAwait(false)).Single();
                    if (f.Count == 0) return new[] { c.Pass(run, "metadata", "none found", "0", "0") };
                    var example = f.Evidence.Count > 0 ? " E.g. " + string.Join(", ", f.Evidence[0].Select(kv => $"{kv.Key}={kv.Value}")) + "." : "";
                    return new[] { c.Violated(run, "metadata", f.Summary + "." + example, f.Count.ToString(), "0") };
                },
            };
        }
    }
}
