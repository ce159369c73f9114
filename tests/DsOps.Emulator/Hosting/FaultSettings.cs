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

    /// <summary>The next N requests fail with HTTP 503 (deterministic alternative to the rates).</summary>
    public int FailNextRequests { get; set; }

    public void Reseed(int seed)
    {
        lock (_lock) _random = new Random(seed);
    }

    public void Clear()
    {
        Latency = TimeSpan.Zero;
        ServerErrorRate = RateLimitRate = DropRate = 0;
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
