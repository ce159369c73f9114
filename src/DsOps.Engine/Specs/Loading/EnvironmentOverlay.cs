using System.Collections.Immutable;
using DsOps.Engine.Specs.Documents;
using DsOps.Engine.Specs.Model;

namespace DsOps.Engine.Specs.Loading;

/// <summary>
/// Per-environment mapping (Test / UAT / PROD) of logical names used in specs to the names that
/// exist on one cluster: data sources, worker groups, tenants, alert groups, DS environments, and
/// global parameter values. One spec, many clusters. Read from an <c>environments.yaml</c>:
/// <code>
/// environments:
///   PROD:
///     dataSources: { ods: ods_prod_mysql }
///     workerGroups: { default: prod-workers }
///     tenants: { etl: etl_prod }
///     alertGroups: { ops: ops-prod }
///     environments: { spark: spark-prod }
///     parameters: { target_db: dw_prod }
/// </code>
/// Names without a mapping are kept. Parameters override the value of a global parameter of the same
/// name in every workflow that declares it (an overlay never adds parameters).
/// </summary>
public sealed class EnvironmentOverlay
{
    private static readonly string[] Sections = { "dataSources", "workerGroups", "tenants", "alertGroups", "environments", "parameters" };

    public EnvironmentOverlay(string name,
        IReadOnlyDictionary<string, string>? dataSources = null, IReadOnlyDictionary<string, string>? workerGroups = null,
        IReadOnlyDictionary<string, string>? tenants = null, IReadOnlyDictionary<string, string>? alertGroups = null,
        IReadOnlyDictionary<string, string>? environments = null, IReadOnlyDictionary<string, string>? parameters = null)
    {
        Name = name;
        DataSources = dataSources ?? ImmutableDictionary<string, string>.Empty;
        WorkerGroups = workerGroups ?? ImmutableDictionary<string, string>.Empty;
        Tenants = tenants ?? ImmutableDictionary<string, string>.Empty;
        AlertGroups = alertGroups ?? ImmutableDictionary<string, string>.Empty;
        Environments = environments ?? ImmutableDictionary<string, string>.Empty;
        Parameters = parameters ?? ImmutableDictionary<string, string>.Empty;
    }

    public string Name { get; }
    public IReadOnlyDictionary<string, string> DataSources { get; }
    public IReadOnlyDictionary<string, string> WorkerGroups { get; }
    public IReadOnlyDictionary<string, string> Tenants { get; }
    public IReadOnlyDictionary<string, string> AlertGroups { get; }
    public IReadOnlyDictionary<string, string> Environments { get; }
    public IReadOnlyDictionary<string, string> Parameters { get; }
    /// <summary>
    /// <c>requireExistingProject: true</c> in the environment: sync and compare refuse to create projects there
    /// (as -RequireExistingProject does), so a typo in <c>project:</c> cannot create a new project on, say, PROD.
    /// </summary>
    public bool RequireExistingProject { get; init; }

    /// <summary>The environment names an environments file defines (for completion); empty when it is not one.</summary>
    internal static IReadOnlyList<string> Names(string path, SpecReaderLimits? limits = null) =>
        SafeYamlReader.ReadFile(path, limits) is SpecMapping top && top["environments"] is SpecMapping envs
            ? envs.Entries.Select(e => e.Key.Value!).Where(n => !string.IsNullOrEmpty(n)).ToArray()
            : Array.Empty<string>();

    /// <summary>Reads environment <paramref name="name"/> (case-insensitive) from an environments file.</summary>
    internal static EnvironmentOverlay Load(string path, string name, SpecReaderLimits? limits = null)
    {
        var root = SafeYamlReader.ReadFile(path, limits);
        if (root is not SpecMapping top || top["environments"] is not SpecMapping envs)
            throw new SpecLoadException("DsSpecEnvironmentsInvalid", root?.Location ?? new SourceLocation(path), "an environments file is a mapping with an 'environments:' mapping of environment names.");
        var match = envs.Entries.FirstOrDefault(e => string.Equals(e.Key.Value, name, StringComparison.OrdinalIgnoreCase));
        if (match.Key is null)
            throw new SpecLoadException("DsSpecEnvironmentNotFound", envs.Location,
                $"environment '{name}' is not defined (defined: {string.Join(", ", envs.Entries.Select(e => e.Key.Value))}).");
        if (match.Value is not SpecMapping env)
            throw new SpecLoadException("DsSpecEnvironmentsInvalid", match.Value.Location, $"environment '{name}' must be a mapping.");
        var maps = new Dictionary<string, IReadOnlyDictionary<string, string>>();
        var requireExisting = false;
        foreach (var (key, value) in env.Entries)
        {
            if (key.Value == "requireExistingProject")
            {
                requireExisting = value is SpecScalar { IsPlain: true, Value: "true" or "false" } b ? b.Value == "true"
                    : throw new SpecLoadException("DsSpecEnvironmentsInvalid", value.Location, "'requireExistingProject' must be true or false.");
                continue;
            }
            if (Array.IndexOf(Sections, key.Value) < 0)
                throw new SpecLoadException("DsSpecEnvironmentsInvalid", key.Location, $"unknown section '{key.Value}' (allowed: {string.Join(", ", Sections)}, requireExistingProject).");
            if (value is not SpecMapping vm)
                throw new SpecLoadException("DsSpecEnvironmentsInvalid", value.Location, $"'{key.Value}' must be a mapping of spec name: target name.");
            var d = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (k, v) in vm.Entries)
            {
                if (v is not SpecScalar { IsNull: false } s)
                    throw new SpecLoadException("DsSpecEnvironmentsInvalid", v.Location, $"'{key.Value}.{k.Value}' must be a name.");
                d[k.Value!] = s.Value!;
            }
            maps[key.Value!] = d;
        }
        return new EnvironmentOverlay(match.Key.Value!, maps.GetValueOrDefault("dataSources"), maps.GetValueOrDefault("workerGroups"),
            maps.GetValueOrDefault("tenants"), maps.GetValueOrDefault("alertGroups"), maps.GetValueOrDefault("environments"), maps.GetValueOrDefault("parameters"))
        {
            RequireExistingProject = requireExisting,
        };
    }

    public WorkflowSpec Apply(WorkflowSpec w) => w with
    {
        Tenant = Map(Tenants, w.Tenant),
        Parameters = w.Parameters.Select(p => Parameters.TryGetValue(p.Name, out var v) ? p with { Value = v } : p).ToImmutableArray(),
        Schedule = w.Schedule is null ? null : w.Schedule with
        {
            WarningGroup = Map(AlertGroups, w.Schedule.WarningGroup),
            WorkerGroup = Map(WorkerGroups, w.Schedule.WorkerGroup)!,
            Environment = Map(Environments, w.Schedule.Environment),
        },
        Tasks = w.Tasks.Select(t => t with
        {
            WorkerGroup = Map(WorkerGroups, t.WorkerGroup)!,
            Environment = Map(Environments, t.Environment),
            DataSource = Map(DataSources, t.DataSource),
            DataTarget = Map(DataSources, t.DataTarget),
        }).ToImmutableArray(),
    };

    private static string? Map(IReadOnlyDictionary<string, string> map, string? name) =>
        name is not null && map.TryGetValue(name, out var v) ? v : name;
}
