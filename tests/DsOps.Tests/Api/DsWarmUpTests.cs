using DsOps.Engine.Api;
using Xunit;

namespace DsOps.Tests.Api;

public class DsWarmUpTests
{
    [Fact]
    public async Task The_pass_runs_the_whole_first_call_path_in_memory()
    {
        // Connect (one verifying GET) and one page of projects, through the real pipeline, sockets handler included.
        // A failure inside would throw here; in the module it is swallowed, so this is where it must show.
        var statistics = await DsWarmUp.RunOnceAsync();

        Assert.Equal(2, statistics.Requests);
        Assert.Equal(0, statistics.Writes);
        Assert.Equal(0, statistics.Retries);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("0", false)]
    [InlineData("1", true)]
    [InlineData("true", true)]
    public void DSOPS_NO_WARMUP_turns_it_off(string? value, bool disabled) =>
        Assert.Equal(disabled, DsWarmUp.IsDisabled(value));
}
