namespace DsOps.Engine.Notifications;

/// <summary>At most <paramref name="Limit"/> sends in any rolling <paramref name="Window"/>.</summary>
internal sealed record RateRule(int Limit, TimeSpan Window);

/// <summary>
/// Per-destination send budget (docs/chat-robots.md §7.5): a rolling-window log per destination key, where the key
/// is the target's fingerprint (a hash), never the URL. Callers over budget wait rather than being dropped.
/// One instance per process (<see cref="Shared"/>); separate processes sharing a robot each have their own.
/// </summary>
internal sealed class DestinationRateLimiter
{
    private readonly Func<DateTimeOffset> _now;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;
    private readonly Dictionary<string, Destination> _destinations = new(StringComparer.Ordinal);

    /// <param name="now">Clock (tests inject a fake one).</param>
    /// <param name="delay">How to wait (tests advance the fake clock instead of sleeping).</param>
    public DestinationRateLimiter(Func<DateTimeOffset>? now = null, Func<TimeSpan, CancellationToken, Task>? delay = null)
    {
        _now = now ?? (() => DateTimeOffset.UtcNow);
        _delay = delay ?? ((d, ct) => Task.Delay(d, ct));
    }

    /// <summary>The process-wide limiter every send goes through by default.</summary>
    public static DestinationRateLimiter Shared { get; } = new();

    /// <summary>Waits until a send to <paramref name="key"/> fits every rule, then records it. Returns the time waited.</summary>
    public async Task<TimeSpan> AcquireAsync(string key, IReadOnlyList<RateRule> rules, CancellationToken cancellationToken)
    {
        var waited = TimeSpan.Zero;
        while (true)
        {
            TimeSpan wait;
            lock (_destinations)
            {
                var now = _now();
                var d = DestinationOf(key);
                wait = d.BlockedUntil > now ? d.BlockedUntil - now : TimeSpan.Zero;
                var longest = rules.Count == 0 ? TimeSpan.Zero : rules.Max(r => r.Window);
                while (d.Sent.Count > 0 && d.Sent.Peek() <= now - longest) d.Sent.Dequeue();
                foreach (var rule in rules)
                {
                    var inWindow = d.Sent.Where(t => t > now - rule.Window).ToList();
                    if (inWindow.Count >= rule.Limit)
                    {
                        // The send that frees a slot is the (count - limit + 1)-th oldest in the window.
                        var freeAt = inWindow[inWindow.Count - rule.Limit] + rule.Window;
                        if (freeAt - now > wait) wait = freeAt - now;
                    }
                }
                if (wait <= TimeSpan.Zero)
                {
                    d.Sent.Enqueue(now);
                    return waited;
                }
            }
            await _delay(wait, cancellationToken).ConfigureAwait(false);
            waited += wait;
        }
    }

    /// <summary>Holds every send to <paramref name="key"/> until <paramref name="until"/> (the platform said "too fast").</summary>
    public void BlockUntil(string key, DateTimeOffset until)
    {
        lock (_destinations)
        {
            var d = DestinationOf(key);
            if (until > d.BlockedUntil) d.BlockedUntil = until;
        }
    }

    private Destination DestinationOf(string key)
    {
        if (!_destinations.TryGetValue(key, out var d)) _destinations[key] = d = new Destination();
        return d;
    }

    private sealed class Destination
    {
        public Queue<DateTimeOffset> Sent { get; } = new();
        public DateTimeOffset BlockedUntil { get; set; }
    }
}
