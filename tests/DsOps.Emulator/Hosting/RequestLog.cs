using System.Collections.Concurrent;

namespace DsOps.Emulator.Hosting;

/// <summary>
/// What clients asked of the emulator: requests per "METHOD template" and how many of them wrote to the
/// metadata database. Benchmarks use it as "requests sent" and "zero writes" evidence.
/// </summary>
public sealed class RequestLog
{
    private readonly ConcurrentDictionary<string, long> _byRoute = new(StringComparer.Ordinal);
    private long _total;
    private long _writing;

    private int _inFlight;

    public long Total => Interlocked.Read(ref _total);

    /// <summary>
    /// Requests being handled now. A client killed mid-request leaves its request running in the server (DS does not
    /// notice the client is gone); tests wait for 0 to see everything a killed client's requests did.
    /// </summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    internal void Started() => Interlocked.Increment(ref _inFlight);

    internal void Finished() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Requests that executed at least one INSERT/UPDATE/DELETE.</summary>
    public long WritingRequests => Interlocked.Read(ref _writing);

    /// <summary>Count per "METHOD /template" (unmapped paths are keyed "METHOD (unmapped)").</summary>
    public IReadOnlyDictionary<string, long> ByRoute => new Dictionary<string, long>(_byRoute);

    public long Count(string method, string template) =>
        _byRoute.TryGetValue(method.ToUpperInvariant() + " " + template, out var n) ? n : 0;

    internal void Record(string key, bool wrote)
    {
        Interlocked.Increment(ref _total);
        if (wrote) Interlocked.Increment(ref _writing);
        _byRoute.AddOrUpdate(key, 1, (_, n) => n + 1);
    }

    public void Reset()
    {
        _byRoute.Clear();
        Interlocked.Exchange(ref _total, 0);
        Interlocked.Exchange(ref _writing, 0);
    }
}
