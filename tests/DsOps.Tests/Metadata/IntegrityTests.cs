using DsOps.Engine;
using DsOps.Engine.Metadata;
using DsOps.Testing;
using DsOps.Testing.History;
using Xunit;

namespace DsOps.Tests.Metadata;

public class IntegrityTests
{
    [Theory]
    [InlineData("3.0.1")]
    [InlineData("3.1.9")]
    [InlineData("3.2.2")]
    [InlineData("3.3-dev")]
    [InlineData("3.4.3")]
    public async Task Each_seeded_problem_is_found_with_its_evidence(string schema)
    {
        var cs = await (await MariaDbFixture.Shared).CreateDsDatabaseAsync(schema);
        var options = GeneratedHistoryFixture.Options with { Days = 3, StuckInstances = 0, StillRunning = 0 };
        await HistoryGenerator.GenerateAsync(cs, schema, options);
        var connection = await DsMetadataConnection.ConnectAsync(cs, serverTimeZone: TimeZoneInfo.Utc);
        var checker = new IntegrityChecker(connection);

        // Clean generated history: every check passes.
        var clean = await checker.RunAsync();
        Assert.All(clean, f => Assert.True(f.Severity == DsIntegritySeverity.Ok, $"{f.Check}: {f.Summary}"));

        var seeded = await IntegrityProblems.SeedAsync(cs, connection.Dialect);
        var findings = (await checker.RunAsync()).ToDictionary(f => f.Check);
        static IEnumerable<long> Longs(DsIntegrityFinding f, string column) => f.Evidence.Select(e => Convert.ToInt64(e[column]));

        Assert.Equal(new[] { seeded.DuplicatedTaskCode }, Longs(findings["DuplicateTaskDefinitionCode"], "code"));
        Assert.Equal(DsIntegritySeverity.Error, findings["DuplicateTaskDefinitionCode"].Severity);
        Assert.Equal(new[] { seeded.DuplicatedLogTaskCode }, Longs(findings["DuplicateTaskDefinitionVersion"], "code"));
        Assert.Equal(new[] { (long)seeded.DanglingRelationId }, Longs(findings["RelationMissingTask"], "id"));
        Assert.Equal(new[] { seeded.OrphanTaskCode }, Longs(findings["OrphanTaskDefinition"], "code"));
        Assert.Equal(new[] { (long)seeded.DeadScheduleId }, Longs(findings["ScheduleMissingWorkflow"], "id"));
        // 3.0-3.2 failover writes the text 'NULL' into host: that instance has no master either.
        var hostless = seeded.RunningWithFailoverHostId == 0 ? new[] { (long)seeded.RunningWithoutHostId }
            : new[] { (long)seeded.RunningWithoutHostId, seeded.RunningWithFailoverHostId };
        Assert.Equal(hostless, Longs(findings["RunningInstanceWithoutHost"], "id").Order());
        Assert.Equal(!connection.Dialect.FailoverMarksState, seeded.RunningWithFailoverHostId != 0);

        // Get-DsStuckInstance reads the same instances as having no host.
        var stuck = await new DsMetadataReader(connection).GetStuckInstancesAsync(new DateTimeOffset(2026, 1, 1, 13, 0, 0, TimeSpan.Zero),
            TimeSpan.FromDays(2), 3, TimeSpan.FromMinutes(10));
        Assert.Equal(hostless, stuck.Where(s => s.Reason == DsStuckReason.NoHost && s.InstanceId >= seeded.RunningWithoutHostId)
            .Select(s => (long)s.InstanceId).Order());
        Assert.Equal(new[] { seeded.CommandWorkflowCode }, Longs(findings["CommandMissingWorkflow"], "workflow_code"));
        Assert.Equal(DsIntegritySeverity.Ok, findings["DuplicateWorkflowDefinitionCode"].Severity);
        Assert.All(findings.Values, f =>
        {
            Assert.False(string.IsNullOrWhiteSpace(f.Meaning));
            Assert.False(string.IsNullOrWhiteSpace(f.HowDsGetsThere));
            Assert.False(string.IsNullOrWhiteSpace(f.Remedy));
        });
    }

    [Fact]
    public async Task Unknown_check_name_is_rejected()
    {
        var cs = await (await MariaDbFixture.Shared).CreateDsDatabaseAsync("3.2.2");
        var checker = new IntegrityChecker(await DsMetadataConnection.ConnectAsync(cs));
        var ex = await Assert.ThrowsAsync<DsOpsException>(() => checker.RunAsync(new[] { "NoSuchCheck" }));
        Assert.Equal("DsUnknownIntegrityCheck", ex.ErrorId);
        Assert.Contains("NoSuchCheck", ex.Message);
        var one = await checker.RunAsync(new[] { "OrphanTaskDefinition" });
        Assert.Equal("OrphanTaskDefinition", Assert.Single(one).Check);
    }
}
