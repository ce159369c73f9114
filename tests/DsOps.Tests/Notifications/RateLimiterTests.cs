using DsOps.Engine.Notifications;
using Xunit;

namespace DsOps.Tests.Notifications;

/// <summary>The limiter against a fake clock: waiting advances the clock, nothing sleeps.</summary>
public class RateLimiterTests
{
    private sealed class FakeClock
    {
        public DateTimeOffset Now = new(2026, 1, 1, 9, 7, 0, TimeSpan.Zero);
        public List<TimeSpan> Waits { get; } = new();
        public Task Delay(TimeSpan d, CancellationToken _) { Waits.Add(d); Now += d; return Task.CompletedTask; }
    }

    private static readonly RateRule[] DingTalk = { new(20, TimeSpan.FromMinutes(1)) };

    [Fact]
    public async Task Twenty_a_minute_then_the_21st_waits_until_the_first_leaves_the_window()
    {
        var clock = new FakeClock();
        var limiter = new DestinationRateLimiter(() => clock.Now, clock.Delay);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(TimeSpan.Zero, await limiter.AcquireAsync("robot-a", DingTalk, default));
            clock.Now += TimeSpan.FromSeconds(1);
        }
        var waited = await limiter.AcquireAsync("robot-a", DingTalk, default);
        Assert.Equal(TimeSpan.FromSeconds(40), waited);   // first send at t=0, now t=20 s: free at t=60 s
        Assert.Equal(new[] { TimeSpan.FromSeconds(40) }, clock.Waits);
    }

    [Fact]
    public async Task Destinations_are_independent()
    {
        var clock = new FakeClock();
        var limiter = new DestinationRateLimiter(() => clock.Now, clock.Delay);
        for (var i = 0; i < 20; i++) await limiter.AcquireAsync("robot-a", DingTalk, default);
        Assert.Equal(TimeSpan.Zero, await limiter.AcquireAsync("robot-b", DingTalk, default));
        Assert.Empty(clock.Waits);
    }

    [Fact]
    public async Task Every_rule_applies_per_second_and_per_minute()
    {
        var clock = new FakeClock();
        var limiter = new DestinationRateLimiter(() => clock.Now, clock.Delay);
        var feishu = new[] { new RateRule(5, TimeSpan.FromSeconds(1)), new RateRule(100, TimeSpan.FromMinutes(1)) };
        var sendTimes = new List<DateTimeOffset>();
        for (var i = 0; i < 120; i++)
        {
            await limiter.AcquireAsync("bot", feishu, default);
            sendTimes.Add(clock.Now);
        }
        for (var i = 5; i < sendTimes.Count; i++)
            Assert.True(sendTimes[i] - sendTimes[i - 5] >= TimeSpan.FromSeconds(1), $"6 sends within 1 s at {i}");
        for (var i = 100; i < sendTimes.Count; i++)
            Assert.True(sendTimes[i] - sendTimes[i - 100] >= TimeSpan.FromMinutes(1), $"101 sends within 1 min at {i}");
    }

    [Fact]
    public async Task A_block_holds_the_destination_until_it_expires()
    {
        var clock = new FakeClock();
        var limiter = new DestinationRateLimiter(() => clock.Now, clock.Delay);
        limiter.BlockUntil("robot-a", clock.Now + TimeSpan.FromMinutes(10));
        Assert.Equal(TimeSpan.FromMinutes(10), await limiter.AcquireAsync("robot-a", DingTalk, default));
    }
}
