using System.Collections.Concurrent;
using System.Management.Automation;
using DsOps.Commands;
using DsOps.Engine.Orchestration;

namespace DsOps.Infrastructure;

/// <summary>
/// The cmdlet side of <see cref="IDsOperationHost"/>: PowerShell's ShouldProcess/ShouldContinue and streams. The
/// engine's services run on other threads while PowerShell only accepts these calls on the pipeline thread, so
/// <see cref="Run{T}"/> keeps the pipeline thread pumping the calls queued from elsewhere until the work ends.
/// </summary>
internal sealed class CmdletOperationHost : IDsOperationHost
{
    private readonly DsCmdlet _cmdlet;
    private readonly int _pipelineThread = Environment.CurrentManagedThreadId;
    private readonly BlockingCollection<Action> _queue = new();

    public CmdletOperationHost(DsCmdlet cmdlet)
    {
        _cmdlet = cmdlet;
        // The same decision ShouldProcess makes: an explicit -WhatIf / -WhatIf:$false wins, else $WhatIfPreference.
        WhatIf = cmdlet.MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w)
            ? w is SwitchParameter s && s.ToBool()
            : LanguagePrimitives.IsTrue(cmdlet.SessionState.PSVariable.GetValue("WhatIfPreference"));
    }

    public bool WhatIf { get; }

    public bool ShouldProcess(string target, string action) => OnPipeline(() => _cmdlet.ShouldProcess(target, action));

    public bool ShouldContinue(string query, string caption) => OnPipeline(() => _cmdlet.ShouldContinue(query, caption));

    public void Progress(int id, string activity, string status, int percent, bool completed = false) =>
        Post(() => _cmdlet.WriteProgress(new ProgressRecord(id, activity, status)
        {
            PercentComplete = Math.Clamp(percent, 0, 100),
            RecordType = completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        }));

    public void Verbose(string text) => Post(() => _cmdlet.WriteVerbose(text));

    public void Warning(string text) => Post(() => _cmdlet.WriteWarning(text));

    public void InputError(string errorId, string message, string? target) =>
        Post(() => _cmdlet.WriteError(DsErrors.Create(errorId, ErrorCategory.InvalidData, message, target)));

    /// <summary>Runs engine work, answering its host calls on this (the pipeline) thread until it ends.</summary>
    public T Run<T>(Func<Task<T>> work)
    {
        var task = work();
        while (!task.IsCompleted)
            if (_queue.TryTake(out var call, 50)) call();
        Drain();
        return task.GetAwaiter().GetResult();
    }

    private void Drain()
    {
        while (_queue.TryTake(out var call)) call();
    }

    private void Post(Action call)
    {
        if (Environment.CurrentManagedThreadId != _pipelineThread) { _queue.Add(call); return; }
        Drain(); // keep the order of what other threads queued before
        call();
    }

    private T OnPipeline<T>(Func<T> call)
    {
        if (Environment.CurrentManagedThreadId == _pipelineThread)
        {
            Drain();
            return call();
        }
        var answer = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Add(() =>
        {
            // PowerShell's own exceptions (a prompt in a non-interactive host, a stopped pipeline) go back unchanged.
            try { answer.SetResult(call()); }
            catch (Exception ex) { answer.SetException(ex); }
        });
        return answer.Task.GetAwaiter().GetResult();
    }
}
