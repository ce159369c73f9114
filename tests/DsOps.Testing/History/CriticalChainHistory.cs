using DsOps.Engine.Dialects;
using MySqlConnector;

namespace DsOps.Testing.History;

/// <summary>What the chain history's last day ("today") looks like.</summary>
public enum ChainToday
{
    /// <summary>No run on the day after the history.</summary>
    None,
    /// <summary>
    /// The day after the history, as of 02:10: up_orders started late (02:00) and is running, up_rates finished 01:05,
    /// t1_report has been waiting in its DEPENDENT task since 01:00.
    /// </summary>
    UpstreamLate,
}

/// <summary>Codes, names and expected results of the chain history.</summary>
public sealed class ChainHistoryFacts
{
    public const string Project = "chain";
    public const string Target = "t1_report", Orders = "up_orders", Rates = "up_rates", Child = "t1_report_sub";
    public required DsDialect Dialect { get; init; }
    public required DateOnly FirstDay { get; init; }
    public required DateOnly LastDay { get; init; }
    public Dictionary<string, long> WorkflowCodes { get; } = new();
    /// <summary>Target run id per day.</summary>
    public Dictionary<DateOnly, int> TargetRuns { get; } = new();

    /// <summary>
    /// The chain of every history day (earliest first) as "workflow/task" (task steps) or "workflow" (workflow steps), with
    /// its link, slack (minutes, null = none) and wait (minutes, null = none).
    /// </summary>
    public static readonly (string Step, string Link, double? Slack, double? Wait)[] ExpectedChain =
    {
        ("up_orders/a1", "UpstreamTask", null, null),
        ("up_orders/a2", "LastTask", 15, 0),
        ("up_orders", "Dependency", 25, null),
        ("t1_report/c_wait", "UpstreamTask", null, null),
        ("t1_report/c_load", "UpstreamTask", null, 1),
        ("t1_report_sub/s1", "LastTask", null, 1),
        ("t1_report_sub", "SubWorkflow", null, null),
        ("t1_report/c_sub", "LastTask", 41, null),
        ("t1_report", "Target", null, null),
    };
}

/// <summary>
/// A small history with a known critical chain, in any supported DS schema: project <c>chain</c> with
/// <c>up_orders</c> (a1 10 min → a2 20 min, a1 → a3 5 min), <c>up_rates</c> (b1 5 min) and the T+1 workflow
/// <c>t1_report</c>: c_wait (DEPENDENT on up_orders and up_rates, polls until 1 min after the last one ends) →
/// c_load (30 min) → c_sub (sub-workflow <c>t1_report_sub</c>: s1 17 min), and c_wait → c_side (8 min). Every run starts
/// 01:00 server time; up_orders ends 01:30, up_rates 01:05, t1_report 02:21. So the chain is a1, a2, up_orders,
/// c_wait, c_load, s1, t1_report_sub, c_sub, t1_report (see <see cref="ChainHistoryFacts.ExpectedChain"/>).
/// </summary>
public static class CriticalChainHistory
{
    public const long ProjectCode = 31_000_000_000_000L, WorkflowCodeBase = 32_000_000_000_000L, TaskCodeBase = 33_000_000_000_000L;

    private sealed record ChainTask(string Name, string Type, string Params, int From, int? To, string[] Upstream);

    public static async Task<ChainHistoryFacts> GenerateAsync(string connectionString, DsDialect d, DateOnly lastDay, int days,
        ChainToday today = ChainToday.None, CancellationToken ct = default)
    {
        var facts = new ChainHistoryFacts { Dialect = d, FirstDay = lastDay.AddDays(1 - days), LastDay = lastDay };
        var names = new[] { ChainHistoryFacts.Orders, ChainHistoryFacts.Rates, ChainHistoryFacts.Target, ChainHistoryFacts.Child };
        for (var i = 0; i < names.Length; i++) facts.WorkflowCodes[names[i]] = WorkflowCodeBase + i;
        long Code(string wf) => facts.WorkflowCodes[wf];
        var dependParams = "{\"dependence\":{\"relation\":\"AND\",\"dependTaskList\":[{\"relation\":\"AND\",\"dependItemList\":[" +
            $"{{\"projectCode\":{ProjectCode},\"definitionCode\":{Code(ChainHistoryFacts.Orders)},\"depTaskCode\":0,\"cycle\":\"day\",\"dateValue\":\"today\"}}," +
            $"{{\"projectCode\":{ProjectCode},\"definitionCode\":{Code(ChainHistoryFacts.Rates)},\"depTaskCode\":0,\"cycle\":\"day\",\"dateValue\":\"today\"}}]}}]}}}}";
        var subParams = $"{{\"{d.SubWorkflowCodeKey}\":{Code(ChainHistoryFacts.Child)}}}";
        const string shell = "{\"rawScript\":\"echo chain\"}";
        // Minutes after midnight (server time) of each task's start and end in a normal day.
        var workflows = new Dictionary<string, ChainTask[]>
        {
            [ChainHistoryFacts.Orders] = new ChainTask[] { new("a1", "SHELL", shell, 60, 70, []), new("a2", "SHELL", shell, 70, 90, ["a1"]), new("a3", "SHELL", shell, 70, 75, ["a1"]) },
            [ChainHistoryFacts.Rates] = new ChainTask[] { new("b1", "SHELL", shell, 60, 65, []) },
            [ChainHistoryFacts.Target] = new ChainTask[]
            {
                new("c_wait", "DEPENDENT", dependParams, 60, 91, []), new("c_load", "SHELL", shell, 92, 122, ["c_wait"]),
                new("c_side", "SHELL", shell, 92, 100, ["c_wait"]), new("c_sub", d.SubWorkflowTaskType, subParams, 122, 141, ["c_load"]),
            },
            [ChainHistoryFacts.Child] = new ChainTask[] { new("s1", "SHELL", shell, 123, 140, []) },
        };

        var builder = new MySqlConnectionStringBuilder(connectionString) { AllowLoadLocalInfile = true, AllowUserVariables = true };
        await using var conn = new MySqlConnection(builder.ConnectionString);
        await conn.OpenAsync(ct).ConfigureAwait(false);
        var created = facts.FirstDay.AddDays(-30).ToDateTime(new TimeOnly(9, 0));

        var project = new BulkTable(d.ProjectTable, new[] { "name", "code", "description", "user_id", "flag", "create_time", "update_time" });
        await project.AddAsync(conn, ChainHistoryFacts.Project, ProjectCode, "critical chain", 1, 1, created, created).ConfigureAwait(false);
        await project.FlushAsync(conn).ConfigureAwait(false);

        var defColumns = HistoryColumns.WorkflowDefinition(d);
        var wfDef = new BulkTable(d.WorkflowDefinitionTable, defColumns);
        var wfDefLog = new BulkTable(d.WorkflowDefinitionLogTable, defColumns.Concat(HistoryColumns.LogExtra));
        var taskDef = new BulkTable(d.TaskDefinitionTable, HistoryColumns.TaskDefinition);
        var taskDefLog = new BulkTable(d.TaskDefinitionLogTable, HistoryColumns.TaskDefinition.Concat(HistoryColumns.LogExtra));
        var relColumns = HistoryColumns.Relation(d);
        var rel = new BulkTable(d.WorkflowTaskRelationTable, relColumns);
        var relLog = new BulkTable(d.WorkflowTaskRelationLogTable, relColumns.Concat(HistoryColumns.LogExtra));

        var taskCodes = new Dictionary<string, long>();
        var next = TaskCodeBase;
        foreach (var (wf, tasks) in workflows)
        {
            var values = new List<object?> { Code(wf), wf, 1, "chain", ProjectCode, 1, 1, "[]", 1, "[]", null, 0, 0, created, created };
            if (d.DefinitionsHaveTenantId) values.Add(-1);
            await wfDef.AddAsync(conn, values.ToArray()).ConfigureAwait(false);
            await wfDefLog.AddAsync(conn, values.Concat(new object?[] { 1, created }).ToArray()).ConfigureAwait(false);
            foreach (var t in tasks)
            {
                var code = taskCodes[wf + "/" + t.Name] = next++;
                object?[] tv = { code, t.Name, 1, "", ProjectCode, 1, t.Type, t.Params, 1, 2, "default", -1L, 0, 1, 0, 0, 0, created, created };
                await taskDef.AddAsync(conn, tv).ConfigureAwait(false);
                await taskDefLog.AddAsync(conn, tv.Concat(new object?[] { 1, created }).ToArray()).ConfigureAwait(false);
                foreach (var pre in t.Upstream.Length == 0 ? new string?[] { null } : t.Upstream)
                {
                    var preCode = pre is null ? 0L : taskCodes[wf + "/" + pre];
                    object?[] rv = { "", ProjectCode, Code(wf), 1, preCode, pre is null ? 0 : 1, code, 1, 0, "{}", created, created };
                    await rel.AddAsync(conn, rv).ConfigureAwait(false);
                    await relLog.AddAsync(conn, rv.Concat(new object?[] { 1, created }).ToArray()).ConfigureAwait(false);
                }
            }
        }
        foreach (var t in new[] { wfDef, wfDefLog, taskDef, taskDefLog, rel, relLog }) await t.FlushAsync(conn).ConfigureAwait(false);

        var inst = new BulkTable(d.WorkflowInstanceTable, HistoryColumns.WorkflowInstance(d));
        var ti = new BulkTable(d.TaskInstanceTable, HistoryColumns.TaskInstance(d, withWorkflowName: false));
        var subRel = new BulkTable(d.SubWorkflowRelationTable, new[] { d.SubWorkflowRelationParentColumn, "parent_task_instance_id", d.WorkflowInstanceIdColumn });

        // Ids well above anything the general generator writes, so both can share a database.
        var lastTask = new Dictionary<string, int>();
        var instanceId = 5_000_000;
        var taskInstanceId = 50_000_000;
        async Task<int> Run(string wf, DateTime midnight, int start, int? end, bool sub, Func<ChainTask, (int From, int? To)?> times)
        {
            var id = ++instanceId;
            var state = end is null ? 1 : 7;
            var s = midnight.AddMinutes(start);
            var values = new List<object?> { id, $"{wf}-1-{s:yyyyMMddHHmmss}", Code(wf), 1, state, 0, s, end is { } e ? midnight.AddMinutes(e) : null, 1,
                "10.0.0.11:5678", 6, 2, 0, 0, 0, midnight.AddMinutes(60), midnight.AddMinutes(60), 1, sub ? 1 : 0, 1, 2, "default", 0,
                d.InstanceTenantColumn == "tenant_code" ? "default" : -1, 0 };
            if (d.InstancesHaveProjectCode) values.Add(ProjectCode);
            if (d.HasTestFlag) values.Add(0);
            await inst.AddAsync(conn, values.ToArray()).ConfigureAwait(false);
            foreach (var t in workflows[wf])
            {
                if (times(t) is not { } window) continue;
                var tid = ++taskInstanceId;
                var from = midnight.AddMinutes(window.From);
                DateTime? to = window.To is { } m ? midnight.AddMinutes(m) : null;
                var tv = new List<object?> { tid, t.Name, t.Type, taskCodes[wf + "/" + t.Name], 1, id, to is null ? 1 : 7, from, from, to, "10.0.1.1:1234",
                    $"/tmp/exec/{id}/{tid}", $"/opt/ds/logs/{id}/{tid}.log", 0, 0, 1, 1, 2, "default", 1, from };
                if (d.InstancesHaveProjectCode) tv.Add(ProjectCode);
                if (d.HasTestFlag) tv.Add(0);
                await ti.AddAsync(conn, tv.ToArray()).ConfigureAwait(false);
                lastTask[t.Name] = tid;
            }
            return id;
        }

        for (var day = facts.FirstDay; day <= lastDay; day = day.AddDays(1))
        {
            var midnight = day.ToDateTime(TimeOnly.MinValue);
            await Run(ChainHistoryFacts.Orders, midnight, 60, 90, false, t => (t.From, t.To)).ConfigureAwait(false);
            await Run(ChainHistoryFacts.Rates, midnight, 60, 65, false, t => (t.From, t.To)).ConfigureAwait(false);
            var target = await Run(ChainHistoryFacts.Target, midnight, 60, 141, false, t => (t.From, t.To)).ConfigureAwait(false);
            var subTask = lastTask["c_sub"];
            var child = await Run(ChainHistoryFacts.Child, midnight, 123, 140, true, t => (t.From, t.To)).ConfigureAwait(false);
            await subRel.AddAsync(conn, target, subTask, child).ConfigureAwait(false);
            facts.TargetRuns[day] = target;
        }
        if (today == ChainToday.UpstreamLate)
        {
            var midnight = lastDay.AddDays(1).ToDateTime(TimeOnly.MinValue);
            await Run(ChainHistoryFacts.Orders, midnight, 120, null, false, t => t.Name == "a1" ? (120, null) : null).ConfigureAwait(false);
            await Run(ChainHistoryFacts.Rates, midnight, 60, 65, false, t => (t.From, t.To)).ConfigureAwait(false);
            await Run(ChainHistoryFacts.Target, midnight, 60, null, false, t => t.Name == "c_wait" ? (60, null) : null).ConfigureAwait(false);
        }
        foreach (var t in new[] { inst, ti, subRel }) await t.FlushAsync(conn).ConfigureAwait(false);
        return facts;
    }

}
