using System.Collections;
using System.Globalization;
using System.Management.Automation;
using DsOps.Engine.ServerConfig;
using DsOps.Infrastructure;

namespace DsOps.Commands.ServerConfig;

/// <summary>
/// <para type="synopsis">Changes values in DS server config files in place: only the value's bytes change, a backup is kept, -WhatIf shows a diff.</para>
/// <para type="description">Edits application.yaml, bootstrap.yaml, jvm_args_env.sh, start.sh (heap before 3.2) or dolphinscheduler_env.sh
/// by replacing the characters of each value, so comments, indentation, quoting and line ends stay exactly as they were.
/// Heap options are -Xms, -Xmx and -Xmn; other keys are dotted yaml keys (master.command-fetch-strategy.config.fetch-size).
/// When dolphinscheduler_env.sh exports a variable that Spring binds over the yaml key (DS 3.0's MASTER_FETCH_COMMAND_NUM),
/// both are changed. Refused with an error naming the key and file: keys the version does not read (renamed, removed, or no-ops
/// such as master.pre-exec-threads on 3.2.x), keys absent from the files (values are changed, never added), values outside the
/// key's range, and heap sizes that contradict each other. Each file is checked against what was read, copied to
/// file.yyyyMMdd-HHmmss.bak and replaced atomically. -WhatIf prints the unified diff and writes nothing. With -FromAdvice it applies
/// the Change rows of Get-DsTuningAdvice (or the failed rows of Test-DsServerConfig) from the pipeline. Writes one result per file
/// written. Restart the servers for DS to read the new values.</para>
/// <example><code>Set-DsServerConfig -Path /opt/dolphinscheduler -Role Worker -Key worker.exec-threads -Value 16 -WhatIf</code><para>Shows the diff of the worker's application.yaml without writing it.</para></example>
/// <example><code>Set-DsServerConfig /opt/dolphinscheduler -Role Master -Setting @{ '-Xms' = '1344m'; '-Xmx' = '1344m'; '-Xmn' = '640m' }</code><para>Sets the master's heap in jvm_args_env.sh (start.sh before 3.2) in one edit, keeping a backup.</para></example>
/// <example><code>Get-DsTuningAdvice -Config (Get-DsServerConfig /opt/dolphinscheduler) -Cores 4 -MemoryGB 8 -Nodes 3 | Set-DsServerConfig -FromAdvice -Confirm</code><para>Applies every advised change to the install, asking before each file.</para></example>
/// <example><code>Test-DsServerConfig /opt/dolphinscheduler -DesiredState ./ds-desired.yaml | Set-DsServerConfig -FromAdvice</code><para>Brings the install to the desired state file.</para></example>
/// </summary>
[Cmdlet(VerbsCommon.Set, "DsServerConfig", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = "Key")]
[OutputType(typeof(DsConfigWriteResult))]
public sealed class SetDsServerConfigCommand : ServerConfigCmdlet
{
    private readonly List<IDsConfigChangeSource> _input = new();

    /// <summary><para type="description">The DS_HOME, server folder, conf folder or file to edit; with -FromAdvice, defaults to the Path of each piped object.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Key", HelpMessage = "The DS_HOME, server folder, conf folder or file to edit.")]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Setting", HelpMessage = "The DS_HOME, server folder, conf folder or file to edit.")]
    [Parameter(Position = 0, ParameterSetName = "FromAdvice", HelpMessage = "The DS_HOME to edit (defaults to the Path of each piped object).")]
    [Alias("DsHome")]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary><para type="description">The server whose files change: Master, Worker, Api, Alert or Standalone.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = "Key", HelpMessage = "Master, Worker, Api, Alert or Standalone.")]
    [Parameter(Mandatory = true, ParameterSetName = "Setting", HelpMessage = "Master, Worker, Api, Alert or Standalone.")]
    public ServerConfigRole Role { get; set; }

    /// <summary><para type="description">The key: a dotted yaml key, -Xms, -Xmx or -Xmn, or a variable exported by dolphinscheduler_env.sh.</para></summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = "Key", HelpMessage = "Dotted yaml key, -Xms/-Xmx/-Xmn, or an exported variable.")]
    [ValidateNotNullOrEmpty]
    public string Key { get; set; } = "";

    /// <summary><para type="description">The new value (e.g. 16, 0.85, 1344m, 10s).</para></summary>
    [Parameter(Mandatory = true, Position = 2, ParameterSetName = "Key", HelpMessage = "The new value.")]
    [ValidateNotNull]
    public object Value { get; set; } = "";

    /// <summary><para type="description">Several keys and values of one server at once, e.g. @{ '-Xmx' = '1g'; '-Xms' = '1g' }.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = "Setting", HelpMessage = "Keys and values, e.g. @{ '-Xmx' = '1g' }.")]
    [ValidateNotNull]
    public Hashtable Setting { get; set; } = new();

    /// <summary><para type="description">Tuning advice (Get-DsTuningAdvice) or desired-state results (Test-DsServerConfig) to apply; only their changes are applied.</para></summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = "FromAdvice", HelpMessage = "Advice or test results to apply.")]
    public IDsConfigChangeSource[] InputObject { get; set; } = Array.Empty<IDsConfigChangeSource>();

    /// <summary><para type="description">Apply piped advice or test results.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = "FromAdvice", HelpMessage = "Apply piped advice or test results.")]
    public SwitchParameter FromAdvice { get; set; }

    /// <summary><para type="description">The DS version whose key names apply; found from libs/ or the keys when omitted.</para></summary>
    [Parameter(HelpMessage = "DS version, e.g. 3.2.2.")]
    [DsVersionCompleter]
    public string? Version { get; set; }

    /// <summary><para type="description">Do not keep a .bak copy of each file changed.</para></summary>
    [Parameter(HelpMessage = "Do not keep a .bak copy.")]
    public SwitchParameter NoBackup { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == "FromAdvice") _input.AddRange(InputObject.Where(i => i is not null));
    }

    protected override void EndProcessing()
    {
        var dialect = ParseVersion(Version);
        if (ParameterSetName != "FromAdvice")
        {
            var changes = ParameterSetName == "Key"
                ? new List<DsConfigChange> { new(Role, Key, Text(Value, Key)) }
                : Setting.Keys.Cast<object>().Select(k => new DsConfigChange(Role, k.ToString()!, Text(Setting[k], k.ToString()!))).ToList();
            Edit(Path!, dialect, changes);
            return;
        }
        var wanted = _input.Where(i => i.IsChange && i.Value is not null).ToList();
        if (wanted.Count == 0)
        {
            WriteVerbose("Nothing to change: no piped object asks for a change.");
            return;
        }
        foreach (var group in wanted.GroupBy(i => Path ?? i.Path))
        {
            if (group.Key is null)
            {
                WriteDsError("DsConfigPathMissing", ErrorCategory.InvalidArgument,
                    "The advice has no config path (it was computed without -Config); pass -Path with the DS_HOME to change.", null);
                continue;
            }
            Edit(group.Key, dialect, group.Select(i => new DsConfigChange(i.Role, i.Key, i.Value!, (i as DsTuningAdvice)?.Reason)).ToList());
        }
    }

    private static string Text(object? value, string key) => value switch
    {
        null => throw new ArgumentException($"The value of '{key}' is null."),
        PSObject ps => Text(ps.BaseObject, key),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private void Edit(string path, Engine.Dialects.DsDialect? dialect, List<DsConfigChange> changes)
    {
        var config = ReadConfig(path, dialect, null);
        if (config is null) return;
        DsConfigEditPlan plan;
        try { plan = DsServerConfigEditor.Plan(config, changes); }
        catch (Engine.DsOpsException ex)
        {
            WriteDsError(ex, path);
            return;
        }
        foreach (var same in plan.Unchanged)
            WriteVerbose($"{same.Role} {same.Key} is already {same.Value}.");
        foreach (var file in plan.Files)
        {
            var summary = string.Join("; ", file.Changes.Select(c => $"{c.Key} {c.OldValue} -> {c.NewValue}"));
            if (!ShouldProcess(file.Diff, $"Change {summary} in '{file.Path}'?", "Set-DsServerConfig")) continue;
            try
            {
                WriteObject(DsServerConfigEditor.ApplyFile(file, backup: !NoBackup));
            }
            catch (Exception ex) when (ex is Engine.DsOpsException or IOException or UnauthorizedAccessException)
            {
                WriteDsError(ex, file.Path);
            }
        }
    }
}
