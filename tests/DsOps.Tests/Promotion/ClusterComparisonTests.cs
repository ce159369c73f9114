using System.Collections.Immutable;
using System.Net.Http.Json;
using DsOps.Emulator;
using DsOps.Engine.Api;
using DsOps.Engine.Apply;
using DsOps.Engine.Clusters.Comparison;
using DsOps.Engine.Specs.Wire;
using DsOps.Tests.Api;
using DsOps.Tests.Hosting;
using MySqlConnector;
using Xunit;

namespace DsOps.Tests.Promotion;

/// <summary>
/// Compare-DsCluster against two DS emulators (each on its own real MariaDB) set up alike through the environment
/// mapping (UAT names vs PROD names) and then made to differ in exactly three known places.
/// </summary>
public sealed class ClusterComparisonTests : IAsyncLifetime
{
    private const string Spec = """
        project: etl
        workflows:
          - name: daily
            parameters:
              target_db: dw
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
                script: echo load
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
        """;

    private const string Secret = "Recognisable-Secret-7731";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dsops-cmp-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly HostedEngine _engine = new();
    private readonly List<DsEmulator> _emulators = new();

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "etl.yaml"), Spec);
        File.WriteAllText(Path.Combine(_dir, "environments.yaml"), Environments);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _engine.Dispose();
        foreach (var e in _emulators) await e.DisposeAsync();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    /// <summary>An emulator with the cluster's worker group, data source and tenant, and the workflows synced with its mapping.</summary>
    private async Task<(DsEmulator Emulator, DsConnection Connection)> ClusterAsync(string dialect, string env, string workerAddress, string dbHost)
    {
        var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        _emulators.Add(emu);
        var c = _engine.Run("Connect-DsServer", new { Uri = emu.BaseUri, Token = DsClientTests.Secure(emu.AdminToken) }).Objects<DsConnection>().Single();
        var group = env.ToLowerInvariant();
        await using (var db = new MySqlConnection(emu.ConnectionString))
        {
            await db.OpenAsync();
            await using var cmd = new MySqlCommand("INSERT INTO t_ds_worker_group (name, addr_list, create_time, update_time) VALUES (@n, @a, NOW(), NOW())", db);
            cmd.Parameters.AddWithValue("@n", group);
            cmd.Parameters.AddWithValue("@a", workerAddress);
            await cmd.ExecuteNonQueryAsync();
        }
        using var http = new HttpClient { BaseAddress = emu.BaseUri };
        http.DefaultRequestHeaders.Add("token", emu.AdminToken);
        var created = await http.PostAsJsonAsync("datasources", new
        {
            type = "MYSQL", name = "ods_" + group, note = "operational store", host = dbHost, port = 3306, database = "ods", userName = "etl", password = Secret + env,
        });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        Assert.Contains("\"code\":0", await created.Content.ReadAsStringAsync());
        var set = new Engine.Specs.Sources.SpecSourceRequest(_dir) { Environment = env }.LoadAndValidate();
        Assert.True(set.Findings.Count == 0, string.Join("\n", set.Findings));
        var sync = _engine.Run("Sync-DsWorkflow", new { Path = _dir, Environment = env, Connection = c, NoState = true });
        Assert.True(sync.Errors.Count == 0, string.Join("\n", sync.Errors));
        return (emu, c);
    }

    private List<DsClusterDifference> Compare(DsConnection uat, DsConnection prod, HostedEngine? engine = null) =>
        (engine ?? _engine).Run("Compare-DsCluster", new
        {
            Reference = uat, Difference = prod, EnvironmentFile = Path.Combine(_dir, "environments.yaml"), ReferenceEnvironment = "UAT", DifferenceEnvironment = "PROD",
        }).Objects<DsClusterDifference>().ToList();

    [Theory]
    [InlineData("3.2")]
    [InlineData("3.3")]
    public async Task Two_clusters_differing_in_three_known_places_report_exactly_those_three(string dialect)
    {
        var (_, uat) = await ClusterAsync(dialect, "UAT", "10.0.0.1:1234", "db-a.example");
        var (_, prod) = await ClusterAsync(dialect, "PROD", "10.0.0.1:1234", "db-a.example");

        // Alike through the mapping: worker groups uat/prod, data sources ods_uat/ods_prod, target_db dw_uat/dw_prod.
        var alike = Compare(uat, prod);
        Assert.True(alike.Count == 0, string.Join("\n", alike));

        // Three known differences on PROD: the data source host, the worker group's address, one task's script.
        await using (var db = new MySqlConnection(_emulators[1].ConnectionString))
        {
            await db.OpenAsync();
            await new MySqlCommand("UPDATE t_ds_worker_group SET addr_list = '10.0.0.2:1234' WHERE name = 'prod'", db).ExecuteNonQueryAsync();
            await new MySqlCommand("UPDATE t_ds_datasource SET connection_params = REPLACE(connection_params, 'db-a.example', 'db-b.example') WHERE name = 'ods_prod'", db).ExecuteNonQueryAsync();
        }
        await ServerEdits.EditScriptLikeTheUiAsync(prod, "etl", "daily", "load", "echo load --fast");

        var result = _engine.Run("Compare-DsCluster", new
        {
            Reference = uat, Difference = prod, EnvironmentFile = Path.Combine(_dir, "environments.yaml"), ReferenceEnvironment = "UAT", DifferenceEnvironment = "PROD",
        });
        var differences = result.Objects<DsClusterDifference>().ToList();
        Assert.Equal(new[]
        {
            ("WorkerGroup", "etl", "addresses", "10.0.0.1:1234", "10.0.0.2:1234"),
            // Data sources compare by the fields cluster.yaml declares (host, port, database, userName, other...).
            ("DataSource", "ods", "host", "db-a.example", "db-b.example"),
            ("Task", "etl/daily/load", "script", "echo load", "echo load --fast"),
        }, differences.Select(d => (d.Kind, d.Name, d.Field!, d.ReferenceValue!, d.DifferenceValue!)));
        Assert.All(differences, d => Assert.Equal(ClusterChange.Different, d.Change));
        Assert.Equal(("uat", "prod"), (differences[0].ReferenceName, differences[0].DifferenceName));
        Assert.Equal(("ods_uat", "ods_prod"), (differences[1].ReferenceName, differences[1].DifferenceName));

        // Data-source passwords are never read into the comparison nor shown in any stream.
        var all = string.Join("\n", result.Output.Select(o => o?.ToString()).Concat(result.Errors.Select(e => e.ToString())).Concat(result.Verbose));
        Assert.DoesNotContain(Secret, all);
        Assert.DoesNotContain(differences, d => (d.ReferenceValue + d.DifferenceValue).Contains(Secret, StringComparison.Ordinal));

        // Without the mapping the UAT/PROD names are differences of their own.
        var unmapped = _engine.Run("Compare-DsCluster", new { Reference = uat, Difference = prod }).Objects<DsClusterDifference>();
        Assert.Contains(unmapped, d => d is { Kind: "WorkerGroup", Name: "uat", Change: ClusterChange.OnlyInReference });
        Assert.Contains(unmapped, d => d is { Kind: "Task", Field: "workerGroup" });
    }
}
