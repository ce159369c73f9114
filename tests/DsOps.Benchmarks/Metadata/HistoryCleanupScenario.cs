using System.Diagnostics;
using DsOps.Engine.Metadata;
using DsOps.Engine.Operations;
using DsOps.Testing;
using DsOps.Testing.History;
using MySqlConnector;

namespace DsOps.Benchmarks.Metadata;

/// <summary>
/// History cleanup at the users' scale: 60 days x 4,000 workflows x 20,000 task instances a day (about 1.2 million
/// task-instance rows), remove the older 30 days, and check with SQL that exactly those rows went and no orphan is left.
/// <c>dotnet run -c Release --project tests/DsOps.Benchmarks -- history-cleanup [schema] [days] [batchSize]</c>.
/// </summary>
public sealed class HistoryCleanupScenario : IScenario
{
    public string Name => "history-cleanup";

    public int Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(string[] args)
    {
        var schema = args.Length > 0 ? args[0] : "3.2.2";
        var days = args.Length > 1 ? int.Parse(args[1]) : 60;
        var batch = args.Length > 2 ? int.Parse(args[2]) : 500;
        var server = await MariaDbFixture.Shared;
        var cs = await server.CreateDsDatabaseAsync(schema);
        var lastDay = new DateOnly(2026, 3, 31);
        Console.WriteLine($"Generating {days} days x 4,000 workflows x 20,000 task instances a day on DS {schema} ...");
        var gen = Stopwatch.StartNew();
        await HistoryGenerator.GenerateAsync(cs, schema, new HistoryOptions { Days = days, LastDay = lastDay });
        Console.WriteLine($"  generated in {gen.Elapsed.TotalSeconds:N1} s");

        var connection = await DsMetadataConnection.ConnectAsync(cs, serverTimeZone: TimeZoneInfo.Utc, allowWrite: true);
        var d = connection.Dialect;
        var cutoffDay = lastDay.AddDays(-(days / 2) + 1); // keep the newer half
        var cutoff = new DateTimeOffset(cutoffDay.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var options = new HistoryCleanupOptions { OlderThan = cutoff, BatchSize = batch };
        var finalStates = string.Join(",", d.FinalStateCodes(Engine.Dialects.DsStateScope.Workflow));
        var cut = cutoff.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss");
        var tasksBefore = await Scalar(cs, $"SELECT COUNT(*) FROM {d.TaskInstanceTable}");
        var expectedTasks = await Scalar(cs, $"SELECT COUNT(*) FROM {d.TaskInstanceTable} t JOIN {d.WorkflowInstanceTable} i ON i.id = t.{d.WorkflowInstanceIdColumn} " +
            $"WHERE i.state IN ({finalStates}) AND i.start_time < '{cut}' AND i.end_time < '{cut}' AND i.{d.IsSubWorkflowColumn} = 0 " +
            $"AND NOT EXISTS (SELECT 1 FROM {d.CommandTable} c WHERE c.{d.WorkflowInstanceIdColumn} = i.id)");

        var count = Stopwatch.StartNew();
        var counted = await InstanceHistoryCleanup.CountAsync(connection, options);
        count.Stop();
        var result = await InstanceHistoryCleanup.RemoveAsync(connection, options);
        var tasksAfter = await Scalar(cs, $"SELECT COUNT(*) FROM {d.TaskInstanceTable}");
        var orphans = await Scalar(cs, $"SELECT COUNT(*) FROM {d.TaskInstanceTable} t LEFT JOIN {d.WorkflowInstanceTable} i ON i.id = t.{d.WorkflowInstanceIdColumn} WHERE i.id IS NULL");
        var oldLeft = await Scalar(cs, $"SELECT COUNT(*) FROM {d.WorkflowInstanceTable} WHERE state IN ({finalStates}) AND end_time < '{cut}'");
        var integrity = (await new IntegrityChecker(connection).RunAsync()).Where(f => f.Severity != DsIntegritySeverity.Ok).Select(f => f.Check).ToList();

        Console.WriteLine($"Task instances before {tasksBefore:N0}; removed {result.TaskInstances:N0} (expected {expectedTasks:N0}, dry run counted {counted.TaskInstances:N0}); after {tasksAfter:N0}");
        Console.WriteLine($"Workflow instances removed {result.WorkflowInstances:N0} in {result.Batches} batches of {batch}; {result.TotalRows:N0} rows in all");
        Console.WriteLine($"Dry run (counting): {count.Elapsed.TotalSeconds:N2} s");
        Console.WriteLine($"Removal: {result.Duration.TotalSeconds:N2} s = {result.TaskInstancesPerSecond:N0} task-instance rows/s");
        Console.WriteLine($"Orphan task instances: {orphans}; finished instances older than the cutoff left: {oldLeft}; integrity findings: {(integrity.Count == 0 ? "none" : string.Join(", ", integrity))}");
        var ok = result.TaskInstances == expectedTasks && tasksAfter == tasksBefore - expectedTasks && orphans == 0 && counted.TaskInstances == result.TaskInstances;
        Console.WriteLine(ok ? "Correct: only the selected rows were removed." : "WRONG: see the numbers above.");
        return ok ? 0 : 1;
    }

    private static async Task<long> Scalar(string cs, string sql)
    {
        await using var conn = new MySqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new MySqlCommand(sql, conn) { CommandTimeout = 600 };
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }
}
