using System.Buffers;
using System.Text.Json;
using DsOps.Engine.Api;
using DsOps.Engine.Models;
using DsOps.Engine.Specs.Model;
using DsOps.Engine.Specs.Wire;

namespace DsOps.Engine.Apply;

/// <summary>What DS knows about one workflow: its codes, release state, task codes and versions, schedule.</summary>
public sealed class DsServerWorkflow
{
    public required string Key { get; init; }
    public required long ProjectCode { get; init; }
    public required long WorkflowCode { get; init; }
    public required bool Online { get; init; }
    /// <summary>Task name → (code, version).</summary>
    public required IReadOnlyDictionary<string, (long Code, int Version)> Tasks { get; init; }
    public DsSchedule? Schedule { get; init; }
}

/// <summary>
/// The current state of the projects a sync touches, read once: every workflow as a spec (for planning),
/// its codes (for applying), and the name ↔ code maps the wire converter needs.
/// Reads two requests per project (the 'all' DagData route and schedules/list) plus one per name list.
/// </summary>
public sealed class DsServerSnapshot
{
    private DsServerSnapshot(DsNameMap names, Dictionary<string, long> projects, List<WorkflowSpec> specs, Dictionary<string, DsServerWorkflow> workflows)
    {
        Names = names;
        ProjectCodes = projects;
        Workflows = specs;
        ByKey = workflows;
    }

    public DsNameMap Names { get; }
    /// <summary>Projects in scope that exist on the server.</summary>
    public IReadOnlyDictionary<string, long> ProjectCodes { get; }
    /// <summary>Every workflow of the in-scope projects, read back as specs.</summary>
    public IReadOnlyList<WorkflowSpec> Workflows { get; }
    public IReadOnlyDictionary<string, DsServerWorkflow> ByKey { get; }

    public static async Task<DsServerSnapshot> ReadAsync(DsClient client, IReadOnlyCollection<string> projects, CancellationToken ct = default)
    {
        var names = new DsNameMap();
        await foreach (var d in client.GetDataSourcesAsync(null, ct).ConfigureAwait(false)) names.AddDataSource(d.Name, d.Id, d.Type ?? "");
        await foreach (var e in client.GetEnvironmentsAsync(null, ct).ConfigureAwait(false)) names.AddEnvironment(e.Name, e.EnvironmentCode);
        await foreach (var a in client.GetAlertGroupsAsync(null, ct).ConfigureAwait(false)) names.AddAlertGroup(a.Name, a.Id);

        var wanted = new HashSet<string>(projects, StringComparer.Ordinal);
        var projectCodes = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var p in client.GetProjectsAsync(null, ct).ConfigureAwait(false))
        {
            names.AddProject(p.Name, p.ProjectCode); // all projects: dependent tasks may point anywhere
            if (wanted.Contains(p.Name)) projectCodes[p.Name] = p.ProjectCode;
        }

        // Fetch every in-scope project's DAGs and schedules; register all codes before converting,
        // because sub-workflow and dependent tasks refer to other workflows by code.
        var fetched = new List<(string Project, long Code, JsonElement Dags, IReadOnlyList<DsSchedule> Schedules, JsonElement RawSchedules)>();
        var answers = new List<DsEnvelope>();
        try
        {
            foreach (var (project, code) in projectCodes.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                var envelope = await client.GetAllWorkflowDagsAsync(code, ct).ConfigureAwait(false);
                answers.Add(envelope);
                var dags = envelope.Data;
                var rawSchedules = await client.GetProjectSchedulesJsonAsync(code, ct).ConfigureAwait(false);
                var schedules = client.MapSchedules(rawSchedules);
                fetched.Add((project, code, dags, schedules, rawSchedules));
                foreach (var dag in Elements(dags))
                {
                    var def = Definition(dag, client);
                    var wfName = def.GetProperty("name").GetString()!;
                    var wfCode = def.GetProperty("code").GetInt64();
                    names.AddWorkflow(project, wfName, wfCode);
                    foreach (var t in Tasks(dag))
                        names.AddTask(project, wfName, t.GetProperty("name").GetString()!, t.GetProperty("code").GetInt64());
                }
            }

            var converter = new DsWireConverter(client.Dialect, names);
            var specs = new List<WorkflowSpec>();
            var byKey = new Dictionary<string, DsServerWorkflow>(StringComparer.Ordinal);
            foreach (var (project, projectCode, dags, schedules, rawSchedules) in fetched)
            {
                var scheduleByWorkflow = new Dictionary<long, (DsSchedule Model, JsonElement Raw)>();
                var i = 0;
                foreach (var raw in Elements(rawSchedules))
                {
                    var s = schedules[i++];
                    scheduleByWorkflow.TryAdd(s.WorkflowCode, (s, raw)); // at most one per workflow (DB-enforced from 3.3.2)
                }
                foreach (var dag in Elements(dags))
                {
                    var def = Definition(dag, client);
                    var wfCode = def.GetProperty("code").GetInt64();
                    var hasSchedule = scheduleByWorkflow.TryGetValue(wfCode, out var schedule);
                    var spec = converter.FromDag(hasSchedule ? WithSchedule(dag, schedule.Raw) : dag, project);
                    specs.Add(spec);
                    var tasks = new Dictionary<string, (long, int)>(StringComparer.Ordinal);
                    foreach (var t in Tasks(dag))
                        tasks[t.GetProperty("name").GetString()!] = (t.GetProperty("code").GetInt64(), t.TryGetProperty("version", out var v) ? v.GetInt32() : 1);
                    byKey[spec.Key] = new DsServerWorkflow
                    {
                        Key = spec.Key,
                        ProjectCode = projectCode,
                        WorkflowCode = wfCode,
                        Online = def.TryGetProperty("releaseState", out var rs) && rs.GetString() == "ONLINE",
                        Tasks = tasks,
                        Schedule = hasSchedule ? schedule.Model : null,
                    };
                }
            }
            return new DsServerSnapshot(names, projectCodes, specs, byKey);
        }
        finally
        {
            foreach (var a in answers) a.Dispose();
        }
    }

    private static IEnumerable<JsonElement> Elements(JsonElement array) =>
        array.ValueKind == JsonValueKind.Array ? array.EnumerateArray() : Enumerable.Empty<JsonElement>();

    private static JsonElement Definition(JsonElement dag, DsClient client) =>
        dag.TryGetProperty(client.Dialect.DagDefinitionKey, out var d) ? d : dag.GetProperty("processDefinition");

    private static IEnumerable<JsonElement> Tasks(JsonElement dag) =>
        dag.TryGetProperty("taskDefinitionList", out var l) ? Elements(l) : Enumerable.Empty<JsonElement>();

    /// <summary>The DagData with its schedule attached under "schedule", as in DS's export format.</summary>
    private static JsonElement WithSchedule(JsonElement dag, JsonElement schedule)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var p in dag.EnumerateObject())
                if (p.Name != "schedule") p.WriteTo(writer);
            writer.WritePropertyName("schedule");
            schedule.WriteTo(writer);
            writer.WriteEndObject();
        }
        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        return doc.RootElement.Clone();
    }
}
