using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DsOps.Engine.Reports;

/// <summary>
/// Renders a <see cref="RunReport"/>: Markdown in the subset DingTalk shows (headings, bold, lists,
/// quotes; no tables or code blocks), plain text, self-contained HTML with an inline SVG chart
/// (no external JS or CSS), and JSON (System.Text.Json, enums as names).
/// </summary>
internal static class RunReportRenderer
{
    /// <summary>Longest lists in chat/text output; HTML and JSON carry everything.</summary>
    public const int ChatListLimit = 20;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Markdown(RunReport r)
    {
        var sb = new StringBuilder();
        var t = r.Totals;
        sb.Append("### ").Append(Md(r.Title)).Append("\n\n");
        sb.Append("> ").Append(Md($"{r.WindowStart:yyyy-MM-dd HH:mm} to {r.WindowEnd:yyyy-MM-dd HH:mm} ({r.TimeZone}), DS {r.DsVersion}")).Append("\n\n");
        sb.Append($"**Runs {t.Instances}**: {t.Succeeded} succeeded, **{t.Failed} failed**, {t.Running} running, {t.Other} other; ")
          .Append($"{t.FailedTasks} failed tasks of {t.TaskInstances} task instances\n\n");
        if (r.Comparison.Count > 0)
        {
            sb.Append("#### Compared with previous day and 7-day median\n\n");
            foreach (var c in r.Comparison)
                sb.Append($"- {Md(c.Metric)}: **{c.Today}** (previous {c.PreviousDay}, {Signed(c.ChangeFromPreviousDay)}; median {Num(c.Median7Days)}, {Signed(c.ChangeFromMedian)})\n");
            sb.Append('\n');
        }
        List(sb, "Failed tasks", r.FailedTasks, f =>
            $"**{Md(f.Project)}/{Md(f.Workflow)}** / {Md(f.Task)} on {Md(f.Host ?? "no host")}, {Time(f.Start)}–{Time(f.End)}, retries {f.RetryTimes}");
        List(sb, "Deadline misses", r.DeadlineMisses.ToList(), d => $"**{Md(d.Project)}/{Md(d.Workflow)}** due {d.Deadline:HH:mm}: {Md(d.Reason)}");
        List(sb, "Deadlines at risk", r.DeadlinesAtRisk.ToList(), d => $"**{Md(d.Project)}/{Md(d.Workflow)}** due {d.Deadline:HH:mm}: {Md(d.Reason)}");
        List(sb, "Still running", r.StillRunning, w => $"{Md(w.Project)}/{Md(w.Workflow)} since {Time(w.Start)} ({Dur(w.Duration)})");
        List(sb, "Not started", r.NotStarted, n => $"{Md(n.Project)}/{Md(n.Workflow)} ({Md(n.Crontab)})");
        List(sb, "Longest runs", r.LongestRuns, w => $"{Md(w.Project)}/{Md(w.Workflow)}: {Dur(w.Duration)}{Usual(w.UsualDuration, w.TimesUsual)}");
        if (r.Projects.Count > 0)
        {
            sb.Append("#### Projects\n\n");
            foreach (var p in r.Projects.Take(ChatListLimit))
                sb.Append($"- {Md(p.Project)}: {p.Totals.Instances} runs, {p.Totals.Succeeded} ok, {p.Totals.Failed} failed, {p.Totals.Running} running\n");
            if (r.Projects.Count > ChatListLimit) sb.Append($"- … and {r.Projects.Count - ChatListLimit} more\n");
        }
        return sb.ToString();
    }

    public static string Text(RunReport r)
    {
        var sb = new StringBuilder();
        var t = r.Totals;
        sb.AppendLine(r.Title);
        sb.AppendLine($"Window: {r.WindowStart:yyyy-MM-dd HH:mm} to {r.WindowEnd:yyyy-MM-dd HH:mm} ({r.TimeZone}); DS {r.DsVersion}; source {r.Source}");
        sb.AppendLine($"Runs: {t.Instances}  succeeded {t.Succeeded}  failed {t.Failed}  running {t.Running}  other {t.Other}");
        sb.AppendLine($"Tasks: {t.TaskInstances}  failed {t.FailedTasks}");
        foreach (var c in r.Comparison)
            sb.AppendLine($"  {c.Metric,-10} today {c.Today,6}  previous {c.PreviousDay,6} ({Signed(c.ChangeFromPreviousDay)})  7-day median {Num(c.Median7Days),7} ({Signed(c.ChangeFromMedian)})");
        TextList(sb, "Failed tasks", r.FailedTasks, f =>
            $"{f.Project}/{f.Workflow}/{f.Task}  host {f.Host ?? "-"}  {Time(f.Start)}-{Time(f.End)}  retries {f.RetryTimes}  #{f.TaskInstanceId}");
        TextList(sb, "Deadline misses", r.DeadlineMisses.ToList(), d => $"{d.Project}/{d.Workflow}  due {d.Deadline:HH:mm}  {d.Reason}");
        TextList(sb, "Deadlines at risk", r.DeadlinesAtRisk.ToList(), d => $"{d.Project}/{d.Workflow}  due {d.Deadline:HH:mm}  {d.Reason}");
        TextList(sb, "Still running", r.StillRunning, w => $"{w.Project}/{w.Workflow}  since {Time(w.Start)}  {Dur(w.Duration)}  #{w.InstanceId}");
        TextList(sb, "Not started", r.NotStarted, n => $"{n.Project}/{n.Workflow}  {n.Crontab}");
        TextList(sb, "Longest runs", r.LongestRuns, w => $"{w.Project}/{w.Workflow}  {Dur(w.Duration)}{Usual(w.UsualDuration, w.TimesUsual)}  #{w.InstanceId}");
        return sb.ToString();
    }

    public static string Html(RunReport r)
    {
        var sb = new StringBuilder();
        var t = r.Totals;
        sb.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>").Append(H(r.Title)).Append("</title><style>")
          .Append("body{font-family:sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}")
          .Append("th,td{border:1px solid #ccc;padding:3px 8px;text-align:left}th{background:#f3f3f3}.bad{color:#b00020;font-weight:bold}")
          .Append("</style></head><body>");
        sb.Append("<h1>").Append(H(r.Title)).Append("</h1><p>")
          .Append(H($"{r.WindowStart:yyyy-MM-dd HH:mm} to {r.WindowEnd:yyyy-MM-dd HH:mm} ({r.TimeZone}) · DS {r.DsVersion} · {r.Source}")).Append("</p>");
        sb.Append($"<p><b>{t.Instances}</b> runs: {t.Succeeded} succeeded, <span class=\"bad\">{t.Failed} failed</span>, {t.Running} running, {t.Other} other; ")
          .Append($"{t.TaskInstances} task instances, <span class=\"bad\">{t.FailedTasks} failed</span>.</p>");
        sb.Append("<h2>Runs and failures over the day</h2>").Append(Chart(r));
        Table(sb, "Compared with previous day and 7-day median", new[] { "Metric", "Today", "Previous day", "Change", "7-day median", "Change" },
            r.Comparison.Select(c => new[] { c.Metric, c.Today.ToString(Inv), c.PreviousDay.ToString(Inv), Signed(c.ChangeFromPreviousDay), Num(c.Median7Days), Signed(c.ChangeFromMedian) }));
        Table(sb, "Failed tasks", new[] { "Project", "Workflow", "Task", "Type", "Host", "Start", "End", "Retries", "Instance" },
            r.FailedTasks.Select(f => new[] { f.Project, f.Workflow, f.Task, f.TaskType, f.Host ?? "", Time(f.Start), Time(f.End), f.RetryTimes.ToString(Inv), f.WorkflowInstanceId.ToString(Inv) }));
        Table(sb, "Deadlines", new[] { "Project", "Workflow", "Deadline", "Result" },
            r.Deadlines.Select(d => new[] { d.Project, d.Workflow, d.Deadline.ToString("yyyy-MM-dd HH:mm", Inv), (d.Missed ? "MISSED: " : d.AtRisk ? "AT RISK: " : d.Pending ? "pending: " : "met: ") + d.Reason }));
        Table(sb, "Still running", new[] { "Project", "Workflow", "Instance", "Host", "Since", "Running" },
            r.StillRunning.Select(w => new[] { w.Project, w.Workflow, w.InstanceId.ToString(Inv), w.Host ?? "", Time(w.Start), Dur(w.Duration) }));
        Table(sb, "Not started", new[] { "Project", "Workflow", "Cron" }, r.NotStarted.Select(n => new[] { n.Project, n.Workflow, n.Crontab }));
        Table(sb, "Longest runs", new[] { "Project", "Workflow", "Instance", "Duration", "Usual", "× usual" },
            r.LongestRuns.Select(w => new[] { w.Project, w.Workflow, w.InstanceId.ToString(Inv), Dur(w.Duration), w.UsualDuration is { } u ? Dur(u) : "", w.TimesUsual?.ToString(Inv) ?? "" }));
        Table(sb, "Workflows", new[] { "Project", "Workflow", "Runs", "Succeeded", "Failed", "Running", "Other", "Failed tasks", "Longest" },
            r.Projects.SelectMany(p => p.Workflows).Select(w => new[] { w.Project, w.Workflow, w.Instances.ToString(Inv), w.Succeeded.ToString(Inv),
                w.Failed.ToString(Inv), w.Running.ToString(Inv), w.Other.ToString(Inv), w.FailedTasks.ToString(Inv), Dur(w.LongestRun) }));
        sb.Append("</body></html>");
        return sb.ToString();
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string Json(RunReport r) => JsonSerializer.Serialize(r, JsonOptions);

    /// <summary>Reads a report back from <see cref="Json"/>.</summary>
    public static RunReport FromJson(string json) =>
        JsonSerializer.Deserialize<RunReport>(json, JsonOptions) ?? throw new DsOpsException(DsErrorKind.InvalidInput, "DsReportJsonEmpty", "The JSON holds no report.");

    /// <summary>Bar chart of runs started per hour with failures overlaid, as inline SVG.</summary>
    internal static string Chart(RunReport r)
    {
        const int width = 720, height = 220, left = 40, bottom = 30, top = 10;
        var buckets = r.Timeline;
        var max = Math.Max(1, buckets.Count == 0 ? 1 : buckets.Max(b => b.Started));
        var bw = buckets.Count == 0 ? 0 : (width - left - 10) / (double)buckets.Count;
        var plot = height - bottom - top;
        var sb = new StringBuilder();
        sb.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"Runs and failures per hour\">");
        sb.Append($"<line x1=\"{left}\" y1=\"{height - bottom}\" x2=\"{width - 10}\" y2=\"{height - bottom}\" stroke=\"#888\"/>");
        sb.Append($"<text x=\"2\" y=\"{top + 10}\" font-size=\"10\">{max}</text><text x=\"2\" y=\"{height - bottom}\" font-size=\"10\">0</text>");
        for (var i = 0; i < buckets.Count; i++)
        {
            var b = buckets[i];
            var x = left + i * bw;
            var h = plot * b.Started / (double)max;
            var hf = plot * b.Failed / (double)max;
            sb.Append(Inv, $"<rect class=\"runs\" x=\"{x + 1:0.#}\" y=\"{height - bottom - h:0.#}\" width=\"{bw - 2:0.#}\" height=\"{h:0.#}\" fill=\"#4a90d9\"><title>{H(b.HourStart.ToString("HH:mm", Inv))}: {b.Started} started, {b.Failed} failed</title></rect>");
            if (b.Failed > 0)
                sb.Append(Inv, $"<rect class=\"failures\" x=\"{x + 1:0.#}\" y=\"{height - bottom - hf:0.#}\" width=\"{bw - 2:0.#}\" height=\"{hf:0.#}\" fill=\"#d0021b\"/>");
            if (i % 3 == 0)
                sb.Append(Inv, $"<text x=\"{x:0.#}\" y=\"{height - bottom + 14}\" font-size=\"10\">{b.HourStart:HH}</text>");
        }
        sb.Append($"<text x=\"{width - 200}\" y=\"{top + 10}\" font-size=\"11\" fill=\"#4a90d9\">runs started</text>");
        sb.Append($"<text x=\"{width - 110}\" y=\"{top + 10}\" font-size=\"11\" fill=\"#d0021b\">failed</text></svg>");
        return sb.ToString();
    }

    private static void Table(StringBuilder sb, string title, string[] headers, IEnumerable<string[]> rows)
    {
        var list = rows.ToList();
        sb.Append("<h2>").Append(H(title)).Append("</h2>");
        if (list.Count == 0) { sb.Append("<p>None.</p>"); return; }
        sb.Append("<table><tr>");
        foreach (var h in headers) sb.Append("<th>").Append(H(h)).Append("</th>");
        sb.Append("</tr>");
        foreach (var row in list)
        {
            sb.Append("<tr>");
            foreach (var c in row) sb.Append("<td>").Append(H(c)).Append("</td>");
            sb.Append("</tr>");
        }
        sb.Append("</table>");
    }

    private static void List<T>(StringBuilder sb, string title, IReadOnlyList<T> items, Func<T, string> line)
    {
        if (items.Count == 0) return;
        sb.Append("#### ").Append(title).Append($" ({items.Count})\n\n");
        foreach (var item in items.Take(ChatListLimit)) sb.Append("- ").Append(line(item)).Append('\n');
        if (items.Count > ChatListLimit) sb.Append($"- … and {items.Count - ChatListLimit} more\n");
        sb.Append('\n');
    }

    private static void TextList<T>(StringBuilder sb, string title, IReadOnlyList<T> items, Func<T, string> line)
    {
        if (items.Count == 0) return;
        sb.AppendLine().AppendLine($"{title} ({items.Count}):");
        foreach (var item in items.Take(ChatListLimit)) sb.Append("  ").AppendLine(line(item));
        if (items.Count > ChatListLimit) sb.AppendLine($"  ... and {items.Count - ChatListLimit} more");
    }

    /// <summary>Escapes the characters DingTalk's Markdown treats as formatting.</summary>
    internal static string Md(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            if (c is '\\' or '*' or '_' or '`' or '[' or ']' or '#' or '<' or '>' or '|') sb.Append('\\');
            sb.Append(c is '\r' or '\n' ? ' ' : c);
        }
        return sb.ToString();
    }

    private static string H(string s) => WebUtility.HtmlEncode(s);
    private static string Time(DateTimeOffset? t) => t?.ToString("HH:mm", Inv) ?? "-";
    private static string Num(double d) => d.ToString("0.#", Inv);
    private static string Signed(double d) => (d > 0 ? "+" : "") + d.ToString("0.#", Inv);
    private static string Dur(TimeSpan d) => d.TotalHours >= 1 ? $"{(int)d.TotalHours}h{d.Minutes:00}m" : $"{d.Minutes}m{d.Seconds:00}s";
    private static string Usual(TimeSpan? usual, double? times) => usual is { } u ? $" (usual {Dur(u)}, {times?.ToString("0.#", Inv)}x)" : "";
}
