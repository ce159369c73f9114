namespace DsOps.Emulator.Hosting;

/// <summary>
/// Faults the emulator injects into API answers, settable at start (EmulatorOptions.Faults) or at runtime
/// (emu.Faults). Random choices use a seeded generator so a test run is repeatable.
/// Auth and routing are not involved: a fault replaces the whole answer, as a proxy or overloaded server would.
/// </summary>
public sealed class FaultSettings
{
    private readonly object _lock = new();
    private Random _random = new(12345);

    /// <summary>Delay added to every request.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Fraction (0..1) of requests answered with HTTP <see cref="ServerErrorStatus"/> and an empty body.</summary>
    public double ServerErrorRate { get; set; }
    public int ServerErrorStatus { get; set; } = 503;

    /// <summary>Fraction (0..1) of requests answered HTTP 429 (DS's traffic control answers so, with an empty body).</summary>
    public double RateLimitRate { get; set; }

    /// <summary>Fraction (0..1) of requests whose connection is aborted without an answer.</summary>
    public double DropRate { get; set; }

    /// <summary>A route template (as in tests/third_party/dolphinscheduler/endpoints, e.g. "/projects/{projectCode}/process-definition")
    /// answered only after <see cref="SlowEndpointDelay"/>.</summary>
    public string? SlowEndpoint { get; set; }
    public TimeSpan SlowEndpointDelay { get; set; }

    /// <summary>
    /// When above 0, every answer's body is sent at this many bytes per second (a slow drip, as a congested link or a
    /// hostile server would), after the headers went out at once. 0 sends answers at full speed.
    /// </summary>
    public int DripBytesPerSecond { get; set; }

    /// <summary>The next N requests fail with HTTP 503 (deterministic alternative to the rates).</summary>
    public int FailNextRequests { get; set; }

    /// <summary>
    /// Applies one command-line fault option (<c>--fault-error-rate</c>, <c>--fault-429-rate</c>, <c>--fault-drop-rate</c>,
    /// <c>--fault-latency-ms</c>, <c>--fault-drip-bytes-per-sec</c>, <c>--fault-seed</c>); false for any other option.
    /// Rates are fractions 0..1; a value out of range is an ArgumentException naming the option.
    /// </summary>
    public bool TrySet(string option, string value)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        double Rate() => double.Parse(value, inv) is var r && r is >= 0 and <= 1 ? r
            : throw new ArgumentException($"{option} takes a fraction from 0 to 1, not '{value}'.");
        int NonNegative() => int.Parse(value, inv) is var n && n >= 0 ? n
            : throw new ArgumentException($"{option} takes a number of 0 or more, not '{value}'.");
        switch (option)
        {
            case "--fault-error-rate": ServerErrorRate = Rate(); return true;
            case "--fault-429-rate": RateLimitRate = Rate(); return true;
            case "--fault-drop-rate": DropRate = Rate(); return true;
            case "--fault-latency-ms": Latency = TimeSpan.FromMilliseconds(NonNegative()); return true;
            case "--fault-drip-bytes-per-sec": DripBytesPerSecond = NonNegative(); return true;
            case "--fault-seed": Reseed(int.Parse(value, inv)); return true;
            default: return false;
        }
    }

    public void Reseed(int seed)
    {
        lock (_lock) _random = new Random(seed);
    }

    public void Clear()
    {
        Latency = TimeSpan.Zero;
        ServerErrorRate = RateLimitRate = DropRate = 0;
        DripBytesPerSecond = 0;
        SlowEndpoint = null;
        SlowEndpointDelay = TimeSpan.Zero;
        FailNextRequests = 0;
    }

    internal double NextDouble()
    {
        lock (_lock) return _random.NextDouble();
    }

    internal bool TakeForcedFailure()
    {
        lock (_lock)
        {
            if (FailNextRequests <= 0) return false;
            FailNextRequests--;
            return true;
        }
    }
}
