namespace DsOps.Engine.Specs.Validation;

/// <summary>
/// Names that exist on the target cluster, for the "when connected" checks of
/// <see cref="SpecValidator"/>. The connected implementation reads them through the REST client;
/// tests use <see cref="StaticTargetInventory"/>.
/// </summary>
internal interface ITargetInventory
{
    /// <summary>Where the names come from, for messages (e.g. "https://ds.example:12345").</summary>
    string Target { get; }
    Task<IReadOnlySet<string>> DataSourcesAsync(CancellationToken cancellationToken);
    Task<IReadOnlySet<string>> WorkerGroupsAsync(CancellationToken cancellationToken);
    Task<IReadOnlySet<string>> EnvironmentsAsync(CancellationToken cancellationToken);
    Task<IReadOnlySet<string>> TenantsAsync(CancellationToken cancellationToken);
    Task<IReadOnlySet<string>> AlertGroupsAsync(CancellationToken cancellationToken);
}

/// <summary>An inventory from fixed name lists.</summary>
internal sealed class StaticTargetInventory : ITargetInventory
{
    public StaticTargetInventory(string target, IEnumerable<string>? dataSources = null, IEnumerable<string>? workerGroups = null,
        IEnumerable<string>? environments = null, IEnumerable<string>? tenants = null, IEnumerable<string>? alertGroups = null)
    {
        Target = target;
        DataSources = Set(dataSources);
        WorkerGroups = Set(workerGroups);
        Environments = Set(environments);
        Tenants = Set(tenants);
        AlertGroups = Set(alertGroups);
    }

    public string Target { get; }
    public IReadOnlySet<string> DataSources { get; }
    public IReadOnlySet<string> WorkerGroups { get; }
    public IReadOnlySet<string> Environments { get; }
    public IReadOnlySet<string> Tenants { get; }
    public IReadOnlySet<string> AlertGroups { get; }

    private static IReadOnlySet<string> Set(IEnumerable<string>? names) => new HashSet<string>(names ?? Array.Empty<string>(), StringComparer.Ordinal);

    public Task<IReadOnlySet<string>> DataSourcesAsync(CancellationToken cancellationToken) => Task.FromResult(DataSources);
    public Task<IReadOnlySet<string>> WorkerGroupsAsync(CancellationToken cancellationToken) => Task.FromResult(WorkerGroups);
    public Task<IReadOnlySet<string>> EnvironmentsAsync(CancellationToken cancellationToken) => Task.FromResult(Environments);
    public Task<IReadOnlySet<string>> TenantsAsync(CancellationToken cancellationToken) => Task.FromResult(Tenants);
    public Task<IReadOnlySet<string>> AlertGroupsAsync(CancellationToken cancellationToken) => Task.FromResult(AlertGroups);
}
