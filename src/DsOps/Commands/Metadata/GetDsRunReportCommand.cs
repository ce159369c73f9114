using System.Collections;
using System.Management.Automation;
using DsOps.Engine;
using DsOps.Engine.Reports;
using DsOps.Infrastructure;

namespace DsOps.Commands.Metadata;

/// <summary>Output forms of Get-DsRunReport.</summary>
public enum RunReportFormat { Object, Markdown, Text, Html, Json }

/// <summary>
/// <para type="synopsis">Reports what ran on a business date: runs by state, failed tasks, longest runs, still running,
/// not started, change against the previous day and the 7-day median, and deadline misses.</para>
/// <para type="description">Reads the metadata database (Connect-DsMetadata). The business date is a local date in
/// -TimeZone (default: this machine's zone); its window is converted to the servers' zone given at connect time.
/// Instances count for the date they started on. Returns the typed report, or with -As a Markdown (DingTalk subset),
/// text, HTML (inline SVG chart) or JSON string.</para>
/// </summary>
/// <example><code>Get-DsRunReport -TimeZone Asia/Shanghai -Deadline @{ 'dw/load_orders' = '06:00' } -As Markdown</code><para>Renders yesterday's report in Shanghai time as Markdown, with a 06:00 deadline for one workflow.</para></example>
/// <example runnable="true"><code>(Get-DsRunReport -Deadline @{ 'daily_00000' = '06:00' }).Projects | Format-Table</code><para>Shows yesterday's runs, task instances and failures per project, with a 06:00 deadline checked for one workflow.</para></example>
[Cmdlet(VerbsCommon.Get, "DsRunReport")]
[OutputType(typeof(RunReport), typeof(string))]
public sealed class GetDsRunReportCommand : DsMetadataCmdlet
{
    /// <summary><para type="description">The business date (only the date part is used). Default: yesterday in -TimeZone.</para></summary>
    [Parameter(Position = 0, HelpMessage = "The business date (date part only); default: yesterday in -TimeZone.")]
    public DateTime? Date { get; set; }

    /// <summary><para type="description">Business time zone (IANA id); default: this machine's zone.</para></summary>
    [Parameter(HelpMessage = "Business time zone as an IANA id (e.g. Asia/Shanghai); default: local zone.")]
    [TimeZoneCompleter]
    public string? TimeZone { get; set; }

    /// <summary><para type="description">Deadlines: keys are workflow names or project/workflow, values a time after the
    /// start of the business date ('06:00', '1.02:00' for 02:00 the next day, or a TimeSpan).</para></summary>
    [Parameter(HelpMessage = "Hashtable of 'workflow' or 'project/workflow' to a time after the start of the date ('06:00', '1.02:00', TimeSpan); e.g. from Import-PowerShellDataFile.")]
    public IDictionary? Deadline { get; set; }

    /// <summary><para type="description">A YAML or JSON file of deadlines (workflow or project/workflow: "06:00"),
    /// at the top level or under a 'deadlines:' key. Entries in -Deadline take precedence.</para></summary>
    [Parameter(HelpMessage = "YAML or JSON file mapping 'workflow' or 'project/workflow' to a deadline ('06:00'); -Deadline entries take precedence.")]
    public string? DeadlinePath { get; set; }

    /// <summary><para type="description">Only projects matching these names (wildcards allowed) or with these project codes.</para></summary>
    [Parameter(HelpMessage = "Only projects whose name matches (wildcards allowed) or whose code is given.")]
    [ProjectCompleter]
    [SupportsWildcards]
    public DsProjectParameter[]? Project { get; set; }

    /// <summary><para type="description">How many longest runs to list (default 10).</para></summary>
    [Parameter(HelpMessage = "How many longest runs to list (default 10).")]
    [ValidateRange(0, 1000)]
    public int Top { get; set; } = 10;

    /// <summary><para type="description">Object (default) or a rendered string: Markdown, Text, Html, Json.</para></summary>
    [Parameter(HelpMessage = "Object (default), or a rendered string: Markdown (DingTalk subset), Text, Html, Json.")]
    public RunReportFormat As { get; set; } = RunReportFormat.Object;

    protected override void EndProcessing()
    {
        var connection = ResolveMetadataConnection();
        var zone = ResolveTimeZone(TimeZone, nameof(TimeZone));
        var date = Date is { } d ? DateOnly.FromDateTime(d) : DateOnly.FromDateTime(System.TimeZoneInfo.ConvertTime(DateTimeOffset.Now, zone).DateTime).AddDays(-1);
        var options = new RunReportOptions
        {
            Date = date, TimeZone = zone, Deadlines = Deadlines(), Projects = Project.Texts(), Top = Top,
        };
        WriteVerbose($"Business date {date:yyyy-MM-dd} in {zone.Id} from {connection}.");
        var report = Run(() => new RunReportBuilder(connection).BuildAsync(options, CancellationToken));
        WriteObject(As switch
        {
            RunReportFormat.Markdown => report.ToMarkdown(),
            RunReportFormat.Text => report.ToText(),
            RunReportFormat.Html => report.ToHtml(),
            RunReportFormat.Json => report.ToJson(),
            _ => report,
        });
    }

    private Dictionary<string, TimeSpan> Deadlines()
    {
        var result = new Dictionary<string, TimeSpan>(StringComparer.OrdinalIgnoreCase);
        if (!string.IsNullOrWhiteSpace(DeadlinePath))
        {
            var path = GetUnresolvedProviderPathFromPSPath(DeadlinePath);
            if (!File.Exists(path))
                ThrowDsError("DsDeadlineFileNotFound", ErrorCategory.ObjectNotFound, $"-DeadlinePath: '{path}' does not exist.", DeadlinePath);
            try
            {
                foreach (var (k, v) in DeadlineConfig.Load(path)) result[k] = v;
            }
            catch (DsOpsException ex)
            {
                ThrowDsError(ex, DeadlinePath);
            }
        }
        if (Deadline is null) return result;
        foreach (DictionaryEntry e in Deadline)
        {
            var key = e.Key?.ToString() ?? "";
            var value = e.Value is PSObject p ? p.BaseObject : e.Value;
            if (string.IsNullOrWhiteSpace(key) || DeadlineConfig.ParseOffset(value) is not { } span)
            {
                ThrowDsError("DsInvalidDeadline", ErrorCategory.InvalidArgument,
                    $"-Deadline: entry '{key}' = '{value}' is not a time after the start of the business date (use '06:00', '1.02:00' or a TimeSpan).", key);
                continue;
            }
            result[key] = span;
        }
        return result;
    }
}
