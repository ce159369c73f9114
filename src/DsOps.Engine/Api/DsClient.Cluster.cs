using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using DsOps.Engine.Api.Dto;
using DsOps.Engine.Dialects;
using DsOps.Engine.Models;

namespace DsOps.Engine.Api;

// Cluster-wide reads: registry nodes, data sources, worker groups, environments, tenants, alert groups.
internal sealed partial class DsClient
{
    /// <summary>Servers of one role as the registry reports them (route per version: §3.8).</summary>
    public async Task<IReadOnlyList<DsServerNode>> GetServerNodesAsync(DsServerRole role, CancellationToken ct = default)
    {
        var path = Dialect.MonitorPath(role);
        var servers = await CallAsync<List<ServerDto>>("GET " + path, (api, t) => api.GetPath(path, t), ct).ConfigureAwait(false) ?? new();
        return servers.Select(s => MapServer(role, s)).ToArray();
    }

    /// <summary>The metadata database as the API server sees it (GET /monitor/databases, every 3.x version).</summary>
    public async Task<IReadOnlyList<DsDatabaseState>> GetDatabaseStatesAsync(CancellationToken ct = default)
    {
        var rows = await CallAsync<List<DatabaseStateDto>>("GET monitor/databases", (api, t) => api.GetPath("monitor/databases", t), ct).ConfigureAwait(false) ?? new();
        return rows.Select(r => new DsDatabaseState
        {
            DbType = r.DbType ?? "", MaxConnections = r.MaxConnections, MaxUsedConnections = r.MaxUsedConnections,
            ThreadsConnected = r.ThreadsConnections, ThreadsRunning = r.ThreadsRunningConnections, Healthy = string.Equals(r.State, "YES", StringComparison.OrdinalIgnoreCase),
        }).ToArray();
    }

    private DsServerNode MapServer(DsServerRole role, ServerDto s)
    {
        double? cpu = null, memory = null, load = null, disk = null, jvmCpu = null, jvmMemory = null, available = null, maxLoad = null, reserved = null;
        string? status = null;
        DateTime? reported = null, started = null;
        if (!string.IsNullOrWhiteSpace(s.ResInfo))
        {
            // resInfo is a JSON *string* whose fields vary by version (docs/ds-facts.md §3.8).
            try
            {
                using var doc = JsonDocument.Parse(s.ResInfo);
                var r = doc.RootElement;
                cpu = Number(r, "cpuUsage");
                memory = Number(r, "memoryUsage");
                load = Number(r, "loadAverage");
                disk = Number(r, "diskUsage");
                jvmCpu = Number(r, "jvmCpuUsage");
                jvmMemory = Number(r, "jvmMemoryUsage");
                available = Number(r, "availablePhysicalMemorySize");
                maxLoad = Number(r, "maxCpuloadAvg");
                reserved = Number(r, "reservedMemory");
                if (r.TryGetProperty("serverStatus", out var st))
                    status = st.ValueKind == JsonValueKind.Number
                        ? st.GetInt32() switch { 0 => "NORMAL", 1 => "ABNORMAL", 2 => "BUSY", var n => n.ToString(CultureInfo.InvariantCulture) }
                        : st.GetString();
                if (Number(r, "reportTime") is { } rt) reported = DateTimeOffset.FromUnixTimeMilliseconds((long)rt).LocalDateTime;
                if (Number(r, "startupTime") is { } su) started = DateTimeOffset.FromUnixTimeMilliseconds((long)su).LocalDateTime;
            }
            catch (JsonException)
            {
                status = "UNREADABLE";
            }
        }
        var groups = (s.ZkDirectories ?? (s.ZkDirectory is null ? new List<string>() : new List<string> { s.ZkDirectory }))
            .Select(WorkerGroupOf).Where(g => g is not null).Select(g => g!).Distinct().ToArray();
        return new DsServerNode
        {
            Role = role,
            Host = s.Host ?? "",
            Port = s.Port,
            Status = status,
            CpuUsage = cpu,
            MemoryUsage = memory,
            LoadAverage = load,
            DiskUsage = disk,
            JvmCpuUsage = jvmCpu,
            JvmMemoryUsage = jvmMemory,
            AvailableMemoryGB = available,
            MaxCpuLoadAverage = maxLoad,
            ReservedMemoryGB = reserved,
            StartupTime = started ?? ToLocal(s.CreateTime),
            LastHeartbeat = reported ?? ToLocal(s.LastHeartbeatTime),
            WorkerGroups = groups,
            Connection = Owner,
        };
    }

    // 3.0.x registers workers under /nodes/worker/<group>/<ip:port>; 3.2+ has no group level.
    private static string? WorkerGroupOf(string zkDirectory)
    {
        var parts = zkDirectory.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 4 && parts[1] == "worker" ? parts[2] : null;
    }

    private static double? Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    public async IAsyncEnumerable<DsDataSource> GetDataSourcesAsync(string? searchVal = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var d in PagedAsync<DataSourceDto>("GET datasources", (api, n, s, t) => api.ListDataSources(n, s, searchVal, t), ct).ConfigureAwait(false))
            yield return new DsDataSource
            {
                Id = d.Id,
                Name = d.Name ?? "",
                Type = d.Type.ValueKind == JsonValueKind.String ? d.Type.GetString() : d.Type.ValueKind == JsonValueKind.Number ? d.Type.GetRawText() : null,
                Note = d.Note,
                Owner = d.UserName,
                UpdateTime = ToLocal(d.UpdateTime),
            };
    }

    public async IAsyncEnumerable<DsWorkerGroup> GetWorkerGroupsAsync(string? searchVal = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var g in PagedAsync<WorkerGroupDto>("GET worker-groups", (api, n, s, t) => api.ListWorkerGroups(n, s, searchVal, t), ct).ConfigureAwait(false))
            yield return new DsWorkerGroup
            {
                Id = g.Id,
                Name = g.Name ?? "",
                Addresses = (g.AddrList ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                Description = g.Description,
                SystemDefault = g.SystemDefault,
            };
    }

    public async IAsyncEnumerable<DsEnvironment> GetEnvironmentsAsync(string? searchVal = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var e in PagedAsync<EnvironmentDto>("GET environment/list-paging", (api, n, s, t) => api.ListEnvironments(n, s, searchVal, t), ct).ConfigureAwait(false))
            yield return new DsEnvironment
            {
                EnvironmentCode = e.Code,
                Name = e.Name ?? "",
                Description = e.Description,
                WorkerGroups = e.WorkerGroups ?? new List<string>(),
                Config = e.Config,
            };
    }

    public async IAsyncEnumerable<DsTenant> GetTenantsAsync(string? searchVal = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var e in PagedAsync<TenantDto>("GET tenants", (api, n, s, t) => api.ListTenants(n, s, searchVal, t), ct).ConfigureAwait(false))
            yield return new DsTenant { Id = e.Id, TenantCode = e.TenantCode ?? "", Description = e.Description, Queue = e.QueueName ?? e.Queue };
    }

    public async IAsyncEnumerable<DsAlertGroup> GetAlertGroupsAsync(string? searchVal = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var e in PagedAsync<AlertGroupDto>("GET alert-groups", (api, n, s, t) => api.ListAlertGroups(n, s, searchVal, t), ct).ConfigureAwait(false))
            yield return new DsAlertGroup
            {
                Id = e.Id,
                Name = e.GroupName ?? "",
                Description = e.Description,
                AlertInstanceIds = (e.AlertInstanceIds ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(x => int.TryParse(x, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) ? id : -1).Where(id => id >= 0).ToArray(),
            };
    }
}
