using System.Collections.Immutable;
using DsOps.Engine.Clusters.Comparison;
using DsOps.Engine.Clusters.Promotion;
using DsOps.Engine.Dialects;
using DsOps.Engine.Specs.Loading;
using DsOps.Engine.Specs.Model;
using Xunit;

namespace DsOps.Tests.Promotion;

/// <summary>The copy's rules without a server: name mapping, schedules, release state, tenant and version-only fields.</summary>
public sealed class WorkflowCopierRulesTests
{
    private static readonly EnvironmentOverlay Uat = new("UAT",
        dataSources: new Dictionary<string, string> { ["ods"] = "ods_uat" }, workerGroups: new Dictionary<string, string> { ["etl"] = "uat" },
        tenants: new Dictionary<string, string> { ["etl"] = "etl_uat" }, alertGroups: new Dictionary<string, string> { ["ops"] = "ops-uat" },
        environments: new Dictionary<string, string> { ["spark"] = "spark-uat" }, parameters: new Dictionary<string, string> { ["db"] = "dw_uat" });

    private static readonly EnvironmentOverlay Prod = new("PROD",
        dataSources: new Dictionary<string, string> { ["ods"] = "ods_prod" }, workerGroups: new Dictionary<string, string> { ["etl"] = "prod" },
        tenants: new Dictionary<string, string> { ["etl"] = "etl_prod" }, alertGroups: new Dictionary<string, string> { ["ops"] = "ops-prod" },
        environments: new Dictionary<string, string> { ["spark"] = "spark-prod" }, parameters: new Dictionary<string, string> { ["db"] = "dw_prod" });

    private static WorkflowSpec Source() => new("etl", "daily", ImmutableArray.Create(
        new TaskSpec("extract", "SQL") { DataSource = "ods_uat", WorkerGroup = "uat", Environment = "spark-uat", Cache = true, RenamedFrom = "old" },
        new TaskSpec("wait", "DEPENDENT")
        {
            Dependence = new DependenceSpec("AND", ImmutableArray.Create(new DependGroupSpec("AND", ImmutableArray.Create(
                new DependItemSpec("etl", "weekly", null, "day", "today"), new DependItemSpec("shared", "calendar", null, "day", "today")))))
            { CheckInterval = 10, FailurePolicy = "DEPENDENT_FAILURE_WAITING" },
        }))
    {
        Tenant = "etl_uat", ReleaseState = "ONLINE",
        Parameters = ImmutableArray.Create(new ParameterSpec("db", "dw_uat"), new ParameterSpec("keep", "x")),
        Schedule = new ScheduleSpec("0 0 2 * * ? *") { WorkerGroup = "uat", WarningGroup = "ops-uat", Environment = "spark-uat", Online = true },
    };

    private static WorkflowSpec Mapped(string? destinationProject = null) =>
        WorkflowCopier.Map(Source(), new EnvironmentMappingInverse(Uat), Prod, p => destinationProject is not null && p == "etl" ? destinationProject : p);

    [Fact]
    public void Names_go_from_the_source_through_logical_names_to_the_destination()
    {
        var m = Mapped("etl_prod_copy");
        Assert.Equal(("etl_prod_copy", "etl_prod", "ods_prod", "prod", "spark-prod"), (m.Project, m.Tenant, m.Tasks[0].DataSource, m.Tasks[0].WorkerGroup, m.Tasks[0].Environment));
        Assert.Equal(("prod", "ops-prod", "spark-prod"), (m.Schedule!.WorkerGroup, m.Schedule.WarningGroup, m.Schedule.Environment));
        Assert.Equal(new[] { "dw_prod", "x" }, m.Parameters.Select(p => p.Value));
        Assert.Null(m.Tasks[0].RenamedFrom); // a rename on the source is not one on the destination
        // DEPENDENT items into the copied project follow it; others keep their project.
        Assert.Equal(new[] { "etl_prod_copy", "shared" }, m.Tasks[1].Dependence!.Groups[0].Items.Select(i => i.Project));
    }

    [Fact]
    public void Without_IncludeSchedule_the_destination_keeps_its_own_schedule_release_state_and_tenant()
    {
        var current = Mapped() with
        {
            ReleaseState = "OFFLINE", Tenant = "etl_other", Schedule = new ScheduleSpec("0 0 5 * * ? *") { Online = false },
        };
        var d = WorkflowCopier.ForDestination(Mapped(), current, DsDialect.Parse("3.2"), new WorkflowCopyOptions { Projects = new[] { "etl" } });
        Assert.Same(current.Schedule, d.Schedule);
        Assert.Equal(("OFFLINE", "etl_other"), (d.ReleaseState, d.Tenant));
        // No destination copy yet: no schedule at all, the source's release state; before 3.2 the tenant is on the definition.
        var created = WorkflowCopier.ForDestination(Mapped(), null, DsDialect.Parse("3.1"), new WorkflowCopyOptions { Projects = new[] { "etl" } });
        Assert.Equal((null, "ONLINE", "etl_prod"), (created.Schedule, created.ReleaseState, created.Tenant));
        Assert.Null(WorkflowCopier.ForDestination(Mapped(), null, DsDialect.Parse("3.2"), new WorkflowCopyOptions { Projects = new[] { "etl" } }).Tenant);
    }

    [Fact]
    public void A_copied_schedule_is_offline_unless_asked_and_an_online_one_on_the_destination_stays_online()
    {
        var options = new WorkflowCopyOptions { Projects = new[] { "etl" }, IncludeSchedule = true };
        var fresh = WorkflowCopier.ForDestination(Mapped(), null, DsDialect.Parse("3.2"), options);
        Assert.Equal(("0 0 2 * * ? *", false, "etl_prod"), (fresh.Schedule!.Cron, fresh.Schedule.Online, fresh.Tenant));
        var online = Mapped() with { ReleaseState = "ONLINE", Schedule = new ScheduleSpec("0 0 5 * * ? *") { Online = true } };
        Assert.True(WorkflowCopier.ForDestination(Mapped(), online, DsDialect.Parse("3.2"), options).Schedule!.Online);
        var asked = WorkflowCopier.ForDestination(Mapped() with { ReleaseState = "OFFLINE" }, null, DsDialect.Parse("3.2"), options with { ScheduleOnline = true });
        Assert.Equal((true, "ONLINE"), (asked.Schedule!.Online, asked.ReleaseState));
    }

    [Theory]
    [InlineData("3.2", true, 10)]
    [InlineData("3.4", false, 10)]
    [InlineData("3.1", false, null)]
    public void Fields_the_destination_version_cannot_keep_are_left_out(string dialect, bool cache, int? checkInterval)
    {
        var d = WorkflowCopier.ForDestination(Mapped(), null, DsDialect.Parse(dialect), new WorkflowCopyOptions { Projects = new[] { "etl" } });
        Assert.Equal(cache, d.Tasks[0].Cache);
        Assert.Equal(checkInterval, d.Tasks[1].Dependence!.CheckInterval);
    }
}
