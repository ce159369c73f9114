namespace DsOps.Engine.Dialects;

// Version differences of backfill (complement data) and schedule release (docs/operations.md "Backfill";
// docs/ds-facts.md §3.4, §3.5, §9).
public sealed partial class DsDialect
{
    /// <summary>
    /// 3.1+ accept an explicit date list (complementScheduleDateList) in the complement scheduleTime JSON;
    /// 3.0.x only a "start,end" range, which DS expands with the workflow's cron (or one run per day without one).
    /// </summary>
    public bool ComplementTakesDateList => AtLeast(1);

    /// <summary>
    /// How a parallel complement splits its dates into commands: 3.0.x cuts contiguous chunks, 3.2+ deals dates
    /// round-robin into min(dates, expectedParallelismNumber) queues. 3.1.x is not verified; treated like 3.0.
    /// </summary>
    public bool ComplementSplitsRoundRobin => AtLeast(2);

    /// <summary>
    /// Quartz's ignore-misfires policy: after downtime (or a schedule put back online) every missed fire runs at
    /// once, until 3.4.3 added a per-schedule missed-fire policy (whose default still fires all missed runs).
    /// </summary>
    public bool FiresAllMissedRuns => !AtLeast(4, 3);

    /// <summary>Complement start accepts ALL_DEPENDENT; allLevelDependent exists from 3.2.</summary>
    public bool ComplementTakesAllLevelDependent => AtLeast(2);

    /// <summary>The command type name DS writes on backfill instances.</summary>
    public string ComplementCommandType => "COMPLEMENT_DATA";
}
