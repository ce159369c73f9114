using System.Management.Automation;
using DsOps.Tests.Hosting;
using Xunit;

namespace DsOps.Tests.Commands;

/// <summary>Sync-DsWorkflow's spec sources are parameter sets: files, a config table or a saved plan, never two of them.</summary>
public class SyncParameterSetTests
{
    private static CmdletInfo Command(HostedEngine engine) =>
        (CmdletInfo)engine.Run("Get-Command", new { Name = "Sync-DsWorkflow" }).Output.Single().BaseObject;

    [Fact]
    public void Path_ConnectionString_and_Plan_are_separate_parameter_sets()
    {
        using var engine = new HostedEngine();
        var sets = Command(engine).ParameterSets.ToDictionary(s => s.Name, s => s.Parameters.Select(p => p.Name).ToHashSet());
        Assert.Equal(new[] { "ConfigTable", "Plan", "Specs" }, sets.Keys.Order());
        Assert.Equal("Specs", Command(engine).DefaultParameterSet);
        Assert.Contains("Path", sets["Specs"]);
        Assert.DoesNotContain("Plan", sets["Specs"]);
        Assert.DoesNotContain("ConnectionString", sets["Specs"]);
        Assert.DoesNotContain("Path", sets["Plan"]);
        Assert.Contains("ConnectionString", sets["Plan"]);   // a plan made from a config table reloads it
        Assert.DoesNotContain("Path", sets["ConfigTable"]);
        Assert.DoesNotContain("Plan", sets["ConfigTable"]);
        foreach (var common in new[] { "Environment", "Prune", "StatePath", "Connection", "ThrottleLimit" })
            Assert.All(sets.Values, s => Assert.Contains(common, s));
    }

    [Theory]
    // Named: no parameter set has both. Positional: the Plan and ConfigTable sets have no positional parameter.
    [InlineData("Sync-DsWorkflow -Path ./specs -Plan ./plan.json -WhatIf", "AmbiguousParameterSet")]
    [InlineData("Sync-DsWorkflow -Path ./specs -ConnectionString 'Server=127.0.0.1' -WhatIf", "AmbiguousParameterSet")]
    [InlineData("Sync-DsWorkflow ./specs -Plan ./plan.json -WhatIf", "PositionalParameterNotFound")]
    [InlineData("Sync-DsWorkflow ./specs -ConnectionString 'Server=127.0.0.1' -WhatIf", "PositionalParameterNotFound")]
    public void PowerShell_refuses_two_spec_sources_before_the_cmdlet_runs(string script, string errorId)
    {
        using var engine = new HostedEngine();
        var result = engine.Script(script);
        var error = Assert.Single(result.Errors);
        Assert.IsAssignableFrom<ParameterBindingException>(error.Exception);
        Assert.StartsWith(errorId + ",", error.FullyQualifiedErrorId);
    }

    [Theory]
    [InlineData("./specs", null)]
    [InlineData(null, "./plan.json")]
    public void Existing_usage_binds(string? path, string? plan)
    {
        using var engine = new HostedEngine();
        var script = path is not null ? $"Sync-DsWorkflow {path} -Environment PROD -Prune -WhatIf" : $"Sync-DsWorkflow -Plan {plan} -WhatIf";
        var result = engine.Script(script);
        // It binds and runs: what stops it is the missing connection or file, not the parameters.
        Assert.All(result.Errors, e => Assert.IsNotType<ParameterBindingException>(e.Exception));
        Assert.NotEmpty(result.Errors);
    }
}
