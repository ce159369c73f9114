using System.Globalization;
using System.Text.Json.Nodes;
using DsOps.Emulator.Hosting;
using Microsoft.AspNetCore.Http;

namespace DsOps.Emulator.Cluster;

/// <summary>
/// Runtime fault switches over HTTP, outside DS's context path, for tests in another process (Pester):
/// <list type="bullet">
/// <item>GET /emulator/cluster — the nodes and their switches</item>
/// <item>POST /emulator/nodes/{name}?registered=false&amp;overloaded=true&amp;actuatorDown=true&amp;heartbeatAgeSec=300&amp;heapMB=4096</item>
/// <item>POST /emulator/faults/{fault} — a metadata fault (Backlog, ErrorCommand, StuckInstance, PendingFailover, IdReuse, ...)</item>
/// <item>POST /emulator/database?threadsConnected=n — the Threads_connected /monitor/databases reports</item>
/// <item>POST /emulator/reset — clears every node switch (metadata faults stay)</item>
/// <item>POST /emulator/fix/{marker} — tasks whose script says <c>fail-until-fixed marker</c> succeed from their next try on</item>
/// </list>
/// </summary>
public static class EmulatorControl
{
    public static async Task HandleAsync(HttpContext http, EmulatorContext ctx, string path)
    {
        var method = http.Request.Method.ToUpperInvariant();
        var q = http.Request.Query;
        try
        {
            var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            switch (method, parts.Length > 0 ? parts[0] : "")
            {
                case ("GET", "cluster"):
                    break;
                case ("POST", "nodes") when parts.Length == 2:
                    var node = ctx.Cluster[parts[1]];
                    if (q.TryGetValue("registered", out var r)) node.Registered = bool.Parse(r!);
                    if (q.TryGetValue("overloaded", out var o)) node.Overloaded = bool.Parse(o!);
                    if (q.TryGetValue("actuatorDown", out var a)) node.ActuatorDown = bool.Parse(a!);
                    if (q.TryGetValue("heartbeatAgeSec", out var h)) node.HeartbeatAge = TimeSpan.FromSeconds(double.Parse(h!, CultureInfo.InvariantCulture));
                    if (q.TryGetValue("heapMB", out var m)) node.HeapMB = double.Parse(m!, CultureInfo.InvariantCulture);
                    break;
                case ("POST", "faults") when parts.Length == 2:
                    await new MetadataFaults(ctx).InjectAsync(Enum.Parse<MetadataFault>(parts[1], ignoreCase: true)).ConfigureAwait(false);
                    break;
                case ("POST", "database"):
                    ctx.Cluster.ThreadsConnectedOverride = q.TryGetValue("threadsConnected", out var t) && t.ToString().Length > 0
                        ? long.Parse(t!, CultureInfo.InvariantCulture) : null;
                    break;
                case ("POST", "fix") when parts.Length == 2:
                    ctx.Master.MarkFixed(Uri.UnescapeDataString(parts[1]));
                    break;
                case ("POST", "reset"):
                    ctx.Cluster.Reset();
                    ctx.Master.ConsumeCommands = true;
                    break;
                default:
                    http.Response.StatusCode = 404;
                    return;
            }
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or KeyNotFoundException)
        {
            http.Response.StatusCode = 400;
            await http.Response.WriteAsync(ex.Message).ConfigureAwait(false);
            return;
        }
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(new JsonArray(ctx.Cluster.Nodes.Select(n => (JsonNode)new JsonObject
        {
            ["name"] = n.Name, ["role"] = n.Role.ToString(), ["host"] = n.Host, ["port"] = n.Port, ["actuatorPort"] = n.ActuatorPort,
            ["registered"] = n.Registered, ["overloaded"] = n.Overloaded, ["actuatorDown"] = n.ActuatorDown,
            ["heartbeatAgeSec"] = n.HeartbeatAge.TotalSeconds, ["heapMB"] = n.HeapMB,
        }).ToArray()).ToJsonString()).ConfigureAwait(false);
    }
}
