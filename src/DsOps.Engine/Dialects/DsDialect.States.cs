namespace DsOps.Engine.Dialects;

/// <summary>What a workflow or task instance is doing, independent of the DS version's enum.</summary>
public enum DsRunState
{
    Unknown = -1,
    Submitted = 0,
    Running = 1,
    ReadyPause = 2,
    Paused = 3,
    ReadyStop = 4,
    Stopped = 5,
    Failed = 6,
    Succeeded = 7,
    NeedFaultTolerance = 8,
    Killed = 9,
    WaitingThread = 10,
    WaitingDepend = 11,
    Delayed = 12,
    ForcedSuccess = 13,
    SerialWait = 14,
    ReadyBlock = 15,
    Blocked = 16,
    Dispatched = 17,
    WaitToRun = 117,
    Failover = 18,
}

/// <summary>Which table a state code belongs to: from 3.1 workflow and task states are separate enums.</summary>
public enum DsStateScope { Workflow, Task }

// State codes (docs/ds-facts.md §5.3, docs/ds-facts.md §9).
public sealed partial class DsDialect
{
    private static readonly (int Code, string Name, DsRunState State)[] AllStates =
    {
        (0, "SUBMITTED_SUCCESS", DsRunState.Submitted),
        (1, "RUNNING_EXECUTION", DsRunState.Running),
        (2, "READY_PAUSE", DsRunState.ReadyPause),
        (3, "PAUSE", DsRunState.Paused),
        (4, "READY_STOP", DsRunState.ReadyStop),
        (5, "STOP", DsRunState.Stopped),
        (6, "FAILURE", DsRunState.Failed),
        (7, "SUCCESS", DsRunState.Succeeded),
        (8, "NEED_FAULT_TOLERANCE", DsRunState.NeedFaultTolerance),
        (9, "KILL", DsRunState.Killed),
        (10, "WAITING_THREAD", DsRunState.WaitingThread),
        (11, "WAITING_DEPEND", DsRunState.WaitingDepend),
        (12, "DELAY_EXECUTION", DsRunState.Delayed),
        (13, "FORCED_SUCCESS", DsRunState.ForcedSuccess),
        (14, "SERIAL_WAIT", DsRunState.SerialWait),
        (15, "READY_BLOCK", DsRunState.ReadyBlock),
        (16, "BLOCK", DsRunState.Blocked),
        (17, "DISPATCH", DsRunState.Dispatched),
        (17, "WAIT_TO_RUN", DsRunState.WaitToRun),
        (18, "FAILOVER", DsRunState.Failover),
    };

    /// <summary>State codes that exist for <paramref name="scope"/> in this version.</summary>
    public IReadOnlyList<int> StateCodes(DsStateScope scope)
    {
        if (Version < new Version(3, 1, 0))
            return Enumerable.Range(0, 18).ToArray(); // one ExecutionStatus for both tables
        if (Version < new Version(3, 3, 0))
            return scope == DsStateScope.Workflow
                ? new[] { 0, 1, 2, 3, 4, 5, 6, 7, 12, 14, 15, 16, 17 }
                : new[] { 0, 1, 3, 5, 6, 7, 8, 9, 12, 13, 17 };
        if (scope == DsStateScope.Task) return new[] { 0, 1, 3, 6, 7, 8, 9, 12, 13, 17 };
        // 3.4.1 dropped 17 WAIT_TO_RUN for workflows (unverified for 3.3.x: kept there).
        return Version >= new Version(3, 4, 0)
            ? new[] { 0, 1, 2, 3, 4, 5, 6, 7, 14, 18 }
            : new[] { 0, 1, 2, 3, 4, 5, 6, 7, 14, 17, 18 };
    }

    /// <summary>The DS enum name this version uses for a state code (e.g. 17 → WAIT_TO_RUN for 3.2+ workflows).</summary>
    public string StateName(int code, DsStateScope scope) => code == 17
        ? (scope == DsStateScope.Workflow && Version >= new Version(3, 2, 0) ? "WAIT_TO_RUN" : "DISPATCH")
        : AllStates.FirstOrDefault(s => s.Code == code).Name ?? $"UNKNOWN_{code}";

    /// <summary>Maps a stored state code to the version-independent state; unknown codes stay visible as Unknown.</summary>
    public DsRunState StateOf(int code, DsStateScope scope)
    {
        var name = StateName(code, scope);
        foreach (var s in AllStates)
            if (s.Name == name) return s.State;
        return DsRunState.Unknown;
    }

    /// <summary>Maps a DS enum name from the API (e.g. "RUNNING_EXECUTION") to the version-independent state.</summary>
    public static DsRunState StateFromName(string? name)
    {
        if (string.IsNullOrEmpty(name)) return DsRunState.Unknown;
        foreach (var s in AllStates)
            if (string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase)) return s.State;
        return DsRunState.Unknown;
    }

    /// <summary>The stored code and API name of a state in this version, or null when it does not exist here.</summary>
    public (int Code, string Name)? StateCode(DsRunState state, DsStateScope scope)
    {
        foreach (var code in StateCodes(scope))
            if (StateOf(code, scope) == state) return (code, StateName(code, scope));
        return null;
    }

    /// <summary>
    /// The DS state names a -State filter asks the server for in this version, one query per name; a null element
    /// means "no state filter" (no states given). States this version does not have for <paramref name="scope"/>
    /// come back in <paramref name="skipped"/> so the caller can say so.
    /// </summary>
    internal IReadOnlyList<string?> StateFilterNames(IReadOnlyCollection<DsRunState>? states, DsStateScope scope, out IReadOnlyList<DsRunState> skipped)
    {
        var missing = new List<DsRunState>();
        skipped = missing;
        if (states is null || states.Count == 0) return new string?[] { null };
        var names = new List<string?>();
        foreach (var state in states.Distinct())
        {
            if (StateCode(state, scope) is { } sc) names.Add(sc.Name);
            else missing.Add(state);
        }
        return names;
    }

    /// <summary>States in which an instance is still in progress (not finished).</summary>
    public static bool IsInProgress(DsRunState state) => state is DsRunState.Submitted or DsRunState.Running
        or DsRunState.ReadyPause or DsRunState.ReadyStop or DsRunState.WaitingThread or DsRunState.WaitingDepend
        or DsRunState.Delayed or DsRunState.SerialWait or DsRunState.ReadyBlock or DsRunState.Dispatched
        or DsRunState.WaitToRun or DsRunState.Failover;

    /// <summary>States counted as failures in reports.</summary>
    public static bool IsFailure(DsRunState state) => state is DsRunState.Failed or DsRunState.Killed
        or DsRunState.NeedFaultTolerance;

    public static bool IsSuccess(DsRunState state) => state is DsRunState.Succeeded or DsRunState.ForcedSuccess;
}
