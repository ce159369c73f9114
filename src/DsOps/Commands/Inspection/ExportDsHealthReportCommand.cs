using System.Management.Automation;
using DsOps.Engine.Inspection;

namespace DsOps.Commands.Inspection;

/// <summary>
/// <para type="synopsis">Writes health results to a JUnit XML, NUnit XML, JSON or Prometheus textfile-collector file.</para>
/// <para type="description">Collects the results from the pipeline and writes one file atomically (a temp file renamed into
/// place, so CI publishers and node_exporter never read half a file). JUnit and NUnit have a suite per check and a case per
/// target (Fail = failure, Error = error, Skipped = skipped; Warn passes with its message); Prometheus writes
/// dsops_health_check_status{check,target,severity} (0 pass, 1 warn, 2 fail, 3 error, 4 skipped) plus counts, durations and
/// the run time. Without -Format the extension decides: .json Json, .prom Prometheus, .xml JUnit.</para>
/// <example><code>Invoke-DsHealthCheck -Tag Quick | Export-DsHealthReport /var/lib/node_exporter/textfile/dsops.prom</code><para>Feeds Prometheus through node_exporter's textfile collector.</para></example>
/// <example><code>Invoke-DsHealthCheck -Tag Deep | Export-DsHealthReport ./health.xml -Format NUnit</code><para>An NUnit file a CI server publishes as test results.</para></example>
/// </summary>
[Cmdlet(VerbsData.Export, "DsHealthReport", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class ExportDsHealthReportCommand : DsCmdlet
{
    private readonly List<DsHealthResult> _results = new();

    /// <summary><para type="description">Results from Invoke-DsHealthCheck.</para></summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, HelpMessage = "Results from Invoke-DsHealthCheck.")]
    public DsHealthResult[] InputObject { get; set; } = Array.Empty<DsHealthResult>();

    /// <summary><para type="description">The file to write (replaced if it exists).</para></summary>
    [Parameter(Mandatory = true, Position = 0, HelpMessage = "The file to write.")]
    public string Path { get; set; } = "";

    /// <summary><para type="description">JUnit, NUnit, Json or Prometheus; default from the extension.</para></summary>
    [Parameter(HelpMessage = "JUnit, NUnit, Json or Prometheus; default from the file extension.")]
    public DsHealthReportFormat? Format { get; set; }

    /// <summary><para type="description">Output the written file.</para></summary>
    [Parameter(HelpMessage = "Output the written file.")]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord() => _results.AddRange(InputObject);

    protected override void EndProcessing()
    {
        var path = GetUnresolvedProviderPathFromPSPath(Path);
        var format = Format ?? System.IO.Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".json" => DsHealthReportFormat.Json,
            ".prom" => DsHealthReportFormat.Prometheus,
            ".xml" => DsHealthReportFormat.JUnit,
            var ext => ThrowFormat(ext),
        };
        if (!ShouldProcess(path, $"Write {_results.Count} health results as {format}")) return;
        try
        {
            new DsHealthReport(_results).Save(path, format);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ThrowDsError(ex, path, "DsHealthReportWriteFailed");
        }
        if (PassThru) WriteObject(new FileInfo(path));
    }

    private DsHealthReportFormat ThrowFormat(string ext)
    {
        ThrowDsError("DsHealthReportFormatUnknown", ErrorCategory.InvalidArgument,
            $"-Path: cannot tell the format from '{ext}'; pass -Format JUnit, NUnit, Json or Prometheus.", Path);
        return default;
    }
}
