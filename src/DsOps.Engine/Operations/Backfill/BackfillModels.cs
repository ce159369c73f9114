using System.Globalization;
using DsOps.Engine.Dialects;

namespace DsOps.Engine.Operations.Backfill;

/// <summary>Where one backfill date stands in DsOps's state file.</summary>
public enum BackfillDateStatus
{
    /// <summary>Not submitted yet.</summary>
    Pending,
    /// <summary>Intent recorded, submission not confirmed: resolved against the server before anything else happens.</summary>
    Submitting,
    /// <summary>DS accepted the complement command; the instance may not exist yet.</summary>
    Submitted,
    /// <summary>The instance ended (successfully or not).</summary>
    Finished,
    /// <summary>Left unsubmitted because the server could not say whether an earlier attempt arrived.</summary>
    Unresolved,
}

/// <summary>What happened to one date of a backfill (Start-DsBackfill output).</summary>
public sealed class DsBackfillDate
{
    public required DateOnly Date { get; init; }
    public string Workflow { get; init; } = "";
    public long WorkflowCode { get; init; }
    public BackfillDateStatus Status { get; init; }
    public int? WorkflowInstanceId { get; init; }
    public DsRunState State { get; init; } = DsRunState.Unknown;
    public DateTime? StartTime { get; init; }
    public DateTime? EndTime { get; init; }
    public TimeSpan? Duration => StartTime is { } s && EndTime is { } e ? e - s : null;
    /// <summary>When the command was submitted (local time).</summary>
    public DateTime? SubmittedAt { get; init; }
    public override string ToString() => Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + " " + Status;
}

/// <summary>A progress report of a running backfill.</summary>
public sealed record BackfillProgress(int Total, int Submitted, int Finished, int Running, int Queued, string Activity);

/// <summary>A daily time-of-day window (server time) in which no backfill is submitted, e.g. 00:00-07:00; it may wrap midnight.</summary>
public readonly record struct QuietWindow(TimeOnly From, TimeOnly To)
{
    public bool Contains(TimeOnly time) => From <= To ? time >= From && time < To : time >= From || time < To;

    /// <summary>Parses "HH:mm-HH:mm"; a clear error names the parameter and the text.</summary>
    public static QuietWindow Parse(string text, string parameterName = "QuietWindow")
    {
        var parts = (text ?? "").Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length == 2
            && TimeOnly.TryParseExact(parts[0], new[] { "H:mm", "HH:mm" }, CultureInfo.InvariantCulture, DateTimeStyles.None, out var from)
            && TimeOnly.TryParseExact(parts[1], new[] { "H:mm", "HH:mm" }, CultureInfo.InvariantCulture, DateTimeStyles.None, out var to)
            && from != to)
            return new QuietWindow(from, to);
        throw new DsOpsException(DsErrorKind.InvalidInput, "DsInvalidQuietWindow",
            $"-{parameterName} '{text}' is not a time window: write it as HH:mm-HH:mm in the server's time zone, e.g. 00:00-07:00 (start and end differ).");
    }

    public override string ToString() => $"{From:HH\\:mm}-{To:HH\\:mm}";
}
