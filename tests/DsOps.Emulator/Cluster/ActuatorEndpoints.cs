using System.Globalization;
using System.Text.Json.Nodes;
using DsOps.Engine.Dialects;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DsOps.Emulator.Cluster;

/// <summary>
/// Spring Boot actuator of each emulated service: /actuator/health and /actuator/metrics/jvm.memory.max.
/// Health has the db component (not on 3.2+ workers, which have no datasource) and, from 3.2.2, the registry
/// indicator named after the role (names derived from DS's bean names, unverified). DOWN answers HTTP 503 as Spring does.
/// </summary>
public static class ActuatorEndpoints
{
    public static async Task<bool> TryHandleAsync(HttpContext http, EmulatedNode node, DsDialect dialect, string subPath)
    {
        http.Response.ContentType = "application/vnd.spring-boot.actuator.v3+json";
        switch (subPath)
        {
            case "health":
                var (status, body) = Health(node, dialect);
                http.Response.StatusCode = status;
                await http.Response.WriteAsync(body.ToJsonString()).ConfigureAwait(false);
                return true;
            case "metrics/jvm.memory.max":
                var heapBytes = node.HeapMB * 1024 * 1024;
                var area = http.Request.Query["tag"].ToString();
                // Without tag=area:heap Spring sums heap and non-heap pools; the emulator adds a fixed 256 MB of non-heap.
                var value = area == "area:heap" ? heapBytes : heapBytes + 256d * 1024 * 1024;
                await http.Response.WriteAsync(new JsonObject
                {
                    ["name"] = "jvm.memory.max", ["description"] = "The maximum amount of memory in bytes that can be used for memory management",
                    ["baseUnit"] = "bytes",
                    ["measurements"] = new JsonArray(new JsonObject { ["statistic"] = "VALUE", ["value"] = value }),
                    ["availableTags"] = new JsonArray(new JsonObject { ["tag"] = "area", ["values"] = new JsonArray("heap", "nonheap") }),
                }.ToJsonString()).ConfigureAwait(false);
                return true;
            default:
                http.Response.StatusCode = 404;
                return true;
        }
    }

    private static (int Status, JsonObject Body) Health(EmulatedNode node, DsDialect dialect)
    {
        var components = new JsonObject();
        var hasDb = !(node.Role == EmulatedRole.Worker && dialect.Version >= new Version(3, 2, 0));
        var registry = dialect.ActuatorHealthReportsRegistry;
        if (hasDb)
            components["db"] = new JsonObject
            {
                ["status"] = node.ActuatorDown && !registry ? "DOWN" : "UP",
                ["details"] = new JsonObject { ["database"] = "MySQL", ["validationQuery"] = "isValid()" },
            };
        if (registry)
            components[node.Role.ToString().ToLowerInvariant()] = new JsonObject { ["status"] = node.ActuatorDown ? "DOWN" : "UP" };
        var status = node.ActuatorDown ? "DOWN" : "UP";
        return (node.ActuatorDown ? 503 : 200, new JsonObject { ["status"] = status, ["components"] = components });
    }

    /// <summary>One web host answering every non-API node's actuator on its own loopback address and port.</summary>
    internal static async Task<WebApplication?> StartAsync(EmulatedCluster cluster, DsDialect dialect, CancellationToken ct)
    {
        var nodes = cluster.Nodes.Where(n => n.Role != EmulatedRole.Api).ToList();
        if (nodes.Count == 0) return null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));
        builder.WebHost.UseUrls(nodes.Select(n => $"http://{n.Host}:{n.ActuatorPort.ToString(CultureInfo.InvariantCulture)}").ToArray());
        var app = builder.Build();
        app.Run(async http =>
        {
            var local = http.Connection.LocalIpAddress?.ToString();
            var node = nodes.FirstOrDefault(n => n.ActuatorPort == http.Connection.LocalPort && n.Host == local);
            var path = http.Request.Path.Value ?? "";
            if (node is null || !path.StartsWith("/actuator/", StringComparison.Ordinal))
            {
                http.Response.StatusCode = 404;
                return;
            }
            await TryHandleAsync(http, node, dialect, path["/actuator/".Length..]).ConfigureAwait(false);
        });
        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return app;
    }
}
