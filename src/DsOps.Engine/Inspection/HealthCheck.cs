using System.Globalization;
using DsOps.Engine.Dialects;

namespace DsOps.Engine.Inspection;

/// <summary>A catalogue entry: its public description, the versions it applies to and how it evaluates.</summary>
internal sealed class HealthCheck
{
    public required DsHealthCheckInfo Info { get; init; }
    public Func<DsDialect, bool> Applies { get; init; } = _ => true;
    public required Func<HealthRun, HealthCheck, CancellationToken, Task<IReadOnlyList<DsHealthResult>>> Evaluate { get; init; }

    public string Id => Info.Id;

    // ---------------- result helpers ----------------

    private DsHealthResult Make(HealthRun run, DsHealthStatus status, string target, string message, string? measured, string? threshold, bool remedy) => new()
    {
        CheckId = Id, Status = status, Severity = Info.Severity, Target = target, Message = message, Measured = measured, Threshold = threshold,
        Remediation = remedy ? Info.Remediation : null, Tags = Info.Tags, DsVersion = run.Dialect.Version.ToString(3), Timestamp = run.AsOf,
    };

    public DsHealthResult Pass(HealthRun run, string target, string message, string? measured = null, string? threshold = null) =>
        Make(run, DsHealthStatus.Pass, target, message, measured, threshold, false);

    /// <summary>The check's condition is violated: Fail for a Critical check, Warn otherwise.</summary>
    public DsHealthResult Violated(HealthRun run, string target, string message, string? measured = null, string? threshold = null) =>
        Make(run, Info.Severity == DsHealthSeverity.Critical ? DsHealthStatus.Fail : DsHealthStatus.Warn, target, message, measured, threshold, true);

    public DsHealthResult Warn(HealthRun run, string target, string message, string? measured = null, string? threshold = null) =>
        Make(run, DsHealthStatus.Warn, target, message, measured, threshold, true);

    public DsHealthResult Skip(HealthRun run, string message, string target = "cluster") =>
        Make(run, DsHealthStatus.Skipped, target, message, null, null, false);

    public DsHealthResult Error(HealthRun run, string message, string target = "cluster") =>
        Make(run, DsHealthStatus.Error, target, message, null, null, false);

    public static string F(double value, string format = "0.##") => value.ToString(format, CultureInfo.InvariantCulture);
}
