using System.Management.Automation;
using System.Net.Http.Json;
using System.Text;
using DsOps.Emulator;
using DsOps.Engine.Api;
using DsOps.Engine.Apply;
using DsOps.Engine.Clusters.Promotion;
using DsOps.Engine.Planning;
using DsOps.Tests.Api;
using DsOps.Tests.Hosting;
using MySqlConnector;
using Xunit;

namespace DsOps.Tests.Promotion;

/// <summary>
/// Copy-DsWorkflow between two DS emulators (each on its own real MariaDB): the source set up with UAT names, the
/// destination with PROD names and data sources whose ids differ from the source's. Checks what lands in the
/// destination's database and API, that a second copy plans and writes nothing (no second schedule, no second
/// workflow), that a name without a counterpart stops the copy before any write, and that -WhatIf writes nothing.
/// </summary>
public sealed class WorkflowCopyTests : IAsyncLifetime
{
    private const string Spec = """
        project: etl
        workflows:
          - name: daily
            parameters:
              target_db: dw
            schedule:
              cron: "0 0 2 * * ? *"
              timezone: UTC
              workerGroup: etl
              online: true
            tasks:
              - name: extract
                type: SQL
                dataSource: ods
                workerGroup: etl
                script: select 1
              - name: load
                type: SHELL
                dependsOn: [extract]
                workerGroup: etl
                script: echo load ${target_db}
          - name: weekly
            tasks:
              - name: purge
                type: SHELL
                script: echo purge
        """;

    private const string Environments = """
        environments:
          UAT:
            dataSources: { ods: ods_uat }
            workerGroups: { etl: uat }
            parameters: { target_db: dw_uat }
          PROD:
            dataSources: { ods: ods_prod }
            workerGroups: { etl: prod }
            parameters: { target_db: dw_prod }
          BROKEN:
            dataSources: { ods: ods_nowhere }
            workerGroups: { etl: prod }
        """;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dsops-copy-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly HostedEngine _engine = new();
    private readonly List<DsEmulator> _emulators = new();
    private string EnvFile => Path.Combine(_dir, "environments.yaml");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "etl.yaml"), Spec);
        File.WriteAllText(EnvFile, Environments);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _engine.Dispose();
        foreach (var e in _emulators) await e.DisposeAsync();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    /// <summary>An emulator with the environment's worker group and data source (after <paramref name="before"/> others, so ids differ).</summary>
    private async Task<(DsEmulator Emulator, DsConnection Connection)> ClusterAsync(string dialect, string env, params string[] before)
    {
        var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        _emulators.Add(emu);
        var c = _engine.Run("Connect-DsServer", new { Uri = emu.BaseUri, Token = DsClientTests.Secure(emu.AdminToken) }).Objects<DsConnection>().Single();
        var group = env.ToLowerInvariant();
        await using (var db = new MySqlConnection(emu.ConnectionString))
        {
            await db.OpenAsync();
            await using var cmd = new MySqlCommand("INSERT INTO t_ds_worker_group (name, addr_list, create_time, update_time) VALUES (@n, '10.0.0.1:1234', NOW(), NOW())", db);
            cmd.Parameters.AddWithValue("@n", group);
            await cmd.ExecuteNonQueryAsync();
        }
        using var http = new HttpClient { BaseAddress = emu.BaseUri };
        http.DefaultRequestHeaders.Add("token", emu.AdminToken);
        foreach (var name in before.Append("ods_" + group))
        {
            var created = await http.PostAsJsonAsync("datasources", new
            {
                type = "MYSQL", name, note = "store", host = "db.example", port = 3306, database = "ods", userName = "etl", password = "pw-" + env,
            });
            Assert.Contains("\"code\":0", await created.Content.ReadAsStringAsync());
        }
        return (emu, c);
    }

    private async Task<(DsConnection Uat, DsConnection Prod, DsEmulator ProdEmulator)> TwoClustersAsync(string sourceDialect, string destinationDialect)
    {
        var (_, uat) = await ClusterAsync(sourceDialect, "UAT");
        var (prodEmu, prod) = await ClusterAsync(destinationDialect, "PROD", "first_ds", "second_ds");
        var sync = _engine.Run("Sync-DsWorkflow", new { Path = _dir, Environment = "UAT", Connection = uat, NoState = true });
        Assert.True(sync.Errors.Count == 0, string.Join("\n", sync.Errors));
        return (uat, prod, prodEmu);
    }

    private HostedResult Copy(DsConnection source, DsConnection destination, object? extra = null, string environment = "PROD")
    {
        var p = new Dictionary<string, object?>
        {
            ["Source"] = source, ["Connection"] = destination, ["Project"] = new[] { "etl" },
            ["EnvironmentFile"] = EnvFile, ["SourceEnvironment"] = "UAT", ["DestinationEnvironment"] = environment, ["Confirm"] = false,
        };
        if (extra is not null)
            foreach (var prop in extra.GetType().GetProperties()) p[prop.Name] = prop.GetValue(extra);
        return _engine.Run("Copy-DsWorkflow", p);
    }

    private static async Task<long> ScalarAsync(DsEmulator emu, string sql)
    {
        await using var db = new MySqlConnection(emu.ConnectionString);
        await db.OpenAsync();
        return Convert.ToInt64(await new MySqlCommand(sql, db).ExecuteScalarAsync());
    }

    /// <summary>Every table's row count and CHECKSUM TABLE: equal fingerprints mean nothing was written.</summary>
    private static async Task<string> DatabaseFingerprintAsync(DsEmulator emu)
    {
        await using var db = new MySqlConnection(emu.ConnectionString);
        await db.OpenAsync();
        var tables = new List<string>();
        await using (var r = await new MySqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name", db).ExecuteReaderAsync())
            while (await r.ReadAsync()) tables.Add(r.GetString(0));
        var sb = new StringBuilder();
        await using (var r = await new MySqlCommand("CHECKSUM TABLE " + string.Join(", ", tables.Select(t => "`" + t + "`")) + " EXTENDED", db).ExecuteReaderAsync())
            while (await r.ReadAsync()) sb.Append(r.GetString(0)).Append('=').Append(r.IsDBNull(1) ? "null" : r.GetValue(1).ToString()).Append('\n');
        foreach (var t in tables) sb.Append(t).Append(':').Append(await ScalarAsync(emu, $"SELECT COUNT(*) FROM `{t}`")).Append('\n');
        return sb.ToString();
    }

    private static string DefinitionTable(DsConnection c) => c.Dialect.Family is "3.0" or "3.1" or "3.2" ? "t_ds_process_definition" : "t_ds_workflow_definition";

    [Theory]
    [InlineData("3.2", "3.2")]
    [InlineData("3.2", "3.4")]
    [InlineData("3.1", "3.3")]
    public async Task Copy_maps_names_and_ids_and_a_second_copy_changes_nothing(string sourceDialect, string destinationDialect)
    {
        var (uat, prod, prodEmu) = await TwoClustersAsync(sourceDialect, destinationDialect);
        var sourceIds = await DsServerSnapshot.ReadAsync(uat.Client, new[] { "etl" });
        var destinationIds = await DsServerSnapshot.ReadAsync(prod.Client, Array.Empty<string>());
        var uatOds = sourceIds.Names.DataSource("ods_uat")!.Value.Id;
        var prodOds = destinationIds.Names.DataSource("ods_prod")!.Value.Id;
        Assert.NotEqual(uatOds, prodOds); // the copy must really remap the id

        var first = Copy(uat, prod, new { IncludeSchedule = true });
        Assert.True(first.Errors.Count == 0, string.Join("\n", first.Errors));
        var results = first.Objects<DsWorkflowCopyResult>().OrderBy(r => r.Workflow).ToList();
        Assert.Equal(new[] { ("daily", PlanAction.Create, ApplyStatus.Applied, CopySchedule.Created), ("weekly", PlanAction.Create, ApplyStatus.Applied, CopySchedule.None) },
            results.Select(r => (r.Workflow, r.Action, r.Status, r.Schedule)));
        Assert.False(results[0].ScheduleOnline, "a copied schedule stays offline unless -ScheduleOnline");
        Assert.Contains(first.Progress, p => p.Activity == "Copy-DsWorkflow" && p.RecordType == ProgressRecordType.Completed);
        Assert.Equal(sourceIds.ByKey["etl/daily"].WorkflowCode, results[0].SourceWorkflowCode);

        // On the destination's API: PROD names, PROD parameter value, the copy's own codes, one offline schedule.
        var after = await DsServerSnapshot.ReadAsync(prod.Client, new[] { "etl" });
        var daily = after.Workflows.Single(w => w.Name == "daily");
        Assert.Equal(results[0].WorkflowCode, after.ByKey["etl/daily"].WorkflowCode);
        Assert.Equal("ods_prod", daily.FindTask("extract")!.DataSource);
        Assert.All(daily.Tasks, t => Assert.Equal("prod", t.WorkerGroup));
        Assert.Equal("prod", daily.Schedule!.WorkerGroup);
        Assert.False(daily.Schedule.Online);
        Assert.Equal("dw_prod", daily.Parameters.Single(p => p.Name == "target_db").Value);

        // In the destination's database: the PROD data source's id and worker group, not the source's.
        var extractCode = after.ByKey["etl/daily"].Tasks["extract"].Code;
        await using (var db = new MySqlConnection(prodEmu.ConnectionString))
        {
            await db.OpenAsync();
            var cmd = new MySqlCommand("SELECT worker_group, task_params FROM t_ds_task_definition WHERE code = @c", db);
            cmd.Parameters.AddWithValue("@c", extractCode);
            await using var r = await cmd.ExecuteReaderAsync();
            Assert.True(await r.ReadAsync());
            Assert.Equal("prod", r.GetString(0));
            Assert.Contains($"\"datasource\":{prodOds}", r.GetString(1).Replace(" ", ""));
        }
        Assert.Equal(2, await ScalarAsync(prodEmu, $"SELECT COUNT(*) FROM {DefinitionTable(prod)}"));
        Assert.Equal(1, await ScalarAsync(prodEmu, "SELECT COUNT(*) FROM t_ds_schedules"));

        // A second copy plans no change and writes nothing: no second workflow, no second schedule.
        var before = await DatabaseFingerprintAsync(prodEmu);
        var second = Copy(uat, prod, new { IncludeSchedule = true, PassThru = true });
        Assert.True(second.Errors.Count == 0, string.Join("\n", second.Errors));
        Assert.All(second.Objects<DsWorkflowCopyResult>(), r => Assert.Equal((PlanAction.Unchanged, ApplyStatus.Unchanged), (r.Action, r.Status)));
        Assert.Equal(2, second.Objects<DsWorkflowCopyResult>().Count);
        Assert.Equal(before, await DatabaseFingerprintAsync(prodEmu));

        // The destination puts its schedule online; a copy without -IncludeSchedule keeps it, one with it does not take it offline.
        await prod.Client.SetScheduleOnlineAsync(after.ByKey["etl/daily"].ProjectCode, after.ByKey["etl/daily"].Schedule!.Id, true);
        var kept = Copy(uat, prod, new { PassThru = true });
        Assert.True(kept.Errors.Count == 0, string.Join("\n", kept.Errors));
        Assert.Equal(CopySchedule.Kept, kept.Objects<DsWorkflowCopyResult>().Single(r => r.Workflow == "daily").Schedule);
        Assert.All(kept.Objects<DsWorkflowCopyResult>(), r => Assert.Equal(ApplyStatus.Unchanged, r.Status));
        var again = Copy(uat, prod, new { IncludeSchedule = true, PassThru = true });
        Assert.All(again.Objects<DsWorkflowCopyResult>(), r => Assert.Equal(ApplyStatus.Unchanged, r.Status));
        Assert.Equal(1, await ScalarAsync(prodEmu, "SELECT COUNT(*) FROM t_ds_schedules"));
        Assert.Equal(1, await ScalarAsync(prodEmu, "SELECT COUNT(*) FROM t_ds_schedules WHERE release_state = 1"));
    }

    [Fact]
    public async Task A_source_name_without_a_counterpart_stops_the_copy_before_any_write()
    {
        var (uat, prod, prodEmu) = await TwoClustersAsync("3.2", "3.2");
        var before = await DatabaseFingerprintAsync(prodEmu);
        var error = Assert.Throws<CmdletInvocationException>(() => Copy(uat, prod, environment: "BROKEN")).ErrorRecord;
        Assert.StartsWith("DsCopyMappingMissing,", error.FullyQualifiedErrorId);
        Assert.Contains("etl/daily task extract: data source 'ods_uat' is 'ods_nowhere' on the destination (environment BROKEN), which does not exist there", error.Exception.Message);
        Assert.Equal(before, await DatabaseFingerprintAsync(prodEmu));

        // Without any mapping the source's own names are looked for, and the message says nothing maps them.
        var e2 = Assert.Throws<CmdletInvocationException>(() => _engine.Run("Copy-DsWorkflow", new { Source = uat, Connection = prod, Project = new[] { "etl" }, Confirm = false })).ErrorRecord;
        Assert.StartsWith("DsCopyMappingMissing,", e2.FullyQualifiedErrorId);
        Assert.Contains("worker group 'uat' does not exist on the destination and no environments file maps it", e2.Exception.Message);
        Assert.Contains("data source 'ods_uat' does not exist", e2.Exception.Message);
        Assert.Equal(before, await DatabaseFingerprintAsync(prodEmu));
    }

    [Fact]
    public async Task WhatIf_writes_nothing_and_reports_what_would_be_copied()
    {
        var (uat, prod, prodEmu) = await TwoClustersAsync("3.2", "3.2");
        var before = await DatabaseFingerprintAsync(prodEmu);
        var result = Copy(uat, prod, new { IncludeSchedule = true, WhatIf = true });
        Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors));
        Assert.Equal(new[] { ("daily", PlanAction.Create, ApplyStatus.Skipped, "WhatIf"), ("weekly", PlanAction.Create, ApplyStatus.Skipped, "WhatIf") },
            result.Objects<DsWorkflowCopyResult>().Select(r => (r.Workflow, r.Action, r.Status, r.Message!)));
        Assert.Equal(before, await DatabaseFingerprintAsync(prodEmu));
        var plan = Path.Combine(_dir, "whatif-plan.json");
        Assert.Empty(Copy(uat, prod, new { OutFile = plan, WhatIf = true }).Errors);
        Assert.False(File.Exists(plan), "-OutFile under -WhatIf writes no plan file");

        // Piped from Get-DsWorkflow, one workflow only, into another project of the same cluster.
        var piped = _engine.Script(
            "Get-DsWorkflow -Project etl -Connection $uat | Where-Object Name -eq 'weekly' | Copy-DsWorkflow -Connection $prod -DestinationProject etl_copy -Confirm:$false",
            new Dictionary<string, object> { ["uat"] = uat, ["prod"] = prod });
        Assert.True(piped.Errors.Count == 0, string.Join("\n", piped.Errors));
        var copied = Assert.Single(piped.Objects<DsWorkflowCopyResult>());
        Assert.Equal(("etl/weekly", "etl_copy/weekly", ApplyStatus.Applied), (copied.Source, copied.Destination, copied.Status));
        Assert.Equal(1, await ScalarAsync(prodEmu, $"SELECT COUNT(*) FROM {DefinitionTable(prod)}"));
    }

    [Fact]
    public async Task A_literal_workflow_name_the_source_lacks_is_an_error_and_nothing_is_written()
    {
        var (uat, prod, prodEmu) = await TwoClustersAsync("3.2", "3.2");
        var before = await DatabaseFingerprintAsync(prodEmu);
        var error = Assert.Throws<CmdletInvocationException>(() => Copy(uat, prod, new { Workflow = new[] { "daily", "dialy" } })).ErrorRecord;
        Assert.StartsWith("DsWorkflowNotFound,", error.FullyQualifiedErrorId);
        Assert.Contains("'etl/dialy'", error.Exception.Message);
        Assert.Equal(before, await DatabaseFingerprintAsync(prodEmu));
    }
    [Fact]
    public async Task A_saved_copy_plan_applies_exactly_and_is_refused_when_either_side_changed()
    {
        var (uat, prod, prodEmu) = await TwoClustersAsync("3.2", "3.2");
        var plan = Path.Combine(_dir, "copy-plan.json");
        var before = await DatabaseFingerprintAsync(prodEmu);
        var planned = Copy(uat, prod, new { IncludeSchedule = true, OutFile = plan });
        Assert.True(planned.Errors.Count == 0, string.Join("\n", planned.Errors));
        Assert.All(planned.Objects<DsWorkflowCopyResult>(), r => Assert.Equal((ApplyStatus.Skipped, "planned"), (r.Status, r.Message)));
        Assert.True(File.Exists(plan));
        Assert.Equal(before, await DatabaseFingerprintAsync(prodEmu)); // making a plan writes nothing to the destination

        // The destination changes after the plan was made (another copy of one workflow): the plan is stale.
        Copy(uat, prod, new { Workflow = new[] { "weekly" } });
        var stale = await DatabaseFingerprintAsync(prodEmu);
        var e1 = Assert.Throws<CmdletInvocationException>(() => Copy(uat, prod, new { IncludeSchedule = true, Plan = plan })).ErrorRecord;
        Assert.StartsWith("DsPlanStale,", e1.FullyQualifiedErrorId);
        Assert.Equal(stale, await DatabaseFingerprintAsync(prodEmu));

        // A new plan; then the source changes: refused as well.
        Assert.Empty(Copy(uat, prod, new { IncludeSchedule = true, OutFile = plan }).Errors);
        await ServerEdits.EditScriptLikeTheUiAsync(uat, "etl", "daily", "load", "echo load --fast");
        var e2 = Assert.Throws<CmdletInvocationException>(() => Copy(uat, prod, new { IncludeSchedule = true, Plan = plan })).ErrorRecord;
        Assert.StartsWith("DsPlanSpecsChanged,", e2.FullyQualifiedErrorId);
        Assert.Equal(stale, await DatabaseFingerprintAsync(prodEmu));

        // A plan of the current state applies exactly; the next copy finds nothing to do.
        Assert.Empty(Copy(uat, prod, new { IncludeSchedule = true, OutFile = plan }).Errors);
        var applied = Copy(uat, prod, new { IncludeSchedule = true, Plan = plan });
        Assert.True(applied.Errors.Count == 0, string.Join("\n", applied.Errors));
        Assert.Equal(new[] { ("daily", ApplyStatus.Applied) }, applied.Objects<DsWorkflowCopyResult>().Select(r => (r.Workflow, r.Status)));
        Assert.Empty(Copy(uat, prod, new { IncludeSchedule = true }).Objects<DsWorkflowCopyResult>());
    }
}
