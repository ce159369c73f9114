using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using DsOps.Engine.Api;
using DsOps.Engine.Dialects;
using DsOps.Engine.Metadata;
using DsOps.Engine.Models;

namespace DsOps.Engine.Inspection;

/// <summary>What an inspection runs against and how it selects checks.</summary>
public sealed class HealthInspectionOptions
{
    /// <summary>The DS API connection (registry, load, database figures); checks that need it are Skipped without it.</summary>
    public DsConnection? Api { get; init; }
    /// <summary>The metadata database (backlog, instances, integrity); checks that need it are Skipped without it.</summary>
    public DsMetadataConnection? Metadata { get; init; }
    internal HealthConfig Config { get; init; } = new();
    /// <summary>Exact check ids to run (case-insensitive); empty: every check of the baseline.</summary>
    public IReadOnlyCollection<string> Checks { get; init; } = Array.Empty<string>();
    /// <summary>Only checks carrying one of these tags (Quick, Deep, Node, Metadata ...).</summary>
    public IReadOnlyCollection<string> Tags { get; init; } = Array.Empty<string>();
    public IReadOnlyCollection<string> Exclude { get; init; } = Array.Empty<string>();
    /// <summary>Pins the check set to a baseline (overrides the config file's); null: the config's, else the latest.</summary>
    public string? Baseline { get; init; }
    /// <summary>"CheckId.threshold" → value; wins over the config file.</summary>
    public IReadOnlyDictionary<string, double> Thresholds { get; init; } = new Dictionary<string, double>();
    /// <summary>The instant the inspection is "as of" (default: now).</summary>
    public DateTimeOffset? AsOf { get; init; }
    /// <summary>Time zone for times in messages (default local).</summary>
    public TimeZoneInfo? BusinessTimeZone { get; init; }
}

/// <summary>
/// One inspection: the facts every check shares, read at most once each (one /monitor read serves every node
/// check, one instance scan serves the instance checks), and the thresholds in force.
/// </summary>
internal sealed class HealthRun : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<object?>>> _facts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _thresholds;
    private ActuatorReader? _actuator;

    public HealthRun(HealthInspectionOptions options, DsDialect dialect)
    {
        Options = options;
        Dialect = dialect;
        AsOf = options.AsOf ?? DateTimeOffset.UtcNow;
        _thresholds = new Dictionary<string, double>(options.Config.Thresholds, StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in options.Thresholds) _thresholds[k] = v;
        if (options.Metadata is not null) Reader = new DsMetadataReader(options.Metadata, options.BusinessTimeZone);
    }

    public HealthInspectionOptions Options { get; }
    public HealthConfig Config => Options.Config;
    public DsDialect Dialect { get; }
    public DateTimeOffset AsOf { get; }
    public DsClient? Api => Options.Api?.Client;
    public DsMetadataConnection? Metadata => Options.Metadata;
    public DsMetadataReader? Reader { get; }
    /// <summary>At most this many metadata checks run at once (each opens its own pooled session).</summary>
    public SemaphoreSlim MetadataGate { get; } = new(4, 4);

    public ActuatorReader Actuator => _actuator ??= new ActuatorReader(Config.ActuatorTimeout, Config.ActuatorScheme, Options.Api?.SkipCertificateCheck ?? false);


    /// <summary>The value in force: parameter, else config file, else the check's default (null: the version's own).</summary>
    public double? Threshold(HealthCheck check, string name)
    {
        if (_thresholds.TryGetValue(check.Info.Id + "." + name, out var v)) return v;
        return check.Info.Thresholds.First(t => t.Name == name).Default;
    }

    public double Required(HealthCheck check, string name) => Threshold(check, name)
        ?? throw new InvalidOperationException($"{check.Info.Id}.{name} has no default.");

    /// <summary>A fact read at most once per inspection, shared by every check that asks for it.</summary>
    public async Task<T> Fact<T>(string key, Func<Task<T>> read)
    {
        var lazy = _facts.GetOrAdd(key, _ => new Lazy<Task<object?>>(async () => await read().ConfigureAwait(false)));
        return (T)(await lazy.Value.ConfigureAwait(false))!;
    }

    // ---------------- shared facts ----------------

    /// <summary>Registered servers per role as DS's monitor lists them (roles the version does not list are absent).</summary>
    public Task<Dictionary<DsServerRole, IReadOnlyList<DsServerNode>>> RegisteredAsync(CancellationToken ct) => Fact("registered", async () =>
    {
        var result = new Dictionary<DsServerRole, IReadOnlyList<DsServerNode>>();
        var tasks = Dialect.MonitoredRoles.Select(async r => (r, await Api!.GetServerNodesAsync(r, ct).ConfigureAwait(false))).ToList();
        foreach (var (role, nodes) in await Task.WhenAll(tasks).ConfigureAwait(false)) result[role] = nodes;
        return result;
    });

    public static DsServerRole? RegistryRole(DsNodeRole role) => role switch
    {
        DsNodeRole.Master => DsServerRole.Master, DsNodeRole.Worker => DsServerRole.Worker, DsNodeRole.Alert => DsServerRole.AlertServer, _ => null,
    };

    public static DsNodeRole RoleOf(DsServerRole role) => role switch
    {
        DsServerRole.Master => DsNodeRole.Master, DsServerRole.Worker => DsNodeRole.Worker, _ => DsNodeRole.Alert,
    };

    /// <summary>Whether <paramref name="node"/> is in the registry; null when this version's API does not list its role.</summary>
    public static bool? IsRegistered(DsExpectedNode node, Dictionary<DsServerRole, IReadOnlyList<DsServerNode>> registered) =>
        RegistryRole(node.Role) is { } r && registered.TryGetValue(r, out var list)
            ? list.Any(n => SameHost(n.Host, node.Host) && n.Port == node.Port)
            : null;

    public static bool SameHost(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The services whose actuator the checks read: the inventory, or without one the registered nodes on their
    /// role's default actuator port plus the API server of the connection.
    /// </summary>
    public async Task<IReadOnlyList<DsExpectedNode>> ActuatorTargetsAsync(CancellationToken ct)
    {
        if (Config.HasInventory) return Config.Nodes;
        var list = new List<DsExpectedNode>();
        if (Api is not null)
        {
            foreach (var (role, nodes) in await RegisteredAsync(ct).ConfigureAwait(false))
                foreach (var n in nodes)
                    list.Add(new DsExpectedNode { Host = n.Host, Role = RoleOf(role), Port = n.Port, ActuatorPort = HealthConfig.DefaultActuatorPort(RoleOf(role)) });
            var uri = Options.Api!.Uri;
            list.Add(new DsExpectedNode { Host = uri.Host, Role = DsNodeRole.Api, Port = uri.Port, ActuatorPort = uri.Port });
        }
        return list;
    }

    public Task<ActuatorHealth> HealthOfAsync(DsExpectedNode node, CancellationToken ct) =>
        Fact("health:" + node.Role + ":" + node.Host + ":" + node.ActuatorPort, () => Actuator.GetHealthAsync(node, ct));

    public Task<double?> HeapOfAsync(DsExpectedNode node, CancellationToken ct) => node.HeapMB is { } configured
        ? Task.FromResult<double?>(configured)
        : Fact("heap:" + node.Role + ":" + node.Host + ":" + node.ActuatorPort, () => Actuator.GetMaxHeapMBAsync(node, ct));

    public Task<DsDatabaseState?> DatabaseAsync(CancellationToken ct) => Fact("database", async () =>
        (await Api!.GetDatabaseStatesAsync(ct).ConfigureAwait(false)).FirstOrDefault());

    /// <summary>Server-local "now" of the metadata database.</summary>
    public DateTime ServerNow => Reader!.Clock.ToServer(AsOf);

    public DateTimeOffset? Business(DateTime? serverTime) => Reader!.Clock.ToBusiness(serverTime);

    /// <summary>In-progress workflow instances started within <paramref name="lookbackDays"/> (through start_time_index).</summary>
    public Task<List<DsMetadataReader.InstanceRow>> InProgressInstancesAsync(double lookbackDays, CancellationToken ct) =>
        Fact("inprogress:" + lookbackDays.ToString(CultureInfo.InvariantCulture), async () =>
        {
            await using var session = await Metadata!.OpenSessionAsync(ct).ConfigureAwait(false);
            return await Reader!.InProgressInstancesAsync(session, ServerNow - TimeSpan.FromDays(lookbackDays), ServerNow, ct).ConfigureAwait(false);
        });

    public Task<MetadataCatalog> CatalogAsync(CancellationToken ct) => Fact("catalog", async () =>
    {
        await using var session = await Metadata!.OpenSessionAsync(ct).ConfigureAwait(false);
        return await MetadataCatalog.LoadAsync(session, withSchedules: true, ct).ConfigureAwait(false);
    });

    public async Task<List<T>> QueryAsync<T>(string sql, Dictionary<string, object?>? p, Func<System.Data.Common.DbDataReader, T> map, CancellationToken ct)
    {
        await using var session = await Metadata!.OpenSessionAsync(ct).ConfigureAwait(false);
        return await session.QueryAsync(sql, p, map, ct).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _actuator?.Dispose();
        MetadataGate.Dispose();
    }
}

/// <summary>Wildcard patterns for config values the engine matches itself (<see cref="DsOps.Engine.Text.Wildcard"/>).</summary>
internal static class HealthGlob
{
    public static Func<string, bool> Compile(IEnumerable<string> patterns)
    {
        var compiled = patterns.Select(p => new DsOps.Engine.Text.Wildcard(p)).ToList();
        return s => compiled.Any(r => r.IsMatch(s));
    }
}
