using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Language;
using DsOps.Engine.Api;
using DsOps.Engine.Inspection;
using DsOps.Engine.Metadata;
using DsOps.Infrastructure;

namespace DsOps.Commands.Inspection;

/// <summary>
/// Base of Invoke-DsHealthCheck and Assert-DsHealth: which checks (-Check, -Tag, -ExcludeCheck, -Baseline), against
/// what (-Connection, -MetadataConnection, each defaulting to the session's), with which inventory and thresholds
/// (-ConfigPath, -Threshold).
/// </summary>
public abstract class DsHealthCmdlet : DsCmdlet
{
    /// <summary><para type="description">Check ids to run (wildcards allowed, e.g. Node.*); Get-DsHealthCheck lists them.</para></summary>
    [Parameter(Position = 0, HelpMessage = "Check ids to run (wildcards allowed, e.g. Node.*).")]
    [CheckCompleter]
    [SupportsWildcards]
    public string[]? Check { get; set; }

    /// <summary><para type="description">Only checks with one of these tags: Quick (every few minutes), Deep (nightly), or an area (Node, Database, Commands, Instances, Workflows, Integrity).</para></summary>
    [Parameter(HelpMessage = "Only checks with one of these tags: Quick, Deep, Node, Database, Commands, Instances, Workflows, Integrity.")]
    public string[]? Tag { get; set; }

    /// <summary><para type="description">Check ids to leave out (wildcards allowed).</para></summary>
    [Parameter(HelpMessage = "Check ids to leave out (wildcards allowed).")]
    [CheckCompleter]
    [SupportsWildcards]
    public string[]? ExcludeCheck { get; set; }

    /// <summary><para type="description">Runs only the checks of this baseline (e.g. 2026.12), so a module upgrade that adds checks does not change a pinned job.</para></summary>
    [Parameter(HelpMessage = "Pin the check set to a baseline such as 2026.12 (or Latest).")]
    public string? Baseline { get; set; }

    /// <summary><para type="description">A JSON or YAML file with the inventory (hosts, roles, memory, ports), threshold overrides, exclusions, a baseline and core workflows.</para></summary>
    [Parameter(HelpMessage = "Health config file (JSON or YAML): inventory, thresholds, exclude, baseline, coreWorkflows.")]
    public string? ConfigPath { get; set; }

    /// <summary><para type="description">Threshold overrides as CheckId.name = value, e.g. @{ 'Command.Backlog.maxCount' = 50 }; they win over the config file.</para></summary>
    [Parameter(HelpMessage = "Threshold overrides: @{ 'Command.Backlog.maxCount' = 50 }.")]
    public Hashtable? Threshold { get; set; }

    /// <summary><para type="description">The DS API connection; defaults to the session's (Connect-DsServer). Checks that need it are Skipped without one.</para></summary>
    [Parameter(HelpMessage = "The DS connection; defaults to the one made by Connect-DsServer.")]
    public DsConnection? Connection { get; set; }

    /// <summary><para type="description">The metadata connection; defaults to the session's (Connect-DsMetadata). Checks that need it are Skipped without one.</para></summary>
    [Parameter(HelpMessage = "The metadata connection; defaults to the one made by Connect-DsMetadata.")]
    public DsMetadataConnection? MetadataConnection { get; set; }

    /// <summary>Builds the engine's options; bad input is a terminating error naming the parameter or file.</summary>
    protected HealthInspectionOptions BuildOptions()
    {
        HealthConfig config;
        try
        {
            config = ConfigPath is null ? new HealthConfig() : HealthConfig.Load(GetUnresolvedProviderPathFromPSPath(ConfigPath));
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowDsError(ex, ConfigPath);
            return null!;
        }
        var thresholds = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry e in Threshold ?? new Hashtable())
        {
            var value = e.Value is PSObject p ? p.BaseObject : e.Value;
            try
            {
                thresholds[Convert.ToString(e.Key, CultureInfo.InvariantCulture)!] = Convert.ToDouble(value, CultureInfo.InvariantCulture);
            }
            catch (Exception ex) when (ex is FormatException or InvalidCastException or OverflowException)
            {
                ThrowDsError("DsInvalidHealthThreshold", ErrorCategory.InvalidArgument, $"-Threshold: the value of '{e.Key}' ('{value}') is not a number.", e.Key);
            }
        }
        var options = new HealthInspectionOptions
        {
            Api = Connection ?? SessionDefaults.Server.Get(SessionState),
            Metadata = MetadataConnection ?? SessionDefaults.Metadata.Get(SessionState),
            Config = config,
            Checks = Expand(Check, "Check"),
            Exclude = Expand(ExcludeCheck, "ExcludeCheck"),
            Tags = Tag ?? Array.Empty<string>(),
            Baseline = Baseline,
            Thresholds = thresholds,
        };
        if (options.Api is null && options.Metadata is null)
            ThrowDsError("DsHealthNoConnection", ErrorCategory.ConnectionError,
                "No DS connection and no metadata connection: run Connect-DsServer and/or Connect-DsMetadata first, or pass -Connection / -MetadataConnection.");
        return options;
    }

    /// <summary>Expands wildcard patterns against the catalogue; a pattern matching nothing is an error naming the parameter.</summary>
    private string[] Expand(string[]? patterns, string parameter)
    {
        if (patterns is null || patterns.Length == 0) return Array.Empty<string>();
        var ids = HealthInspector.Catalogue.Select(c => c.Id).ToList();
        var result = new List<string>();
        foreach (var p in patterns)
        {
            var w = new DsOps.Engine.Text.Wildcard(p);
            var matched = ids.Where(w.IsMatch).ToList();
            if (matched.Count == 0)
                ThrowDsError("DsUnknownHealthCheck", ErrorCategory.InvalidArgument,
                    $"-{parameter}: '{p}' matches no health check; Get-DsHealthCheck lists them.", p);
            result.AddRange(matched);
        }
        return result.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
    }

    /// <summary>Runs the inspection with Write-Progress per finished check.</summary>
    protected IReadOnlyList<DsHealthResult> RunInspection(HealthInspectionOptions options)
    {
        try
        {
            var results = AwaitWithProgress<IReadOnlyList<DsHealthResult>, (int Done, int Total, string Check)>(
                progress => HealthInspector.RunAsync(options, progress, CancellationToken),
                p => new ProgressRecord(1, "DS health checks", $"{p.Done} of {p.Total}: {p.Check}")
                {
                    PercentComplete = p.Total == 0 ? 100 : p.Done * 100 / p.Total,
                });
            WriteProgress(new ProgressRecord(1, "DS health checks", "Done") { RecordType = ProgressRecordType.Completed });
            return results;
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowDsError(ex);
            return null!;
        }
    }
}
