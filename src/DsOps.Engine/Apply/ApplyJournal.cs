using System.Text;
using System.Text.Json.Nodes;
using DsOps.Engine.Planning;

namespace DsOps.Engine.Apply;

/// <summary>
/// A sync's progress, appended as it goes: one JSON line per event, beside the state file
/// (<see cref="AppliedState.JournalPath"/>). A "begin" line is flushed to disk before the first request that
/// changes its workflow, so whatever a killed run created or edited is known to the next run
/// (<see cref="AppliedState.Load"/> replays the journal); "done" and "deleted" lines follow each finished workflow.
/// At the end of a sync the state is saved and the journal removed (<see cref="Complete"/>).
/// </summary>
internal sealed class ApplyJournal : IDisposable
{
    private readonly FileStream _stream;
    private readonly object _gate = new();
    private bool _disposed;

    private ApplyJournal(string path, FileStream stream)
    {
        Path = path;
        _stream = stream;
    }

    public string Path { get; }

    /// <summary>Opens (or continues) the journal of <paramref name="statePath"/>; the caller holds the sync lock.</summary>
    public static ApplyJournal Open(string statePath)
    {
        var path = AppliedState.JournalPath(statePath);
        var torn = EndsWithoutNewline(path);
        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 4096, FileOptions.None);
        // A run killed in the middle of a line leaves it without its newline: start on a fresh line, or this run's
        // first entry would be glued to the torn one and lost with it on replay.
        if (torn) stream.WriteByte((byte)'\n');
        return new ApplyJournal(path, stream);
    }

    private static bool EndsWithoutNewline(string path)
    {
        if (!File.Exists(path)) return false;
        using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (s.Length == 0) return false;
        s.Seek(-1, SeekOrigin.End);
        return s.ReadByte() != '\n';
    }

    /// <summary>The intent, with its time (a pending workflow in neither the specs nor the server ages out: <see cref="AppliedState.IntentGrace"/>).</summary>
    public void Begin(string key, string action, string? previousKey) =>
        Append(new JsonObject
        {
            ["op"] = ApplyJournalOps.Begin, ["key"] = key, ["action"] = action, ["previous"] = previousKey,
            ["at"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
        }, durable: true);

    public void Done(string key, string fingerprint, long code, IEnumerable<long> tasks, string? previousKey) =>
        Append(new JsonObject
        {
            ["op"] = ApplyJournalOps.Done, ["key"] = key, ["fingerprint"] = fingerprint, ["code"] = code,
            ["tasks"] = new JsonArray(tasks.Select(t => (JsonNode)t).ToArray()), ["previous"] = previousKey,
        }, durable: false);

    public void Deleted(string key) => Append(new JsonObject { ["op"] = ApplyJournalOps.Deleted, ["key"] = key }, durable: false);

    /// <summary>
    /// Appends one line. "begin" lines are flushed to disk before the caller goes on; the others reach the OS at once
    /// (which a kill -9 does not undo) and the disk with the next durable line or at the end.
    /// </summary>
    private void Append(JsonObject entry, bool durable)
    {
        if (entry["previous"] is null) entry.Remove("previous");
        var bytes = Encoding.UTF8.GetBytes(entry.ToJsonString() + "\n");
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _stream.Write(bytes);
            _stream.Flush(flushToDisk: durable);
        }
    }

    /// <summary>Saves the state (which now holds everything the journal says) and removes the journal.</summary>
    internal void Complete(AppliedState state, string statePath)
    {
        lock (_gate)
        {
            _stream.Flush(flushToDisk: true);
            state.Save(statePath);
            _disposed = true;
            _stream.Dispose();
            File.Delete(Path);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _stream.Dispose();
        }
    }
}
