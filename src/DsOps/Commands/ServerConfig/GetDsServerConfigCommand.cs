using System.Management.Automation;
using DsOps.Engine.ServerConfig;
using DsOps.Infrastructure;

namespace DsOps.Commands.ServerConfig;

/// <summary>
/// <para type="synopsis">Reads a DS server's config files into typed settings: heap, overload thresholds, threads, fetch size, DB pool.</para>
/// <para type="description">Reads master, worker, api and alert config under a DS_HOME (&lt;role&gt;-server/conf/application.yaml,
/// conf/bootstrap.yaml from 3.1, bin/jvm_args_env.sh from 3.2 or the JAVA_OPTS default of bin/start.sh before, and
/// dolphinscheduler_env.sh), one server's folder, a conf folder, or a single file. The DS version comes from -Version, a jar name
/// under libs/, or the keys present; with it each key is typed and marked Active, NoOp (shipped but read by no code, e.g.
/// master.pre-exec-threads on 3.2.x), Ignored (renamed or not of this version) or Uncatalogued. Variables exported by
/// dolphinscheduler_env.sh that Spring binds over a yaml key are shown as OverriddenBy. Every value carries its file and line;
/// passwords, tokens and digests are masked. Writes one object per server; -Setting writes the individual values instead.</para>
/// <example><code>Get-DsServerConfig -Path /opt/dolphinscheduler</code><para>Shows each server's heap, task slots, fetch size, DB pool and overload thresholds.</para></example>
/// <example><code>Get-DsServerConfig /opt/dolphinscheduler -Setting | Where-Object Status -ne Active</code><para>Lists the values this DS version ignores or never reads, with file and line.</para></example>
/// <example><code>Get-DsServerConfig ./master-server/conf/application.yaml -Key 'master.*fetch*'</code><para>Shows the fetch-size settings of one master's yaml file.</para></example>
/// </summary>
[Cmdlet(VerbsCommon.Get, "DsServerConfig")]
[OutputType(typeof(DsRoleConfig), typeof(DsConfigSetting))]
public sealed class GetDsServerConfigCommand : ServerConfigCmdlet
{
    /// <summary><para type="description">A DS_HOME, a server folder (master-server), its conf folder, or one config file.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true,
        HelpMessage = "A DS_HOME, a <role>-server folder, a conf folder or one config file.")]
    [Alias("FullName", "DsHome")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary><para type="description">The DS version whose key names apply (e.g. 3.0, 3.2.1, 3.2.2, 3.3); found from libs/ or the keys when omitted.</para></summary>
    [Parameter(HelpMessage = "DS version, e.g. 3.2.2; found from libs/ or the keys when omitted.")]
    [DsVersionCompleter]
    public string? Version { get; set; }

    /// <summary><para type="description">Only these servers (Master, Worker, Api, Alert, Standalone); for a single file whose name does not say it, its role.</para></summary>
    [Parameter(HelpMessage = "Only these servers; for a single file, its role.")]
    public ServerConfigRole[]? Role { get; set; }

    /// <summary><para type="description">Write each value (key, value, status, file and line) instead of one object per server.</para></summary>
    [Parameter(HelpMessage = "Write the individual values.")]
    public SwitchParameter Setting { get; set; }

    /// <summary><para type="description">Only values whose keys match these wildcards (e.g. 'master.*', '-Xm?'); implies -Setting.</para></summary>
    [Parameter(HelpMessage = "Only values whose keys match these wildcards; implies -Setting.")]
    [SupportsWildcards]
    public string[]? Key { get; set; }

    protected override void ProcessRecord()
    {
        var dialect = ParseVersion(Version);
        var patterns = Wildcards.Compile(Key);
        foreach (var p in Path)
        {
            var config = ReadConfig(p, dialect, Role, Role is { Length: 1 } ? Role[0] : null);
            if (config is null) continue;
            WriteVerbose($"{config.Path}: DS {config.Version} ({config.VersionSource}).");
            foreach (var role in config.Roles)
            {
                if (!Setting && Key is null) { WriteObject(role); continue; }
                foreach (var s in role.Settings)
                    if (Wildcards.Matches(patterns, s.Key)) WriteObject(s);
            }
        }
    }
}
