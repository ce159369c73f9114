namespace DsOps.Engine.Specs.Wire;

/// <summary>
/// Translates between the names a spec uses and the codes/ids one DS server uses. The connected
/// implementation is filled from the REST client (data sources, environments, projects, workflow
/// and task codes, alert groups, resources); <see cref="DsNameMap"/> is a dictionary-backed one.
/// Lookups return null when the name or code is unknown.
/// </summary>
public interface IDsNameResolver
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
public sealed class DsNameMap : IDsNameResolver
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
    private readonly Dictionary<long, (string, string, string)> _taskByCode = new();
    private readonly Dictionary<string, int> _agByName = new(StringComparer.Ordinal);
    private readonly Dictionary<int, string> _agById = new();
    private readonly Dictionary<string, int> _resByName = new(StringComparer.Ordinal);
    private readonly Dictionary<int, string> _resById = new();

    public static readonly DsNameMap Empty = new();

    public DsNameMap AddDataSource(string name, long id, string type) { _dsByName[name] = (id, type); _dsById[id] = (name, type); return this; }
    public DsNameMap AddEnvironment(string name, long code) { _envByName[name] = code; _envByCode[code] = name; return this; }
    public DsNameMap AddProject(string name, long code) { _projByName[name] = code; _projByCode[code] = name; return this; }
    public DsNameMap AddWorkflow(string project, string name, long code) { _wfByName[(project, name)] = code; _wfByCode[code] = (project, name); return this; }
    public DsNameMap AddTask(string project, string workflow, string task, long code) { _taskByName[(project, workflow, task)] = code; _taskByCode[code] = (project, workflow, task); return this; }
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
    public long? TaskCode(string project, string workflow, string task) => _taskByName.TryGetValue((project, workflow, task), out var v) ? v : null;
    public (string Project, string Workflow, string Task)? Task(long code) => _taskByCode.TryGetValue(code, out var v) ? v : null;
    public int? AlertGroupId(string name) => _agByName.TryGetValue(name, out var v) ? v : null;
    public string? AlertGroupName(int id) => _agById.GetValueOrDefault(id);
    public int? ResourceId(string fullName) => _resByName.TryGetValue(fullName, out var v) ? v : null;
    public string? ResourceName(int id) => _resById.GetValueOrDefault(id);
}
