using System.Management.Automation;
using DsOps.Engine;
using DsOps.Engine.Api;
using DsOps.Engine.Models;
using DsOps.Parameters;
using DsOps.Tests.Api;
using DsOps.Tests.Fakes;
using DsOps.Tests.Hosting;
using Xunit;

namespace DsOps.Tests.Commands;

/// <summary>DsProjectParameter / DsWorkflowParameter: what PowerShell converts into them, and how they resolve (once per connection).</summary>
public sealed class ParameterTypeTests : IDisposable
{
    private readonly FakeDsServer _fake = new("3.2.2");

    public ParameterTypeTests()
    {
        _fake.AnswerPaged("GET projects", new[]
        {
            new { code = 11L, name = "etl", userName = "admin", defCount = 2, description = "" },
            new { code = 12L, name = "reports", userName = "ops", defCount = 1, description = "" },
            new { code = 13L, name = "etl_backfill", userName = "ops", defCount = 0, description = "" },
        });
        _fake.Answer("GET projects/{code}", r => r.Path == "projects/11" ? FakeResponse.Ok(new { code = 11L, name = "etl" }) : FakeResponse.Error(10018, "project not found"));
        _fake.AnswerPaged("GET projects/{projectCode}/process-definition", new[]
        {
            new { code = 101L, name = "daily_sales", version = 3, releaseState = "ONLINE", projectCode = 11L },
            new { code = 102L, name = "daily_stock", version = 1, releaseState = "OFFLINE", projectCode = 11L },
        });
    }

    public void Dispose() => _fake.Dispose();

    private static DsProjectParameter P(object value) => LanguagePrimitives.ConvertTo<DsProjectParameter>(value);
    private static DsWorkflowParameter W(object value) => LanguagePrimitives.ConvertTo<DsWorkflowParameter>(value);

    private int ProjectListings() => _fake.Requests.Count(r => r.Method == "GET" && r.Path == "projects");

    [Fact]
    public void PowerShell_converts_names_codes_and_objects()
    {
        Assert.Equal(("etl", (long?)null), (P("etl").Name, P("etl").Code));
        Assert.Equal(11L, P("11").Code);
        Assert.Equal(11L, P(11L).Code);
        Assert.Equal(11L, P(11).Code);
        var project = new DsProject { Name = "etl", ProjectCode = 11 };
        Assert.Equal((11L, "etl"), (P(project).Code!.Value, P(project).Name!));
        Assert.Equal(11L, P(PSObject.AsPSObject(new { ProjectCode = 11L })).Code);
        var custom = new PSObject();
        custom.Properties.Add(new PSNoteProperty("Name", "reports"));
        Assert.Equal("reports", P(custom).Name);
        var workflow = new DsWorkflow { ProjectCode = 11, ProjectName = "etl", Name = "daily_sales", WorkflowCode = 101 };
        Assert.Equal(11L, P(workflow).Code); // a piped workflow names its project by code
        Assert.Equal((101L, 11L), (W(workflow).Code!.Value, W(workflow).ProjectCode!.Value));
        Assert.Equal("daily_*", W("daily_*").Name);
        Assert.True(W("daily_*").IsWildcard);
        Assert.False(P("11").IsWildcard);
    }

    [Fact]
    public void Empty_strings_and_objects_without_a_name_or_code_are_refused_with_what_to_pass()
    {
        Assert.ThrowsAny<PSInvalidCastException>(() => P(" "));
        var ex = Assert.ThrowsAny<PSInvalidCastException>(() => P(new PSObject()));
        Assert.Contains("ProjectCode or Name", ex.ToString());
        Assert.ThrowsAny<PSInvalidCastException>(() => W(0L));
    }

    [Fact]
    public void A_name_is_resolved_once_per_connection_and_a_new_name_is_still_found()
    {
        using var c = DsClientTests.Connect(_fake);
        var first = P("etl").ResolveAsync(c.Client).GetAwaiter().GetResult();
        var listings = ProjectListings();
        var again = P("etl").ResolveAsync(c.Client).GetAwaiter().GetResult();
        Assert.Equal(11L, first.ProjectCode);
        Assert.Same(first, again);
        Assert.Equal(listings, ProjectListings()); // served from the connection's cache
        // A second connection has its own cache (another server may have another 'etl').
        using var other = DsClientTests.Connect(_fake);
        _ = P("etl").ResolveAsync(other.Client).GetAwaiter().GetResult();
        Assert.Equal(listings + 1, ProjectListings());
        // A name not in the cache is asked for again (a project created a moment ago is found, a typo is not).
        var missing = Assert.Throws<DsOpsException>(() => P("nope").ResolveAsync(c.Client).GetAwaiter().GetResult());
        Assert.Equal("DsProjectNotFound", missing.ErrorId);
    }

    [Fact]
    public void Lists_expand_wildcards_and_keep_literal_names_strict()
    {
        using var c = DsClientTests.Connect(_fake);
        var found = DsProjectParameter.ResolveAllAsync(c.Client, new[] { P("etl*"), P("11"), P("reports") }).GetAwaiter().GetResult();
        Assert.Equal(new[] { "etl", "etl_backfill", "reports" }, found.Select(p => p.Name));
        Assert.Throws<DsOpsException>(() => DsProjectParameter.ResolveAllAsync(c.Client, new[] { P("etl*"), P("typo") }).GetAwaiter().GetResult());
        Assert.Empty(DsProjectParameter.ResolveAllAsync(c.Client, new[] { P("zz*") }).GetAwaiter().GetResult());
        Assert.Throws<ArgumentException>(() => P("etl*").ResolveAsync(c.Client).GetAwaiter().GetResult());
        var workflows = DsWorkflowParameter.ResolveAllAsync(c.Client, 11, new[] { W("daily_s*") }).GetAwaiter().GetResult();
        Assert.Equal(new[] { "daily_sales", "daily_stock" }, workflows.Select(w => w.Name));
    }

    [Fact]
    public void A_missing_workflow_error_names_the_project_by_name()
    {
        using var c = DsClientTests.Connect(_fake);
        var ex = Assert.Throws<DsOpsException>(() => W("nightly").ResolveAsync(c.Client, 11).GetAwaiter().GetResult());
        Assert.Equal("DsWorkflowNotFound", ex.ErrorId);
        Assert.Contains("project 'etl'", ex.Message);
        Assert.DoesNotContain("11", ex.Message);
        Assert.Equal(102L, W("102").ResolveAsync(c.Client, 11).GetAwaiter().GetResult().WorkflowCode);
    }

    [Fact]
    public void Matches_filters_by_code_or_by_name_pattern()
    {
        Assert.True(P("11").Matches("whatever", 11));
        Assert.False(P("11").Matches("etl", 12));
        Assert.True(P("ET*").Matches("etl_backfill", 13));
        Assert.False(W("daily_s*").Matches("weekly", 1));
    }

    [Fact]
    public void Cmdlets_bind_codes_names_and_piped_objects_to_Project()
    {
        var uri = _fake.StartListener();
        using var engine = new HostedEngine();
        engine.Run("Connect-DsServer", new { Uri = uri, Token = DsClientTests.Secure(_fake.Token) });
        Assert.Equal(2, engine.Run("Get-DsWorkflow", new { Project = "11" }).Objects<DsWorkflow>().Count);
        Assert.Equal(2, engine.Run("Get-DsWorkflow", new { Project = 11L }).Objects<DsWorkflow>().Count);
        Assert.Equal(2, engine.Script("Get-DsProject -Name etl | Get-DsWorkflow").Output.Count);
        Assert.Equal(2, engine.Script("[pscustomobject]@{ ProjectCode = 11 } | Get-DsWorkflow").Output.Count);
        var result = engine.Script("Get-DsWorkflow -Project nope");
        Assert.Equal("DsProjectNotFound,DsOps.Commands.GetDsWorkflowCommand", Assert.Single(result.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void A_plain_text_token_is_refused_with_what_to_pass()
    {
        using var engine = new HostedEngine();
        var result = engine.Script("try { Connect-DsServer -Uri http://ds.invalid:1 -Token 'abc' -ErrorAction Stop } catch { $_ }");
        var record = Assert.IsType<ErrorRecord>(Assert.Single(result.Output).BaseObject);
        Assert.Contains("SecureString", record.Exception.Message);
        Assert.Contains("ConvertTo-SecureString", record.Exception.Message);
        Assert.Contains("PSCredential", record.Exception.Message);
        Assert.DoesNotContain("abc", record.Exception.Message);
    }

    [Fact]
    public void One_time_zone_parser_names_the_parameter()
    {
        Assert.True(DsTimeZones.TryFind("UTC", out _));
        Assert.False(DsTimeZones.TryFind("Mars/Olympus", out _));
        var ex = Assert.Throws<ArgumentException>(() => DsTimeZones.Find("Mars/Olympus", "ServerTimeZone"));
        Assert.Contains("-ServerTimeZone", ex.Message);
        Assert.Same(TimeZoneInfo.Utc, DsTimeZones.Find(null, "TimeZone", TimeZoneInfo.Utc));
        Assert.Contains(DsTimeZones.KnownIds, id => id == "Asia/Shanghai");
    }
}
