using System.Buffers;
using System.Collections.Immutable;
using System.Text.Json;
using DsOps.Engine.Api;
using DsOps.Engine.Models;
using DsOps.Engine.Planning;
using DsOps.Engine.Specs.Model;
using DsOps.Engine.Specs.Wire;

namespace DsOps.Engine.Apply;

/// <summary>What DS knows about one workflow: its codes, release state, task codes and versions, schedule.</summary>
internal sealed class DsServerWorkflow
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

    internal DsNameMap Names { get; }
    /// <summary>Projects in scope that exist on the server.</summary>
    public IReadOnlyDictionary<string, long> ProjectCodes { get; }
    /// <summary>Names of every project on the server (not only those in scope): "did you mean" for a project typo.</summary>
    public IReadOnlySet<string> AllProjects { get; private init; } = new HashSet<string>();
    /// <summary>Every workflow of the in-scope projects, read back as specs.</summary>
    public IReadOnlyList<WorkflowSpec> Workflows { get; }
    internal IReadOnlyDictionary<string, DsServerWorkflow> ByKey { get; }

    /// <summary>
    /// Reads the current state of <paramref name="projects"/> (<see cref="OpenAsync"/>, then <see cref="Opened.ReadAsync"/>,
    /// which explains <paramref name="desired"/>).
    /// </summary>
    internal static async Task<DsServerSnapshot> ReadAsync(DsClient client, IReadOnlyCollection<string> projects, CancellationToken ct = default,
        IReadOnlyList<WorkflowSpec>? desired = null)
    {
        using var opened = await OpenAsync(client, projects, ct).ConfigureAwait(false);
        return await opened.ReadAsync(desired, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The first half of <see cref="ReadAsync"/>: the name lists and project codes, and the first project's DAG request
    /// sent. That answer is one list of every workflow of the project, gathered before its first byte (seconds for
    /// thousands of workflows); the small reads are made meanwhile, and a caller may load its specs meanwhile (<see cref="ServerReadAhead"/>).
    /// Only one DAG request is open at a time: each costs the server memory for the whole project.
    /// </summary>
    internal static async Task<Opened> OpenAsync(DsClient client, IReadOnlyCollection<string> projects, CancellationToken ct)
    {
        var wanted = new HashSet<string>(projects, StringComparer.Ordinal);
        var projectCodes = new Dictionary<string, long>(StringComparer.Ordinal);
        var allProjects = new HashSet<string>(StringComparer.Ordinal);
        var names = new DsNameMap();
        await foreach (var p in client.GetProjectsAsync(null, ct).ConfigureAwait(false))
        {
            names.AddProject(p.Name, p.ProjectCode); // all projects: dependent tasks may point anywhere
            allProjects.Add(p.Name);
            if (wanted.Contains(p.Name)) projectCodes[p.Name] = p.ProjectCode;
        }
        var order = projectCodes.OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        var opened = new Opened(client, names, projectCodes, allProjects, order);
        try
        {
            var first = order.Count == 0 ? null : client.OpenWorkflowDagsAsync(order[0].Value, ct);
            try
            {
                await foreach (var d in client.GetDataSourcesAsync(null, ct).ConfigureAwait(false)) names.AddDataSource(d.Name, d.Id, d.Type ?? "");
                await foreach (var e in client.GetEnvironmentsAsync(null, ct).ConfigureAwait(false)) names.AddEnvironment(e.Name, e.EnvironmentCode);
                await foreach (var a in client.GetAlertGroupsAsync(null, ct).ConfigureAwait(false)) names.AddAlertGroup(a.Name, a.Id);
                if (order.Count > 0) opened.FirstSchedules = await client.GetProjectSchedulesJsonAsync(order[0].Value, ct).ConfigureAwait(false);
            }
            finally
            {
                // The DAG request is awaited on every path, so a failure of the small reads never leaves it running.
                if (first is not null) opened.FirstDags = await first.ConfigureAwait(false);
            }
            return opened;
        }
        catch
        {
            opened.Dispose();
            throw;
        }
    }

    /// <summary>A snapshot read begun by <see cref="OpenAsync"/>: names and codes known, the first project's DAGs on their way.</summary>
    internal sealed class Opened(DsClient client, DsNameMap names, Dictionary<string, long> projectCodes, HashSet<string> allProjects,
        List<KeyValuePair<string, long>> order) : IDisposable
    {
        internal JsonElement FirstSchedules { get; set; }
        internal DsClient.WorkflowDagStream? FirstDags { get; set; }

        /// <summary>The projects this read covers (those that exist on the server among the ones asked for).</summary>
        public IReadOnlyCollection<string> Projects => projectCodes.Keys;

        /// <summary>Reads every in-scope project's DAGs (the first from the open answer) into the snapshot.</summary>
        /// <param name="desired">
        /// The specs being compared with the server, if any: a server task equal to its desired task in every compared
        /// field (<see cref="SpecFields.Task"/>) is held as the desired task's instance, so an unchanged workflow's tasks
        /// are in memory once, not twice (4,000 workflows x 10 tasks: ~20 MB less at the sync's peak). Equal in every
        /// compared field means the plan, the fingerprints and apply cannot tell the two apart.
        /// </param>
        public async Task<DsServerSnapshot> ReadAsync(IReadOnlyList<WorkflowSpec>? desired, CancellationToken ct)
        {
            var desiredByKey = new Dictionary<string, WorkflowSpec>(StringComparer.Ordinal);
            if (desired is not null)
                foreach (var d in desired) desiredByKey.TryAdd(d.Key, d);
            WorkflowSpec Share(WorkflowSpec server) => desiredByKey.TryGetValue(server.Key, out var d) ? ShareEqualTasks(server, d) : server;

            // Stream every in-scope project's DAGs (one in memory at a time). A DAG whose tasks refer to other workflows
            // (sub-workflow, dependent) is kept until all codes are known; the others are converted as they arrive.
            var converter = new DsWireConverter(client.Dialect, names);
            var specs = new List<WorkflowSpec>();
            var byKey = new Dictionary<string, DsServerWorkflow>(StringComparer.Ordinal);
            var deferred = new List<(string Project, JsonElement Dag)>();
            var read = 0;
            for (var p = 0; p < order.Count; p++)
            {
                var (project, projectCode) = order[p];
                var rawSchedules = p == 0 ? FirstSchedules : await client.GetProjectSchedulesJsonAsync(projectCode, ct).ConfigureAwait(false);
                var schedules = client.MapSchedules(rawSchedules);
                var scheduleByWorkflow = new Dictionary<long, (DsSchedule Model, JsonElement Raw)>();
                var i = 0;
                foreach (var raw in Elements(rawSchedules))
                {
                    var s = schedules[i++];
                    scheduleByWorkflow.TryAdd(s.WorkflowCode, (s, raw)); // at most one per workflow (DB-enforced from 3.3.2)
                }
                IO.NativeHeap.Trim(); // before the wait for the largest answer: what the earlier reads left free
                using var dags = p == 0 && FirstDags is { } open ? open : await client.OpenWorkflowDagsAsync(projectCode, ct).ConfigureAwait(false);
                if (p == 0) FirstDags = null; // read (and disposed) here
                await dags.ReadAsync(dag =>
                {
                    // The first thousands of DAGs are when the runtime compiles the hot paths again (tiered JIT); the C heap
                    // that leaves free is given back as it goes, not only at the end (IO/NativeHeap.cs).
                    if (++read % TrimEvery == 0) IO.NativeHeap.Trim();
                    var def = Definition(dag, client);
                    var wfName = def.GetProperty("name").GetString()!;
                    var wfCode = def.GetProperty("code").GetInt64();
                    names.AddWorkflow(project, wfName, wfCode);
                    var key = project + "/" + wfName;
                    desiredByKey.TryGetValue(key, out var want);
                    var tasks = new CompactMap<(long Code, int Version)>.Builder(TaskCount(dag));
                    var refersToOthers = false;
                    foreach (var t in Tasks(dag))
                    {
                        var taskName = t.GetProperty("name").GetString()!;
                        var taskCode = t.GetProperty("code").GetInt64();
                        // The desired task's name instance, when it has one: 40,000 names are then held once, not twice.
                        tasks[want?.FindTask(taskName)?.Name ?? taskName] = (taskCode, t.TryGetProperty("version", out var v) ? v.GetInt32() : 1);
                        refersToOthers |= t.TryGetProperty("taskType", out var tt) && tt.GetString() is "SUB_PROCESS" or "SUB_WORKFLOW" or "DEPENDENT";
                    }
                    var taskCodes = tasks.ToMap();
                    names.AddWorkflowTasks(project, wfName, taskCodes);
                    var hasSchedule = scheduleByWorkflow.TryGetValue(wfCode, out var schedule);
                    var withSchedule = hasSchedule ? WithSchedule(dag, schedule.Raw) : dag;
                    if (refersToOthers) deferred.Add((project, withSchedule.Clone()));
                    else specs.Add(Share(converter.FromDag(withSchedule, project)));
                    byKey[key] = new DsServerWorkflow
                    {
                        Key = key,
                        ProjectCode = projectCode,
                        WorkflowCode = wfCode,
                        Online = def.TryGetProperty("releaseState", out var rs) && rs.GetString() == "ONLINE",
                        Tasks = taskCodes,
                        Schedule = hasSchedule ? schedule.Model : null,
                    };
                }, ct).ConfigureAwait(false);
            }
            foreach (var (project, dag) in deferred) specs.Add(Share(converter.FromDag(dag, project)));
            specs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
            IO.NativeHeap.Trim(); // the stream's parsing and JIT are done with (IO/NativeHeap.cs)
            return new DsServerSnapshot(names, projectCodes, specs, byKey) { AllProjects = allProjects };
        }

        public void Dispose()
        {
            FirstDags?.Dispose();
            FirstDags = null;
        }
    }

    private const int TrimEvery = 500;

    /// <summary><paramref name="server"/> with each task that equals its desired task in every compared field replaced by that instance.</summary>
    internal static WorkflowSpec ShareEqualTasks(WorkflowSpec server, WorkflowSpec desired)
    {
        TaskSpec[]? shared = null;
        for (var i = 0; i < server.Tasks.Length; i++)
        {
            var t = server.Tasks[i];
            if (desired.FindTask(t.Name) is not { } d || !SameContent(t, d)) continue;
            shared ??= server.Tasks.ToArray();
            shared[i] = d;
        }
        return shared is null ? server : server with { Tasks = ImmutableArray.Create(shared) };
    }

    private static bool SameContent(TaskSpec a, TaskSpec b)
    {
        foreach (var f in SpecFields.Task)
            if (!f.Equal(a, b)) return false;
        return true;
    }

    private static IEnumerable<JsonElement> Elements(JsonElement array) =>
        array.ValueKind == JsonValueKind.Array ? array.EnumerateArray() : Enumerable.Empty<JsonElement>();

    private static JsonElement Definition(JsonElement dag, DsClient client) =>
        client.Dialect.TryGetDagDefinition(dag, out var d) ? d : dag.GetProperty(client.Dialect.DagDefinitionKey);

    private static int TaskCount(JsonElement dag) =>
        dag.TryGetProperty("taskDefinitionList", out var l) && l.ValueKind == JsonValueKind.Array ? l.GetArrayLength() : 0;

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
