using System.Text.Json.Serialization;
using DsOps.Engine.Metadata;
using DsOps.Engine.Notifications;

namespace DsOps.Engine.Reports;

/// <summary>
/// What ran on one business date: per project and workflow, instances by final state, failed tasks,
/// longest runs, still running, not started, change against the previous day and the 7-day median,
/// deadline misses, and an hourly timeline. Renders itself as DingTalk Markdown, text, HTML or JSON.
/// </summary>
public sealed class RunReport : IRenderableReport
{
    public string Title => $"DolphinScheduler run report {Date:yyyy-MM-dd}";
    public DateOnly Date { get; init; }
    /// <summary>IANA (or Windows) id of the business time zone every time in the report is shown in.</summary>
    public string TimeZone { get; init; } = "";
    public string ServerTimeZone { get; init; } = "";
    public DateTimeOffset WindowStart { get; init; }
    public DateTimeOffset WindowEnd { get; init; }
    public DateTimeOffset GeneratedAt { get; init; }
    public string DsVersion { get; init; } = "";
    public string Source { get; init; } = "";

    public RunTotals Totals { get; init; } = new();
    public List<ProjectRunSummary> Projects { get; init; } = new();
    public List<DsFailedTask> FailedTasks { get; init; } = new();
    public List<DsWorkflowRun> LongestRuns { get; init; } = new();
    public List<DsWorkflowRun> StillRunning { get; init; } = new();
    public List<NotStartedWorkflow> NotStarted { get; init; } = new();
    public List<MetricComparison> Comparison { get; init; } = new();
    public List<DeadlineResult> Deadlines { get; init; } = new();
    public List<TimelineBucket> Timeline { get; init; } = new();

    [JsonIgnore]
    public IEnumerable<DeadlineResult> DeadlineMisses => Deadlines.Where(d => d.Missed);

    /// <summary>Pending deadlines whose predicted finish is after the deadline.</summary>
    [JsonIgnore]
    public IEnumerable<DeadlineResult> DeadlinesAtRisk => Deadlines.Where(d => d.AtRisk);

    public string ToMarkdown() => RunReportRenderer.Markdown(this);
    public string ToText() => RunReportRenderer.Text(this);
    public string ToHtml() => RunReportRenderer.Html(this);
    public string ToJson() => RunReportRenderer.Json(this);

    public override string ToString() =>
        $"{Date:yyyy-MM-dd}: {Totals.Instances} runs, {Totals.Succeeded} ok, {Totals.Failed} failed, {Totals.Running} running, {Totals.FailedTasks} failed tasks";
}

public sealed class RunTotals
{
    public int Instances { get; set; }
    public int Succeeded { get; set; }
    public int Failed { get; set; }
    public int Running { get; set; }
    /// <summary>Stopped, paused and other final states that are neither success nor failure.</summary>
    public int Other { get; set; }
    /// <summary>Task-instance rows of the day's runs, earlier tries included.</summary>
    public int TaskInstances { get; set; }
    /// <summary>Final tries (flag = 1) that failed.</summary>
    public int FailedTasks { get; set; }
    public int Workflows { get; set; }
}

public sealed class ProjectRunSummary
{
    public string Project { get; init; } = "";
    public RunTotals Totals { get; init; } = new();
    public List<WorkflowRunSummary> Workflows { get; init; } = new();
    public override string ToString() => $"{Project}: {Totals.Instances} runs, {Totals.Failed} failed";
}

public sealed class WorkflowRunSummary
{
    public string Project { get; init; } = "";
    public string Workflow { get; init; } = "";
    public long WorkflowCode { get; init; }
    public int Instances { get; set; }
    public int Succeeded { get; set; }
    public int Failed { get; set; }
    public int Running { get; set; }
    public int Other { get; set; }
    public int FailedTasks { get; set; }
    /// <summary>Task-instance rows of the workflow's runs of the day, earlier tries included.</summary>
    public int TaskInstances { get; set; }
    public TimeSpan LongestRun { get; set; }
}

/// <summary>A workflow with an online schedule that fires on the date but has no instance that started in the window.</summary>
public sealed class NotStartedWorkflow
{
    public string Project { get; init; } = "";
    public string Workflow { get; init; } = "";
    public long WorkflowCode { get; init; }
    public string Crontab { get; init; } = "";
    public override string ToString() => $"{Project}/{Workflow} ({Crontab})";
}

/// <summary>Today's value of a metric against the previous day and the median of the 7 days before.</summary>
public sealed class MetricComparison
{
    public string Metric { get; init; } = "";
    public int Today { get; init; }
    public int PreviousDay { get; init; }
    public double Median7Days { get; init; }
    public int ChangeFromPreviousDay => Today - PreviousDay;
    public double ChangeFromMedian => Math.Round(Today - Median7Days, 1);
    public override string ToString() => $"{Metric}: {Today} (prev {PreviousDay}, median {Median7Days})";
}

/// <summary>Whether a workflow with a deadline finished successfully in time on the business date.</summary>
public sealed class DeadlineResult
{
    public string Project { get; init; } = "";
    public string Workflow { get; init; } = "";
    public long WorkflowCode { get; init; }
    public DateTimeOffset Deadline { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public bool Missed { get; init; }
    /// <summary>True when the deadline is still ahead at report time and the workflow has not finished yet.</summary>
    public bool Pending { get; init; }
    /// <summary>Pending and predicted to finish after the deadline (or waiting on a failed dependency).</summary>
    public bool AtRisk { get; set; }
    /// <summary>The predicted finish of a pending workflow (null when unknown or not pending).</summary>
    public DateTimeOffset? PredictedFinish { get; set; }
    public string Reason { get; set; } = "";
    public override string ToString() => $"{Project}/{Workflow} deadline {Deadline:HH:mm}: {Reason}";
}

/// <summary>Instances started and failed in one hour of the business date (for the chart).</summary>
public sealed class TimelineBucket
{
    public DateTimeOffset HourStart { get; init; }
    public int Started { get; set; }
    public int Failed { get; set; }
}
