using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using DsOps.Engine.Notifications;

namespace DsOps.Engine.Inspection;

/// <summary>File formats an inspection can be exported to.</summary>
public enum DsHealthReportFormat { JUnit, NUnit, Json, Prometheus }

/// <summary>
/// A finished inspection: its results with counts, renderable for chat robots (problems first, passes counted)
/// and writable as JUnit XML, NUnit 2.5 XML, JSON or a Prometheus textfile-collector file.
/// </summary>
public sealed class DsHealthReport : IRenderableReport
{
    public DsHealthReport(IEnumerable<DsHealthResult> results, string? clusterName = null)
    {
        Results = results.ToList();
        ClusterName = clusterName;
        Generated = Results.Count > 0 ? Results.Max(r => r.Timestamp) : DateTimeOffset.UtcNow;
    }

    public IReadOnlyList<DsHealthResult> Results { get; }
    public string? ClusterName { get; }
    public DateTimeOffset Generated { get; }
    public int Count(DsHealthStatus status) => Results.Count(r => r.Status == status);
    public int Checks => Results.Select(r => r.CheckId).Distinct().Count();
    public bool Failed => Results.Any(r => r.Status is DsHealthStatus.Fail or DsHealthStatus.Error);

    public string Title =>
        $"DS health{(ClusterName is null ? "" : " " + ClusterName)}: {(Failed ? "FAILING" : Count(DsHealthStatus.Warn) > 0 ? "warnings" : "all pass")} " +
        $"({Count(DsHealthStatus.Fail)} fail, {Count(DsHealthStatus.Error)} error, {Count(DsHealthStatus.Warn)} warn, {Count(DsHealthStatus.Pass)} pass, {Checks} checks)";

    private IEnumerable<DsHealthResult> Problems => Results.Where(r => r.IsProblem).OrderBy(r => r.Status switch
    {
        DsHealthStatus.Fail => 0, DsHealthStatus.Error => 1, _ => 2,
    }).ThenBy(r => r.CheckId, StringComparer.Ordinal);

    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.Append("### ").Append(Title).Append("\n\n");
        foreach (var r in Problems)
        {
            sb.Append("- **").Append(r.Status).Append("** `").Append(r.CheckId).Append("` ").Append(r.Target).Append(": ").Append(r.Message);
            if (r.Measured is not null) sb.Append(" (").Append(r.Measured).Append(r.Threshold is null ? "" : "; limit " + r.Threshold).Append(')');
            if (r.Remediation is not null) sb.Append("\n  - ").Append(r.Remediation);
            sb.Append('\n');
        }
        if (!Results.Any(r => r.IsProblem)) sb.Append("Every check passed.\n");
        sb.Append("\n").Append(Generated.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    public string ToText()
    {
        var sb = new StringBuilder(Title).Append('\n');
        foreach (var r in Problems)
        {
            sb.Append(r.Status.ToString().ToUpperInvariant()).Append(' ').Append(r.CheckId).Append(' ').Append(r.Target).Append(": ").Append(r.Message).Append('\n');
            if (r.Remediation is not null) sb.Append("  fix: ").Append(r.Remediation).Append('\n');
        }
        if (!Results.Any(r => r.IsProblem)) sb.Append("Every check passed.\n");
        return sb.ToString();
    }

    // ---------------- files ----------------

    /// <summary>Writes the report atomically (readers such as node_exporter never see half a file).</summary>
    public void Save(string path, DsHealthReportFormat format) => IO.AtomicFile.WriteAllText(path, Render(format));

    public string Render(DsHealthReportFormat format) => format switch
    {
        DsHealthReportFormat.JUnit => JUnit(),
        DsHealthReportFormat.NUnit => NUnit(),
        DsHealthReportFormat.Json => Json(),
        DsHealthReportFormat.Prometheus => Prometheus(),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    private static string CaseName(DsHealthResult r) => $"{r.CheckId} [{r.Target}]";

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Detail(DsHealthResult r) =>
        $"{r.Message}\nMeasured: {r.Measured ?? "-"}\nThreshold: {r.Threshold ?? "-"}" + (r.Remediation is null ? "" : $"\nRemediation: {r.Remediation}");

    /// <summary>JUnit XML: one testsuite per check, one testcase per target; Fail = failure, Error = error, Skipped = skipped; Warn passes with its message in system-out.</summary>
    private string JUnit()
    {
        var suites = new XElement("testsuites", new XAttribute("name", "DsOps health"),
            new XAttribute("tests", Results.Count), new XAttribute("failures", Count(DsHealthStatus.Fail)),
            new XAttribute("errors", Count(DsHealthStatus.Error)), new XAttribute("skipped", Count(DsHealthStatus.Skipped)),
            new XAttribute("time", Seconds(TimeSpan.FromTicks(Results.GroupBy(r => r.CheckId).Sum(g => g.First().Duration.Ticks)))),
            new XAttribute("timestamp", Generated.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture)));
        foreach (var g in Results.GroupBy(r => r.CheckId))
        {
            var suite = new XElement("testsuite", new XAttribute("name", g.Key), new XAttribute("tests", g.Count()),
                new XAttribute("failures", g.Count(r => r.Status == DsHealthStatus.Fail)), new XAttribute("errors", g.Count(r => r.Status == DsHealthStatus.Error)),
                new XAttribute("skipped", g.Count(r => r.Status == DsHealthStatus.Skipped)), new XAttribute("time", Seconds(g.First().Duration)));
            foreach (var r in g)
            {
                var tc = new XElement("testcase", new XAttribute("classname", "DsOps.Health." + r.CheckId), new XAttribute("name", CaseName(r)), new XAttribute("time", "0"));
                switch (r.Status)
                {
                    case DsHealthStatus.Fail: tc.Add(new XElement("failure", new XAttribute("message", r.Message), new XAttribute("type", r.Severity.ToString()), Detail(r))); break;
                    case DsHealthStatus.Error: tc.Add(new XElement("error", new XAttribute("message", r.Message), Detail(r))); break;
                    case DsHealthStatus.Skipped: tc.Add(new XElement("skipped", new XAttribute("message", r.Message))); break;
                    case DsHealthStatus.Warn: tc.Add(new XElement("system-out", "WARN: " + Detail(r))); break;
                }
                suite.Add(tc);
            }
            suites.Add(suite);
        }
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" + suites;
    }

    /// <summary>NUnit 2.5 XML (Pester's NUnitXml shape): a test-suite per check, a test-case per target.</summary>
    private string NUnit()
    {
        var total = new XElement("test-results", new XAttribute("name", "DsOps health"), new XAttribute("total", Results.Count),
            new XAttribute("errors", Count(DsHealthStatus.Error)), new XAttribute("failures", Count(DsHealthStatus.Fail)),
            new XAttribute("not-run", 0), new XAttribute("inconclusive", Count(DsHealthStatus.Warn)), new XAttribute("ignored", 0),
            new XAttribute("skipped", Count(DsHealthStatus.Skipped)), new XAttribute("invalid", 0),
            new XAttribute("date", Generated.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            new XAttribute("time", Generated.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture)));
        var root = new XElement("test-suite", new XAttribute("type", "TestFixture"), new XAttribute("name", "DsOps health"), new XAttribute("executed", "True"),
            new XAttribute("result", Failed ? "Failure" : "Success"), new XAttribute("success", Failed ? "False" : "True"), new XAttribute("time", "0"));
        var results = new XElement("results");
        foreach (var g in Results.GroupBy(r => r.CheckId))
        {
            var failed = g.Any(r => r.Status is DsHealthStatus.Fail or DsHealthStatus.Error);
            var cases = new XElement("results");
            foreach (var r in g)
            {
                var (executed, result, success) = r.Status switch
                {
                    DsHealthStatus.Pass => ("True", "Success", "True"),
                    DsHealthStatus.Warn => ("True", "Inconclusive", "True"),
                    DsHealthStatus.Fail => ("True", "Failure", "False"),
                    DsHealthStatus.Error => ("True", "Error", "False"),
                    _ => ("False", "Skipped", "True"),
                };
                var tc = new XElement("test-case", new XAttribute("name", CaseName(r)), new XAttribute("executed", executed),
                    new XAttribute("result", result), new XAttribute("success", success), new XAttribute("time", Seconds(r.Duration)), new XAttribute("asserts", "0"));
                if (r.Status is DsHealthStatus.Fail or DsHealthStatus.Error)
                    tc.Add(new XElement("failure", new XElement("message", Detail(r)), new XElement("stack-trace", "")));
                else if (r.Status is DsHealthStatus.Skipped or DsHealthStatus.Warn)
                    tc.Add(new XElement("reason", new XElement("message", r.Message)));
                cases.Add(tc);
            }
            results.Add(new XElement("test-suite", new XAttribute("type", "TestFixture"), new XAttribute("name", g.Key), new XAttribute("executed", "True"),
                new XAttribute("result", failed ? "Failure" : "Success"), new XAttribute("success", failed ? "False" : "True"),
                new XAttribute("time", Seconds(g.First().Duration)), cases));
        }
        root.Add(results);
        total.Add(root);
        return "<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"no\"?>\n" + total;
    }

    private string Json()
    {
        var root = new JsonObject
        {
            ["formatVersion"] = 1,
            ["generated"] = Generated.ToString("o", CultureInfo.InvariantCulture),
            ["cluster"] = ClusterName,
            ["summary"] = new JsonObject
            {
                ["pass"] = Count(DsHealthStatus.Pass), ["warn"] = Count(DsHealthStatus.Warn), ["fail"] = Count(DsHealthStatus.Fail),
                ["error"] = Count(DsHealthStatus.Error), ["skipped"] = Count(DsHealthStatus.Skipped), ["checks"] = Checks,
            },
            ["results"] = new JsonArray(Results.Select(r => (JsonNode)new JsonObject
            {
                ["checkId"] = r.CheckId, ["status"] = r.Status.ToString(), ["severity"] = r.Severity.ToString(), ["target"] = r.Target,
                ["measured"] = r.Measured, ["threshold"] = r.Threshold, ["message"] = r.Message, ["remediation"] = r.Remediation,
                ["tags"] = new JsonArray(r.Tags.Select(t => (JsonNode)JsonValue.Create(t)!).ToArray()), ["dsVersion"] = r.DsVersion,
                ["timestamp"] = r.Timestamp.ToString("o", CultureInfo.InvariantCulture), ["durationMs"] = Math.Round(r.Duration.TotalMilliseconds, 1),
            }).ToArray()),
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    /// <summary>Prometheus text exposition format for node_exporter's textfile collector.</summary>
    private string Prometheus()
    {
        var sb = new StringBuilder();
        sb.Append("# HELP dsops_health_check_status Result of a DsOps health check per target: 0 pass, 1 warn, 2 fail, 3 error, 4 skipped.\n");
        sb.Append("# TYPE dsops_health_check_status gauge\n");
        foreach (var r in Results)
            sb.Append("dsops_health_check_status{check=\"").Append(Label(r.CheckId)).Append("\",target=\"").Append(Label(r.Target))
              .Append("\",severity=\"").Append(r.Severity.ToString().ToLowerInvariant()).Append("\"} ").Append((int)r.Status).Append('\n');
        sb.Append("# HELP dsops_health_results Number of health-check results by status.\n# TYPE dsops_health_results gauge\n");
        foreach (var s in Enum.GetValues<DsHealthStatus>())
            sb.Append("dsops_health_results{status=\"").Append(s.ToString().ToLowerInvariant()).Append("\"} ").Append(Count(s)).Append('\n');
        sb.Append("# HELP dsops_health_check_duration_seconds Time one health check took.\n# TYPE dsops_health_check_duration_seconds gauge\n");
        foreach (var g in Results.GroupBy(r => r.CheckId))
            sb.Append("dsops_health_check_duration_seconds{check=\"").Append(Label(g.Key)).Append("\"} ").Append(Seconds(g.First().Duration)).Append('\n');
        sb.Append("# HELP dsops_health_last_run_timestamp_seconds When the inspection ran (Unix time).\n# TYPE dsops_health_last_run_timestamp_seconds gauge\n");
        sb.Append("dsops_health_last_run_timestamp_seconds ").Append(Generated.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)).Append('\n');
        return sb.ToString();
    }

    /// <summary>Escapes a label value: backslash, double quote and line feed.</summary>
    private static string Label(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");
}
