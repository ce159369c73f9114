using DsOps.Engine.Metadata;
using Xunit;

namespace DsOps.Tests.Metadata;

[Collection(GeneratedHistoryCollection.Name)]
public class InspectionTests
{
    private readonly GeneratedHistoryFixture _history;
    public InspectionTests(GeneratedHistoryFixture history) => _history = history;

    public static TheoryData<string> Schemas => new() { "3.0.1", "3.2.2", "3.3-dev" };
    private static readonly DateTime DayStartUtc = GeneratedHistoryFixture.LastDay.ToDateTime(TimeOnly.MinValue);

    private DsMetadataReader Reader(string schema) => new(_history.Schemas[schema].Connection, TimeZoneInfo.Utc);

    [Theory, MemberData(nameof(Schemas))]
    public async Task Failed_tasks_feed_returns_final_failures_ending_in_the_window(string schema)
    {
        var facts = _history.Schemas[schema].Facts;
        var until = GeneratedHistoryFixture.AsOf.UtcDateTime;
        var rows = await Reader(schema).GetFailedTasksAsync(DayStartUtc, until);
        var ids = rows.Select(r => r.TaskInstanceId).ToHashSet();
        Assert.Superset(facts.LastDay.FailedTaskInstanceIds.ToHashSet(), ids);
        var allowed = facts.LastDay.FailedTaskInstanceIds.Concat(facts.Day(GeneratedHistoryFixture.LastDay.AddDays(-1)).FailedTaskInstanceIds).ToHashSet();
        Assert.Subset(allowed, ids);
        Assert.All(rows, r =>
        {
            Assert.True(r.IsFinalTry);
            Assert.InRange(r.End!.Value.UtcDateTime, DayStartUtc, until);
            Assert.NotEqual("", r.Workflow);
            Assert.NotNull(r.Host);
        });

        var withTries = await Reader(schema).GetFailedTasksAsync(DayStartUtc, until, includeEarlierTries: true);
        Assert.True(withTries.Count > rows.Count);
        Assert.Contains(withTries, r => !r.IsFinalTry);
    }

    [Theory, MemberData(nameof(Schemas))]
    public async Task Failed_tasks_filter_by_project_and_workflow_patterns_in_the_query(string schema)
    {
        var until = GeneratedHistoryFixture.AsOf.UtcDateTime;
        var all = await Reader(schema).GetFailedTasksAsync(DayStartUtc, until);
        Assert.NotEmpty(all);
        var first = all[0];
        var pattern = first.Workflow.Length > 2 ? first.Workflow[..^1] + "?" : first.Workflow;
        var filtered = await Reader(schema).GetFailedTasksAsync(DayStartUtc, until, false, new[] { first.Project.ToUpperInvariant() }, new[] { pattern });
        Assert.Equal(all.Where(r => r.Project == first.Project && new DsOps.Engine.Text.Wildcard(pattern).IsMatch(r.Workflow)).Select(r => r.TaskInstanceId),
            filtered.Select(r => r.TaskInstanceId));
        Assert.Empty(await Reader(schema).GetFailedTasksAsync(DayStartUtc, until, false, new[] { "no such project'; --" }, null));

        // Codes, as -Project 12345 and -Workflow 67890 pass them, select the same rows as the names.
        var code = (string text) => new[] { text };
        var byWorkflowCode = await Reader(schema).GetFailedTasksAsync(DayStartUtc, until, false, null,
            code(first.WorkflowCode.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(all.Where(r => r.WorkflowCode == first.WorkflowCode).Select(r => r.TaskInstanceId), byWorkflowCode.Select(r => r.TaskInstanceId));
        await using var session = await _history.Schemas[schema].Connection.OpenSessionAsync();
        var catalog = await DsOps.Engine.Metadata.MetadataCatalog.LoadAsync(session, withSchedules: false, default);
        var projectCode = catalog.Projects.Single(p => p.Value == first.Project).Key;
        var byProjectCode = await Reader(schema).GetFailedTasksAsync(DayStartUtc, until, false,
            code(projectCode.ToString(System.Globalization.CultureInfo.InvariantCulture)), null);
        Assert.Equal(all.Where(r => r.Project == first.Project).Select(r => r.TaskInstanceId), byProjectCode.Select(r => r.TaskInstanceId));
    }

    [Theory, MemberData(nameof(Schemas))]
    public async Task Failed_workflow_instances_ending_in_the_window(string schema)
    {
        var facts = _history.Schemas[schema].Facts;
        var until = GeneratedHistoryFixture.AsOf.UtcDateTime;
        var rows = await Reader(schema).GetFailedWorkflowInstancesAsync(DayStartUtc, until);
        var ids = rows.Select(r => r.InstanceId).ToHashSet();
        Assert.Superset(facts.LastDay.FailedInstanceIds.ToHashSet(), ids);
        Assert.Subset(facts.LastDay.FailedInstanceIds.Concat(facts.Day(GeneratedHistoryFixture.LastDay.AddDays(-1)).FailedInstanceIds).ToHashSet(), ids);
        Assert.All(rows, r =>
        {
            Assert.Equal(Engine.Dialects.DsRunState.Failed, r.State);
            Assert.InRange(r.End!.Value.UtcDateTime, DayStartUtc, until);
            Assert.Equal(1, r.RunTimes);
        });
    }

    [Theory, MemberData(nameof(Schemas))]
    public async Task Long_running_tasks_are_the_running_and_stuck_instances_tasks(string schema)
    {
        var facts = _history.Schemas[schema].Facts;
        var rows = await Reader(schema).GetLongRunningTasksAsync(TimeSpan.FromHours(1), GeneratedHistoryFixture.AsOf, TimeSpan.FromDays(7));
        var expected = facts.LastDay.RunningInstanceIds.Concat(facts.StuckInstanceIds).Order();
        Assert.Equal(expected, rows.Select(r => r.WorkflowInstanceId).Order());
        Assert.All(rows, r => Assert.True(r.RunningFor > TimeSpan.FromHours(1)));
        Assert.Contains(rows, r => r.UsualDuration is not null && r.TimesUsual > 1);
        // A threshold longer than anything running finds nothing.
        Assert.Empty(await Reader(schema).GetLongRunningTasksAsync(TimeSpan.FromDays(6), GeneratedHistoryFixture.AsOf, TimeSpan.FromDays(7)));
    }

    [Theory, MemberData(nameof(Schemas))]
    public async Task Stuck_instances_are_no_host_and_far_longer_than_usual(string schema)
    {
        var facts = _history.Schemas[schema].Facts;
        var rows = await Reader(schema).GetStuckInstancesAsync(GeneratedHistoryFixture.AsOf, TimeSpan.FromDays(7), 3, TimeSpan.FromMinutes(30));
        Assert.Equal(facts.StuckInstanceIds.Order(), rows.Where(r => r.Reason == DsStuckReason.NoHost).Select(r => r.InstanceId).Order());
        Assert.Equal(facts.LastDay.RunningInstanceIds.Order(),
            rows.Where(r => r.Reason == DsStuckReason.FarLongerThanUsual).Select(r => r.InstanceId).Order());
        Assert.All(rows.Where(r => r.Reason == DsStuckReason.NoHost), r => Assert.Null(r.Host));
    }

    [Theory, MemberData(nameof(Schemas))]
    public async Task Command_queue_counts_pending_by_type_and_errors(string schema)
    {
        var facts = _history.Schemas[schema].Facts;
        var rows = await Reader(schema).GetCommandBacklogAsync(GeneratedHistoryFixture.AsOf);
        var pending = rows.Where(r => r.Queue == "Pending").ToDictionary(r => r.CommandTypeCode, r => r.Count);
        Assert.Equal(facts.CommandsByType.OrderBy(k => k.Key).Select(k => (k.Key, (long)k.Value)), pending.OrderBy(k => k.Key).Select(k => (k.Key, k.Value)));
        Assert.Equal("SCHEDULER", rows.First(r => r.CommandTypeCode == 6).CommandType);
        Assert.All(rows.Where(r => r.Queue == "Pending"), r => Assert.True(r.OldestAge >= TimeSpan.Zero));
        var errors = rows.Single(r => r.Queue == "Error");
        Assert.Equal(facts.ErrorCommandIds.Count, errors.Count);

        var detail = await Reader(schema).GetErrorCommandsAsync(GeneratedHistoryFixture.AsOf.AddDays(-1), 100);
        Assert.Equal(facts.ErrorCommandIds.OrderDescending(), detail.Select(e => e.Id));
        Assert.All(detail, e => Assert.Contains("master could not", e.Message));
    }

    [Theory, MemberData(nameof(Schemas))]
    public async Task Inspection_queries_use_DS_indexes(string schema)
    {
        var connection = _history.Schemas[schema].Connection;
        var reader = Reader(schema);
        await using var session = await connection.OpenSessionAsync();
        var p = new Dictionary<string, object?> { ["@from"] = new DateTime(2026, 3, 7), ["@since"] = new DateTime(2026, 3, 10), ["@until"] = new DateTime(2026, 3, 11) };
        var sql = reader.FailedTaskSelect(p) + "WHERE i.start_time >= @from AND i.start_time < @until AND ti.flag = 1";
        var plan = await session.ExplainAsync(sql, p);
        Assert.Equal("start_time_index", plan.Single(r => r.Table == "i").Key);
        Assert.Equal(connection.Dialect.TaskInstanceByWorkflowInstanceIndex, plan.Single(r => r.Table == "ti").Key);
    }
}
