using DsOps.Engine.Orchestration;
using DsOps.Engine.Text;
using Xunit;

namespace DsOps.Tests.Orchestration;

/// <summary>The engine's confirmation rule (as PowerShell's own cmdlets) and its one wildcard matcher.</summary>
public sealed class ConfirmationRuleTests
{
    private sealed class ScriptedHost(bool whatIf, Func<string, bool> shouldProcess, bool shouldContinue) : IDsOperationHost
    {
        public List<string> Asked { get; } = new();
        public bool WhatIf => whatIf;
        public bool ShouldProcess(string target, string action) { Asked.Add("ShouldProcess " + target); return !whatIf && shouldProcess(target); }
        public bool ShouldContinue(string query, string caption) { Asked.Add("ShouldContinue " + query); return shouldContinue; }
        public void Progress(int id, string activity, string status, int percent, bool completed = false) { }
        public void Verbose(string text) { }
        public void Warning(string text) { }
        public void InputError(string errorId, string message, string? target) { }
    }

    private static readonly (string Target, bool Delete)[] Changes = { ("p/a", false), ("p/old", true), ("p/b", false), ("p/gone", true) };

    private static HashSet<string> Confirm(IDsOperationHost host, bool force) =>
        WorkflowSyncService.Confirm(host, Changes, c => c.Target, c => c.Delete ? "Delete" : "Update", c => c.Delete, force, n => $"Delete {n}?");

    [Fact]
    public void ShouldProcess_is_asked_for_every_change_before_one_ShouldContinue_for_the_deletes()
    {
        var host = new ScriptedHost(false, _ => true, shouldContinue: true);
        var approved = Confirm(host, force: false);
        Assert.Equal(new[] { "ShouldProcess p/a", "ShouldProcess p/old", "ShouldProcess p/b", "ShouldProcess p/gone", "ShouldContinue Delete 2?" }, host.Asked);
        Assert.Equal(4, approved.Count);
    }

    [Fact]
    public void A_declined_ShouldContinue_drops_only_the_deletes()
    {
        var host = new ScriptedHost(false, _ => true, shouldContinue: false);
        Assert.Equal(new[] { "p/a", "p/b" }, Confirm(host, force: false).Order());
    }

    [Fact]
    public void Force_skips_ShouldContinue_but_not_ShouldProcess()
    {
        var host = new ScriptedHost(false, t => t != "p/gone", shouldContinue: false);
        var approved = Confirm(host, force: true);
        Assert.DoesNotContain(host.Asked, a => a.StartsWith("ShouldContinue", StringComparison.Ordinal));
        Assert.Equal(4, host.Asked.Count);
        Assert.Equal(new[] { "p/a", "p/b", "p/old" }, approved.Order());
    }

    [Fact]
    public void Deletes_declined_in_ShouldProcess_are_not_counted_and_no_ShouldContinue_without_approved_deletes()
    {
        var host = new ScriptedHost(false, t => t is "p/a" or "p/old", shouldContinue: true);
        Confirm(host, force: false);
        Assert.Equal("ShouldContinue Delete 1?", host.Asked[^1]);

        var none = new ScriptedHost(false, t => t == "p/a", shouldContinue: true);
        Assert.Equal(new[] { "p/a" }, Confirm(none, force: false));
        Assert.DoesNotContain(none.Asked, a => a.StartsWith("ShouldContinue", StringComparison.Ordinal));
    }

    [Fact]
    public void WhatIf_approves_nothing_and_never_asks_ShouldContinue()
    {
        var host = new ScriptedHost(true, _ => true, shouldContinue: true);
        Assert.Empty(Confirm(host, force: false));
        Assert.DoesNotContain(host.Asked, a => a.StartsWith("ShouldContinue", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("etl*", "ETL_daily", true)]
    [InlineData("etl?", "etl1", true)]
    [InlineData("etl?", "etl12", false)]
    [InlineData("[a-c]x", "Bx", true)]
    [InlineData("[a-c]x", "dx", false)]
    [InlineData("a`*b", "a*b", true)]
    [InlineData("a`*b", "axb", false)]
    [InlineData("a.b", "axb", false)]
    [InlineData("DataSource/*", "DataSource/mysql", true)]
    public void Wildcard_matches_like_the_shell(string pattern, string value, bool expected) =>
        Assert.Equal(expected, new Wildcard(pattern).IsMatch(value));

    [Theory]
    [InlineData("etl", false)]
    [InlineData("etl*", true)]
    [InlineData("a`*b", false)]
    [InlineData("[ab]", true)]
    public void Wildcard_tells_literal_names_from_patterns(string pattern, bool expected) =>
        Assert.Equal(expected, Wildcard.HasWildcards(pattern));
}
