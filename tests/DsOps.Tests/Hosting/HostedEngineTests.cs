using DsOps.Tests.Hosting;
using Xunit;

namespace DsOps.Tests.Hosting;

public class HostedEngineTests
{
    [Fact]
    public void Module_is_imported_into_the_hosted_runspace()
    {
        using var engine = new HostedEngine();
        var result = engine.Run("Get-Module", new { Name = "DsOps" });
        Assert.Single(result.Output);
        Assert.Equal("DsOps", result.Output[0].Properties["Name"].Value);
    }
}
