using System.Management.Automation;
using DsOps.Engine.ServerConfig;
using DsOps.Infrastructure;

namespace DsOps.Commands.ServerConfig;

/// <summary>
/// <para type="synopsis">Compares the config of one or more DS nodes with a desired-state file: desired value, actual value and the fix.</para>
/// <para type="description">The desired-state file (YAML or JSON) has an optional version and one mapping per role (master, worker, api,
/// alert, standalone) of key: value, where keys are dotted yaml keys, -Xms/-Xmx/-Xmn, or exported variables. Each -Path is one node
/// (a DS_HOME, or a copy of one node's files). One result per node, role and key: Desired, Actual (the value DS uses, so an exported
/// variable wins over the yaml), InDesiredState, the file and line, and the Set-DsServerConfig command that fixes it. Sizes compare
/// by megabytes (1g equals 1024m), numbers numerically. Pipe the results to Set-DsServerConfig -FromAdvice to fix them; -Quiet returns
/// one Boolean for all.</para>
/// <example><code>Test-DsServerConfig -Path /mnt/ds1, /mnt/ds2, /mnt/ds3 -DesiredState ./ds-desired.yaml | Where-Object { -not $_.InDesiredState }</code><para>Lists the values that drifted on any of three nodes.</para></example>
/// <example><code>if (-not (Test-DsServerConfig /opt/dolphinscheduler -DesiredState ./ds-desired.yaml -Quiet)) { throw 'DS config drifted' }</code><para>Fails a scheduled job when the node is not in the desired state.</para></example>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "DsServerConfig")]
[OutputType(typeof(DsConfigTestResult), typeof(bool))]
public sealed class TestDsServerConfigCommand : ServerConfigCmdlet
{
    private readonly List<DsServerConfig> _nodes = new();

    /// <summary><para type="description">One entry per node: its DS_HOME (or a folder or file holding its config).</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, HelpMessage = "Each node's DS_HOME.")]
    [Alias("FullName", "DsHome")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary><para type="description">The desired-state file.</para></summary>
    [Parameter(Mandatory = true, HelpMessage = "The desired-state file (YAML or JSON).")]
    [ValidateNotNullOrEmpty]
    public string DesiredState { get; set; } = "";

    /// <summary><para type="description">The DS version of the nodes; the desired-state file's version, libs/ or the keys when omitted.</para></summary>
    [Parameter(HelpMessage = "DS version, e.g. 3.2.2.")]
    [DsVersionCompleter]
    public string? Version { get; set; }

    /// <summary><para type="description">Return only $true when every value is in the desired state, else $false.</para></summary>
    [Parameter(HelpMessage = "Return one Boolean.")]
    public SwitchParameter Quiet { get; set; }

    private DsDesiredServerConfig? _desired;

    protected override void BeginProcessing()
    {
        try { _desired = DsDesiredServerConfig.Load(Resolve(DesiredState)); }
        catch (Exception ex) when (ex is Engine.DsOpsException or IOException or UnauthorizedAccessException)
        {
            ThrowDsError(ex, DesiredState);
        }
    }

    protected override void ProcessRecord()
    {
        var dialect = ParseVersion(Version) ?? _desired!.Dialect;
        foreach (var p in Path)
            if (ReadConfig(p, dialect, null) is { } config) _nodes.Add(config);
    }

    protected override void EndProcessing()
    {
        if (_desired is null) return;
        var results = _desired.Test(_nodes);
        if (Quiet)
        {
            WriteObject(results.Count > 0 && results.All(r => r.InDesiredState));
            return;
        }
        WriteObject(results, enumerateCollection: true);
    }
}
