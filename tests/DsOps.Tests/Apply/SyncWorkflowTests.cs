using System.Management.Automation;
using DsOps.Emulator;
using DsOps.Engine.Api;
using DsOps.Engine.Apply;
using DsOps.Engine.Models;
using DsOps.Engine.Planning;
using DsOps.Engine.Specs.Sources;
using DsOps.Tests.Api;
using DsOps.Tests.Hosting;
using MySqlConnector;
using Xunit;

namespace DsOps.Tests.Apply;

/// <summary>Sync-DsWorkflow end to end: the hosted engine against the DS emulator on real MariaDB, per dialect.</summary>
public sealed class SyncWorkflowTests : IAsyncLifetime
{
    private const string Specs = """
        project: etl
        workflows:
          - name: daily_sales
            description: daily sales
            schedule:
              cron: "0 0 2 * * ? *"
              timezone: Asia/Shanghai
              start: "2024-01-01 00:00:00"
              end: "2099-12-31 23:59:59"
            tasks:
              - name: extract
                type: SHELL
                script: echo extract
              - name: transform
                type: PYTHON
                dependsOn: [extract]
                script: print("transform")
              - name: load
                type: SHELL
                dependsOn: [transform]
                script: echo load
                retries: 2
          - name: weekly_report
            tasks:
              - name: wait_sales
                type: DEPENDENT
                dependence:
                  relation: AND
                  groups:
                    - relation: AND
                      items:
                        - { project: etl, workflow: daily_sales, cycle: day, date: today }
              - name: run_sales
                type: SUB_WORKFLOW
                dependsOn: [wait_sales]
                subWorkflow: daily_sales
        """;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dsops-sync-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly HostedEngine _engine = new();
    private DsEmulator _emu = null!;

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "etl.yaml"), Specs);
        return Task.CompletedTask;
    }

    private async Task<DsConnection> StartAsync(string dialect)
    {
        _emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        return _engine.Run("Connect-DsServer", new { Uri = _emu.BaseUri, Token = DsClientTests.Secure(_emu.AdminToken) }).Objects<DsConnection>().Single();
    }

    /// <summary>Every DS line the dialects cover: 3.4.0 still imports and edits tasks alone, 3.4 (= 3.4.3) only saves whole workflows.</summary>
    public static TheoryData<string> Lines => new() { "3.0", "3.1", "3.2", "3.3", "3.4.0", "3.4" };

    private HostedResult Sync(DsConnection c, object? extra = null)
    {
        var p = new Dictionary<string, object?> { ["Path"] = _dir, ["Connection"] = c };
        if (extra is not null) foreach (var prop in extra.GetType().GetProperties()) p[prop.Name] = prop.GetValue(extra);
        return _engine.Run("Sync-DsWorkflow", p);
    }

    private IReadOnlyList<DsWorkflow> Workflows(DsConnection c) =>
        _engine.Run("Get-DsWorkflow", new { Project = "etl", IncludeTasks = true, Connection = c }).Objects<DsWorkflow>().OrderBy(w => w.Name).ToList();

    [Theory, MemberData(nameof(Lines))]
    public async Task First_sync_creates_everything_and_a_second_sync_writes_nothing(string dialect)
    {
        var c = await StartAsync(dialect);

        var first = Sync(c);

        Assert.Empty(first.Errors);
        var results = first.Objects<WorkflowApplyResult>();
        Assert.Equal(new[] { "daily_sales", "weekly_report" }, results.Select(r => r.Workflow).OrderBy(x => x));
        Assert.All(results, r => Assert.Equal((ApplyStatus.Applied, PlanAction.Create), (r.Status, r.Action)));
        var workflows = Workflows(c);
        var sales = workflows.Single(w => w.Name == "daily_sales");
        Assert.Equal(new[] { "transform" }, sales.Tasks!.Single(t => t.Name == "load").Upstream);
        Assert.True(sales.IsOnline);
        Assert.True(File.Exists(Path.Combine(_dir, AppliedState.DefaultFileName)));
        var schedule = (await c.Client.GetProjectSchedulesAsync(sales.ProjectCode)).Single();
        Assert.Equal("0 0 2 * * ? *", schedule.Crontab);
        Assert.True(schedule.IsOnline);
        var report = workflows.Single(w => w.Name == "weekly_report");
        Assert.Contains(sales.WorkflowCode.ToString(), report.Tasks!.Single(t => t.Name == "run_sales").TaskParams);

        var writesBefore = _emu.RequestLog.WritingRequests;
        var versionsBefore = workflows.ToDictionary(w => w.Name, w => w.Version);
        var second = Sync(c);

        Assert.Empty(second.Errors);
        Assert.True(second.Objects<WorkflowApplyResult>().Count == 0, string.Join("\n", second.Objects<WorkflowApplyResult>().Select(r => r + " :: " + r.Changes)));
        Assert.Equal(writesBefore, _emu.RequestLog.WritingRequests);
        Assert.Equal(versionsBefore, Workflows(c).ToDictionary(w => w.Name, w => w.Version));
    }

    [Theory, MemberData(nameof(Lines))]
    public async Task A_changed_task_rewrites_only_its_workflow_keeps_task_codes_and_restores_online_state(string dialect)
    {
        var c = await StartAsync(dialect);
        Sync(c);
        var before = Workflows(c);
        var codesBefore = before.Single(w => w.Name == "daily_sales").Tasks!.ToDictionary(t => t.Name, t => t.TaskCode);
        File.WriteAllText(Path.Combine(_dir, "etl.yaml"), Specs.Replace("echo load", "echo load v2"));
        _emu.RequestLog.Reset();

        var result = Sync(c);

        // A task edit is a whole-workflow save on every line (3.4.3 has nothing else): no task-definition,
        // task-relation or /v2 write, and no route the version lacks.
        var writes = _emu.RequestLog.ByRoute.Keys.Where(k => !k.StartsWith("GET ", StringComparison.Ordinal)).ToList();
        Assert.Contains("PUT /projects/{projectCode}/" + c.Dialect.WorkflowDefinitionSegment + "/{code}", writes);
        Assert.DoesNotContain(writes, k => k.Contains("task-definition", StringComparison.Ordinal) || k.Contains("task-relation", StringComparison.Ordinal)
            || k.Contains("/v2/", StringComparison.Ordinal) || k.Contains("(unmapped)", StringComparison.Ordinal));

        Assert.Empty(result.Errors);
        var changed = Assert.Single(result.Objects<WorkflowApplyResult>());
        Assert.Equal(("daily_sales", PlanAction.Update, ApplyStatus.Applied), (changed.Workflow, changed.Action, changed.Status));
        var after = Workflows(c);
        var sales = after.Single(w => w.Name == "daily_sales");
        Assert.Equal(codesBefore, sales.Tasks!.ToDictionary(t => t.Name, t => t.TaskCode));
        Assert.Contains("echo load v2", sales.Tasks!.Single(t => t.Name == "load").TaskParams);
        Assert.Equal(before.Single(w => w.Name == "weekly_report").Version, after.Single(w => w.Name == "weekly_report").Version);
        Assert.True(sales.IsOnline);
        Assert.True((await c.Client.GetProjectSchedulesAsync(sales.ProjectCode)).Single().IsOnline);
        Assert.Empty(Sync(c).Objects<WorkflowApplyResult>()); // converged
    }

    [Theory]
    [InlineData("3.0")]
    [InlineData("3.1")]
    [InlineData("3.2")]
    public async Task A_removed_task_leaves_no_orphan_task_definition(string dialect)
    {
        var c = await StartAsync(dialect);
        Sync(c);
        var removed = Workflows(c).Single(w => w.Name == "daily_sales").Tasks!.Single(t => t.Name == "transform").TaskCode;
        File.WriteAllText(Path.Combine(_dir, "etl.yaml"), Specs
            .Replace("      - name: transform\n        type: PYTHON\n        dependsOn: [extract]\n        script: print(\"transform\")\n", "")
            .Replace("dependsOn: [transform]", "dependsOn: [extract]"));

        var result = Sync(c);

        Assert.Empty(result.Errors);
        await using var db = new MySqlConnection(_emu.ConnectionString);
        await db.OpenAsync();
        await using var cmd = new MySqlCommand("SELECT COUNT(*) FROM t_ds_task_definition WHERE code = @code", db);
        cmd.Parameters.AddWithValue("@code", removed);
        Assert.Equal(0L, Convert.ToInt64(await cmd.ExecuteScalarAsync()));
        Assert.Equal(new[] { "extract", "load" }, Workflows(c).Single(w => w.Name == "daily_sales").Tasks!.Select(t => t.Name).OrderBy(x => x));
    }

    [Fact]
    public async Task WhatIf_shows_the_plan_and_writes_nothing()
    {
        var c = await StartAsync("3.2");
        var writes = _emu.RequestLog.WritingRequests;

        var result = Sync(c, new { WhatIf = true });

        Assert.Empty(result.Errors);
        Assert.All(result.Objects<WorkflowApplyResult>(), r => Assert.Equal((ApplyStatus.Skipped, PlanAction.Create, "WhatIf"), (r.Status, r.Action, r.Message)));
        Assert.Equal(2, result.Objects<WorkflowApplyResult>().Count);
        Assert.Equal(writes, _emu.RequestLog.WritingRequests);
        Assert.Empty(Workflows(c));
    }

    [Theory, MemberData(nameof(Lines))]
    public async Task Workflows_not_in_the_specs_are_deleted_only_with_prune(string dialect)
    {
        var c = await StartAsync(dialect);
        Sync(c);
        File.WriteAllText(Path.Combine(_dir, "etl.yaml"), Specs[..Specs.IndexOf("  - name: weekly_report", StringComparison.Ordinal)]);
        File.Delete(Path.Combine(_dir, AppliedState.DefaultFileName)); // not managed: only -Prune may delete it

        Assert.Empty(Sync(c).Objects<WorkflowApplyResult>());
        Assert.Equal(2, Workflows(c).Count);

        // Deletes ask a second question; a non-interactive host cannot answer it, so nothing is deleted.
        Assert.ThrowsAny<RuntimeException>(() => Sync(c, new { Prune = true }));
        Assert.Equal(2, Workflows(c).Count);

        // As with Remove-Item -Recurse, -Confirm:$false answers ShouldProcess only: the second question is still
        // asked, and the host's own error (not a DsOps one) says it could not be.
        var declined = Assert.ThrowsAny<RuntimeException>(() => Sync(c, new { Prune = true, Confirm = false }));
        Assert.DoesNotContain("DsUnexpectedError", declined.ErrorRecord.FullyQualifiedErrorId);
        Assert.IsAssignableFrom<System.Management.Automation.Host.HostException>(declined.ErrorRecord.Exception);
        Assert.Equal(2, Workflows(c).Count);

        // -Force answers the second question.
        var pruned = Sync(c, new { Prune = true, Force = true, Confirm = false });

        var deleted = Assert.Single(pruned.Objects<WorkflowApplyResult>());
        Assert.Equal(("weekly_report", PlanAction.Delete, ApplyStatus.Applied), (deleted.Workflow, deleted.Action, deleted.Status));
        Assert.Equal(new[] { "daily_sales" }, Workflows(c).Select(w => w.Name));
    }

    [Fact]
    public async Task Drift_made_outside_DsOps_is_flagged_and_overwritten()
    {
        var c = await StartAsync("3.2");
        Sync(c);
        var sales = Workflows(c).Single(w => w.Name == "daily_sales");
        // An edit "in the UI": take it offline and change a task through the API.
        await using (var db = new MySqlConnection(_emu.ConnectionString))
        {
            await db.OpenAsync();
            await using var cmd = new MySqlCommand("UPDATE t_ds_task_definition SET fail_retry_times = 9 WHERE name = 'extract'", db);
            await cmd.ExecuteNonQueryAsync();
        }

        var result = Sync(c);

        var item = Assert.Single(result.Objects<WorkflowApplyResult>());
        Assert.True(item.Drift);
        Assert.Equal(0, Workflows(c).Single(w => w.Name == "daily_sales").Tasks!.Single(t => t.Name == "extract").FailRetryTimes);
        _ = sales;
    }

    [Fact]
    public async Task A_saved_plan_is_refused_when_the_server_changed_since()
    {
        var c = await StartAsync("3.2");
        Sync(c);
        File.WriteAllText(Path.Combine(_dir, "etl.yaml"), Specs.Replace("echo load", "echo load v3"));
        var desired = new SpecSourceRequest(_dir).Load();
        var snapshot = await DsServerSnapshot.ReadAsync(c.Client, new[] { "etl" });
        var plan = WorkflowPlanner.Plan(desired.Workflows, snapshot.Workflows);
        var planPath = Path.Combine(_dir, "plan.json");
        PlanFile.Save(planPath, plan, new PlanSource(_dir, "Auto", null));
        // Someone changes the server after the plan was reviewed.
        await using (var db = new MySqlConnection(_emu.ConnectionString))
        {
            await db.OpenAsync();
            await using var cmd = new MySqlCommand("UPDATE t_ds_task_definition SET fail_retry_times = 5 WHERE name = 'extract'", db);
            await cmd.ExecuteNonQueryAsync();
        }

        var ex = Assert.Throws<CmdletInvocationException>(() => _engine.Run("Sync-DsWorkflow", new { Plan = planPath, Connection = c }));
        Assert.Equal("DsPlanStale,DsOps.Commands.Specs.SyncDsWorkflowCommand", ex.ErrorRecord.FullyQualifiedErrorId);
    }

    [Fact]
    public async Task A_saved_plan_applies_exactly_when_the_server_is_unchanged()
    {
        var c = await StartAsync("3.3");
        Sync(c);
        File.WriteAllText(Path.Combine(_dir, "etl.yaml"), Specs.Replace("echo load", "echo load v4"));
        var desired = new SpecSourceRequest(_dir).Load();
        var snapshot = await DsServerSnapshot.ReadAsync(c.Client, new[] { "etl" });
        var planPath = Path.Combine(_dir, "plan.json");
        PlanFile.Save(planPath, WorkflowPlanner.Plan(desired.Workflows, snapshot.Workflows), new PlanSource(_dir, "Auto", null));

        var result = _engine.Run("Sync-DsWorkflow", new { Plan = planPath, Connection = c });

        Assert.Empty(result.Errors);
        Assert.Equal("daily_sales", Assert.Single(result.Objects<WorkflowApplyResult>()).Workflow);
    }

    [Fact]
    public async Task A_failing_workflow_is_reported_while_the_others_apply_and_a_rerun_converges()
    {
        File.WriteAllText(Path.Combine(_dir, "etl.yaml"), Specs + """

              - name: standalone
                tasks:
                  - name: only
                    type: SHELL
                    script: echo only
            """);
        var c = await StartAsync("3.2");
        var project = await c.Client.CreateProjectAsync("etl", "");
        var desired = new SpecSourceRequest(_dir).Load();
        Assert.False(desired.HasErrors);
        var snapshot = await DsServerSnapshot.ReadAsync(c.Client, new[] { "etl" });
        var plan = WorkflowPlanner.Plan(desired.Workflows, snapshot.Workflows);
        // After the plan was made, someone creates daily_sales by hand: DS refuses a second one with that name (10168).
        var manual = desired.Workflows.Single(w => w.Name == "daily_sales");
        var codes = await c.Client.GenerateTaskCodesAsync(project.ProjectCode, manual.Tasks.Length);
        var wire = new DsOps.Engine.Specs.Wire.DsWireConverter(c.Dialect).ToWire(manual with { Schedule = null },
            manual.Tasks.Select((t, i) => (t.Name, codes[i])).ToDictionary(x => x.Name, x => x.Item2));
        await c.Client.CreateWorkflowAsync(project.ProjectCode, wire);

        var results = await new WorkflowApplier(c.Client, snapshot).ApplyAsync(plan, new ApplyOptions { ThrottleLimit = 2 });

        var failed = results.Single(r => r.Workflow == "daily_sales");
        Assert.Equal(ApplyStatus.Failed, failed.Status);
        Assert.Equal(10168, ((DsApiException)failed.Error!).DsCode);
        Assert.Equal(ApplyStatus.Applied, results.Single(r => r.Workflow == "standalone").Status);

        var rerun = Sync(c);
        Assert.Empty(rerun.Errors);
        Assert.Equal(new[] { "daily_sales", "standalone", "weekly_report" }, Workflows(c).Select(w => w.Name));
        Assert.Empty(Sync(c).Objects<WorkflowApplyResult>());
    }

    public async Task DisposeAsync()
    {
        _engine.Dispose();
        if (_emu is not null) await _emu.DisposeAsync();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
