using DsOps.Engine.Dialects;

namespace DsOps.Engine.Inspection;

/// <summary>
/// Named check sets. A scheduled job pins one (e.g. -Baseline 2026.12) so that a module upgrade adding checks
/// does not turn it red overnight; each check records the first baseline that contains it.
/// </summary>
public static class DsHealthBaselines
{
    /// <summary>Every baseline, oldest first; the last is the one unpinned runs use.</summary>
    public static IReadOnlyList<string> All { get; } = new[] { "2026.12" };

    public static string Latest => All[^1];

    /// <summary>Whether a check introduced in <paramref name="since"/> belongs to <paramref name="baseline"/>.</summary>
    public static bool Contains(string baseline, string since) => string.CompareOrdinal(since, baseline) <= 0;

    public static string Validate(string baseline, IEnumerable<string>? known = null)
    {
        var list = (known ?? All).ToList();
        if (string.Equals(baseline, "Latest", StringComparison.OrdinalIgnoreCase)) return list[^1];
        return list.FirstOrDefault(b => string.Equals(b, baseline, StringComparison.OrdinalIgnoreCase))
            ?? throw new DsOpsException(DsErrorKind.InvalidInput, "DsUnknownHealthBaseline",
                $"'{baseline}' is not a health-check baseline; known baselines: {string.Join(", ", list)} (or Latest).");
    }
}

/// <summary>The check catalogue (ids are stable: scheduled jobs and dashboards refer to them).</summary>
internal static partial class HealthCatalog
{
    private const DsHealthSeverity Critical = DsHealthSeverity.Critical;
    private const DsHealthSeverity Warning = DsHealthSeverity.Warning;
    private const DsHealthSeverity Advisory = DsHealthSeverity.Advisory;
    private const DsHealthSource Api = DsHealthSource.Api;
    private const DsHealthSource Actuator = DsHealthSource.Actuator;
    private const DsHealthSource Metadata = DsHealthSource.Metadata;
    private const DsHealthSource Inventory = DsHealthSource.Inventory;

    // Tags: Quick = cheap enough for an every-5-minutes job (API, actuator, registry, small tables);
    // Deep = metadata scans for a nightly job; the area tags group checks for -Tag.
    internal const string Quick = "Quick", Deep = "Deep", Node = "Node", Database = "Database", Commands = "Commands",
        Instances = "Instances", Workflows = "Workflows", Integrity = "Integrity";

    /// <summary>The baseline checks of this module version first appeared in.</summary>
    private const string FirstBaseline = "2026.12";

    private static readonly Lazy<IReadOnlyList<HealthCheck>> Checks = new(() =>
        ClusterChecks().Concat(MetadataChecks()).Concat(IntegrityChecks()).ToList());

    public static IReadOnlyList<HealthCheck> All => Checks.Value;

    private static DsHealthCheckInfo Info(string id, string title, DsHealthSeverity severity, DsHealthSource sources, string rationale,
        string remediation, string appliesTo, string speed, string area, params DsHealthThreshold[] thresholds) => new()
    {
        Id = id, Title = title, Severity = severity, Sources = sources, Rationale = rationale, Remediation = remediation,
        AppliesTo = appliesTo, Tags = new[] { speed, area }, Thresholds = thresholds, Since = FirstBaseline,
    };

    private static DsHealthThreshold T(string name, double? value, string unit, string description) => new(name, value, unit, description);
}
