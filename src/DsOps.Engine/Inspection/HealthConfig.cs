using System.Globalization;
using DsOps.Engine.Specs.Documents;
using DsOps.Engine.Specs.Model;

namespace DsOps.Engine.Inspection;

/// <summary>A DS service role as the inventory names it (the API server is not in DS's registry).</summary>
internal enum DsNodeRole { Master, Worker, Alert, Api }

/// <summary>One service the cluster is expected to run: where, on which ports, with how much heap.</summary>
internal sealed class DsExpectedNode
{
    public required string Host { get; init; }
    public required DsNodeRole Role { get; init; }
    /// <summary>The port the node registers under (RPC: master 5678, worker 1234, alert 50052; api 12345).</summary>
    public int Port { get; init; }
    /// <summary>Spring Boot actuator port (master 5679, worker 1235, alert 50053, api 12345 under /dolphinscheduler).</summary>
    public int ActuatorPort { get; init; }
    /// <summary>Heap (-Xmx) in MB when known from config; otherwise the check reads it from the actuator.</summary>
    public double? HeapMB { get; init; }
    public string Address => $"{Host}:{Port}";
    public override string ToString() => $"{HealthConfig.RoleName(Role)} {Address}";
}

/// <summary>A host of the cluster with its physical memory.</summary>
internal sealed record DsExpectedHost(string Host, double? MemoryGB);

/// <summary>
/// What the checks compare against: the expected inventory (DS's monitor simply omits a dead server, so the
/// expected list must come from here), threshold overrides, excluded checks, a pinned baseline and the
/// workflows that count as core. Read from a JSON or YAML file with the safe reader (no types instantiated).
/// </summary>
internal sealed class HealthConfig
{
    public List<DsExpectedNode> Nodes { get; } = new();
    public List<DsExpectedHost> Hosts { get; } = new();
    /// <summary>"CheckId.threshold" → value.</summary>
    public Dictionary<string, double> Thresholds { get; } = new(StringComparer.OrdinalIgnoreCase);
    public List<string> ExcludeChecks { get; } = new();
    public string? Baseline { get; set; }
    /// <summary>"project/workflow" wildcard patterns of core workflows; empty means every workflow with an online schedule.</summary>
    public List<string> CoreWorkflows { get; } = new();
    public TimeSpan ActuatorTimeout { get; set; } = TimeSpan.FromSeconds(5);
    public string ActuatorScheme { get; set; } = "http";

    public bool HasInventory => Nodes.Count > 0;

    public static int DefaultPort(DsNodeRole role) => role switch
    {
        DsNodeRole.Master => 5678, DsNodeRole.Worker => 1234, DsNodeRole.Alert => 50052, _ => 12345,
    };

    public static int DefaultActuatorPort(DsNodeRole role) => role switch
    {
        DsNodeRole.Master => 5679, DsNodeRole.Worker => 1235, DsNodeRole.Alert => 50053, _ => 12345,
    };

    public static string RoleName(DsNodeRole role) => role.ToString().ToLowerInvariant();

    public static bool TryParseRole(string? text, out DsNodeRole role)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "master": role = DsNodeRole.Master; return true;
            case "worker": role = DsNodeRole.Worker; return true;
            case "alert" or "alert-server" or "alertserver": role = DsNodeRole.Alert; return true;
            case "api" or "api-server" or "apiserver": role = DsNodeRole.Api; return true;
            default: role = default; return false;
        }
    }

    /// <summary>Reads a health config file (JSON or YAML). Errors name the file, line and column.</summary>
    public static HealthConfig Load(string path)
    {
        SpecNode? root;
        try
        {
            root = SafeYamlReader.ReadFile(path);
        }
        catch (FileNotFoundException)
        {
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsHealthConfigNotFound", $"Health config file '{path}' does not exist.");
        }
        catch (SpecLoadException ex)
        {
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsHealthConfigInvalid", ex.Message);
        }
        var config = new HealthConfig();
        if (root is null) return config;
        if (root is not SpecMapping map) throw Bad(root, "the document must be a mapping (inventory, thresholds, exclude, baseline, coreWorkflows, actuator)");
        foreach (var (key, value) in map.Entries)
        {
            switch (key.Value)
            {
                case "inventory": ReadInventory(config, value); break;
                case "thresholds": ReadThresholds(config, value); break;
                case "exclude": config.ExcludeChecks.AddRange(Strings(value, "exclude")); break;
                case "coreWorkflows": config.CoreWorkflows.AddRange(Strings(value, "coreWorkflows")); break;
                case "baseline": config.Baseline = Scalar(value, "baseline"); break;
                case "actuator":
                    foreach (var (k, v) in Mapping(value, "actuator").Entries)
                    {
                        if (k.Value == "timeoutSec") config.ActuatorTimeout = TimeSpan.FromSeconds(Number(v, "actuator.timeoutSec"));
                        else if (k.Value == "scheme")
                        {
                            var scheme = Scalar(v, "actuator.scheme");
                            if (scheme is not ("http" or "https")) throw Bad(v, "actuator.scheme must be http or https");
                            config.ActuatorScheme = scheme;
                        }
                        else throw Bad(k, $"unknown key 'actuator.{k.Value}' (timeoutSec, scheme)");
                    }
                    break;
                default: throw Bad(key, $"unknown key '{key.Value}' (inventory, thresholds, exclude, baseline, coreWorkflows, actuator)");
            }
        }
        return config;
    }

    /// <summary>Adds hosts from a list like [{host, memoryGB, roles:[...], ports:{role:n}, actuatorPorts:{role:n}, heapMB:{role:n}}].</summary>
    private static void ReadInventory(HealthConfig config, SpecNode node)
    {
        if (node is not SpecSequence seq) throw Bad(node, "inventory must be a list of hosts");
        foreach (var item in seq.Items)
        {
            var m = Mapping(item, "inventory entry");
            string? host = null;
            double? memory = null;
            var roles = new List<DsNodeRole>();
            Dictionary<DsNodeRole, double> ports = new(), actuatorPorts = new(), heap = new();
            foreach (var (k, v) in m.Entries)
            {
                switch (k.Value)
                {
                    case "host": host = Scalar(v, "inventory.host"); break;
                    case "memoryGB": memory = Number(v, "inventory.memoryGB"); break;
                    case "roles":
                        foreach (var r in Strings(v, "inventory.roles"))
                            roles.Add(TryParseRole(r, out var role) ? role : throw Bad(v, $"unknown role '{r}' (master, worker, alert, api)"));
                        break;
                    case "ports": ReadRoleNumbers(v, "inventory.ports", ports); break;
                    case "actuatorPorts": ReadRoleNumbers(v, "inventory.actuatorPorts", actuatorPorts); break;
                    case "heapMB": ReadRoleNumbers(v, "inventory.heapMB", heap); break;
                    default: throw Bad(k, $"unknown key 'inventory.{k.Value}' (host, memoryGB, roles, ports, actuatorPorts, heapMB)");
                }
            }
            if (string.IsNullOrWhiteSpace(host)) throw Bad(item, "an inventory entry needs a host");
            config.Hosts.Add(new DsExpectedHost(host, memory));
            foreach (var role in roles.Distinct())
                config.Nodes.Add(new DsExpectedNode
                {
                    Host = host, Role = role,
                    Port = ports.TryGetValue(role, out var p) ? (int)p : DefaultPort(role),
                    ActuatorPort = actuatorPorts.TryGetValue(role, out var a) ? (int)a : DefaultActuatorPort(role),
                    HeapMB = heap.TryGetValue(role, out var h) ? h : null,
                });
        }
    }

    private static void ReadRoleNumbers(SpecNode node, string what, Dictionary<DsNodeRole, double> into)
    {
        foreach (var (k, v) in Mapping(node, what).Entries)
            into[TryParseRole(k.Value, out var role) ? role : throw Bad(k, $"unknown role '{k.Value}' in {what}")] = Number(v, what + "." + k.Value);
    }

    /// <summary>thresholds: { "Command.Backlog": { maxCount: 50 } } or { "Command.Backlog.maxCount": 50 }.</summary>
    private static void ReadThresholds(HealthConfig config, SpecNode node)
    {
        foreach (var (k, v) in Mapping(node, "thresholds").Entries)
        {
            if (v is SpecMapping inner)
                foreach (var (name, value) in inner.Entries) config.Thresholds[k.Value + "." + name.Value] = Number(value, $"thresholds.{k.Value}.{name.Value}");
            else config.Thresholds[k.Value!] = Number(v, "thresholds." + k.Value);
        }
    }

    private static SpecMapping Mapping(SpecNode node, string what) => node as SpecMapping ?? throw Bad(node, $"{what} must be a mapping");

    private static string Scalar(SpecNode node, string what) =>
        node is SpecScalar { Value: { } s } ? s : throw Bad(node, $"{what} must be a text value");

    private static double Number(SpecNode node, string what) =>
        node is SpecScalar { Value: { } s } && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            ? d
            : throw Bad(node, $"{what} must be a number");

    private static IEnumerable<string> Strings(SpecNode node, string what) => node switch
    {
        SpecSequence s => s.Items.Select(i => Scalar(i, what)).ToList(),
        SpecScalar { Value: { } one } => new[] { one },
        _ => throw Bad(node, $"{what} must be a list of text values"),
    };

    private static DsOpsException Bad(SpecNode node, string message) =>
        new(DsErrorKind.InvalidInput, "DsHealthConfigInvalid", node.Location.IsKnown ? $"{node.Location}: {message}" : message);
}
