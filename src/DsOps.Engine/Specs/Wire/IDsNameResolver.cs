namespace DsOps.Engine.Specs.Wire;

/// <summary>
/// Translates between the names a spec uses and the codes/ids one DS server uses. The connected
/// implementation is filled from the REST client (data sources, environments, projects, workflow
/// and task codes, alert groups, resources); <see cref="DsNameMap"/> is a dictionary-backed one.
/// Lookups return null when the name or code is unknown.
/// </summary>
internal interface IDsNameResolver
{
    (long Id, string Type)? DataSource(string name);
    (string Name, string Type)? DataSource(long id);
    long? EnvironmentCode(string name);
    string? EnvironmentName(long code);
    long? ProjectCode(string project);
    string? ProjectName(long code);
    long? WorkflowCode(string project, string workflow);
    (string Project, string Workflow)? Workflow(long code);
    long? TaskCode(string project, string workflow, string task);
    (string Project, string Workflow, string Task)? Task(long code);
    int? AlertGroupId(string name);
    string? AlertGroupName(int id);
    /// <summary>DS 3.0/3.1 reference resources by id (3.2+ by full name).</summary>
    int? ResourceId(string fullName);
    string? ResourceName(int id);
}

/// <summary>A name resolver backed by dictionaries; add what the target has, then convert.</summary>
internal sealed class DsNameMap : IDsNameResolver
{
    private readonly Dictionary<string, (long, string)> _dsByName = new(StringComparer.Ordinal);
    private readonly Dictionary<long, (string, string)> _dsById = new();
    private readonly Dictionary<string, long> _envByName = new(StringComparer.Ordinal);
    private readonly Dictionary<long, string> _envByCode = new();
    private readonly Dictionary<string, long> _projByName = new(StringComparer.Ordinal);
    private readonly Dictionary<long, string> _projByCode = new();
    private readonly Dictionary<(string, string), long> _wfByName = new();
    private readonly Dictionary<long, (string, string)> _wfByCode = new();
    private readonly Dictionary<(string, string, string), long> _taskByName = new();
    // Whole workflows' task maps as the snapshot reads them (shared with DsServerWorkflow.Tasks, not copied): 40,000
    // tasks would otherwise cost two 3 MB dictionaries (and as much again in the large arrays left by their growth).
    private readonly Dictionary<(string, string), IReadOnlyDictionary<string, (long Code, int Version)>> _workflowTasks = new();
    // Code → names, needed only to read DEPENDENT tasks: built on the first lookup, then kept up to date.
    private Dictionary<long, (string, string, string)>? _taskByCode;
    private readonly object _taskIndexGate = new();
    private readonly Dictionary<string, int> _agByName = new(StringComparer.Ordinal);
    private readonly Dictionary<int, string> _agById = new();
    private readonly Dictionary<string, int> _resByName = new(StringComparer.Ordinal);
    private readonly Dictionary<int, string> _resById = new();

    public static readonly DsNameMap Empty = new();

    public DsNameMap AddDataSource(string name, long id, string type) { _dsByName[name] = (id, type); _dsById[id] = (name, type); return this; }
    public DsNameMap AddEnvironment(string name, long code) { _envByName[name] = code; _envByCode[code] = name; return this; }
    public DsNameMap AddProject(string name, long code) { _projByName[name] = code; _projByCode[code] = name; return this; }
    public DsNameMap AddWorkflow(string project, string name, long code) { _wfByName[(project, name)] = code; _wfByCode[code] = (project, name); return this; }
    public DsNameMap AddTask(string project, string workflow, string task, long code)
    {
        _taskByName[(project, workflow, task)] = code;
        if (_taskByCode is { } index) index[code] = (project, workflow, task);
        return this;
    }

    /// <summary>
    /// Every task of one workflow, by name (the map is held, not copied; the caller does not change it afterwards).
    /// Replaces the workflow's tasks registered this way before; tasks added one by one (<see cref="AddTask"/>) win.
    /// </summary>
    public DsNameMap AddWorkflowTasks(string project, string workflow, IReadOnlyDictionary<string, (long Code, int Version)> tasks)
    {
        _workflowTasks[(project, workflow)] = tasks;
        if (_taskByCode is { } index)
            foreach (var (task, (code, _)) in tasks) index.TryAdd(code, (project, workflow, task));
        return this;
    }
    public DsNameMap AddAlertGroup(string name, int id) { _agByName[name] = id; _agById[id] = name; return this; }
    public DsNameMap AddResource(string fullName, int id) { _resByName[fullName] = id; _resById[id] = fullName; return this; }

    public (long Id, string Type)? DataSource(string name) => _dsByName.TryGetValue(name, out var v) ? v : null;
    public (string Name, string Type)? DataSource(long id) => _dsById.TryGetValue(id, out var v) ? v : null;
    public long? EnvironmentCode(string name) => _envByName.TryGetValue(name, out var v) ? v : null;
    public string? EnvironmentName(long code) => _envByCode.GetValueOrDefault(code);
    public long? ProjectCode(string project) => _projByName.TryGetValue(project, out var v) ? v : null;
    public string? ProjectName(long code) => _projByCode.GetValueOrDefault(code);
    public long? WorkflowCode(string project, string workflow) => _wfByName.TryGetValue((project, workflow), out var v) ? v : null;
    public (string Project, string Workflow)? Workflow(long code) => _wfByCode.TryGetValue(code, out var v) ? v : null;
    public long? TaskCode(string project, string workflow, string task) =>
        _taskByName.TryGetValue((project, workflow, task), out var v) ? v
        : _workflowTasks.TryGetValue((project, workflow), out var tasks) && tasks.TryGetValue(task, out var t) ? t.Code : null;

    public (string Project, string Workflow, string Task)? Task(long code) => (Volatile.Read(ref _taskByCode) ?? TaskIndex()).TryGetValue(code, out var v) ? v : null;

    /// <summary>The code → names index, built once (lookups may come from several threads; adds never run alongside them).</summary>
    private Dictionary<long, (string, string, string)> TaskIndex()
    {
        lock (_taskIndexGate)
        {
            if (_taskByCode is { } built) return built;
            var index = new Dictionary<long, (string, string, string)>(_taskByName.Count);
            foreach (var ((project, workflow), tasks) in _workflowTasks)
                foreach (var (task, (code, _)) in tasks) index[code] = (project, workflow, task);
            foreach (var ((project, workflow, task), code) in _taskByName) index[code] = (project, workflow, task);
            Volatile.Write(ref _taskByCode, index);
            return index;
        }
    }
    public int? AlertGroupId(string name) => _agByName.TryGetValue(name, out var v) ? v : null;
    public string? AlertGroupName(int id) => _agById.GetValueOrDefault(id);
    public int? ResourceId(string fullName) => _resByName.TryGetValue(fullName, out var v) ? v : null;
    public string? ResourceName(int id) => _resById.GetValueOrDefault(id);
}
