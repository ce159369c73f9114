using System.Collections.Concurrent;

namespace DsOps.Engine.Metadata;

/// <summary>
/// Per-connection cache of per-day state counts for days that closed at least a day ago. Reports compare
/// against the 7 days before; those counts almost never change, and re-reading them costs one row lookup per
/// instance (t_ds_process_instance has no index holding state). Entries live <see cref="TimeToLive"/>, so a
/// rerun of an old instance shows up within that time.
/// </summary>
internal sealed class ClosedDayCache
{
    private readonly ConcurrentDictionary<(DateTime From, DateTime To), (int[] Counts, DateTimeOffset At)> _days = new();

    public TimeSpan TimeToLive { get; init; } = TimeSpan.FromHours(1);
    /// <summary>How long after its end a day counts as closed.</summary>
    public TimeSpan ClosedAfter { get; init; } = TimeSpan.FromDays(1);

    public bool TryGet(DateTime from, DateTime to, DateTimeOffset now, out int[] counts)
    {
        if (_days.TryGetValue((from, to), out var e) && now - e.At < TimeToLive)
        {
            counts = e.Counts;
            return true;
        }
        counts = Array.Empty<int>();
        return false;
    }

    /// <summary>Stores a day's counts if the day is closed at <paramref name="serverNow"/>.</summary>
    public void Store(DateTime from, DateTime to, DateTime serverNow, DateTimeOffset now, int[] counts)
    {
        if (serverNow - to >= ClosedAfter) _days[(from, to)] = (counts, now);
    }

    public void Clear() => _days.Clear();
}
