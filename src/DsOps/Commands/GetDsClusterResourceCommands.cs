using System.Management.Automation;
using DsOps.Engine.Api;
using DsOps.Engine.Models;
using DsOps.Infrastructure;

namespace DsOps.Commands;

/// <summary>Shared shape of the cluster-resource readers: optional wildcard -Name, all pages streamed.</summary>
public abstract class GetDsNamedResourceCommand<T> : DsApiCmdlet
{
    /// <summary>Names; wildcards allowed.</summary>
    [Parameter(Position = 0, HelpMessage = "Names; wildcards allowed.")]
    [SupportsWildcards]
    [ClusterResourceNameCompleter]
    public string[]? Name { get; set; }

    private protected abstract IAsyncEnumerable<T> List(DsClient client, string? search);
    private protected abstract string NameOf(T item);

    protected override void ProcessRecord()
    {
        try
        {
            var patterns = Wildcards.Compile(Name);
            var search = Name is [var only] && !DsOps.Engine.Text.Wildcard.HasWildcards(only) ? only : null;
            WriteEach(List(Client, search), item => Wildcards.Matches(patterns, NameOf(item)));
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteDsError(ex, Name);
        }
    }
}

/// <summary>
/// <para type="synopsis">Gets the data sources defined in DolphinScheduler.</para>
/// <para type="description">Lists data sources (name, type, owner). Connection parameters and passwords are not read.</para>
/// <example runnable="true"><code>Get-DsDataSource -Name 'dw_*'</code><para>Lists the data sources whose name starts with dw_.</para></example>
/// </summary>
[Cmdlet(VerbsCommon.Get, "DsDataSource")]
[OutputType(typeof(DsDataSource))]
public sealed class GetDsDataSourceCommand : GetDsNamedResourceCommand<DsDataSource>
{
    private protected override IAsyncEnumerable<DsDataSource> List(DsClient client, string? search) => client.GetDataSourcesAsync(search, CancellationToken);
    private protected override string NameOf(DsDataSource item) => item.Name;
}

/// <summary>
/// <para type="synopsis">Gets the worker groups defined in DolphinScheduler.</para>
/// <para type="description">Lists worker groups with their worker addresses.</para>
/// <example runnable="true"><code>Get-DsWorkerGroup</code><para>Lists every worker group with the addresses of its workers.</para></example>
/// </summary>
[Cmdlet(VerbsCommon.Get, "DsWorkerGroup")]
[OutputType(typeof(DsWorkerGroup))]
public sealed class GetDsWorkerGroupCommand : GetDsNamedResourceCommand<DsWorkerGroup>
{
    private protected override IAsyncEnumerable<DsWorkerGroup> List(DsClient client, string? search) => client.GetWorkerGroupsAsync(search, CancellationToken);
    private protected override string NameOf(DsWorkerGroup item) => item.Name;
}

/// <summary>
/// <para type="synopsis">Gets the environments defined in DolphinScheduler.</para>
/// <para type="description">Lists environments (shell export blocks bound to worker groups).</para>
/// <example runnable="true"><code>Get-DsEnvironment -Name prod*</code><para>Lists the environments whose name starts with prod.</para></example>
/// </summary>
[Cmdlet(VerbsCommon.Get, "DsEnvironment")]
[OutputType(typeof(DsEnvironment))]
public sealed class GetDsEnvironmentCommand : GetDsNamedResourceCommand<DsEnvironment>
{
    private protected override IAsyncEnumerable<DsEnvironment> List(DsClient client, string? search) => client.GetEnvironmentsAsync(search, CancellationToken);
    private protected override string NameOf(DsEnvironment item) => item.Name;
}

/// <summary>
/// <para type="synopsis">Gets the tenants defined in DolphinScheduler.</para>
/// <para type="description">Lists tenants (the OS users tasks run as) with their YARN queue.</para>
/// <example runnable="true"><code>Get-DsTenant</code><para>Lists every tenant with its queue.</para></example>
/// </summary>
[Cmdlet(VerbsCommon.Get, "DsTenant")]
[OutputType(typeof(DsTenant))]
public sealed class GetDsTenantCommand : GetDsNamedResourceCommand<DsTenant>
{
    private protected override IAsyncEnumerable<DsTenant> List(DsClient client, string? search) => client.GetTenantsAsync(search, CancellationToken);
    private protected override string NameOf(DsTenant item) => item.TenantCode;
}

/// <summary>
/// <para type="synopsis">Gets the alert groups defined in DolphinScheduler.</para>
/// <para type="description">Lists alert groups with the ids of their alert plugin instances.</para>
/// <example runnable="true"><code>Get-DsAlertGroup</code><para>Lists every alert group.</para></example>
/// </summary>
[Cmdlet(VerbsCommon.Get, "DsAlertGroup")]
[OutputType(typeof(DsAlertGroup))]
public sealed class GetDsAlertGroupCommand : GetDsNamedResourceCommand<DsAlertGroup>
{
    private protected override IAsyncEnumerable<DsAlertGroup> List(DsClient client, string? search) => client.GetAlertGroupsAsync(search, CancellationToken);
    private protected override string NameOf(DsAlertGroup item) => item.Name;
}
