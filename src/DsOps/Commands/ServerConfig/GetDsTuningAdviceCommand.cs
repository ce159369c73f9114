using System.Management.Automation;
using DsOps.Engine.ServerConfig;
using DsOps.Infrastructure;

namespace DsOps.Commands.ServerConfig;

/// <summary>
/// <para type="synopsis">Recommends heap, overload thresholds, worker task slots, master fetch size and DB pool sizes for small DS hosts, with reasons.</para>
/// <para type="description">For hosts of -Cores and -MemoryGB each running the servers in -Role, on -Nodes hosts, returns one object per
/// setting: current value (from -Config, or DS's shipped default), advised value, Change / Keep / Warning and the reason. The rules
/// (docs/server-config.md): half of the memory for heaps, split master 3 : worker 3 : api 2 : alert 1, -Xms = -Xmx, -Xmn = half;
/// memory-usage thresholds above the estimated idle use plus 10 points, in the keys of that version (server-load-protection from 3.2.1,
/// the free-memory fraction on 3.2.0, load average and GB before); worker task slots of 4 per core, bounded by the memory left at 128 MB
/// a task; master fetch size of 2 per core; Hikari pools within 80 % of max_connections across all nodes; and warnings for the version's
/// traps (keys that are no-ops or ignored, 3.2.1's heap-usage test, exported variables that override the yaml). With -Config (or
/// Get-DsServerConfig piped in) the keys and current values are those in the files, and Set-DsServerConfig -FromAdvice applies the
/// Change rows.</para>
/// <example runnable="true"><code>Get-DsTuningAdvice -Cores 4 -MemoryGB 8 -Role Master, Worker, Api, Alert -Nodes 3 -Version 3.2.2</code><para>Advice for three 4-core, 8 GB hosts that each run all four servers of DS 3.2.2, against DS's shipped defaults.</para></example>
/// <example><code>Get-DsServerConfig /opt/dolphinscheduler | Get-DsTuningAdvice -Cores 4 -MemoryGB 8 -Nodes 3 -MaxConnections 500</code><para>Advice against the install's own files, for a database that allows 500 connections.</para></example>
/// <example><code>$cfg = Get-DsServerConfig /opt/dolphinscheduler; Get-DsTuningAdvice -Config $cfg -Cores 4 -MemoryGB 8 -Nodes 3 -Role Master, Worker</code><para>Advice for hosts that run only a master and a worker, using the install's files for current values.</para></example>
/// <example><code>Get-DsServerConfig /opt/dolphinscheduler | Get-DsTuningAdvice -Cores 4 -MemoryGB 8 -Nodes 3 | Set-DsServerConfig -FromAdvice -WhatIf</code><para>Shows the diff that applying the advice would make.</para></example>
/// </summary>
[Cmdlet(VerbsCommon.Get, "DsTuningAdvice", DefaultParameterSetName = "Version")]
[OutputType(typeof(DsTuningAdvice))]
public sealed class GetDsTuningAdviceCommand : ServerConfigCmdlet
{
    private readonly List<DsRoleConfig> _piped = new();

    /// <summary><para type="description">CPU cores per host.</para></summary>
    [Parameter(Mandatory = true, HelpMessage = "CPU cores per host.")]
    [ValidateRange(1, 1024)]
    public int Cores { get; set; }

    /// <summary><para type="description">Memory per host in GB.</para></summary>
    [Parameter(Mandatory = true, HelpMessage = "Memory per host in GB.")]
    [ValidateRange(2.0, 65536.0)]
    public double MemoryGB { get; set; }

    /// <summary><para type="description">The servers each host runs (default: Master, Worker, Api, Alert; with -Config, the servers read).</para></summary>
    [Parameter(HelpMessage = "The servers each host runs.")]
    public ServerConfigRole[]? Role { get; set; }

    /// <summary><para type="description">Hosts in the cluster (default 1).</para></summary>
    [Parameter(HelpMessage = "Hosts in the cluster.")]
    [ValidateRange(1, 1000)]
    public int Nodes { get; set; } = 1;

    /// <summary><para type="description">The DS version (e.g. 3.0, 3.2.1, 3.2.2, 3.3) when no config is given.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = "Version", HelpMessage = "DS version, e.g. 3.2.2.")]
    [DsVersionCompleter]
    public string Version { get; set; } = "";

    /// <summary><para type="description">A config read by Get-DsServerConfig (its output or their Config property), for current values and the keys in the files.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = "Config", HelpMessage = "Output of Get-DsServerConfig (or its Config property).")]
    [ServerConfigTransformation]
    public DsServerConfig? Config { get; set; }

    /// <summary><para type="description">Server configs from Get-DsServerConfig on the pipeline.</para></summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = "Pipeline", HelpMessage = "Output of Get-DsServerConfig.")]
    public DsRoleConfig[] InputObject { get; set; } = Array.Empty<DsRoleConfig>();

    /// <summary><para type="description">The metadata database's max_connections (default 151, MySQL's default).</para></summary>
    [Parameter(HelpMessage = "The metadata database's max_connections.")]
    [ValidateRange(10, 100000)]
    public int MaxConnections { get; set; } = 151;

    protected override void ProcessRecord()
    {
        if (ParameterSetName == "Pipeline") _piped.AddRange(InputObject.Where(r => r is not null));
    }

    protected override void EndProcessing()
    {
        var configs = ParameterSetName switch
        {
            "Config" => new List<DsServerConfig?> { Config },
            "Pipeline" => _piped.Select(r => (DsServerConfig?)r.Config).Distinct().ToList(),
            _ => new List<DsServerConfig?> { null },
        };
        foreach (var config in configs)
        {
            var roles = Role is { Length: > 0 } ? Role
                : ParameterSetName == "Pipeline" ? _piped.Where(r => r.Config == config).Select(r => r.Role).ToArray()
                : config?.Roles.Select(r => r.Role).ToArray()
                ?? new[] { ServerConfigRole.Master, ServerConfigRole.Worker, ServerConfigRole.Api, ServerConfigRole.Alert };
            try
            {
                var advice = DsTuningAdvisor.Advise(new DsTuningInput
                {
                    Cores = Cores,
                    MemoryGB = MemoryGB,
                    Roles = roles,
                    Nodes = Nodes,
                    Config = config,
                    Dialect = config is null ? ParseVersion(Version) : null,
                    MaxConnections = MaxConnections,
                });
                WriteObject(advice, enumerateCollection: true);
            }
            catch (Engine.DsOpsException ex)
            {
                WriteDsError(ex, config?.Path);
            }
        }
    }
}

/// <summary>Lets -Config take what Get-DsServerConfig writes (one DsRoleConfig per server) as well as a DsServerConfig.</summary>
internal sealed class ServerConfigTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var items = inputData switch
        {
            PSObject { BaseObject: var b } => new[] { b },
            object[] array => array.Select(a => a is PSObject p ? p.BaseObject : a).ToArray(),
            _ => new[] { inputData },
        };
        var configs = items.Select(i => i switch
        {
            DsServerConfig c => c,
            DsRoleConfig r => r.Config,
            _ => null,
        }).Distinct().ToList();
        if (configs.Count == 1 && configs[0] is not null) return configs[0];
        if (configs.Contains(null)) return inputData; // let the binder report the wrong type
        throw new ArgumentTransformationMetadataException("-Config takes the output of one Get-DsServerConfig call (one path); got configs of several paths.");
    }
}
