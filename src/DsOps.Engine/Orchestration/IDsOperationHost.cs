namespace DsOps.Engine.Orchestration;

/// <summary>
/// What an orchestration service needs from whoever runs it (a cmdlet, a test): confirmation, progress and logging.
/// The service decides what to ask and in which order; the host only answers and shows. Calls may come from any
/// thread; a host that must answer on one thread (PowerShell's pipeline thread) marshals them itself.
/// </summary>
internal interface IDsOperationHost
{
    /// <summary>
    /// True when the caller asked to see what would happen without doing it (-WhatIf, or $WhatIfPreference unless
    /// -WhatIf:$false). Decided by the host once, as PowerShell's own ShouldProcess decides it; the service uses it
    /// for what ShouldProcess does not cover (locks, journals, state files, result labels).
    /// </summary>
    bool WhatIf { get; }

    /// <summary>Asks to change <paramref name="target"/> (PowerShell's ShouldProcess: WhatIf text, -Confirm prompt, $ConfirmPreference).</summary>
    bool ShouldProcess(string target, string action);

    /// <summary>
    /// A second, explicit question for dangerous work (PowerShell's ShouldContinue). The service asks it only after
    /// ShouldProcess said yes, and never when the caller passed -Force.
    /// </summary>
    bool ShouldContinue(string query, string caption);

    /// <summary>Progress of long work; <paramref name="percent"/> 0-100; <paramref name="completed"/> closes the bar.</summary>
    void Progress(int id, string activity, string status, int percent, bool completed = false);

    void Verbose(string text);

    void Warning(string text);

    /// <summary>A non-terminating problem with the input (e.g. a spec finding): reported, the operation decides whether to go on.</summary>
    void InputError(string errorId, string message, string? target);
}

/// <summary>A host that answers every question with yes and shows nothing: for engine tests and unattended use by code.</summary>
internal sealed class SilentOperationHost : IDsOperationHost
{
    public bool WhatIf { get; init; }
    public bool Confirm { get; init; } = true;
    public List<string> Log { get; } = new();
    public bool ShouldProcess(string target, string action) { lock (Log) Log.Add($"ShouldProcess {target}: {action}"); return !WhatIf && Confirm; }
    public bool ShouldContinue(string query, string caption) { lock (Log) Log.Add($"ShouldContinue {caption}: {query}"); return Confirm; }
    public void Progress(int id, string activity, string status, int percent, bool completed = false) { }
    public void Verbose(string text) { lock (Log) Log.Add("Verbose " + text); }
    public void Warning(string text) { lock (Log) Log.Add("Warning " + text); }
    public void InputError(string errorId, string message, string? target) { lock (Log) Log.Add($"Error {errorId}: {message}"); }
}
