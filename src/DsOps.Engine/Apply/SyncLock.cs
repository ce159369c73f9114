using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DsOps.Engine.IO;

namespace DsOps.Engine.Apply;

/// <summary>
/// Keeps two syncs on one machine from writing the same projects or the same state file at once: one
/// <see cref="ExclusiveFileLock"/> per project of the target server and one per state file, taken in a fixed
/// order (so two syncs never wait on each other crosswise) and released together. The locks die with the process,
/// so a killed sync never blocks the next one. Lock files live in <c>DSOPS_LOCK_DIR</c>, by default a per-user
/// folder in the temp directory, named by a hash of what they lock. Syncs on different machines are not seen.
/// </summary>
internal sealed class SyncLock : IDisposable
{
    public const string LockDirVariable = "DSOPS_LOCK_DIR";
    private readonly List<ExclusiveFileLock> _held;

    private SyncLock(List<ExclusiveFileLock> held) => _held = held;

    /// <summary>The folder holding lock files.</summary>
    public static string LockDirectory =>
        System.Environment.GetEnvironmentVariable(LockDirVariable) is { Length: > 0 } d ? d
            : Path.Combine(Path.GetTempPath(), "dsops-locks-" + SafeUser());

    /// <summary>
    /// Takes every lock, waiting up to <paramref name="timeout"/> (zero: do not wait) for ones another sync holds.
    /// Throws DsSyncLocked naming what is locked and by whom when the time is up.
    /// </summary>
    public static async Task<SyncLock> AcquireAsync(Uri server, IEnumerable<string> projects, string? statePath, TimeSpan timeout,
        CancellationToken ct = default)
    {
        var targets = projects.Distinct(StringComparer.Ordinal).Select(p => (Key: "project\n" + server.AbsoluteUri.TrimEnd('/') + "\n" + p,
                What: $"project '{p}' on {server.GetLeftPart(UriPartial.Authority)}"))
            .ToList();
        if (!string.IsNullOrEmpty(statePath)) targets.Add(("state\n" + Path.GetFullPath(statePath), $"state file '{statePath}'"));
        targets.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));

        var held = new List<ExclusiveFileLock>(targets.Count);
        var deadline = DateTime.UtcNow + timeout;
        try
        {
            foreach (var (key, what) in targets)
            {
                var file = Path.Combine(LockDirectory, Hash(key) + ".lock");
                while (true)
                {
                    var l = ExclusiveFileLock.TryAcquire(file, "sync of " + what);
                    if (l is not null)
                    {
                        held.Add(l);
                        break;
                    }
                    if (DateTime.UtcNow >= deadline) throw Locked(what, file, timeout);
                    await Task.Delay(TimeSpan.FromMilliseconds(200), ct).ConfigureAwait(false);
                }
            }
            return new SyncLock(held);
        }
        catch
        {
            foreach (var l in held) l.Dispose();
            throw;
        }
    }

    private static DsOpsException Locked(string what, string file, TimeSpan waited)
    {
        var owner = ExclusiveFileLock.ReadOwner(file);
        var by = owner is null ? "another process"
            : $"process {owner.ProcessId}" + (owner.Host == System.Environment.MachineName ? "" : " on " + owner.Host) +
              (owner.Since == default ? "" : " since " + owner.Since.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture));
        var wait = waited > TimeSpan.Zero ? $" (waited {waited.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s)" : "";
        return new DsOpsException(DsErrorKind.Busy, "DsSyncLocked",
            $"Another sync of {what} is running: {by}{wait}. Nothing was applied; run again when it has finished, or wait for it with -LockTimeout.");
    }

    private static string Hash(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32].ToLowerInvariant();

    private static string SafeUser()
    {
        var u = System.Environment.UserName;
        var s = new string(u.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());
        return s.Length == 0 ? "user" : s;
    }

    public void Dispose()
    {
        for (var i = _held.Count - 1; i >= 0; i--) _held[i].Dispose();
        _held.Clear();
    }
}
