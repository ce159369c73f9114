namespace DsOps.Emulator.Api;

/// <summary>DS enums stored as ints (docs/ds-facts.md §5.4): API uses names, tables the codes.</summary>
public static class DsEnums
{
    public static readonly string[] Priority = { "HIGHEST", "HIGH", "MEDIUM", "LOW", "LOWEST" };
    public static readonly string[] Flag = { "NO", "YES" };
    public static readonly string[] TimeoutFlag = { "CLOSE", "OPEN" };
    public static readonly string[] TimeoutStrategy = { "WARN", "FAILED", "WARNFAILED" };
    public static readonly string[] ConditionType = { "NONE", "JUDGE", "DELAY" };
    public static readonly string[] ExecutionType = { "PARALLEL", "SERIAL_WAIT", "SERIAL_DISCARD", "SERIAL_PRIORITY" };
    public static readonly string[] ReleaseState = { "OFFLINE", "ONLINE" };
    public static readonly string[] FailureStrategy = { "END", "CONTINUE" };
    public static readonly string[] WarningType = { "NONE", "SUCCESS", "FAILURE", "ALL" };
    public static readonly string[] TaskDependType = { "TASK_ONLY", "TASK_PRE", "TASK_POST" };
    public static readonly string[] TaskExecuteType = { "BATCH", "STREAM" };
    public static readonly string[] RunMode = { "RUN_MODE_SERIAL", "RUN_MODE_PARALLEL" };

    public static readonly string[] CommandType =
    {
        "START_PROCESS", "START_CURRENT_TASK_PROCESS", "RECOVER_TOLERANCE_FAULT_PROCESS", "RECOVER_SUSPENDED_PROCESS",
        "START_FAILURE_TASK_PROCESS", "COMPLEMENT_DATA", "SCHEDULER", "REPEAT_RUNNING", "PAUSE", "STOP",
        "RECOVER_WAITING_THREAD", "RECOVER_SERIAL_WAIT", "EXECUTE_TASK", "DYNAMIC_GENERATION",
    };

    public const int StartProcess = 0, RecoverSuspended = 3, StartFailureTask = 4, ComplementData = 5, Scheduler = 6, RepeatRunning = 7;

    public static string? Name(string[] names, int? code) => code is { } c && c >= 0 && c < names.Length ? names[c] : null;

    /// <summary>Code of an enum name, or <paramref name="fallback"/> when absent; an unknown name is a conversion error.</summary>
    public static int Code(string[] names, string? name, int fallback)
    {
        if (string.IsNullOrEmpty(name)) return fallback;
        var i = Array.IndexOf(names, name);
        return i >= 0 ? i : throw new FormatException($"No enum constant {name}");
    }
}
