using System.Collections.Immutable;
using System.Management.Automation;
using System.Text.Json.Nodes;
using DsOps.Emulator;
using DsOps.Engine;
using DsOps.Engine.Api;
using DsOps.Engine.Apply;
using DsOps.Engine.IO;
using DsOps.Engine.Planning;
using DsOps.Engine.Specs.Sources;
using DsOps.Engine.Specs.Wire;
using DsOps.Tests.Api;
using DsOps.Tests.Hosting;
using MySqlConnector;
using Xunit;

namespace DsOps.Tests.Apply;

/// <summary>
/// What a sync remembers and how it shares: the state file written atomically by concurrent writers, the sync lock,
/// the journal a killed run leaves, orphaned task definitions, and the project-create race. Against the emulator on
/// real MariaDB; the kill -9 and multi-process trials are in tests/reliability (docs/sync-reliability.md).
/// </summary>
public sealed class SyncStateTests : IAsyncLifetime
{
    private const string Specs = """
        project: etl
        workflows:
          - name: daily_sales
            description: daily sales
            tasks:
              - name: extract
                type: SHELL
                script: echo extract
              - name: load
                type: SHELL
                dependsOn: [extract]
                script: echo load
          - name: hourly
            releaseState: OFFLINE
            tasks:
              - name: ping
                type: SHELL
                script: echo ping
        """;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dsops-state-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly string _lockDir;
    private readonly HostedEngine _engine = new();
    private DsEmulator _emu = null!;

    public SyncStateTests()
    {
        _lockDir = Path.Combine(_dir, "locks");
    }

    private string StatePath => Path.Combine(_dir, "specs", AppliedState.DefaultFileName);
    private string SpecDir => Path.Combine(_dir, "specs");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(SpecDir);
        File.WriteAllText(Path.Combine(SpecDir, "etl.yaml"), Specs);
        return Task.CompletedTask;
    }

    private async Task<DsConnection> StartAsync(string dialect = "3.2")
    {
        _emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        return _engine.Run("Connect-DsServer", new { Uri = _emu.BaseUri, Token = DsClientTests.Secure(_emu.AdminToken) }).Objects<DsConnection>().Single();
    }

    private HostedResult Sync(DsConnection c, object? extra = null)
    {
        var p = new Dictionary<string, object?> { ["Path"] = SpecDir, ["Connection"] = c };
        if (extra is not null) foreach (var prop in extra.GetType().GetProperties()) p[prop.Name] = prop.GetValue(extra);
        return _engine.Run("Sync-DsWorkflow", p);
    }

    private async Task<long> ScalarAsync(string sql, object? args = null)
    {
        await using var db = new MySqlConnection(_emu.ConnectionString);
        await db.OpenAsync();
        await using var cmd = new MySqlCommand(sql, db);
        if (args is not null)
            foreach (var p in args.GetType().GetProperties()) cmd.Parameters.AddWithValue("@" + p.Name, p.GetValue(args));
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    /// <summary>Orphans as Test-DsMetadataIntegrity defines them: task definitions no relation points at.</summary>
    private Task<long> OrphanCountAsync(string relationTable = "t_ds_process_task_relation") => ScalarAsync(
        $"SELECT COUNT(*) FROM t_ds_task_definition t WHERE NOT EXISTS (SELECT 1 FROM {relationTable} r WHERE r.post_task_code = t.code OR r.pre_task_code = t.code)");

    /// <summary>Does what the DS UI does when a user deletes a task from a workflow: one workflow update without it.</summary>
    private static async Task RemoveTaskLikeTheUiAsync(DsConnection c, string workflow, string task)
    {
        var snapshot = await DsServerSnapshot.ReadAsync(c.Client, new[] { "etl" });
        var current = snapshot.ByKey["etl/" + workflow];
        var spec = snapshot.Workflows.Single(w => w.Name == workflow);
        spec = spec with { Tasks = spec.Tasks.Where(t => t.Name != task).ToImmutableArray() };
        var wire = new DsWireConverter(c.Dialect, snapshot.Names).ToWire(spec,
            current.Tasks.Where(t => t.Key != task).ToDictionary(t => t.Key, t => t.Value.Code),
            current.Tasks.Where(t => t.Key != task).ToDictionary(t => t.Key, t => t.Value.Version));
        if (current.Online) await c.Client.ReleaseWorkflowAsync(current.ProjectCode, current.WorkflowCode, false);
        await c.Client.UpdateWorkflowAsync(current.ProjectCode, current.WorkflowCode, wire with { Schedule = null });
    }

    // ------------------------------------------------------------------ atomic state writes

    [Fact]
    public async Task Concurrent_writers_of_one_state_file_never_fail_and_never_leave_a_corrupt_file()
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, "shared-state.json");
        var errors = 0;
        var corrupt = 0;
        var stop = false;
        var reader = Task.Run(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                try
                {
                    if (File.Exists(path)) AppliedState.Load(path);
                }
                catch (DsOpsException) { Interlocked.Increment(ref corrupt); }
                catch (IOException) { /* replaced between Exists and Read: not corruption */ }
            }
        });
        var writers = Enumerable.Range(0, 2).Select(w => Task.Run(() =>
        {
            var state = new AppliedState();
            for (var i = 0; i < 400; i++)
            {
                state.Record($"p/w{w}-{i}", new string('a', 32), i, new long[] { i, i + 1 });
                try { state.Save(path); }
                catch (Exception) { Interlocked.Increment(ref errors); }
            }
        })).ToArray();
        await Task.WhenAll(writers);
        Volatile.Write(ref stop, true);
        await reader;

        Assert.Equal(0, errors);
        Assert.Equal(0, corrupt);
        var final = AppliedState.Load(path);
        Assert.Equal(400, final.Entries.Count); // one writer's last complete file
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp", SearchOption.AllDirectories)); // no temp file left behind
    }

    [Fact]
    public void State_format_1_files_still_load_and_a_torn_last_journal_line_is_skipped()
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, "v1.json");
        File.WriteAllText(path, """{ "formatVersion": 1, "workflows": { "p/a": "0123" } }""");
        File.WriteAllText(AppliedState.JournalPath(path),
            """{"op":"begin","key":"p/b","action":"Create"}""" + "\n" + """{"op":"done","key":"p/b","fingerprint":"ff","code":7,"tasks":[1,2]}""" + "\n" + """{"op":"begin","key":"p/c","act""");

        var state = AppliedState.Load(path);

        Assert.Equal("0123", state.Get("p/a"));
        Assert.Equal(new AppliedEntry("ff", 7, new long[] { 1, 2 }, false), state.Entry("p/b") with { Tasks = state.Entry("p/b")!.Tasks }, new EntryComparer());
        Assert.False(state.IsManaged("p/c"));
        Assert.Equal(2, state.ReplayedJournalEntries);
        File.WriteAllText(path, "{ not json");
        var ex = Assert.Throws<DsOpsException>(() => AppliedState.Load(path));
        Assert.Equal("DsStateFileInvalid", ex.ErrorId);
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void A_run_after_a_torn_journal_line_starts_on_a_fresh_line()
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, "torn.json");
        File.WriteAllText(AppliedState.JournalPath(path), """{"op":"begin","key":"p/a","action":"Create"}""" + "\n" + """{"op":"done","key":"p/a","fin""");
        using (var journal = ApplyJournal.Open(path)) journal.Begin("p/b", "Create", null);

        var state = AppliedState.Load(path);

        Assert.True(state.Entry("p/a")!.Pending);
        Assert.True(state.Entry("p/b")!.Pending); // not glued to the torn line and lost with it
    }

    [Fact]
    public void An_intent_whose_workflow_never_reached_the_server_stays_managed_for_the_grace_time_then_is_dropped()
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, "intents.json");
        var begun = DateTimeOffset.UtcNow;
        using (var journal = ApplyJournal.Open(path))
        {
            journal.Begin("p/never", "Create", null); // killed before its create reached DS
            journal.Begin("p/late", "Create", null);  // killed while DS was still processing the create
            journal.Begin("q/other", "Create", null); // a project this sync does not touch
        }
        var state = AppliedState.Load(path);
        var since = state.Entry("p/never")!.Since!.Value;
        Assert.InRange(since, begun.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        var scope = new HashSet<string>(StringComparer.Ordinal) { "p" };
        var onServer = new HashSet<string>(StringComparer.Ordinal);

        // Within the grace time nothing is dropped: DS may still be processing the request.
        Assert.Empty(state.DropStaleIntents(scope, onServer.Contains, since + AppliedState.IntentGrace - TimeSpan.FromMinutes(1)));
        state.Save(path);
        File.Delete(AppliedState.JournalPath(path));
        onServer.Add("p/late"); // the late create arrived: managed, so a sync deletes it when its spec is gone

        var reloaded = AppliedState.Load(path);
        Assert.InRange(reloaded.Entry("p/never")!.Since!.Value, since.AddSeconds(-1), since); // the state file keeps the time
        Assert.Equal(new[] { "p/never" }, reloaded.DropStaleIntents(scope, onServer.Contains, since + AppliedState.IntentGrace + TimeSpan.FromSeconds(1)));
        Assert.True(reloaded.Entry("p/late")!.Pending);
        Assert.True(reloaded.IsManaged("q/other"));
    }

    [Fact]
    public void A_server_task_equal_to_its_desired_task_is_held_as_that_instance_and_a_different_one_is_not()
    {
        var same = new DsOps.Engine.Specs.Model.TaskSpec("a", "SHELL") { Script = "echo a" };
        var changed = new DsOps.Engine.Specs.Model.TaskSpec("b", "SHELL") { Script = "echo b" };
        var desired = new DsOps.Engine.Specs.Model.WorkflowSpec("p", "w", ImmutableArray.Create(same, changed with { Script = "echo b2" }));
        var server = new DsOps.Engine.Specs.Model.WorkflowSpec("p", "w", ImmutableArray.Create(same with { Description = "" }, changed)) { Description = "server" };

        var shared = DsServerSnapshot.ShareEqualTasks(server, desired);

        Assert.Same(desired.Tasks[0], shared.Tasks[0]); // equal in every compared field ("" and null are one value)
        Assert.Same(changed, shared.Tasks[1]);           // a changed script keeps the server's copy
        Assert.Equal("server", shared.Description);
        Assert.Equal(SpecFields.Fingerprint(server), SpecFields.Fingerprint(shared));
    }

    private sealed class EntryComparer : IEqualityComparer<AppliedEntry?>
    {
        public bool Equals(AppliedEntry? x, AppliedEntry? y) =>
            x is not null && y is not null && x.Fingerprint == y.Fingerprint && x.Code == y.Code && x.Pending == y.Pending && x.Tasks.SequenceEqual(y.Tasks);
        public int GetHashCode(AppliedEntry? obj) => 0;
    }

    // ------------------------------------------------------------------ the sync lock

    [Fact]
    public async Task A_second_sync_of_the_same_project_is_refused_naming_the_running_one_and_waits_with_LockTimeout()
    {
        Environment.SetEnvironmentVariable(SyncLock.LockDirVariable, _lockDir);
        try
        {
            var c = await StartAsync();
            var held = await SyncLock.AcquireAsync(c.Client.BaseUri, new[] { "etl" }, null, TimeSpan.Zero);
            var writes = _emu.RequestLog.WritingRequests;

            var ex = Assert.Throws<CmdletInvocationException>(() => Sync(c));

            Assert.Equal("DsSyncLocked,DsOps.Commands.Specs.SyncDsWorkflowCommand", ex.ErrorRecord.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ResourceBusy, ex.ErrorRecord.CategoryInfo.Category);
            Assert.Contains("Another sync of project 'etl'", ex.Message);
            Assert.Contains($"process {Environment.ProcessId} since ", ex.Message);
            Assert.Equal(writes, _emu.RequestLog.WritingRequests);
            Assert.False(File.Exists(StatePath));

            // -LockTimeout waits for the running sync instead.
            var release = Task.Delay(700).ContinueWith(_ => held.Dispose());
            var waited = Sync(c, new { LockTimeout = 30 });
            await release;
            Assert.Empty(waited.Errors);
            Assert.Equal(2, waited.Objects<WorkflowApplyResult>().Count);

            // -WhatIf takes no lock: it writes nothing.
            using var again = await SyncLock.AcquireAsync(c.Client.BaseUri, new[] { "etl" }, null, TimeSpan.Zero);
            Assert.Empty(Sync(c, new { WhatIf = true }).Errors);
        }
        finally
        {
            Environment.SetEnvironmentVariable(SyncLock.LockDirVariable, null);
        }
    }

    [Fact]
    public async Task The_lock_covers_the_state_file_and_is_released_when_its_holder_is_disposed()
    {
        var uri = new Uri("http://ds.example:12345/dolphinscheduler/");
        Environment.SetEnvironmentVariable(SyncLock.LockDirVariable, _lockDir);
        try
        {
            var state = Path.Combine(_dir, "s.json");
            using (await SyncLock.AcquireAsync(uri, new[] { "a" }, state, TimeSpan.Zero))
            {
                var ex = await Assert.ThrowsAsync<DsOpsException>(() => SyncLock.AcquireAsync(uri, new[] { "b" }, state, TimeSpan.FromMilliseconds(300)));
                Assert.Equal(DsErrorKind.Busy, ex.Kind);
                Assert.Contains("state file", ex.Message);
                Assert.Contains("waited 0.3 s", ex.Message);
                using (await SyncLock.AcquireAsync(uri, new[] { "b" }, null, TimeSpan.Zero)) { } // other projects are free
                using (await SyncLock.AcquireAsync(new Uri("http://other:12345/dolphinscheduler/"), new[] { "a" }, null, TimeSpan.Zero)) { }
            }
            using (await SyncLock.AcquireAsync(uri, new[] { "a" }, state, TimeSpan.Zero)) { }
        }
        finally
        {
            Environment.SetEnvironmentVariable(SyncLock.LockDirVariable, null);
        }
    }

    // ------------------------------------------------------------------ the journal

    [Fact]
    public async Task A_workflow_a_killed_run_created_is_deleted_once_its_spec_is_gone_and_its_edits_are_not_drift()
    {
        var c = await StartAsync();
        Assert.Empty(Sync(c).Errors);
        var project = (await c.Client.ResolveProjectAsync("etl")).ProjectCode;

        // A run with a new workflow 'extra' and an edited 'hourly' is killed: its journal says it began both, and it
        // got as far as creating 'extra' and updating 'hourly' on the server before it died.
        var withExtra = Specs.Replace("script: echo ping", "script: echo ping v2") + """

              - name: extra
                tasks:
                  - name: one
                    type: SHELL
                    script: echo one
            """;
        File.WriteAllText(Path.Combine(SpecDir, "etl.yaml"), withExtra);
        var desired = new SpecSourceRequest(SpecDir).Load().Workflows;
        var snapshot = await DsServerSnapshot.ReadAsync(c.Client, new[] { "etl" });
        using (var journal = ApplyJournal.Open(StatePath))
        {
            journal.Begin("etl/hourly", "Update", null);
            var hourly = snapshot.ByKey["etl/hourly"];
            await c.Client.UpdateWorkflowAsync(project, hourly.WorkflowCode, new DsWireConverter(c.Dialect, snapshot.Names).ToWire(
                desired.Single(w => w.Name == "hourly"), hourly.Tasks.ToDictionary(t => t.Key, t => t.Value.Code), hourly.Tasks.ToDictionary(t => t.Key, t => t.Value.Version)));
            journal.Begin("etl/extra", "Create", null);
            var code = (await c.Client.GenerateTaskCodesAsync(project, 1))[0];
            await c.Client.CreateWorkflowAsync(project, new DsWireConverter(c.Dialect, snapshot.Names).ToWire(desired.Single(w => w.Name == "extra"),
                new Dictionary<string, long> { ["one"] = code }));
            // killed here: no "done" lines, the state file is the one before the run
        }

        // The user gives up on 'extra' and removes it from the specs; the edit of 'hourly' stays.
        File.WriteAllText(Path.Combine(SpecDir, "etl.yaml"), Specs.Replace("script: echo ping", "script: echo ping v2"));
        var plan = _engine.Run("Compare-DsWorkflow", new { Path = SpecDir, Connection = c, StatePath = StatePath }).Objects<PlanItem>();
        Assert.Equal(PlanAction.Delete, plan.Single(i => i.Level == PlanLevel.Workflow && i.Workflow == "extra").Action);
        Assert.Equal(PlanAction.Unchanged, plan.Single(i => i.Level == PlanLevel.Workflow && i.Workflow == "hourly").Action);
        Assert.DoesNotContain(plan, i => i.Drift);

        var rerun = Sync(c, new { Force = true });

        Assert.Empty(rerun.Errors);
        Assert.Contains(rerun.Warnings, w => w.Contains("did not finish") && w.Contains("2 journal entries"));
        var deleted = Assert.Single(rerun.Objects<WorkflowApplyResult>());
        Assert.Equal(("extra", PlanAction.Delete, ApplyStatus.Applied, false), (deleted.Workflow, deleted.Action, deleted.Status, deleted.Drift));
        Assert.False(File.Exists(AppliedState.JournalPath(StatePath)));
        var state = AppliedState.Load(StatePath);
        Assert.Equal(new[] { "etl/daily_sales", "etl/hourly" }, state.Entries.Keys);
        Assert.All(state.Entries.Values, e => Assert.False(e.Pending));
        Assert.Empty(Sync(c).Objects<WorkflowApplyResult>());
    }

    [Fact]
    public async Task A_sync_journals_as_it_goes_and_records_state_without_reading_the_projects_back()
    {
        var c = await StartAsync();
        static long AllReads(DsEmulator e) => e.RequestLog.ByRoute.Where(r => r.Key.StartsWith("GET ", StringComparison.Ordinal) && r.Key.EndsWith("-definition/all", StringComparison.Ordinal)).Sum(r => r.Value);
        var before = AllReads(_emu);

        var result = Sync(c);

        Assert.Empty(result.Errors);
        // The project did not exist when the snapshot was read, and nothing is read back after the apply.
        Assert.Equal(0, AllReads(_emu) - before);
        var state = AppliedState.Load(StatePath);
        var snapshot = await DsServerSnapshot.ReadAsync(c.Client, new[] { "etl" });
        foreach (var w in snapshot.Workflows)
        {
            var entry = state.Entry(w.Key)!;
            Assert.Equal(SpecFields.Fingerprint(w), entry.Fingerprint); // the spec written reads back equal
            Assert.Equal(snapshot.ByKey[w.Key].WorkflowCode, entry.Code);
            Assert.Equal(snapshot.ByKey[w.Key].Tasks.Values.Select(t => t.Code).Order(), entry.Tasks);
        }
        var text = File.ReadAllText(StatePath);
        Assert.Equal(2, JsonNode.Parse(text)!["formatVersion"]!.GetValue<int>());
    }

    // ------------------------------------------------------------------ orphaned task definitions

    [Theory]
    [InlineData("3.0")]
    [InlineData("3.1")]
    [InlineData("3.2")]
    public async Task Orphaned_task_definitions_of_managed_workflows_are_found_and_deleted(string dialect)
    {
        var c = await StartAsync(dialect);
        Assert.Empty(Sync(c).Errors);
        Assert.Equal(0, await OrphanCountAsync());
        var load = (await DsServerSnapshot.ReadAsync(c.Client, new[] { "etl" })).ByKey["etl/daily_sales"].Tasks["load"].Code;

        // DS keeps a removed task's definition (DS#6418), as a UI edit or a run killed before its deletes leaves it.
        await RemoveTaskLikeTheUiAsync(c, "daily_sales", "load");
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM t_ds_task_definition WHERE code = @load", new { load }));
        Assert.Equal(1, await OrphanCountAsync());
        var checker = new DsOps.Engine.Metadata.IntegrityChecker(await DsOps.Engine.Metadata.DsMetadataConnection.ConnectAsync(_emu.ConnectionString, serverTimeZone: TimeZoneInfo.Utc));
        var finding = Assert.Single(await checker.RunAsync(new[] { "OrphanTaskDefinition" }));
        Assert.Contains(load, finding.Evidence.Select(e => Convert.ToInt64(e["code"])));

        var rerun = Sync(c, new { IncludeUnchanged = true });

        Assert.Empty(rerun.Errors);
        var cleanup = rerun.Objects<WorkflowApplyResult>().Single(r => r.Changes?.StartsWith("orphaned task definitions") == true);
        Assert.Equal(("daily_sales", ApplyStatus.Applied), (cleanup.Workflow, cleanup.Status));
        Assert.Contains(load.ToString(), cleanup.Changes);
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM t_ds_task_definition WHERE code = @load", new { load }));
        Assert.Equal(0, await OrphanCountAsync());
        // The drifted workflow got its task back under a new code, and the next sync has nothing left to do.
        Assert.Empty(Sync(c).Objects<WorkflowApplyResult>());
    }

    [Fact]
    public async Task From_3_3_orphans_are_reported_because_DS_has_no_route_to_delete_them()
    {
        var c = await StartAsync("3.3");
        Assert.Empty(Sync(c).Errors);
        await RemoveTaskLikeTheUiAsync(c, "daily_sales", "load");

        var rerun = Sync(c);

        var report = rerun.Objects<WorkflowApplyResult>().Single(r => r.Changes?.StartsWith("orphaned task definitions") == true);
        Assert.Equal(ApplyStatus.Skipped, report.Status);
        Assert.Contains("no route to delete", report.Message);
        Assert.Equal(1, await OrphanCountAsync("t_ds_workflow_task_relation")); // Test-DsMetadataIntegrity keeps listing it
    }

    [Fact]
    public async Task WhatIf_lists_orphan_deletes_and_deletes_nothing()
    {
        var c = await StartAsync();
        Assert.Empty(Sync(c).Errors);
        await RemoveTaskLikeTheUiAsync(c, "daily_sales", "load");
        var writes = _emu.RequestLog.WritingRequests;

        var whatIf = Sync(c, new { WhatIf = true });

        Assert.Equal(writes, _emu.RequestLog.WritingRequests);
        Assert.Equal(1, await OrphanCountAsync());
        Assert.False(File.Exists(AppliedState.JournalPath(StatePath)));
        Assert.Empty(whatIf.Errors);
    }

    // ------------------------------------------------------------------ the project-create race

    [Fact]
    public async Task The_loser_of_a_project_create_race_uses_the_winners_project_and_applies_its_workflows()
    {
        var c = await StartAsync();
        var desired = new SpecSourceRequest(SpecDir).Load().Workflows;
        // Both runs read the server before either created the project.
        var snapshotA = await DsServerSnapshot.ReadAsync(c.Client, new[] { "etl" });
        var snapshotB = await DsServerSnapshot.ReadAsync(c.Client, new[] { "etl" });
        var planA = WorkflowPlanner.Plan(desired.Where(w => w.Name == "daily_sales").ToList(), snapshotA.Workflows);
        var planB = WorkflowPlanner.Plan(desired.Where(w => w.Name == "hourly").ToList(), snapshotB.Workflows);

        var a = await new WorkflowApplier(c.Client, snapshotA).ApplyAsync(planA, new ApplyOptions());
        var b = await new WorkflowApplier(c.Client, snapshotB).ApplyAsync(planB, new ApplyOptions());

        Assert.Equal(ApplyStatus.Applied, Assert.Single(a).Status);
        var hourly = Assert.Single(b);
        Assert.Equal(("hourly", ApplyStatus.Applied), (hourly.Workflow, hourly.Status));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM t_ds_project WHERE name = 'etl'"));
        Assert.Equal(2, await ScalarAsync("SELECT COUNT(*) FROM t_ds_process_definition"));
    }

    // ------------------------------------------------------------------ emulator: parallel saves

    [Fact]
    public async Task Parallel_updates_of_different_workflows_of_one_project_do_not_deadlock()
    {
        var yaml = "project: etl\nworkflows:\n" + string.Concat(Enumerable.Range(0, 16).Select(i =>
            $"  - name: w{i}\n    tasks:\n      - name: a\n        type: SHELL\n        script: echo a\n      - name: b\n        type: SHELL\n        dependsOn: [a]\n        script: echo b\n"));
        File.WriteAllText(Path.Combine(SpecDir, "etl.yaml"), yaml);
        var c = await StartAsync();
        Assert.Empty(Sync(c, new { ThrottleLimit = 16 }).Errors);
        for (var round = 1; round <= 3; round++)
        {
            File.WriteAllText(Path.Combine(SpecDir, "etl.yaml"), yaml.Replace("echo b", $"echo b{round}"));
            var result = Sync(c, new { ThrottleLimit = 16 });
            Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors.Select(e => e.ToString())));
            Assert.Equal(16, result.Objects<WorkflowApplyResult>().Count(r => r.Status == ApplyStatus.Applied));
        }
    }

    public async Task DisposeAsync()
    {
        _engine.Dispose();
        if (_emu is not null) await _emu.DisposeAsync();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
