using System.Diagnostics;
using System.Management.Automation;
using DsOps.Tests.Api;
using DsOps.Tests.Fakes;
using DsOps.Tests.Hosting;
using Xunit;

namespace DsOps.Tests.Commands;

/// <summary>Server completers in the real engine: the command line's -Connection wins, codes show their names, failures and slow servers complete nothing.</summary>
public sealed class CompleterTests : IDisposable
{
    private readonly HostedEngine _engine = new();
    private readonly List<FakeDsServer> _fakes = new();

    public void Dispose()
    {
        _engine.Dispose();
        foreach (var f in _fakes) f.Dispose();
    }

    private Uri Serve(string project, Action<FakeDsServer>? more = null)
    {
        var fake = new FakeDsServer("3.2.2");
        fake.AnswerPaged("GET projects", new[] { new { code = 11L, name = project, userName = "admin", defCount = 0, description = "" } });
        fake.AnswerPaged("GET environment/list-paging", new[] { new { code = 77L, name = "prod_env", workerGroups = new[] { "default" } } });
        fake.AnswerPaged("GET alert-groups", new[] { new { id = 4, groupName = "oncall", alertInstanceIds = "1" } });
        more?.Invoke(fake);
        _fakes.Add(fake);
        return fake.StartListener();
    }

    private string[] Complete(string input)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = _engine.Runspace;
        return CommandCompletion.CompleteInput(input, input.Length, null, ps).CompletionMatches.Select(m => m.CompletionText + "|" + m.ListItemText).ToArray();
    }

    [Fact]
    public void The_connection_on_the_command_line_wins_over_the_session_default()
    {
        var first = Serve("alpha_proj");
        var second = Serve("beta_proj");
        _engine.Run("Connect-DsServer", new { Uri = first, Token = DsClientTests.Secure(_fakes[0].Token) });
        _engine.Script("$global:other = Connect-DsServer -Uri $u -NoDefault -Token $t",
            new System.Collections.Hashtable { ["u"] = second, ["t"] = DsClientTests.Secure(_fakes[1].Token) });
        Assert.Equal(new[] { "alpha_proj|alpha_proj" }, Complete("Start-DsWorkflow -Project "));
        Assert.Equal(new[] { "beta_proj|beta_proj" }, Complete("Start-DsWorkflow -Connection $global:other -Project "));
        Assert.Equal(new[] { "beta_proj|beta_proj" }, Complete("Copy-DsWorkflow -Source $global:other -Project "));
    }

    [Fact]
    public void Codes_complete_with_their_names_and_match_either()
    {
        var uri = Serve("p");
        _engine.Run("Connect-DsServer", new { Uri = uri, Token = DsClientTests.Secure(_fakes[0].Token) });
        Assert.Equal(new[] { "77|77 (prod_env)" }, Complete("Start-DsWorkflow -EnvironmentCode prod"));
        Assert.Equal(new[] { "77|77 (prod_env)" }, Complete("Set-DsSchedule -EnvironmentCode 7"));
        Assert.Equal(new[] { "4|4 (oncall)" }, Complete("Start-DsWorkflow -WarningGroupId on"));
    }

    [Fact]
    public void A_failing_server_completes_nothing_and_the_prompt_gets_no_error()
    {
        var uri = Serve("p", f => f.Answer("GET projects", _ => FakeResponse.Error(10109, "query project error")));
        _engine.Run("Connect-DsServer", new { Uri = uri, Token = DsClientTests.Secure(_fakes[0].Token), Version = "3.2" });
        DsOps.Infrastructure.Completion.LastError = null;
        var watch = Stopwatch.StartNew();
        Assert.Empty(Complete("Get-DsWorkflow -Project "));
        Assert.InRange(watch.Elapsed.TotalSeconds, 0, 15);
        Assert.NotNull(DsOps.Infrastructure.DsNameCompleterAttribute.LastError);
    }

    [Fact]
    public void A_server_slower_than_five_seconds_completes_nothing_after_five_seconds()
    {
        var uri = Serve("p");
        _engine.Run("Connect-DsServer", new { Uri = uri, Token = DsClientTests.Secure(_fakes[0].Token), Version = "3.2" });
        _fakes[0].Answer("GET projects", _ => FakeResponse.Ok(new { totalList = Array.Empty<object>(), total = 0 }) with { Delay = TimeSpan.FromSeconds(30) });
        DsOps.Infrastructure.Completion.LastError = null;
        var watch = Stopwatch.StartNew();
        Assert.Empty(Complete("Get-DsWorkflow -Project "));
        Assert.InRange(watch.Elapsed.TotalSeconds, 4.5, 12);
        Assert.IsAssignableFrom<OperationCanceledException>(DsOps.Infrastructure.DsNameCompleterAttribute.LastError);
    }
}
