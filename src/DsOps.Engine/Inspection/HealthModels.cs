namespace DsOps.Engine.Inspection;

/// <summary>Outcome of one check for one target.</summary>
public enum DsHealthStatus
{
    Pass,
    /// <summary>A Warning or Advisory check found something; a Critical check never warns.</summary>
    Warn,
    /// <summary>A Critical check found its condition violated.</summary>
    Fail,
    /// <summary>The check could not be evaluated (its source answered with an error).</summary>
    Error,
    /// <summary>Not applicable to this DS version, or an input it needs (inventory, API, metadata) was not given.</summary>
    Skipped,
}

/// <summary>How bad a violated check is: Critical gives Fail, Warning and Advisory give Warn.</summary>
public enum DsHealthSeverity { Critical, Warning, Advisory }

/// <summary>Where a check reads its facts.</summary>
[Flags]
public enum DsHealthSource
{
    None = 0,
    Api = 1,
    Actuator = 2,
    Metadata = 4,
    Inventory = 8,
}

/// <summary>A tunable limit of a check with its default (null: the DS version's own value, see the description).</summary>
public sealed record DsHealthThreshold(string Name, double? Default, string Unit, string Description)
{
    public override string ToString() => $"{Name}={(Default?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "version")}{Unit}";
}

/// <summary>One result: a check for one target (a node, a host, an instance, or the cluster).</summary>
public sealed class DsHealthResult
{
    public required string CheckId { get; init; }
    public required DsHealthStatus Status { get; init; }
    public DsHealthSeverity Severity { get; init; }
    /// <summary>What was checked, e.g. "worker 10.0.0.2:1234", "host 10.0.0.1", "cluster".</summary>
    public string Target { get; init; } = "cluster";
    /// <summary>The measured value as text (with its unit), e.g. "0.92", "312 commands".</summary>
    public string? Measured { get; init; }
    /// <summary>The limit it was compared with, e.g. "≤ 0.7".</summary>
    public string? Threshold { get; init; }
    public string Message { get; init; } = "";
    public string? Remediation { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = Array.Empty<string>();
    public string? DsVersion { get; init; }
    public DateTimeOffset Timestamp { get; init; }
    public TimeSpan Duration { get; init; }
    public bool IsProblem => Status is DsHealthStatus.Fail or DsHealthStatus.Error or DsHealthStatus.Warn;
    public override string ToString() => $"[{Status}] {CheckId} {Target}: {Message}";
}

/// <summary>
/// The catalogue entry of a check as Get-DsHealthCheck shows it: stable id, tags, severity, why it matters,
/// what to do, thresholds, DS versions and the baseline that introduced it.
/// </summary>
public sealed class DsHealthCheckInfo
{
    public required string Id { get; init; }
    public required string Title { get; init; }
    public required IReadOnlyList<string> Tags { get; init; }
    public DsHealthSeverity Severity { get; init; }
    public required string Rationale { get; init; }
    public required string Remediation { get; init; }
    public IReadOnlyList<DsHealthThreshold> Thresholds { get; init; } = Array.Empty<DsHealthThreshold>();
    /// <summary>DS versions the check applies to, e.g. "3.0-3.4" or "3.2.x".</summary>
    public required string AppliesTo { get; init; }
    public DsHealthSource Sources { get; init; }
    /// <summary>The baseline that first contains the check (see <see cref="DsHealthBaselines"/>).</summary>
    public required string Since { get; init; }
    public override string ToString() => Id;
}
