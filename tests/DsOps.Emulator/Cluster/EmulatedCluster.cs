using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DsOps.Emulator.Cluster;

public enum EmulatedRole { Master, Worker, Alert, Api }

/// <summary>
/// One DS service of the emulated cluster, with runtime switches for the faults health checks look for.
/// Every switch is read on each request, so a test flips it and the next read sees the fault.
/// </summary>
public sealed class EmulatedNode
{
    public required string Name { get; init; }
    public required EmulatedRole Role { get; init; }
    public required string Host { get; init; }
    /// <summary>Registry (RPC) port; for the API server its HTTP port.</summary>
    public required int Port { get; init; }
    /// <summary>Spring Boot actuator port (loopback, free port); the API server's actuator is under its context path.</summary>
    public int ActuatorPort { get; set; }
    public string Address => $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>False: the node has dropped out of DS's registry (monitor no longer lists it); its process still answers.</summary>
    public bool Registered { get; set; } = true;
    /// <summary>The heartbeat reports status BUSY and usage over the version's thresholds.</summary>
    public bool Overloaded { get; set; }
    /// <summary>/actuator/health answers DOWN (3.2.2+: the registry component; before: db).</summary>
    public bool ActuatorDown { get; set; }
    /// <summary>How old the reported heartbeat is.</summary>
    public TimeSpan HeartbeatAge { get; set; }
    /// <summary>-Xmx in MB, served as jvm.memory.max{area=heap}.</summary>
    public double HeapMB { get; set; }

    internal void Reset(double heapMB)
    {
        Registered = true;
        Overloaded = ActuatorDown = false;
        HeartbeatAge = TimeSpan.Zero;
        HeapMB = heapMB;
    }
}

/// <summary>
/// The emulated cluster: DS services on loopback hosts (127.0.0.x), each with its own actuator port. The default is
/// one host with a master, a worker, an alert server and the API; <see cref="ThreeHosts"/> mirrors a small
/// production layout (3 × 8 GB hosts).
/// </summary>
public sealed class EmulatedCluster
{
    private readonly Dictionary<string, double> _defaultHeaps = new(StringComparer.Ordinal);

    public EmulatedCluster(IEnumerable<EmulatedNode> nodes, IReadOnlyDictionary<string, double> hostMemoryGB)
    {
        Nodes = nodes.ToList();
        HostMemoryGB = hostMemoryGB;
        foreach (var n in Nodes) _defaultHeaps[n.Name] = n.HeapMB;
    }

    public IReadOnlyList<EmulatedNode> Nodes { get; }
    public IReadOnlyDictionary<string, double> HostMemoryGB { get; }
    /// <summary>Threads_connected reported by /monitor/databases instead of the real figure (null: the real one).</summary>
    public long? ThreadsConnectedOverride { get; set; }

    public EmulatedNode this[string name] => Nodes.FirstOrDefault(n => n.Name == name)
        ?? throw new KeyNotFoundException($"No emulated node '{name}'; nodes: {string.Join(", ", Nodes.Select(n => n.Name))}.");

    public IEnumerable<EmulatedNode> Registered(EmulatedRole role) => Nodes.Where(n => n.Role == role && n.Registered);

    /// <summary>Clears every fault and restores the heaps the cluster started with.</summary>
    public void Reset()
    {
        foreach (var n in Nodes) n.Reset(_defaultHeaps[n.Name]);
        ThreadsConnectedOverride = null;
    }

    /// <summary>One 8 GB host: master 127.0.0.1:5678, worker 127.0.0.1:1234, alert 127.0.0.1:50052, the API; heaps 2 GB / 2 GB / 512 MB / 512 MB.</summary>
    public static EmulatedCluster SingleHost() => new(new[]
    {
        Node("master-1", EmulatedRole.Master, "127.0.0.1", 5678, 2048),
        Node("worker-1", EmulatedRole.Worker, "127.0.0.1", 1234, 2048),
        Node("alert-1", EmulatedRole.Alert, "127.0.0.1", 50052, 512),
        Node("api-1", EmulatedRole.Api, "127.0.0.1", 0, 512),
    }, new Dictionary<string, double> { ["127.0.0.1"] = 8 });

    /// <summary>Three 8 GB hosts: masters on the first two, a worker on each, alert and API on the first.</summary>
    public static EmulatedCluster ThreeHosts() => new(new[]
    {
        Node("master-1", EmulatedRole.Master, "127.0.0.1", 5678, 2048),
        Node("worker-1", EmulatedRole.Worker, "127.0.0.1", 1234, 2048),
        Node("alert-1", EmulatedRole.Alert, "127.0.0.1", 50052, 512),
        Node("api-1", EmulatedRole.Api, "127.0.0.1", 0, 512),
        Node("master-2", EmulatedRole.Master, "127.0.0.2", 5678, 2048),
        Node("worker-2", EmulatedRole.Worker, "127.0.0.2", 1234, 2048),
        Node("worker-3", EmulatedRole.Worker, "127.0.0.3", 1234, 2048),
    }, new Dictionary<string, double> { ["127.0.0.1"] = 8, ["127.0.0.2"] = 8, ["127.0.0.3"] = 8 });

    private static EmulatedNode Node(string name, EmulatedRole role, string host, int port, double heap) =>
        new() { Name = name, Role = role, Host = host, Port = port, HeapMB = heap };

    /// <summary>Picks a free loopback port on <paramref name="host"/> for every actuator (the API's is its HTTP port).</summary>
    internal void AssignActuatorPorts(int apiPort)
    {
        foreach (var n in Nodes)
            n.ActuatorPort = n.Role == EmulatedRole.Api ? apiPort : FreePort(n.Host);
    }

    private static int FreePort(string host)
    {
        using var l = new TcpListener(IPAddress.Parse(host), 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>The health-check config (inventory) that describes this cluster, as YAML for Invoke-DsHealthCheck -ConfigPath.</summary>
    public string HealthConfigYaml(int apiPort)
    {
        var sb = new StringBuilder("# Inventory of the DsOps emulator's cluster (loopback hosts, free actuator ports).\ninventory:\n");
        foreach (var host in Nodes.Select(n => n.Host).Distinct())
        {
            var nodes = Nodes.Where(n => n.Host == host).ToList();
            string Role(EmulatedNode n) => n.Role.ToString().ToLowerInvariant();
            sb.Append("  - host: ").Append(host).Append('\n');
            sb.Append("    memoryGB: ").Append(HostMemoryGB[host].ToString(CultureInfo.InvariantCulture)).Append('\n');
            sb.Append("    roles: [").Append(string.Join(", ", nodes.Select(Role))).Append("]\n");
            sb.Append("    ports: {").Append(string.Join(", ", nodes.Select(n => $"{Role(n)}: {(n.Role == EmulatedRole.Api ? apiPort : n.Port)}"))).Append("}\n");
            sb.Append("    actuatorPorts: {").Append(string.Join(", ", nodes.Select(n => $"{Role(n)}: {n.ActuatorPort}"))).Append("}\n");
        }
        return sb.ToString();
    }
}
