using System.Management.Automation;
using DsOps.Engine;
using DsOps.Infrastructure;

namespace DsOps.Commands;

/// <summary>
/// Base of every DsOps cmdlet: cancellation wired to Ctrl+C (StopProcessing), a synchronous
/// wait on engine tasks, and the one error helper (<see cref="DsErrors"/>).
/// Engine work may run on other threads; only this thread writes to the pipeline.
/// </summary>
public abstract class DsCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline stops.</summary>
    protected CancellationToken CancellationToken => _stopping.Token;

    protected override void StopProcessing() => _stopping.Cancel();

    private CmdletOperationHost? _operationHost;

    /// <summary>
    /// This call as the engine's host (confirmation, progress, logging); create it on the pipeline thread. Engine
    /// services run through <see cref="CmdletOperationHost.Run{T}"/>.
    /// </summary>
    internal CmdletOperationHost OperationHost => _operationHost ??= new CmdletOperationHost(this);

    /// <summary>Waits for an engine task on the pipeline thread.</summary>
    protected T Await<T>(Task<T> task) => task.GetAwaiter().GetResult();

    /// <summary>Waits for an engine task on the pipeline thread.</summary>
    protected void Await(Task task) => task.GetAwaiter().GetResult();

    /// <summary>Drains an async stream on the pipeline thread, writing each item as it arrives.</summary>
    protected void WriteEach<T>(IAsyncEnumerable<T> items, Func<T, bool>? filter = null) =>
        ForEach(items, item =>
        {
            if (filter is null || filter(item)) WriteObject(item);
        });

    /// <summary>The one async-stream drain: runs <paramref name="onItem"/> on the pipeline thread for each item as it arrives.</summary>
    protected void ForEach<T>(IAsyncEnumerable<T> items, Action<T> onItem)
    {
        var e = items.GetAsyncEnumerator(CancellationToken);
        try
        {
            while (e.MoveNextAsync().AsTask().GetAwaiter().GetResult()) onItem(e.Current);
        }
        finally
        {
            e.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>
    /// Waits for long engine work while turning its progress reports (raised on other threads) into
    /// Write-Progress on the pipeline thread.
    /// </summary>
    protected T AwaitWithProgress<T, TProgress>(Func<IProgress<TProgress>, Task<T>> start, Func<TProgress, ProgressRecord> toRecord)
    {
        var reports = new System.Collections.Concurrent.ConcurrentQueue<TProgress>();
        var task = start(new QueueProgress<TProgress>(reports));
        while (!task.Wait(200))
        {
            TProgress? last = default;
            var any = false;
            while (reports.TryDequeue(out var r)) { last = r; any = true; }
            if (any) WriteProgress(toRecord(last!));
        }
        return task.GetAwaiter().GetResult();
    }

    private sealed class QueueProgress<TItem>(System.Collections.Concurrent.ConcurrentQueue<TItem> queue) : IProgress<TItem>
    {
        public void Report(TItem value) => queue.Enqueue(value);
    }

    /// <summary>Drains an async stream on the pipeline thread into a list.</summary>
    protected List<T> ToList<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        ForEach(items, list.Add);
        return list;
    }

    /// <summary>The given connection or the session default; a terminating DsNotConnected error when there is none.</summary>
    protected DsOps.Engine.Api.DsConnection ResolveConnection(DsOps.Engine.Api.DsConnection? explicitConnection)
    {
        var connection = explicitConnection ?? SessionDefaults.Server.Get(SessionState);
        if (connection is null)
            ThrowDsError("DsNotConnected", ErrorCategory.ConnectionError,
                "There is no DS connection. Run Connect-DsServer first, or pass -Connection.", null);
        return connection!;
    }

    /// <summary>
    /// A -TimeZone style parameter through the one parser (<see cref="DsTimeZones"/>); empty means the local zone (or
    /// <paramref name="fallback"/>). An unknown id stops the call with DsInvalidTimeZone naming the parameter.
    /// </summary>
    protected TimeZoneInfo ResolveTimeZone(string? id, string parameterName, TimeZoneInfo? fallback = null)
    {
        try
        {
            return DsTimeZones.Find(id, parameterName, fallback ?? TimeZoneInfo.Local);
        }
        catch (ArgumentException ex)
        {
            ThrowDsError("DsInvalidTimeZone", ErrorCategory.InvalidArgument, ex.Message, id);
            return null!; // not reached
        }
    }

    // Every text stream goes through these: a registered secret (SecretRegistry) is masked whatever the text's source.

    /// <summary>Writes verbose text with every registered secret masked.</summary>
    public new void WriteVerbose(string text) => base.WriteVerbose(SecretRegistry.Redact(text));

    /// <summary>Writes debug text with every registered secret masked.</summary>
    public new void WriteDebug(string text) => base.WriteDebug(SecretRegistry.Redact(text));

    /// <summary>Writes a warning with every registered secret masked.</summary>
    public new void WriteWarning(string text) => base.WriteWarning(SecretRegistry.Redact(text));

    /// <summary>Writes an information record; text message data has every registered secret masked.</summary>
    public new void WriteInformation(InformationRecord record)
    {
        if (record.MessageData is string text && SecretRegistry.Reveals(text))
        {
            var clean = new InformationRecord(SecretRegistry.Redact(text), record.Source);
            clean.Tags.AddRange(record.Tags);
            record = clean;
        }
        base.WriteInformation(record);
    }

    /// <summary>Writes information; text message data has every registered secret masked.</summary>
    public new void WriteInformation(object messageData, string[] tags) =>
        base.WriteInformation(messageData is string text ? SecretRegistry.Redact(text) : messageData, tags);

    /// <summary>Writes an error record built elsewhere, through the one error helper's redaction.</summary>
    public new void WriteError(ErrorRecord record) =>
        base.WriteError(SecretRegistry.Reveals(record.Exception) || SecretRegistry.Reveals(record.ErrorDetails?.Message)
            ? DsErrors.ToErrorRecord(record.Exception, record.TargetObject, record.FullyQualifiedErrorId) : record);

    /// <summary>Writes a non-terminating error for one input item; processing continues.</summary>
    protected void WriteDsError(Exception exception, object? target = null, string? errorId = null) =>
        WriteError(DsErrors.ToErrorRecord(exception, target, errorId));

    /// <summary>Writes a non-terminating error found by the cmdlet itself.</summary>
    protected void WriteDsError(string errorId, ErrorCategory category, string message, object? target = null) =>
        WriteError(DsErrors.Create(errorId, category, message, target));

    /// <summary>Stops the whole call with a terminating error.</summary>
    protected void ThrowDsError(Exception exception, object? target = null, string? errorId = null) =>
        ThrowTerminatingError(DsErrors.ToErrorRecord(exception, target, errorId));

    /// <summary>Stops the whole call with a terminating error found by the cmdlet itself.</summary>
    protected void ThrowDsError(string errorId, ErrorCategory category, string message, object? target = null) =>
        ThrowTerminatingError(DsErrors.Create(errorId, category, message, target));

    /// <summary>Progress for long work; activityId keeps nested bars apart.</summary>
    protected void WriteProgressPercent(int activityId, string activity, string status, int done, int total)
    {
        var record = new ProgressRecord(activityId, activity, status)
        {
            PercentComplete = total <= 0 ? 0 : (int)Math.Min(100, done * 100L / total),
            RecordType = done >= total ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        };
        WriteProgress(record);
    }

    public void Dispose()
    {
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }
}
