using DsOps.Engine.Api;
using DsOps.Engine.Apply;
using DsOps.Engine.Planning;

namespace DsOps.Engine.Orchestration;

/// <summary>
/// Starts a sync's server read while the caller is still loading the specs. In a no-change sync of thousands of
/// workflows the longest single wait is for a project's DAG answer (one list of every workflow, gathered before the
/// first byte: ~1.6 s for 4,000 workflows x 10 tasks on the emulator; unmeasured on a real DS), and the projects the last sync managed, which the
/// state file lists, are almost always the projects of this one. So the lock, the state and that request go ahead in
/// the background; <see cref="TakeAsync"/> hands them to the sync only if they cover every project it needs, and
/// releases them otherwise (the sync then reads as it would have without them). Nothing here asks the host anything
/// or writes anywhere: a read-ahead that is not taken has no effect but the requests it sent.
/// </summary>
internal sealed class ServerReadAhead : IDisposable
{
    private readonly Task<Taken?> _work;
    private readonly CancellationTokenSource _stop;
    private readonly TimeSpan _freshFor;
    private readonly DateTime _startedAt = DateTime.UtcNow;
    private bool _handedOver, _disposed;

    private ServerReadAhead(Task<Taken?> work, CancellationTokenSource stop, TimeSpan freshFor)
    {
        _work = work;
        _stop = stop;
        _freshFor = freshFor;
    }

    /// <summary>What a sync takes over: the lock (null under WhatIf), the state read under it, the begun server read.</summary>
    internal sealed class Taken(SyncLock? syncLock, AppliedState state, IReadOnlySet<string> projects, DsServerSnapshot.Opened read) : IDisposable
    {
        public SyncLock? Lock { get; } = syncLock;
        public AppliedState State { get; } = state;
        public IReadOnlySet<string> Projects { get; } = projects;
        public DsServerSnapshot.Opened Read { get; } = read;

        public void Dispose()
        {
            Read.Dispose();
            Lock?.Dispose();
        }
    }

    /// <summary>
    /// Begins reading the projects <paramref name="statePath"/> lists, or returns null when there is no state to go by.
    /// <paramref name="takeLock"/> is false under WhatIf (which writes nothing and takes no lock).
    /// </summary>
    public static ServerReadAhead? Start(DsConnection connection, string? statePath, bool takeLock, CancellationToken ct)
    {
        if (statePath is null || !File.Exists(statePath)) return null;
        var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // The attempt's deadline runs from the send (Http/BoundedResponses.cs): a read begun long before it is taken
        // would be cut off mid-answer, so it is used only within half of the connection's timeout.
        var freshFor = TimeSpan.FromSeconds(Math.Max(1, connection.TimeoutSec) / 2.0);
        var work = Task.Run(() => ReadAsync(connection.Client, statePath, takeLock, stop.Token), CancellationToken.None);
        return new ServerReadAhead(work, stop, freshFor);
    }

    private static async Task<Taken?> ReadAsync(DsClient client, string statePath, bool takeLock, CancellationToken ct)
    {
        var projects = ProjectsOf(AppliedState.Load(statePath));
        if (projects.Count == 0) return null;
        // Never waits for another sync: if one holds a lock, this read-ahead gives way and the sync itself takes the
        // locks it needs with the caller's -LockTimeout (the busy project may not even be one of its projects).
        SyncLock? held = null;
        if (takeLock)
        {
            try
            {
                held = await SyncLock.AcquireAsync(client.BaseUri, projects, statePath, TimeSpan.Zero, ct).ConfigureAwait(false);
            }
            catch (DsOpsException ex) when (ex.ErrorId == "DsSyncLocked")
            {
                return null;
            }
        }
        try
        {
            // Read again under the lock: another sync may have saved it between the first look and the lock.
            var state = AppliedState.Load(statePath);
            var read = await DsServerSnapshot.OpenAsync(client, projects, ct).ConfigureAwait(false);
            return new Taken(held, state, projects, read);
        }
        catch
        {
            held?.Dispose();
            throw;
        }
    }

    private static HashSet<string> ProjectsOf(AppliedState state) =>
        state.Entries.Keys.Where(k => k.IndexOf('/') > 0).Select(k => k[..k.IndexOf('/')]).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// The lock, state and begun read when they are of exactly <paramref name="projects"/> and still fresh; null otherwise
    /// (then everything is released and the sync reads as usual, so any failure here is reported by that read with its
    /// own context). Only a cancellation of the caller's token is thrown.
    /// </summary>
    public async Task<Taken?> TakeAsync(IReadOnlyCollection<string> projects, CancellationToken ct)
    {
        Taken? taken;
        try
        {
            taken = await _work.WaitAsync(ct).ConfigureAwait(false);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            return null;
        }
        if (taken is null) return null;
        // The same projects exactly: a snapshot of more projects than the specs name would show their workflows as
        // undeclared (and -Prune would delete them).
        if (DateTime.UtcNow - _startedAt > _freshFor || !taken.Projects.SetEquals(projects))
        {
            taken.Dispose();
            return null;
        }
        _handedOver = true;
        return taken;
    }

    /// <summary>
    /// Stops a read-ahead that was not taken and releases what it holds before returning, so the lock is free for the
    /// next sync at once (its requests end promptly when cancelled; it waits at most a few seconds for them).
    /// </summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_handedOver)
        {
            _stop.Dispose(); // the taken read's answer is no longer tied to it (its headers are in)
            return;
        }
        _stop.Cancel();
        // A failed or cancelled read-ahead holds nothing: it releases its lock itself.
        if (((IAsyncResult)_work).AsyncWaitHandle.WaitOne(ReleaseWait))
        {
            if (_work.IsCompletedSuccessfully) _work.Result?.Dispose();
            _stop.Dispose();
        }
        else
        {
            _ = _work.ContinueWith(t =>
            {
                if (t.IsCompletedSuccessfully) t.Result?.Dispose();
                _stop.Dispose();
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private static readonly TimeSpan ReleaseWait = TimeSpan.FromSeconds(5);
}
