namespace DsOps.Emulator.Simulation;

/// <summary>
/// The emulator's time. Everything it writes (create_time, start_time, end_time, schedule fires) uses this
/// clock, never the wall clock. In tests it moves only when told (AdvanceAsync / RunUntilIdleAsync on the
/// emulator); standalone it runs <see cref="Acceleration"/> times faster than real time.
/// </summary>
public sealed class SimClock
{
    private readonly object _lock = new();
    private DateTime _now;

    public SimClock(DateTime start) => _now = Truncate(start);

    /// <summary>Simulated seconds per real second when running freely (standalone mode).</summary>
    public double Acceleration { get; set; } = 60;

    public DateTime Now
    {
        get { lock (_lock) return _now; }
    }

    internal void Set(DateTime value)
    {
        lock (_lock)
            if (value > _now) _now = Truncate(value);
    }

    private static DateTime Truncate(DateTime t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Unspecified);
}
