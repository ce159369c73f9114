using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DsOps.Engine.IO;
using DsOps.Engine.Specs.Model;

namespace DsOps.Engine.Planning;

/// <summary>What DsOps knows about one workflow it applied.</summary>
/// <param name="Fingerprint">The fingerprint of the server copy right after the apply; null while <paramref name="Pending"/>.</param>
/// <param name="Code">The workflow's code on the server (0 when not known yet).</param>
/// <param name="Tasks">The task codes the workflow had after the apply: a code that later leaves every workflow is an orphan.</param>
/// <param name="Pending">A run began writing the workflow and did not finish (killed or failed): no drift baseline.</param>
internal sealed record AppliedEntry(string? Fingerprint, long Code, long[] Tasks, bool Pending)
{
    /// <summary>When a run began writing the workflow (pending entries): see <see cref="AppliedState.IntentGrace"/>.</summary>
    public DateTimeOffset? Since { get; init; }
}

/// <summary>
/// What DsOps last applied, per workflow: the fingerprint of the server copy right after the apply, the workflow's
/// code and its task codes. A server copy whose fingerprint differs was changed outside DsOps (drift, e.g. an edit
/// in the UI); a recorded task code no workflow uses any more is an orphaned task definition.
/// Kept in a local JSON state file (default <c>.dsops-state.json</c> beside the specs, meant to be
/// committed or kept by CI) rather than in DS: the definition description is user-visible and
/// editable, and a global parameter would be passed to every run and could be edited in the UI too.
/// The file holds names, codes and hashes only - no secrets and no spec content.
/// <para>
/// A sync appends its progress to a journal beside the state file (<c>.dsops-state.json.journal</c>) as it goes
/// and folds it into the state file at the end; <see cref="Load"/> replays a journal a killed run left behind, so
/// the next run knows what that run created, edited and deleted.
/// </para>
/// </summary>
internal sealed class AppliedState
{
    public const string DefaultFileName = ".dsops-state.json";
    public const string JournalSuffix = ".journal";
    private readonly SortedDictionary<string, AppliedEntry> _entries = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, AppliedEntry> Entries => _entries;

    /// <summary>
    /// How long a pending entry whose workflow is neither in the specs nor on the server is kept. Such an entry is the
    /// intent of a run that was killed around its create request: either the request never reached DS (nothing to
    /// remember), or DS is still processing it (its client died, DS does not notice) and the workflow appears later.
    /// Within this time the entry stays, so a workflow that appears late is still managed (deleted when its spec is
    /// gone); after it the intent is dropped, so a workflow someone later creates by hand under that name is not
    /// taken for DsOps's own.
    /// </summary>
    public static readonly TimeSpan IntentGrace = TimeSpan.FromHours(1);

    /// <summary>Entries replayed from a journal a killed run left behind (0 when there was none).</summary>
    public int ReplayedJournalEntries { get; private set; }

    /// <summary>
    /// Fingerprint recorded for "project/workflow", or null when DsOps never applied it or a run did not finish it
    /// (then the server copy may hold that run's partial work, which is not drift).
    /// </summary>
    public string? Get(string key) => _entries.GetValueOrDefault(key)?.Fingerprint;

    public AppliedEntry? Entry(string key) => _entries.GetValueOrDefault(key);

    /// <summary>Records a spec read back from the server (or equal to it) as the baseline; codes unknown.</summary>
    public void Record(WorkflowSpec serverCopy) => Record(serverCopy.Key, SpecFields.Fingerprint(serverCopy), 0, Array.Empty<long>());

    /// <summary>Records a finished apply of <paramref name="key"/>.</summary>
    public void Record(string key, string fingerprint, long code, long[] tasks)
    {
        // An unchanged workflow records what the state already says: the loaded entry stays (no second copy of it).
        if (_entries.TryGetValue(key, out var old) && !old.Pending && old.Code == code && old.Fingerprint == fingerprint && old.Tasks.AsSpan().SequenceEqual(tasks))
            return;
        _entries[key] = new AppliedEntry(fingerprint, code, tasks, false);
    }

    /// <summary>A run starts writing <paramref name="key"/>: managed from now on, without a drift baseline until it finishes.</summary>
    public void MarkPending(string key, DateTimeOffset? since = null)
    {
        var old = _entries.GetValueOrDefault(key);
        _entries[key] = new AppliedEntry(null, old?.Code ?? 0, old?.Tasks ?? Array.Empty<long>(), true) { Since = since ?? DateTimeOffset.UtcNow };
    }

    /// <summary>
    /// Drops pending entries of <paramref name="projects"/> whose workflow is neither desired nor on the server
    /// (<paramref name="exists"/>) and whose intent is older than <see cref="IntentGrace"/> at <paramref name="now"/>.
    /// Returns the keys dropped.
    /// </summary>
    public IReadOnlyList<string> DropStaleIntents(IReadOnlySet<string> projects, Func<string, bool> exists, DateTimeOffset now)
    {
        var stale = _entries.Where(e => e.Value.Pending && now - (e.Value.Since ?? now) >= IntentGrace && !exists(e.Key)
                                        && e.Key.IndexOf('/') is > 0 and var slash && projects.Contains(e.Key[..slash]))
            .Select(e => e.Key).ToList();
        foreach (var key in stale) _entries.Remove(key);
        return stale;
    }

    public void Forget(string key) => _entries.Remove(key);

    public bool IsManaged(string key) => _entries.ContainsKey(key);

    /// <summary>The journal beside <paramref name="statePath"/>.</summary>
    public static string JournalPath(string statePath) => statePath + JournalSuffix;

    /// <summary>Reads the state file (formats 1 and 2) and replays the journal a killed run may have left beside it.</summary>
    public static AppliedState Load(string path)
    {
        var state = new AppliedState();
        if (File.Exists(path))
        {
            try
            {
                state.ReadFile(File.ReadAllBytes(path));
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
            {
                throw new DsOpsException(DsErrorKind.InvalidInput, "DsStateFileInvalid", $"State file '{path}' is not a valid DsOps state file: {ex.Message}", ex);
            }
        }
        state.Replay(JournalPath(path));
        return state;
    }

    /// <summary>
    /// Reads the file's workflows one entry at a time from its UTF-8 bytes: a state file of 4,000 workflows is 1 MB,
    /// and a whole document tree of it (plus its text as a string) cost ~14 MB at a sync's peak. The whole file must
    /// still be valid JSON; entries that are neither a fingerprint string (format 1) nor an object are ignored.
    /// </summary>
    private void ReadFile(byte[] utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
        }
        else
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isWorkflows = reader.ValueTextEquals("workflows"u8);
                reader.Read();
                if (!isWorkflows || reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var key = reader.GetString()!;
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String) _entries[key] = new AppliedEntry(reader.GetString(), 0, Array.Empty<long>(), false);
                    else if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        using var entry = JsonDocument.ParseValue(ref reader);
                        _entries[key] = ReadEntry(entry.RootElement);
                    }
                    else reader.Skip();
                }
            }
        }
        if (reader.Read()) throw new JsonException("The state file holds more than one JSON value."); // (the reader refuses this itself)
    }

    private static JsonElement? Member(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    private static AppliedEntry ReadEntry(JsonElement o) => new(
        Member(o, "fingerprint")?.GetString(),
        Member(o, "code")?.GetInt64() ?? 0,
        Member(o, "tasks") is { ValueKind: JsonValueKind.Array } a ? a.EnumerateArray().Select(t => t.GetInt64()).ToArray() : Array.Empty<long>(),
        Member(o, "pending")?.GetBoolean() ?? false)
    {
        // A pending entry written before intents had a time ages from the run that reads it.
        Since = Member(o, "since")?.GetString() is { } since ? DateTimeOffset.Parse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
            : Member(o, "pending")?.GetBoolean() == true ? DateTimeOffset.UtcNow : null,
    };

    /// <summary>
    /// Applies the journal's entries in order. A line that does not parse can only be the last one, torn by a kill
    /// in the middle of a write; it is skipped.
    /// </summary>
    private void Replay(string journal)
    {
        if (!File.Exists(journal)) return;
        foreach (var line in File.ReadLines(journal))
        {
            if (line.Length == 0) continue;
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(line);
            }
            catch (JsonException)
            {
                continue;
            }

            using (doc)
            {
                var e = doc.RootElement;
                if (e.ValueKind != JsonValueKind.Object || Member(e, "op")?.GetString() is not { } op || Member(e, "key")?.GetString() is not { } key) continue;
                switch (op)
                {
                    case ApplyJournalOps.Begin:
                        var at = Member(e, "at")?.GetString() is { } a && DateTimeOffset.TryParse(a, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : (DateTimeOffset?)null;
                        MarkPending(key, at);
                        if (Member(e, "previous")?.GetString() is { } previous) MarkPending(previous, at);
                        break;
                    case ApplyJournalOps.Done:
                        _entries[key] = ReadEntry(e) with { Pending = false };
                        if (Member(e, "previous")?.GetString() is { } prev) _entries.Remove(prev);
                        break;
                    case ApplyJournalOps.Deleted:
                        _entries.Remove(key);
                        break;
                }
            }
            ReplayedJournalEntries++;
        }
    }

    /// <summary>
    /// Writes atomically (<see cref="AtomicFile"/>: a unique temp file, then a rename) so a crash or a second writer
    /// never leaves half a state file; one workflow per line so that a committed state file diffs well.
    /// </summary>
    public void Save(string path) => IO.AtomicFile.Write(path, stream =>
    {
        // Written straight to the file through a small buffer: the whole text (~1 MB for 4,000 workflows, twice that
        // as UTF-16, plus the builder's) would be fresh large-object-heap memory at the end of a sync, when
        // everything else it read is still alive (docs/benchmarks.md, "Sync in real pwsh").
        using var w = new StreamWriter(stream, Utf8NoBom, 64 * 1024, leaveOpen: true);
        w.Write("{\n  \"formatVersion\": 2,\n  \"workflows\": {");
        var first = true;
        Span<char> number = stackalloc char[20];
        foreach (var (key, e) in _entries)
        {
            w.Write(first ? "\n    " : ",\n    ");
            first = false;
            w.Write('"');
            w.Write(JsonEncodedText.Encode(key, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value);
            w.Write("\": {");
            if (e.Fingerprint is not null)
            {
                w.Write("\"fingerprint\": \"");
                w.Write(e.Fingerprint);
                w.Write("\", ");
            }
            w.Write("\"code\": ");
            WriteNumber(w, e.Code, number);
            if (e.Tasks.Length > 0)
            {
                w.Write(", \"tasks\": [");
                for (var i = 0; i < e.Tasks.Length; i++)
                {
                    if (i > 0) w.Write(',');
                    WriteNumber(w, e.Tasks[i], number);
                }
                w.Write(']');
            }
            if (e.Pending) w.Write(", \"pending\": true");
            if (e.Pending && e.Since is { } since)
            {
                w.Write(", \"since\": \"");
                w.Write(since.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                w.Write('"');
            }
            w.Write('}');
        }
        w.Write(first ? "}\n}\n" : "\n  }\n}\n");
    });

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    private static void WriteNumber(TextWriter w, long value, Span<char> buffer)
    {
        value.TryFormat(buffer, out var n, default, CultureInfo.InvariantCulture);
        w.Write(buffer[..n]);
    }
}

/// <summary>The operations of a sync journal line.</summary>
internal static class ApplyJournalOps
{
    /// <summary>Written (and flushed to disk) before the first request that changes a workflow.</summary>
    public const string Begin = "begin";
    /// <summary>The workflow was applied: its fingerprint, code and task codes.</summary>
    public const string Done = "done";
    /// <summary>The workflow was deleted from the server.</summary>
    public const string Deleted = "deleted";
}
