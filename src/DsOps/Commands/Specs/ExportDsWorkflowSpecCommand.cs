using System.Management.Automation;
using DsOps.Engine.Dialects;
using DsOps.Engine.Planning;
using DsOps.Engine.Specs.Documents;
using DsOps.Engine.Specs.Model;
using DsOps.Engine.Specs.Sources;
using DsOps.Infrastructure;

namespace DsOps.Commands.Specs;

/// <summary>Output format of Export-DsWorkflowSpec.</summary>
public enum SpecExportFormat
{
    /// <summary>DsOps YAML, one file per workflow under Destination/project/.</summary>
    Yaml,
    /// <summary>One DS batch-export JSON file (the DS import format of 3.0-3.3).</summary>
    DsExport,
}

/// <summary>
/// <para type="synopsis">Writes workflow specs to DsOps YAML files (or a DS export file) that load back unchanged.</para>
/// <para type="description">Takes WorkflowSpec objects from the pipeline (Get-DsWorkflowSpec, or the connected
/// export the lead adds) and writes one YAML file per workflow under -Destination/&lt;project&gt;/. Loading the files
/// gives the same specs, so a plan against the source shows no changes - the way to adopt existing workflows.
/// Secret-looking values (password, token, Authorization header...) are replaced by ${env:DSOPS_SECRET_...}
/// placeholders and the variable names are listed as warnings. Existing files are kept unless -Force.</para>
/// <example><code>Get-DsWorkflowSpec ./export.json | Export-DsWorkflowSpec -Destination ./specs</code><para>Turns a DS export file into YAML specs, one file per project.</para></example>
/// <example runnable="true"><code>Get-DsWorkflowSpec ./docs/examples/workflows | Export-DsWorkflowSpec -Destination ./exported-specs</code><para>Rewrites the repository's example specs in the canonical layout, one file per workflow under a folder per project.</para></example>
/// </summary>
[Cmdlet(VerbsData.Export, "DsWorkflowSpec", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportDsWorkflowSpecCommand : DsCmdlet
{
    private readonly List<WorkflowSpec> _specs = new();

    /// <summary><para type="description">Workflow specs to write.</para></summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, HelpMessage = "Workflow specs to write (from Get-DsWorkflowSpec).")]
    public WorkflowSpec[] InputObject { get; set; } = Array.Empty<WorkflowSpec>();

    /// <summary><para type="description">Folder for YAML files, or the file path for -Format DsExport.</para></summary>
    [Parameter(Mandatory = true, Position = 0, HelpMessage = "Folder for the YAML files (or the .json file for -Format DsExport).")]
    [ValidateNotNullOrEmpty]
    public string Destination { get; set; } = "";

    /// <summary><para type="description">Yaml (default) or DsExport.</para></summary>
    [Parameter(HelpMessage = "Yaml (one file per workflow) or DsExport (one DS import file).")]
    public SpecExportFormat Format { get; set; } = SpecExportFormat.Yaml;

    /// <summary><para type="description">DS version whose export shape to write with -Format DsExport (3.0 to 3.4.0; 3.4.1 removed DS import, so later versions are refused).</para></summary>
    [Parameter(HelpMessage = "DS version for -Format DsExport, e.g. 3.0, 3.2 or 3.3.")]
    [Alias("Dialect")]
    [DsVersionCompleter]
    public string? Version { get; set; }

    /// <summary><para type="description">Overwrite existing files.</para></summary>
    [Parameter(HelpMessage = "Overwrite existing files.")]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord() => _specs.AddRange(InputObject);

    protected override void EndProcessing()
    {
        var destination = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Destination);
        var exported = new List<WorkflowSpec>();
        var placeholders = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in _specs.OrderBy(w => w.Key, StringComparer.Ordinal))
        {
            if (string.IsNullOrWhiteSpace(spec.Project) || string.IsNullOrWhiteSpace(spec.Name))
            {
                WriteDsError("DsSpecIncomplete", ErrorCategory.InvalidData,
                    $"workflow '{spec.Name}' has no {(string.IsNullOrWhiteSpace(spec.Name) ? "name" : "project")} and is not written; fix the source (or pass -Project to Get-DsWorkflowSpec).", spec.Key);
                continue;
            }
            var (safe, variables) = SecretExternalizer.Externalize(spec);
            if (variables.Count > 0)
                WriteWarning($"{spec.Key}: secret-looking values were replaced by environment placeholders; set {string.Join(", ", variables)} before loading.");
            exported.Add(safe);
            placeholders.UnionWith(variables);
        }
        try
        {
            if (Format == SpecExportFormat.DsExport)
            {
                var dialect = string.IsNullOrWhiteSpace(Version) ? DsDialect.DefaultExportDialect : DsDialect.Parse(Version);
                Write(destination, () => DsExportFile.Write(exported, dialect));
                return;
            }
            var done = 0;
            foreach (var w in exported)
            {
                var file = System.IO.Path.Combine(destination, SafeName(w.Project), SafeName(w.Name) + ".yaml");
                Write(file, () => YamlSpecWriter.WriteProject(w.Project, new[] { w }, placeholders));
                WriteProgressPercent(1, "Export-DsWorkflowSpec", w.Key, ++done, exported.Count);
            }
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowDsError(ex, destination);
        }
    }

    private void Write(string file, Func<string> content)
    {
        if (File.Exists(file) && !Force)
        {
            WriteDsError("DsFileExists", ErrorCategory.ResourceExists, $"'{file}' exists; use -Force to overwrite it.", file);
            return;
        }
        if (!ShouldProcess(file, "Write workflow spec")) return;
        DsOps.Engine.IO.AtomicFile.WriteAllText(file, content());
        WriteObject(new FileInfo(file));
    }

    private static string SafeName(string name)
    {
        var invalid = System.IO.Path.GetInvalidFileNameChars();
        var s = new string(name.Select(c => invalid.Contains(c) || c is '/' or '\\' or ':' ? '_' : c).ToArray()).Trim('.', ' ');
        return s.Length == 0 ? "_" : s;
    }
}
