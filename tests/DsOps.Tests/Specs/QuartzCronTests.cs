using Xunit;
using DsOps.Engine.Specs.Validation;

namespace DsOps.Tests.Specs;

public class QuartzCronTests
{
    [Theory]
    [InlineData("0 0 2 * * ? *")]
    [InlineData("0 0 2 * * ?")]
    [InlineData("0 */5 * * * ? *")]
    [InlineData("0 15 10 ? * MON-FRI")]
    [InlineData("0 0 12 L * ? 2025")]
    [InlineData("0 0 12 ? * 6#3")]
    [InlineData("0 0 12 15W * ?")]
    [InlineData("0 0,30 8-18 ? JAN-DEC 2L")]
    public void Valid_expressions_pass(string cron) => Assert.Null(QuartzCron.Validate(cron));

    [Theory]
    [InlineData("0 2 * * *", "Unix cron")]
    [InlineData("0 0 2 * * * *", "'?'")]
    [InlineData("0 0 2 ? * ? *", "cannot both")]
    [InlineData("0 60 2 * * ? *", "minute 60")]
    [InlineData("0 0 24 * * ? *", "hour 24")]
    [InlineData("0 0 2 * 13 ? *", "month 13")]
    [InlineData("0 0 2 ? * 8", "day-of-week 8")]
    [InlineData("0 0 2 * * ? 1960", "year 1960")]
    [InlineData("x 0 2 * * ? *", "'x'")]
    [InlineData("", "empty")]
    public void Invalid_expressions_say_why(string cron, string reason)
    {
        var why = QuartzCron.Validate(cron);
        Assert.NotNull(why);
        Assert.Contains(reason, why);
    }
}
