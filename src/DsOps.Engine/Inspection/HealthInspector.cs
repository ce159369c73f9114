using System.Diagnostics;
using DsOps.Engine.Dialects;

namespace DsOps.Engine.Inspection;

/// <summary>
/// Runs the check catalogue: selects checks (ids, tags, exclusions, baseline), gathers each fact once and
/// evaluates the checks concurrently. A check whose source fails yields an Error result; the others still run.
/// </summary>
public static class HealthInspector
{
    /// <summary>The whole catalogue, in a stable order.</summary>
    public static IReadOnlyList<DsHealthCheckInfo> Catalogue => HealthCatalog.All.Select(c => c.Info).ToList();

    /// <summary>Whether a check applies to a DS version.</summary>
    public static bool AppliesTo(string checkId, DsDialect dialect) =>
        HealthCatalog.All.FirstOrDefault(c => string.Equals(c.Id, checkId, StringComparison.OrdinalIgnoreCase))?.Applies(dialect) ?? false;

    /// <summary>The checks the options select (unknown ids, tags or thresholds are input errors).</summary>
    public static IReadOnlyList<DsHealthCheckInfo> Select(HealthInspectionOptions options) => SelectChecks(options).Select(c => c.Info).ToList();

    internal static List<HealthCheck> SelectChecks(HealthInspectionOptions options)
    {
        var all = HealthCatalog.All;
        var baseline = DsHealthBaselines.Validate(options.Baseline ?? options.Config.Baseline ?? DsHealthBaselines.Latest);
        foreach (var id in options.Checks.Concat(options.Exclude).Concat(options.Config.ExcludeChecks))
            if (!all.Any(c => string.Equals(c.Id, id, StringComparison.OrdinalIgnoreCase)))
                throw new DsOpsException(DsErrorKind.InvalidInput, "DsUnknownHealthCheck",
                    $"'{id}' is not a health check; Get-DsHealthCheck lists them (e.g. {string.Join(", ", all.Take(4).Select(c => c.Id))}).");
        var tags = all.SelectMany(c => c.Info.Tags).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var tag in options.Tags.Where(t => !tags.Contains(t)))
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsUnknownHealthTag", $"'{tag}' is not a health-check tag; tags: {string.Join(", ", tags.Order())}.");
        foreach (var key in options.Thresholds.Keys.Concat(options.Config.Thresholds.Keys))
        {
            var dot = key.LastIndexOf('.');
            var check = dot > 0 ? all.FirstOrDefault(c => string.Equals(c.Id, key[..dot], StringComparison.OrdinalIgnoreCase)) : null;
            if (check is null || !check.Info.Thresholds.Any(t => string.Equals(t.Name, key[(dot + 1)..], StringComparison.Ordinal)))
                throw new DsOpsException(DsErrorKind.InvalidInput, "DsUnknownHealthThreshold",
                    $"'{key}' is not a threshold; use CheckId.name as Get-DsHealthCheck shows them (e.g. Command.Backlog.maxCount).");
        }
        var exclude = options.Exclude.Concat(options.Config.ExcludeChecks).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return all.Where(c => DsHealthBaselines.Contains(baseline, c.Info.Since))
            .Where(c => options.Checks.Count == 0 || options.Checks.Contains(c.Id, StringComparer.OrdinalIgnoreCase))
            .Where(c => options.Tags.Count == 0 || c.Info.Tags.Any(t => options.Tags.Contains(t, StringComparer.OrdinalIgnoreCase)))
            .Where(c => !exclude.Contains(c.Id))
            .ToList();
    }

    /// <summary>Runs the selected checks and returns every result, in catalogue order.</summary>
    public static async Task<IReadOnlyList<DsHealthResult>> RunAsync(HealthInspectionOptions options,
        IProgress<(int Done, int Total, string Check)>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var checks = SelectChecks(options);
        var dialect = options.Api?.Dialect ?? options.Metadata?.Dialect
            ?? throw new DsOpsException(DsErrorKind.InvalidInput, "DsHealthNoConnection",
                "A health inspection needs a DS API connection (Connect-DsServer), a metadata connection (Connect-DsMetadata), or both.");
        using var run = new HealthRun(options, dialect);
        var done = 0;
        var tasks = checks.Select(async check =>
        {
            var sw = Stopwatch.StartNew();
            IReadOnlyList<DsHealthResult> results;
            if (!check.Applies(dialect))
                results = new[] { check.Skip(run, $"Does not apply to DS {dialect.Version} (applies to {check.Info.AppliesTo}).") };
            else
            {
                // Metadata checks share a few sessions at a time: a small DS database (max_connections 151) must not
                // see a burst of sessions from one inspection. A fact's producer always holds a slot, so none waits forever.
                var gated = check.Info.Sources.HasFlag(DsHealthSource.Metadata) && options.Metadata is not null;
                if (gated) await run.MetadataGate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    results = await check.Evaluate(run, check, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // One failing source (API down, SQL error) must not hide the other checks' results.
                    results = new[] { check.Error(run, $"Could not evaluate: {ex.Message}") };
                }
                finally
                {
                    if (gated) run.MetadataGate.Release();
                }
            }
            var elapsed = sw.Elapsed;
            progress?.Report((Interlocked.Increment(ref done), checks.Count, check.Id));
            return results.Select(r => WithDuration(r, elapsed)).ToList();
        }).ToList();
        var all = await Task.WhenAll(tasks).ConfigureAwait(false);
        return all.SelectMany(r => r).ToList();
    }

    private static DsHealthResult WithDuration(DsHealthResult r, TimeSpan d) => new()
    {
        CheckId = r.CheckId, Status = r.Status, Severity = r.Severity, Target = r.Target, Measured = r.Measured, Threshold = r.Threshold,
        Message = r.Message, Remediation = r.Remediation, Tags = r.Tags, DsVersion = r.DsVersion, Timestamp = r.Timestamp, Duration = d,
    };
}
