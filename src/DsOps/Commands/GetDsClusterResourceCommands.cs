using System.Management.Automation;
using DsOps.Engine.Api;
using DsOps.Engine.Models;
using DsOps.Infrastructure;

namespace DsOps.Commands;

/// <summary>
/// The one cluster-resource reader: optional wildcard -Name, all pages streamed. Each cmdlet below only says which list
/// to read and which property is the name.
/// </summary>
public abstract class GetDsNamedResourceCommand<T> : DsApiCmdlet
{
    private readonly Func<DsClient, string?, CancellationToken, IAsyncEnumerable<T>> list;
    private readonly Func<T, string> nameOf;

    // private protected: the client type is internal to DsOps (no public path to a raw client).
    private protected GetDsNamedResourceCommand(Func<DsClient, string?, CancellationToken, IAsyncEnumerable<T>> list, Func<T, string> nameOf)
    {
        this.list = list;
        this.nameOf = nameOf;
    }

    /// <summary>Names; wildcards allowed.</summary>
    [Parameter(Position = 0, HelpMessage = "Names; wildcards allowed.")]
    [SupportsWildcards]
    [ClusterResourceNameCompleter]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var patterns = Wildcards.Compile(Name);
            var search = Name is [var only] && !WildcardPattern.ContainsWildcardCharacters(only) ? only : null;
            WriteEach(list(Client, search, CancellationToken), item => Wildcards.Matches(patterns, nameOf(item)));
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
    public GetDsDataSourceCommand() : base((c, search, ct) => c.GetDataSourcesAsync(search, ct), x => x.Name) { }
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
    public GetDsWorkerGroupCommand() : base((c, search, ct) => c.GetWorkerGroupsAsync(search, ct), x => x.Name) { }
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
    public GetDsEnvironmentCommand() : base((c, search, ct) => c.GetEnvironmentsAsync(search, ct), x => x.Name) { }
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
    public GetDsTenantCommand() : base((c, search, ct) => c.GetTenantsAsync(search, ct), x => x.TenantCode) { }
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
    public GetDsAlertGroupCommand() : base((c, search, ct) => c.GetAlertGroupsAsync(search, ct), x => x.Name) { }
}
