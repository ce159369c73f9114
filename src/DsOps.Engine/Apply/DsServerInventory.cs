using DsOps.Engine.Api;
using DsOps.Engine.Specs.Validation;

namespace DsOps.Engine.Apply;

/// <summary>The names that exist on a connected DS, for the "when connected" spec checks. Each list is read once.</summary>
internal sealed class DsServerInventory : ITargetInventory
{
    private readonly DsClient _client;
    private readonly Lazy<Task<IReadOnlySet<string>>> _dataSources, _workerGroups, _environments, _tenants, _alertGroups;

    public DsServerInventory(DsClient client)
    {
        _client = client;
        _dataSources = Names(ct => client.GetDataSourcesAsync(null, ct), d => d.Name);
        _workerGroups = Names(ct => client.GetWorkerGroupsAsync(null, ct), g => g.Name, "default"); // DS always has 'default'
        _environments = Names(ct => client.GetEnvironmentsAsync(null, ct), e => e.Name);
        _tenants = Names(ct => client.GetTenantsAsync(null, ct), t => t.TenantCode, "default");
        _alertGroups = Names(ct => client.GetAlertGroupsAsync(null, ct), a => a.Name);
    }

    public string Target => _client.BaseUri.GetLeftPart(UriPartial.Authority);

    public Task<IReadOnlySet<string>> DataSourcesAsync(CancellationToken cancellationToken) => _dataSources.Value;
    public Task<IReadOnlySet<string>> WorkerGroupsAsync(CancellationToken cancellationToken) => _workerGroups.Value;
    public Task<IReadOnlySet<string>> EnvironmentsAsync(CancellationToken cancellationToken) => _environments.Value;
    public Task<IReadOnlySet<string>> TenantsAsync(CancellationToken cancellationToken) => _tenants.Value;
    public Task<IReadOnlySet<string>> AlertGroupsAsync(CancellationToken cancellationToken) => _alertGroups.Value;

    private static Lazy<Task<IReadOnlySet<string>>> Names<T>(Func<CancellationToken, IAsyncEnumerable<T>> list, Func<T, string> name, string? always = null) =>
        new(async () =>
        {
            var set = new HashSet<string>(StringComparer.Ordinal);
            if (always is not null) set.Add(always);
            await foreach (var item in list(CancellationToken.None).ConfigureAwait(false)) set.Add(name(item));
            return (IReadOnlySet<string>)set;
        });
}
