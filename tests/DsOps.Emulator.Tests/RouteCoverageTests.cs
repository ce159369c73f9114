using DsOps.Emulator.Hosting;
using DsOps.Testing;
using Xunit.Abstractions;

namespace DsOps.Emulator.Tests;

/// <summary>The emulator answers only routes DS has in that version (tests/third_party/dolphinscheduler/endpoints) and the core ones it must.</summary>
public class RouteCoverageTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("3.0")]
    [InlineData("3.1")]
    [InlineData("3.2")]
    [InlineData("3.3")]
    [InlineData("3.4.0")]
    [InlineData("3.4.1")]
    [InlineData("3.4.2")]
    [InlineData("3.4")]
    public async Task Every_emulated_route_exists_in_the_versions_endpoint_file(string dialect)
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        var catalog = DsEmulator.LoadEndpoints(RepoPaths.DsData, emu.Dialect);
        var dsRoutes = catalog.Routes.Select(r => r.Key).ToHashSet();
        var emulated = emu.EmulatedRoutes;
        Assert.Equal(Array.Empty<string>(), emulated.Where(k => !dsRoutes.Contains(k)).ToArray());
        output.WriteLine($"DS {dialect}: {emulated.Count} of {dsRoutes.Count} routes emulated");

        var d = emu.Dialect;
        var wf = "/projects/{}/" + d.WorkflowDefinitionSegment;
        string[] required =
        {
            "POST /login", "GET /projects", "POST /projects", "GET " + wf, "POST " + wf, "PUT " + wf + "/{}", "DELETE " + wf + "/{}",
            "POST " + wf + "/{}/release", "GET " + wf + "/all", "GET " + wf + "/{}/versions",
            "GET /projects/{}/task-definition/gen-task-codes", "POST /projects/{}/schedules", "POST /projects/{}/schedules/{}/online",
            "POST /projects/{}/executors/" + d.StartWorkflowAction, "POST /projects/{}/executors/execute",
            "GET /projects/{}/" + d.WorkflowInstanceSegment, "GET /projects/{}/task-instances", "GET /projects/analysis/command-state-count",
            "POST /datasources", "POST /environment/create", "POST /worker-groups", "POST /tenants", "POST /alert-groups", "POST /alert-plugin-instances",
            "GET /monitor/databases",
        };
        if (d.HasImportExport) required = [.. required, "POST " + wf + "/batch-export", "POST " + wf + "/import"];
        Assert.Equal(Array.Empty<string>(), required.Where(k => !emulated.Contains(k)).ToArray());

        // The 3.4.x lines differ exactly where the dialect says: import (≤3.4.0), /v2 and task relations (≤3.4.1),
        // the with-upstream task edit (≤3.4.2).
        Assert.Equal(d.HasImportExport, dsRoutes.Contains("POST " + wf + "/import"));
        Assert.Equal(d.HasV2Api, dsRoutes.Any(k => k.Contains(" /v2/", StringComparison.Ordinal)));
        Assert.Equal(d.HasTaskRelationRoutes, dsRoutes.Contains("POST /projects/{}/" + d.TaskRelationSegment));
        Assert.Equal(d.HasTaskUpdateWithUpstream, dsRoutes.Contains("PUT /projects/{}/task-definition/{}/with-upstream"));
    }
}
